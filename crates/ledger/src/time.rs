//! Instants and periods. The ledger never reads a clock: every operation is
//! handed its [`Time`], and calendar arithmetic (months, UTC day and week
//! boundaries) is done here on those values.

use std::fmt;

use chrono::{DateTime, Datelike, Months, SecondsFormat, TimeZone, Utc};

const MS_PER_MINUTE: i64 = 60_000;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;
const MS_PER_WEEK: i64 = 7 * MS_PER_DAY;
/// 1970-01-01 was a Thursday; ISO weeks start on Monday, 1970-01-05.
const FIRST_MONDAY_MS: i64 = 4 * MS_PER_DAY;

/// An instant in UTC, in whole milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(i64);

impl Time {
    /// Later than any instant the ledger will be asked about; stands for "never".
    pub const NEVER: Time = Time(i64::MAX);

    pub const fn from_millis(ms: i64) -> Time {
        Time(ms)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Parses RFC 3339 (`2025-01-01T00:00:00Z`, offsets allowed). Sub-millisecond
    /// digits are truncated.
    pub fn parse_rfc3339(text: &str) -> Option<Time> {
        let parsed = DateTime::parse_from_rfc3339(text).ok()?;
        Some(Time(parsed.timestamp_millis()))
    }

    /// The UTC RFC 3339 form, with milliseconds only when they are not zero.
    pub fn to_rfc3339(self) -> String {
        let format = if self.0 % 1000 == 0 {
            SecondsFormat::Secs
        } else {
            SecondsFormat::Millis
        };
        self.to_chrono().to_rfc3339_opts(format, true)
    }

    fn to_chrono(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0)
            .single()
            .expect("ledger times are within chrono's range")
    }

    fn from_chrono(at: DateTime<Utc>) -> Time {
        Time(at.timestamp_millis())
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// A length of time: a fixed number of milliseconds, or whole calendar months
/// (UTC), which differ in length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    Millis(i64),
    Months(u32),
}

impl Period {
    pub const fn minutes(n: i64) -> Period {
        Period::Millis(n * MS_PER_MINUTE)
    }
    pub const fn hours(n: i64) -> Period {
        Period::Millis(n * MS_PER_HOUR)
    }
    pub const fn days(n: i64) -> Period {
        Period::Millis(n * MS_PER_DAY)
    }
    pub const fn weeks(n: i64) -> Period {
        Period::Millis(n * MS_PER_WEEK)
    }

    /// Parses `30m`, `1h`, `1d`, `1w`, `1M` (calendar month): a positive whole
    /// number and one unit letter.
    pub fn parse(text: &str) -> Option<Period> {
        let unit = text.chars().last()?;
        let digits = &text[..text.len() - unit.len_utf8()];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: i64 = digits.parse().ok().filter(|n| *n > 0 && *n <= 100_000)?;
        Some(match unit {
            'm' => Period::minutes(n),
            'h' => Period::hours(n),
            'd' => Period::days(n),
            'w' => Period::weeks(n),
            'M' => Period::Months(u32::try_from(n).ok()?),
            _ => return None,
        })
    }

    /// `anchor` plus `k` periods. Months are added to the anchor as a whole, so
    /// a grant anchored on the 31st refills on the last day of shorter months
    /// and on the 31st again afterwards. Saturates at [`Time::NEVER`].
    pub fn after(self, anchor: Time, k: u32) -> Time {
        match self {
            Period::Millis(ms) => ms
                .checked_mul(i64::from(k))
                .and_then(|d| anchor.0.checked_add(d))
                .map_or(Time::NEVER, Time),
            Period::Months(n) => n
                .checked_mul(k)
                .and_then(|months| anchor.to_chrono().checked_add_months(Months::new(months)))
                .map_or(Time::NEVER, Time::from_chrono),
        }
    }

