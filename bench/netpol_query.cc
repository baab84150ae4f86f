// netpol_query: where the time of NetworkPolicy reachability goes, phase by phase, on the given paths.
//
// Times (1) ingestPaths (read, parse, objects), (2) netpol::Model::build, (3) computeMatrix with
// --threads threads (classes, external ranges, edges), (4) --queries reach queries between random
// workload pairs and as many within one namespace (fixed seed; mean, median and max per query), plus
// a few from external addresses, (5) computeExposure of every workload (best of 3; widest level
// counts). Then checks --check random pairs: the matrix edge between the two workloads' classes must
// equal what reach() says. Prints one line per phase (steady_clock wall time; for the first three
// also the process CPU time, as the machine may be loaded) and the peak RSS (getrusage) at the end.
// Usage: netpol_query FILE... [--queries N] [--threads T] [--check K]   (e.g. the output of gen_netpol.py)
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kspm/ingest.h"
#include "kspm/netpol.h"

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

/** CPU seconds of the whole process (all threads): on a loaded machine, wall time alone misleads. */
double cpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

long peakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // kilobytes on Linux
}

struct Stats {
  double mean = 0, median = 0, max = 0, min = 0;
};

Stats stats(std::vector<double> times) {
  Stats s;
  if (times.empty()) return s;
  std::sort(times.begin(), times.end());
  double sum = 0;
  for (double t : times) sum += t;
  s.mean = sum / times.size();
  s.median = times[times.size() / 2];
  s.max = times.back();
  s.min = times.front();
  return s;
}

