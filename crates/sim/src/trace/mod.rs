//! Usage traces: CSV files of real model calls, one row per call, read one
//! row at a time. [`fit`] turns a trace into workload statistics and a
//! scenario segment; `crate::backtest` replays one through a scenario's plans.
//!
//! Two formats are read. `azure` is the Azure LLM inference trace 2023
//! (`TIMESTAMP,ContextTokens,GeneratedTokens`, timestamps such as
//! `2023-11-16 18:17:03.9799600`, UTC). `generic` is any CSV with a header,
//! whose columns are named for their roles with a [`Columns`] mapping
//! (`timestamp=ts,input=prompt_tokens,...`); a role left out is looked up
//! under its own name. In a generic trace `input` counts all input tokens
//! and `cached` the part of them read from the prompt cache.
//!
//! Rows must be in time order (equal timestamps are fine). A malformed row
//! is reported with its line number and the field at fault; reading goes on
//! so that every problem is found in one pass, up to [`MAX_PROBLEMS`].

pub mod fit;
pub mod segment;

use std::fmt;
use std::io::Read;

use chrono::{DateTime, NaiveDateTime};

use crate::pricing::Tokens;

/// Malformed rows listed one by one; past this they are counted.
pub const MAX_PROBLEMS: usize = 20;

/// The columns of the Azure trace, in its order.
pub const AZURE_COLUMNS: [&str; 3] = ["TIMESTAMP", "ContextTokens", "GeneratedTokens"];

/// The file layouts a trace can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `TIMESTAMP,ContextTokens,GeneratedTokens`.
    Azure,
    /// Any header; columns named by a [`Columns`] mapping.
    Generic,
}

impl Format {
    /// Parses `azure` or `generic`.
    pub fn parse(text: &str) -> Result<Format, String> {
        match text {
            "azure" => Ok(Format::Azure),
            "generic" => Ok(Format::Generic),
            other => Err(format!(
                "unknown trace format `{other}`: write `azure` or `generic`"
            )),
        }
    }
}

/// What a column of a generic trace holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Timestamp,
    Customer,
    Actor,
    Model,
    Input,
    Output,
    Cached,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Timestamp,
        Role::Customer,
        Role::Actor,
        Role::Model,
        Role::Input,
        Role::Output,
        Role::Cached,
    ];

    /// The role's name in a mapping (`timestamp`, `input`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Role::Timestamp => "timestamp",
            Role::Customer => "customer",
            Role::Actor => "actor",
            Role::Model => "model",
            Role::Input => "input",
            Role::Output => "output",
            Role::Cached => "cached",
        }
    }

    fn required(self) -> bool {
        matches!(self, Role::Timestamp | Role::Input | Role::Output)
    }

    fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// A generic trace's column mapping: role to header name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    names: Vec<(Role, String)>,
}

impl Columns {
    /// Parses `timestamp=COL,customer=COL,...`; each role at most once.
    pub fn parse(text: &str) -> Result<Columns, String> {
        let mut names: Vec<(Role, String)> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((role, column)) = part.split_once('=') else {
                return Err(format!(
                    "`{part}` is not ROLE=COLUMN: write e.g. `timestamp=created_at`"
                ));
            };
            let (role, column) = (role.trim(), column.trim());
            let Some(role) = Role::parse(role) else {
                let known: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
                return Err(format!(
                    "unknown role `{role}` in `{part}`: the roles are {}",
                    known.join(", ")
                ));
            };
            if column.is_empty() {
                return Err(format!(
                    "`{part}` names no column: write {}=COLUMN",
                    role.name()
                ));
            }
            if names.iter().any(|(r, _)| *r == role) {
                return Err(format!(
                    "role `{}` is mapped twice: keep one `{}=...`",
                    role.name(),
                    role.name()
                ));
            }
            names.push((role, column.to_owned()));
        }
        Ok(Columns { names })
    }

    fn get(&self, role: Role) -> Option<&str> {
        self.names
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, c)| c.as_str())
    }
}

/// Where each role sits in a row (field indices).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    pub(crate) timestamp: usize,
    pub(crate) input: usize,
    pub(crate) output: usize,
    pub(crate) cached: Option<usize>,
    pub(crate) customer: Option<usize>,
    pub(crate) actor: Option<usize>,
    pub(crate) model: Option<usize>,
}

/// A problem with the trace as a whole (its header, its mapping).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderError {
    pub file: String,
    pub message: String,
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: line 1 (header): {}", self.file, self.message)
    }
}

impl std::error::Error for HeaderError {}

/// One malformed row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The column at fault, if one is.
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}: `{column}`: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Malformed rows of one file: the first [`MAX_PROBLEMS`], and how many more.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowProblems {
    pub file: String,
    pub listed: Vec<RowError>,
    pub more: u64,
}

impl RowProblems {
    pub fn new(file: &str) -> RowProblems {
        RowProblems {
            file: file.to_owned(),
            ..RowProblems::default()
        }
    }

