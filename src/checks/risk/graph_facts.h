// The security graph of a scan, built once (ScanContext::derived) with the scan's vulnerability
// data and cloud admins, and what the risk checks ask of it per workload.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

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
};

/** The scan's graph facts; built by the first caller. */
const GraphFacts& graphFacts(const EvalContext& context);

}  // namespace kspm::checks::risk
