#!/usr/bin/env bash
# Installs what jwt-simple's default backend (BoringSSL, a dev-dependency
# of the benchmark) needs to build: cmake, a C++ compiler and libclang.
# Both bench/run.sh and .ci/run call it, since `cargo clippy --all-targets`
# and `cargo test` compile the benchmark's dev-dependencies too.
set -euo pipefail

have_libclang() {
    [ -n "${LIBCLANG_PATH:-}" ] || compgen -G '/usr/lib/llvm-*/lib/libclang*.so*' >/dev/null ||
        compgen -G '/usr/lib/*/libclang*.so*' >/dev/null
}
if ! command -v cmake >/dev/null || ! command -v c++ >/dev/null || ! have_libclang; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "==> installing jwt-simple's BoringSSL build tools (cmake, g++, libclang-dev)" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake g++ libclang-dev >/dev/null
    else
        echo "install-build-tools: jwt-simple's BoringSSL backend needs cmake, a C++ compiler and libclang" >&2
        exit 1
    fi
fi
