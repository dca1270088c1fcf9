//! The time span parser ("15m", "2 hours", "1.5h", "3d ago"), through its
//! two public doors. Oracles: a span resolves relative to "now" (the same
//! offset from two different clocks), a span that is a non-negative
//! `SpanInput` is the same number of seconds as its `TimeInput` offset,
//! and "<span> ago" (when both parse) is its negation.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rjose::jwt::{SpanInput, TimeInput};

const NOW: i64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(span) = std::str::from_utf8(data) else { return };
    let at = span.resolve(NOW);
    let later = span.resolve(NOW + 1_000);
    match (&at, &later) {
        (Ok(a), Ok(b)) => assert_eq!(b - a, 1_000, "a span is relative to now"),
        (Err(_), Err(_)) => {}
        _ => panic!("{span:?} resolves at one time and not at another: {at:?} vs {later:?}"),
    }
    let seconds = span.seconds();
    if let (Ok(at), Ok(seconds)) = (&at, &seconds) {
        assert_eq!(
            i128::from(at - NOW),
            i128::from(*seconds),
            "SpanInput vs TimeInput for {span:?}"
        );
    }
    if let (Ok(offset), Ok(past)) = (at.map(|a| a - NOW), format!("{span} ago").as_str().resolve(NOW))
        && !span.trim_end().ends_with("ago")
        && !span.trim_start().starts_with(['-', '+'])
    {
        assert_eq!(past - NOW, -offset, "\"{span} ago\" is the negation of {span:?}");
    }
});
