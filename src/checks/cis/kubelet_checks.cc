// CIS v1.12 4.2 (kubelet) on KubeletConfiguration objects (kubelet.config.k8s.io/v1beta1): a kubelet
// config file, or a node's /configz as the cluster scanner reads it (the same fields at top level,
// metadata.name = the node). An absent field takes the v1beta1 config-file default, which differs
// from the command-line default in places: anonymous authentication off, authorization Webhook,
// readOnlyPort 0, rotateCertificates false, streamingConnectionIdleTimeout 4h,
// makeIPTablesUtilChains true, podPidsLimit -1, seccompDefault false, no TLS files, no cipher list.
// 4.2.7 (--hostname-override) and 4.2.8 (an "appropriate" event rate) are not assessable.
#include <algorithm>
#include <string>

#include "checks/cis/cis_checks.h"
#include "kspm/node.h"

namespace kspm::checks::cis {
namespace {

constexpr std::string_view kKubeletReason =
    "no kubelet configuration is in the input: give a kubelet config file (KubeletConfiguration, "
    "e.g. /var/lib/kubelet/config.yaml) or scan the cluster with kspm's opt-in reading of each node's "
    "/configz (it needs get on nodes/proxy, which lets its holder exec into every pod)";

bool isKubeletConfiguration(const Object& object) {
  return object.kind == "KubeletConfiguration" && object.group() == "kubelet.config.k8s.io";
}

class KubeletReport {
 public:
  KubeletReport(const Object& object, FindingSink& sink) : root_(*object.root), sink_(sink) {}

  /** The node at a dotted path ("authentication.anonymous.enabled"), or nullptr. */
  const Node* get(std::string_view path) const {
    const Node* node = &root_;
    for (std::string_view rest = path; node != nullptr && !rest.empty();) {
      size_t dot = rest.find('.');
      node = node->isObject() ? node->get(rest.substr(0, dot)) : nullptr;
      rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    }
    return node;
  }
  /** A finding at the field, or for an absent one at its nearest existing parent. */
  void add(std::string_view path, std::string message) {
    const Node* at = get(path);
    for (std::string_view p = path; at == nullptr;) {
      size_t dot = p.rfind('.');
      p = dot == std::string_view::npos ? std::string_view() : p.substr(0, dot);
      at = p.empty() ? &root_ : get(p);
    }
    sink_.add(*at, std::move(message), std::string(path), std::string(path));
  }

