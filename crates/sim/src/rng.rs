//! Keyed random streams: every random quantity in a run is drawn from its own
//! stream, named by what it is for, never from one shared generator.
//!
//! A stream is a function of (seed, path, customer, agent, task, step,
//! purpose). The key is hashed with the SplitMix64 finaliser into the 64-bit
//! seed of a [`Xoshiro256PlusPlus`], a fast generator whose output rand
//! promises not to change between releases or platforms.
//!
//! # Why this gives common random numbers
//!
//! The plan is deliberately not part of the key. The number of steps of task
//! 7 of agent 2 of customer 40 on path 3 comes from the same stream under
//! every plan, so every plan meets the same demand, and blocking a call
//! under one plan changes only what is served, not what is asked for: a
//! block cannot shift the draws of later tasks the way it would if all draws
//! came from one sequence. Differences between plans are then differences
//! of plans, not of luck, and their variance across paths is far smaller
//! than two independent runs would give.
//!
//! For the same reason no draw depends on the order work is scheduled in:
//! a path may run on any thread, customers in any order, and the result is
//! the same for any thread count. A run is a pure function of (scenario,
//! seed).

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

/// A random stream: a portable, seedable generator.
pub type Stream = Xoshiro256PlusPlus;

/// A level of the key left unset. No real index reaches it, so "customer 3,
/// no agent" and "customer 3, agent 0" are different keys.
const UNSET: u64 = u64::MAX;

/// Where in the simulated world a draw belongs: path, customer, agent, task
/// and step, each optional, coarse to fine.
///
/// Use the finest level the quantity depends on and no finer: a task's
/// number of steps is keyed by its task, a call's tokens by its step. A
/// sequence that belongs to a level (an agent's task arrival times, a
/// customer's incidents) is drawn in order from that level's stream, or
/// keyed by its index in the `task` slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    path: u64,
    customer: u64,
    agent: u64,
    task: u64,
    step: u64,
}

impl Key {
    /// The key of a whole path; finer levels are added with the builders.
    pub const fn path(path: u64) -> Key {
        Key {
            path,
            customer: UNSET,
            agent: UNSET,
            task: UNSET,
            step: UNSET,
        }
    }

    pub const fn customer(self, customer: u64) -> Key {
        Key { customer, ..self }
    }

    pub const fn agent(self, agent: u64) -> Key {
        Key { agent, ..self }
    }

    pub const fn task(self, task: u64) -> Key {
        Key { task, ..self }
    }

    pub const fn step(self, step: u64) -> Key {
        Key { step, ..self }
    }

    /// The stream for `purpose` at this key under `seed`.
    pub fn stream(self, seed: u64, purpose: Purpose) -> Stream {
        Stream::seed_from_u64(self.hash(seed, purpose))
    }

    /// The 64-bit seed of the stream. Changing this function changes every
    /// result of every scenario: a test pins its output.
    pub fn hash(self, seed: u64, purpose: Purpose) -> u64 {
        let words = [
            self.path,
            self.customer,
            self.agent,
            self.task,
            self.step,
            purpose.0,
        ];
        words
            .into_iter()
            .fold(mix(seed), |h, word| mix(h ^ mix(word)))
    }
}

/// What a stream is for. Two quantities at the same key use different
/// purposes so their draws are independent.
///
/// A purpose is the hash of its name, so it is stable as long as the name
/// is: new purposes can be added anywhere without renumbering. Declare them
/// as constants: `const TASK_STEPS: Purpose = Purpose::new("task_steps");`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Purpose(u64);

impl Purpose {
    /// The purpose named `name` (FNV-1a of its bytes).
    pub const fn new(name: &str) -> Purpose {
        let bytes = name.as_bytes();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut i = 0;
        while i < bytes.len() {
            hash ^= bytes[i] as u64;
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            i += 1;
        }
        Purpose(hash)
    }
}

