#!/usr/bin/env bash
# End-to-end scan benchmark (not a unit test; never part of ctest).
#
# Generates a 200 MB input in $BENCH_DIR (default /tmp/kspm-bench), once as one file and once as
# ~200 files, then for each layout times
#   kspm scan -o json --output-file OUT INPUT                (default threads = all cores)
#   kspm scan -o json --output-file OUT --threads 1 INPUT
# with /usr/bin/time -v (wall, user, sys, max RSS), runs yaml_tokenize (libyaml's scanner alone,
# 2 threads) over the same input, checks the two JSON reports are byte-identical, and prints MB/s,
# objects/s, RSS/input ratio and the ratio to tokenising.
#
# Usage: bench/run_scan_bench.sh [BUILD_DIR]     (default: build-bench next to this script's repo)
# Environment: MEGABYTES (default 200), FILES (default 200), SEED (default 1), BENCH_DIR, REPEAT
# (default 1: runs per configuration; the fastest is reported).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
build="${1:-$repo/build-bench}"
kspm="$build/kspm"
tok="$build/yaml_tokenize"
megabytes="${MEGABYTES:-200}"
files="${FILES:-200}"
seed="${SEED:-1}"
dir="${BENCH_DIR:-/tmp/kspm-bench}"
repeat="${REPEAT:-1}"

for bin in "$kspm" "$tok"; do
  [[ -x "$bin" ]] || { echo "missing $bin: build first (ninja -C $build)" >&2; exit 2; }
done
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is required (apt-get install time)" >&2; exit 2; }
mkdir -p "$dir"

gen() {  # gen OUT FILES -> prints the generator's summary line
  python3 "$here/gen_manifests.py" --megabytes "$megabytes" --files "$2" --seed "$seed" --out "$1"
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/{print $2}') GiB RAM"
one_info="$(gen "$dir/one.yaml" 1)"
many_info="$(gen "$dir/many" "$files")"
echo "== input (1 file):    $one_info"
echo "== input ($files files): $many_info"

field() { sed -n "s#\(.* \|^\)$1=\([0-9.]*\).*#\2#p" <<<"$2"; }
objects="$(field objects "$one_info")"
bytes="$(field bytes "$one_info")"

# timed LABEL OUT ARGS... : runs kspm scan REPEAT times, keeps the fastest; sets T_WALL T_USER T_SYS T_RSS_KB
timed() {
  local label="$1" out="$2"; shift 2
  local best="" log="$dir/time.log" rc
  for ((i = 0; i < repeat; i++)); do
    rc=0
    /usr/bin/time -v -o "$log" "$kspm" scan -o json --output-file "$out" "$@" || rc=$?
    # exit 1 = findings at or above --fail-on (expected here); anything else is a failure
    if [[ $rc -ne 0 && $rc -ne 1 ]]; then echo "kspm scan failed with exit code $rc" >&2; cat "$log" >&2; exit 1; fi
    local wall user sys rss
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(j=1;j<=n;j++) s=s*60+a[j]; print s}' "$log")"
    user="$(awk -F': ' '/User time/{print $2}' "$log")"
    sys="$(awk -F': ' '/System time/{print $2}' "$log")"
    rss="$(awk -F': ' '/Maximum resident set size/{print $2}' "$log")"
    if [[ -z "$best" ]] || awk -v a="$wall" -v b="$T_WALL" 'BEGIN{exit !(a<b)}'; then
      T_WALL="$wall" T_USER="$user" T_SYS="$sys" T_RSS_KB="$rss"; best=1
    fi
  done
  awk -v l="$label" -v w="$T_WALL" -v u="$T_USER" -v s="$T_SYS" -v r="$T_RSS_KB" -v b="$bytes" -v o="$objects" 'BEGIN{
    printf "%-28s wall %6.2fs  user %6.2fs  sys %5.2fs  %6.1f MB/s  %8.0f objects/s  peak RSS %5.0f MB (%.2fx input)\n",
      l, w, u, s, b/1e6/w, o/w, r*1024/1e6, r*1024/b }'
}

tokenize() {  # tokenize LABEL INPUT : sets TOK_MBS
  local line
  line="$("$tok" --threads 2 "$2")"
  TOK_MBS="$(field 'MB/s' "$line")"
  printf "%-28s %s\n" "$1" "$line"
}

status=0
for layout in one many; do
  if [[ $layout == one ]]; then input="$dir/one.yaml"; else input="$dir/many"; fi
  echo
  echo "== layout: $layout ($input)"
  tokenize "yaml_tokenize (2 threads)" "$input"
  timed "kspm scan (default threads)" "$dir/out-$layout-default.json" "$input"
  w_default="$T_WALL"; rss_default="$T_RSS_KB"
  timed "kspm scan --threads 1" "$dir/out-$layout-t1.json" --threads 1 "$input"
  w_one="$T_WALL"
  if cmp -s "$dir/out-$layout-default.json" "$dir/out-$layout-t1.json"; then
    echo "outputs: byte-identical ($(stat -c %s "$dir/out-$layout-default.json") bytes)"
  else
    echo "outputs: DIFFER between default threads and --threads 1" >&2
    status=1
  fi
  awk -v b="$bytes" -v w="$w_default" -v w1="$w_one" -v t="$TOK_MBS" -v r="$rss_default" 'BEGIN{
    mbs = b/1e6/w
    printf "summary: %.1f MB/s (bar 60: %s), peak RSS %.2fx input (bar 3x: %s), speedup threads=1 -> default %.2fx, scan at %.2f of libyaml tokenising (tokenising is %.2fx faster)\n",
      mbs, (mbs >= 60 ? "met" : "NOT met"), r*1024/b, (r*1024/b <= 3 ? "met" : "NOT met"), w1/w, mbs/t, t/mbs }'
done
exit $status
