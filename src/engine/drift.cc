// Drift between manifests and live objects (include/kspm/drift.h, docs/drift.md).
#include "kspm/drift.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "checks/common/pod_spec.h"
#include "kspm/engine.h"
#include "model/base64.h"
#include "model/json_text.h"

namespace kspm::drift {
namespace {

const CheckInfo kMissing{
    .id = "drift-missing",
    .title = "Object in Git is missing from the cluster",
    .severity = Severity::kMedium,
    .description = "An object the manifests describe does not exist in the cluster: it was deleted by hand, never "
                   "applied, or the deployment pipeline is failing. A missing NetworkPolicy leaves pods open.",
    .remediation = "Apply the manifests again, or remove the object from Git if it is no longer wanted.",
    .scope = Scope::kAnyObject,
};
const CheckInfo kExtra{
    .id = "drift-extra",
    .title = "Object in the cluster is not in Git",
    .severity = Severity::kMedium,
    .description = "An object runs in the cluster that no manifest describes, of a kind the manifests manage, in a "
                   "namespace they cover: created by hand, or left behind when it was removed from Git. Extra RBAC "
                   "objects and admission webhooks grant or intercept without review.",
    .remediation = "Delete the object from the cluster, or add it to Git so it is reviewed.",
    .scope = Scope::kAnyObject,
};
const CheckInfo kChanged{
    .id = "drift-changed",
    .title = "Security-relevant field differs from Git",
    .severity = Severity::kHigh,
    .description = "A security-relevant field that the manifest sets has another value in the cluster: someone "
                   "changed the live object (kubectl edit, patch) or a controller rewrote it.",
    .remediation = "Apply the manifest again to restore the reviewed value, or change the manifest in Git.",
    .scope = Scope::kAnyObject,
};
const CheckInfo* const kChecks[] = {&kMissing, &kExtra, &kChanged};

constexpr Severity H = Severity::kHigh, M = Severity::kMedium;

// The security-relevant fields. Pod rules ("pod|...") apply to every kind with a pod spec.
const FieldRule kRules[] = {
    {"", "", "pod|securityContext", H, "pod security context: users, groups, seccomp, AppArmor, sysctls", true},
    {"", "", "pod|hostNetwork", H, "host namespaces", true},
    {"", "", "pod|hostPID", H, "host namespaces", true},
    {"", "", "pod|hostIPC", H, "host namespaces", true},
    {"", "", "pod|hostUsers", H, "user namespaces", true},
    {"", "", "pod|shareProcessNamespace", M, "containers see each other's processes", true},
    {"", "", "pod|volumes", M, "what the pod mounts (secrets, config maps, claims, ...)"},
    {"", "", "pod|volumes|hostPath", H, "host paths"},
    {"", "", "pod|serviceAccountName", M, "the pod's identity"},
    {"", "", "pod|serviceAccount", M, "the pod's identity (deprecated alias)"},
    {"", "", "pod|automountServiceAccountToken", M, "API token in the pod"},
    {"", "", "pod|runtimeClassName", M, "sandboxing runtime"},
    {"", "", "pod|containers|image", M, "what runs"},
    {"", "", "pod|containers|command", M, "what runs"},
    {"", "", "pod|containers|args", M, "what runs"},
    {"", "", "pod|containers|securityContext", H, "privileged, capabilities, privilege escalation, users, ...", true},
    {"", "", "pod|containers|ports|hostPort", H, "ports on the node", true},
    {"", "", "pod|containers|volumeMounts", M, "what the container sees"},
    {"", "", "pod|initContainers|image", M, "what runs"},
    {"", "", "pod|initContainers|command", M, "what runs"},
    {"", "", "pod|initContainers|args", M, "what runs"},
    {"", "", "pod|initContainers|securityContext", H, "privileged, capabilities, privilege escalation, users, ...", true},
    {"", "", "pod|initContainers|ports|hostPort", H, "ports on the node", true},
    {"", "", "pod|initContainers|volumeMounts", M, "what the container sees"},
    {"", "", "pod|ephemeralContainers|image", M, "what runs"},
    {"", "", "pod|ephemeralContainers|command", M, "what runs"},
    {"", "", "pod|ephemeralContainers|args", M, "what runs"},
    {"", "", "pod|ephemeralContainers|securityContext", H, "privileged, capabilities, privilege escalation, users, ...", true},
    {"rbac.authorization.k8s.io", "Role,ClusterRole", "rules", H, "permissions"},
    {"rbac.authorization.k8s.io", "ClusterRole", "aggregationRule", H, "permissions aggregated in"},
    {"rbac.authorization.k8s.io", "RoleBinding,ClusterRoleBinding", "roleRef", H, "what is granted"},
    {"rbac.authorization.k8s.io", "RoleBinding,ClusterRoleBinding", "subjects", H, "who is granted"},
    {"networking.k8s.io", "NetworkPolicy", "spec", H, "what may connect"},
    {"", "Service", "spec|type", M, "exposure (NodePort, LoadBalancer)"},
    {"", "Service", "spec|externalIPs", H, "traffic interception (CVE-2020-8554)", true},
    {"", "Service", "spec|loadBalancerSourceRanges", M, "who may reach a load balancer"},
    {"", "Service", "spec|externalName", M, "where the name points"},
    {"networking.k8s.io", "Ingress", "spec|tls", M, "TLS termination"},
    {"networking.k8s.io", "Ingress", "spec|rules", M, "what is exposed, under which host"},
    {"", "Namespace", "metadata|labels|pod-security.kubernetes.io/*", H, "Pod Security Admission levels", true},
    {"", "Secret", "type", M, "secret type"},
    {"", "Secret", "data", M, "secret keys and values (values never shown)"},
    {"", "Secret", "stringData", M, "secret keys and values (values never shown)"},
    {"", "ServiceAccount", "automountServiceAccountToken", M, "API token in pods"},
    {"admissionregistration.k8s.io", "MutatingWebhookConfiguration,ValidatingWebhookConfiguration", "webhooks", H,
     "what admission calls, on what, and what happens when it fails"},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicy,ValidatingAdmissionPolicyBinding", "spec", H,
     "admission policy"},
};

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t bar = path.find('|', start);
    if (bar == std::string_view::npos) bar = path.size();
    out.push_back(path.substr(start, bar - start));
    start = bar + 1;
  }
  return out;
}

