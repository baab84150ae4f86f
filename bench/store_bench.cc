// The history store's issue 9 numbers: record a scan of N synthetic findings (default 100,000)
// into a fresh store, record a second scan of the same target (1% fixed, 1% new: the steady
// state), then diff the two. Usage: store_bench LOCATION [N]   (LOCATION: a new SQLite file or a
// postgresql:// URL of an empty database or schema). bench/run_store_bench.sh runs both backends.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kspm/store.h"

namespace {

kspm::FindingRecord syntheticFinding(size_t i) {
  static const char* kChecks[] = {"pss-privileged", "pss-run-as-non-root", "cis-5.2.6", "nsa-readonly-root",
                                  "res-no-limits", "img-latest-tag"};
  kspm::FindingRecord f;
  char fp[17];
  std::snprintf(fp, sizeof fp, "%016zx", i * 2654435761u);
  f.fingerprint = fp;
  f.check_id = kChecks[i % 6];
  f.severity = static_cast<kspm::Severity>(i % 5);
  f.state = i % 50 == 0 ? kspm::FindingState::kSuppressed : kspm::FindingState::kActive;
  f.message = "container \"app\" of Deployment web-" + std::to_string(i / 6) + " must not run privileged";
  f.api_group = "apps";
  f.kind = "Deployment";
  f.namespace_ = "team-" + std::to_string(i % 40);
  f.name = "web-" + std::to_string(i / 6);
  f.container = "app";
  f.field = "spec.template.spec.containers[app].securityContext.privileged";
  f.path = "spec.template.spec.containers[0].securityContext.privileged";
  f.file = "manifests/team-" + std::to_string(i % 40) + "/web-" + std::to_string(i / 6) + ".yaml";
  f.line = static_cast<uint32_t>(10 + i % 200);
  f.owner = "team-" + std::to_string(i % 40);
  return f;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/** CPU seconds of this process (user + system): the machine is shared, so wall time is noisy. */
double cpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: store_bench LOCATION [FINDINGS]\n");
    return 2;
  }
  size_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;
  auto opened = kspm::store::Store::open(argv[1]);
  if (!opened.ok()) {
    std::fprintf(stderr, "store_bench: %s\n", kspm::describeInputError(opened.error()).c_str());
    return 3;
  }
  kspm::store::Store& store = *opened.value();
  if (!store.registerRoute("bench").ok()) return 3;

  kspm::ScanRecord first;
  first.target = "bench-cluster";
  first.started_at = "2026-11-27T06:00:00Z";
  first.objects = n / 6;
  for (size_t i = 0; i < n; ++i) first.findings.push_back(syntheticFinding(i));
  kspm::ScanRecord second = first;
  second.started_at = "2026-11-27T07:00:00Z";
  second.findings.clear();
  for (size_t i = n / 100; i < n + n / 100; ++i) second.findings.push_back(syntheticFinding(i));

  auto t0 = std::chrono::steady_clock::now();
  double c0 = cpuSeconds();
  auto a = store.recordScan(first);
  double record_first = secondsSince(t0), record_first_cpu = cpuSeconds() - c0;
  if (!a.ok()) {
    std::fprintf(stderr, "store_bench: %s\n", kspm::describeInputError(a.error()).c_str());
    return 3;
  }
  t0 = std::chrono::steady_clock::now();
  c0 = cpuSeconds();
  auto b = store.recordScan(second);
  double record_second = secondsSince(t0), record_second_cpu = cpuSeconds() - c0;
  if (!b.ok()) {
    std::fprintf(stderr, "store_bench: %s\n", kspm::describeInputError(b.error()).c_str());
    return 3;
  }
  t0 = std::chrono::steady_clock::now();
  c0 = cpuSeconds();
  auto d = store.diff(a.value().scan.id, b.value().scan.id);
  double diff_seconds = secondsSince(t0), diff_cpu = cpuSeconds() - c0;
  if (!d.ok()) return 3;
  auto pending = store.pendingDeliveries("bench", {"team-7"}, 0);
  if (!pending.ok()) return 3;

  std::printf("backend %s, %zu findings per scan\n", std::string(store.backend()).c_str(), n);
  std::printf("(wall seconds; kspm's own CPU seconds in brackets: PostgreSQL's server work is not in them)\n");
  std::printf("record scan 1 (all new):          %.3f s [%.3f]  (%llu new events)\n", record_first, record_first_cpu,
              static_cast<unsigned long long>(a.value().scan.new_findings));
  std::printf("record scan 2 (1%% fixed, 1%% new): %.3f s [%.3f]  (%llu new, %llu resolved)\n", record_second,
              record_second_cpu,
              static_cast<unsigned long long>(b.value().scan.new_findings),
              static_cast<unsigned long long>(b.value().scan.resolved));
  std::printf("diff scan 1 -> scan 2:            %.3f s [%.3f]  (%zu added, %zu removed, %zu changed)\n", diff_seconds,
              diff_cpu,
              d.value().added.size(), d.value().removed.size(), d.value().changed.size());
  std::printf("pending for one owner of 40:      %zu events\n", pending.value().size());
  return 0;
}
