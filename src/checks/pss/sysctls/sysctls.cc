// PSS baseline "sysctls": only namespaced, isolated ("safe") sysctls may be set.
// Upstream: policy/check_sysctls.go, versions 1.0, 1.27, 1.29, 1.32 and 1.37 (the allowed list
// grows). Restricted field: spec.securityContext.sysctls[*].name.
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

struct SafeSysctl {
  std::string_view name;
  uint32_t since_minor;  // first policy version v1.<minor> that allows it
};

constexpr SafeSysctl kSafeSysctls[] = {
    {"kernel.shm_rmid_forced", 0},
    {"net.ipv4.ip_local_port_range", 0},
    {"net.ipv4.tcp_syncookies", 0},
    {"net.ipv4.ping_group_range", 0},
    {"net.ipv4.ip_unprivileged_port_start", 0},
    {"net.ipv4.ip_local_reserved_ports", 27},
    {"net.ipv4.tcp_keepalive_time", 29},
    {"net.ipv4.tcp_fin_timeout", 29},
    {"net.ipv4.tcp_keepalive_intvl", 29},
    {"net.ipv4.tcp_keepalive_probes", 29},
    {"net.ipv4.tcp_rmem", 32},
    {"net.ipv4.tcp_wmem", 32},
    {"net.ipv4.tcp_slow_start_after_idle", 37},
    {"net.ipv4.tcp_notsent_lowat", 37},
};

bool isSafe(std::string_view name, uint32_t minor) {
  for (const SafeSysctl& s : kSafeSysctls) {
    if (s.name == name) return minor >= s.since_minor;
  }
  return false;
}

class SysctlsCheck final : public PssCheck {
 public:
  SysctlsCheck()
      : PssCheck({
            .id = "pss-sysctls",
            .title = "Unsafe sysctl",
            .severity = Severity::kMedium,
            .description =
                "Sysctls outside the safe, namespaced set can disable security mechanisms or "
                "affect every pod on the node.",
            .remediation =
                "Remove every entry from spec.securityContext.sysctls that is not in the Pod Security "
                "Standards safe sysctl list.",
            .controls = pssControls(PssLevel::kBaseline, "sysctls"),
            .scope = Scope::kPodSpec,
            .pss_id = "sysctls",
            .pss_level = PssLevel::kBaseline,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t minor, FindingSink& sink) const override {
    const Node* sysctls = field(podSecurityContext(pod), "sysctls");
    if (sysctls == nullptr || !sysctls->isArray()) return;
    uint32_t index = 0;
    for (const Node& sysctl : sysctls->items()) {
      const Node* name = field(&sysctl, "name");
      std::string name_text = text(name);
      if (!isSafe(name_text, minor)) {
        sink.add(name != nullptr ? *name : sysctl,
                 "pod must not set forbidden sysctl " + quoted(name_text),
                 pod.spec_path + ".securityContext.sysctls[" + std::to_string(index) + "].name",
                 "securityContext.sysctls[" + name_text + "].name");
      }
      ++index;
    }
  }
};

}  // namespace

std::unique_ptr<Check> makeSysctlsCheck() { return std::make_unique<SysctlsCheck>(); }

}  // namespace kspm::checks::pss
