#!/usr/bin/env bash
# Live-cluster benchmark (not a unit test; never part of ctest).
#
# Generates realistic cluster content with bench/gen_cluster.py (OBJECTS objects, default 110000 so
# that more than 100,000 are of kinds kspm reads: it skips EndpointSlices and, without
# --include-secrets, Secrets), serves it with the fixture API server (TLS, token auth, paginated
# lists, gzip as kube-apiserver does), and times with /usr/bin/time -v, best of REPEAT runs:
#   kspm scan --cluster -o json --output-file OUT            (list + scan, default page size 500)
#   kspm scan --cluster ... --page-size 100 / 2000           (memory must not grow with pages;
#                                                             100 also with --qps 0: no rate limit)
#   kspm snapshot --cluster -o SNAPSHOT; kspm scan SNAPSHOT  (offline)
# Prints objects read, wall time, user+sys CPU and peak RSS of kspm (the server runs beside it on
# the same two cores).
#
# Usage: bench/run_cluster_bench.sh [BUILD_DIR]   (default: build next to this script's repo)
# Environment: OBJECTS (default 110000), SEED (default 1), BENCH_DIR (default /tmp/kspm-cluster-bench),
# REPEAT (default 3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
build="${1:-$repo/build}"
kspm="$build/kspm"
server="$build/kspm_fixture_apiserver"
objects="${OBJECTS:-110000}"
seed="${SEED:-1}"
dir="${BENCH_DIR:-/tmp/kspm-cluster-bench}"
repeat="${REPEAT:-3}"

for bin in "$kspm" "$server"; do
  [[ -x "$bin" ]] || { echo "missing $bin: build first (ninja -C $build)" >&2; exit 2; }
done
mkdir -p "$dir"
content="$dir/cluster-$objects-$seed.json"
if [[ ! -s "$content" ]]; then
  echo "generating $objects objects (seed $seed) into $content"
  python3 "$here/gen_cluster.py" --objects "$objects" --seed "$seed" -o "$content" >/dev/null
fi
echo "content: $content, $(du -m "$content" | cut -f1) MB, $objects objects"

rm -rf "$dir/tls"
"$server" --tls-dir "$dir/tls" --content "$content" --token "bench-token=bench" >"$dir/server.out" 2>"$dir/server.err" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  grep -q LISTENING "$dir/server.out" 2>/dev/null && break
  sleep 0.1
done
grep -q LISTENING "$dir/server.out" || { echo "the fixture server did not start" >&2; cat "$dir/server.err" >&2; exit 1; }
kubeconfig="$dir/tls/kubeconfig"

# run NAME COMMAND...: best wall time of $repeat runs, with that run's CPU and peak RSS.
run() {
  local name="$1"; shift
  local best="" line
  for _ in $(seq 1 "$repeat"); do
    /usr/bin/time -f "%e %U %S %M" -o "$dir/time.txt" "$@" >/dev/null 2>"$dir/stderr.txt" || true
    line="$(tail -1 "$dir/time.txt")"
    if [[ -z "$best" ]] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then best="$line"; fi
  done
  read -r wall user sys rss <<<"$best"
  printf '%-34s %7.2f s wall  %6.2f s cpu  %6.0f MB peak RSS\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc)"
}

objects_read() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["objects"])' "$1"
}

common=(--no-config --no-progress --fail-on none --cluster --kubeconfig "$kubeconfig")
run "scan --cluster (page 500)" "$kspm" scan "${common[@]}" -o json --output-file "$dir/out.json"
echo "  objects read and scanned: $(objects_read "$dir/out.json")"
run "scan --cluster --page-size 100" "$kspm" scan "${common[@]}" --page-size 100 -o json --output-file "$dir/out-100.json"
run "scan --cluster --page-size 100 --qps 0" "$kspm" scan "${common[@]}" --page-size 100 --qps 0 -o json --output-file "$dir/out-100.json"
run "scan --cluster --page-size 2000" "$kspm" scan "${common[@]}" --page-size 2000 -o json --output-file "$dir/out-2000.json"
run "scan --cluster --include-secrets" "$kspm" scan "${common[@]}" --include-secrets -o json --output-file "$dir/out-secrets.json"
echo "  objects read and scanned: $(objects_read "$dir/out-secrets.json")"
run "snapshot --cluster" "$kspm" snapshot --no-progress --kubeconfig "$kubeconfig" -o "$dir/snapshot.json"
echo "  snapshot: $(du -m "$dir/snapshot.json" | cut -f1) MB"
run "scan SNAPSHOT (offline)" "$kspm" scan --no-config --fail-on none -o json --output-file "$dir/out-offline.json" "$dir/snapshot.json"
if cmp -s <(python3 -c 'import json,sys; print(sorted(f["fingerprint"] for f in json.load(open(sys.argv[1]))["findings"]))' "$dir/out.json") \
          <(python3 -c 'import json,sys; print(sorted(f["fingerprint"] for f in json.load(open(sys.argv[1]))["findings"]))' "$dir/out-offline.json"); then
  echo "  the offline scan of the snapshot has the same findings as the live scan"
else
  echo "  WARNING: offline and live findings differ" >&2
fi
