// scan_phases: where the time of `kspm scan -o json` goes, phase by phase, on the given paths.
//
// Times (1) ingestPaths (read, split, libyaml parse, tree building, object assembly), (2) the
// engine alone over every object (findings discarded), (3) the engine with JSON formatting on the
// workers (the report text is counted, not written). Also prints the peak RSS after ingest.
// Usage: scan_phases PATH [THREADS]   (THREADS 0 or absent = all cores)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "kspm/catalog.h"
#include "kspm/engine.h"
#include "kspm/ingest.h"
#include "kspm/report.h"

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

long statusKb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kspm;
  if (argc < 2) {
    std::fputs("Usage: scan_phases PATH [THREADS]\n", stderr);
    return 2;
  }
  unsigned threads = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 0;
  IngestOptions options;
  options.threads = threads;
  double t0 = now();
  ObjectSet objects = ingestPaths({argv[1]}, options);
  double t1 = now();
  long hwm_ingest = statusKb("VmHWM:");
  Engine engine(Catalog::builtin(), ScanPolicy{});
  size_t findings = 0;
  engine.run(
      objects, threads, [](std::span<const ObjectFindings>) { return std::string(); },
      [&](std::span<const ObjectFindings> batch, std::string&&) {
        for (const ObjectFindings& r : batch) findings += r.findings.size();
      });
  double t2 = now();
  ReportOptions report_options;
  std::unique_ptr<Reporter> reporter = makeReporter(OutputFormat::kJson, engine, objects, report_options);
  size_t bytes = 0;
  engine.run(
      objects, threads, [&](std::span<const ObjectFindings> batch) { return reporter->formatBatch(batch); },
      [&](std::span<const ObjectFindings> batch, std::string&& text) {
        bytes += reporter->accept(batch, std::move(text)).size();
      });
  double t3 = now();
  std::printf("objects=%zu findings=%zu json_bytes=%zu ingest=%.3fs engine=%.3fs engine+json=%.3fs "
              "peak_rss_after_ingest=%ldMB\n",
              objects.objects().size(), findings, bytes, t1 - t0, t2 - t1, t3 - t2, hwm_ingest * 1024 / 1000000);
  return 0;
}
