//! Dates for `jwt decode --human`: Unix seconds as ISO-8601 UTC, and the
//! distance from now as "in 14m" or "3d ago".

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now (negative before it, which only a
/// badly set clock gives).
pub fn now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Years 0000 to 9999 fit the ISO-8601 basic form; anything outside is
/// shown as the bare number.
const MIN_SECS: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
const MAX_SECS: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

/// Year, month and day of a count of days since 1970-01-01, in the
/// proleptic Gregorian calendar (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2024-11-29T10:45:00Z`, or `None` outside the years 0000-9999.
pub fn iso8601(secs: i64) -> Option<String> {
    if !(MIN_SECS..=MAX_SECS).contains(&secs) {
        return None;
    }
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    ))
}

/// The largest whole unit of a length of time: `45s`, `14m`, `5h`, `3d`.
fn span(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

/// `in 14m`, `3d ago` or `now`, for the time `at` seen at `now`.
pub fn relative(at: i64, now: i64) -> String {
    let delta = i128::from(at) - i128::from(now);
    let magnitude = u64::try_from(delta.unsigned_abs()).unwrap_or(u64::MAX);
    match delta {
        0 => "now".to_owned(),
        d if d > 0 => format!("in {}", span(magnitude)),
        _ => format!("{} ago", span(magnitude)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates_format_as_iso8601_utc() {
        assert_eq!(iso8601(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(iso8601(951_782_400).as_deref(), Some("2000-02-29T00:00:00Z"));
        assert_eq!(iso8601(1_732_877_100).as_deref(), Some("2024-11-29T10:45:00Z"));
        assert_eq!(iso8601(-1).as_deref(), Some("1969-12-31T23:59:59Z"));
        assert_eq!(iso8601(MAX_SECS).as_deref(), Some("9999-12-31T23:59:59Z"));
        assert_eq!(iso8601(MIN_SECS).as_deref(), Some("0000-01-01T00:00:00Z"));
    }

    #[test]
    fn dates_beyond_four_digit_years_are_not_formatted() {
        assert_eq!(iso8601(MAX_SECS + 1), None);
        assert_eq!(iso8601(i64::MIN), None);
        assert_eq!(iso8601(i64::MAX), None);
    }

    #[test]
    fn relative_times_name_the_largest_whole_unit() {
        assert_eq!(relative(1000 + 14 * 60 + 59, 1000), "in 14m");
        assert_eq!(relative(1000 - 3 * 86_400 - 5, 1000), "3d ago");
        assert_eq!(relative(1000, 1000), "now");
        assert_eq!(relative(1030, 1000), "in 30s");
        assert_eq!(relative(1000 - 7200, 1000), "2h ago");
        assert_eq!(relative(i64::MIN, i64::MAX), format!("{}d ago", u64::MAX / 86_400));
    }
}
