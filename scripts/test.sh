#!/usr/bin/env bash
# The whole test suite: install dependencies, build, run every test with CTest.
# With CI=true, tests that need ../shared (the upstream Pod Security fixtures and the real-world
# manifests) fail when it is missing; elsewhere they skip with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
# The admission request path under libFuzzer with sanitizers, for a bounded time (fuzz/run.sh).
fuzz/run.sh "${KSPM_FUZZ_SECONDS:-60}"