bool kindListed(std::string_view kinds, std::string_view kind) {
  size_t start = 0;
  while (start <= kinds.size()) {
    size_t comma = kinds.find(',', start);
    if (comma == std::string_view::npos) comma = kinds.size();
    if (kinds.substr(start, comma - start) == kind) return true;
    start = comma + 1;
  }
  return false;
}

bool segmentMatches(std::string_view rule, std::string_view actual) {
  if (!rule.empty() && rule.back() == '*') return actual.starts_with(rule.substr(0, rule.size() - 1));
  return rule == actual;
}

struct CompiledRule {
  const FieldRule* rule;
  std::vector<std::string_view> segments;
};

/** Whether the first `n` segments of `rule` match the first `n` of `pattern` (both have at least n). */
bool prefixMatches(const CompiledRule& rule, const std::vector<std::string_view>& pattern, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!segmentMatches(rule.segments[i], pattern[i])) return false;
  }
  return true;
}

/** Fields kspm compares where the API server omits a zero value (non-pointer omitempty in the Go types). */
bool omitsZero(std::string_view leaf) {
  return leaf == "hostNetwork" || leaf == "hostPID" || leaf == "hostIPC" || leaf == "readOnly" ||
         leaf == "hostPort" || leaf == "stdin" || leaf == "tty";
}

/** The key that identifies an item of a list with a merge key, or "" (positional, atomic). */
std::string_view mergeKeyOf(std::string_view list) {
  if (list == "containers" || list == "initContainers" || list == "ephemeralContainers" || list == "volumes" ||
      list == "env" || list == "imagePullSecrets" || list == "webhooks") {
    return "name";
  }
  if (list == "volumeMounts") return "mountPath";
  if (list == "volumeDevices") return "devicePath";
  if (list == "ports") return "containerPort";
  return {};
}

void appendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  appendJsonEscaped(s, out);
  out->push_back('"');
}

void appendJson(const Node& node, std::string* out) {
  switch (node.type()) {
    case NodeType::kNull: *out += "null"; break;
    case NodeType::kBool: *out += node.boolean() ? "true" : "false"; break;
    case NodeType::kInt: *out += std::to_string(node.integer()); break;
    case NodeType::kFloat: *out += node.scalarText(); break;
    case NodeType::kString: appendJsonString(node.str(), out); break;
    case NodeType::kArray: {
      out->push_back('[');
      bool first = true;
      for (const Node& item : node.items()) {
        if (!first) out->push_back(',');
        first = false;
        appendJson(item, out);
      }
      out->push_back(']');
      break;
    }
    case NodeType::kObject: {
      out->push_back('{');
      bool first = true;
      for (const Member& m : node.members()) {
        if (!first) out->push_back(',');
        first = false;
        appendJsonString(m.key.str(), out);
        out->push_back(':');
        appendJson(m.value, out);
      }
      out->push_back('}');
      break;
    }
  }
}

std::string toJson(const Node& node) {
  std::string out;
  appendJson(node, &out);
  return out;
}

std::string shorten(std::string text) {
  constexpr size_t kMax = 120;
  if (text.size() > kMax) {
    text.resize(kMax);
    text += "...";
  }
  return text;
}

bool isEmptyValue(const Node* n) {
  if (n == nullptr || n->isNull()) return true;
  if (n->isString()) return n->str().empty();
  if (n->isArray() || n->isObject()) return n->size() == 0;
  return false;
}

