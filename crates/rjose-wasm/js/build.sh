#!/usr/bin/env bash
# Builds the JavaScript package of rjose-wasm: the cdylib in the
# `wasm-release` profile (opt-level 3, fat LTO, one codegen unit; see the
# workspace Cargo.toml), then `wasm-bindgen` for Node.js and for the web
# (browsers, Cloudflare Workers, Deno), into target/rjose-wasm/:
#
#   target/rjose-wasm/nodejs/   require('.../rjose_wasm.js')      (CommonJS)
#   target/rjose-wasm/web/      import init, { Verifier } from '.../rjose_wasm.js'
#
# Needs the wasm32-unknown-unknown target and wasm-bindgen-cli of the same
# version as the wasm-bindgen crate in Cargo.lock; no wasm-pack.
# WASM_OPT=1 also runs binaryen's wasm-opt -O3 over the output (see
# BENCHMARKS.md for what it changes). RJOSE_WASM_FEATURES=bench-internals
# adds the timing probes js/bench.mjs uses; RJOSE_WASM_OUT names another
# output directory (js/bench.mjs builds into target/rjose-wasm-bench).
set -euo pipefail
cd "$(dirname "$0")/../../.."

profile=wasm-release
out=${RJOSE_WASM_OUT:-target/rjose-wasm}
features=${RJOSE_WASM_FEATURES:-}
wasm=target/wasm32-unknown-unknown/$profile/rjose_wasm.wasm

cargo build --quiet --locked -p rjose-wasm --target wasm32-unknown-unknown --profile "$profile" ${features:+--features "$features"}

if [ "${WASM_OPT:-0}" = 1 ]; then
    mkdir -p target/wasm-opt
    # Before wasm-bindgen: binaryen 108 (Debian's) run over wasm-bindgen's
    # output retypes its externref table and the module no longer loads.
    # The flags name the features rustc enables by default.
    wasm-opt -O3 --enable-bulk-memory --enable-reference-types --enable-multivalue \
        --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
        -o target/wasm-opt/rjose_wasm.wasm "$wasm"
    wasm=target/wasm-opt/rjose_wasm.wasm
fi

rm -rf "$out"
for target in nodejs web; do
    wasm-bindgen --target "$target" --remove-name-section --remove-producers-section --out-dir "$out/$target" "$wasm"
    cp crates/rjose-wasm/README.md "$out/$target/"
done
bytes=$(wc -c < "$out/nodejs/rjose_wasm_bg.wasm")
gzipped=$(gzip -9 -c "$out/nodejs/rjose_wasm_bg.wasm" | wc -c)
echo "rjose-wasm: $out/{nodejs,web}; rjose_wasm_bg.wasm is $bytes bytes, $gzipped gzipped (gzip -9)"
