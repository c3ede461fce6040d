//! FHIR partial dates: `2019`, `2019-05`, `2019-05-17`, and instants with an offset.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a text is not a FHIR `date`, `dateTime` or `instant`.
///
/// Messages name the rule, never the text (which may be patient data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The text does not follow `YYYY[-MM[-DD[Thh:mm:ss[.fff](Z|±hh:mm)]]]`.
    #[error("date is not of the form YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with a time zone")]
    Syntax,
    /// The fields have the right shape but name no calendar day or time (e.g. `2019-02-30`).
    #[error("date names a day or time that does not exist")]
    OutOfRange,
    /// A time of day was given without a time zone, which FHIR forbids.
    #[error("date-time has a time of day but no time zone")]
    MissingZone,
}

/// A FHIR date or date-time at the precision it was recorded.
///
/// Partial dates are first class: a condition with onset `2019` is not the
/// same fact as one with onset `2019-01-01`. Ordering helpers treat a partial
/// date as the interval it covers.
///
/// # Example
/// ```
/// use emr_core::model::PartialDate;
/// let year: PartialDate = "2019".parse()?;
/// let day: PartialDate = "2019-05-17".parse()?;
/// assert!(year.may_overlap(&day));
/// assert_eq!(day.to_string(), "2019-05-17");
/// assert!("2019-02-30".parse::<PartialDate>().is_err());
/// # Ok::<(), emr_core::model::DateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartialDate {
    /// A year, e.g. `2019`.
    Year(i32),
    /// A year and month, e.g. `2019-05`.
    YearMonth(i32, u32),
    /// A calendar day without a time zone.
    Date(NaiveDate),
    /// An instant with its recorded UTC offset.
    DateTime(DateTime<FixedOffset>),
}

/// Local dates carry no zone: widen them by the largest real offsets so that
/// comparisons are never wrong, only sometimes inconclusive.
const ZONE_SLACK_SECONDS: i64 = 14 * 3600;

impl PartialDate {
    /// The earliest instant this date can denote, as seconds since the Unix epoch.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::PartialDate;
    /// let d: PartialDate = "1970-01-01T00:00:10Z".parse()?;
    /// assert_eq!(d.earliest(), 10);
    /// # Ok::<(), emr_core::model::DateError>(())
    /// ```
    pub fn earliest(&self) -> i64 {
        match self {
            PartialDate::DateTime(t) => t.timestamp(),
            _ => self.local_start_seconds() - ZONE_SLACK_SECONDS,
        }
    }

    /// The latest instant this date can denote (inclusive), as seconds since the Unix epoch.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::PartialDate;
    /// let y: PartialDate = "2019".parse()?;
    /// assert!(y.latest() > "2019-12-31T12:00:00Z".parse::<PartialDate>()?.earliest());
    /// # Ok::<(), emr_core::model::DateError>(())
    /// ```
    pub fn latest(&self) -> i64 {
        match self {
            PartialDate::DateTime(t) => t.timestamp(),
            _ => self.local_end_seconds() + ZONE_SLACK_SECONDS - 1,
        }
    }

    /// True when `self` certainly ends before `other` begins.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::PartialDate;
    /// let a: PartialDate = "2018".parse()?;
    /// let b: PartialDate = "2019-03".parse()?;
    /// assert!(a.certainly_before(&b));
    /// assert!(!b.certainly_before(&a));
    /// # Ok::<(), emr_core::model::DateError>(())
    /// ```
    pub fn certainly_before(&self, other: &PartialDate) -> bool {
        self.latest() < other.earliest()
    }

    /// True when the intervals of the two dates intersect.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::PartialDate;
    /// let a: PartialDate = "2019".parse()?;
    /// assert!(a.may_overlap(&"2019-07-01T10:00:00+02:00".parse()?));
    /// # Ok::<(), emr_core::model::DateError>(())
    /// ```
    pub fn may_overlap(&self, other: &PartialDate) -> bool {
        !self.certainly_before(other) && !other.certainly_before(self)
    }

