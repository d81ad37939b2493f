//! `creditsim trace fit TRACE.csv`: workload statistics of a real usage
//! trace, printed as a report or JSON, and optionally written as a scenario
//! segment. The statistics live in `sim::trace::fit`.

use std::fmt::Write as _;
use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use sim::trace::fit::{Fit, TokenFit};
use sim::trace::segment::{SegmentNames, id_from_file, segment_toml};
use sim::trace::{Columns, Format, TraceReader};

use super::{EXIT_BAD_INPUT, EXIT_OUTPUT_FAILED, print_json, print_text};

#[derive(Subcommand)]
pub enum TraceCommand {
    /// Fit token distributions, arrival rate and burstiness to a trace.
    #[command(after_help = TRACE_HELP)]
    Fit(FitArgs),
}

pub const TRACE_HELP: &str = "Formats: `azure` (TIMESTAMP,ContextTokens,GeneratedTokens) and \
`generic` (any header; map columns with --columns, e.g. \
timestamp=ts,customer=org,actor=key,model=model,input=prompt,output=completion,cached=cache_read; \
a role left out is looked up under its own name; input counts cached tokens too). \
Rows must be in time order. See docs/trace-and-backtest.md.\n\
Exit status: 0 on success; 2 when the trace or the arguments have problems, listed on stderr.";

#[derive(Args)]
pub struct FitArgs {
    /// The trace: a CSV file with a header.
    trace: PathBuf,
    /// `azure` or `generic`; default `azure`, or `generic` with --columns.
    #[arg(long, value_parser = Format::parse)]
    format: Option<Format>,
    /// Column mapping of a generic trace: ROLE=COLUMN,... (roles: timestamp,
    /// customer, actor, model, input, output, cached).
    #[arg(long, value_parser = Columns::parse)]
    columns: Option<Columns>,
    /// Also write the fit as a scenario segment (TOML) to this file.
    #[arg(long, value_name = "FILE.toml")]
    segment_out: Option<PathBuf>,
    /// The model of the segment's tasks when the trace has no model column.
    #[arg(long, default_value = "trace-model")]
    model: String,
    /// Print one JSON document instead of the report.
    #[arg(long)]
    json: bool,
}

pub fn run(command: TraceCommand) -> ExitCode {
    match command {
        TraceCommand::Fit(args) => fit(&args),
    }
}

fn fit(args: &FitArgs) -> ExitCode {
    let name = args.trace.display().to_string();
    let columns = args.columns.clone().unwrap_or_default();
    let format = args.format.unwrap_or(if args.columns.is_some() {
        Format::Generic
    } else {
        Format::Azure
    });
    let file = match open(&args.trace) {
        Ok(file) => file,
        Err(message) => return bad_input(&[format!("{name}: {message}")]),
    };
    let fitted = TraceReader::new(file, &name, format, &columns).and_then(sim::trace::fit::fit);
    let fit = match fitted {
        Ok(fit) => fit,
        Err(error) => return bad_input(&error.lines()),
    };
    if let Some(out) = &args.segment_out {
        let names = SegmentNames {
            id: id_from_file(&name),
            model: args.model.clone(),
        };
        if let Err(error) = write_atomically(out, &segment_toml(&fit, &names)) {
            eprintln!("{}: cannot write the segment: {error}", out.display());
            return ExitCode::from(EXIT_OUTPUT_FAILED);
        }
    }
    if args.json {
        match serde_json::to_value(&fit) {
            Ok(value) => print_json(&value),
            Err(error) => {
                eprintln!("creditsim: cannot write the output: {error}");
                ExitCode::from(EXIT_OUTPUT_FAILED)
            }
        }
    } else {
        print_text(&report(&fit))
    }
}

/// Opens a file for streaming, with the reason in words on failure.
pub fn open(path: &Path) -> Result<BufReader<std::fs::File>, String> {
    let file = std::fs::File::open(path).map_err(|e| {
        let reason = match e.kind() {
            io::ErrorKind::NotFound => "no such file".to_owned(),
            io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => e.to_string(),
        };
        format!("cannot read the file: {reason}")
    })?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err("cannot read the file: it is a directory".to_owned());
    }
    Ok(BufReader::with_capacity(1 << 16, file))
}

