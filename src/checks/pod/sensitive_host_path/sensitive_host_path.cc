// pod-sensitive-host-path: a hostPath volume of a host path whose contents give away the node:
// system configuration and credentials, kubelet and runtime state, logs of every pod, kernel
// interfaces and device nodes, the CNI binaries the kubelet runs as root. The path is cleaned
// lexically first (trailing slashes, ".", ".."); "/" matches only itself, every other entry also
// matches everything below it. Critical when some container mounts the volume writable, high when
// every mount is read-only or no container mounts it (an ephemeral container still could). A
// runtime socket file is pod-container-runtime-socket's only. A few single files that pods commonly
// need and that allow no more than disruption (the iptables lock, the time zone) are reported one
// level lower: medium writable, low read-only. Symlinks on the node cannot be resolved from a
// manifest.
#include "checks/pod/host_path.h"
#include "checks/pod/pod_checks.h"

namespace kspm::checks::pod {
namespace {

constexpr std::string_view kSensitive[] = {
    "/etc/kubernetes", "/var/lib/kubelet", "/var/lib/docker", "/var/lib/containerd", "/var/log", "/var/run",
    "/etc",            "/root",            "/home",           "/var",                "/proc",    "/sys",
    "/dev",            "/boot",            "/run",            "/opt/cni/bin",
};

// Host files whose tampering disrupts at most (iptables lock, local time zone); /var/run read as /run.
constexpr std::string_view kLowImpactFiles[] = {"/run/xtables.lock", "/etc/localtime", "/etc/timezone"};

bool isLowImpactFile(std::string_view clean) {
  std::string path(clean);
  if (isUnder(path, "/var/run")) path = "/run" + path.substr(8);
  for (std::string_view file : kLowImpactFiles) {
    if (path == file) return true;
  }
  return false;
}

// The most specific sensitive entry that `path` is (under), or "".
std::string_view sensitiveRoot(std::string_view path) {
  if (path == "/") return "/";
  std::string_view best;
  for (std::string_view dir : kSensitive) {
    if (isUnder(path, dir) && dir.size() > best.size()) best = dir;
  }
  return best;
}

class SensitiveHostPathCheck final : public PodSpecCheck {
 public:
  SensitiveHostPathCheck()
      : PodSpecCheck({
            .id = "pod-sensitive-host-path",
            .title = "Pod mounts a sensitive host path",
            .severity = Severity::kCritical,
            .description =
                "A hostPath volume of /, /etc, /root, /home, /var (kubelet, runtime and log directories), "
                "/proc, /sys, /dev, /boot, /run or /opt/cni/bin hands the container host credentials, other "
                "pods' data and kernel interfaces; written to, it is a direct path to root on the node.",
            .remediation =
                "Remove the hostPath volume; if the workload must read node data, mount the narrowest path "
                "with readOnly: true in every volumeMount, and isolate the workload in a dedicated namespace.",
            .controls = {{"cis", "5.2.11"}, {"nsa", "host-path"}},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    forEachHostPathVolume(pod, [&](const Node& volume, uint32_t index, std::string_view name, const Node& path) {
      const std::string clean = cleanPath(path.str());
      if (sensitiveRoot(clean).empty() || exposedRuntimeSocket(clean) == clean) return;
      const bool low_impact = isLowImpactFile(clean);
      std::vector<VolumeUse> uses = mountsOf(pod, name);
      std::vector<std::string_view> writers;
      std::vector<std::string_view> readers;
      for (const VolumeUse& use : uses) (use.read_only ? readers : writers).push_back(use.container);
      std::string shown = quoted(path.str());
      if (clean != path.str()) shown += " (" + clean + ")";
      std::string message = "hostPath volume " + quoted(name) + " mounts the sensitive host path " + shown;
      if (!writers.empty()) {
        message += " writable in " + std::string(writers.size() == 1 ? "container " : "containers ") + quotedList(writers);
        if (!readers.empty()) message += " (read-only in " + quotedList(readers) + ")";
      } else if (!readers.empty()) {
        message += " read-only in " + std::string(readers.size() == 1 ? "container " : "containers ") + quotedList(readers);
      } else {
        message += "; no container mounts it yet, but an ephemeral container could";
      }
      if (low_impact) message += " (a lock or time zone file: tampering can disrupt the node, not take it over)";
      std::string key = itemKey(volume, index);
      Finding& finding = sink.add(path, std::move(message),
                                  pod.spec_path + ".volumes[" + std::to_string(index) + "].hostPath.path",
                                  "volumes[" + key + "].hostPath.path",
                                  writers.size() == 1 ? std::string(writers[0]) : std::string());
      if (low_impact) {
        finding.severity = writers.empty() ? Severity::kLow : Severity::kMedium;
      } else if (writers.empty()) {
        finding.severity = Severity::kHigh;
      }
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeSensitiveHostPathCheck() { return std::make_unique<SensitiveHostPathCheck>(); }

}  // namespace kspm::checks::pod