    /// The calendar year of this date.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::PartialDate;
    /// assert_eq!("2019-05".parse::<PartialDate>()?.year(), 2019);
    /// # Ok::<(), emr_core::model::DateError>(())
    /// ```
    pub fn year(&self) -> i32 {
        match self {
            PartialDate::Year(y) | PartialDate::YearMonth(y, _) => *y,
            PartialDate::Date(d) => d.year(),
            PartialDate::DateTime(t) => t.year(),
        }
    }

    /// Whether a time of day is present (FHIR `instant` requires one).
    ///
    /// # Example
    /// ```
    /// use emr_core::model::PartialDate;
    /// assert!(!"2019-05-17".parse::<PartialDate>()?.has_time());
    /// # Ok::<(), emr_core::model::DateError>(())
    /// ```
    pub fn has_time(&self) -> bool {
        matches!(self, PartialDate::DateTime(_))
    }

    /// Seconds of the first local instant of the interval, read as UTC.
    fn local_start_seconds(&self) -> i64 {
        let day = match self {
            PartialDate::Year(y) => NaiveDate::from_ymd_opt(*y, 1, 1),
            PartialDate::YearMonth(y, m) => NaiveDate::from_ymd_opt(*y, *m, 1),
            PartialDate::Date(d) => Some(*d),
            PartialDate::DateTime(t) => return t.timestamp(),
        };
        day.map_or(0, day_start)
    }

    /// Seconds of the first local instant after the interval, read as UTC.
    fn local_end_seconds(&self) -> i64 {
        let next = match self {
            PartialDate::Year(y) => NaiveDate::from_ymd_opt(y.saturating_add(1), 1, 1),
            PartialDate::YearMonth(y, 12) => NaiveDate::from_ymd_opt(y.saturating_add(1), 1, 1),
            PartialDate::YearMonth(y, m) => NaiveDate::from_ymd_opt(*y, m + 1, 1),
            PartialDate::Date(d) => d.succ_opt(),
            PartialDate::DateTime(t) => return t.timestamp() + 1,
        };
        next.map_or(i64::MAX / 2, day_start)
    }
}

fn day_start(d: NaiveDate) -> i64 {
    d.and_time(NaiveTime::MIN).and_utc().timestamp()
}

/// Parse `n` ASCII digits at `at`.
fn digits(b: &[u8], at: usize, n: usize) -> Result<u32, DateError> {
    let slice = b.get(at..at + n).ok_or(DateError::Syntax)?;
    slice.iter().try_fold(0u32, |acc, c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + u32::from(c - b'0'))
        } else {
            Err(DateError::Syntax)
        }
    })
}

fn expect(b: &[u8], at: usize, c: u8) -> Result<(), DateError> {
    if b.get(at) == Some(&c) {
        Ok(())
    } else {
        Err(DateError::Syntax)
    }
}

