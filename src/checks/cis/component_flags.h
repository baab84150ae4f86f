// Control-plane components as the Kubernetes API shows them: the static pods of kube-apiserver,
// kube-controller-manager, kube-scheduler and etcd (mirror pods in kube-system, or the manifest
// file itself), and their command lines parsed into flags the way the components read them.
//
// A pod is a component's pod when it is a core Pod in kube-system (or with no namespace: a static
// pod manifest) and one of its containers runs the component: the command's program (or, behind
// /go-runner or a `sh -c` script, the first word naming it) has the component's binary name, or the
// container has that name, or the pod's `component` / `k8s-app` label names it (kubeadm, RKE2,
// kOps). Flags: `--flag=value`, `--flag value` (not for boolean flags, as Go's flag parsers read
// them), bare `--flag` (true), one or two dashes; command then args; a repeated flag keeps every
// occurrence (scalar lookups take the last, list lookups join them all, as pflag does). For etcd, an
// ETCD_<FLAG> environment variable stands in for an absent flag, as etcd reads it.
// Thread safety: pure functions over read-only nodes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/node.h"
#include "kspm/object.h"

namespace kspm::checks::cis {

enum class Component : uint8_t { kApiServer, kControllerManager, kScheduler, kEtcd };

/** "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd". */
std::string_view componentBinary(Component component);

/** One flag occurrence on a component's command line. */
struct FlagValue {
  std::string name;   // without leading dashes: "anonymous-auth"
  std::string value;  // as written after '=' or as the next word; "" when bare
  bool bare = false;  // written without a value (--profiling): true for a boolean flag
  const Node* node = nullptr;  // the command/args item (or env value) it was written in
  std::string path;            // that item's path: "spec.containers[0].command[3]"
};

/** A component container with its command line parsed. */
struct ComponentCommand {
  Component component = Component::kApiServer;
  const Node* container = nullptr;
  std::string_view container_name;
  std::string container_path;  // "spec.containers[0]"
  /** Where an absent flag is reported: the command list, else args, else the container. */
  const Node* anchor = nullptr;
  std::string anchor_path;
  std::vector<FlagValue> flags;  // in command-line order; then ETCD_* environment variables (etcd)

  /** The last occurrence of a flag, or nullptr. */
  const FlagValue* last(std::string_view name) const;
  /** Every element of a list flag: all occurrences, split at commas, trimmed, empty ones dropped. */
  std::vector<std::string> list(std::string_view name) const;
};

/** True when the object is a pod of this component (cheap: no command-line parsing). */
bool isComponentPod(const Object& object, Component component);

/** The component's container in the pod, its flags parsed; nullopt when it is not that component's pod. */
std::optional<ComponentCommand> parseComponent(const Object& object, Component component);

/** Words of a shell command string (quotes removed); stops at nothing: callers decide. */
std::vector<std::string> shellWords(std::string_view script);

/** Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False; nullopt otherwise. */
std::optional<bool> parseGoBool(std::string_view text);

/** A whole decimal number (optional sign), or nullopt. */
std::optional<int64_t> parseInteger(std::string_view text);

}  // namespace kspm::checks::cis
