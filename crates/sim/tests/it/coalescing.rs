//! Coalescing certain usage into one ledger event (`customer.rs`:
//! `per_call` calls in `Pending`, a window's calls at its end) changes no
//! number: every shipped scenario, the test scenarios, the CLI fixture and
//! random small scenarios give byte-identical JSON with coalescing off and
//! on. And it happens where it should: runs drawn from a grant, into
//! overdraft and onto the invoice, call by call and at window ends.
//!
//! Coalescing is switched for the whole process (`sim::customer::set_coalescing`);
//! the tests here that switch it hold one lock, and every other test in the
//! binary gets the same numbers whichever way it is set.

use std::sync::Mutex;

use ledger::RunTo;
use sim::customer::{Account, Context, PlanTotals, coalesced_events, set_coalescing};
use sim::demand::{Demand, DemandContext};
use sim::path::Model;
use sim::run::RunOptions;
use sim::scenario::Scenario;

/// Held while a test switches coalescing off and on.
static SWITCH: Mutex<()> = Mutex::new(());

/// The run's JSON with coalescing off, then on; panics if they differ or if
/// the run with it on coalesced nothing where `expect_coalescing`.
fn compare(name: &str, scenario: &Scenario, paths: usize, expect_coalescing: bool) {
    let options = || RunOptions {
        paths: Some(paths),
        threads: Some(2),
        ..RunOptions::default()
    };
    let _switch = SWITCH
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    set_coalescing(false);
    let off = crate::run_with(scenario, options()).to_json().to_string();
    set_coalescing(true);
    let before = coalesced_events();
    let on = crate::run_with(scenario, options()).to_json().to_string();
    let coalesced = coalesced_events() - before;
    if off != on {
        let at = off
            .bytes()
            .zip(on.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(off.len().min(on.len()));
        let from = at.saturating_sub(200);
        panic!(
            "{name}: coalescing changed the output at byte {at}:\noff: ...{}\non:  ...{}",
            &off[from..(at + 200).min(off.len())],
            &on[from..(at + 200).min(on.len())]
        );
    }
    if expect_coalescing {
        assert!(coalesced > 0, "{name}: no usage was coalesced");
    }
}

/// A scenario file, with at most 8 customers per segment at the start, few
/// sign-ups and at most one task per agent a day (a debug build runs every
/// plan twice; `tests/good/full.toml` is otherwise 70 million calls a
/// path): its plans, horizon, demand shape and events are the file's.
fn load_file(path: &std::path::Path) -> Scenario {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let mut scenario = crate::scenarios::load_ready(&text, &path.display().to_string())
        .unwrap_or_else(|errors| panic!("{} does not load: {errors:?}", path.display()));
    for segment in &mut scenario.segments {
        segment.customers = segment.customers.min(8);
        segment.new_customers_per_day = segment.new_customers_per_day.min(0.05);
        segment.tasks.per_agent_per_day = segment.tasks.per_agent_per_day.min(1.0);
    }
    scenario
}

/// `*.toml` in `dir`, sorted.
fn toml_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_shipped_scenario_gives_the_same_json_with_coalescing_off_and_on() {
    let files = toml_files(&crate::scenarios::scenarios_dir());
    assert!(files.len() >= 6, "scenarios/ holds {} files", files.len());
    for path in files {
        let scenario = load_file(&path);
        // The default scenario sells per-call prepaid packs: it must coalesce.
        let expect = path.ends_with("default-agentic-saas.toml");
        compare(&path.display().to_string(), &scenario, 2, expect);
    }
}

#[test]
fn test_scenarios_and_fixtures_give_the_same_json_with_coalescing_off_and_on() {
    let mut files = toml_files(&crate::crate_dir().join("tests/good"));
    files.push(crate::crate_dir().join("../../tests/fixtures/scenario-small.toml"));
    for path in files {
        let scenario = load_file(&path);
        compare(&path.display().to_string(), &scenario, 2, false);
    }
}

/// A small deterministic generator (SplitMix64) for the random scenarios.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high`.
    fn int(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.int(1, 100) <= percent
    }
}

