#!/usr/bin/env bash
# Installs the pinned interop peers for crates/rjose/tests/interop.rs:
# the JS `jose` and `dpop` packages (interop/node, package-lock.json) and Python's
# jwcrypto (interop/python/.venv, requirements.txt). Idempotent: a peer
# already installed at the pinned versions is left alone.
#
#   interop/setup.sh            # both peers
#   interop/setup.sh node       # the JS peer only (needs node and npm)
#   interop/setup.sh python     # the Python peer only (needs python3)
#
# The interop test runs this itself for each peer whose tool is present.
set -euo pipefail
cd "$(dirname "$0")"
which=${1:-all}

install_node() {
    # npm writes node_modules/.package-lock.json on install: newer than the
    # committed lock file means the pinned versions are in place.
    local stamp=node/node_modules/.package-lock.json
    if [ ! -f "$stamp" ] || [ node/package-lock.json -nt "$stamp" ]; then
        npm ci --prefix node --no-audit --no-fund --loglevel=error
    else
        echo "interop: jose and dpop (js) already installed"
    fi
}

install_python() {
    local venv=python/.venv
    local stamp=$venv/.requirements.txt
    if [ ! -x "$venv/bin/python" ] || ! cmp -s python/requirements.txt "$stamp"; then
        [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-virtualenv -r python/requirements.txt
        "$venv/bin/pip" check
        cp python/requirements.txt "$stamp"
    else
        echo "interop: jwcrypto already installed"
    fi
}

case "$which" in
all) install_node && install_python ;;
node) install_node ;;
python) install_python ;;
*)
    echo "usage: interop/setup.sh [all|node|python]" >&2
    exit 2
    ;;
esac
