#!/usr/bin/env bash
# Regenerates BENCHMARKS.md: the criterion benchmark of jose against
# jsonwebtoken, jwt-simple and the bare aws-lc-rs floor, then the JS `jose`
# package on Node.js for the same tokens, then the table.
#
#   bench/run.sh                  # everything
#   CARGO_BUILD_JOBS=1 bench/run.sh   # build on one core (a shared machine)
#
# Needs: cargo, node >= 20 with npm, python3; jwt-simple's default backend
# (BoringSSL) builds with cmake, a C++ compiler and libclang, which this
# script installs with apt-get when it can.
set -euo pipefail
cd "$(dirname "$0")/.."

bench/install-build-tools.sh

target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')

echo "==> cargo bench -p jose --bench jwt" >&2
cargo bench -p jose --bench jwt

echo "==> node bench/jose-node/bench.mjs" >&2
if [ ! -d bench/jose-node/node_modules ]; then
    npm ci --prefix bench/jose-node --no-audit --no-fund >&2
fi
node bench/jose-node/bench.mjs >"$target_dir/jose-node.json"

echo "==> bench/report.py" >&2
python3 bench/report.py --node "$target_dir/jose-node.json" --out BENCHMARKS.md