/// The SplitMix64 finaliser (Stafford's Mix13 with the golden-ratio
/// increment): a bijection on u64 in which every input bit affects every
/// output bit. Chained over the key words it gives distinct keys unrelated
/// seeds; for a fixed prefix it is one-to-one in the last word, so keys that
/// differ only there can never collide.
const fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, RngExt};

    const SEED: u64 = 42;
    const STEPS: Purpose = Purpose::new("task_steps");
    const TOKENS: Purpose = Purpose::new("step_tokens");

    fn first_u64(key: Key, purpose: Purpose) -> u64 {
        key.stream(SEED, purpose).next_u64()
    }

    fn first_unit(key: Key, purpose: Purpose) -> f64 {
        key.stream(SEED, purpose).random::<f64>()
    }

    #[test]
    fn same_key_same_stream() {
        let key = Key::path(3).customer(40).agent(2).task(7).step(1);
        let a: Vec<u64> = {
            let mut s = key.stream(SEED, STEPS);
            (0..100).map(|_| s.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut s = key.stream(SEED, STEPS);
            (0..100).map(|_| s.next_u64()).collect()
        };
        assert_eq!(a, b);
    }

    #[test]
    fn every_level_of_the_key_matters() {
        let base = Key::path(1).customer(1).agent(1).task(1).step(1);
        let variants = [
            Key::path(2).customer(1).agent(1).task(1).step(1),
            base.customer(2),
            base.agent(2),
            base.task(2),
            base.step(2),
            // Unset is not index 0.
            Key::path(1).customer(1).agent(1).task(1),
            base.step(0),
        ];
        let first = first_u64(base, STEPS);
        for key in variants {
            assert_ne!(first_u64(key, STEPS), first, "{key:?}");
        }
        assert_ne!(first_u64(base, TOKENS), first);
        assert_ne!(base.stream(SEED + 1, STEPS).next_u64(), first);
    }

    /// Pins the key hash: a change here changes every simulation result.
    #[test]
    fn key_hash_is_stable() {
        let key = Key::path(0).customer(1).agent(2).task(3).step(4);
        assert_eq!(STEPS, Purpose(0x2a8e_c343_e144_1e60));
        assert_eq!(key.hash(SEED, STEPS), 0x3236_251e_ea9f_fc48);
    }

    /// Neighbouring keys (consecutive customers, two purposes at one key)
    /// must give uncorrelated draws. For N independent pairs of uniforms the
    /// sample correlation has standard error 1/sqrt(N); the bound is 4 of
    /// them (a correct generator fails it with probability about 6e-5; the
    /// seed is fixed).
    #[test]
    fn neighbouring_keys_are_uncorrelated() {
        const N: u64 = 20_000;
        let bound = 4.0 / (N as f64).sqrt();
        let by_customer: Vec<f64> = (0..=N)
            .map(|c| first_unit(Key::path(0).customer(c), STEPS))
            .collect();
        let by_purpose: Vec<f64> = (0..N)
            .map(|c| first_unit(Key::path(0).customer(c), TOKENS))
            .collect();
        let r_next = correlation(&by_customer[..N as usize], &by_customer[1..]);
        let r_purpose = correlation(&by_customer[..N as usize], &by_purpose);
        assert!(
            r_next.abs() < bound,
            "seed {SEED}: customer c vs c+1: r = {r_next}"
        );
        assert!(
            r_purpose.abs() < bound,
            "seed {SEED}: two purposes: r = {r_purpose}"
        );
    }

    /// The first draw of consecutive keys, binned into 16 equal bins, must
    /// pass a chi-squared test: 15 degrees of freedom, 99.9% quantile 37.70.
    #[test]
    fn first_draws_of_consecutive_keys_are_uniform() {
        const N: u64 = 32_000;
        const BINS: usize = 16;
        let mut counts = [0u64; BINS];
        for task in 0..N {
            let u = first_unit(Key::path(0).customer(0).agent(0).task(task), STEPS);
            counts[(u * BINS as f64) as usize] += 1;
        }
        let expected = N as f64 / BINS as f64;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        assert!(
            chi2 < 37.70,
            "chi-squared {chi2} over 15 dof, counts {counts:?}"
        );
    }

    fn correlation(x: &[f64], y: &[f64]) -> f64 {
        let n = x.len() as f64;
        let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
        let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
        let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
        cov / (vx * vy).sqrt()
    }
}
