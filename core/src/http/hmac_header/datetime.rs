//! The ISO-8601 date-times the legacy request schemes sign, read and written at microsecond precision (crate
//! private; FOST uses it too).
//!
//! Two readers: [`parse_isoformat`], Python's `datetime.fromisoformat` (CPython 3.11+) for the HMAC header scheme
//! (grammar in [`super`]'s module documentation), and [`parse`], the strict grammar FOST accepts:
//!
//! ```text
//! YYYY-MM-DD ('T' | ' ') HH:MM:SS ['.' 1*6DIGIT] [ 'Z' | ('+' | '-') HH:MM ]
//! ```
//!
//! Years 0001..=9999, real calendar dates, hours 00..=23, minutes and seconds 00..=59 (no leap second), offsets
//! below 24 h. The instant is returned as microseconds since the Unix epoch, with the offset applied.

use crate::clock::UnixTime;

/// A parsed date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateTime {
    /// Microseconds since the Unix epoch (UTC); a text without a zone is read as UTC.
    pub micros: i64,
    /// The character between date and time (`b'T'` or `b' '`).
    pub separator: u8,
    /// Whether the text carried `Z` or an offset.
    pub has_zone: bool,
    /// The offset from UTC, in seconds (0 without a zone).
    pub offset_secs: i64,
}

const MICROS_PER_SEC: i64 = 1_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A cursor over ASCII bytes.
struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.pos += 1)
    }

    /// Exactly `n` ASCII digits as a number.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let end = self.pos.checked_add(n)?;
        let chunk = self.s.get(self.pos..end)?;
        let mut v = 0i64;
        for &b in chunk {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(b - b'0');
        }
        self.pos = end;
        Some(v)
    }

    fn ranged(&mut self, n: usize, lo: i64, hi: i64) -> Option<i64> {
        self.digits(n).filter(|v| (lo..=hi).contains(v))
    }
}

/// Parses `s` (see the module documentation). `None` for anything else.
pub(crate) fn parse(s: &str) -> Option<DateTime> {
    let mut c = Cursor {
        s: s.as_bytes(),
        pos: 0,
    };
    let year = c.ranged(4, 1, 9999)?;
    c.eat(b'-')?;
    let month = c.ranged(2, 1, 12)?;
    c.eat(b'-')?;
    let day = c.ranged(2, 1, days_in_month(year, month))?;
    let separator = c.peek().filter(|b| matches!(b, b'T' | b' '))?;
    c.pos += 1;
    let hour = c.ranged(2, 0, 23)?;
    c.eat(b':')?;
    let minute = c.ranged(2, 0, 59)?;
    c.eat(b':')?;
    let second = c.ranged(2, 0, 59)?;
    let mut micros = 0;
    if c.eat(b'.').is_some() {
        let start = c.pos;
        while c.peek().is_some_and(|b| b.is_ascii_digit()) && c.pos - start < 7 {
            c.pos += 1;
        }
        let n = c.pos - start;
        if !(1..=6).contains(&n) {
            return None;
        }
        c.pos = start;
        micros = c.digits(n)? * 10i64.pow(6 - n as u32);
    }
    let offset_secs = match c.peek() {
        None => None,
        Some(b'Z') => {
            c.pos += 1;
            Some(0)
        }
        Some(sign @ (b'+' | b'-')) => {
            c.pos += 1;
            let h = c.ranged(2, 0, 23)?;
            c.eat(b':')?;
            let m = c.ranged(2, 0, 59)?;
            let secs = h * 3600 + m * 60;
            Some(if sign == b'-' { -secs } else { secs })
        }
        Some(_) => return None,
    };
    if c.pos != c.s.len() {
        return None;
    }
    let secs =
        days_from_civil(year, month, day) * SECS_PER_DAY + hour * 3600 + minute * 60 + second
            - offset_secs.unwrap_or(0);
    Some(DateTime {
        micros: secs * MICROS_PER_SEC + micros,
        separator,
        has_zone: offset_secs.is_some(),
        offset_secs: offset_secs.unwrap_or(0),
    })
}

