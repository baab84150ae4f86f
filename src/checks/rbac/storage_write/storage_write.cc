// rbac-storage-write: a Role/ClusterRole rule that lets its subjects modify or delete
// PersistentVolumes, or create, modify or delete StorageClasses. Creating PersistentVolumes is
// rbac-pv-create (CIS 5.1.9). Both are cluster-scoped: a Role's rules apply only to requests in its
// namespace, so a Role granting them grants nothing and is not reported.
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {
namespace {

class StorageWriteCheck final : public RoleGrantCheck {
 public:
  StorageWriteCheck()
      : RoleGrantCheck({
            .id = "rbac-storage-write",
            .title = "Role can modify PersistentVolumes or StorageClasses",
            .severity = Severity::kMedium,
            .description =
                "PersistentVolumes and StorageClasses are cluster-wide: update or patch on a "
                "PersistentVolume re-points it (or its reclaim policy) under the pods that use it, delete "
                "destroys data of every namespace, and a StorageClass decides where, how and with which "
                "parameters new volumes of every namespace are provisioned.",
            .remediation = "Leave PersistentVolumes to the storage provisioners and StorageClasses to the "
                           "cluster's deployment pipeline; remove write verbs on them from other roles.",
            .controls = {{"nsa", "rbac"}},
        }) {}

 protected:
  bool match(const Object& role, const Node& rule, uint32_t, const EvalContext&, RuleMatch* out) const override {
    if (role.kind != "ClusterRole") return false;
    RuleMatch volumes, classes;
    bool on_volumes = matchGrants(rule, {"update", "patch", "delete"}, {{"", "persistentvolumes"}}, &volumes);
    bool on_classes = matchGrants(rule, {"create", "update", "patch", "delete"},
                                  {{"storage.k8s.io", "storageclasses"}}, &classes);
    if (!on_volumes && !on_classes) return false;
    if (on_volumes && on_classes) {
      *out = volumes;
      out->what += " and " + classes.what.substr(classes.what.find(' ') + 1);
      out->named_only = volumes.named_only && classes.named_only;
    } else {
      *out = on_volumes ? volumes : classes;
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<Check> makeStorageWriteCheck() { return std::make_unique<StorageWriteCheck>(); }

}  // namespace kspm::checks::rbac