impl std::str::FromStr for PartialDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, DateError> {
        let b = s.as_bytes();
        let year = digits(b, 0, 4)?;
        if year == 0 {
            return Err(DateError::OutOfRange);
        }
        let year = i32::try_from(year).map_err(|_| DateError::OutOfRange)?;
        if b.len() == 4 {
            return Ok(PartialDate::Year(year));
        }
        expect(b, 4, b'-')?;
        let month = digits(b, 5, 2)?;
        if !(1..=12).contains(&month) {
            return Err(DateError::OutOfRange);
        }
        if b.len() == 7 {
            return Ok(PartialDate::YearMonth(year, month));
        }
        expect(b, 7, b'-')?;
        let day = digits(b, 8, 2)?;
        let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::OutOfRange)?;
        if b.len() == 10 {
            return Ok(PartialDate::Date(date));
        }
        expect(b, 10, b'T')?;
        let (h, m) = (digits(b, 11, 2)?, digits(b, 14, 2)?);
        expect(b, 13, b':')?;
        expect(b, 16, b':')?;
        let sec = digits(b, 17, 2)?;
        let mut at = 19;
        let mut nanos = 0u32;
        if b.get(at) == Some(&b'.') {
            at += 1;
            let start = at;
            let mut scale = 100_000_000u32;
            while let Some(c) = b.get(at).filter(|c| c.is_ascii_digit()) {
                nanos += u32::from(c - b'0') * scale;
                scale /= 10;
                at += 1;
            }
            if at == start {
                return Err(DateError::Syntax);
            }
        }
        let offset_seconds = match b.get(at) {
            None => return Err(DateError::MissingZone),
            Some(b'Z') if b.len() == at + 1 => 0,
            Some(sign @ (b'+' | b'-')) if b.len() == at + 6 => {
                let (oh, om) = (digits(b, at + 1, 2)?, digits(b, at + 4, 2)?);
                expect(b, at + 3, b':')?;
                if oh > 14 || om > 59 || (oh == 14 && om > 0) {
                    return Err(DateError::OutOfRange);
                }
                let secs = i32::try_from(oh * 3600 + om * 60).map_err(|_| DateError::OutOfRange)?;
                if *sign == b'-' {
                    -secs
                } else {
                    secs
                }
            }
            Some(_) => return Err(DateError::Syntax),
        };
        // A leap second (`:60`) is kept as chrono's leap representation.
        let (sec, nanos) = if sec == 60 { (59, nanos + 1_000_000_000) } else { (sec, nanos) };
        let time = NaiveTime::from_hms_nano_opt(h, m, sec, nanos).ok_or(DateError::OutOfRange)?;
        let offset = FixedOffset::east_opt(offset_seconds).ok_or(DateError::OutOfRange)?;
        let t = offset.from_local_datetime(&date.and_time(time)).single().ok_or(DateError::OutOfRange)?;
        Ok(PartialDate::DateTime(t))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartialDate::Year(y) => write!(f, "{y:04}"),
            PartialDate::YearMonth(y, m) => write!(f, "{y:04}-{m:02}"),
            PartialDate::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            PartialDate::DateTime(t) => {
                let s = t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
                f.write_str(&s)
            }
        }
    }
}

impl From<DateTime<Utc>> for PartialDate {
    fn from(t: DateTime<Utc>) -> Self {
        PartialDate::DateTime(t.fixed_offset())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for PartialDate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PartialDate".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A FHIR date or dateTime: YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss[.fff] with Z or ±hh:mm",
            "type": "string",
            "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?)?)?$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<PartialDate, DateError> {
        s.parse()
    }

    #[test]
    fn precisions_round_trip() {
        for s in ["2019", "2019-05", "2019-05-17", "2019-05-17T10:20:30Z", "2019-05-17T10:20:30.250+02:00"] {
            assert_eq!(p(s).map(|d| d.to_string()).as_deref(), Ok(s));
        }
    }

    #[test]
    fn rejects_bad_shapes() {
        assert_eq!(p("2019-02-30"), Err(DateError::OutOfRange));
        assert_eq!(p("2019-13"), Err(DateError::OutOfRange));
        assert_eq!(p("0000"), Err(DateError::OutOfRange));
        assert_eq!(p("2019-05-17T10:20:30"), Err(DateError::MissingZone));
        assert_eq!(p("2019-05-17T10:20:30+15:00"), Err(DateError::OutOfRange));
        for bad in [
            "",
            "19",
            "2019-5",
            "2019/05/17",
            "2019-05-17 10:20:30Z",
            "2019-05-17T10:20:30.Z",
            "2019é",
            "2019-05-17T10:20Z",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn leap_second_is_accepted() {
        assert!(p("2016-12-31T23:59:60Z").is_ok());
    }

    #[test]
    fn intervals() {
        let y = p("2019").unwrap_or(PartialDate::Year(1));
        let d = p("2019-12-31").unwrap_or(PartialDate::Year(1));
        assert!(y.may_overlap(&d));
        assert!(y.earliest() < d.earliest());
        assert_eq!(y.latest(), d.latest());
    }
}
