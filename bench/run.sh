#!/usr/bin/env bash
# Regenerates BENCHMARKS.md: the criterion benchmark of JWT sign/verify
# (rjose against jsonwebtoken, jwt-simple, oxitoken and the bare aws-lc-rs
# floor) and its allocations per operation, the JS `jose` package on
# Node.js for the same tokens, the criterion benchmark of JWE
# encrypt/decrypt and throughput (rjose against josekit and the floor),
# then the tables. After a JWT or JWE run it checks every ratio against
# its target and exits 3 if one is missed (the regression guard).
#
#   bench/run.sh                      # everything
#   bench/run.sh jwt                  # JWT and Node.js only, then the tables
#   JWT_RUNS=1 bench/run.sh jwt       # one run of the JWT benchmark instead of three
#   bench/run.sh jwe                  # JWE only (rjose, floor, josekit), then the tables
#   bench/run.sh providers            # rjose on aws-lc-rs and on rust-crypto, then the tables
#   bench/run.sh providers <commit>   # the same, and rjose on aws-lc-rs at <commit> (a baseline)
#   bench/run.sh jwe-baseline [<commit>]  # rjose's JWE rows at <commit> (39fd4fe, before issue 14), then the tables
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
#
# `providers` measures benches/providers.rs (rjose alone) in builds with
# `--cfg jose_bench_providers` (no peers, no aws-lc-rs but rjose's own) under
# <target>/providers: one with rjose's aws-lc-rs provider, one with
# rust-crypto and, given a commit, one of rjose at that commit (a git
# worktree in a temporary directory, removed at the end; rjose there is
# always on aws-lc-rs, so it must predate the providers or have the
# aws-lc-rs feature). They share that target directory, so the C build of
# aws-lc is made once. PROVIDER_ROUNDS (3) rounds, each measuring every
# algorithm with each build in turn (the order reversed every other round),
# so that the machine's drift reaches every build alike; about 8 minutes
# with a baseline. Results under <target>/providers/criterion/round-<n>.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-all}
case "$what" in
all | jwt | jwe) ;;
providers) baseline=${2:-} ;;
jwe-baseline) baseline=${2:-39fd4fe} ;;
*)
    echo "usage: bench/run.sh [all|jwt|jwe|providers [<baseline commit>]|jwe-baseline [<commit>]]" >&2
    exit 2
    ;;
esac

if [ "$what" = jwt ] || [ "$what" = jwe-baseline ]; then
    bench/install-build-tools.sh
elif [ "$what" != providers ]; then
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

# The executable of benches/providers.rs built from `$1` (a manifest) with the
# remaining arguments, under --cfg jose_bench_providers in <target>/providers.
build_providers() {
    local manifest=$1
    shift
    echo "==> cargo bench --manifest-path $manifest --bench providers $* (--cfg jose_bench_providers, in $target_dir/providers)" >&2
    RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg jose_bench_providers" CARGO_TARGET_DIR="$target_dir/providers" \
        cargo bench --manifest-path "$manifest" --bench providers --no-run --message-format=json "$@" |
        python3 -c '
import json, sys
for line in sys.stdin:
    message = json.loads(line)
    if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "providers" and message.get("executable"):
        print(message["executable"])'
}

# A git worktree of commit `$1` in a temporary directory, removed when this
# script exits; its path is left in $worktree (a command substitution would
# run in a subshell, whose exit would remove it at once).
baseline_worktree() {
    worktree=$(mktemp -d "${TMPDIR:-/tmp}/rjose-baseline.XXXXXX")
    trap 'git worktree remove --force "$worktree"' EXIT
    git worktree add --detach "$worktree" "$1" >&2
}

