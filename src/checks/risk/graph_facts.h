// The security graph of a scan, built once (ScanContext::derived) with the scan's vulnerability
// data and cloud admins, and what the risk checks ask of it per workload.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "kspm/check.h"
#include "kspm/graph.h"

namespace kspm::checks::risk {

struct GraphFacts {
  std::unique_ptr<graph::Graph> graph;
  struct WorkloadEdges {
    uint32_t vertex = 0;
    int64_t exposure = -1;  // edge internet -> its endpoint
    int64_t exploit = -1;   // edge its endpoint -> it (a vulnerability report says so)
  };
  std::unordered_map<const Object*, WorkloadEdges> workloads;
  /** Per vertex: the likeliest path's likelihood to any crown jewel (0 when none), and that jewel. */
  std::vector<double> jewel_likelihood;
  std::vector<uint32_t> jewel_of;
  /** The vertex an object stands for (workload, permission set of a binding, service account). */
  std::unordered_map<const Object*, uint32_t> vertex_of;
};

/** A finding's risk: score 0-100 and the factors, for `object` at `severity`. */
struct Risk {
  int16_t score = 0;
  std::string factors;
};
Risk riskOf(const GraphFacts& facts, const Object& object, Severity severity);

/** The scan's graph facts; built by the first caller. */
const GraphFacts& graphFacts(const EvalContext& context);

}  // namespace kspm::checks::risk
