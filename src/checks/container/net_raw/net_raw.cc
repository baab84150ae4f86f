// container-net-raw: NET_RAW lets a process craft raw packets (ARP and DNS spoofing inside the
// node's network, ICMP tricks) and has been the entry point of several kernel exploits. It is in
// the default capability set of containerd and Docker, so a container keeps it unless it drops
// NET_RAW or ALL (see capabilities.h for how add/drop combine and why "CAP_NET_RAW" does not count
// as a drop). Privileged containers are pss-privileged's; Windows pods have no capabilities.
#include "checks/container/capabilities.h"
#include "checks/container/container_checks.h"

namespace kspm::checks::container {
namespace {

class NetRawCheck final : public PodSpecCheck {
 public:
  NetRawCheck()
      : PodSpecCheck({
            .id = "container-net-raw",
            .title = "Container keeps the NET_RAW capability",
            .severity = Severity::kMedium,
            .description =
                "NET_RAW allows raw and packet sockets: a compromised container can spoof ARP and DNS "
                "traffic of its neighbours on the node network, and it has been the entry point of kernel "
                "exploits. containerd and Docker grant it by default, so it must be dropped explicitly.",
            .remediation =
                "Add \"ALL\" (or at least \"NET_RAW\") to securityContext.capabilities.drop and do not add "
                "NET_RAW back.",
            .controls = {{"cis", "5.2.8"}, {"nsa", "capabilities"}},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    if (isWindowsPodSpec(pod)) return;
    forEachContainer(pod, [&](const ContainerRef& c) {
      if (isPrivilegedContainer(c)) return;
      CapabilityLists lists = capabilityLists(c);
      const std::string add_path = c.path + ".securityContext.capabilities.add";
      const std::string add_field = c.field + ".securityContext.capabilities.add";
      bool granted = false;
      forEachEffectiveAdd(lists, [&](const Node& item, uint32_t index, const std::string& canonical) {
        if (canonical != "NET_RAW" && canonical != "ALL") return;
        if (canonical == "ALL" && dropsPortably(lists.drop, "NET_RAW")) return;
        granted = true;
        sink.add(item,
                 containerLabel(c) +
                     (canonical == "ALL" ? " adds ALL capabilities, NET_RAW included"
                                         : " adds the NET_RAW capability (" + quoted(item.str()) + ")"),
                 add_path + "[" + std::to_string(index) + "]", add_field + "[" + canonical + "]", std::string(c.name));
      });
      if (granted) return;
      // Not added: present unless dropped by name or by ALL (and then not added back, handled above).
      if (listHasAll(lists.drop) || dropsPortably(lists.drop, "NET_RAW")) return;
      const std::string drop_path = c.path + ".securityContext.capabilities.drop";
      const std::string drop_field = c.field + ".securityContext.capabilities.drop";
      if (const Node* prefixed = prefixedDrop(lists.drop, "NET_RAW")) {
        sink.add(*prefixed,
                 containerLabel(c) + " drops " + quoted(prefixed->str()) +
                     ", which containerd ignores (it expects names without CAP_), so NET_RAW stays",
                 drop_path, drop_field, std::string(c.name));
        return;
      }
      const Node* context = containerSecurityContextOf(c);
      const Node& at = lists.drop != nullptr      ? *lists.drop
                       : lists.capabilities != nullptr ? *lists.capabilities
                       : context != nullptr         ? *context
                                                    : *c.node;
      sink.add(at, containerLabel(c) + " does not drop NET_RAW (neither NET_RAW nor ALL in capabilities.drop)",
               drop_path, drop_field, std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeNetRawCheck() { return std::make_unique<NetRawCheck>(); }

}  // namespace kspm::checks::container
