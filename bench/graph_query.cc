// graph_query: where the time of the security graph (issue 6) goes, phase by phase, on a cluster dump.
//
// Times (1) ingestPaths of CLUSTER.yaml, (2) loading every *.json vulnerability report under --vulns DIR
// (MB/s over their total size), (3) Graph::build with that database, (4) findPaths from the internet
// and (5) from every workload ("any pod": all workload vertices as sources), both to every crown
// jewel with --k paths per source, target and ranking (total time, the expansions spent and whether
// the global cap was hit), (6) --queries single path queries, each from a random workload to
// "cluster-admin" with k=3 (fixed seed; mean, median and max). With --components, also the models
// Graph::build builds inside (rbac::Model::build, netpol::Model::build, computeExposure,
// computeMatrix with 2 threads), each on its own, to attribute the build's time. Prints vertex
// counts by kind and edge counts by technique (largest first), the peak RSS (getrusage) and the high
// water mark after each phase.
// Usage: graph_query CLUSTER.yaml [--vulns DIR] [--k 3] [--queries N] [--max-expansions N] [--components]
//        (e.g. the output of bench/gen_graph.py)
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <queue>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kspm/graph.h"
#include "kspm/ingest.h"
#include "kspm/netpol.h"
#include "kspm/rbac.h"
#include "kspm/vulns.h"

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

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

long statusKb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  }
  return 0;
}

/** " (cpu X ms, rss Y MB, hwm Z MB)" */
std::string tail(double c0) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "(cpu %8.1f ms, rss %6.0f MB, hwm %6.0f MB)", (cpuNow() - c0) * 1e3,
                statusKb("VmRSS:") / 1024.0, statusKb("VmHWM:") / 1024.0);
  return buf;
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
  s.mean = sum / static_cast<double>(times.size());
  s.median = times[times.size() / 2];
  s.max = times.back();
  s.min = times.front();
  return s;
}

int usage() {
  std::fputs("Usage: graph_query CLUSTER.yaml [--vulns DIR] [--k 3] [--queries N] [--max-expansions N] [--components] [--prototype]\n",
             stderr);
  return 2;
}

size_t pathCount(const kspm::graph::PathAnswer& a) {
  size_t n = 0;
  for (const kspm::graph::PathResult& r : a.results) n += r.shortest.size() + r.riskiest.size();
  return n;
}

/**
 * A bench-local copy of the engine's k-best search (paths.cc: best-first over partial paths, each
 * vertex expanded at most kSlack * k times, simple paths) with one change: it stops as soon as the
 * target has k paths. Best-first order makes those the same k paths the full search finds. Used
 * with --prototype to measure what early termination would give a single path query.
 */
