//! Leaf values of a scenario file that are not plain numbers or strings:
//! exact decimals, calendar dates and periods. Each reads the forms a person
//! writes in TOML, writes one canonical form, and describes itself in the
//! JSON Schema with a `format` the shape check knows.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use ledger::Amount;
use ledger::{Period, Time};
use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, MapAccess, Visitor, value::MapAccessDeserializer};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Schema `format` of an [`Exact`].
pub(crate) const FORMAT_DECIMAL: &str = "decimal";
/// Schema `format` of a [`Date`].
pub(crate) const FORMAT_DATE: &str = "date";
/// Schema `format` of a [`PeriodSpec`].
pub(crate) const FORMAT_PERIOD: &str = "period";

/// An exact decimal read from a scenario file: money, credits, a price.
///
/// Written as a number (`12.5`) or a string (`"12.50"`). A TOML number is
/// read through its shortest decimal form, so `0.1` is exactly 0.1; a value
/// with more significant digits than a float keeps (about 15) must be a
/// string, and the loader says so. The sign is not restricted here: the
/// scenario checks reject negative values with their location.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Exact(Decimal);

impl Exact {
    pub const ZERO: Exact = Exact(Decimal::ZERO);

    pub fn new(value: Decimal) -> Exact {
        Exact(value)
    }

    pub fn get(self) -> Decimal {
        self.0
    }

    /// The ledger's non-negative amount; `None` for a negative value.
    pub fn to_amount(self) -> Option<Amount> {
        Amount::new(self.0)
    }

    /// Parses decimal (`12.50`) or scientific (`1.2e3`) notation.
    pub fn parse(text: &str) -> Option<Exact> {
        let text = text.trim();
        Decimal::from_str(text)
            .or_else(|_| Decimal::from_scientific(text))
            .ok()
            .map(Exact)
    }

    /// The exact value of a float as TOML reads it: its shortest decimal
    /// form (Rust prints floats that way, never in exponent form).
    pub fn from_f64(value: f64) -> Option<Exact> {
        if !value.is_finite() {
            return None;
        }
        Decimal::from_str(&value.to_string()).ok().map(Exact)
    }
}

impl fmt::Display for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Exact {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Exact, D::Error> {
        struct ExactVisitor;
        impl Visitor<'_> for ExactVisitor {
            type Value = Exact;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number or a string holding one")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Exact, E> {
                Ok(Exact(Decimal::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Exact, E> {
                Ok(Exact(Decimal::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Exact, E> {
                Exact::from_f64(v).ok_or_else(|| E::custom(format!("{v} is not a usable decimal")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Exact, E> {
                Exact::parse(v).ok_or_else(|| E::custom(format!("`{v}` is not a decimal number")))
            }
        }
        deserializer.deserialize_any(ExactVisitor)
    }
}

impl JsonSchema for Exact {
    fn schema_name() -> Cow<'static, str> {
        "Decimal".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An exact decimal: a number, or a string for more than 15 significant digits (\"1234567890.123456789\").",
            "type": ["number", "string"],
            "format": FORMAT_DECIMAL,
            "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
        })
    }
}

/// A calendar day. Scenario dates are UTC: a date stands for its midnight
/// UTC, and a change dated on a day applies from the start of that day.
///
/// Written as a TOML date (`2026-01-01`) or a string (`"2026-01-01"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

impl Date {
    pub fn new(date: NaiveDate) -> Date {
        Date(date)
    }

    pub fn get(self) -> NaiveDate {
        self.0
    }

    /// Midnight UTC at the start of this day.
    pub fn to_time(self) -> Time {
        let midnight = self.0.and_hms_opt(0, 0, 0).expect("midnight exists");
        Time::from_millis(midnight.and_utc().timestamp_millis())
    }

    /// Whole days from `earlier` to `self` (negative when `self` is before).
    pub fn days_since(self, earlier: Date) -> i64 {
        (self.0 - earlier.0).num_days()
    }

    /// `days` days after this date; `None` past chrono's range.
    pub fn plus_days(self, days: u64) -> Option<Date> {
        self.0.checked_add_days(chrono::Days::new(days)).map(Date)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let datetime = toml::value::Datetime::from_str(text).ok()?;
        Date::from_toml(&datetime)
    }

    /// A TOML local date; `None` for a value with a time or an offset.
    pub fn from_toml(datetime: &toml::value::Datetime) -> Option<Date> {
        match datetime {
            toml::value::Datetime {
                date: Some(date),
                time: None,
                offset: None,
            } => NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            )
            .map(Date),
            _ => None,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

const DATE_EXPECTED: &str = "a date like 2026-01-01";

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        struct DateVisitor;
        impl<'de> Visitor<'de> for DateVisitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(DATE_EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v).ok_or_else(|| E::custom(format!("expected {DATE_EXPECTED}")))
            }
            // The toml crate hands native dates over as a one-entry map.
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Date, A::Error> {
                let datetime = toml::value::Datetime::deserialize(MapAccessDeserializer::new(map))?;
                Date::from_toml(&datetime)
                    .ok_or_else(|| de::Error::custom(format!("expected {DATE_EXPECTED}")))
            }
        }
        deserializer.deserialize_any(DateVisitor)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A calendar day (UTC), YYYY-MM-DD: a TOML date or a string.",
            "type": "string",
            "format": FORMAT_DATE,
        })
    }
}

/// A calendar period as the ledger's replay files write it: a positive whole
/// number and a unit, `30m`, `1h`, `1d`, `1w` or `1M` (calendar month, UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PeriodSpec(Period);

impl PeriodSpec {
    pub fn new(period: Period) -> PeriodSpec {
        PeriodSpec(period)
    }

