# Sourced by fuzz/run.sh and fuzz/seed.sh: the pinned cargo-fuzz and the one
# way the targets are built, on the stable toolchain.
#
# libFuzzer's instrumentation needs nightly-only compiler flags
# (-Zsanitizer, -Cpasses=sancov-module); RUSTC_BOOTSTRAP=1 lets the stable
# compiler accept them. No sanitizer: the code under test is
# #![forbid(unsafe_code)] Rust and aws-lc's C, which AddressSanitizer
# would not instrument anyway; debug assertions turn integer overflow
# into a crash.
CARGO_FUZZ_VERSION=0.13.2
export RUSTC_BOOTSTRAP=1
FUZZ_BUILD_FLAGS=(--release --debug-assertions --sanitizer none)

if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
