//! The frame statistics against values computed by hand and against
//! `sim::stats`, which `creditsim run` prints.

use polars::prelude::{ParquetReader, SerReader};
use report::frames::{self, KEY_COLUMNS};
use sim::metrics::{GROSS_MARGIN, METRICS, index};
use sim::stats::summarise;

use crate::{hand_run, plan, small_run};

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}

#[test]
fn five_margins_by_hand() {
    let run = hand_run(vec![plan("a", GROSS_MARGIN, &[1.0, 2.0, 3.0, 4.0, 10.0])]);
    let stats = frames::stats(&run).unwrap();
    let s = &stats[GROSS_MARGIN];
    assert_eq!((s.plan.as_str(), s.metric, s.n), ("a", GROSS_MARGIN, 5));
    assert!(close(s.mean, 4.0));
    // Type 7: h = 4p; P5 = 1 + 0.2 (2 - 1), P50 = 3, P95 = 4 + 0.8 (10 - 4), P99 = 4 + 0.96 * 6.
    assert!(close(s.p05, 1.2), "{}", s.p05);
    assert!(close(s.p50, 3.0));
    assert!(close(s.p95, 8.8), "{}", s.p95);
    assert!(close(s.p99, 9.76), "{}", s.p99);
    // s = sqrt(50 / 4); half-width t(0.975, 4) s / sqrt(5).
    let half = 2.776_445_105_197_794_3 * (12.5f64).sqrt() / 5f64.sqrt();
    let (lo, hi) = s.ci95.unwrap();
    assert!(close(lo, 4.0 - half) && close(hi, 4.0 + half), "{lo} {hi}");
    // Lower tail of 5 paths: the worst path carries the whole 5%.
    assert!(close(s.cvar95.unwrap(), 1.0));
    // Revenue has no bad tail, so no CVaR.
    assert_eq!(stats[index("revenue").unwrap()].cvar95, None);
}

#[test]
fn cvar_of_forty_exposures_is_the_mean_of_the_worst_two() {
    let exposure = index("exposure_peak").unwrap();
    let values: Vec<f64> = (1..=40).map(f64::from).collect();
    let run = hand_run(vec![plan("a", exposure, &values)]);
    let s = &frames::stats(&run).unwrap()[exposure];
    assert!(close(s.cvar95.unwrap(), 39.5));
    assert!(close(s.mean, 20.5));
}

#[test]
fn one_path_has_no_interval() {
    let run = hand_run(vec![plan("a", GROSS_MARGIN, &[5.0])]);
    let s = &frames::stats(&run).unwrap()[GROSS_MARGIN];
    assert_eq!(s.ci95, None);
    assert_eq!((s.p05, s.p99), (5.0, 5.0));
}

#[test]
fn stats_agree_with_the_simulator_on_a_real_run() {
    let run = small_run(60);
    let stats = frames::stats(&run).unwrap();
    assert_eq!(stats.len(), run.plans.len() * METRICS.len());
    for (p, result) in run.plans.iter().enumerate() {
        for (m, metric) in METRICS.iter().enumerate() {
            let ours = &stats[p * METRICS.len() + m];
            let theirs = summarise(&result.column(m), metric.tail).unwrap();
            let what = format!(
                "plan {} metric {} (seed {})",
                result.id, metric.name, run.seed
            );
            for (a, b) in [
                (ours.mean, theirs.mean),
                (ours.p05, theirs.p05),
                (ours.p50, theirs.p50),
                (ours.p95, theirs.p95),
                (ours.p99, theirs.p99),
            ] {
                assert!(
                    (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                    "{what}: {a} vs {b}"
                );
            }
            let (lo, hi) = ours.ci95.unwrap();
            let (tlo, thi) = theirs.ci95.unwrap();
            // Different variance algorithms: agree to rounding.
            assert!(
                (lo - tlo).abs() <= 1e-6 * tlo.abs().max(1.0),
                "{what}: {lo} vs {tlo}"
            );
            assert!(
                (hi - thi).abs() <= 1e-6 * thi.abs().max(1.0),
                "{what}: {hi} vs {thi}"
            );
            match (ours.cvar95, theirs.cvar95) {
                (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{what}"),
                (None, None) => {}
                other => panic!("{what}: {other:?}"),
            }
        }
    }
}

#[test]
fn path_frame_has_keys_and_every_metric() {
    let run = small_run(20);
    let frame = frames::paths_frame(&run).unwrap();
    assert_eq!(frame.height(), 20 * run.plans.len());
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(&names[..4], KEY_COLUMNS.map(String::from).as_slice());
    assert_eq!(names.len(), 4 + METRICS.len());
    let bands = frames::bands_frame(&run).unwrap();
    assert_eq!(
        bands.height(),
        run.plans.len() * 4 * run.horizon_days as usize
    );
}

#[test]
fn csv_rows_carry_scenario_seed_and_plan() {
    let run = hand_run(vec![
        plan("a", GROSS_MARGIN, &[1.5, 2.0]),
        plan("b", GROSS_MARGIN, &[3.0, 4.0]),
    ]);
    let csv =
        String::from_utf8(frames::to_csv(&frames::paths_frame(&run).unwrap()).unwrap()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("scenario,seed,plan,path,revenue,provider_cost,gross_margin,"));
    assert!(
        lines[1].starts_with("hand,7,a,0,0.0,0.0,1.5,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[4].starts_with("hand,7,b,1,0.0,0.0,4.0,"),
        "{}",
        lines[4]
    );
}

#[test]
fn parquet_reads_back_as_the_same_frame() {
    let run = small_run(20);
    let frame = frames::paths_frame(&run).unwrap();
    let bytes = frames::to_parquet(&frame).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
    let back = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .unwrap();
    assert!(back.equals(&frame), "{back:?}");
}
