//! creditsim's Monte Carlo simulator. This crate holds the parts that
//! describe a simulation: scenario files ([`scenario`]), the distributions
//! every random quantity is drawn from ([`dist`]), and the keyed random
//! streams that make a run a pure function of (scenario, seed) ([`rng`]).
//!
//! ```
//! let text = include_str!("../tests/good/small.toml");
//! let scenario = sim::scenario::load(text, "small.toml").expect("the example loads");
//! assert_eq!(scenario.version, 1);
//! assert!(!scenario.plans.is_empty());
//! ```

pub mod backtest;
pub mod bands;
pub mod catalogue;
pub mod compare;
pub mod customer;
pub mod demand;
pub mod dist;
pub mod edit;
pub mod file;
pub mod inspect;
pub mod metrics;
pub mod path;
pub mod plan;
pub mod pricing;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod sensitivity;
pub mod stats;
pub mod sweep;
pub mod trace;
pub mod vary;
