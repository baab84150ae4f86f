// rbac_query: load time of the RBAC model and the time of who-can / can queries on the given paths.
//
// Times (1) ingestPaths, (2) rbac::Model::build (aggregation, bindings, index), (3) whoCan for a few
// requests (best and median of 200 runs each, with the number of answers), (4) permissionsOf for one
// service account. Prints the peak RSS. Usage: rbac_query PATH...   (e.g. the output of gen_rbac.py)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "kspm/ingest.h"
#include "kspm/rbac.h"

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

template <typename F>
void timeIt(const char* what, F&& run) {
  std::vector<double> times;
  size_t answers = 0;
  for (int i = 0; i < 200; ++i) {
    double t0 = now();
    answers = run();
    times.push_back(now() - t0);
  }
  std::sort(times.begin(), times.end());
  std::printf("%-48s %8zu answers  best %8.3f ms  median %8.3f ms\n", what, answers, times.front() * 1e3,
              times[times.size() / 2] * 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kspm;
  if (argc < 2) {
    std::fputs("Usage: rbac_query PATH...\n", stderr);
    return 2;
  }
  std::vector<std::string> paths(argv + 1, argv + argc);
  double t0 = now();
  ObjectSet objects = ingestPaths(paths, IngestOptions{});
  double t1 = now();
  std::unique_ptr<rbac::Model> model = rbac::Model::build(objects);
  double t2 = now();
  std::printf("objects %zu, input errors %zu, roles %zu, bindings %zu, dangling %zu\n", objects.objects().size(),
              objects.errors().size(), model->roles().size(), model->bindings().size(), model->dangling().size());
  std::printf("ingest %.1f ms, model build %.1f ms, peak RSS %ld MB\n", (t1 - t0) * 1e3, (t2 - t1) * 1e3,
              statusKb("VmHWM:") / 1024);

  struct Query {
    const char* label;
    rbac::Request request;
  };
  std::vector<Query> queries = {
      {"who-can get secrets -n ns-7", {"get", "", "secrets", "", "ns-7", ""}},
      {"who-can get secrets (any scope)", {"get", "", "secrets", "", "", ""}},
      {"who-can create pods/exec -n ns-7 --name obj-3", {"create", "", "pods", "exec", "ns-7", "obj-3"}},
      {"who-can update deployments/scale.apps -n ns-1", {"update", "apps", "deployments", "scale", "ns-1", ""}},
      {"who-can escalate clusterroles.rbac...", {"escalate", "rbac.authorization.k8s.io", "clusterroles", "", "", ""}},
  };
  for (const Query& q : queries) timeIt(q.label, [&] { return model->whoCan(q.request).size(); });
  timeIt("can serviceaccount:ns-7:sa-7", [&] {
    return model->permissionsOf({"ServiceAccount", "sa-7", "ns-7"}, {}).grants.size();
  });
  return 0;
}