/// A date-time read by [`parse_isoformat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IsoDateTime {
    /// Microseconds since the Unix epoch (UTC) of the date and time as written, minus the offset if any.
    pub micros: i64,
    /// The UTC offset in microseconds; `None` for a naive date-time (no `Z` and no offset).
    pub offset_micros: Option<i64>,
}

/// The byte at `i`, or NUL past the end (CPython reads its NUL-terminated UTF-8 buffer).
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// `n` ASCII digits at `*p` (CPython's `parse_digits`; `*p` is advanced past them).
fn iso_digits(b: &[u8], p: &mut usize, n: usize) -> Option<i64> {
    let mut v = 0i64;
    for _ in 0..n {
        let c = at(b, *p);
        *p += 1;
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Where the date ends (CPython's `_find_isoformat_datetime_separator`), over the UTF-8 bytes.
fn iso_separator(b: &[u8]) -> Option<usize> {
    let len = b.len();
    if len == 7 {
        return Some(7);
    }
    if at(b, 4) == b'-' {
        if at(b, 5) != b'W' {
            return Some(10);
        }
        if len > 8 && at(b, 8) == b'-' {
            if len == 9 {
                return None;
            }
            if len > 10 && at(b, 10).is_ascii_digit() {
                return Some(8);
            }
            return Some(10);
        }
        return Some(8);
    }
    if at(b, 4) == b'W' {
        let mut idx = 7;
        while idx < len && at(b, idx).is_ascii_digit() {
            idx += 1;
        }
        if idx < 9 {
            return Some(idx);
        }
        return Some(if idx % 2 == 0 { 7 } else { 8 });
    }
    Some(8)
}

/// Days since 1970-01-01 of ISO year `year`, week `week`, weekday `day` (CPython's `iso_to_ymd`); `None` for a
/// week or weekday out of range, or a year before 1 (CPython then fails on the month it computes).
fn iso_week_days(year: i64, week: i64, day: i64) -> Option<i64> {
    if year < 1 {
        return None;
    }
    let jan1 = days_from_civil(year, 1, 1);
    // 0 for Monday … 6 for Sunday (1970-01-01 was a Thursday).
    let first_weekday = (jan1 + 3).rem_euclid(7);
    let leap = days_in_month(year, 2) == 29;
    if !(1..53).contains(&week)
        && !(week == 53 && (first_weekday == 3 || (first_weekday == 2 && leap)))
    {
        return None;
    }
    if !(1..8).contains(&day) {
        return None;
    }
    let week1_monday = jan1 - first_weekday + if first_weekday > 3 { 7 } else { 0 };
    Some(week1_monday + (week - 1) * 7 + day - 1)
}

/// The date part `b[..len]` as days since the epoch (CPython's `parse_isoformat_date`, then the range checks of
/// the `datetime` constructor).
fn iso_date(b: &[u8], len: usize) -> Option<i64> {
    let mut p = 0;
    let year = iso_digits(b, &mut p, 4)?;
    let uses_separator = at(b, p) == b'-';
    if uses_separator {
        p += 1;
    }
    let days = if at(b, p) == b'W' {
        p += 1;
        let week = iso_digits(b, &mut p, 2)?;
        let day = if p < len {
            if uses_separator {
                if at(b, p) != b'-' {
                    return None;
                }
                p += 1;
            }
            iso_digits(b, &mut p, 1)?
        } else {
            1
        };
        iso_week_days(year, week, day)?
    } else {
        let month = iso_digits(b, &mut p, 2)?;
        if uses_separator {
            if at(b, p) != b'-' {
                return None;
            }
            p += 1;
        }
        let day = iso_digits(b, &mut p, 2)?;
        if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
            return None;
        }
        days_from_civil(year, month, day)
    };
    let (y, _, _) = civil_from_days(days);
    (1..=9999).contains(&y).then_some(days)
}

/// `HH[:?MM[:?SS]][{.,}ffffff…]` from `p` to `end` (CPython's `parse_hh_mm_ss_ff`): the four fields and whether
/// anything but the end of the whole text follows them.
fn iso_hh_mm_ss_ff(b: &[u8], mut p: usize, end: usize) -> Option<([i64; 4], bool)> {
    let mut v = [0i64; 4];
    let mut has_separator = true;
    for i in 0..3 {
        v[i] = iso_digits(b, &mut p, 2)?;
        let c = at(b, p);
        p += 1;
        if i == 0 {
            has_separator = c == b':';
        }
        if p >= end {
            return Some((v, c != 0));
        } else if has_separator && c == b':' {
            continue;
        } else if c == b'.' || c == b',' {
            break;
        } else if !has_separator {
            p -= 1;
        } else {
            return None;
        }
    }
    let to_parse = (end - p).min(6);
    v[3] = iso_digits(b, &mut p, to_parse)? * 10i64.pow(6 - to_parse as u32);
    while at(b, p).is_ascii_digit() {
        p += 1;
    }
    Some((v, at(b, p) != 0))
}

/// Parses `s` exactly as CPython 3.11, 3.12 and 3.13 `datetime.fromisoformat` do (the C implementation,
/// `_datetimemodule.c`), quirks included; `None` wherever they raise `ValueError`. See the [grammar in
/// `hmac_header`](super#timestamps).
pub(crate) fn parse_isoformat(s: &str) -> Option<IsoDateTime> {
    if s.chars().count() < 7 {
        return None;
    }
    let b = s.as_bytes();
    let len = b.len();
    let separator = iso_separator(b)?;
    let days = iso_date(b, separator)?;
    let mut local = days * SECS_PER_DAY * MICROS_PER_SEC;
    if len <= separator {
        return Some(IsoDateTime {
            micros: local,
            offset_micros: None,
        });
    }
    // The separator is any one character: skip it by its UTF-8 lead byte, as CPython does.
    let lead = at(b, separator);
    let start = separator
        + if lead & 0x80 == 0 {
            1
        } else {
            match lead & 0xf0 {
                0xe0 => 3,
                0xf0 => 4,
                _ => 2,
            }
        };
    let mut tz = start;
    loop {
        if matches!(at(b, tz), b'Z' | b'+' | b'-') {
            break;
        }
        tz += 1;
        if tz >= len {
            break;
        }
    }
    let (t, trailing) = iso_hh_mm_ss_ff(b, start, tz)?;
    if t[0] > 23 || t[1] > 59 || t[2] > 59 {
        return None;
    }
    local += ((t[0] * 60 + t[1]) * 60 + t[2]) * MICROS_PER_SEC + t[3];
    let offset = if tz == len {
        if trailing {
            return None;
        }
        None
    } else if at(b, tz) == b'Z' {
        if tz + 1 != len {
            return None;
        }
        Some(0)
    } else {
        let sign = if at(b, tz) == b'-' { -1 } else { 1 };
        let (z, trailing) = iso_hh_mm_ss_ff(b, tz + 1, len)?;
        if trailing {
            return None;
        }
        let secs = z[0] * 3600 + z[1] * 60 + z[2];
        // A zero offset in seconds is UTC whatever its fraction (CPython drops it).
        let offset = if secs == 0 {
            0
        } else {
            sign * (secs * MICROS_PER_SEC + z[3])
        };
        if offset.abs() >= SECS_PER_DAY * MICROS_PER_SEC {
            return None;
        }
        Some(offset)
    };
    Some(IsoDateTime {
        micros: local - offset.unwrap_or(0),
        offset_micros: offset,
    })
}

/// `t` in microseconds, rounded to the nearest microsecond (the precision of Python's `datetime`), saturating.
pub(crate) fn micros_of(t: UnixTime) -> i64 {
    let micros = i128::from(t.secs()) * 1_000_000 + (i128::from(t.subsec_nanos()) + 500) / 1000;
    i64::try_from(micros).unwrap_or(if micros < 0 { i64::MIN } else { i64::MAX })
}

/// Microseconds since the epoch as a [`UnixTime`] (whole seconds only if the platform cannot hold the instant).
pub(crate) fn unix_time(micros: i64) -> UnixTime {
    use std::time::{Duration, UNIX_EPOCH};
    let at = if micros >= 0 {
        UNIX_EPOCH.checked_add(Duration::from_micros(micros.unsigned_abs()))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_micros(micros.unsigned_abs()))
    };
    at.map_or_else(
        || UnixTime::from_secs(micros.div_euclid(MICROS_PER_SEC)),
        UnixTime::from,
    )
}

/// `YYYY-MM-DD<sep>HH:MM:SS[.ffffff]` in UTC, the fraction only when it is not zero (Python's `str(datetime)`
/// with `sep = ' '`, `isoformat()` of a naive datetime with `sep = 'T'`). `None` outside the years 1..=9999.
pub(crate) fn format(micros: i64, sep: char) -> Option<String> {
    let secs = micros.div_euclid(MICROS_PER_SEC);
    let frac = micros.rem_euclid(MICROS_PER_SEC);
    let days = secs.div_euclid(SECS_PER_DAY);
    let tod = secs.rem_euclid(SECS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    if !(1..=9999).contains(&y) {
        return None;
    }
    let mut out = format!(
        "{y:04}-{m:02}-{d:02}{sep}{:02}:{:02}:{:02}",
        tod / 3600,
        tod / 60 % 60,
        tod % 60
    );
    if frac != 0 {
        out.push_str(&format!(".{frac:06}"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_python_reads() {
        // datetime.fromisoformat(s).timestamp() with Python 3.11 (naive read as UTC).
        let cases = [
            (
                "2023-05-07T14:15:37.862560+00:00",
                1_683_468_937_862_560,
                true,
            ),
            ("2023-05-07T14:15:38.5+00:00", 1_683_468_938_500_000, true),
            ("2023-05-07 14:15:37Z", 1_683_468_937_000_000, true),
            ("2023-05-07T14:15:37.5-05:30", 1_683_488_737_500_000, true),
            ("2011-04-27 03:26:37.625618", 1_303_874_797_625_618, false),
            (
                "2024-02-29T23:59:59.999999+00:00",
                1_709_251_199_999_999,
                true,
            ),
            ("1969-12-31T23:59:59Z", -1_000_000, true),
            ("0001-01-01T00:00:00Z", -62_135_596_800_000_000, true),
        ];
        for (s, micros, zone) in cases {
            let dt = parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!((dt.micros, dt.has_zone), (micros, zone), "{s}");
        }
    }

    #[test]
    fn refuses_everything_else() {
        for s in [
            "",
            "2023-05-07",
            "2023-05-07Tgarbage",
            "2023-05-07T14:15",
            "2023-5-07T14:15:37Z",
            "2023-02-29T00:00:00Z",
            "2023-05-07T24:00:00Z",
            "2023-05-07T14:15:60Z",
            "2023-05-07T14:15:37.Z",
            "2023-05-07T14:15:37.1234567Z",
            "2023-05-07T14:15:37+24:00",
            "2023-05-07T14:15:37+0000",
            "2023-05-07T14:15:37z",
            "2023-05-07T14:15:37Z ",
            "0000-01-01T00:00:00Z",
            "2023-05-07t14:15:37Z",
            "２023-05-07T14:15:37Z",
        ] {
            assert_eq!(parse(s), None, "{s:?}");
        }
    }

    #[test]
    fn formats_like_python() {
        assert_eq!(
            format(1_303_874_797_000_000, ' ').unwrap(),
            "2011-04-27 03:26:37"
        );
        assert_eq!(
            format(1_303_874_797_000_005, 'T').unwrap(),
            "2011-04-27T03:26:37.000005"
        );
        assert_eq!(format(i64::MAX, 'T'), None);
        for micros in [0, -1, 1_709_251_199_999_999, 253_402_300_799_999_999] {
            let text = format(micros, 'T').unwrap();
            assert_eq!(parse(&text).unwrap().micros, micros, "{text}");
        }
    }

    #[test]
    fn clock_rounding() {
        assert_eq!(
            micros_of(UnixTime::from_secs_f64(1_683_468_942.862_56)),
            1_683_468_942_862_560
        );
        assert_eq!(micros_of(UnixTime::from_secs(i64::MAX)), i64::MAX);
        assert_eq!(unix_time(-1).secs(), -1);
        assert_eq!(unix_time(-1).subsec_nanos(), 999_999_000);
    }
}
