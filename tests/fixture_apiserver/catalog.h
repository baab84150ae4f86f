// The resource types the fixture API server serves, as kube-apiserver 1.30 lists them in discovery.
#pragma once

#include <string>
#include <vector>

namespace kspm_fixture {

struct Subresource {
  std::string name;  // "log", "exec", "scale", ...
  std::string group;  // of the response kind
  std::string version;
  std::string kind;
  std::vector<std::string> verbs;
};

struct ResourceType {
  std::string group;    // "" for the core group
  std::string version;
  std::string kind;
  std::string plural;
  std::string singular;
  bool namespaced = true;
  std::vector<std::string> verbs;
  std::vector<std::string> shortNames;
  std::vector<std::string> categories;
  std::vector<Subresource> subresources;

  std::string groupVersion() const { return group.empty() ? version : group + "/" + version; }
};

// Built-in types, in the order the real server lists them (groups in /apis order). PodSecurityPolicy is
// absent: removed in 1.25.
std::vector<ResourceType> builtinResourceTypes();

// The groups in discovery order: "" first, then as /apis lists them.
std::vector<std::string> builtinGroupOrder();

}  // namespace kspm_fixture