/// How a random plan enforces: per call mostly, else metered in windows of
/// 1 to 30 minutes.
fn random_enforcement(dice: &mut Dice) -> String {
    if dice.chance(65) {
        "{ mode = \"per_call\" }".to_owned()
    } else {
        format!(
            "{{ mode = \"windowed\", window_minutes = {} }}",
            dice.int(1, 30)
        )
    }
}

/// A random prepaid plan: enforcement, pack and welcome sizes, expiries,
/// exhaustion rule, alerts and automatic top-up drawn from `dice`.
fn random_prepaid_plan(dice: &mut Dice, id: usize) -> String {
    let exhaustion = if dice.chance(50) {
        "{ rule = \"block\" }".to_owned()
    } else {
        format!("{{ rule = \"overdraft\", limit = {} }}", dice.int(0, 3000))
    };
    let enforcement = random_enforcement(dice);
    let mut plan = format!(
        "[[plans]]\nid = \"p{id}\"\nbilling = \"prepaid\"\nprice_per_credit = \"0.01\"\n\
         initial_pack = \"starter\"\nenforcement = {enforcement}\nexhaustion = {exhaustion}\n"
    );
    if dice.chance(70) {
        let percents: Vec<String> = (0..dice.int(1, 3))
            .map(|_| dice.int(1, 90).to_string())
            .collect();
        let fixed: Vec<String> = (0..dice.int(0, 2))
            .map(|_| dice.int(10, 5000).to_string())
            .collect();
        plan += &format!(
            "alerts = {{ below_percent = [{}], below = [{}] }}\n",
            percents.join(", "),
            fixed.join(", ")
        );
    }
    if dice.chance(50) {
        plan += &format!(
            "topup = {{ below = {}, pack = \"starter\", max_per_period = {}, period = \"1M\" }}\n",
            dice.int(0, 3000),
            dice.int(1, 3)
        );
    }
    plan += &format!(
        "[[plans.packs]]\nid = \"starter\"\ncredits = {}\nprice = 100\n",
        dice.int(500, 30_000)
    );
    if dice.chance(50) {
        plan += &format!("expires_after = \"{}d\"\n", dice.int(2, 20));
    }
    if dice.chance(60) {
        plan += &format!(
            "[[plans.grants]]\nid = \"welcome\"\ncredits = {}\nexpires_after = \"{}d\"\n",
            dice.int(0, 5000),
            dice.int(1, 15)
        );
    }
    plan
}

fn random_scenario(dice: &mut Dice) -> String {
    let mut text = format!(
        "version = 1\nstart = 2026-01-05\nhorizon_days = {}\nseed = {}\n\
         [[models]]\nid = \"m\"\nprice_per_mtok = {{ input = 3, output = 15, cache_read = 0.3 }}\n\
         [[rate_card]]\nmodel = \"m\"\ncredits_per_mtok = {{ input = 600, output = 3000, cache_read = \"60.5\" }}\n\
         [[segments]]\nid = \"teams\"\ncustomers = {}\nagents_per_customer = {}\n\
         [segments.tasks]\nper_agent_per_day = {}\nsteps = {{ dist = \"poisson\", mean = 6 }}\n\
         input_tokens = {{ dist = \"lognormal\", median = 8000, sigma = 0.6 }}\n\
         output_tokens = {{ dist = \"lognormal\", median = 300, sigma = 0.8 }}\ncache_hit_share = 0.5\n\
         [[segments.model_mix]]\nmodel = \"m\"\nshare = 1\n\
         [segments.on_block]\ntopup_probability = 0.5\ntopup_delay_hours = 3\nchurn_probability = 0.1\n",
        dice.int(10, 62),
        dice.int(0, 1_000_000),
        dice.int(1, 6),
        dice.int(1, 4),
        dice.int(1, 8),
    );
    for id in 0..dice.int(1, 3) as usize {
        text += &random_prepaid_plan(dice, id);
    }
    if dice.chance(50) {
        text += &format!(
            "[[plans]]\nid = \"hybrid\"\nbilling = \"hybrid\"\nprice_per_credit = \"0.01\"\n\
             billing_period = \"1M\"\nsubscription = {{ fee = 149, included_credits = {}, rollover_max = 0 }}\n\
             exhaustion = {{ rule = \"invoice\", overage_price_per_credit = \"0.012\" }}\n",
            dice.int(100, 20_000)
        );
    }
    if dice.chance(50) {
        text += &format!(
            "[[plans]]\nid = \"postpaid\"\nbilling = \"postpaid\"\nprice_per_credit = \"0.01\"\n\
             billing_period = \"1M\"\nenforcement = {}\n\
             [[plans.grants]]\nid = \"welcome\"\ncredits = {}\nexpires_after = \"{}d\"\n",
            random_enforcement(dice),
            dice.int(0, 3000),
            dice.int(1, 30)
        );
    }
    text
}

