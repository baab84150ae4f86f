#!/usr/bin/env bash
# Admission webhook benchmark (not a unit test; never part of ctest).
#
# Starts `kspm webhook` with a fresh self-signed certificate and drives it with wrk over TLS
# keep-alive (2 threads, 16 connections, 30 s by default) POSTing a typical Deployment CREATE
# AdmissionReview with managedFields (bench/gen_admission_review.py, about 4.8 KB). Prints wrk's
# throughput and client-side latency percentiles, then the server's own decision time (complete
# request read → response handed to TLS) from the kspm_webhook_decision_seconds histogram of
# /metrics (the difference over the measured run; p50/p99 interpolated inside buckets).
# wrk runs on the same machine (both share its cores).
#
# Requirements (Debian): apt-get install wrk openssl curl python3
# Usage: bench/run_webhook_bench.sh [BUILD_DIR]   (default: build next to this script's repo)
# Environment: DURATION (default 30s), THREADS (wrk, default 2), CONNECTIONS (default 16),
# SERVER_THREADS (kspm event loops, default: one per core), PORT (default 18443),
# CONFIG (a kspm config file; default: none), BENCH_DIR (default /tmp/kspm-webhook-bench),
# DELAY_MS (each connection pauses that many ms between reviews: latency at a set rate, about
# CONNECTIONS * 1000 / DELAY_MS reviews/s; default: none, i.e. saturation).
# SERVER_CPUS / CLIENT_CPUS: taskset CPU lists for kspm and wrk (e.g. 0 and 1: the server on one
# core, the load generator on the other, as an API server on other machines would be; kspm then
# runs one event loop per usable CPU). Default: not pinned.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
build="${1:-$repo/build}"
kspm="$build/kspm"
duration="${DURATION:-30s}"
threads="${THREADS:-2}"
connections="${CONNECTIONS:-16}"
port="${PORT:-18443}"
dir="${BENCH_DIR:-/tmp/kspm-webhook-bench}"

for tool in wrk openssl curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk openssl curl python3)" >&2; exit 2; }
done
[ -x "$kspm" ] || { echo "no kspm binary at $kspm (build first)" >&2; exit 2; }
mkdir -p "$dir"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=kspm-webhook-bench \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
python3 "$here/gen_admission_review.py" > "$dir/review.json"

args=(webhook --tls-cert "$dir/tls.crt" --tls-key "$dir/tls.key" --listen "127.0.0.1:$port")
if [ -n "${CONFIG:-}" ]; then args+=(--config "$CONFIG"); else args+=(--no-config); fi
if [ -n "${SERVER_THREADS:-}" ]; then args+=(--threads "$SERVER_THREADS"); fi
server_pin=(); client_pin=()
if [ -n "${SERVER_CPUS:-}" ]; then server_pin=(taskset -c "$SERVER_CPUS"); fi
if [ -n "${CLIENT_CPUS:-}" ]; then client_pin=(taskset -c "$CLIENT_CPUS"); fi
"${server_pin[@]}" "$kspm" "${args[@]}" 2> "$dir/server.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf --cacert "$dir/tls.crt" "https://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
url="https://127.0.0.1:$port/validate"
echo "review: $(wc -c < "$dir/review.json") bytes; decision: $(curl -s --cacert "$dir/tls.crt" --data-binary @"$dir/review.json" "$url" | head -c 300)"

export KSPM_REVIEW="$dir/review.json"
"${client_pin[@]}" wrk -t"$threads" -c"$connections" -d5s -s "$here/webhook_review.lua" "$url" > /dev/null  # warm-up
curl -s --cacert "$dir/tls.crt" "https://127.0.0.1:$port/metrics" > "$dir/metrics.before"
if [ -n "${DELAY_MS:-}" ]; then
  export KSPM_DELAY_MS="$DELAY_MS"
  echo "paced: each connection waits ${DELAY_MS} ms between reviews (offered load about $((connections * 1000 / DELAY_MS))/s)"
fi
echo "wrk -t$threads -c$connections -d$duration --latency (TLS keep-alive)"
"${client_pin[@]}" wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/webhook_review.lua" "$url" | tee "$dir/wrk.txt"
curl -s --cacert "$dir/tls.crt" "https://127.0.0.1:$port/metrics" > "$dir/metrics.after"

python3 - "$dir/metrics.before" "$dir/metrics.after" <<'PY'
import sys

def histogram(path):
    buckets, count, total = {}, 0.0, 0.0
    for line in open(path):
        if line.startswith("kspm_webhook_decision_seconds_bucket{le=\""):
            le = line.split('"')[1]
            buckets[float("inf") if le == "+Inf" else float(le)] = float(line.split()[-1])
        elif line.startswith("kspm_webhook_decision_seconds_count "):
            count = float(line.split()[-1])
        elif line.startswith("kspm_webhook_decision_seconds_sum "):
            total = float(line.split()[-1])
    return buckets, count, total

b0, c0, s0 = histogram(sys.argv[1])
b1, c1, s1 = histogram(sys.argv[2])
count = c1 - c0
bounds = sorted(b1)
cumulative = [b1[b] - b0.get(b, 0) for b in bounds]

def quantile(q):
    rank = q * count
    lower, below = 0.0, 0.0
    for bound, at in zip(bounds, cumulative):
        if at >= rank:
            if bound == float("inf"):
                return lower
            inside = at - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 0)
        lower, below = bound, at
    return lower

if count <= 0:
    print("server: no decisions recorded")
else:
    print("server decisions: %d, mean %.1f us, p50 %.1f us, p99 %.1f us, p99.9 %.1f us (from the histogram)" %
          (count, (s1 - s0) / count * 1e6, quantile(0.5) * 1e6, quantile(0.99) * 1e6, quantile(0.999) * 1e6))
PY
grep -v '^#' "$dir/metrics.after" | grep -E 'requests_total|errors_total' | grep -v ' 0$' || true