bool parseQuantity(std::string_view s, long double* out) {
  if (s.empty() || s.size() > 64) return false;
  size_t i = 0;
  bool negative = false;
  if (s[i] == '+' || s[i] == '-') {
    negative = s[i] == '-';
    ++i;
  }
  long double value = 0;
  bool digits = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    value = value * 10 + (s[i] - '0');
    ++i;
    digits = true;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    long double scale = 0.1L;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value += scale * (s[i] - '0');
      scale /= 10;
      ++i;
      digits = true;
    }
  }
  if (!digits) return false;
  std::string_view suffix = s.substr(i);
  long double multiplier = 1;
  static const std::pair<std::string_view, long double> kSuffixes[] = {
      {"", 1},        {"n", 1e-9L},   {"u", 1e-6L},   {"m", 1e-3L},   {"k", 1e3L},
      {"M", 1e6L},    {"G", 1e9L},    {"T", 1e12L},   {"P", 1e15L},   {"E", 1e18L},
      {"Ki", 1024.0L}, {"Mi", 1048576.0L}, {"Gi", 1073741824.0L}, {"Ti", 1099511627776.0L},
      {"Pi", 1125899906842624.0L}, {"Ei", 1152921504606846976.0L}};
  bool known = false;
  for (const auto& [name, mult] : kSuffixes) {
    if (suffix == name) {
      multiplier = mult;
      known = true;
      break;
    }
  }
  if (!known) {
    // Decimal exponent: e3, E-2.
    if (suffix.size() < 2 || (suffix[0] != 'e' && suffix[0] != 'E')) return false;
    size_t j = 1;
    bool neg_exp = false;
    if (suffix[j] == '+' || suffix[j] == '-') {
      neg_exp = suffix[j] == '-';
      ++j;
    }
    if (j >= suffix.size() || suffix.size() - j > 3) return false;
    int exponent = 0;
    for (; j < suffix.size(); ++j) {
      if (suffix[j] < '0' || suffix[j] > '9') return false;
      exponent = exponent * 10 + (suffix[j] - '0');
    }
    multiplier = std::pow(10.0L, neg_exp ? -exponent : exponent);
  }
  *out = (negative ? -value : value) * multiplier;
  return true;
}

bool quantityOf(const Node& node, long double* out) {
  if (node.isNumber()) {
    *out = static_cast<long double>(node.number());
    return true;
  }
  return node.isString() && parseQuantity(node.str(), out);
}

bool sameScalar(const Node& a, const Node& b, bool quantity) {
  if (a.type() == b.type()) {
    switch (a.type()) {
      case NodeType::kNull: return true;
      case NodeType::kBool: return a.boolean() == b.boolean();
      case NodeType::kInt: return a.integer() == b.integer();
      case NodeType::kFloat: return a.number() == b.number();
      case NodeType::kString:
        if (a.str() == b.str()) return true;
        break;
      default: return false;
    }
  } else if (a.isNumber() && b.isNumber()) {
    return a.number() == b.number();
  }
  return quantity && sameQuantity(a, b);
}

std::string mapKey(std::string_view group, std::string_view kind, std::string_view ns, std::string_view name) {
  std::string key;
  key.reserve(group.size() + kind.size() + ns.size() + name.size() + 3);
  key.append(group).push_back('\x1f');
  key.append(kind).push_back('\x1f');
  key.append(ns).push_back('\x1f');
  key.append(name);
  return key;
}

std::string_view metaString(const Object& object, std::string_view key) {
  const Node* meta = object.metadata();
  const Node* n = meta != nullptr ? meta->get(key) : nullptr;
  return n != nullptr ? n->str() : std::string_view();
}

/** Objects the cluster makes by itself, never drift-extra. */
bool isAutomatic(const Object& object) {
  std::string_view kind = object.kind, name = object.name;
  std::string_view group = canonicalGroup(object.group(), object.kind);
  if (kind == "Endpoints" || kind == "EndpointSlice" || kind == "Event" || kind == "Lease" ||
      kind == "ControllerRevision" || kind == "TokenReview" || kind == "SubjectAccessReview") {
    return true;
  }
  if (group.empty() && kind == "ServiceAccount" && name == "default") return true;
  if (group.empty() && kind == "ConfigMap" && (name == "kube-root-ca.crt" || name == "istio-ca-root-cert")) return true;
  if (group.empty() && kind == "Secret") {
    const Node* type = object.root->get("type");
    if (type != nullptr && (type->is("kubernetes.io/service-account-token") || type->is("helm.sh/release.v1"))) {
      return true;
    }
  }
  if (group.empty() && kind == "Namespace" &&
      (name == "default" || name == "kube-system" || name == "kube-public" || name == "kube-node-lease")) {
    return true;
  }
  if (group.empty() && kind == "Service" && name == "kubernetes" && object.namespace_ == "default") return true;
  if (group == "rbac.authorization.k8s.io" && name.starts_with("system:")) return true;
  if (const Node* labels = object.root->find({"metadata", "labels"}); labels != nullptr) {
    if (const Node* b = labels->get("kubernetes.io/bootstrapping"); b != nullptr && b->is("rbac-defaults")) return true;
  }
  return false;
}

