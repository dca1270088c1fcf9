#!/usr/bin/env python3
"""Checks that each publishable crate's declared `rust-version` is honest:
no crate in its locked dependency tree (normal and build dependencies, for
the platforms we build on) declares a newer one.

    python3 .ci/msrv.py          # prints one line per crate, exits 1 on a lie

Only one toolchain can be installed on our machines, so the MSRV cannot be
tested by building with it; reading the lockfile's resolution is the guard.
"""
import json
import subprocess
import sys

PLATFORMS = ["x86_64-unknown-linux-gnu", "wasm32-unknown-unknown"]


def version_key(v):
    return tuple(int(part) for part in v.split("."))


def metadata(platform):
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--all-features", "--filter-platform", platform],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def main():
    failed = False
    results = {}
    for platform in PLATFORMS:
        meta = metadata(platform)
        packages = {p["id"]: p for p in meta["packages"]}
        nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
        members = set(meta["workspace_members"])
        for member in sorted(members, key=lambda i: packages[i]["name"]):
            package = packages[member]
            if package.get("publish") == []:
                continue
            declared = package.get("rust_version")
            seen, stack, worst = set(), [member], ("0.0", "no dependency declares one")
            while stack:
                node = stack.pop()
                if node in seen:
                    continue
                seen.add(node)
                needs = packages[node].get("rust_version")
                if node != member and needs and version_key(needs) > version_key(worst[0]):
                    worst = (needs, f"{packages[node]['name']} {packages[node]['version']}")
                for dep in nodes[node]["deps"]:
                    kinds = {k["kind"] for k in dep["dep_kinds"]}
                    # Dev-dependencies of the crate itself are not part of
                    # what a user builds; those of dependencies never are.
                    if kinds - {"dev"}:
                        stack.append(dep["pkg"])
            previous = results.get(package["name"])
            if previous is None or version_key(worst[0]) > version_key(previous[1][0]):
                results[package["name"]] = (declared, worst)
    for name, (declared, (needs, by)) in sorted(results.items()):
        ok = declared is not None and version_key(needs) <= version_key(declared)
        failed |= not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: declares rust-version {declared}, locked tree needs {needs} ({by})")
    if failed:
        print("A crate's dependencies need a newer Rust than it declares: raise its rust-version or pin the dependency.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
