#!/usr/bin/env bash
# Installs the pinned interop peers for crates/jose/tests/interop.rs:
# the JS `jose` package (interop/node, package-lock.json) and Python's
# jwcrypto (interop/python/.venv, requirements.txt). Idempotent: a peer
# already installed at the pinned versions is left alone.
set -euo pipefail
cd "$(dirname "$0")"

# npm writes node_modules/.package-lock.json on install: newer than the
# committed lock file means the pinned versions are in place.
node_stamp=node/node_modules/.package-lock.json
if [ ! -f "$node_stamp" ] || [ node/package-lock.json -nt "$node_stamp" ]; then
    npm ci --prefix node --no-audit --no-fund --loglevel=error
else
    echo "interop: jose (js) already installed"
fi

venv=python/.venv
stamp=$venv/.requirements.txt
if [ ! -x "$venv/bin/python" ] || ! cmp -s python/requirements.txt "$stamp"; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-virtualenv -r python/requirements.txt
    "$venv/bin/pip" check
    cp python/requirements.txt "$stamp"
else
    echo "interop: jwcrypto already installed"
fi
