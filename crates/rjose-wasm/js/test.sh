#!/usr/bin/env bash
# Builds the JavaScript package (js/build.sh) and runs its Node.js tests
# (js/test/*.test.mjs, node:test): the Worker-style use, interop with npm
# `jose` both ways (the version pinned in interop/node), and the refusals.
#
#   crates/rjose-wasm/js/test.sh
#
# Needs node (20+) and npm, the wasm32-unknown-unknown target and
# wasm-bindgen-cli of the version of the wasm-bindgen crate in Cargo.lock
# (cargo install wasm-bindgen-cli --version <it>). When one is missing it
# prints SKIPPED and exits 0, unless CI=true, where it fails.
set -euo pipefail
cd "$(dirname "$0")/../../.."

# The wasm-bindgen crate's version, which the CLI must match exactly.
wbg_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)

missing=
command -v node >/dev/null || missing="node"
command -v npm >/dev/null || missing="${missing:+$missing, }npm"
rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown ||
    missing="${missing:+$missing, }the wasm32-unknown-unknown target (rustup target add wasm32-unknown-unknown)"
wasm-bindgen --version 2>/dev/null | grep -qF "wasm-bindgen $wbg_version" ||
    missing="${missing:+$missing, }wasm-bindgen $wbg_version (cargo install wasm-bindgen-cli --version $wbg_version)"
if [ -n "$missing" ]; then
    if [ "${CI:-}" = true ]; then
        echo "rjose-wasm JS tests: missing $missing" >&2
        exit 1
    fi
    echo "SKIPPED: rjose-wasm JS tests need $missing; install them and run crates/rjose-wasm/js/test.sh"
    exit 0
fi

interop/setup.sh node
crates/rjose-wasm/js/build.sh
node --test crates/rjose-wasm/js/test/*.test.mjs