    pub fn get(self) -> Period {
        self.0
    }
}

impl fmt::Display for PeriodSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for PeriodSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

/// Hint for a string that is not a period.
pub(crate) const PERIOD_EXPECTED: &str =
    "a number and a unit: \"30m\", \"1h\", \"7d\", \"2w\", or \"1M\" for calendar months";

impl<'de> Deserialize<'de> for PeriodSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PeriodSpec, D::Error> {
        let text = String::deserialize(deserializer)?;
        Period::parse(&text)
            .map(PeriodSpec)
            .ok_or_else(|| de::Error::custom(format!("expected {PERIOD_EXPECTED}")))
    }
}

impl JsonSchema for PeriodSpec {
    fn schema_name() -> Cow<'static, str> {
        "Period".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A period: a positive whole number and a unit, m (minutes), h, d, w or M (calendar months, UTC).",
            "type": "string",
            "format": FORMAT_PERIOD,
            "pattern": "^[1-9][0-9]*[mhdwM]$",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Serialize, Debug, PartialEq)]
    struct Holder {
        price: Exact,
        when: Date,
        every: PeriodSpec,
    }

    #[test]
    fn reads_numbers_strings_and_native_dates() {
        let text = "price = 0.1\nwhen = 2026-03-01\nevery = \"1M\"\n";
        let holder: Holder = toml::from_str(text).unwrap();
        assert_eq!(holder.price.get(), Decimal::new(1, 1));
        assert_eq!(holder.when.to_string(), "2026-03-01");
        assert_eq!(holder.every.get(), Period::Months(1));
        let again: Holder = toml::from_str(&toml::to_string(&holder).unwrap()).unwrap();
        assert_eq!(again, holder);

        let text = "price = \"12345678901234.123456\"\nwhen = \"2026-03-01\"\nevery = \"7d\"\n";
        let holder: Holder = toml::from_str(text).unwrap();
        assert_eq!(holder.price.to_string(), "12345678901234.123456");
        assert_eq!(holder.when.to_time().to_rfc3339(), "2026-03-01T00:00:00Z");
    }

    #[test]
    fn rejects_times_and_bad_periods() {
        assert!(
            toml::from_str::<Holder>("price = 1\nwhen = 2026-03-01T10:00:00Z\nevery = \"1M\"\n")
                .is_err()
        );
        assert!(
            toml::from_str::<Holder>("price = 1\nwhen = 2026-03-01\nevery = \"1y\"\n").is_err()
        );
        assert!(
            toml::from_str::<Holder>("price = \"ten\"\nwhen = 2026-03-01\nevery = \"1d\"\n")
                .is_err()
        );
    }

    #[test]
    fn exact_parses_scientific_notation() {
        assert_eq!(Exact::parse("1.5e3").unwrap().to_string(), "1500");
        assert_eq!(Exact::from_f64(0.3).unwrap().to_string(), "0.3");
        assert_eq!(Exact::from_f64(f64::NAN), None);
    }
}
