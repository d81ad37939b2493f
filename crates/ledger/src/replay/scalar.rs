//! Readers for the file's scalar values: amounts, times, durations, currency
//! codes, priorities and counts. Each reports what is wrong at its path and
//! returns `None`.

use rust_decimal::Decimal;

use super::node::Node;
use super::path::Path;
use super::read::{Ctx, describe, quote};
use crate::money::{Amount, Currency};
use crate::time::{Period, Time};

/// The most significant digits an `f64` is guaranteed to carry from decimal
/// text and back. A number written with more may not be the one the file
/// meant, so it must be written as a string.
const EXACT_FLOAT_DIGITS: usize = 15;

/// Why a value is not an amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum BadDecimal {
    NotADecimal,
    Negative,
    /// More digits than `Decimal` keeps (28 significant, 28 decimal places).
    TooManyDigits,
    /// A float whose shortest form has more than 15 significant digits.
    InexactNumber(String),
}

/// Reads a non-negative decimal from a string or a number.
pub(super) fn amount(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<Amount> {
    let parsed = match node {
        Node::Str(text) => decimal_from_text(text),
        Node::Int(i) => decimal_from_int(*i),
        Node::Float(f) => decimal_from_float(*f),
        _ => Err(BadDecimal::NotADecimal),
    };
    match parsed {
        Ok(value) => Amount::new(value),
        Err(bad) => {
            let got = describe(node, ctx.format);
            ctx.problem(path, bad_decimal_message(&bad, &got));
            None
        }
    }
}

fn bad_decimal_message(bad: &BadDecimal, got: &str) -> String {
    match bad {
        BadDecimal::NotADecimal => format!("expected a decimal, got {got}"),
        BadDecimal::Negative => format!("amounts are never negative, got {got}"),
        BadDecimal::TooManyDigits => {
            format!("{got} has more digits than the ledger keeps (28 significant digits at most)")
        }
        BadDecimal::InexactNumber(shortest) => format!(
            "the number {got} has more than {EXACT_FLOAT_DIGITS} significant digits, so it \
             cannot be read exactly; write it as a string, e.g. \"{shortest}\""
        ),
    }
}

/// A decimal string: digits, optionally a point and more digits. Stricter
/// than `Decimal::from_str`, which also takes `_`, `+` and a leading point;
/// money in a file should read the same to every tool.
pub(super) fn decimal_from_text(text: &str) -> Result<Decimal, BadDecimal> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return Err(BadDecimal::NotADecimal);
    }
    if negative {
        return Err(BadDecimal::Negative);
    }
    // `from_str_exact` refuses to round, where `from_str` would do so quietly.
    Decimal::from_str_exact(unsigned).map_err(|_| BadDecimal::TooManyDigits)
}

fn decimal_from_int(value: i128) -> Result<Decimal, BadDecimal> {
    if value < 0 {
        return Err(BadDecimal::Negative);
    }
    Decimal::try_from_i128_with_scale(value, 0).map_err(|_| BadDecimal::TooManyDigits)
}

/// A JSON or TOML float, read through its shortest decimal form (Rust's
/// `f64` Display), so `0.1` becomes exactly 0.1.
pub(super) fn decimal_from_float(value: f64) -> Result<Decimal, BadDecimal> {
    if !value.is_finite() {
        return Err(BadDecimal::NotADecimal);
    }
    if value.is_sign_negative() && value != 0.0 {
        return Err(BadDecimal::Negative);
    }
    // `-0.0` prints as "-0"; it is zero.
    let shortest = value.abs().to_string();
    if significant_digits(&shortest) > EXACT_FLOAT_DIGITS {
        return Err(BadDecimal::InexactNumber(shortest));
    }
    decimal_from_text(&shortest)
}

/// Significant digits of an unsigned decimal text without exponent.
fn significant_digits(text: &str) -> usize {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let trimmed = digits.trim_start_matches('0');
    // Trailing zeros of a whole number (1e20 printed in full) carry no
    // precision; those after a point were printed because they are needed.
    let trimmed = if text.contains('.') {
        trimmed
    } else {
        trimmed.trim_end_matches('0')
    };
    trimmed.len()
}

