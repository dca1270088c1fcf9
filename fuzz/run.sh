#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each (default 30)
# on a copy of its committed corpus, so the repository is never written
# to. Fails when any target crashes, times out or runs out of memory; the
# input that did it is kept under target/fuzz-artifacts/<target>/ at the
# repository's root. Prints the executions and coverage of each target.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
. ./env.sh

seconds=${1:-30}
shift || true
if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

cargo fuzz build "${FUZZ_BUILD_FLAGS[@]}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
printf '%-16s %-7s %12s %8s %8s %8s\n' target result executions "cov" features corpus
for target in "${targets[@]}"; do
    mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
    if [ -d "corpus/$target" ]; then
        cp -r "corpus/$target/." "$work/$target/corpus/"
    fi
    # -timeout: one input taking 10 s is a failure (no super-linear work);
    # -max_len: tokens and keys larger than 64 KiB add nothing but time.
    if cargo fuzz run "${FUZZ_BUILD_FLAGS[@]}" "$target" "$work/$target/corpus" -- \
        -max_total_time="$seconds" -dict=jose.dict -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/$target/artifacts/" > "$work/$target/log" 2>&1; then
        result=ok
    else
        result=FAILED
        failed+=("$target")
        mkdir -p "../target/fuzz-artifacts/$target"
        cp -r "$work/$target/artifacts/." "../target/fuzz-artifacts/$target/"
        tail -n 40 "$work/$target/log"
    fi
    log=$work/$target/log
    execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
    features=$(grep -oE 'ft: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
    corpus=$(find "$work/$target/corpus" -type f | wc -l)
    printf '%-16s %-7s %12s %8s %8s %8s\n' "$target" "$result" "${execs:-?}" "${cov:-?}" "${features:-?}" "$corpus"
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz targets failed: ${failed[*]} (inputs under target/fuzz-artifacts/)" >&2
    exit 1
fi
