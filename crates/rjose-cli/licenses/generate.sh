#!/usr/bin/env bash
# Regenerates THIRD-PARTY-NOTICES.txt, the license notices of every crate
# the `rjose` binary is built from (printed by `rjose licenses`), with
# cargo-about. `--check` fails when the committed file is out of date.
#
#   crates/rjose-cli/licenses/generate.sh [--check]
set -euo pipefail
cd "$(dirname "$0")"
out=../THIRD-PARTY-NOTICES.txt
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
cargo about generate --locked --offline --fail --manifest-path ../Cargo.toml -c about.toml about.hbs -o "$fresh"
if [ "${1:-}" = --check ]; then
    if ! cmp -s "$fresh" "$out"; then
        diff -u "$out" "$fresh" | head -40 >&2 || true
        echo "crates/rjose-cli/THIRD-PARTY-NOTICES.txt is out of date: run crates/rjose-cli/licenses/generate.sh" >&2
        exit 1
    fi
else
    cp "$fresh" "$out"
fi