bool hasOwner(const Object& object) {
  const Node* owners = object.root->find({"metadata", "ownerReferences"});
  return owners != nullptr && owners->isArray() && owners->size() > 0;
}

std::string describeObject(const ObjectId& id) {
  std::string out = id.kind + " ";
  if (!id.namespace_.empty()) out += id.namespace_ + "/";
  out += id.name;
  return out;
}

Severity missingSeverity(std::string_view group, std::string_view kind) {
  if ((group == "networking.k8s.io" && kind == "NetworkPolicy") ||
      (group == "admissionregistration.k8s.io" && kind.starts_with("ValidatingAdmissionPolicy"))) {
    return Severity::kHigh;
  }
  return Severity::kMedium;
}

Severity extraSeverity(std::string_view group, std::string_view kind) {
  if (group == "rbac.authorization.k8s.io" || (group == "admissionregistration.k8s.io" && kind.ends_with("WebhookConfiguration"))) {
    return Severity::kHigh;
  }
  return Severity::kMedium;
}

/** Compares one desired object with its live counterpart, field by field. */
class FieldWalker {
 public:
  FieldWalker(const Object& desired, const Object& live, std::string_view group, std::vector<CompiledRule> rules,
              std::vector<DriftFinding>* out, const DriftFinding& base)
      : desired_(desired), live_(live), rules_(std::move(rules)), out_(out), base_(base) {
    if (auto pod = checks::podSpecOf(desired, checks::defaultWorkloadKinds(), false)) {
      desired_pod_ = pod->spec;
      pod_path_ = pod->spec_path;
    }
    secret_ = group.empty() && desired.kind == "Secret";
    aggregated_ = group == "rbac.authorization.k8s.io" && desired.kind == "ClusterRole" &&
                  desired.root->get("aggregationRule") != nullptr;
  }

  void run() {
    std::vector<std::string_view> pattern;
    std::string path, field;
    walkObjectMembers(*desired_.root, live_.root, pattern, path, field, {});
  }

 private:
  /** The longest rule covering `pattern`, and whether some rule lies deeper below it. */
  const FieldRule* match(const std::vector<std::string_view>& pattern, bool* deeper) const {
    const FieldRule* best = nullptr;
    size_t best_len = 0;
    *deeper = false;
    for (const CompiledRule& r : rules_) {
      size_t n = std::min(r.segments.size(), pattern.size());
      if (!prefixMatches(r, pattern, n)) continue;
      if (r.segments.size() <= pattern.size()) {
        if (r.segments.size() > best_len) {
          best = r.rule;
          best_len = r.segments.size();
        }
      } else {
        *deeper = true;
      }
    }
    return best;
  }

  /** The highest severity of the rules at or below `pattern`. */
  Severity severityAtOrBelow(const std::vector<std::string_view>& pattern, const FieldRule* covering) const {
    Severity s = covering != nullptr ? covering->severity : Severity::kInfo;
    for (const CompiledRule& r : rules_) {
      if (r.segments.size() < pattern.size()) continue;
      if (prefixMatches(r, pattern, pattern.size())) s = std::max(s, r.rule->severity);
    }
    return s;
  }

  void walkObjectMembers(const Node& d, const Node* l, const std::vector<std::string_view>& pattern,
                         const std::string& path, const std::string& field, std::string_view container) {
    for (const Member& m : d.members()) {
      std::string_view key = m.key.str();
      std::vector<std::string_view> child_pattern;
      if (&m.value == desired_pod_) {
        child_pattern = {"pod"};
      } else {
        child_pattern = pattern;
        child_pattern.push_back(key);
      }
      if (pattern.empty() && (key == "status" || key == "apiVersion" || key == "kind")) continue;
      if (aggregated_ && pattern.empty() && key == "rules") continue;  // filled in by the aggregation controller
      std::string child_path = path.empty() ? std::string(key) : path + "." + std::string(key);
      std::string child_field = field.empty() ? std::string(key) : field + "." + std::string(key);
      const Node* live_child = l != nullptr ? l->get(key) : nullptr;
      if (secret_ && pattern.empty() && key == "stringData") {
        walkStringData(m.value, l != nullptr ? l->get("data") : nullptr, child_pattern, child_path, child_field);
        continue;
      }
      walk(m.value, live_child, child_pattern, child_path, child_field, container);
    }
    if (l == nullptr || !l->isObject() || pattern.empty()) return;
    // Fields set live that Git does not set, where that matters (FieldRule::both_ways).
    for (const Member& m : l->members()) {
      std::string_view key = m.key.str();
      if (d.get(key) != nullptr) continue;
      if (isEmptyValue(&m.value) || (m.value.isBool() && !m.value.boolean())) continue;
      std::vector<std::string_view> child_pattern = pattern;
      child_pattern.push_back(key);
      const FieldRule* rule = matchBothWays(child_pattern);
      if (rule == nullptr) continue;
      DriftFinding f =
          findingAt(rule->severity, path + "." + std::string(key), field + "." + std::string(key), container, d.line());
      f.desired_present = false;
      f.live_present = true;
      f.live = toJson(m.value);
      f.finding.message = f.finding.path + ": not set in Git, the cluster has " + shorten(f.live);
      out_->push_back(std::move(f));
    }
  }

