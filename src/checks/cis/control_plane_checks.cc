// CIS v1.12 1.2 (kube-apiserver), 1.3 (kube-controller-manager), 1.4 (kube-scheduler), 2 (etcd) and
// 3.2.1 (audit policy flag): one table entry per check, each a rule over the component's parsed
// flags. An absent flag is judged by the component's documented default (kube-apiserver
// --anonymous-auth defaults to true, --authorization-mode to AlwaysAllow, ...), never assumed good.
#include <algorithm>
#include <span>
#include <string>

#include "checks/cis/cis_checks.h"
#include "checks/cis/component_flags.h"
#include "kspm/engine.h"

namespace kspm::checks::cis {
namespace {

constexpr std::string_view kManagedReason =
    "no %s pod is visible: managed control planes (EKS, GKE, AKS) and k3s hide it; scan a kubeadm, "
    "kOps or RKE2 cluster, or give the static pod manifest (/etc/kubernetes/manifests) as input";

// Reports on one component's command line.
constexpr std::string_view kAuthorizationReason =
    "no kube-apiserver pod shows its authorization modes: managed control planes (EKS, GKE, AKS) and k3s "
    "hide the pod, and with --authorization-config (and no --authorization-mode) the modes are in a file "
    "on the control-plane nodes";
constexpr std::string_view kAnonymousReason =
    "no kube-apiserver pod shows whether anonymous requests are allowed: managed control planes (EKS, "
    "GKE, AKS) and k3s hide the pod, and with --authentication-config (and no --anonymous-auth) it is "
    "set in a file on the control-plane nodes";

class FlagReport {
 public:
  FlagReport(const ComponentCommand& command, const Object& object, const EvalContext& context, FindingSink& sink)
      : command_(command), object_(object), context_(context), sink_(sink) {}

  const ComponentCommand& command() const { return command_; }
  const Object& object() const { return object_; }
  const EvalContext& context() const { return context_; }
  std::string_view binary() const { return componentBinary(command_.component); }

  /** A finding at a flag as written. */
  void at(const FlagValue& flag, std::string message) {
    sink_.add(*flag.node, std::move(message), flag.path, field(flag.name), std::string(command_.container_name));
  }
  /** A finding for an absent flag, at the container's command (or args). */
  void missing(std::string_view flag, std::string message) {
    sink_.add(*command_.anchor, std::move(message), command_.anchor_path, field(flag),
              std::string(command_.container_name));
  }

