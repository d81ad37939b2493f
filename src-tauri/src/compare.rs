//! The Compare view: a candidate run against the pinned baseline, as the
//! window shows it. The statistics are the simulator's (`sim::compare`:
//! paired intervals under common random numbers, Welch's otherwise); this
//! module adds the scenario texts' line diff and converts both for IPC.

use sim::compare::Comparison as Deltas;
use sim::metrics::METRICS;
use similar::{ChangeTag, TextDiff};

use crate::dto::{ComparedRun, Comparison, DeltaCell, DeltaRow, DiffLine, DiffTag, PlanInfo};
use crate::runs::{self, Finished};

/// Lines of unchanged text shown around each change.
pub const CONTEXT_LINES: usize = 3;

/// `candidate` against `baseline`: deltas with intervals and the diff.
pub fn comparison(baseline: (u32, &Finished), candidate: (u32, &Finished)) -> Comparison {
    let deltas = sim::compare::compare(&baseline.1.output, &candidate.1.output);
    let diff = diff(&baseline.1.source.text, &candidate.1.source.text);
    let lines_changed = diff
        .iter()
        .filter(|l| matches!(l.tag, DiffTag::Added | DiffTag::Removed))
        .count() as u32;
    Comparison {
        baseline: compared(baseline),
        candidate: compared(candidate),
        method: deltas.method.code().to_owned(),
        method_text: deltas.method.describe().to_owned(),
        plans: deltas
            .plans
            .iter()
            .map(|p| PlanInfo {
                id: p.id.clone(),
                name: p.name.clone(),
            })
            .collect(),
        rows: rows(&deltas),
        only_baseline: deltas.only_baseline,
        only_candidate: deltas.only_candidate,
        diff,
        lines_changed,
    }
}

fn compared((run_id, finished): (u32, &Finished)) -> ComparedRun {
    ComparedRun {
        run_id,
        scenario: finished.output.scenario.clone(),
        seed: finished.output.seed,
        paths: finished.output.paths as u32,
    }
}

fn rows(deltas: &Deltas) -> Vec<DeltaRow> {
    METRICS
        .iter()
        .enumerate()
        .map(|(index, metric)| DeltaRow {
            name: metric.name.to_owned(),
            label: metric.label.to_owned(),
            unit: runs::unit(metric.unit).to_owned(),
            better: runs::better(metric.name),
            cells: deltas
                .plans
                .iter()
                .map(|plan| {
                    let d = &plan.metrics[index];
                    DeltaCell {
                        baseline: d.baseline,
                        candidate: d.candidate,
                        delta: d.delta,
                        ci95: d.ci95,
                    }
                })
                .collect(),
        })
        .collect()
}

/// The line diff of two scenario texts: each change with
/// [`CONTEXT_LINES`] lines around it, a gap line between distant changes.
pub fn diff(old: &str, new: &str) -> Vec<DiffLine> {
    let text_diff = TextDiff::from_lines(old, new);
    let mut lines = Vec::new();
    for (n, group) in text_diff.grouped_ops(CONTEXT_LINES).iter().enumerate() {
        if n > 0 {
            lines.push(DiffLine {
                tag: DiffTag::Gap,
                text: String::new(),
                old_line: None,
                new_line: None,
            });
        }
        for op in group {
            for change in text_diff.iter_changes(op) {
                lines.push(DiffLine {
                    tag: match change.tag() {
                        ChangeTag::Equal => DiffTag::Same,
                        ChangeTag::Delete => DiffTag::Removed,
                        ChangeTag::Insert => DiffTag::Added,
                    },
                    text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
                    old_line: change.old_index().map(|i| i as u32 + 1),
                    new_line: change.new_index().map(|i| i as u32 + 1),
                });
            }
        }
    }
    lines
}