int usage() {
  std::fputs("Usage: netpol_query FILE... [--queries N] [--threads T] [--check K]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kspm;
  using namespace kspm::netpol;
  std::vector<std::string> paths;
  int queries = 1000;
  int threads = 1;
  int check = 200;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](int* out) {
      if (i + 1 >= argc) return false;
      char* end = nullptr;
      long v = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || v < 0) return false;
      *out = static_cast<int>(v);
      return true;
    };
    if (arg == "--queries") {
      if (!value(&queries)) return usage();
    } else if (arg == "--threads") {
      if (!value(&threads) || threads < 1) return usage();
    } else if (arg == "--check") {
      if (!value(&check)) return usage();
    } else if (arg == "-h" || arg == "--help") {
      return usage();
    } else {
      paths.push_back(arg);
    }
  }
  if (paths.empty()) return usage();

  // (1) load + parse
  double c0 = cpuNow(), t0 = now();
  ObjectSet objects = ingestPaths(paths, IngestOptions{});
  double t1 = now(), c1 = cpuNow();
  std::printf("%-28s %9.1f ms (cpu %7.1f ms)  objects %zu, input errors %zu\n", "load+parse", (t1 - t0) * 1e3,
              (c1 - c0) * 1e3, objects.objects().size(), objects.errors().size());

  // (2) model
  c0 = cpuNow(), t0 = now();
  std::unique_ptr<Model> model = Model::build(objects);
  t1 = now(), c1 = cpuNow();
  const std::vector<WorkloadInfo>& workloads = model->workloads();
  size_t isolated_in = 0, isolated_out = 0;
  for (uint32_t w = 0; w < workloads.size(); ++w) {
    if (!model->ingressPolicies(w).empty()) ++isolated_in;
    if (!model->egressPolicies(w).empty()) ++isolated_out;
  }
  std::printf(
      "%-28s %9.1f ms (cpu %7.1f ms)  workloads %zu (ingress-isolated %zu, egress-isolated %zu), "
      "namespaces %zu, policies %zu, foreign %zu, problems %zu\n",
      "model build", (t1 - t0) * 1e3, (c1 - c0) * 1e3, workloads.size(), isolated_in, isolated_out,
      model->namespaces().size(), model->policies().size(), model->foreignPolicies().size(), model->problems().size());
  for (size_t i = 0; i < model->problems().size() && i < 5; ++i) {
    const Problem& p = model->problems()[i];
    std::printf("  problem line %u: %s\n", p.line, p.message.c_str());
  }
  if (workloads.empty()) {
    std::printf("no workloads: nothing to query\n");
    return 0;
  }

  // (3) matrix
  c0 = cpuNow(), t0 = now();
  Matrix matrix = computeMatrix(*model, threads);
  t1 = now(), c1 = cpuNow();
  size_t edges_allowed = 0, edges_depends = 0, edges_unknown = 0, class_edges = 0;
  for (const Matrix::Edge& e : matrix.edges) {
    const Matrix::Connectivity& c = matrix.connectivities[e.connectivity];
    if (!c.allowed.empty()) ++edges_allowed;
    if (!c.depends.empty()) ++edges_depends;
    if (!c.unknown.empty()) ++edges_unknown;
    if (!e.from.external && !e.to.external) ++class_edges;
  }
  char label[64];
  std::snprintf(label, sizeof label, "matrix (threads %d)", threads);
  std::printf(
      "%-28s %9.1f ms (cpu %7.1f ms)  classes %zu, externals %zu, edges %zu (class-to-class %zu; with "
      "allowed %zu, depends %zu, unknown %zu), distinct connectivities %zu\n",
      label, (t1 - t0) * 1e3, (c1 - c0) * 1e3, matrix.classes.size(), matrix.externals.size(), matrix.edges.size(),
      class_edges, edges_allowed, edges_depends, edges_unknown, matrix.connectivities.size());

  // (4) reach queries between random workload pairs, then between random pairs of one namespace
  // (most random pairs cross namespaces, where default-deny policies decide early).
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<uint32_t> pick(0, static_cast<uint32_t>(workloads.size() - 1));
  std::map<std::string_view, std::vector<uint32_t>> by_namespace;
  for (uint32_t w = 0; w < workloads.size(); ++w) by_namespace[workloads[w].ns].push_back(w);
  for (int same_ns = 0; same_ns < 2; ++same_ns) {
    std::vector<std::pair<uint32_t, uint32_t>> pairs;
    for (int i = 0; i < queries; ++i) {
      uint32_t a = pick(rng);
      uint32_t b = pick(rng);
      if (same_ns) {
        const std::vector<uint32_t>& peers = by_namespace[workloads[a].ns];
        b = peers[b % peers.size()];
      }
      pairs.emplace_back(a, b);
    }
    std::vector<double> times;
    size_t reach_allowed = 0, reach_depends = 0, reach_unknown = 0;
    for (const auto& [a, b] : pairs) {
      double q0 = now();
      Reach r = model->reach(Endpoint::ofWorkload(a), Endpoint::ofWorkload(b));
      times.push_back(now() - q0);
      if (!r.allowed.empty()) ++reach_allowed;
      if (!r.depends.empty()) ++reach_depends;
      if (!r.unknown.empty()) ++reach_unknown;
    }
    Stats s = stats(times);
    std::snprintf(label, sizeof label, same_ns ? "reach same-namespace x%d" : "reach x%d", queries);
    std::printf(
        "%-28s %9.1f ms  per query mean %.3f ms, median %.3f ms, max %.3f ms; pairs with allowed %zu, "
        "depends %zu, unknown %zu\n",
        label, s.mean * times.size() * 1e3, s.mean * 1e3, s.median * 1e3, s.max * 1e3, reach_allowed, reach_depends,
        reach_unknown);
  }

  // ... and from external addresses (the internet, a partner /24, a pod-network address) to random workloads.
  const char* external_cidrs[] = {"0.0.0.0/0", "203.0.113.0/24", "10.1.2.3/32"};
  for (const char* cidr : external_cidrs) {
    std::string error;
    std::optional<IpSet> addresses = IpSet::parseCidr(cidr, &error);
    if (!addresses) {
      std::printf("external %s: %s\n", cidr, error.c_str());
      continue;
    }
    Endpoint from = Endpoint::ofExternal(*addresses, cidr);
    std::vector<double> ext_times;
    size_t allowed = 0;
    for (int i = 0; i < 100; ++i) {
      uint32_t to = pick(rng);
      double q0 = now();
      Reach r = model->reach(from, Endpoint::ofWorkload(to));
      ext_times.push_back(now() - q0);
      if (!r.allowed.empty()) ++allowed;
    }
    Stats es = stats(ext_times);
    std::snprintf(label, sizeof label, "reach from %s x100", cidr);
    std::printf("%-28s %9.1f ms  per query mean %.3f ms, median %.3f ms, max %.3f ms; allowed %zu\n", label,
                es.mean * ext_times.size() * 1e3, es.mean * 1e3, es.median * 1e3, es.max * 1e3, allowed);
  }

  // (5) exposure of every workload
  std::vector<double> exposure_times;
  size_t by_level[4] = {0, 0, 0, 0};
  size_t paths_total = 0;
  for (int run = 0; run < 3; ++run) {
    double e0 = now();
    std::vector<Exposure> exposure = computeExposure(*model);
    exposure_times.push_back(now() - e0);
    if (run == 0) {
      for (const Exposure& e : exposure) {
        ++by_level[static_cast<int>(e.level)];
        paths_total += e.paths.size();
      }
    }
  }
  Stats xs = stats(exposure_times);
  std::printf(
      "%-28s %9.1f ms  (best of 3; median %.1f ms) none %zu, namespace %zu, cluster %zu, internet %zu; "
      "paths %zu\n",
      "exposure (all)", xs.min * 1e3, xs.median * 1e3, by_level[0], by_level[1], by_level[2], by_level[3], paths_total);

  // Consistency: the matrix edge between two workloads' classes equals reach()'s answer.
  if (check > 0) {
    std::vector<uint32_t> class_of(workloads.size(), UINT32_MAX);
    for (uint32_t c = 0; c < matrix.classes.size(); ++c) {
      for (uint32_t w : matrix.classes[c].workloads) class_of[w] = c;
    }
    std::map<std::pair<uint32_t, uint32_t>, const Matrix::Connectivity*> edge_of;
    for (const Matrix::Edge& e : matrix.edges) {
      if (!e.from.external && !e.to.external)
        edge_of[{e.from.index, e.to.index}] = &matrix.connectivities[e.connectivity];
    }
    size_t unclassed = 0, mismatches = 0, compared = 0;
    t0 = now();
    for (int i = 0; i < check; ++i) {
      uint32_t a = pick(rng), b = pick(rng);
      if (a == b) continue;  // a pod reaches itself; the matrix's class-to-itself edge is between different pods
      ++compared;
      if (class_of[a] == UINT32_MAX || class_of[b] == UINT32_MAX) {
        ++unclassed;
        continue;
      }
      Reach r = model->reach(Endpoint::ofWorkload(a), Endpoint::ofWorkload(b));
      auto it = edge_of.find({class_of[a], class_of[b]});
      static const Matrix::Connectivity kNone;
      const Matrix::Connectivity& c = it == edge_of.end() ? kNone : *it->second;
      const ConnSet& allowed = c.allowed;
      const ConnSet& depends = c.depends;
      const ConnSet& unknown = c.unknown;
      if (!(allowed == r.allowed && depends == r.depends && unknown == r.unknown)) {
        if (++mismatches <= 3) {
          std::printf(
              "  MISMATCH %s -> %s: matrix allowed [%s] depends [%s] unknown [%s], reach allowed [%s] "
              "depends [%s] unknown [%s]\n",
              workloads[a].label().c_str(), workloads[b].label().c_str(), allowed.toString().c_str(),
              depends.toString().c_str(), unknown.toString().c_str(), r.allowed.toString().c_str(),
              r.depends.toString().c_str(), r.unknown.toString().c_str());
        }
      }
    }
    t1 = now();
    std::snprintf(label, sizeof label, "check x%d", check);
    std::printf("%-28s %9.1f ms  matrix vs reach: %zu pairs compared, %zu mismatches, %zu workloads in no class\n",
                label, (t1 - t0) * 1e3, compared, mismatches, unclassed);
  }

  std::printf("%-28s %9.1f MB\n", "peak RSS", peakRssKb() / 1024.0);
  return 0;
}