 private:
  const Node& root_;
  FindingSink& sink_;
};

std::string shown(const Node& node) {
  if (node.isString()) {
    std::string quoted(1, '"');
    quoted.append(node.str()).push_back('"');
    return quoted;
  }
  if (node.isBool()) return node.boolean() ? "true" : "false";
  if (node.isInt()) return std::to_string(node.integer());
  if (node.isNull()) return "null";
  return "not a scalar";
}

void requireBool(KubeletReport& r, std::string_view path, bool expected, bool default_value) {
  const Node* node = r.get(path);
  if (node == nullptr || node->isNull()) {
    if (default_value != expected) {
      r.add(path, std::string(path) + " is not set: a KubeletConfiguration defaults to " +
                      (default_value ? "true" : "false") + "; set it to " + (expected ? "true" : "false"));
    }
    return;
  }
  if (!node->isBool()) {
    r.add(path, std::string(path) + " is " + shown(*node) + ", not a boolean");
  } else if (node->boolean() != expected) {
    r.add(path, std::string(path) + " is " + shown(*node) + "; it should be " + (expected ? "true" : "false"));
  }
}

void requireString(KubeletReport& r, std::string_view path) {
  const Node* node = r.get(path);
  if (node == nullptr || node->isNull()) {
    r.add(path, std::string(path) + " is not set");
  } else if (!node->isString() || node->str().empty()) {
    r.add(path, std::string(path) + " is " + shown(*node) + ", not a file path");
  }
}

// A metav1.Duration of zero: "0", "0s", "0h0m0s" (a number is nanoseconds).
bool isZeroDuration(const Node& node) {
  if (node.isInt()) return node.integer() == 0;
  if (!node.isString()) return false;
  std::string_view s = node.str();
  return !s.empty() && std::none_of(s.begin(), s.end(), [](char c) { return c >= '1' && c <= '9'; });
}

constexpr std::string_view kKubeletStrongCiphers[] = {
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"};

using Rule = void (*)(KubeletReport&);

struct KubeletCheckSpec {
  std::string_view id;
  std::string_view control;
  std::string_view title;
  Severity severity;
  std::string_view description;
  std::string_view remediation;
  Rule rule;
};

class KubeletCheck final : public Check {
 public:
  explicit KubeletCheck(const KubeletCheckSpec& spec) : rule_(spec.rule) {
    info_.id = spec.id;
    info_.title = spec.title;
    info_.severity = spec.severity;
    info_.description = spec.description;
    info_.remediation = spec.remediation;
    info_.controls = {{"cis", spec.control}};
    info_.scope = Scope::kKinds;
    info_.kinds = {"KubeletConfiguration"};
    info_.applies_to = &isKubeletConfiguration;
    info_.not_applicable_reason = kKubeletReason;
  }
  const CheckInfo& info() const override { return info_; }
  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (!isKubeletConfiguration(object)) return;
    KubeletReport report(object, sink);
    rule_(report);
  }

 private:
  Rule rule_;
  CheckInfo info_;
};

const KubeletCheckSpec kSpecs[] = {
    {"cis-kubelet-anonymous-auth", "4.2.1", "Kubelet allows anonymous requests", Severity::kHigh,
     "With authentication.anonymous.enabled the kubelet serves requests without credentials as "
     "system:anonymous; with a permissive authorizer anyone reaching port 10250 can read pods and "
     "run commands in them.",
     "Set authentication.anonymous.enabled: false in the kubelet configuration (the config-file "
     "default).",
     [](KubeletReport& r) { requireBool(r, "authentication.anonymous.enabled", false, false); }},
    {"cis-kubelet-authorization-mode", "4.2.2", "Kubelet authorizes every request", Severity::kCritical,
     "authorization.mode AlwaysAllow lets every request that reaches the kubelet API (exec, logs, "
     "port-forward) through without asking the API server.",
     "Set authorization.mode: Webhook in the kubelet configuration (the config-file default).",
     [](KubeletReport& r) {
       const Node* mode = r.get("authorization.mode");
       if (mode != nullptr && mode->is("AlwaysAllow")) {
         r.add("authorization.mode", "authorization.mode is \"AlwaysAllow\": the kubelet authorizes every request");
       }
     }},
    {"cis-kubelet-client-ca-file", "4.2.3", "Kubelet does not verify client certificates", Severity::kHigh,
     "Without authentication.x509.clientCAFile the kubelet cannot authenticate the API server and "
     "other clients by certificate.",
     "Set authentication.x509.clientCAFile in the kubelet configuration to the cluster CA.",
     [](KubeletReport& r) { requireString(r, "authentication.x509.clientCAFile"); }},
    {"cis-kubelet-read-only-port", "4.2.4", "Kubelet serves the unauthenticated read-only port", Severity::kMedium,
     "A non-zero readOnlyPort (10255 traditionally) serves pod specs and node metrics with no "
     "authentication or authorization at all.",
     "Set readOnlyPort: 0 in the kubelet configuration (the config-file default).",
     [](KubeletReport& r) {
       const Node* port = r.get("readOnlyPort");
       if (port != nullptr && !(port->isInt() && port->integer() == 0) && !port->isNull()) {
         r.add("readOnlyPort", "readOnlyPort is " + shown(*port) + ": an unauthenticated read-only API is served");
       }
     }},
    {"cis-kubelet-streaming-connection-idle-timeout", "4.2.5", "Kubelet never times out idle streams",
     Severity::kLow,
     "streamingConnectionIdleTimeout 0 keeps idle exec, attach and port-forward connections open "
     "forever, exhausting resources (the default is 4h).",
     "Set streamingConnectionIdleTimeout to a non-zero duration (for example 5m) in the kubelet configuration.",
     [](KubeletReport& r) {
       const Node* timeout = r.get("streamingConnectionIdleTimeout");
       if (timeout != nullptr && isZeroDuration(*timeout)) {
         r.add("streamingConnectionIdleTimeout",
               "streamingConnectionIdleTimeout is " + shown(*timeout) + ": idle streaming connections never close");
       }
     }},
    {"cis-kubelet-make-iptables-util-chains", "4.2.6", "Kubelet does not manage its iptables chains",
     Severity::kLow,
     "makeIPTablesUtilChains false leaves the kubelet's iptables utility chains to whatever else "
     "edits the node's firewall, so they can drift from what pod networking needs.",
     "Set makeIPTablesUtilChains: true in the kubelet configuration (the default).",
     [](KubeletReport& r) { requireBool(r, "makeIPTablesUtilChains", true, true); }},
    {"cis-kubelet-tls-cert", "4.2.9", "Kubelet has no serving certificate configured", Severity::kMedium,
     "Without tlsCertFile and tlsPrivateKeyFile the kubelet serves a self-signed certificate that the "
     "API server cannot verify.",
     "Set tlsCertFile and tlsPrivateKeyFile in the kubelet configuration.",
     [](KubeletReport& r) {
       requireString(r, "tlsCertFile");
       requireString(r, "tlsPrivateKeyFile");
     }},
    {"cis-kubelet-rotate-certificates", "4.2.10", "Kubelet does not rotate its client certificate",
     Severity::kLow,
     "Without rotateCertificates (false by default in a kubelet config file) the kubelet's client "
     "certificate is never renewed: it expires, or lives as long as whoever issued it allowed.",
     "Set rotateCertificates: true in the kubelet configuration.",
     [](KubeletReport& r) { requireBool(r, "rotateCertificates", true, false); }},
    {"cis-kubelet-rotate-server-certificate", "4.2.11", "Kubelet turns serving certificate rotation off",
     Severity::kLow,
     "featureGates.RotateKubeletServerCertificate false stops the kubelet from renewing its serving "
     "certificate (the gate is on by default).",
     "Remove RotateKubeletServerCertificate: false from the kubelet configuration's featureGates.",
     [](KubeletReport& r) {
       const Node* gate = r.get("featureGates.RotateKubeletServerCertificate");
       if (gate != nullptr && gate->isBool() && !gate->boolean()) {
         r.add("featureGates.RotateKubeletServerCertificate",
               "featureGates.RotateKubeletServerCertificate is false: serving certificates are not rotated");
       }
     }},
    {"cis-kubelet-tls-cipher-suites", "4.2.12", "Kubelet allows weak TLS cipher suites", Severity::kLow,
     "Without tlsCipherSuites (or with suites outside the benchmark's list) the kubelet negotiates "
     "cipher suites the benchmark considers weak.",
     "Set tlsCipherSuites in the kubelet configuration to the benchmark's strong suites (ECDHE with "
     "AES-GCM or ChaCha20-Poly1305) or a subset of them.",
     [](KubeletReport& r) {
       const Node* suites = r.get("tlsCipherSuites");
       if (suites == nullptr || suites->isNull()) {
         r.add("tlsCipherSuites", "tlsCipherSuites is not set: the Go TLS defaults apply, which include suites the "
                                  "benchmark does not accept");
         return;
       }
       std::string weak;
       for (const Node& s : suites->items()) {
         if (std::find(std::begin(kKubeletStrongCiphers), std::end(kKubeletStrongCiphers), s.str()) ==
             std::end(kKubeletStrongCiphers)) {
           weak += (weak.empty() ? "" : ", ") + (s.isString() ? std::string(s.str()) : shown(s));
         }
       }
       if (!suites->isArray()) weak = shown(*suites);
       if (!weak.empty()) r.add("tlsCipherSuites", "tlsCipherSuites allows " + weak);
     }},
    {"cis-kubelet-pod-pids-limit", "4.2.13", "Kubelet sets no limit on pod PIDs", Severity::kLow,
     "Without podPidsLimit (-1, no limit, by default) one pod can fork until the node runs out of "
     "process IDs and starve every other pod on it.",
     "Set podPidsLimit in the kubelet configuration to a limit fit for the workloads (for example 4096).",
     [](KubeletReport& r) {
       const Node* limit = r.get("podPidsLimit");
       if (limit == nullptr || limit->isNull()) {
         r.add("podPidsLimit", "podPidsLimit is not set: a KubeletConfiguration defaults to -1 (no limit)");
       } else if (!limit->isInt() || limit->integer() <= 0) {
         r.add("podPidsLimit", "podPidsLimit is " + shown(*limit) + ": pods have no PID limit");
       }
     }},
    {"cis-kubelet-seccomp-default", "4.2.14", "Kubelet does not apply the RuntimeDefault seccomp profile",
     Severity::kLow,
     "Without seccompDefault (false by default) containers that ask for no seccomp profile run "
     "unconfined, with every system call available.",
     "Set seccompDefault: true in the kubelet configuration.",
     [](KubeletReport& r) { requireBool(r, "seccompDefault", true, false); }},
};

}  // namespace

std::vector<std::unique_ptr<Check>> makeKubeletChecks() {
  std::vector<std::unique_ptr<Check>> out;
  for (const KubeletCheckSpec& spec : kSpecs) out.push_back(std::make_unique<KubeletCheck>(spec));
  return out;
}

}  // namespace kspm::checks::cis