#[test]
fn random_scenarios_give_the_same_json_with_coalescing_off_and_on() {
    let mut dice = Dice(20_261_122);
    for case in 0..12 {
        let text = random_scenario(&mut dice);
        let scenario = sim::scenario::load(&text, "random.toml").unwrap_or_else(|errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!(
                "random scenario {case} does not load:\n{}\n{text}",
                lines.join("\n")
            )
        });
        compare(
            &format!("random scenario {case}:\n{text}"),
            &scenario,
            3,
            false,
        );
    }
}

/// The default scenario's plans, each over the first 20 customers of each
/// segment on path 0: events metered in batches, per plan, by where the
/// batch went.
fn coalesced_by_plan() -> Vec<(String, [u64; 3])> {
    let file = crate::scenarios::scenarios_dir().join("default-agentic-saas.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let scenario = crate::scenarios::load_ready(&text, "default-agentic-saas.toml").unwrap();
    let model = Model::new(&scenario, scenario.seed);
    let ctx = Context {
        seed: model.seed,
        path: 0,
        start: model.start,
        end: model.end,
        prices: &model.prices,
    };
    let demand_ctx = DemandContext {
        seed: model.seed,
        path: 0,
        start: model.start,
        end: model.end,
    };
    let mut counts = vec![[0u64; 3]; model.plans.len()];
    let mut demand = Demand::default();
    for segment in &model.segments {
        let spec = &scenario.segments[segment.index];
        let customers = segment.customers(model.seed, 0, model.start, scenario.horizon_days);
        for &(customer, joined) in customers.iter().take(20) {
            segment.demand(&demand_ctx, customer, joined, &mut demand);
            for (plan, count) in model.plans.iter().zip(&mut counts) {
                let mut totals = PlanTotals::new(model.days);
                let mut aborted = vec![false; demand.tasks as usize];
                let mut account =
                    Account::open(&ctx, plan, (segment.index, spec), customer, &demand);
                for call in &demand.calls {
                    account.call(call, &mut aborted, &mut totals);
                }
                for (to, n) in [RunTo::Grant, RunTo::Overdraft, RunTo::Invoice]
                    .into_iter()
                    .zip(count.iter_mut())
                {
                    *n += account.coalesced_events(to);
                }
            }
        }
    }
    scenario
        .plans
        .iter()
        .map(|p| p.id.clone())
        .zip(counts)
        .collect()
}

#[test]
fn certain_runs_coalesce_into_grants_overdraft_and_invoices_per_call_and_at_window_ends() {
    let _switch = SWITCH
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    set_coalescing(true);
    let counts = coalesced_by_plan();
    let of = |id: &str| {
        counts
            .iter()
            .find(|(plan, _)| plan == id)
            .unwrap_or_else(|| panic!("no plan {id} in {counts:?}"))
            .1
    };
    let [grant, overdraft, invoice] = [0, 1, 2];
    // Per call: packs, then overdraft debt once they run dry.
    assert!(of("prepaid-block")[grant] > 0, "{counts:?}");
    assert!(of("prepaid-overdraft")[overdraft] > 0, "{counts:?}");
    // Per call: included credits, then overage on the invoice.
    assert!(
        of("hybrid")[grant] > 0 && of("hybrid")[invoice] > 0,
        "{counts:?}"
    );
    // At window ends: the welcome grant, then the invoice.
    assert!(
        of("postpaid")[grant] > 0 && of("postpaid")[invoice] > 0,
        "{counts:?}"
    );
}