  const FieldRule* matchBothWays(const std::vector<std::string_view>& pattern) const {
    const FieldRule* best = nullptr;
    size_t best_len = 0;
    for (const CompiledRule& r : rules_) {
      if (!r.rule->both_ways || r.segments.size() > pattern.size() || r.segments.size() <= best_len) continue;
      if (prefixMatches(r, pattern, r.segments.size())) {
        best = r.rule;
        best_len = r.segments.size();
      }
    }
    return best;
  }

  void walk(const Node& d, const Node* l, const std::vector<std::string_view>& pattern, const std::string& path,
            const std::string& field, std::string_view container) {
    if (d.isNull()) return;  // null is absent
    bool deeper = false;
    const FieldRule* rule = match(pattern, &deeper);
    if (rule == nullptr && !deeper && !onPodPath(path)) return;
    if (l != nullptr && l->isNull()) l = nullptr;
    if (d.isObject()) {
      if (d.size() == 0) return;  // {} sets nothing
      if (l != nullptr && !l->isObject()) {
        if (rule != nullptr) report(d, l, rule, path, field, container);
        return;
      }
      walkObjectMembers(d, l, pattern, path, field, container);
      return;
    }
    if (d.isArray()) {
      walkArray(d, l, rule, pattern, path, field, container);
      return;
    }
    if (rule == nullptr) return;  // a scalar outside every rule
    if (sameLeaf(d, l, pattern)) return;
    report(d, l, rule, path, field, container);
  }

  /** True for the pod spec's ancestors ("spec", "spec.template" for a Deployment). */
  bool onPodPath(std::string_view path) const {
    return !pod_path_.empty() && pod_path_.starts_with(path) &&
           (pod_path_.size() == path.size() || pod_path_[path.size()] == '.');
  }

  bool sameLeaf(const Node& d, const Node* l, const std::vector<std::string_view>& pattern) const {
    std::string_view leaf = pattern.empty() ? std::string_view() : pattern.back();
    if (l == nullptr) {
      if (isEmptyValue(&d)) return true;
      if (omitsZero(leaf) && ((d.isBool() && !d.boolean()) || (d.isNumber() && d.number() == 0))) return true;
      return false;
    }
    if (secret_ && !pattern.empty() && pattern.front() == "data" && l->isString() && l->str().empty()) {
      return true;  // the live read kept the key but not the value (kspm never reads Secret values)
    }
    bool quantity = leaf == "sizeLimit" || std::find(pattern.begin(), pattern.end(), "resources") != pattern.end();
    return sameScalar(d, *l, quantity);
  }

