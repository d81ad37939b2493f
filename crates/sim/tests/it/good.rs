//! Example scenarios that must load, and survive a round trip through the
//! serializer unchanged.

use sim::scenario::{self, Scenario};

fn load(name: &str) -> Scenario {
    let path = crate::crate_dir().join("tests/good").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    match scenario::load(&text, name) {
        Ok(scenario) => scenario,
        Err(errors) => {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("{name} does not load:\n{}", lines.join("\n"));
        }
    }
}

#[test]
fn the_full_example_loads_with_every_section() {
    let s = load("full.toml");
    assert_eq!(s.horizon_days, 365);
    assert_eq!(s.models.len(), 3);
    assert_eq!(s.segments.len(), 2);
    assert_eq!(s.plans.len(), 4);
    let startups = &s.segments[0];
    assert!(startups.runaway.is_some() && startups.credential_leaks.is_some());
    assert_eq!(startups.tasks.daily_profile.len(), 24);
    let enterprise = &s.segments[1];
    assert_eq!(
        enterprise.tasks.daily_profile,
        vec![1.0; 24],
        "default profile"
    );
    assert_eq!(enterprise.payment.net_days, 45);
    assert_eq!(s.plans[3].billing, scenario::Billing::Hybrid);
    assert_eq!(
        s.plans[2].enforcement,
        scenario::Enforcement::Windowed { window_minutes: 5 }
    );
}

#[test]
fn the_small_example_gets_its_defaults() {
    let s = load("small.toml");
    assert_eq!(s.currency, "USD");
    assert_eq!(s.credit_unit, "CREDITS");
    assert_eq!(s.models[0].context_window_tokens, 200_000);
    assert_eq!(s.plans[0].exhaustion, None);
    assert_eq!(s.plans[0].enforcement, scenario::Enforcement::PerCall);
    assert_eq!(s.plans[0].drawdown_order, scenario::DrawdownOrder::Kong);
    assert_eq!(s.segments[0].payment.default_probability, 0.0);
}

#[test]
fn examples_round_trip_through_toml() {
    for name in ["small.toml", "full.toml"] {
        let scenario = load(name);
        let text = toml::to_string(&scenario).unwrap();
        let again = scenario::load(&text, name).unwrap_or_else(|errors| {
            panic!("{name} written back does not load: {errors:?}\n{text}")
        });
        assert_eq!(again, scenario, "{name}");
    }
}

#[test]
fn the_format_doc_example_loads() {
    let doc = std::fs::read_to_string(crate::docs_dir().join("scenario-format.md")).unwrap();
    let start = doc.find("```toml\n").expect("the doc has a TOML example") + "```toml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    if let Err(errors) = scenario::load(&doc[start..end], "scenario-format.md") {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!(
            "the example in scenario-format.md does not load:\n{}",
            lines.join("\n")
        );
    }
}

#[test]
fn resolvers_apply_defaults() {
    let s = load("full.toml");
    assert_eq!(s.baseline().unwrap().id, "postpaid");
    assert_eq!(s.last_day().unwrap().to_string(), "2026-12-31");
    let prepaid = &s.plans[0];
    assert_eq!(prepaid.exhaustion_rule(), scenario::Exhaustion::Block);
    assert_eq!(prepaid.signup_pack("enterprise").unwrap().id, "scale");
    assert_eq!(prepaid.signup_pack("startups").unwrap().id, "starter");
    assert_eq!(
        s.plans[2].exhaustion_rule(),
        scenario::Exhaustion::Invoice {
            overage_price_per_credit: None
        }
    );
}
