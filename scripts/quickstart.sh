#!/usr/bin/env bash
# Quick start: install dependencies, build, and scan the bundled example app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
echo
echo "$ ./build/kspm scan examples/"
# The examples are broken on purpose: kspm exits 1 because findings at or above --fail-on (high) exist.
./build/kspm scan examples/ || [ $? -eq 1 ]