  void walkArray(const Node& d, const Node* l, const FieldRule* rule, const std::vector<std::string_view>& pattern,
                 const std::string& path, const std::string& field, std::string_view container) {
    if (l != nullptr && !l->isArray()) {
      if (rule != nullptr) report(d, l, rule, path, field, container);
      return;
    }
    if (d.size() == 0) {
      if (rule != nullptr && l != nullptr && l->size() != 0 && mergeKeyOf(pattern.back()).empty()) {
        report(d, l, rule, path, field, container);
      }
      return;
    }
    std::string_view list = pattern.empty() ? std::string_view() : pattern.back();
    std::string_view key = mergeKeyOf(list);
    // A list is keyed only when every item carries the key (NetworkPolicy ports have no containerPort).
    if (!key.empty() && !std::all_of(d.items().begin(), d.items().end(), [&](const Node& n) { return n.get(key) != nullptr; })) {
      key = {};
    }
    bool all_scalars = std::all_of(d.items().begin(), d.items().end(),
                                   [](const Node& n) { return !n.isArray() && !n.isObject(); });
    if (key.empty() && all_scalars) {
      // An atomic list of scalars (capabilities, verbs, externalIPs, command): one value.
      if (rule == nullptr) return;
      bool same = l != nullptr && l->size() == d.size();
      for (uint32_t i = 0; same && i < d.size(); ++i) same = sameScalar(d.items()[i], l->items()[i], false);
      if (!same) report(d, l, rule, path, field, container);
      return;
    }
    const bool containers = list == "containers" || list == "initContainers" || list == "ephemeralContainers";
    uint32_t index = 0;
    for (const Node& item : d.items()) {
      std::string item_path = path + "[" + std::to_string(index) + "]";
      std::string item_name;
      const Node* live_item = nullptr;
      if (!key.empty()) {
        const Node* k = item.get(key);
        std::string_view protocol;
        if (key == "containerPort") {
          const Node* p = item.get("protocol");
          protocol = p != nullptr && p->isString() ? p->str() : "TCP";
          item_name = k->scalarText() + "/" + std::string(protocol);
        } else {
          item_name = k->scalarText();
        }
        if (l != nullptr) {
          for (const Node& candidate : l->items()) {
            const Node* ck = candidate.get(key);
            if (ck == nullptr || !sameScalar(*k, *ck, false)) continue;
            if (key == "containerPort") {
              const Node* cp = candidate.get("protocol");
              std::string_view cprotocol = cp != nullptr && cp->isString() ? cp->str() : "TCP";
              if (cprotocol != protocol) continue;
            }
            live_item = &candidate;
            break;
          }
        }
        std::string item_field = field + "[" + item_name + "]";
        std::string_view item_container = containers ? k->str() : container;
        if (live_item == nullptr) {
          // The keyed item is not live at all: one finding for it, not one per field.
          Severity severity = severityAtOrBelow(pattern, rule);
          if (severity > Severity::kInfo && (rule != nullptr || hasCoveredLeaf(item, pattern))) {
            reportMissingItem(item, severity, item_path, item_field, item_container, list, item_name);
          }
        } else {
          walk(item, live_item, pattern, item_path, item_field, item_container);
        }
      } else {
        if (l != nullptr && index < l->size()) live_item = &l->items()[index];
        walk(item, live_item, pattern, item_path, field + "[" + std::to_string(index) + "]", container);
      }
      ++index;
    }
    // Atomic lists: items the cluster has beyond the manifest's are drift too (a rule added live).
    if (key.empty() && rule != nullptr && l != nullptr && l->size() > d.size()) {
      DriftFinding f = findingAt(rule->severity, path, field, container, d.line());
      f.desired_present = true;
      const bool hide = redact(path);
      f.desired = hide ? "\"<redacted>\"" : toJson(d);
      f.live = hide ? "\"<redacted>\"" : toJson(*l);
      f.live_present = true;
      f.finding.message = path + ": " + std::to_string(d.size()) + " item(s) in Git, " + std::to_string(l->size()) +
                          " in the cluster" + (hide ? "" : " (added live: " + shorten(extraItems(d, *l)) + ")");
      out_->push_back(std::move(f));
    }
  }

  std::string extraItems(const Node& d, const Node& l) const {
    std::string out;
    for (uint32_t i = d.size(); i < l.size(); ++i) {
      if (!out.empty()) out += ", ";
      out += toJson(l.items()[i]);
    }
    return out;
  }

  /** Whether some leaf under `node` (at `pattern`) is covered by a rule. */
  bool hasCoveredLeaf(const Node& node, const std::vector<std::string_view>& pattern) const {
    for (const Member& m : node.members()) {
      std::vector<std::string_view> child = pattern;
      child.push_back(m.key.str());
      bool deeper = false;
      if (match(child, &deeper) != nullptr) return true;
      if (deeper && m.value.isObject() && hasCoveredLeaf(m.value, child)) return true;
      if (deeper && m.value.isArray()) {
        for (const Node& item : m.value.items()) {
          if (item.isObject() && hasCoveredLeaf(item, child)) return true;
        }
      }
    }
    return false;
  }

  void walkStringData(const Node& d, const Node* live_data, const std::vector<std::string_view>& pattern,
                      const std::string& path, const std::string& field) {
    bool deeper = false;
    const FieldRule* rule = match(pattern, &deeper);
    if (rule == nullptr || !d.isObject()) return;
    for (const Member& m : d.members()) {
      if (m.value.isNull()) continue;
      std::string child_path = path + "." + std::string(m.key.str());
      std::string child_field = field + "." + std::string(m.key.str());
      const Node* l = live_data != nullptr ? live_data->get(m.key.str()) : nullptr;
      bool same = false;
      if (l != nullptr && l->isString()) {
        same = l->str().empty() || l->str() == encodeBase64(m.value.isString() ? m.value.str() : m.value.scalarText());
      }
      if (!same) report(m.value, l, rule, child_path, child_field, {});
    }
  }

  /** Secret values (data, stringData) are never shown; a Secret's type is. */
  bool redact(std::string_view path) const {
    return secret_ && (path.starts_with("data") || path.starts_with("stringData"));
  }

  void report(const Node& d, const Node* l, const FieldRule* rule, const std::string& path, const std::string& field,
              std::string_view container) {
    DriftFinding f = findingAt(rule->severity, path, field, container, d.line());
    f.desired_present = true;
    f.live_present = l != nullptr;
    if (redact(path)) {
      f.desired = "\"<redacted>\"";
      f.live = l != nullptr ? "\"<redacted>\"" : "";
      f.finding.message = path + (l == nullptr ? ": set in Git, absent in the cluster" : ": differs from Git (values redacted)");
    } else {
      f.desired = toJson(d);
      f.live = l != nullptr ? toJson(*l) : "";
      f.finding.message =
          path + ": Git sets " + shorten(f.desired) + ", the cluster has " + (l != nullptr ? shorten(f.live) : "none");
    }
    out_->push_back(std::move(f));
  }

