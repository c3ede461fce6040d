//! HL7 v3 timestamps (`TS`: `YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]`) as FHIR dates.

/// A v3 timestamp read as FHIR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Time {
    /// A FHIR `date` or `dateTime` (with a zone whenever it has a time of day).
    Value(String),
    /// A time of day without an offset: FHIR needs one, so only the date is kept.
    DateOnly(String),
}

impl Time {
    /// The FHIR text, whichever precision was kept.
    pub(crate) fn text(&self) -> &str {
        match self {
            Time::Value(s) | Time::DateOnly(s) => s,
        }
    }
}

/// Read a v3 timestamp; `None` when it does not follow the TS syntax or names no real date.
pub(crate) fn parse_ts(ts: &str) -> Option<Time> {
    let ts = ts.trim();
    // Split off the offset: the first '+' or '-' after the year.
    let (main, zone) = match ts.get(4..).and_then(|rest| rest.find(['+', '-'])) {
        Some(i) => (ts.get(..4 + i)?, Some(ts.get(4 + i..)?)),
        None => (ts, None),
    };
    let (digits, fraction) = match main.split_once('.') {
        Some((d, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (d, Some(f)),
        Some(_) => return None,
        None => (main, None),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 4 | 6 | 8 | 10 | 12 | 14) {
        return None;
    }
    if fraction.is_some() && digits.len() != 14 {
        return None;
    }
    let num = |a: usize, b: usize| digits.get(a..b).and_then(|s| s.parse::<u32>().ok());
    let (year, month, day) = (num(0, 4)?, num(4, 6), num(6, 8));
    if let Some(m) = month {
        if !(1..=12).contains(&m) {
            return None;
        }
    }
    if let (Some(m), Some(d)) = (month, day) {
        if d == 0 || d > days_in_month(year, m) {
            return None;
        }
    }
    // Every part is written as its digits were (all ASCII digits, checked above), so the text
    // is copied rather than formatted.
    let part = |a: usize, b: usize| digits.get(a..b).unwrap_or("00");
    let mut out = String::with_capacity(40);
    out.push_str(part(0, 4));
    for (from, present) in [(4, month.is_some()), (6, day.is_some())] {
        if present {
            out.push('-');
            out.push_str(part(from, from + 2));
        }
    }
    let zone = match zone.map(offset) {
        Some(None) => return None,
        Some(Some(z)) => Some(z),
        None => None,
    };
    if digits.len() <= 8 {
        // A zone on a date alone carries nothing FHIR can hold.
        return Some(Time::Value(out));
    }
    let (hour, minute, second) = (num(8, 10)?, num(10, 12).unwrap_or(0), num(12, 14).unwrap_or(0));
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let Some([sign, hh, mm]) = zone else { return Some(Time::DateOnly(out)) };
    for (sep, from) in [('T', 8), (':', 10), (':', 12)] {
        out.push(sep);
        out.push_str(part(from, from + 2));
    }
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    out.push_str(sign);
    if !hh.is_empty() {
        out.push_str(hh);
        out.push(':');
        out.push_str(mm);
    }
    Some(Time::Value(out))
}

/// `+HHMM` / `-HHMM` (or `+HH`) as the parts of `+HH:MM` (sign, hours, minutes as written,
/// `00` minutes for `+HH`), or `["Z", "", ""]` for UTC.
fn offset(zone: &str) -> Option<[&str; 3]> {
    let (sign, rest) = zone.split_at_checked(1)?;
    if !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hh, mm) = match rest.len() {
        2 => (rest, "00"),
        4 => (rest.get(..2)?, rest.get(2..)?),
        _ => return None,
    };
    let (h, m) = (hh.parse::<u32>().ok()?, mm.parse::<u32>().ok()?);
    if h > 14 || m > 59 {
        return None;
    }
    if h == 0 && m == 0 && sign == "+" {
        return Some(["Z", "", ""]);
    }
    Some([sign, hh, mm])
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(ts: &str) -> Option<String> {
        match parse_ts(ts)? {
            Time::Value(s) => Some(s),
            Time::DateOnly(s) => Some(format!("date-only {s}")),
        }
    }

    #[test]
    fn every_precision() {
        assert_eq!(v("2013").as_deref(), Some("2013"));
        assert_eq!(v("201308").as_deref(), Some("2013-08"));
        assert_eq!(v("20130815").as_deref(), Some("2013-08-15"));
        assert_eq!(v("20130815-0500").as_deref(), Some("2013-08-15"));
        assert_eq!(v("2013081510-0500").as_deref(), Some("2013-08-15T10:00:00-05:00"));
        assert_eq!(v("201308151030+0130").as_deref(), Some("2013-08-15T10:30:00+01:30"));
        assert_eq!(v("20130815103045.123+0000").as_deref(), Some("2013-08-15T10:30:45.123Z"));
        assert_eq!(v("20130815103045").as_deref(), Some("date-only 2013-08-15"));
    }

    #[test]
    fn bad_timestamps_are_none() {
        for ts in ["", "13", "20131", "20131301", "20130230", "2013081525+0000", "2013-08-15", "20130815+05000", "x"] {
            assert_eq!(parse_ts(ts), None, "{ts}");
        }
    }
}
