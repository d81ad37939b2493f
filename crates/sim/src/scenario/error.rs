//! Errors a scenario file can have, each with a machine-readable code, the
//! place it is in (file, line, column, field path), a message and a hint.
//! Programs match on [`ErrorCode`]; people read the `Display` form
//! `file:line:col: path: message (hint)`.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

use super::doc::{Doc, FieldPath};

/// What kind of problem an error is. The string form ([`ErrorCode::as_str`])
/// is stable: the UI and scripts match on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not valid TOML.
    Syntax,
    /// The file is larger than [`super::limits::MAX_SCENARIO_BYTES`].
    FileTooLarge,
    /// `version` is not one this build reads.
    UnsupportedVersion,
    /// A value of the wrong type (a string where a number belongs).
    TypeMismatch,
    /// A key the format does not have (usually a typo).
    UnknownField,
    /// A required key is absent.
    MissingField,
    /// A string that is not one of the allowed names (`billing = "prepay"`).
    UnknownVariant,
    /// A value of the right type that cannot be read (a bad date or period).
    InvalidValue,
    /// A number outside its allowed range.
    OutOfRange,
    /// Over one of the named limits in [`super::limits`].
    LimitExceeded,
    /// A name that refers to no model, segment, plan or pack.
    UndefinedReference,
    /// Two items with the same id.
    DuplicateId,
    /// Dated entries not in date order.
    OutOfOrder,
    /// A date outside the simulated horizon.
    OutsideHorizon,
    /// Fields that contradict each other (shares that do not sum to 1, a
    /// setting that does not apply to the plan's billing model).
    Inconsistent,
    /// More errors than [`super::limits::MAX_ERRORS`]; the rest are not shown.
    TooManyErrors,
    /// The price catalogue is not the one the scenario pins (`[catalogue]
    /// sha256`), or none was read.
    CatalogueMismatch,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Syntax => "syntax",
            ErrorCode::FileTooLarge => "file_too_large",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::TypeMismatch => "type_mismatch",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::MissingField => "missing_field",
            ErrorCode::UnknownVariant => "unknown_variant",
            ErrorCode::InvalidValue => "invalid_value",
            ErrorCode::OutOfRange => "out_of_range",
            ErrorCode::LimitExceeded => "limit_exceeded",
            ErrorCode::UndefinedReference => "undefined_reference",
            ErrorCode::DuplicateId => "duplicate_id",
            ErrorCode::OutOfOrder => "out_of_order",
            ErrorCode::OutsideHorizon => "outside_horizon",
            ErrorCode::Inconsistent => "inconsistent",
            ErrorCode::TooManyErrors => "too_many_errors",
            ErrorCode::CatalogueMismatch => "catalogue_mismatch",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScenarioError {
    pub code: ErrorCode,
    /// The file name given to the loader.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The field path, `plans[1].exhaustion.limit`; empty for the whole file.
    pub path: String,
    pub message: String,
    /// How to fix it, when there is more to say than the message.
    pub hint: Option<String>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// A problem found in the document, located by byte span; turned into a
/// [`ScenarioError`] once the file name and line index are at hand.
#[derive(Clone, Debug)]
pub(crate) struct Issue {
    pub code: ErrorCode,
    pub span: Range<usize>,
    pub path: FieldPath,
    pub message: String,
    pub hint: Option<String>,
}

impl Issue {
    pub fn new(code: ErrorCode, span: Range<usize>, path: FieldPath, message: String) -> Issue {
        Issue {
            code,
            span,
            path,
            message,
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Issue {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Issue {
        self.hint = hint;
        self
    }

    pub fn into_error(self, doc: &Doc<'_>, file: &str) -> ScenarioError {
        let (line, column) = doc.line_col(self.span.start);
        ScenarioError {
            code: self.code,
            file: file.to_owned(),
            line,
            column,
            path: self.path.to_string(),
            message: self.message,
            hint: self.hint,
        }
    }
}