    /// The start of the UTC calendar window of this length that contains `t`.
    /// Minutes, hours and days align to multiples from midnight UTC of
    /// 1970-01-01, weeks to Monday 00:00 UTC, months to the first of the month
    /// (multi-month windows count months from January 1970).
    pub fn window_start(self, t: Time) -> Time {
        match self {
            Period::Millis(ms) if ms % MS_PER_WEEK == 0 => {
                Time((t.0 - FIRST_MONDAY_MS).div_euclid(ms) * ms + FIRST_MONDAY_MS)
            }
            Period::Millis(ms) => Time(t.0.div_euclid(ms) * ms),
            Period::Months(n) => {
                let date = t.to_chrono();
                let index = i64::from(date.year()) * 12 + i64::from(date.month0());
                let start = index - (index - 1970 * 12).rem_euclid(i64::from(n));
                let year = i32::try_from(start.div_euclid(12)).expect("year in range");
                let month = u32::try_from(start.rem_euclid(12)).expect("month in range") + 1;
                Time::from_chrono(
                    Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0)
                        .single()
                        .expect("the first of a month exists"),
                )
            }
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Months(n) => write!(f, "{n}M"),
            Period::Millis(ms) if ms % MS_PER_WEEK == 0 => write!(f, "{}w", ms / MS_PER_WEEK),
            Period::Millis(ms) if ms % MS_PER_DAY == 0 => write!(f, "{}d", ms / MS_PER_DAY),
            Period::Millis(ms) if ms % MS_PER_HOUR == 0 => write!(f, "{}h", ms / MS_PER_HOUR),
            Period::Millis(ms) if ms % MS_PER_MINUTE == 0 => {
                write!(f, "{}m", ms / MS_PER_MINUTE)
            }
            Period::Millis(ms) => write!(f, "{ms}ms"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Time {
        Time::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn parses_every_unit_and_rejects_the_rest() {
        assert_eq!(Period::parse("30m"), Some(Period::minutes(30)));
        assert_eq!(Period::parse("1h"), Some(Period::hours(1)));
        assert_eq!(Period::parse("1d"), Some(Period::days(1)));
        assert_eq!(Period::parse("2w"), Some(Period::weeks(2)));
        assert_eq!(Period::parse("1M"), Some(Period::Months(1)));
        for bad in ["", "d", "0d", "-1d", "1.5d", "1y", "1 d", "1D"] {
            assert_eq!(Period::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn months_are_added_from_the_anchor() {
        let anchor = t("2025-01-31T00:00:00Z");
        assert_eq!(
            Period::Months(1).after(anchor, 1),
            t("2025-02-28T00:00:00Z")
        );
        assert_eq!(
            Period::Months(1).after(anchor, 2),
            t("2025-03-31T00:00:00Z")
        );
    }

    #[test]
    fn windows_align_to_utc_calendar_boundaries() {
        let at = t("2025-01-15T13:47:00Z"); // a Wednesday
        assert_eq!(Period::days(1).window_start(at), t("2025-01-15T00:00:00Z"));
        assert_eq!(
            Period::minutes(30).window_start(at),
            t("2025-01-15T13:30:00Z")
        );
        assert_eq!(Period::weeks(1).window_start(at), t("2025-01-13T00:00:00Z"));
        assert_eq!(
            Period::Months(1).window_start(at),
            t("2025-01-01T00:00:00Z")
        );
        assert_eq!(
            Period::Months(3).window_start(t("2025-05-02T00:00:00Z")),
            t("2025-04-01T00:00:00Z")
        );
    }

    #[test]
    fn formats_whole_seconds_without_fraction() {
        assert_eq!(
            t("2025-01-01T00:00:00Z").to_rfc3339(),
            "2025-01-01T00:00:00Z"
        );
        assert_eq!(
            t("2025-01-01T01:00:00+01:00").to_rfc3339(),
            "2025-01-01T00:00:00Z"
        );
        assert_eq!(
            Time::from_millis(1500).to_rfc3339(),
            "1970-01-01T00:00:01.500Z"
        );
    }
}
