// workload-pdb-blocks-eviction: a PodDisruptionBudget that allows no voluntary eviction whatever
// the replica count: maxUnavailable 0 or 0%, minAvailable 100%, or (policy/v1) neither field set.
// Budgets that block only at the workload's current replica count are
// workload-single-replica-pdb's business.
#include "checks/net/cross_object.h"
#include "checks/workload/pdb.h"
#include "checks/workload/workload_checks.h"

namespace kspm::checks::workload {
namespace {

class PdbBlocksEvictionCheck final : public net::BasicCheck {
 public:
  PdbBlocksEvictionCheck()
      : BasicCheck({
            .id = "workload-pdb-blocks-eviction",
            .title = "PodDisruptionBudget allows no eviction",
            .severity = Severity::kMedium,
            .description =
                "A budget that never allows a disruption makes every eviction of its pods fail: kubectl "
                "drain, cluster autoscaler scale-down and node upgrades hang until someone deletes the "
                "budget or the pods by hand, which delays security patching of the nodes.",
            .remediation =
                "Allow at least one disruption: set maxUnavailable to 1 (or a percentage above 0), or a "
                "minAvailable below the replica count, and run enough replicas to tolerate it.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"PodDisruptionBudget"},
        }) {}

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (!net::isPodDisruptionBudget(object)) return;
    AlwaysBlocks blocks = alwaysBlocks(object);
    if (blocks.at == nullptr) return;
    sink.add(*blocks.at, blocks.reason, blocks.path, blocks.path);
  }
};

}  // namespace

std::unique_ptr<Check> makePdbBlocksEvictionCheck() { return std::make_unique<PdbBlocksEvictionCheck>(); }

}  // namespace kspm::checks::workload
