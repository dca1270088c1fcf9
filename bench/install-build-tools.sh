#!/usr/bin/env bash
# Installs what jwt-simple's default backend (BoringSSL, a dev-dependency
# of the benchmark) needs to build: cmake, a C++ compiler and libclang.
# Both bench/run.sh and .ci/run call it, since `cargo clippy --all-targets`
# and `cargo test` compile the benchmark's dev-dependencies too.
#
# With --josekit (bench/run.sh for the JWE benchmark), also OpenSSL's
# development headers and pkg-config, for josekit. CI does not need them:
# josekit is compiled only with `--cfg jose_bench_josekit`, which only
# bench/run.sh sets, so clippy and the tests never build it. Without them
# josekit is left out of the JWE table, so failing to install them only warns.
set -euo pipefail

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
updated=
apt_install() {
    if [ -z "$updated" ]; then
        apt-get update -qq
        updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

have_libclang() {
    [ -n "${LIBCLANG_PATH:-}" ] || compgen -G '/usr/lib/llvm-*/lib/libclang*.so*' >/dev/null ||
        compgen -G '/usr/lib/*/libclang*.so*' >/dev/null
}
if ! command -v cmake >/dev/null || ! command -v c++ >/dev/null || ! have_libclang; then
    if can_apt; then
        echo "==> installing jwt-simple's BoringSSL build tools (cmake, g++, libclang-dev)" >&2
        apt_install cmake g++ libclang-dev
    else
        echo "install-build-tools: jwt-simple's BoringSSL backend needs cmake, a C++ compiler and libclang" >&2
        exit 1
    fi
fi

if [ "${1:-}" = --josekit ]; then
    if ! command -v pkg-config >/dev/null || ! pkg-config --exists openssl; then
        if can_apt; then
            echo "==> installing josekit's OpenSSL build dependencies (libssl-dev, pkg-config)" >&2
            apt_install libssl-dev pkg-config
        else
            echo "install-build-tools: josekit needs OpenSSL's development headers and pkg-config;" \
                "the JWE benchmark will leave it out" >&2
        fi
    fi
fi
