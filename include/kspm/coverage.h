// What a scan could not see. A live-cluster scan records every resource it could not list
// (forbidden, not served, failed); the engine then reports the checks that depend on those kinds
// as "not assessable" instead of passing them silently. Manifest scans have none.
// Thread safety: plain values.
#pragma once

#include <string>
#include <vector>

namespace kspm {

struct UnreadableResource {
  std::string group;       // API group, "" for core
  std::string resource;    // plural resource name, e.g. "clusterroles"
  std::string kind;        // e.g. "ClusterRole"; what checks are keyed by
  std::string namespace_;  // "" when the resource could not be listed in any namespace asked for
  std::string reason;      // for people: "forbidden: User \"x\" cannot list ...", "not served", ...
};

}  // namespace kspm
