#!/usr/bin/env bash
# Packages every publishable crate as `cargo publish` would, then builds
# each one's tests and runs its doctests from the extracted tarball alone,
# with the unpublished siblings patched in from their own tarballs. This
# catches what a path build hides: a file outside the package that a test,
# a doctest or `include_str!` needs, a dependency without a version.
#
#   .ci/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."

crates=(rjose rjose-remote rjose-axum rjose-cli)
version=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "rjose"))')

# Verified: each package is built from its tarball, in dependency order,
# with the packaged siblings served from a local registry.
cargo package --locked --workspace --exclude rjose-auth-service --exclude rjose-docs

# Extracted outside the repository, as a user's download would be (inside,
# cargo would take the repository's workspace for theirs).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$PWD/target/package-check"
patches=()
for crate in "${crates[@]}"; do
    tar -xzf "target/package/$crate-$version.crate" -C "$work"
    patches+=(--config "patch.crates-io.$crate.path=\"$work/$crate-$version\"")
done

for crate in "${crates[@]}"; do
    echo "==> $crate: tests and doctests from the tarball"
    (
        cd "$work/$crate-$version"
        cargo test "${patches[@]}" --all-features --no-run --quiet
        cargo test "${patches[@]}" --all-features --doc --quiet
    )
done
