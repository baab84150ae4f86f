#!/usr/bin/env bash
# Scaling of cross-object checks (not a unit test; never part of ctest): times
#   kspm scan -o json --output-file OUT --fail-on none INPUT
# on bench/gen_one_namespace.py inputs of N, 2N and 4N objects per kind in one namespace and
# prints each time and its ratio to the previous (about 2 when linear, about 4 when quadratic).
# Usage: bench/run_scaling_bench.sh [BUILD_DIR] ; environment: N (default 4000), BENCH_DIR.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-$(dirname "$here")/build-bench}"
n="${N:-4000}"
dir="${BENCH_DIR:-/tmp/kspm-scaling}"
mkdir -p "$dir"
previous=""
for k in 1 2 4; do
  count=$((n * k))
  input="$dir/one-namespace-$count.yaml"
  [[ -f "$input" ]] || python3 "$here/gen_one_namespace.py" "$count" > "$input"
  seconds=$(python3 -c 'import subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], check=True)
print(f"{time.monotonic() - t:.3f}")' "$build/kspm" scan -o json --output-file "$dir/out.json" --fail-on none "$input")
  ratio=""
  [[ -n "$previous" ]] && ratio=$(python3 -c "print(f'  x{$seconds / $previous:.2f}')")
  printf "N=%-6d objects=%-7d %s s%s\n" "$count" "$((count * 8 + 1))" "$seconds" "$ratio"
  previous="$seconds"
done