  void reportMissingItem(const Node& item, Severity severity, const std::string& path, const std::string& field,
                         std::string_view container, std::string_view list, const std::string& name) {
    DriftFinding f = findingAt(severity, path, field, container, item.line());
    f.desired = toJson(item);
    f.desired_present = true;
    f.live_present = false;
    f.finding.message = path + ": " + std::string(list) + " item " + name + " is in Git, not in the cluster";
    out_->push_back(std::move(f));
  }

  /** A finding of this object at `path`, with what every drift-changed finding carries. */
  DriftFinding findingAt(Severity severity, std::string path, std::string field, std::string_view container,
                         uint32_t line) const {
    DriftFinding f = base_;
    f.finding.severity = severity;
    f.finding.path = std::move(path);
    f.finding.field = std::move(field);
    f.finding.container = std::string(container);
    f.finding.line = line;
    return f;
  }

  const Object& desired_;
  const Object& live_;
  std::vector<CompiledRule> rules_;
  std::vector<DriftFinding>* out_;
  const DriftFinding& base_;
  const Node* desired_pod_ = nullptr;
  std::string pod_path_;  // e.g. "spec.template.spec"
  bool secret_ = false;
  bool aggregated_ = false;
};

const std::vector<CompiledRule>& compiledRules() {
  static const std::vector<CompiledRule> rules = [] {
    std::vector<CompiledRule> out;
    for (const FieldRule& r : kRules) out.push_back({&r, splitPath(r.path)});
    return out;
  }();
  return rules;
}

std::vector<CompiledRule> rulesFor(const Object& object, std::string_view group) {
  bool pod = checks::podSpecOf(object, checks::defaultWorkloadKinds(), false).has_value();
  std::vector<CompiledRule> out;
  for (const CompiledRule& r : compiledRules()) {
    if (r.rule->kinds.empty()) {
      if (pod) out.push_back(r);
    } else if (r.rule->group == group && kindListed(r.rule->kinds, object.kind)) {
      out.push_back(r);
    }
  }
  return out;
}

ObjectId idOf(const Object& object, std::string_view ns) {
  ObjectId id;
  id.api_version = std::string(object.api_version);
  id.group = std::string(canonicalGroup(object.group(), object.kind));
  id.kind = std::string(object.kind);
  id.namespace_ = isClusterScopedKind(object.kind) ? std::string() : std::string(ns);
  id.name = std::string(object.name);
  return id;
}

}  // namespace

const CheckInfo& missingCheck() { return kMissing; }
const CheckInfo& extraCheck() { return kExtra; }
const CheckInfo& changedCheck() { return kChanged; }
std::span<const CheckInfo* const> driftChecks() { return kChecks; }
std::span<const FieldRule> securityFields() { return kRules; }

void appendFindingRecords(const DriftReport& report, std::vector<FindingRecord>* out) {
  out->reserve(out->size() + report.findings.size());
  for (const DriftFinding& f : report.findings) {
    FindingRecord r;
    r.fingerprint = f.fingerprint;
    r.check_id = std::string(f.finding.check->id);
    r.severity = f.finding.severity;
    r.state = FindingState::kActive;
    r.message = f.finding.message;
    r.api_group = f.object.group;
    r.kind = f.object.kind;
    r.namespace_ = f.object.namespace_;
    r.name = f.object.name;
    r.container = f.finding.container;
    r.field = f.finding.field;
    r.path = f.finding.path;
    r.file = f.file;
    r.line = f.finding.line;
    r.owner = "unowned";
    out->push_back(std::move(r));
  }
}

bool sameQuantity(const Node& a, const Node& b) {
  long double x = 0, y = 0;
  if (!quantityOf(a, &x) || !quantityOf(b, &y)) return false;
  if (x == y) return true;
  long double scale = std::max(std::fabs(x), std::fabs(y));
  return std::fabs(x - y) <= scale * 1e-12L;
}