pub fn bad_input(lines: &[String]) -> ExitCode {
    let mut err = io::stderr().lock();
    for line in lines {
        let _ = writeln!(err, "{line}");
    }
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Writes `text` to a temporary file beside `path`, then renames it over
/// `path`: a reader sees the old file or the new one, never half of one.
fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::File::create(&temp).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = std::fs::remove_file(&temp);
            Err(error)
        }
    }
}

fn report(fit: &Fit) -> String {
    let mut out = String::new();
    let a = &fit.arrivals;
    let _ = writeln!(
        out,
        "{}: {} rows, {} to {}",
        fit.file, fit.rows, fit.first, fit.last
    );
    let _ = writeln!(out);
    tokens(&mut out, "Input tokens", &fit.input);
    tokens(&mut out, "Output tokens", &fit.output);
    let _ = writeln!(out, "Arrivals over {:.0} s", a.span_seconds);
    let _ = writeln!(
        out,
        "  rate                      {:.2} per minute (95% CI {:.2} to {:.2}), {:.0} per hour (95% CI {:.0} to {:.0})",
        a.per_minute,
        a.per_minute_ci95.0,
        a.per_minute_ci95.1,
        a.per_hour,
        a.per_hour_ci95.0,
        a.per_hour_ci95.1
    );
    let _ = writeln!(
        out,
        "  inter-arrival CV          {}   (1 for Poisson arrivals)",
        opt(a.interarrival_cv)
    );
    let _ = writeln!(
        out,
        "  dispersion per minute     {}   (variance / mean of counts in {} whole minutes; 1 for Poisson)",
        opt(a.dispersion_per_minute),
        a.minutes
    );
    let _ = writeln!(out);
    let c = &fit.correlation;
    let _ = writeln!(out, "Input vs output");
    let _ = writeln!(out, "  Pearson on logs           {}", opt(c.pearson_log));
    let _ = writeln!(out, "  Spearman                  {}", opt(c.spearman));
    if let Some(share) = fit.cache_hit_share {
        let _ = writeln!(out, "  cached share of input     {:.1}%", share * 100.0);
    }
    if let Some(customers) = fit.customers {
        let _ = writeln!(out, "Customers                   {customers}");
    }
    if let Some(actors) = fit.actors {
        let _ = writeln!(out, "Actors (customer, actor)    {actors}");
    }
    for (model, rows) in &fit.models {
        let _ = writeln!(out, "Model {model}: {rows} rows");
    }
    out
}

fn tokens(out: &mut String, title: &str, t: &TokenFit) {
    let e = &t.empirical;
    let _ = writeln!(out, "{title} ({} rows, mean {:.1})", t.n, t.mean);
    let _ = writeln!(
        out,
        "  observed                  min {}  P10 {}  P50 {}  P90 {}  P99 {}  max {}",
        num(e.min),
        num(e.p10),
        num(e.p50),
        num(e.p90),
        num(e.p99),
        num(e.max)
    );
    match (t.lognormal, t.fitted, t.ks, t.ks_critical_5pct) {
        (Some(l), Some((p50, p90, p99)), Some(ks), Some(critical)) => {
            let _ = writeln!(
                out,
                "  lognormal (MLE)           mu {:.4} (95% CI {:.4} to {:.4}), sigma {:.4} (95% CI {:.4} to {:.4})",
                l.mu, l.mu_ci95.0, l.mu_ci95.1, l.sigma, l.sigma_ci95.0, l.sigma_ci95.1
            );
            let _ = writeln!(
                out,
                "  lognormal median          {:.1} (95% CI {:.1} to {:.1})",
                l.median, l.median_ci95.0, l.median_ci95.1
            );
            let _ = writeln!(
                out,
                "  fitted vs observed        P50 {p50:.0} vs {}  P90 {p90:.0} vs {}  P99 {p99:.0} vs {}",
                num(e.p50),
                num(e.p90),
                num(e.p99)
            );
            let verdict = if ks > critical {
                "the lognormal is rejected at 5%"
            } else {
                "not rejected at 5%"
            };
            let _ = writeln!(
                out,
                "  Kolmogorov-Smirnov        D = {ks:.4} (5% critical value {critical:.4}: {verdict})"
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "  lognormal                 not fitted: fewer than two positive values, or no spread"
            );
        }
    }
    if t.zeros > 0 {
        let _ = writeln!(
            out,
            "  rows of 0 tokens          {} (left out of the fit)",
            t.zeros
        );
    }
    let _ = writeln!(out);
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"))
}

/// A quantile of token counts: whole, or to one decimal between two counts.
fn num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}
