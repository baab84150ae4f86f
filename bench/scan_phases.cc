// scan_phases: where the time of `kspm scan -o json` goes, phase by phase, on the given paths.
//
// Times (1) ingestPaths (read, split, libyaml parse, tree building, object assembly), (2) the
// engine alone over every object (findings discarded), (3) the engine with JSON formatting on the
// workers (the report text is counted, not written). Also prints the peak RSS after ingest, and
// on its own line the per-scan facts the engine derives before or during a run, each timed alone
// after the runs: the ScanContext (object index, one thread), the NetworkPolicy model and the
// exposure of every workload (which split their passes over the hardware threads on large inputs).
// The model and exposure are built by the first check that needs them while the other workers wait
// for them, so their wall time counts in full in the engine's.
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
#include "kspm/netpol.h"
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
  double t4 = now();
  ScanContext context = buildScanContext(Catalog::builtin(), objects);
  double t5 = now();
  netpol::BuildOptions model_options;
  model_options.index = &context.index;
  std::unique_ptr<netpol::Model> model = netpol::Model::build(objects, model_options);
  double t6 = now();
  std::vector<netpol::Exposure> exposure = netpol::computeExposure(*model);
  double t7 = now();
  std::printf("derived, alone: scan_context=%.3fs netpol_model=%.3fs (%zu workloads, %zu policies) "
              "exposure=%.3fs\n",
              t5 - t4, t6 - t5, model->workloads().size(), model->policies().size(), t7 - t6);
  return 0;
}
