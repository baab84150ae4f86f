#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, AddressSanitizer + UndefinedBehaviorSanitizer on all of
# kspm_core) in build-fuzz/ and runs admission_fuzz for a bounded time over the seed corpus
# (fuzz/corpus/admission/ and the test fixtures). A crash, leak, sanitizer report or broken
# response contract fails the script (exit status of libFuzzer); the crashing input is left in
# build-fuzz/ (crash-*). Usage: fuzz/run.sh [seconds, default 60] [extra libFuzzer flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
# clang 16: kspm's C++20 (lambdas capturing structured bindings) does not compile with clang 14.
CXX_BIN="${KSPM_FUZZ_CXX:-$(command -v clang++-16 || command -v clang++)}"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# ccache does not know the objects depend on the ignore list named on the command line.
export CCACHE_EXTRAFILES="$PWD/fuzz/sanitize_ignorelist.txt"
if [ ! -f build-fuzz/build.ninja ]; then
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER="$CXX_BIN" -DKSPM_FUZZ=ON \
    -DKSPM_BUILD_TESTS=OFF -DKSPM_BUILD_BENCHMARKS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    "${launcher[@]}" >/dev/null
fi
ninja -C build-fuzz admission_fuzz
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
work="$(mktemp -d)"  # new inputs the fuzzer finds go here, not into the repository
trap 'rm -rf "$work"' EXIT
cd build-fuzz
./admission_fuzz -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -dict=../fuzz/admission.dict -print_final_stats=1 "$@" \
  "$work" ../fuzz/corpus/admission ../tests/testdata/admission
