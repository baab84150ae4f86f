#!/usr/bin/env bash
# The whole test suite: install dependencies, build, run every test with CTest.
# With CI=true, tests that need ../shared (the upstream Pod Security fixtures and the real-world
# manifests) fail when it is missing; elsewhere they skip with a message.
# The history store's PostgreSQL tests use KSPM_TEST_POSTGRES_URL; when it is not set and
# PostgreSQL is installed, a private server is started on loopback for the run (in a temporary
# directory, on a free port; as the postgres user when run as root) and stopped at the end.
# Without PostgreSQL those tests skip (and fail under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh

pg_dir=""
pg_ctl=""
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
stop_postgres() {
  if [ -n "$pg_dir" ]; then
    as_pg "'$pg_ctl' -D '$pg_dir/data' -m fast -w stop" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "test.sh: PostgreSQL is not installed: the PostgreSQL store tests will skip"
    return 0
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "test.sh: no postgres user to run PostgreSQL as: the PostgreSQL store tests will skip"
    return 0
  fi
  pg_ctl="$bin/pg_ctl"
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/kspm-pg-XXXXXX")
  trap stop_postgres EXIT
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_dir"; fi
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg "'$bin/initdb' -D '$pg_dir/data' -A trust -U postgres --no-sync" >/dev/null
  as_pg "'$pg_ctl' -D '$pg_dir/data' -l '$pg_dir/server.log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -k '$pg_dir' -c fsync=off\" start" >/dev/null
  local psql="$bin/psql -h 127.0.0.1 -p $port -U postgres -v ON_ERROR_STOP=1 -q -d postgres"
  $psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'kspm'" | grep -q 1 || $psql -c "CREATE ROLE kspm LOGIN"
  $psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'kspm_test'" | grep -q 1 || $psql -c "CREATE DATABASE kspm_test OWNER kspm"
  export KSPM_TEST_POSTGRES_URL="postgresql://kspm@127.0.0.1:$port/kspm_test"
  echo "test.sh: PostgreSQL for the store tests on 127.0.0.1:$port"
}
if [ -z "${KSPM_TEST_POSTGRES_URL:-}" ]; then start_postgres; fi

ctest --test-dir build --output-on-failure -j"$(nproc)"
# The admission request path under libFuzzer with sanitizers, for a bounded time (fuzz/run.sh).
fuzz/run.sh "${KSPM_FUZZ_SECONDS:-60}"
