//! The current time, read from JavaScript.
//!
//! `std::time::SystemTime::now` panics on `wasm32-unknown-unknown`, so the
//! core is never left to read the clock itself: every time this crate
//! hands it is taken from `Date.now()`, as a JavaScript library would.

/// Unix seconds now, by `Date.now()`.
pub(crate) fn now() -> i64 {
    unix_seconds(js_sys::Date::now() / 1000.0)
}

/// Whole Unix seconds of a time in seconds, rounded down as JavaScript
/// libraries do (`Math.floor(date.getTime() / 1000)`). Only called with
/// finite values; the cast saturates on anything else.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn unix_seconds(seconds: f64) -> i64 {
    seconds.floor() as i64
}
