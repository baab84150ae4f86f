#!/usr/bin/env bash
# The history store's issue 9 numbers on both backends (docs/PERFORMANCE.md, "Issue 9: history
# store"): record 100,000 synthetic findings twice (all new, then 1% fixed and 1% new) and diff
# the two scans. SQLite in a fresh temporary file; PostgreSQL at KSPM_BENCH_POSTGRES_URL (else
# KSPM_TEST_POSTGRES_URL) in a fresh schema, skipped when neither is set.
# Usage: bench/run_store_bench.sh [FINDINGS]   (REPEAT=N runs each backend N times)
set -euo pipefail
cd "$(dirname "$0")/.."
findings="${1:-100000}"
repeat="${REPEAT:-1}"
build="${BUILD_DIR:-build-bench}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKSPM_BUILD_BENCHMARKS=ON >/dev/null
ninja -C "$build" store_bench >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq "$repeat"); do
  "$build/store_bench" "$work/history-$i.db" "$findings"
done
url="${KSPM_BENCH_POSTGRES_URL:-${KSPM_TEST_POSTGRES_URL:-}}"
if [ -z "$url" ]; then
  echo "PostgreSQL: skipped (set KSPM_BENCH_POSTGRES_URL or KSPM_TEST_POSTGRES_URL)"
  exit 0
fi
sep="?"; case "$url" in *\?*) sep="&";; esac
for i in $(seq "$repeat"); do
  schema="kspm_bench_$$_$i"
  psql "$url" -qc "CREATE SCHEMA $schema"
  "$build/store_bench" "$url${sep}options=-csearch_path%3D$schema" "$findings" || true
  PGOPTIONS=--client-min-messages=warning psql "$url" -qc "DROP SCHEMA $schema CASCADE"
done
