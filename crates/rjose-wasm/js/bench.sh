#!/usr/bin/env bash
# Regenerates the "WebAssembly in Node.js vs npm jose" tables of
# BENCHMARKS.md: builds the package (target/rjose-wasm) and the one with
# timing probes (target/rjose-wasm-bench, feature bench-internals), then
# runs js/bench.mjs (environment: ROUNDS, BATCH_MS, FILTER; see there).
set -euo pipefail
cd "$(dirname "$0")/../../.."
interop/setup.sh node >&2
RJOSE_WASM_FEATURES=bench-internals RJOSE_WASM_OUT=target/rjose-wasm-bench crates/rjose-wasm/js/build.sh >&2
crates/rjose-wasm/js/build.sh >&2
node crates/rjose-wasm/js/bench.mjs