    pub fn push(&mut self, error: RowError) {
        if self.listed.len() < MAX_PROBLEMS {
            self.listed.push(error);
        } else {
            self.more += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// One line per problem, each naming the file, then `and N more`.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .listed
            .iter()
            .map(|e| format!("{}: {e}", self.file))
            .collect();
        if self.more > 0 {
            lines.push(format!(
                "{}: and {} more malformed rows",
                self.file, self.more
            ));
        }
        lines
    }
}

impl fmt::Display for RowProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

/// Anything that stops a trace from being read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceError {
    Header(HeaderError),
    Rows(RowProblems),
    /// Reading failed (I/O), at a line.
    Read {
        file: String,
        message: String,
    },
    /// A trace with a header and no rows.
    Empty {
        file: String,
    },
    /// A limit was passed (rows, customers, days), at a line.
    Limit {
        file: String,
        message: String,
    },
}

impl TraceError {
    /// One line per problem.
    pub fn lines(&self) -> Vec<String> {
        match self {
            TraceError::Header(e) => vec![e.to_string()],
            TraceError::Rows(problems) => problems.lines(),
            TraceError::Read { file, message } | TraceError::Limit { file, message } => {
                vec![format!("{file}: {message}")]
            }
            TraceError::Empty { file } => vec![format!(
                "{file}: the trace has a header and no rows: nothing to fit or replay"
            )],
        }
    }
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

impl std::error::Error for TraceError {}

/// One well-formed row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// 1-based line in the file.
    pub line: u64,
    /// Microseconds since the Unix epoch, UTC.
    pub at_us: i64,
    /// Input tokens in all (cached ones included).
    pub input: u32,
    pub output: u32,
    /// Of `input`, those read from the prompt cache.
    pub cached: u32,
}

impl Row {
    /// The call's tokens as the price table counts them (uncached input apart).
    pub fn tokens(&self) -> Tokens {
        Tokens {
            input: self.input - self.cached,
            cached: self.cached,
            output: self.output,
        }
    }
}

/// Reads a trace one row at a time; memory does not grow with the rows.
pub struct TraceReader<R: Read> {
    file: String,
    csv: csv::Reader<R>,
    header: Vec<String>,
    pub(crate) layout: Layout,
    record: csv::StringRecord,
    last_at_us: Option<i64>,
    rows: u64,
}

impl<R: Read> TraceReader<R> {
    /// Reads and checks the header. `columns` applies to the generic format.
    pub fn new(
        source: R,
        file: &str,
        format: Format,
        columns: &Columns,
    ) -> Result<TraceReader<R>, TraceError> {
        let mut csv = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(source);
        let header_error = |message: String| {
            TraceError::Header(HeaderError {
                file: file.to_owned(),
                message,
            })
        };
        let header: Vec<String> = csv
            .headers()
            .map_err(|e| header_error(format!("cannot read the header: {e}")))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
            .collect();
        if header.iter().all(String::is_empty) {
            return Err(header_error(match format {
                Format::Azure => format!(
                    "the file is empty: an Azure trace starts with the header `{}`",
                    AZURE_COLUMNS.join(",")
                ),
                Format::Generic => {
                    "the file is empty: a generic trace starts with a header naming its columns"
                        .to_owned()
                }
            }));
        }
        let layout = match format {
            Format::Azure => azure_layout(&header),
            Format::Generic => generic_layout(&header, columns),
        }
        .map_err(header_error)?;
        Ok(TraceReader {
            file: file.to_owned(),
            csv,
            header,
            layout,
            record: csv::StringRecord::new(),
            last_at_us: None,
            rows: 0,
        })
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Rows read so far, well-formed or not.
    pub fn rows_read(&self) -> u64 {
        self.rows
    }

    /// The index of a header column, or an error naming the columns there are.
    pub fn column(&self, name: &str) -> Result<usize, TraceError> {
        find_column(&self.header, name).map_err(|message| {
            TraceError::Header(HeaderError {
                file: self.file.clone(),
                message,
            })
        })
    }

    /// The text of field `index` of the row last returned (empty if absent).
    pub fn text(&self, index: usize) -> &str {
        self.record.get(index).unwrap_or("").trim()
    }

    /// The row's customer, actor and model fields, where the layout has them.
    pub fn customer(&self) -> Option<&str> {
        self.layout.customer.map(|i| self.text(i))
    }

    pub fn actor(&self) -> Option<&str> {
        self.layout.actor.map(|i| self.text(i))
    }

    pub fn model(&self) -> Option<&str> {
        self.layout.model.map(|i| self.text(i))
    }

    pub fn has_customer_column(&self) -> bool {
        self.layout.customer.is_some()
    }

    /// The next row; `None` at the end. A row error does not stop reading;
    /// an I/O error does (it is returned as `Err(TraceError::Read)`).
    pub fn next_row(&mut self) -> Option<Result<Result<Row, RowError>, TraceError>> {
        match self.csv.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                self.rows += 1;
                Some(Ok(self.parse_record()))
            }
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                match error.kind() {
                    csv::ErrorKind::Utf8 { .. } => {
                        self.rows += 1;
                        Some(Ok(Err(RowError {
                            line,
                            column: None,
                            message: "the row is not UTF-8 text".to_owned(),
                        })))
                    }
                    _ => Some(Err(TraceError::Read {
                        file: self.file.clone(),
                        message: format!("line {line}: cannot read the trace: {error}"),
                    })),
                }
            }
        }
    }

    fn parse_record(&mut self) -> Result<Row, RowError> {
        let line = self.record.position().map_or(0, |p| p.line());
        if self.record.len() != self.header.len() {
            return Err(RowError {
                line,
                column: None,
                message: format!(
                    "{} fields where the header has {}: every row needs one value per column",
                    self.record.len(),
                    self.header.len()
                ),
            });
        }
        let layout = self.layout;
        let at_us = self.timestamp(line, layout.timestamp)?;
        let input = self.tokens(line, layout.input)?;
        let output = self.tokens(line, layout.output)?;
        let cached = match layout.cached {
            Some(i) => self.tokens(line, i)?,
            None => 0,
        };
        if cached > input {
            return Err(RowError {
                line,
                column: Some(self.header[layout.cached.unwrap_or(0)].clone()),
                message: format!(
                    "{cached} cached tokens but only {input} input tokens: cached tokens are part of the input"
                ),
            });
        }
        if let Some(last) = self.last_at_us
            && at_us < last
        {
            return Err(RowError {
                line,
                column: Some(self.header[layout.timestamp].clone()),
                message: "earlier than the row before: sort the trace by time".to_owned(),
            });
        }
        self.last_at_us = Some(at_us);
        Ok(Row {
            line,
            at_us,
            input,
            output,
            cached,
        })
    }

    fn timestamp(&self, line: u64, index: usize) -> Result<i64, RowError> {
        let text = self.text(index);
        parse_timestamp(text).ok_or_else(|| RowError {
            line,
            column: Some(self.header[index].clone()),
            message: format!(
                "`{text}` is not a timestamp: write `2023-11-16 18:17:03.97`, RFC 3339 (`2023-11-16T18:17:03Z`) or Unix seconds"
            ),
        })
    }

    fn tokens(&self, line: u64, index: usize) -> Result<u32, RowError> {
        let text = self.text(index);
        text.parse::<u32>().map_err(|_| RowError {
            line,
            column: Some(self.header[index].clone()),
            message: format!(
                "`{text}` is not a token count: write a whole number from 0 to {}",
                u32::MAX
            ),
        })
    }
}

