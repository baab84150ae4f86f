// Internals shared by the NetworkPolicy model, reach, matrix and exposure code.
#pragma once

#include <algorithm>
#include <cctype>
#include <memory>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kspm/netpol.h"

namespace kspm::netpol {

/** How a peer of a rule matches the other side of a connection. */
enum class PeerMatch : uint8_t { kNo, kYes, kUnknown, kDepends };

/** Facts about a workload computed once when the model is built. */
struct WorkloadFacts {
  std::vector<uint32_t> ingress_policies;  // policies selecting it that isolate ingress
  std::vector<uint32_t> egress_policies;   // ... egress
  std::vector<std::pair<uint32_t, Tri>> peer_states;  // pod peers it matches (kYes/kUnknown), by peer id
};

/** One side of a connection as the evaluator sees it. */
struct View {
  bool external = false;
  const IpSet* addresses = nullptr;         // external
  std::string_view ns;
  const NamespaceInfo* ns_info = nullptr;   // never null for pods
  const Labels* labels = nullptr;
  const std::vector<ContainerPort>* ports = nullptr;
  bool host_network = false;
  bool unknown_namespace = false;           // a pod of some namespace whose name is not known
  int64_t workload = -1;                    // index when a workload of the model
  const WorkloadFacts* facts = nullptr;     // precomputed, for workloads
};

struct Model::Impl {
  std::vector<WorkloadFacts> facts;
  std::vector<const PolicyPeer*> peers;    // by peer id
  std::vector<uint32_t> peer_policy;       // policy index of each peer
  std::unordered_map<std::string_view, uint32_t> namespace_index;   // into Model::namespaces()
  std::unordered_map<std::string_view, std::vector<uint32_t>> workloads_by_ns;
  std::unordered_map<std::string_view, std::vector<uint32_t>> policies_by_ns;
  /** Namespaces only referenced by a kPod endpoint live here (labels: metadata.name only). */
  mutable std::vector<std::unique_ptr<NamespaceInfo>> extra_namespaces;

  const Model* model = nullptr;

  /** The view of an endpoint; `scratch` holds a namespace the model never saw. */
  View viewOf(const Endpoint& endpoint, NamespaceInfo* scratch) const;

  /** How `peer` of a policy in `policy_ns` matches `other`. */
  PeerMatch matchPeer(const PolicyPeer& peer, std::string_view policy_ns, const View& other) const;

  /** The connections a rule's ports admit on destination `dst`. */
  static ConnSet rulePorts(const PolicyRule& rule, const View& dst);

  /**
   * One direction: `subject`'s egress towards `other` (egress true), or `subject`'s ingress from
   * `other`; `dst` is the connection's destination (named ports resolve on it). With `explain`
   * false, effects and notes are not filled in.
   */
  DirectionResult direction(bool egress, const View& subject, const View& other, const View& dst, bool explain) const;

  /** Combines both directions into `out` (allowed/depends/unknown), without foreign policies. */
  static void combine(Reach& out);

  /** Widens `out` where other engines' policies may apply to `src` (egress) or `dst` (ingress). */
  void applyForeign(Reach& out, const View& src, const View& dst, bool explain) const;
};

/** ASCII case-insensitive equality (kinds, annotation values). */
inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

/**
 * How many chunks to cut `items` into for runChunks: one per hardware thread (at most 8), each of at
 * least `min_per_chunk` items, so that small inputs stay on the caller's thread.
 */
inline size_t chunkCount(size_t items, size_t min_per_chunk) {
  size_t hardware = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  return std::clamp<size_t>(items / std::max<size_t>(min_per_chunk, 1), 1, hardware);
}

/**
 * Calls fn(chunk, begin, end) for each of `chunks` contiguous ranges of [0, items), chunk 0 on the
 * caller's thread and the others on threads of their own (or the caller's, when a thread cannot be
 * started), and returns when all are done. Used where the model's build and the exposure touch
 * every workload or Service once: on a large input that is mostly waiting on memory, and the scan
 * engine's other workers wait for the result. `fn` must write only its own chunk's outputs, so the
 * results do not depend on the split.
 */
template <typename Fn>
void runChunks(size_t items, size_t chunks, Fn&& fn) {
  chunks = std::max<size_t>(chunks, 1);
  auto run = [&](size_t chunk) { fn(chunk, items * chunk / chunks, items * (chunk + 1) / chunks); };
  std::vector<std::thread> pool;
  size_t started = 1;
  for (; started < chunks; ++started) {
    try {
      pool.emplace_back(run, started);
    } catch (...) {
      break;  // no thread to be had: the rest run here
    }
  }
  run(0);
  for (size_t chunk = started; chunk < chunks; ++chunk) run(chunk);
  for (std::thread& t : pool) t.join();
}

/** Namespaced label lookup on sorted labels; nullptr when absent. */
const std::string_view* findLabel(const Labels& labels, std::string_view key);

}  // namespace kspm::netpol
