#!/usr/bin/env bash
# Regenerates BENCHMARKS.md: the criterion benchmark of JWT sign/verify
# (rjose against jsonwebtoken, jwt-simple and the bare aws-lc-rs floor), the JS
# `jose` package on Node.js for the same tokens, the criterion benchmark of
# JWE encrypt/decrypt and throughput (rjose against josekit and the floor),
# then the tables.
#
#   bench/run.sh                      # everything
#   bench/run.sh jwt                  # JWT and Node.js only, then the tables
#   bench/run.sh jwe                  # JWE only (rjose, floor, josekit), then the tables
#   CARGO_BUILD_JOBS=1 bench/run.sh   # build on one core (a shared machine)
#
# Needs: cargo, node >= 20 with npm, python3; jwt-simple's default backend
# (BoringSSL) builds with cmake, a C++ compiler and libclang, and josekit
# with OpenSSL's development headers and pkg-config, which this script
# installs with apt-get when it can.
#
# josekit is built only with `--cfg jose_bench_josekit` (see
# bench/benches/jwe.rs): it turns on serde_json's `preserve_order`,
# which must not leak into the build that measures rjose. So the JWE benchmark
# runs twice: rjose and the floor in the ordinary build, then josekit alone in
# a build of its own under <target>/josekit (the first one takes as long as
# a fresh build), both writing to <target>/criterion.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-all}
case "$what" in
all | jwt | jwe) ;;
*)
    echo "usage: bench/run.sh [all|jwt|jwe]" >&2
    exit 2
    ;;
esac

if [ "$what" = jwt ]; then
    bench/install-build-tools.sh
else
    bench/install-build-tools.sh --josekit
fi

manifest=bench/Cargo.toml
target_dir=$(cargo metadata --manifest-path "$manifest" --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')

# The commit a benchmark measured, for bench/report.py: a table may be
# regenerated later, from another commit, with only the other benchmark rerun.
record_commit() {
    local dirty
    dirty=$(git status --porcelain --untracked-files=no -- crates/rjose/src 2>/dev/null || true)
    echo "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)${dirty:+ + uncommitted changes in crates/rjose/src}" \
        >"$target_dir/bench-commit-$1.txt"
}

if [ "$what" != jwe ]; then
    echo "==> cargo bench --manifest-path $manifest --bench jwt" >&2
    cargo bench --manifest-path "$manifest" --bench jwt
    record_commit jwt

    echo "==> node bench/jose-node/bench.mjs" >&2
    if [ ! -d bench/jose-node/node_modules ]; then
        npm ci --prefix bench/jose-node --no-audit --no-fund >&2
    fi
    node bench/jose-node/bench.mjs >"$target_dir/jose-node.json"
fi

if [ "$what" != jwt ]; then
    echo "==> cargo bench --manifest-path $manifest --bench jwe" >&2
    cargo bench --manifest-path "$manifest" --bench jwe
    record_commit jwe

    echo "==> cargo bench --manifest-path $manifest --bench jwe -- josekit (--cfg jose_bench_josekit, in $target_dir/josekit)" >&2
    if ! RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg jose_bench_josekit" \
        CARGO_TARGET_DIR="$target_dir/josekit" CRITERION_HOME="$target_dir/criterion" \
        cargo bench --manifest-path "$manifest" --bench jwe -- josekit; then
        echo "warning: josekit did not build or run (OpenSSL headers and pkg-config?);" \
            "the JWE table keeps its previous josekit results, if any (see their date)" >&2
    fi
fi

echo "==> bench/report.py" >&2
python3 bench/report.py --node "$target_dir/jose-node.json" --out BENCHMARKS.md