/// Parses a UTC timestamp into microseconds since the Unix epoch:
/// `YYYY-MM-DD HH:MM:SS[.fraction]` (the Azure trace's form, UTC),
/// the same with `T`, RFC 3339 with an offset, or Unix seconds.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let seconds: f64 = text.parse().ok()?;
        // Beyond about year 33,000 microseconds no longer fit comfortably.
        return (seconds < 1e12).then(|| (seconds * 1e6).round() as i64);
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc().timestamp_micros());
        }
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_micros())
}

fn azure_layout(header: &[String]) -> Result<Layout, String> {
    let find = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            format!(
                "no `{name}` column: an Azure trace has the columns `{}` (found `{}`); for another layout use `--format generic --columns ...`",
                AZURE_COLUMNS.join(","),
                header.join(",")
            )
        })
    };
    Ok(Layout {
        timestamp: find(AZURE_COLUMNS[0])?,
        input: find(AZURE_COLUMNS[1])?,
        output: find(AZURE_COLUMNS[2])?,
        cached: None,
        customer: None,
        actor: None,
        model: None,
    })
}

fn generic_layout(header: &[String], columns: &Columns) -> Result<Layout, String> {
    let mut found = [None; Role::ALL.len()];
    for (slot, role) in found.iter_mut().zip(Role::ALL) {
        *slot = match columns.get(role) {
            Some(name) => Some(
                find_column(header, name)
                    .map_err(|message| format!("{}={name}: {message}", role.name()))?,
            ),
            None => header.iter().position(|h| h == role.name()),
        };
        if slot.is_none() && role.required() {
            return Err(format!(
                "no column for `{}`: map it with `--columns {}=COLUMN` (the header has `{}`; a generic trace needs timestamp, input and output)",
                role.name(),
                role.name(),
                header.join(",")
            ));
        }
    }
    let [timestamp, customer, actor, model, input, output, cached] = found;
    let required = "checked above";
    Ok(Layout {
        timestamp: timestamp.expect(required),
        input: input.expect(required),
        output: output.expect(required),
        cached,
        customer,
        actor,
        model,
    })
}

fn find_column(header: &[String], name: &str) -> Result<usize, String> {
    header.iter().position(|h| h == name).ok_or_else(|| {
        let hint = header
            .iter()
            .map(|h| (strsim::jaro_winkler(h, name), h))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, h)| format!(" (did you mean `{h}`?)"))
            .unwrap_or_default();
        format!(
            "no column `{name}` in the header{hint}: the columns are `{}`",
            header.join(",")
        )
    })
}