 private:
  std::string field(std::string_view flag) const {
    return "spec.containers[" + std::string(command_.container_name) + "].--" + std::string(flag);
  }
  const ComponentCommand& command_;
  const Object& object_;
  const EvalContext& context_;
  FindingSink& sink_;
};

std::string written(const FlagValue& flag) {
  return "--" + flag.name + (flag.bare ? std::string() : "=" + flag.value);
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// --- rules ---

void requireBool(FlagReport& r, std::string_view name, bool expected, bool default_value) {
  const FlagValue* flag = r.command().last(name);
  if (flag == nullptr) {
    if (default_value != expected) {
      r.missing(name, "--" + std::string(name) + " is not set: " + std::string(r.binary()) + " defaults to " +
                          (default_value ? "true" : "false") + "; set --" + std::string(name) + "=" +
                          (expected ? "true" : "false"));
    }
    return;
  }
  std::optional<bool> value = flag->bare ? std::optional<bool>(true) : parseGoBool(flag->value);
  if (!value) {
    r.at(*flag, written(*flag) + " is not a boolean");
  } else if (*value != expected) {
    r.at(*flag, written(*flag) + ": it should be " + (expected ? "true" : "false"));
  }
}

void requireSet(FlagReport& r, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    const FlagValue* flag = r.command().last(name);
    if (flag == nullptr) {
      r.missing(name, "--" + std::string(name) + " is not set");
    } else if (flag->value.empty()) {
      r.at(*flag, "--" + std::string(name) + " is set to nothing");
    }
  }
}

void requireNotSet(FlagReport& r, std::string_view name, std::string_view why) {
  if (const FlagValue* flag = r.command().last(name); flag != nullptr) {
    r.at(*flag, written(*flag) + ": " + std::string(why));
  }
}

// A comma-list flag must (or must not) hold `item`; `default_list` is what an absent flag means.
void requireListHas(FlagReport& r, std::string_view name, std::string_view item, std::string_view default_list,
                    bool must_have) {
  const FlagValue* flag = r.command().last(name);
  std::vector<std::string> list = r.command().list(name);
  if (flag == nullptr) {
    bool has = false;
    for (std::string_view rest = default_list; !rest.empty();) {
      size_t comma = rest.find(',');
      if (rest.substr(0, comma) == item) has = true;
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    if (has != must_have) {
      r.missing(name, "--" + std::string(name) + " is not set: " + std::string(r.binary()) + " defaults to \"" +
                          std::string(default_list) + "\", which " + (must_have ? "lacks " : "includes ") +
                          std::string(item));
    }
    return;
  }
  if (contains(list, item) != must_have) {
    r.at(*flag, written(*flag) + (must_have ? " does not include " : " includes ") + std::string(item));
  }
}

// An admission plugin must be enabled: listed in --enable-admission-plugins (none of the plugins the
// benchmark asks for is on by default) and not in --disable-admission-plugins.
void requirePluginEnabled(FlagReport& r, std::string_view plugin) {
  if (const FlagValue* disabled = r.command().last("disable-admission-plugins");
      disabled != nullptr && contains(r.command().list("disable-admission-plugins"), plugin)) {
    r.at(*disabled, written(*disabled) + " disables " + std::string(plugin));
    return;
  }
  const FlagValue* flag = r.command().last("enable-admission-plugins");
  if (flag == nullptr) {
    r.missing("enable-admission-plugins", "--enable-admission-plugins is not set, so the " + std::string(plugin) +
                                              " admission plugin (off by default) is not enabled");
  } else if (!contains(r.command().list("enable-admission-plugins"), plugin)) {
    r.at(*flag, written(*flag) + " does not include " + std::string(plugin));
  }
}

// An admission plugin on by default must not be disabled.
void requirePluginNotDisabled(FlagReport& r, std::string_view plugin) {
  if (const FlagValue* flag = r.command().last("disable-admission-plugins");
      flag != nullptr && contains(r.command().list("disable-admission-plugins"), plugin)) {
    r.at(*flag, written(*flag) + " disables " + std::string(plugin));
  }
}

void requireIntAtLeast(FlagReport& r, std::string_view name, int64_t min, int64_t default_value) {
  const FlagValue* flag = r.command().last(name);
  if (flag == nullptr) {
    if (default_value < min) {
      r.missing(name, "--" + std::string(name) + " is not set: " + std::string(r.binary()) + " defaults to " +
                          std::to_string(default_value) + "; set it to " + std::to_string(min) + " or more");
    }
    return;
  }
  std::optional<int64_t> value = parseInteger(flag->value);
  if (!value) {
    r.at(*flag, written(*flag) + " is not a whole number");
  } else if (*value < min) {
    r.at(*flag, written(*flag) + " is below " + std::to_string(min));
  }
}

void requireEquals(FlagReport& r, std::string_view name, std::string_view expected, std::string_view default_value) {
  const FlagValue* flag = r.command().last(name);
  if (flag == nullptr) {
    if (default_value != expected) {
      r.missing(name, "--" + std::string(name) + " is not set: " + std::string(r.binary()) + " defaults to " +
                          std::string(default_value) + "; set --" + std::string(name) + "=" + std::string(expected));
    }
    return;
  }
  if (flag->value != expected) r.at(*flag, written(*flag) + ": it should be " + std::string(expected));
}

// --feature-gates must not turn `gate` off (it is on by default).
void requireFeatureGateNotFalse(FlagReport& r, std::string_view gate) {
  const FlagValue* flag = r.command().last("feature-gates");
  if (flag == nullptr) return;
  std::optional<bool> on;  // the last setting of the gate wins
  for (const std::string& item : r.command().list("feature-gates")) {
    size_t eq = item.find('=');
    if (eq != std::string::npos && std::string_view(item).substr(0, eq) == gate) {
      on = parseGoBool(std::string_view(item).substr(eq + 1));
    }
  }
  if (on.has_value() && !*on) r.at(*flag, "--feature-gates turns " + std::string(gate) + " off");
}

// Every element of a list flag must be one of `allowed`; an absent flag leaves Go's defaults, which
// the benchmark does not accept.
void requireSubset(FlagReport& r, std::string_view name, std::span<const std::string_view> allowed) {
  const FlagValue* flag = r.command().last(name);
  if (flag == nullptr) {
    r.missing(name, "--" + std::string(name) + " is not set: the Go TLS defaults apply, which include suites the "
                                               "benchmark does not accept");
    return;
  }
  std::string weak;
  for (const std::string& item : r.command().list(name)) {
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) weak += (weak.empty() ? "" : ", ") + item;
  }
  if (!weak.empty()) r.at(*flag, "--" + std::string(name) + " allows " + weak);
}

constexpr std::string_view kApiServerStrongCiphers[] = {
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"};

// etcd must trust a CA of its own: its --trusted-ca-file set, and not the file a visible
// kube-apiserver trusts for all its clients (--client-ca-file), or every client certificate of the
// cluster CA could reach etcd. (The same CA in two files is not visible here.)
void requireUniqueEtcdCa(FlagReport& r) {
  requireSet(r, {"trusted-ca-file"});
  const FlagValue* ca = r.command().last("trusted-ca-file");
  const EvalContext& context = r.context();
  if (ca == nullptr || ca->value.empty() || context.scan == nullptr || context.objects == nullptr) return;
  std::string_view own_ns = context.objects->namespaceOf(r.object());
  for (std::string_view ns : {std::string_view("kube-system"), own_ns}) {
    for (const Object* pod : context.scan->index.ofKindIn("Pod", ns)) {
      std::optional<ComponentCommand> api = parseComponent(*pod, Component::kApiServer);
      const FlagValue* client_ca = api ? api->last("client-ca-file") : nullptr;
      if (client_ca != nullptr && client_ca->value == ca->value) {
        r.at(*ca, written(*ca) + " is also the --client-ca-file of kube-apiserver pod " + std::string(pod->name) +
                      ": every client certificate of the cluster CA is trusted by etcd");
        return;
      }
    }
    if (ns == own_ns) break;
  }
}

// --- which pods a check applies to ---

bool isApiServerPod(const Object& o) { return isComponentPod(o, Component::kApiServer); }
bool isControllerManagerPod(const Object& o) { return isComponentPod(o, Component::kControllerManager); }
bool isSchedulerPod(const Object& o) { return isComponentPod(o, Component::kScheduler); }
bool isEtcdPod(const Object& o) { return isComponentPod(o, Component::kEtcd); }

// With --authorization-config (structured authorization) and no --authorization-mode, the modes are
// in a file no object shows: the authorization checks cannot judge that pod.
bool isApiServerPodWithVisibleAuthorization(const Object& o) {
  std::optional<ComponentCommand> c = parseComponent(o, Component::kApiServer);
  return c && !(c->last("authorization-config") != nullptr && c->last("authorization-mode") == nullptr);
}
// Likewise --authentication-config may configure anonymous authentication instead of the flag.
bool isApiServerPodWithVisibleAnonymousAuth(const Object& o) {
  std::optional<ComponentCommand> c = parseComponent(o, Component::kApiServer);
  return c && !(c->last("authentication-config") != nullptr && c->last("anonymous-auth") == nullptr);
}

// --- the table ---

using Rule = void (*)(FlagReport&);

struct FlagCheckSpec {
  std::string_view id;
  std::string_view control;
  Component component;
  std::string_view title;
  Severity severity;
  std::string_view description;
  std::string_view remediation;
  Rule rule;
  bool (*applies_to)(const Object&) = nullptr;  // nullptr: every pod of the component
  std::string_view not_applicable_reason = {};   // "": the component's pod is not visible
};

class FlagCheck final : public Check {
 public:
  explicit FlagCheck(const FlagCheckSpec& spec) : component_(spec.component), rule_(spec.rule) {
    std::string_view binary = componentBinary(spec.component);
    reason_ = std::string(kManagedReason);
    reason_.replace(reason_.find("%s"), 2, binary);
    info_.id = spec.id;
    info_.title = spec.title;
    info_.severity = spec.severity;
    info_.description = spec.description;
    info_.remediation = spec.remediation;
    info_.controls = {{"cis", spec.control}};
    info_.scope = Scope::kKinds;
    info_.kinds = {"Pod"};
    if (spec.applies_to != nullptr) {
      info_.applies_to = spec.applies_to;
    } else {
      switch (spec.component) {
        case Component::kApiServer: info_.applies_to = &isApiServerPod; break;
        case Component::kControllerManager: info_.applies_to = &isControllerManagerPod; break;
        case Component::kScheduler: info_.applies_to = &isSchedulerPod; break;
        case Component::kEtcd: info_.applies_to = &isEtcdPod; break;
      }
    }
    if (!spec.not_applicable_reason.empty()) reason_ = std::string(spec.not_applicable_reason);
    info_.not_applicable_reason = reason_;
  }
  FlagCheck(const FlagCheck&) = delete;  // info_ points into reason_
  FlagCheck& operator=(const FlagCheck&) = delete;
  const CheckInfo& info() const override { return info_; }
  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (info_.applies_to != nullptr && !info_.applies_to(object)) return;
    std::optional<ComponentCommand> command = parseComponent(object, component_);
    if (!command) return;
    FlagReport report(*command, object, context, sink);
    rule_(report);
  }

 private:
  Component component_;
  Rule rule_;
  std::string reason_;
  CheckInfo info_;
};

const FlagCheckSpec kSpecs[] = {
    // --- 1.2 API server ---
    {"cis-apiserver-anonymous-auth", "1.2.1", Component::kApiServer,
     "API server allows anonymous requests", Severity::kHigh,
     "kube-apiserver serves requests that carry no credentials as system:anonymous (--anonymous-auth "
     "defaults to true); every permission granted to that user or to system:unauthenticated is open "
     "to anyone who can reach the API.",
     "Set --anonymous-auth=false on kube-apiserver (health checks can use an authenticated probe or "
     "the anonymous endpoints of an AuthenticationConfiguration).",
     [](FlagReport& r) { requireBool(r, "anonymous-auth", false, true); }, &isApiServerPodWithVisibleAnonymousAuth,
     kAnonymousReason},
    {"cis-apiserver-token-auth-file", "1.2.2", Component::kApiServer,
     "API server accepts static tokens from a file", Severity::kHigh,
     "--token-auth-file makes kube-apiserver accept bearer tokens listed in a plain file: they never "
     "expire and change only when the API server restarts.",
     "Remove --token-auth-file from kube-apiserver and authenticate users with OIDC, webhooks or "
     "client certificates instead.",
     [](FlagReport& r) { requireNotSet(r, "token-auth-file", "static tokens cannot expire or be revoked without a restart"); }},
    {"cis-apiserver-deny-service-external-ips", "1.2.3", Component::kApiServer,
     "API server does not deny Service externalIPs", Severity::kMedium,
     "Without the DenyServiceExternalIPs admission plugin anyone who can create a Service can set "
     "spec.externalIPs and intercept traffic meant for that address (CVE-2020-8554).",
     "Add DenyServiceExternalIPs to kube-apiserver --enable-admission-plugins.",
     [](FlagReport& r) { requirePluginEnabled(r, "DenyServiceExternalIPs"); }},
    {"cis-apiserver-kubelet-client-cert", "1.2.4", Component::kApiServer,
     "API server has no client certificate for kubelets", Severity::kHigh,
     "Without --kubelet-client-certificate and --kubelet-client-key kube-apiserver cannot "
     "authenticate to kubelets, so kubelets must accept unauthenticated requests for exec, logs and "
     "port-forward.",
     "Set --kubelet-client-certificate and --kubelet-client-key on kube-apiserver to a client "
     "certificate the kubelets trust.",
     [](FlagReport& r) { requireSet(r, {"kubelet-client-certificate", "kubelet-client-key"}); }},
    {"cis-apiserver-kubelet-certificate-authority", "1.2.5", Component::kApiServer,
     "API server does not verify kubelet serving certificates", Severity::kMedium,
     "Without --kubelet-certificate-authority kube-apiserver connects to kubelets without verifying "
     "their certificates, so a man in the middle can impersonate a kubelet.",
     "Set --kubelet-certificate-authority on kube-apiserver to the CA that signs kubelet serving "
     "certificates (with serverTLSBootstrap on the kubelets).",
     [](FlagReport& r) { requireSet(r, {"kubelet-certificate-authority"}); }},
    {"cis-apiserver-authorization-always-allow", "1.2.6", Component::kApiServer,
     "API server authorizes every request", Severity::kCritical,
     "With AlwaysAllow in --authorization-mode (its default when neither the flag nor "
     "--authorization-config is given) every authenticated request is allowed: RBAC is not enforced.",
     "Set --authorization-mode on kube-apiserver to Node,RBAC (never AlwaysAllow).",
     [](FlagReport& r) { requireListHas(r, "authorization-mode", "AlwaysAllow", "AlwaysAllow", false); },
     &isApiServerPodWithVisibleAuthorization, kAuthorizationReason},
    {"cis-apiserver-authorization-node", "1.2.7", Component::kApiServer,
     "API server does not use the Node authorizer", Severity::kMedium,
     "Without the Node authorization mode kubelets are authorized by RBAC alone and can read every "
     "Secret and ConfigMap, not only those of pods on their node.",
     "Include Node in kube-apiserver --authorization-mode (for example Node,RBAC).",
     [](FlagReport& r) { requireListHas(r, "authorization-mode", "Node", "AlwaysAllow", true); },
     &isApiServerPodWithVisibleAuthorization, kAuthorizationReason},
    {"cis-apiserver-authorization-rbac", "1.2.8", Component::kApiServer,
     "API server does not use RBAC", Severity::kHigh,
     "Without the RBAC authorization mode Roles and RoleBindings have no effect.",
     "Include RBAC in kube-apiserver --authorization-mode (for example Node,RBAC).",
     [](FlagReport& r) { requireListHas(r, "authorization-mode", "RBAC", "AlwaysAllow", true); },
     &isApiServerPodWithVisibleAuthorization, kAuthorizationReason},
    {"cis-apiserver-event-rate-limit", "1.2.9", Component::kApiServer,
     "API server does not limit the event rate", Severity::kLow,
     "Without the EventRateLimit admission plugin a flood of events can overload the API server and "
     "etcd.",
     "Add EventRateLimit to kube-apiserver --enable-admission-plugins and configure its limits in the "
     "--admission-control-config-file.",
     [](FlagReport& r) { requirePluginEnabled(r, "EventRateLimit"); }},
    {"cis-apiserver-always-admit", "1.2.10", Component::kApiServer,
     "API server enables the AlwaysAdmit admission plugin", Severity::kHigh,
     "The AlwaysAdmit admission plugin admits every request, bypassing the admission chain.",
     "Remove AlwaysAdmit from kube-apiserver --enable-admission-plugins.",
     [](FlagReport& r) { requireListHas(r, "enable-admission-plugins", "AlwaysAdmit", "", false); }},
    {"cis-apiserver-always-pull-images", "1.2.11", Component::kApiServer,
     "API server does not force image pulls", Severity::kLow,
     "Without the AlwaysPullImages admission plugin a pod can run a private image already cached on "
     "its node without the credentials to pull it.",
     "Add AlwaysPullImages to kube-apiserver --enable-admission-plugins.",
     [](FlagReport& r) { requirePluginEnabled(r, "AlwaysPullImages"); }},
    {"cis-apiserver-service-account-plugin", "1.2.12", Component::kApiServer,
     "API server disables the ServiceAccount admission plugin", Severity::kMedium,
     "The ServiceAccount admission plugin gives pods their service account and stops them from "
     "naming one that does not exist; --disable-admission-plugins turns it off.",
     "Remove ServiceAccount from kube-apiserver --disable-admission-plugins.",
     [](FlagReport& r) { requirePluginNotDisabled(r, "ServiceAccount"); }},
    {"cis-apiserver-namespace-lifecycle", "1.2.13", Component::kApiServer,
     "API server disables the NamespaceLifecycle admission plugin", Severity::kMedium,
     "The NamespaceLifecycle admission plugin refuses objects in namespaces that do not exist or are "
     "being deleted and protects the system namespaces; --disable-admission-plugins turns it off.",
     "Remove NamespaceLifecycle from kube-apiserver --disable-admission-plugins.",
     [](FlagReport& r) { requirePluginNotDisabled(r, "NamespaceLifecycle"); }},
    {"cis-apiserver-node-restriction", "1.2.14", Component::kApiServer,
     "API server does not restrict what kubelets may modify", Severity::kMedium,
     "Without the NodeRestriction admission plugin a kubelet can modify other nodes and pods not "
     "bound to it, and set labels that steer workloads onto it.",
     "Add NodeRestriction to kube-apiserver --enable-admission-plugins.",
     [](FlagReport& r) { requirePluginEnabled(r, "NodeRestriction"); }},
    {"cis-apiserver-profiling", "1.2.15", Component::kApiServer,
     "API server exposes profiling", Severity::kLow,
     "--profiling (on by default) serves /debug/pprof, which reveals program internals and costs "
     "resources when used.",
     "Set --profiling=false on kube-apiserver.",
     [](FlagReport& r) { requireBool(r, "profiling", false, true); }},
    {"cis-apiserver-audit-log-path", "1.2.16", Component::kApiServer,
     "API server writes no audit log", Severity::kMedium,
     "Without --audit-log-path kube-apiserver keeps no audit log file: who did what in the cluster "
     "cannot be reconstructed.",
     "Set --audit-log-path (and --audit-policy-file) on kube-apiserver.",
     [](FlagReport& r) { requireSet(r, {"audit-log-path"}); }},
    {"cis-apiserver-audit-log-maxage", "1.2.17", Component::kApiServer,
     "API server keeps audit logs for less than 30 days", Severity::kLow,
     "--audit-log-maxage (default 0: no retention by age) below 30 days does not keep the month of "
     "audit history the benchmark asks for.",
     "Set --audit-log-maxage=30 or more on kube-apiserver.",
     [](FlagReport& r) { requireIntAtLeast(r, "audit-log-maxage", 30, 0); }},
    {"cis-apiserver-audit-log-maxbackup", "1.2.18", Component::kApiServer,
     "API server keeps fewer than 10 audit log files", Severity::kLow,
     "--audit-log-maxbackup (default 0) below 10 rotates audit history away quickly.",
     "Set --audit-log-maxbackup=10 or more on kube-apiserver.",
     [](FlagReport& r) { requireIntAtLeast(r, "audit-log-maxbackup", 10, 0); }},
    {"cis-apiserver-audit-log-maxsize", "1.2.19", Component::kApiServer,
     "API server rotates audit logs below 100 MB", Severity::kLow,
     "--audit-log-maxsize (default 0) below 100 MB rotates audit files too early to keep a useful "
     "history.",
     "Set --audit-log-maxsize=100 or more on kube-apiserver.",
     [](FlagReport& r) { requireIntAtLeast(r, "audit-log-maxsize", 100, 0); }},
    {"cis-apiserver-service-account-lookup", "1.2.21", Component::kApiServer,
     "API server does not check that service account tokens still exist", Severity::kMedium,
     "With --service-account-lookup=false a token of a deleted service account stays valid until it "
     "expires.",
     "Remove --service-account-lookup=false from kube-apiserver (the default is true).",
     [](FlagReport& r) { requireBool(r, "service-account-lookup", true, true); }},
    {"cis-apiserver-service-account-key-file", "1.2.22", Component::kApiServer,
     "API server names no service account verification key", Severity::kMedium,
     "Without --service-account-key-file kube-apiserver verifies service account tokens with its TLS "
     "key, so rotating the serving certificate invalidates every token and the keys cannot be "
     "managed apart.",
     "Set --service-account-key-file on kube-apiserver to the public key(s) of the service account "
     "signing key.",
     [](FlagReport& r) { requireSet(r, {"service-account-key-file"}); }},
    {"cis-apiserver-etcd-client-cert", "1.2.23", Component::kApiServer,
     "API server has no client certificate for etcd", Severity::kHigh,
     "Without --etcd-certfile and --etcd-keyfile kube-apiserver does not authenticate to etcd, so etcd "
     "must accept unauthenticated clients, and etcd holds every Secret.",
     "Set --etcd-certfile and --etcd-keyfile on kube-apiserver and require client certificates on etcd.",
     [](FlagReport& r) { requireSet(r, {"etcd-certfile", "etcd-keyfile"}); }},
    {"cis-apiserver-tls-cert", "1.2.24", Component::kApiServer,
     "API server has no serving certificate configured", Severity::kMedium,
     "Without --tls-cert-file and --tls-private-key-file kube-apiserver serves a self-signed "
     "certificate that clients cannot verify.",
     "Set --tls-cert-file and --tls-private-key-file on kube-apiserver.",
     [](FlagReport& r) { requireSet(r, {"tls-cert-file", "tls-private-key-file"}); }},
    {"cis-apiserver-client-ca-file", "1.2.25", Component::kApiServer,
     "API server does not verify client certificates", Severity::kMedium,
     "Without --client-ca-file kube-apiserver cannot authenticate clients (kubelets, controllers, "
     "administrators) by certificate.",
     "Set --client-ca-file on kube-apiserver.",
     [](FlagReport& r) { requireSet(r, {"client-ca-file"}); }},
    {"cis-apiserver-etcd-cafile", "1.2.26", Component::kApiServer,
     "API server does not verify etcd's certificate", Severity::kHigh,
     "Without --etcd-cafile kube-apiserver does not verify the etcd server it stores everything in.",
     "Set --etcd-cafile on kube-apiserver to the etcd CA.",
     [](FlagReport& r) { requireSet(r, {"etcd-cafile"}); }},
    {"cis-apiserver-encryption-provider-config", "1.2.27", Component::kApiServer,
     "API server does not encrypt Secrets at rest", Severity::kMedium,
     "Without --encryption-provider-config Secrets are stored in etcd in plain text: whoever reads an "
     "etcd backup or disk reads every Secret.",
     "Set --encryption-provider-config on kube-apiserver to an EncryptionConfiguration using kms, "
     "aescbc or secretbox.",
     [](FlagReport& r) { requireSet(r, {"encryption-provider-config"}); }},
    {"cis-apiserver-tls-cipher-suites", "1.2.29", Component::kApiServer,
     "API server allows weak TLS cipher suites", Severity::kLow,
     "Without --tls-cipher-suites (or with suites outside the benchmark's list) kube-apiserver "
     "negotiates cipher suites the benchmark considers weak.",
     "Set --tls-cipher-suites on kube-apiserver to the benchmark's strong suites (ECDHE with AES-GCM "
     "or ChaCha20-Poly1305, and the TLS 1.3 suites).",
     [](FlagReport& r) { requireSubset(r, "tls-cipher-suites", kApiServerStrongCiphers); }},
    {"cis-apiserver-service-account-extend-token-expiration", "1.2.30", Component::kApiServer,
     "API server extends service account token lifetimes", Severity::kLow,
     "--service-account-extend-token-expiration (true by default) makes projected tokens valid for a "
     "year regardless of the lifetime requested, so a stolen token stays useful far longer.",
     "Set --service-account-extend-token-expiration=false on kube-apiserver.",
     [](FlagReport& r) { requireBool(r, "service-account-extend-token-expiration", false, true); }},
    // --- 1.3 controller manager ---
    {"cis-controller-manager-terminated-pod-gc-threshold", "1.3.1", Component::kControllerManager,
     "Controller manager has no explicit terminated pod threshold", Severity::kLow,
     "Without --terminated-pod-gc-threshold terminated pods are kept until 12500 exist, which can "
     "exhaust resources; the benchmark asks for a value chosen for the cluster.",
     "Set --terminated-pod-gc-threshold on kube-controller-manager to a value fit for the cluster (for example 10).",
     [](FlagReport& r) { requireSet(r, {"terminated-pod-gc-threshold"}); }},
    {"cis-controller-manager-profiling", "1.3.2", Component::kControllerManager,
     "Controller manager exposes profiling", Severity::kLow,
     "--profiling (on by default) serves /debug/pprof, which reveals program internals.",
     "Set --profiling=false on kube-controller-manager.",
     [](FlagReport& r) { requireBool(r, "profiling", false, true); }},
    {"cis-controller-manager-use-service-account-credentials", "1.3.3", Component::kControllerManager,
     "Controllers share the controller manager's credentials", Severity::kMedium,
     "Without --use-service-account-credentials=true (false by default) every controller acts with the "
     "controller manager's own, broad credentials instead of one least-privilege service account each.",
     "Set --use-service-account-credentials=true on kube-controller-manager.",
     [](FlagReport& r) { requireBool(r, "use-service-account-credentials", true, false); }},
    {"cis-controller-manager-service-account-private-key-file", "1.3.4", Component::kControllerManager,
     "Controller manager names no service account signing key", Severity::kMedium,
     "Without --service-account-private-key-file the controller manager cannot sign service account "
     "tokens with a key that can be rotated apart from the serving certificate.",
     "Set --service-account-private-key-file on kube-controller-manager.",
     [](FlagReport& r) { requireSet(r, {"service-account-private-key-file"}); }},
    {"cis-controller-manager-root-ca-file", "1.3.5", Component::kControllerManager,
     "Controller manager gives pods no root CA", Severity::kMedium,
     "Without --root-ca-file pods receive no CA bundle to verify the API server's certificate and are "
     "open to man-in-the-middle attacks.",
     "Set --root-ca-file on kube-controller-manager to the cluster CA bundle.",
     [](FlagReport& r) { requireSet(r, {"root-ca-file"}); }},
    {"cis-controller-manager-rotate-kubelet-server-certificate", "1.3.6", Component::kControllerManager,
     "Controller manager turns kubelet serving certificate rotation off", Severity::kMedium,
     "--feature-gates=RotateKubeletServerCertificate=false stops kubelet serving certificates from "
     "being rotated (the gate is on by default).",
     "Remove RotateKubeletServerCertificate=false from kube-controller-manager --feature-gates.",
     [](FlagReport& r) { requireFeatureGateNotFalse(r, "RotateKubeletServerCertificate"); }},
    {"cis-controller-manager-bind-address", "1.3.7", Component::kControllerManager,
     "Controller manager listens beyond localhost", Severity::kMedium,
     "kube-controller-manager serves health, metrics and profiling on --bind-address, 0.0.0.0 (every "
     "interface) by default.",
     "Set --bind-address=127.0.0.1 on kube-controller-manager.",
     [](FlagReport& r) { requireEquals(r, "bind-address", "127.0.0.1", "0.0.0.0"); }},
    // --- 1.4 scheduler ---
    {"cis-scheduler-profiling", "1.4.1", Component::kScheduler,
     "Scheduler exposes profiling", Severity::kLow,
     "--profiling (on by default) serves /debug/pprof, which reveals program internals.",
     "Set --profiling=false on kube-scheduler.",
     [](FlagReport& r) { requireBool(r, "profiling", false, true); }},
    {"cis-scheduler-bind-address", "1.4.2", Component::kScheduler,
     "Scheduler listens beyond localhost", Severity::kMedium,
     "kube-scheduler serves health, metrics and profiling on --bind-address, 0.0.0.0 (every "
     "interface) by default.",
     "Set --bind-address=127.0.0.1 on kube-scheduler.",
     [](FlagReport& r) { requireEquals(r, "bind-address", "127.0.0.1", "0.0.0.0"); }},
    // --- 2 etcd ---
    {"cis-etcd-cert-file", "2.1", Component::kEtcd,
     "etcd serves clients without TLS", Severity::kHigh,
     "Without --cert-file and --key-file etcd serves its clients in plain text, and etcd holds every "
     "Secret of the cluster.",
     "Set --cert-file and --key-file on etcd.",
     [](FlagReport& r) { requireSet(r, {"cert-file", "key-file"}); }},
    {"cis-etcd-client-cert-auth", "2.2", Component::kEtcd,
     "etcd does not require client certificates", Severity::kHigh,
     "Without --client-cert-auth=true (false by default) any client that reaches etcd can read and "
     "write the whole cluster state.",
     "Set --client-cert-auth=true on etcd.",
     [](FlagReport& r) { requireBool(r, "client-cert-auth", true, false); }},
    {"cis-etcd-auto-tls", "2.3", Component::kEtcd,
     "etcd uses self-signed client certificates", Severity::kMedium,
     "--auto-tls=true makes etcd generate self-signed certificates that clients cannot verify.",
     "Remove --auto-tls or set --auto-tls=false on etcd.",
     [](FlagReport& r) { requireBool(r, "auto-tls", false, false); }},
    {"cis-etcd-peer-cert-file", "2.4", Component::kEtcd,
     "etcd members talk without TLS", Severity::kHigh,
     "Without --peer-cert-file and --peer-key-file etcd members replicate the cluster state in plain "
     "text.",
     "Set --peer-cert-file and --peer-key-file on etcd.",
     [](FlagReport& r) { requireSet(r, {"peer-cert-file", "peer-key-file"}); }},
    {"cis-etcd-peer-client-cert-auth", "2.5", Component::kEtcd,
     "etcd does not authenticate its peers", Severity::kHigh,
     "Without --peer-client-cert-auth=true (false by default) anything that reaches the peer port can "
     "join or read the etcd cluster.",
     "Set --peer-client-cert-auth=true on etcd.",
     [](FlagReport& r) { requireBool(r, "peer-client-cert-auth", true, false); }},
    {"cis-etcd-peer-auto-tls", "2.6", Component::kEtcd,
     "etcd uses self-signed peer certificates", Severity::kMedium,
     "--peer-auto-tls=true makes etcd members use self-signed certificates that peers cannot verify.",
     "Remove --peer-auto-tls or set --peer-auto-tls=false on etcd.",
     [](FlagReport& r) { requireBool(r, "peer-auto-tls", false, false); }},
    {"cis-etcd-trusted-ca-file", "2.7", Component::kEtcd,
     "etcd does not use a CA of its own", Severity::kMedium,
     "The benchmark asks for a CA used for etcd alone (--trusted-ca-file), so that client certificates "
     "of the cluster CA cannot reach etcd; kspm reports a missing --trusted-ca-file, and one that is "
     "the --client-ca-file of a kube-apiserver pod in the input.",
     "Create a CA for etcd alone and set --trusted-ca-file on etcd to it.",
     [](FlagReport& r) { requireUniqueEtcdCa(r); }},
    // --- 3.2 logging ---
    {"cis-apiserver-audit-policy-file", "3.2.1", Component::kApiServer,
     "API server has no audit policy", Severity::kMedium,
     "Without --audit-policy-file kube-apiserver records no audit events at all, even with an audit "
     "log path.",
     "Write an audit policy and set --audit-policy-file on kube-apiserver.",
     [](FlagReport& r) { requireSet(r, {"audit-policy-file"}); }},
};

}  // namespace

std::vector<std::unique_ptr<Check>> makeControlPlaneChecks() {
  std::vector<std::unique_ptr<Check>> out;
  for (const FlagCheckSpec& spec : kSpecs) out.push_back(std::make_unique<FlagCheck>(spec));
  return out;
}

}  // namespace kspm::checks::cis
