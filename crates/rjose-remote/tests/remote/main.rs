//! rjose-remote against a real HTTP server on 127.0.0.1 (hyper), with a
//! [`ManualClock`](rjose_remote::ManualClock) wherever cache age, cooldown or
//! staleness matter. One test binary, one module per concern.

mod caching;
mod discovery;
mod failures;
mod http_policy;
mod plumbing;
mod seeding;
mod support;