constexpr uint32_t kSlack = 4;  // paths.cc's kExpansionSlack
struct ProtoStep {
  uint32_t vertex;
  int32_t edge;
  int32_t parent;
  uint32_t hops;
  double cost;
};
struct ProtoKey {
  double primary, secondary;
  uint32_t step;
  bool operator>(const ProtoKey& o) const {
    if (primary != o.primary) return primary > o.primary;
    if (secondary != o.secondary) return secondary > o.secondary;
    return step > o.step;
  }
};
struct ProtoResult {
  std::vector<double> costs;  // of the paths found, in order (hops for shortest, -log p for riskiest)
  uint64_t pops = 0, pushes = 0;
};
ProtoResult protoSearch(const kspm::graph::Graph& g, uint32_t source, uint32_t target, uint32_t k, bool by_likelihood) {
  ProtoResult r;
  std::vector<ProtoStep> arena;
  std::vector<uint32_t> expanded(g.vertices().size(), 0);
  std::priority_queue<ProtoKey, std::vector<ProtoKey>, std::greater<ProtoKey>> queue;
  auto push = [&](ProtoStep st) {
    arena.push_back(st);
    ++r.pushes;
    uint32_t id = static_cast<uint32_t>(arena.size() - 1);
    queue.push(by_likelihood ? ProtoKey{st.cost, static_cast<double>(st.hops), id}
                             : ProtoKey{static_cast<double>(st.hops), st.cost, id});
  };
  auto on_path = [&](int32_t at, uint32_t v) {
    for (int32_t i = at; i >= 0; i = arena[i].parent) {
      if (arena[i].vertex == v) return true;
    }
    return false;
  };
  push({source, -1, -1, 0, 0.0});
  while (!queue.empty() && r.costs.size() < k) {
    ProtoKey key = queue.top();
    queue.pop();
    ++r.pops;
    ProtoStep st = arena[key.step];
    if (expanded[st.vertex] >= k * kSlack) continue;
    ++expanded[st.vertex];
    if (st.vertex == target && st.edge >= 0) {
      r.costs.push_back(by_likelihood ? st.cost : st.hops);
      continue;  // a path through the target to the target is not simple
    }
    for (uint32_t e : g.out(st.vertex)) {
      const kspm::graph::Edge& edge = g.edges()[e];
      if (expanded[edge.to] >= k * kSlack || on_path(static_cast<int32_t>(key.step), edge.to)) continue;
      push({edge.to, static_cast<int32_t>(e), static_cast<int32_t>(key.step), st.hops + 1,
            st.cost - std::log(std::max(edge.likelihood, 1e-9))});
    }
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kspm;
  std::vector<std::string> inputs;
  std::string vulns_dir;
  long k = 3, queries = 100, max_expansions = -1;
  bool components = false, prototype = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](long* out) {
      if (i + 1 >= argc) return false;
      char* end = nullptr;
      long v = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || v < 0) return false;
      *out = v;
      return true;
    };
    if (arg == "--vulns") {
      if (i + 1 >= argc) return usage();
      vulns_dir = argv[++i];
    } else if (arg == "--k") {
      if (!value(&k) || k < 1) return usage();
    } else if (arg == "--queries") {
      if (!value(&queries)) return usage();
    } else if (arg == "--max-expansions") {
      if (!value(&max_expansions) || max_expansions < 1) return usage();
    } else if (arg == "--components") {
      components = true;
    } else if (arg == "--prototype") {
      prototype = true;
    } else if (arg == "-h" || arg == "--help") {
      return usage();
    } else {
      inputs.push_back(arg);
    }
  }
  if (inputs.empty()) return usage();

  // (1) ingest
  double c0 = cpuNow(), t0 = now();
  ObjectSet objects = ingestPaths(inputs, IngestOptions{});
  double t1 = now();
  uintmax_t input_bytes = 0;
  for (const std::string& p : inputs) {
    std::error_code ec;
    uintmax_t n = std::filesystem::file_size(p, ec);
    if (!ec) input_bytes += n;
  }
  std::map<std::string, size_t> kinds;
  for (const Object& o : objects.objects()) ++kinds[std::string(o.kind)];
  std::printf("%-26s %9.1f ms %s  %.1f MB, %.0f MB/s, objects %zu, input errors %zu\n", "ingest", (t1 - t0) * 1e3,
              tail(c0).c_str(), input_bytes / 1e6, input_bytes / 1e6 / (t1 - t0), objects.objects().size(),
              objects.errors().size());
  std::string kind_line;
  for (const auto& [kind, n] : kinds) kind_line += " " + kind + " " + std::to_string(n) + ",";
  if (!kind_line.empty()) kind_line.pop_back();
  std::printf("  objects:%s\n", kind_line.c_str());
  for (size_t i = 0; i < objects.errors().size() && i < 3; ++i) {
    std::printf("  input error: %s\n", describeInputError(objects.errors()[i]).c_str());
  }

  // (2) vulnerability reports
  vulns::Database db;
  bool with_vulns = !vulns_dir.empty();
  if (with_vulns) {
    std::vector<std::string> files;
    uintmax_t bytes = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(vulns_dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        files.push_back(entry.path().string());
        bytes += entry.file_size();
      }
    }
    std::sort(files.begin(), files.end());
    size_t failed = 0, images = 0, vulns = 0;
    std::string first_error;
    c0 = cpuNow(), t0 = now();
    for (const std::string& f : files) {
      Result<size_t> r = db.loadReport(f);
      if (!r.ok()) {
        if (failed++ == 0) first_error = describeInputError(r.error());
      } else {
        images += r.value();
      }
    }
    t1 = now();
    for (const vulns::ImageReport& img : db.images()) vulns += img.vulns.size();
    std::printf("%-26s %9.1f ms %s  %zu files, %.1f MB, %.0f MB/s, images %zu, vulnerabilities %zu, failed %zu\n",
                "vulns load", (t1 - t0) * 1e3, tail(c0).c_str(), files.size(), bytes / 1e6, bytes / 1e6 / (t1 - t0),
                images, vulns, failed);
    if (failed) std::printf("  first error: %s\n", first_error.c_str());
  }

  // Components of the build, each on its own (informational).
  std::unique_ptr<netpol::Model> net_model;
  netpol::Matrix net_matrix;
  if (components) {
    c0 = cpuNow(), t0 = now();
    std::unique_ptr<rbac::Model> rb = rbac::Model::build(objects);
    t1 = now();
    std::printf("%-26s %9.1f ms %s  bindings %zu, roles %zu\n", "  [rbac::Model::build]", (t1 - t0) * 1e3,
                tail(c0).c_str(), rb->bindings().size(), rb->roles().size());
    c0 = cpuNow(), t0 = now();
    net_model = netpol::Model::build(objects);
    const std::unique_ptr<netpol::Model>& net = net_model;
    t1 = now();
    std::printf("%-26s %9.1f ms %s  workloads %zu, namespaces %zu, policies %zu\n", "  [netpol::Model::build]",
                (t1 - t0) * 1e3, tail(c0).c_str(), net->workloads().size(), net->namespaces().size(),
                net->policies().size());
    c0 = cpuNow(), t0 = now();
    std::vector<netpol::Exposure> exposure = netpol::computeExposure(*net);
    t1 = now();
    size_t internet = 0;
    for (const netpol::Exposure& e : exposure) internet += e.level == netpol::ExposureLevel::kInternet;
    std::printf("%-26s %9.1f ms %s  internet-exposed %zu\n", "  [computeExposure]", (t1 - t0) * 1e3, tail(c0).c_str(),
                internet);
    c0 = cpuNow(), t0 = now();
    net_matrix = netpol::computeMatrix(*net, 2);
    const netpol::Matrix& matrix = net_matrix;
    t1 = now();
    std::printf("%-26s %9.1f ms %s  classes %zu, edges %zu\n", "  [computeMatrix(2)]", (t1 - t0) * 1e3,
                tail(c0).c_str(), matrix.classes.size(), matrix.edges.size());
  }

  // (3) build
  graph::BuildOptions options;
  if (with_vulns) options.vulns = &db;
  c0 = cpuNow(), t0 = now();
  std::unique_ptr<graph::Graph> g = graph::Graph::build(objects, options);
  t1 = now();
  const double build_s = t1 - t0;
  std::printf("%-26s %9.1f ms %s  vertices %zu, edges %zu, notes %zu\n", "Graph::build", build_s * 1e3,
              tail(c0).c_str(), g->vertices().size(), g->edges().size(), g->notes().size());
  std::map<std::string_view, size_t> by_kind;
  std::vector<uint32_t> workloads, jewels;
  for (uint32_t v = 0; v < g->vertices().size(); ++v) {
    const graph::Vertex& x = g->vertices()[v];
    ++by_kind[graph::vertexKindName(x.kind)];
    if (x.kind == graph::VertexKind::kWorkload) workloads.push_back(v);
    if (x.jewel) jewels.push_back(v);
  }
  std::string line;
  for (const auto& [kind, n] : by_kind) line += " " + std::string(kind) + " " + std::to_string(n) + ",";
  line.pop_back();
  std::printf("  vertices:%s; crown jewels %zu\n", line.c_str(), jewels.size());
  std::map<graph::Technique, size_t> by_technique;
  for (const graph::Edge& e : g->edges()) ++by_technique[e.technique];
  std::vector<std::pair<size_t, graph::Technique>> sorted;
  for (const auto& [t, n] : by_technique) sorted.emplace_back(n, t);
  std::sort(sorted.rbegin(), sorted.rend());
  line.clear();
  for (size_t i = 0; i < sorted.size(); ++i) {
    line += " " + std::string(graph::techniqueId(sorted[i].second)) + " " + std::to_string(sorted[i].first) + ",";
    if (i % 6 == 5 && i + 1 < sorted.size()) line += "\n          ";
  }
  if (!line.empty()) line.pop_back();
  std::printf("  edges:%s\n", line.c_str());
  for (size_t i = 0; i < g->notes().size() && i < 3; ++i) std::printf("  note: %s\n", g->notes()[i].c_str());
  size_t evidence_bytes = 0;
  for (const graph::Edge& e : g->edges()) evidence_bytes += e.evidence.capacity() > 15 ? e.evidence.capacity() + 1 : 0;
  std::printf("  edge storage: %zu bytes per Edge, evidence strings on the heap %.0f MB\n", sizeof(graph::Edge),
              evidence_bytes / 1e6);
  if (net_model) {
    // Lateral NETWORK_REACH edges (network position -> endpoint of a vulnerable workload): how many
    // there would be with one vertex per (position, target class) pair in between.
    std::map<const Object*, uint32_t> workload_of;
    for (uint32_t w = 0; w < net_model->workloads().size(); ++w) workload_of[net_model->workloads()[w].object] = w;
    std::vector<uint32_t> class_of(net_model->workloads().size(), UINT32_MAX);
    for (uint32_t c = 0; c < net_matrix.classes.size(); ++c) {
      for (uint32_t w : net_matrix.classes[c].workloads) class_of[w] = c;
    }
    size_t lateral = 0;
    std::set<std::pair<uint32_t, uint32_t>> pairs;
    std::set<uint32_t> endpoints;
    for (const graph::Edge& e : g->edges()) {
      if (e.technique != graph::Technique::kNetworkReach) continue;
      const graph::Vertex& from = g->vertices()[e.from];
      const graph::Vertex& to = g->vertices()[e.to];
      if (!from.name.starts_with("pod network position") || to.kind != graph::VertexKind::kEndpoint) continue;
      ++lateral;
      auto it = workload_of.find(to.object);
      if (it == workload_of.end()) continue;
      pairs.emplace(e.from, class_of[it->second]);
      endpoints.insert(e.to);
    }
    std::printf("  lateral NETWORK_REACH edges %zu; with a vertex per (position, target class) in between: %zu + %zu = %zu\n",
                lateral, pairs.size(), endpoints.size(), pairs.size() + endpoints.size());
  }

  // (4) + (5) k best paths from every entry point to every crown jewel
  double paths_s = 0;
  for (int from_pods = 0; from_pods < 2; ++from_pods) {
    graph::PathQuery q;
    q.k = static_cast<uint32_t>(k);
    if (max_expansions > 0) q.max_expansions = static_cast<uint32_t>(max_expansions);
    q.sources = from_pods ? workloads : std::vector<uint32_t>{g->internet()};
    q.combine_sources = from_pods;  // "any pod": one search from every workload at once
    c0 = cpuNow(), t0 = now();
    graph::PathAnswer a = graph::findPaths(*g, q);
    t1 = now();
    paths_s += t1 - t0;
    std::printf("%-26s %9.1f ms %s  sources %zu, results %zu, paths %zu, expansions %llu of %u, capped %s\n",
                from_pods ? "findPaths any-pod" : "findPaths internet", (t1 - t0) * 1e3, tail(c0).c_str(),
                q.sources.size(), a.results.size(), pathCount(a), static_cast<unsigned long long>(a.expansions),
                q.max_expansions, a.capped ? "YES" : "no");
  }
  std::printf("%-26s %9.1f ms  (bar: < 5000 ms)\n", "build + all paths", (build_s + paths_s) * 1e3);

  // (6) single path queries: a random workload to cluster-admin, k=3
  std::optional<uint32_t> admin = g->find("cluster-admin");
  if (queries > 0 && admin && !workloads.empty()) {
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<size_t> pick(0, workloads.size() - 1);
    std::vector<double> times;
    size_t found = 0, capped = 0;
    uint64_t expansions = 0;
    for (long i = 0; i < queries; ++i) {
      graph::PathQuery q;
      q.k = 3;
      if (max_expansions > 0) q.max_expansions = static_cast<uint32_t>(max_expansions);
      q.sources = {workloads[pick(rng)]};
      q.targets = {*admin};
      double q0 = now();
      graph::PathAnswer a = graph::findPaths(*g, q);
      times.push_back(now() - q0);
      found += !a.results.empty();
      capped += a.capped;
      expansions += a.expansions;
    }
    Stats s = stats(times);
    char label[64];
    std::snprintf(label, sizeof label, "path query x%ld", queries);
    std::printf(
        "%-26s %9.1f ms  per query mean %.2f ms, median %.2f ms, max %.2f ms (bar: < 100 ms); with a path %zu, "
        "capped %zu, mean expansions %.0f\n",
        label, s.mean * times.size() * 1e3, s.mean * 1e3, s.median * 1e3, s.max * 1e3, found, capped,
        static_cast<double>(expansions) / static_cast<double>(times.size()));
    if (prototype) {
      // The same queries with the early-exit copy of the search, and whether it finds the same paths.
      std::mt19937_64 rng2(1);
      std::vector<double> ptimes;
      size_t same = 0, compared = 0;
      uint64_t pops = 0, pushes = 0;
      for (long i = 0; i < queries; ++i) {
        uint32_t source = workloads[pick(rng2)];
        double q0 = now();
        ProtoResult sh = protoSearch(*g, source, *admin, 3, false);
        ProtoResult ri = protoSearch(*g, source, *admin, 3, true);
        ptimes.push_back(now() - q0);
        pops += sh.pops + ri.pops;
        pushes += sh.pushes + ri.pushes;
        graph::PathQuery q;
        q.k = 3;
        q.sources = {source};
        q.targets = {*admin};
        graph::PathAnswer a = graph::findPaths(*g, q);
        if (a.capped) continue;
        ++compared;
        std::vector<double> sh_e, ri_e;
        if (!a.results.empty()) {
          for (const graph::Path& p : a.results[0].shortest) sh_e.push_back(static_cast<double>(p.edges.size()));
          for (const graph::Path& p : a.results[0].riskiest) ri_e.push_back(-std::log(p.likelihood));
        }
        bool ok = sh_e.size() == sh.costs.size() && ri_e.size() == ri.costs.size();
        for (size_t j = 0; ok && j < sh_e.size(); ++j) ok = sh_e[j] == sh.costs[j];
        for (size_t j = 0; ok && j < ri_e.size(); ++j) ok = std::fabs(ri_e[j] - ri.costs[j]) < 1e-6;
        same += ok;
      }
      Stats ps = stats(ptimes);
      std::printf(
          "%-26s %9.1f ms  per query mean %.2f ms, median %.2f ms, max %.2f ms; mean pops %.0f, pushes %.0f; same "
          "paths as the engine %zu of %zu uncapped\n",
          "  [early-exit search]", ps.mean * ptimes.size() * 1e3, ps.mean * 1e3, ps.median * 1e3, ps.max * 1e3,
          static_cast<double>(pops) / ptimes.size(), static_cast<double>(pushes) / ptimes.size(), same, compared);
    }
  } else if (queries > 0) {
    std::printf("path queries: skipped (no cluster-admin vertex or no workload)\n");
  }

  std::printf("%-26s %9.1f MB  (bar: < 2048 MB)\n", "peak RSS", peakRssKb() / 1024.0);
  return 0;
}
