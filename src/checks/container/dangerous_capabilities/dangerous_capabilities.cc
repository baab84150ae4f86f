// container-dangerous-capabilities: capabilities.add grants one of the capabilities below, each a
// known path to the host or to other workloads, or ALL (reported as critical: it includes
// SYS_ADMIN). SYS_ADMIN alone is container-sys-admin's, NET_RAW container-net-raw's. Names match in
// any case, with or without CAP_; an add that a named drop removes again (drops apply after adds)
// is not reported, nor ALL when drop also holds ALL. Privileged containers are pss-privileged's.
#include "checks/container/capabilities.h"
#include "checks/container/container_checks.h"

namespace kspm::checks::container {
namespace {

struct DangerousCapability {
  std::string_view name;
  std::string_view why;
};

constexpr DangerousCapability kDangerous[] = {
    {"SYS_PTRACE", "can trace and inject code into other processes it can see"},
    {"SYS_MODULE", "can load kernel modules, which is full control of the node"},
    {"DAC_READ_SEARCH", "bypasses read permission checks and allows open_by_handle_at (the \"shocker\" escape)"},
    {"DAC_OVERRIDE", "bypasses file permission checks"},
    {"NET_ADMIN", "can reconfigure interfaces, routes and firewall rules"},
    {"SYS_RAWIO", "gets raw I/O port and memory access"},
    {"BPF", "can load BPF programs"},
    {"PERFMON", "can use perf monitoring, which leaks kernel and other processes' data"},
    {"SYS_BOOT", "can call reboot and kexec_load"},
    {"SYS_TIME", "can set the node's clock, which containers share"},
    {"MKNOD", "can create device files"},
    {"SETFCAP", "can give binaries file capabilities"},
    {"ALL", "gets every capability, SYS_ADMIN included"},
};

const DangerousCapability* dangerous(std::string_view canonical) {
  for (const DangerousCapability& cap : kDangerous) {
    if (cap.name == canonical) return &cap;
  }
  return nullptr;
}

class DangerousCapabilitiesCheck final : public PodSpecCheck {
 public:
  DangerousCapabilitiesCheck()
      : PodSpecCheck({
            .id = "container-dangerous-capabilities",
            .title = "Container adds a dangerous capability",
            .severity = Severity::kHigh,
            .description =
                "Capabilities such as SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH, NET_ADMIN, SYS_RAWIO, BPF or "
                "PERFMON give a compromised container direct ways to escape to the node or to spy on other "
                "workloads; ALL grants all of them.",
            .remediation =
                "Remove the capability from securityContext.capabilities.add (drop ALL and add back only "
                "what the workload provably needs, such as NET_BIND_SERVICE).",
            .controls = {{"cis", "5.2.9"}, {"nsa", "capabilities"}},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    if (isWindowsPodSpec(pod)) return;
    forEachContainer(pod, [&](const ContainerRef& c) {
      if (isPrivilegedContainer(c)) return;
      forEachEffectiveAdd(capabilityLists(c), [&](const Node& item, uint32_t index, const std::string& canonical) {
        const DangerousCapability* cap = dangerous(canonical);
        if (cap == nullptr) return;
        Finding& finding = sink.add(
            item, containerLabel(c) + " adds " + quoted(item.str()) + ": it " + std::string(cap->why),
            c.path + ".securityContext.capabilities.add[" + std::to_string(index) + "]",
            c.field + ".securityContext.capabilities.add[" + canonical + "]", std::string(c.name));
        if (canonical == "ALL") finding.severity = Severity::kCritical;
      });
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeDangerousCapabilitiesCheck() { return std::make_unique<DangerousCapabilitiesCheck>(); }

}  // namespace kspm::checks::container