DriftReport compare(const ObjectSet& desired, const ObjectSet& live, const DriftOptions& options) {
  DriftReport report;
  const std::string default_ns = options.default_namespace.empty() ? "default" : options.default_namespace;

  // Live objects by identity; first one wins on duplicates.
  std::unordered_map<std::string, const Object*> live_by_key;
  for (const Object& o : live.objects()) {
    if (o.name.empty()) continue;
    ++report.summary.live_objects;
    std::string_view ns = isClusterScopedKind(o.kind) ? std::string_view() : o.namespace_;
    live_by_key.emplace(mapKey(canonicalGroup(o.group(), o.kind), o.kind, ns, o.name), &o);
  }

  std::set<std::pair<std::string, std::string>> desired_kinds;
  std::set<std::string, std::less<>> desired_namespaces;
  std::unordered_set<const Object*> matched_live;
  std::set<std::pair<std::string, std::string>> listed(options.listed_kinds.begin(), options.listed_kinds.end());

  auto notReadable = [&](std::string_view group, std::string_view kind, std::string_view ns) -> std::string {
    for (const UnreadableResource& u : options.unreadable) {
      if (u.kind != kind || canonicalGroup(u.group, u.kind) != group) continue;
      if (!u.namespace_.empty() && u.namespace_ != ns) continue;
      return u.resource + (u.namespace_.empty() ? "" : " in " + u.namespace_) + ": " + u.reason;
    }
    if (options.restrict_to_listed && !listed.count({std::string(group), std::string(kind)})) {
      return "the live input does not list " + std::string(kind) + " objects";
    }
    if (!ns.empty() && !options.live_namespaces.empty() &&
        std::find(options.live_namespaces.begin(), options.live_namespaces.end(), ns) == options.live_namespaces.end()) {
      return "namespace " + std::string(ns) + " was not read";
    }
    return {};
  };

  for (const Object& d : desired.objects()) {
    ++report.summary.desired_objects;
    std::string_view group = canonicalGroup(d.group(), d.kind);
    bool cluster_scoped = isClusterScopedKind(d.kind);
    std::string_view ns = cluster_scoped ? std::string_view() : (d.namespace_.empty() ? std::string_view(default_ns) : d.namespace_);
    ObjectId id = idOf(d, ns);
    desired_kinds.emplace(std::string(group), std::string(d.kind));
    if (!cluster_scoped) desired_namespaces.emplace(ns);
    const std::string& file = desired.pathOf(d);
    if (d.name.empty()) {
      report.not_assessable.push_back({std::move(id), file, d.line, "no metadata.name (generateName): cannot be matched"});
      continue;
    }
    std::string reason = notReadable(group, d.kind, ns);
    auto it = live_by_key.find(mapKey(group, d.kind, ns, d.name));
    if (it == live_by_key.end() && !reason.empty()) {
      report.not_assessable.push_back({std::move(id), file, d.line, std::move(reason)});
      continue;
    }
    DriftFinding base;
    base.object = id;
    base.subject = &d;
    base.file = file;
    base.finding.line = d.line;
    if (it == live_by_key.end()) {
      base.kind = DriftKind::kMissing;
      base.finding.check = &kMissing;
      base.finding.severity = missingSeverity(group, d.kind);
      base.finding.message = describeObject(id) + " is in Git but not in the cluster";
      base.fingerprint = fingerprint(base.finding, d, ns, options.cluster);
      report.findings.push_back(std::move(base));
      continue;
    }
    ++report.summary.matched;
    matched_live.insert(it->second);
    base.kind = DriftKind::kChanged;
    base.finding.check = &kChanged;
    size_t first = report.findings.size();
    FieldWalker walker(d, *it->second, group, rulesFor(d, group), &report.findings, base);
    walker.run();
    for (size_t i = first; i < report.findings.size(); ++i) {
      report.findings[i].fingerprint = fingerprint(report.findings[i].finding, d, ns, options.cluster);
    }
  }

  for (const Object& o : live.objects()) {
    if (o.name.empty() || matched_live.count(&o)) continue;
    std::string_view group = canonicalGroup(o.group(), o.kind);
    if (!desired_kinds.count({std::string(group), std::string(o.kind)})) continue;
    bool cluster_scoped = isClusterScopedKind(o.kind);
    if (!cluster_scoped && !desired_namespaces.count(o.namespace_)) continue;
    if (hasOwner(o) || isAutomatic(o)) continue;
    // Matched through another apiVersion's duplicate already? (the same object listed twice)
    std::string_view ns = cluster_scoped ? std::string_view() : o.namespace_;
    auto it = live_by_key.find(mapKey(group, o.kind, ns, o.name));
    if (it != live_by_key.end() && it->second != &o && matched_live.count(it->second)) continue;
    DriftFinding f;
    f.kind = DriftKind::kExtra;
    f.object = idOf(o, ns);
    f.subject = &o;
    f.file = live.pathOf(o);
    f.finding.check = &kExtra;
    f.finding.severity = extraSeverity(group, o.kind);
    f.finding.line = o.line;
    f.finding.message = describeObject(f.object) + " is in the cluster but not in Git";
    f.fingerprint = fingerprint(f.finding, o, ns, options.cluster);
    report.findings.push_back(std::move(f));
  }

  for (const DriftFinding& f : report.findings) {
    switch (f.kind) {
      case DriftKind::kMissing: ++report.summary.missing; break;
      case DriftKind::kExtra: ++report.summary.extra; break;
      case DriftKind::kChanged: ++report.summary.changed; break;
    }
    ++report.summary.by_severity[static_cast<int>(f.finding.severity)];
  }
  report.summary.not_assessable = report.not_assessable.size();
  return report;
}

}  // namespace kspm::drift
