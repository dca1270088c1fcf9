#!/usr/bin/env bash
# Runs the core's WebAssembly test suite (crates/rjose-wasm/tests/*.rs):
# rjose with the rust-crypto provider, compiled for wasm32-unknown-unknown
# and run under Node.js by wasm-bindgen-test-runner. Arguments go to
# `cargo test` (e.g. `--test jws`, or `-- some_test_name`).
#
# Needs Node.js, the wasm32-unknown-unknown target and the
# wasm-bindgen-test-runner of wasm-bindgen-cli at the version of
# wasm-bindgen in Cargo.lock (the runner refuses any other). When one is
# missing the suite is skipped with a message and exit status 0, except
# under CI (CI=true), where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."

# The one version of wasm-bindgen in the lockfile (Cargo.toml pins it with =).
wasm_bindgen_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

missing() {
    if [ "${CI:-}" = true ]; then
        echo "FAILED: the wasm test suite cannot run: $1 (CI=true: no skipping)" >&2
        exit 1
    fi
    echo "SKIPPED: the wasm test suite (crates/rjose-wasm/tests): $1; how to run it: $2, then $0"
    exit 0
}

command -v node >/dev/null ||
    missing "node is not installed" "install Node.js (18 or later)"
[ -d "$(rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null)" ] ||
    missing "the wasm32-unknown-unknown target is not installed" "rustup target add wasm32-unknown-unknown"
wasm-bindgen-test-runner --version 2>/dev/null | grep -qxF "wasm-bindgen-test-runner $wasm_bindgen_version" ||
    missing "wasm-bindgen-test-runner $wasm_bindgen_version (the lockfile's wasm-bindgen) is not installed" \
        "cargo install wasm-bindgen-cli --version $wasm_bindgen_version"

# Node.js is the runner's default: no test asks for a browser.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
exec cargo test -p rjose-wasm --target wasm32-unknown-unknown "$@"