/// Reads an RFC 3339 time, from a string or a TOML date-time.
pub(super) fn time(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<Time> {
    let text = match node {
        Node::Str(text) | Node::Time(text) => text,
        _ => {
            ctx.expected(path, "an RFC 3339 time like 2025-01-01T00:00:00Z", node);
            return None;
        }
    };
    let parsed = Time::parse_rfc3339(text);
    if parsed.is_none() {
        let got = describe(node, ctx.format);
        let message = format!("expected an RFC 3339 time like 2025-01-01T00:00:00Z, got {got}");
        ctx.problem(path, message + &time_hint(text));
    }
    parsed
}

/// How to fix a time that is nearly right: a date alone, or a date and time
/// without a UTC offset (TOML's local forms), which the ledger will not guess.
fn time_hint(text: &str) -> String {
    for (suffix, what) in [
        ("Z", "a UTC offset"),
        ("T00:00:00Z", "a time and a UTC offset"),
    ] {
        let fixed = format!("{text}{suffix}");
        if Time::parse_rfc3339(&fixed).is_some() {
            return format!("; add {what}: {fixed}");
        }
    }
    String::new()
}

/// Reads a duration: `30m`, `1h`, `1d`, `1w`, `1M`.
pub(super) fn period(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<Period> {
    let parsed = match node {
        Node::Str(text) => Period::parse(text),
        _ => None,
    };
    if parsed.is_none() {
        let got = describe(node, ctx.format);
        let hint = match node {
            Node::Str(text) => period_hint(text),
            _ => String::new(),
        };
        let message = format!(
            "expected a duration like 30m, 1h, 1d, 1w or 1M (m minutes, h hours, d days, \
             w weeks, M calendar months), got {got}{hint}"
        );
        ctx.problem(path, message);
    }
    parsed
}

/// How to fix a duration that is nearly right: units are case-sensitive
/// (`m` minutes, `M` months) and there is no year.
fn period_hint(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if lower != text && Period::parse(&lower).is_some() {
        return format!("; did you mean \"{lower}\"?");
    }
    if let Some(years) = text.strip_suffix('y').and_then(|n| n.parse::<u32>().ok())
        && let Some(months) = years.checked_mul(12).filter(|m| *m > 0)
    {
        return format!("; a year is 12 months: write \"{months}M\"");
    }
    String::new()
}

/// Reads a currency code that `Currency::new` accepts.
pub(super) fn currency(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<Currency> {
    let Node::Str(code) = node else {
        ctx.expected(path, "a currency code like \"USD\"", node);
        return None;
    };
    let parsed = Currency::new(code);
    if parsed.is_none() {
        let mut message = format!(
            "{} is not a currency code; use 1 to 12 of A-Z, 0-9 and _, like \"USD\" or \"CREDITS\"",
            quote(code)
        );
        let upper = code.to_ascii_uppercase();
        if Currency::new(&upper).is_some() {
            message = format!("{}; did you mean \"{upper}\"?", message);
        }
        ctx.problem(path, message);
    }
    parsed
}

/// Reads a drawdown priority, 0-255.
pub(super) fn priority(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<u8> {
    let parsed = whole_number(node).and_then(|n| u8::try_from(n).ok());
    if parsed.is_none() {
        ctx.expected(
            path,
            "a priority from 0 to 255 (lower is drawn first)",
            node,
        );
    }
    parsed
}

/// Reads a positive whole number that fits in a `u32`.
pub(super) fn count(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<u32> {
    let parsed = whole_number(node)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0);
    if parsed.is_none() {
        ctx.expected(path, "a whole number of at least 1", node);
    }
    parsed
}

/// A whole number, written as an integer or as a float with no fraction:
/// JSON writers often print `5` as `5.0`, and the message "expected a whole
/// number, got 5" would puzzle.
fn whole_number(node: &Node) -> Option<i128> {
    const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    match node {
        Node::Int(i) => Some(*i),
        // Within 2^53 every whole f64 is exact, so the cast loses nothing.
        Node::Float(f) if f.fract() == 0.0 && f.abs() <= EXACT_LIMIT => Some(*f as i128),
        _ => None,
    }
}

/// Reads the `version` of the format; only 1 exists.
pub(super) fn version(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<()> {
    if whole_number(node) == Some(1) {
        return Some(());
    }
    let got = describe(node, ctx.format);
    ctx.problem(
        path,
        format!("this creditsim reads version 1 of the replay format, got {got}"),
    );
    None
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::replay::Format;
    use crate::replay::path::ROOT;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn strings_read_exactly_and_strictly() {
        assert_eq!(decimal_from_text("12.50"), Ok(dec("12.50")));
        assert_eq!(decimal_from_text("0"), Ok(Decimal::ZERO));
        assert_eq!(
            decimal_from_text("0.1234567890123456789012345678"),
            Ok(dec("0.1234567890123456789012345678"))
        );
        for bad in [
            "", "abc", "1e3", ".5", "5.", "+5", "1_000", "1,000", " 5", "0x10", "--5",
        ] {
            assert_eq!(
                decimal_from_text(bad),
                Err(BadDecimal::NotADecimal),
                "{bad:?}"
            );
        }
        assert_eq!(decimal_from_text("-5"), Err(BadDecimal::Negative));
        assert_eq!(decimal_from_text("-0"), Err(BadDecimal::Negative));
        assert_eq!(
            decimal_from_text("0.12345678901234567890123456789"),
            Err(BadDecimal::TooManyDigits)
        );
        assert_eq!(
            decimal_from_text(&"9".repeat(30)),
            Err(BadDecimal::TooManyDigits)
        );
    }

    #[test]
    fn floats_read_through_their_shortest_form() {
        assert_eq!(decimal_from_float(0.1), Ok(dec("0.1")));
        assert_eq!(
            decimal_from_float(0.1 + 0.2),
            Err(BadDecimal::InexactNumber("0.30000000000000004".into()))
        );
        assert_eq!(decimal_from_float(12.5), Ok(dec("12.5")));
        assert_eq!(decimal_from_float(1e20), Ok(dec("100000000000000000000")));
        assert_eq!(decimal_from_float(1e-7), Ok(dec("0.0000001")));
        assert_eq!(decimal_from_float(-0.0), Ok(Decimal::ZERO));
        assert_eq!(decimal_from_float(-1.5), Err(BadDecimal::Negative));
        assert_eq!(decimal_from_float(f64::NAN), Err(BadDecimal::NotADecimal));
        assert_eq!(
            decimal_from_float(f64::INFINITY),
            Err(BadDecimal::NotADecimal)
        );
        assert_eq!(decimal_from_float(1e300), Err(BadDecimal::TooManyDigits));
        assert_eq!(
            decimal_from_float(123456789012345.6),
            Err(BadDecimal::InexactNumber("123456789012345.6".into()))
        );
        assert_eq!(
            decimal_from_float(12345678901234.5),
            Ok(dec("12345678901234.5"))
        );
    }

    #[test]
    fn integers_read_exactly() {
        assert_eq!(
            decimal_from_int(i128::from(u64::MAX)),
            Ok(Decimal::from(u64::MAX))
        );
        assert_eq!(decimal_from_int(-1), Err(BadDecimal::Negative));
    }

    #[test]
    fn amount_problems_read_well() {
        let mut ctx = Ctx::new(Format::Json);
        assert_eq!(
            amount(&mut ctx, &Node::Str("abc".into()), &ROOT.key("a")),
            None
        );
        assert_eq!(amount(&mut ctx, &Node::Int(-5), &ROOT.key("b")), None);
        assert_eq!(amount(&mut ctx, &Node::Bool(true), &ROOT.key("c")), None);
        assert_eq!(
            amount(&mut ctx, &Node::Float(0.1), &ROOT.key("d")),
            Some(Amount::new(dec("0.1")).unwrap())
        );
        let lines: Vec<String> = ctx
            .problems
            .into_vec()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "a: expected a decimal, got \"abc\"",
                "b: amounts are never negative, got -5",
                "c: expected a decimal, got true",
            ]
        );
    }

    #[test]
    fn times_hint_at_a_missing_offset() {
        let mut ctx = Ctx::new(Format::Toml);
        assert!(
            time(
                &mut ctx,
                &Node::Time("2025-01-01T00:00:00Z".into()),
                &ROOT.key("a")
            )
            .is_some()
        );
        assert!(
            time(
                &mut ctx,
                &Node::Time("2025-01-01T00:00:00".into()),
                &ROOT.key("b")
            )
            .is_none()
        );
        assert!(time(&mut ctx, &Node::Str("2025-01-01".into()), &ROOT.key("c")).is_none());
        assert!(time(&mut ctx, &Node::Str("yesterday".into()), &ROOT.key("d")).is_none());
        let lines: Vec<String> = ctx
            .problems
            .into_vec()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "b: expected an RFC 3339 time like 2025-01-01T00:00:00Z, got the date-time \
                 2025-01-01T00:00:00; add a UTC offset: 2025-01-01T00:00:00Z",
                "c: expected an RFC 3339 time like 2025-01-01T00:00:00Z, got \"2025-01-01\"; \
                 add a time and a UTC offset: 2025-01-01T00:00:00Z",
                "d: expected an RFC 3339 time like 2025-01-01T00:00:00Z, got \"yesterday\"",
            ]
        );
    }

    #[test]
    fn whole_numbers_may_be_written_as_floats() {
        let mut ctx = Ctx::new(Format::Json);
        assert_eq!(
            priority(&mut ctx, &Node::Float(5.0), &ROOT.key("a")),
            Some(5)
        );
        assert_eq!(priority(&mut ctx, &Node::Float(2.5), &ROOT.key("b")), None);
        assert_eq!(count(&mut ctx, &Node::Float(3.0), &ROOT.key("c")), Some(3));
        assert_eq!(
            count(&mut ctx, &Node::Float(f64::INFINITY), &ROOT.key("d")),
            None
        );
        assert_eq!(ctx.problems.into_vec().len(), 2);
    }

    #[test]
    fn currency_codes_suggest_upper_case() {
        let mut ctx = Ctx::new(Format::Json);
        assert!(currency(&mut ctx, &Node::Str("usd".into()), &ROOT.key("c")).is_none());
        let lines: Vec<String> = ctx
            .problems
            .into_vec()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "c: \"usd\" is not a currency code; use 1 to 12 of A-Z, 0-9 and _, like \"USD\" \
              or \"CREDITS\"; did you mean \"USD\"?"
            ]
        );
    }
}
