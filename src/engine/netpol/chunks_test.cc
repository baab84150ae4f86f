// Splitting the model's and the exposure's passes over threads (engine/netpol/internal.h runChunks):
// every item is visited once, and results merged in chunk order are those of one pass in input
// order, also on an input large enough to be split (on a machine with one core it is not, and the
// same assertions hold).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine/netpol/internal.h"
#include "kspm/netpol.h"
#include "test_util.h"

namespace kspm::netpol {
namespace {

TEST(NetpolChunks, RunChunksVisitsEveryItemOnceInContiguousRanges) {
  for (size_t chunks : {1u, 2u, 3u, 7u}) {
    std::vector<std::pair<size_t, size_t>> ranges(chunks);
    std::vector<int> visits(1000, 0);
    runChunks(visits.size(), chunks, [&](size_t chunk, size_t begin, size_t end) {
      ranges[chunk] = {begin, end};
      for (size_t i = begin; i < end; ++i) ++visits[i];  // ranges are disjoint: no two threads share an item
    });
    EXPECT_EQ(ranges.front().first, 0u);
    EXPECT_EQ(ranges.back().second, 1000u);
    for (size_t c = 1; c < chunks; ++c) EXPECT_EQ(ranges[c].first, ranges[c - 1].second) << chunks << " chunks";
    EXPECT_EQ(std::count(visits.begin(), visits.end(), 1), 1000) << chunks << " chunks";
  }
  // More chunks than items: some ranges are empty, none overlap.
  std::vector<int> visits(2, 0);
  runChunks(visits.size(), 5, [&](size_t, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) ++visits[i];
  });
  EXPECT_EQ(visits, (std::vector<int>{1, 1}));
}

TEST(NetpolChunks, ChunkCountKeepsSmallInputsOnTheCallersThread) {
  EXPECT_EQ(chunkCount(0, 4096), 1u);
  EXPECT_EQ(chunkCount(4095, 4096), 1u);
  EXPECT_EQ(chunkCount(8191, 4096), 1u);
  size_t many = chunkCount(size_t{1} << 30, 1);
  EXPECT_GE(many, 1u);
  EXPECT_LE(many, 8u);
  EXPECT_LE(chunkCount(3 * 4096, 4096), 3u);
}

// 9,000 Deployments (enough for the per-workload and per-Service passes to split on two cores),
// each behind two NodePort Services: every "b-" Service first, then every "a-" one, so that a
// workload's two Services fall in different chunks; among 50,000 ConfigMaps in 50 namespaces
// (enough objects for the namespace pass to split), plus one default-deny policy.
std::string largeInput() {
  std::string out;
  out.reserve(8 << 20);
  auto ns_of = [](int i) { return "app-" + std::to_string(i % 7); };
  for (int i = 0; i < 9000; ++i) {
    std::string n = std::to_string(i);
    out += "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w" + n + ", namespace: " + ns_of(i) +
           "}\nspec:\n  template:\n    metadata:\n      labels: {app: w" + n +
           "}\n    spec:\n      containers:\n      - name: c\n        image: x\n        ports:\n"
           "        - {name: http, containerPort: 8080}\n---\n";
  }
  for (const char* prefix : {"b-", "a-"}) {
    for (int i = 0; i < 9000; ++i) {
      std::string n = std::to_string(i);
      out += "apiVersion: v1\nkind: Service\nmetadata: {name: " + std::string(prefix) + n + ", namespace: " + ns_of(i) +
             "}\nspec:\n  type: NodePort\n  selector: {app: w" + n + "}\n  ports:\n  - {port: 80, targetPort: http}\n---\n";
    }
  }
  for (int i = 0; i < 50000; ++i) {
    out += "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c" + std::to_string(i) + ", namespace: cm-" +
           std::to_string(i % 50) + "}\n---\n";
  }
  out += "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: app-3}\n"
         "spec:\n  podSelector: {}\n  policyTypes: [Ingress]\n---\n";
  return out;
}

TEST(NetpolChunks, LargeInputKeepsInputOrderInModelAndExposure) {
  ObjectSet set = kspm::testing::loadText(largeInput());
  std::unique_ptr<Model> model = Model::build(set);
  ASSERT_EQ(model->workloads().size(), 9000u);
  for (uint32_t w = 0; w < 9000; ++w) {
    ASSERT_EQ(model->workloads()[w].name, "w" + std::to_string(w)) << "workloads in input order";
  }
  // Every namespace something lives in, sorted: app-0..6 and cm-0..49.
  ASSERT_EQ(model->namespaces().size(), 57u);
  EXPECT_EQ(model->namespaces().front().name, "app-0");
  EXPECT_EQ(model->namespaces().back().name, "cm-9");
  ASSERT_NE(model->namespaceInfo("cm-49"), nullptr);

  std::vector<Exposure> exposure = computeExposure(*model);
  ASSERT_EQ(exposure.size(), 9000u);
  for (uint32_t w = 0; w < 9000; ++w) {
    const Exposure& e = exposure[w];
    ASSERT_EQ(e.workload, w);
    ASSERT_EQ(e.paths.size(), 3u) << "w" << w;
    EXPECT_EQ(e.paths[0].channel, "pod network");
    // The Services' paths in their input order (b- before a-), though they fell in different chunks.
    std::string n = std::to_string(w);
    ASSERT_NE(e.paths[1].via, nullptr);
    ASSERT_NE(e.paths[2].via, nullptr);
    EXPECT_EQ(e.paths[1].via->name, "b-" + n);
    EXPECT_EQ(e.paths[2].via->name, "a-" + n);
    bool denied = w % 7 == 3;  // app-3 has a default deny for ingress
    EXPECT_EQ(e.paths[0].level, denied ? ExposureLevel::kNone : ExposureLevel::kCluster) << "w" << w;
    EXPECT_EQ(e.paths[1].narrowed_by.size(), denied ? 1u : 0u) << "w" << w;
  }
}

}  // namespace
}  // namespace kspm::netpol
