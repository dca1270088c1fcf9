//! Time inputs for JWT claims and verification options.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::span::{self, SpanError};
use crate::error::{Error, Result};

/// Seconds since the Unix epoch, now.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub(crate) fn now() -> i64 {
    unix_seconds(SystemTime::now())
}

/// Seconds since the Unix epoch, now, from the JS host's clock: on
/// wasm32-unknown-unknown the standard library has none, and
/// `SystemTime::now()` panics.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub(crate) fn now() -> i64 {
    // `Date.now()` is milliseconds as a float: whole, and far inside the
    // range of i64 for any date a host can report (NaN would become 0).
    (js_sys::Date::now() / 1000.0).floor() as i64
}

fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// The error for a span string that does not parse. `number_instead`
/// says what a number (not a string) means where the span was given: a
/// unitless string is most likely that number, typed as text.
fn span_error(input: &str, e: SpanError, number_instead: &str) -> Error {
    let trimmed = input.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Error::InvalidArgument(format!(
            "time span {input:?} has no unit: add one ({trimmed}s, {trimmed}m, {trimmed}h, {trimmed}d), \
             or pass {number_instead}"
        ));
    }
    Error::InvalidArgument(format!("invalid time span {input:?}: {e}"))
}

/// Runs a time input, turning its failure into a pending builder error
/// that names what the input was for.
pub(crate) fn resolved<T>(what: &str, input: Result<T>) -> Result<T> {
    input.map_err(|e| match e {
        Error::InvalidArgument(detail) => Error::InvalidArgument(format!("{what}: {detail}")),
        other => other,
    })
}

/// A point in time for `exp`, `nbf` and `iat`, as the JS library takes them:
/// a number is absolute Unix seconds, a [`SystemTime`] is absolute, a
/// [`Duration`] or a span string (`"15m"`, `"7d"`, `"2 hours"`,
/// `"1h ago"`) is relative to the time of the call.
pub trait TimeInput {
    /// Resolves to Unix seconds, given the current time.
    fn resolve(self, now: i64) -> Result<i64>;
}

impl TimeInput for i64 {
    fn resolve(self, _now: i64) -> Result<i64> {
        Ok(self)
    }
}

impl TimeInput for i32 {
    fn resolve(self, _now: i64) -> Result<i64> {
        Ok(self.into())
    }
}

impl TimeInput for u64 {
    fn resolve(self, _now: i64) -> Result<i64> {
        i64::try_from(self).map_err(|_| Error::InvalidArgument(format!("timestamp {self} out of range")))
    }
}

impl TimeInput for SystemTime {
    fn resolve(self, _now: i64) -> Result<i64> {
        Ok(unix_seconds(self))
    }
}

impl TimeInput for Duration {
    fn resolve(self, now: i64) -> Result<i64> {
        let secs = i64::try_from(self.as_secs()).map_err(|_| Error::InvalidArgument("duration out of range".into()))?;
        now.checked_add(secs)
            .ok_or_else(|| Error::InvalidArgument("time out of range".into()))
    }
}

impl TimeInput for &str {
    fn resolve(self, now: i64) -> Result<i64> {
        let offset = span::parse_span(self).map_err(|e| span_error(self, e, "a number for absolute Unix seconds"))?;
        now.checked_add(offset)
            .ok_or_else(|| Error::InvalidArgument("time out of range".into()))
    }
}

impl TimeInput for &String {
    fn resolve(self, now: i64) -> Result<i64> {
        self.as_str().resolve(now)
    }
}

/// A length of time for tolerances and maximum ages: seconds, a
/// [`Duration`] or a span string such as `"30s"` or `"1 day"`.
pub trait SpanInput {
    /// Resolves to whole seconds, never negative.
    fn seconds(self) -> Result<u64>;
}

impl SpanInput for u64 {
    fn seconds(self) -> Result<u64> {
        Ok(self)
    }
}

impl SpanInput for u32 {
    fn seconds(self) -> Result<u64> {
        Ok(self.into())
    }
}

impl SpanInput for i32 {
    fn seconds(self) -> Result<u64> {
        u64::try_from(self).map_err(|_| Error::InvalidArgument(format!("time span {self} must not be negative")))
    }
}

impl SpanInput for Duration {
    fn seconds(self) -> Result<u64> {
        Ok(self.as_secs())
    }
}

impl SpanInput for &str {
    fn seconds(self) -> Result<u64> {
        let secs = span::parse_span(self).map_err(|e| span_error(self, e, "a number of seconds"))?;
        u64::try_from(secs).map_err(|_| Error::InvalidArgument(format!("time span {self:?} must not be negative")))
    }
}

/// Compact human form of a number of seconds, for error messages.
pub(crate) fn human(secs: i64) -> String {
    span::format_duration(secs.unsigned_abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_absolute() {
        assert_eq!(1_700_000_000i64.resolve(5).ok(), Some(1_700_000_000));
    }

    #[test]
    fn spans_and_durations_are_relative_to_now() {
        assert_eq!("15m".resolve(1000).ok(), Some(1900));
        assert_eq!("2h ago".resolve(10_000).ok(), Some(2800));
        assert_eq!(Duration::from_secs(60).resolve(1000).ok(), Some(1060));
    }

    #[test]
    fn invalid_span_is_an_error() {
        assert!("in 2h".resolve(0).is_err());
        assert!("1 month".resolve(0).is_err());
    }

    #[test]
    fn a_unitless_length_of_time_suggests_a_number_of_seconds_not_a_timestamp() {
        let length = "15".seconds().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            length.contains("15s, 15m, 15h, 15d") && length.contains("a number of seconds"),
            "{length}"
        );
        assert!(!length.contains("Unix"), "{length}");
        let time = "15".resolve(0).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(time.contains("absolute Unix seconds"), "{time}");
    }

    #[test]
    fn negative_tolerance_is_refused() {
        assert!("-5s".seconds().is_err());
        assert_eq!("2 minutes".seconds().ok(), Some(120));
    }
}