if [ "$what" = providers ]; then
    # The label of each build's results: the provider compiled in, as the
    # benchmark names it itself, but for the baseline.
    labels=("" "")
    executables=("$(build_providers "$manifest")" "$(build_providers "$manifest" --no-default-features --features rust-crypto)")
    # Anything that turned on rjose's default features in that build would
    # have it measure aws-lc-rs under rust-crypto's name.
    if RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg jose_bench_providers" cargo tree --manifest-path "$manifest" \
        --locked -e features -i rjose --no-default-features --features rust-crypto | grep -q 'rjose feature "aws-lc-rs"'; then
        echo "error: the rust-crypto build of benches/providers.rs has rjose's aws-lc-rs feature on" >&2
        exit 1
    fi
    baseline_desc=
    if [ -n "$baseline" ]; then
        baseline_worktree "$baseline"
        baseline_desc="$baseline ($(git -C "$worktree" rev-parse --short HEAD))"
        # This benchmark, its manifest and lockfile as they are here; rjose
        # as it was. Before the providers rjose had no features: give it the
        # two this manifest forwards to, as no-ops.
        cp bench/Cargo.toml bench/Cargo.lock "$worktree/bench/"
        rm -rf "$worktree/bench/benches/common" "$worktree/bench/benches/keys"
        cp -r bench/benches/providers.rs bench/benches/common bench/benches/keys "$worktree/bench/benches/"
        if ! grep -q '^aws-lc-rs = ' "$worktree/crates/rjose/Cargo.toml"; then
            printf '\n[features]\naws-lc-rs = []\nrust-crypto = []\n' >>"$worktree/crates/rjose/Cargo.toml"
        fi
        labels+=("aws-lc-rs baseline")
        executables+=("$(build_providers "$worktree/bench/Cargo.toml")")
    fi
    for executable in "${executables[@]}"; do
        [ -x "$executable" ] || { echo "error: the providers benchmark did not build" >&2; exit 1; }
    done

    rm -rf "$target_dir/providers/criterion"
    groups=('HS256/' 'RS256/' 'PS256/' 'ES256/' 'EdDSA/' 'dir A256GCM/' 'A256KW A256GCM/' 'ECDH-ES\+A256KW P-256 A256GCM/')
    rounds=${PROVIDER_ROUNDS:-3}
    for round in $(seq 1 "$rounds"); do
        order=("${!executables[@]}")
        if [ $((round % 2)) = 0 ]; then
            order=($(printf '%s\n' "${order[@]}" | tac))
        fi
        for group in "${groups[@]}"; do
            for i in "${order[@]}"; do
                echo "==> round $round/$rounds: ${labels[$i]:-build $i}: ^$group" >&2
                JOSE_BENCH_PROVIDER_LABEL="${labels[$i]}" CRITERION_HOME="$target_dir/providers/criterion/round-$round" \
                    "${executables[$i]}" --bench "^$group"
            done
        done
    done
    python3 -c 'import json, sys; json.dump({"commit": sys.argv[1], "baseline": sys.argv[2] or None}, sys.stdout)' \
        "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates/rjose/src || echo ' + uncommitted changes in crates/rjose/src')" \
        "$baseline_desc" >"$target_dir/providers/run.json"
fi

if [ "$what" = all ] || [ "$what" = jwt ]; then
    # JWT_RUNS (3) runs of the whole benchmark, one after the other, each
    # into <target>/jwt-runs/run-<n>: the report shows the median of the
    # runs, and checks the targets on the median of each run's ratios.
    rm -rf "$target_dir/jwt-runs"
    for run in $(seq 1 "${JWT_RUNS:-3}"); do
        echo "==> cargo bench --manifest-path $manifest --bench jwt (run $run of ${JWT_RUNS:-3})" >&2
        CRITERION_HOME="$target_dir/jwt-runs/run-$run" cargo bench --manifest-path "$manifest" --bench jwt
    done
    record_commit jwt

    # The same contenders, each operation's allocations counted instead of
    # timed (dhat's allocator, in a build of its own under <target>/allocs).
    echo "==> allocations per operation: benches/jwt.rs with --cfg jose_bench_allocs (in $target_dir/allocs)" >&2
    RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg jose_bench_allocs" CARGO_TARGET_DIR="$target_dir/allocs" \
        cargo bench --manifest-path "$manifest" --bench jwt >"$target_dir/allocs.json"

    echo "==> node bench/jose-node/bench.mjs" >&2
    if [ ! -d bench/jose-node/node_modules ]; then
        npm ci --prefix bench/jose-node --no-audit --no-fund >&2
    fi
    node bench/jose-node/bench.mjs >"$target_dir/jose-node.json"
fi

if [ "$what" = all ] || [ "$what" = jwe ]; then
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

# The JWE targets of issue 14 are set against rjose as it was before it:
# its JWE benchmark at that commit (a git worktree in a temporary directory,
# with its own manifest and lockfile, sharing this target directory so
# that the C builds are made once), rjose's rows only, into
# <target>/jwe-baseline. report.py takes "before" from there, and from its
# own table of an earlier run when there is none.
if [ "$what" = jwe-baseline ]; then
    baseline_worktree "$baseline"
    rm -rf "$target_dir/jwe-baseline"
    mkdir -p "$target_dir/jwe-baseline"
    echo "==> cargo bench --bench jwe -- rjose at $baseline (in $worktree)" >&2
    CARGO_TARGET_DIR="$target_dir" CRITERION_HOME="$target_dir/jwe-baseline/criterion" \
        cargo bench --manifest-path "$worktree/bench/Cargo.toml" --bench jwe -- '^[^/]+/(en|de)crypt/rjose'
    git -C "$worktree" rev-parse --short HEAD >"$target_dir/jwe-baseline/commit.txt"
fi

# After a JWT or JWE run, the report checks each ratio of the benchmarks
# that ran against its target and exits non-zero if one is missed (after
# writing the tables).
guard=()
case "$what" in
all | jwt | jwe) guard=(--guard "$what") ;;
jwe-baseline) guard=(--guard jwe) ;;
esac
echo "==> bench/report.py ${guard[*]}" >&2
python3 bench/report.py --node "$target_dir/jose-node.json" --allocs "$target_dir/allocs.json" \
    --out BENCHMARKS.md "${guard[@]}"
