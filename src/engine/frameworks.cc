#include "kspm/frameworks.h"

#include <algorithm>
#include <cmath>

#include "checks/pss/pss_policy.h"

namespace kspm {
namespace {

// Why no object shows CIS 1.1 and 4.1: file permissions and ownership on the nodes.
constexpr std::string_view kNodeFiles =
    "file permissions and ownership on the nodes are not visible through the Kubernetes API or in manifests";

// CIS Kubernetes Benchmark v1.12, in benchmark order. Sections 1-4 (control plane, etcd, control
// plane configuration, worker nodes): kspm assesses what the components' static pods, kubelet
// configurations and the kube-proxy ConfigMap show (src/checks/cis); what only the nodes' files show
// is not assessable. Section 5 (Policies): every control is tagged "Manual" upstream; kspm automates
// those its checks map to (docs/compliance.md).
constexpr FrameworkControl kCisControls[] = {
    {"1.1.1", "Ensure that the API server pod specification file permissions are set to 600 or more restrictive", kNodeFiles},
    {"1.1.2", "Ensure that the API server pod specification file ownership is set to root:root", kNodeFiles},
    {"1.1.3", "Ensure that the controller manager pod specification file permissions are set to 600 or more restrictive", kNodeFiles},
    {"1.1.4", "Ensure that the controller manager pod specification file ownership is set to root:root", kNodeFiles},
    {"1.1.5", "Ensure that the scheduler pod specification file permissions are set to 600 or more restrictive", kNodeFiles},
    {"1.1.6", "Ensure that the scheduler pod specification file ownership is set to root:root", kNodeFiles},
    {"1.1.7", "Ensure that the etcd pod specification file permissions are set to 600 or more restrictive", kNodeFiles},
    {"1.1.8", "Ensure that the etcd pod specification file ownership is set to root:root", kNodeFiles},
    {"1.1.9", "Ensure that the Container Network Interface file permissions are set to 600 or more restrictive", kNodeFiles},
    {"1.1.10", "Ensure that the Container Network Interface file ownership is set to root:root", kNodeFiles},
    {"1.1.11", "Ensure that the etcd data directory permissions are set to 700 or more restrictive", kNodeFiles},
    {"1.1.12", "Ensure that the etcd data directory ownership is set to etcd:etcd", kNodeFiles},
    {"1.1.13", "Ensure that the default administrative credential file permissions are set to 600", kNodeFiles},
    {"1.1.14", "Ensure that the default administrative credential file ownership is set to root:root", kNodeFiles},
    {"1.1.15", "Ensure that the scheduler.conf file permissions are set to 600 or more restrictive", kNodeFiles},
    {"1.1.16", "Ensure that the scheduler.conf file ownership is set to root:root", kNodeFiles},
    {"1.1.17", "Ensure that the controller-manager.conf file permissions are set to 600 or more restrictive", kNodeFiles},
    {"1.1.18", "Ensure that the controller-manager.conf file ownership is set to root:root", kNodeFiles},
    {"1.1.19", "Ensure that the Kubernetes PKI directory and file ownership is set to root:root", kNodeFiles},
    {"1.1.20", "Ensure that the Kubernetes PKI certificate file permissions are set to 644 or more restrictive", kNodeFiles},
    {"1.1.21", "Ensure that the Kubernetes PKI key file permissions are set to 600", kNodeFiles},
    {"1.2.1", "Ensure that the --anonymous-auth argument is set to false", ""},
    {"1.2.2", "Ensure that the --token-auth-file parameter is not set", ""},
    {"1.2.3", "Ensure that the --DenyServiceExternalIPs is set", ""},
    {"1.2.4", "Ensure that the --kubelet-client-certificate and --kubelet-client-key arguments are set as appropriate", ""},
    {"1.2.5", "Ensure that the --kubelet-certificate-authority argument is set as appropriate", ""},
    {"1.2.6", "Ensure that the --authorization-mode argument is not set to AlwaysAllow", ""},
    {"1.2.7", "Ensure that the --authorization-mode argument includes Node", ""},
    {"1.2.8", "Ensure that the --authorization-mode argument includes RBAC", ""},
    {"1.2.9", "Ensure that the admission control plugin EventRateLimit is set", ""},
    {"1.2.10", "Ensure that the admission control plugin AlwaysAdmit is not set", ""},
    {"1.2.11", "Ensure that the admission control plugin AlwaysPullImages is set", ""},
    {"1.2.12", "Ensure that the admission control plugin ServiceAccount is set", ""},
    {"1.2.13", "Ensure that the admission control plugin NamespaceLifecycle is set", ""},
    {"1.2.14", "Ensure that the admission control plugin NodeRestriction is set", ""},
    {"1.2.15", "Ensure that the --profiling argument is set to false", ""},
    {"1.2.16", "Ensure that the --audit-log-path argument is set", ""},
    {"1.2.17", "Ensure that the --audit-log-maxage argument is set to 30 or as appropriate", ""},
    {"1.2.18", "Ensure that the --audit-log-maxbackup argument is set to 10 or as appropriate", ""},
    {"1.2.19", "Ensure that the --audit-log-maxsize argument is set to 100 or as appropriate", ""},
    {"1.2.20", "Ensure that the --request-timeout argument is set as appropriate",
     "what request timeout is appropriate is the operator's judgement: the benchmark audits it manually"},
    {"1.2.21", "Ensure that the --service-account-lookup argument is set to true", ""},
    {"1.2.22", "Ensure that the --service-account-key-file argument is set as appropriate", ""},
    {"1.2.23", "Ensure that the --etcd-certfile and --etcd-keyfile arguments are set as appropriate", ""},
    {"1.2.24", "Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate", ""},
    {"1.2.25", "Ensure that the --client-ca-file argument is set as appropriate", ""},
    {"1.2.26", "Ensure that the --etcd-cafile argument is set as appropriate", ""},
    {"1.2.27", "Ensure that the --encryption-provider-config argument is set as appropriate", ""},
    {"1.2.28", "Ensure that encryption providers are appropriately configured",
     "the providers are in the --encryption-provider-config file on the control-plane nodes, which no object shows"},
    {"1.2.29", "Ensure that the API Server only makes use of Strong Cryptographic Ciphers", ""},
    {"1.2.30", "Ensure that the --service-account-extend-token-expiration parameter is set to false", ""},
    {"1.3.1", "Ensure that the --terminated-pod-gc-threshold argument is set as appropriate", ""},
    {"1.3.2", "Ensure that the --profiling argument is set to false", ""},
    {"1.3.3", "Ensure that the --use-service-account-credentials argument is set to true", ""},
    {"1.3.4", "Ensure that the --service-account-private-key-file argument is set as appropriate", ""},
    {"1.3.5", "Ensure that the --root-ca-file argument is set as appropriate", ""},
    {"1.3.6", "Ensure that the RotateKubeletServerCertificate argument is set to true", ""},
    {"1.3.7", "Ensure that the --bind-address argument is set to 127.0.0.1", ""},
    {"1.4.1", "Ensure that the --profiling argument is set to false", ""},
    {"1.4.2", "Ensure that the --bind-address argument is set to 127.0.0.1", ""},
    {"2.1", "Ensure that the --cert-file and --key-file arguments are set as appropriate", ""},
    {"2.2", "Ensure that the --client-cert-auth argument is set to true", ""},
    {"2.3", "Ensure that the --auto-tls argument is not set to true", ""},
    {"2.4", "Ensure that the --peer-cert-file and --peer-key-file arguments are set as appropriate", ""},
    {"2.5", "Ensure that the --peer-client-cert-auth argument is set to true", ""},
    {"2.6", "Ensure that the --peer-auto-tls argument is not set to true", ""},
    {"2.7", "Ensure that a unique Certificate Authority is used for etcd", ""},
    {"3.1.1", "Client certificate authentication should not be used for users",
     "client certificates are issued outside the API (by a CA on the control plane), so no object shows which people authenticate with them"},
    {"3.1.2", "Service account token authentication should not be used for users",
     "whether people, rather than workloads, use service account tokens is not recorded in any object"},
    {"3.1.3", "Bootstrap token authentication should not be used for users",
     "whether people use bootstrap tokens is not recorded in any object (and kspm does not read Secrets by default)"},
    {"3.2.1", "Ensure that a minimal audit policy is created", ""},
    {"3.2.2", "Ensure that the audit policy covers key security concerns",
     "the audit policy's rules are in the --audit-policy-file on the control-plane nodes, which no object shows"},
    {"4.1.1", "Ensure that the kubelet service file permissions are set to 600 or more restrictive", kNodeFiles},
    {"4.1.2", "Ensure that the kubelet service file ownership is set to root:root", kNodeFiles},
    {"4.1.3", "If proxy kubeconfig file exists ensure permissions are set to 600 or more restrictive", kNodeFiles},
    {"4.1.4", "If proxy kubeconfig file exists ensure ownership is set to root:root", kNodeFiles},
    {"4.1.5", "Ensure that the --kubeconfig kubelet.conf file permissions are set to 600 or more restrictive", kNodeFiles},
    {"4.1.6", "Ensure that the --kubeconfig kubelet.conf file ownership is set to root:root", kNodeFiles},
    {"4.1.7", "Ensure that the certificate authorities file permissions are set to 644 or more restrictive", kNodeFiles},
    {"4.1.8", "Ensure that the client certificate authorities file ownership is set to root:root", kNodeFiles},
    {"4.1.9", "If the kubelet config.yaml configuration file is being used validate permissions set to 600 or more restrictive", kNodeFiles},
    {"4.1.10", "If the kubelet config.yaml configuration file is being used validate file ownership is set to root:root", kNodeFiles},
    {"4.2.1", "Ensure that the --anonymous-auth argument is set to false", ""},
    {"4.2.2", "Ensure that the --authorization-mode argument is not set to AlwaysAllow", ""},
    {"4.2.3", "Ensure that the --client-ca-file argument is set as appropriate", ""},
    {"4.2.4", "Verify that if defined, the --read-only-port argument is set to 0", ""},
    {"4.2.5", "Ensure that the --streaming-connection-idle-timeout argument is not set to 0", ""},
    {"4.2.6", "Ensure that the --make-iptables-util-chains argument is set to true", ""},
    {"4.2.7", "Ensure that the --hostname-override argument is not set",
     "--hostname-override is a kubelet command-line flag: neither a kubelet config file nor a node's /configz shows it"},
    {"4.2.8", "Ensure that the eventRecordQPS argument is set to a level which ensures appropriate event capture",
     "what event rate is appropriate is the operator's judgement: the benchmark audits it manually"},
    {"4.2.9", "Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate", ""},
    {"4.2.10", "Ensure that the --rotate-certificates argument is not set to false", ""},
    {"4.2.11", "Verify that the RotateKubeletServerCertificate argument is set to true", ""},
    {"4.2.12", "Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers", ""},
    {"4.2.13", "Ensure that a limit is set on pod PIDs", ""},
    {"4.2.14", "Ensure that the --seccomp-default parameter is set to true", ""},
    {"4.3.1", "Ensure that the kube-proxy metrics service is bound to localhost", ""},
    {"5.1.1", "Ensure that the cluster-admin role is only used where required", ""},
    {"5.1.2", "Minimize access to secrets", ""},
    {"5.1.3", "Minimize wildcard use in Roles and ClusterRoles", ""},
    {"5.1.4", "Minimize access to create pods", ""},
    {"5.1.5", "Ensure that default service accounts are not actively used", ""},
    {"5.1.6", "Ensure that Service Account Tokens are only mounted where necessary", ""},
    {"5.1.7", "Avoid use of system:masters group",
     "membership of system:masters is carried in client certificates, which no Kubernetes object shows"},
    {"5.1.8", "Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster", ""},
    {"5.1.9", "Minimize access to create persistent volumes", ""},
    {"5.1.10", "Minimize access to the proxy sub-resource of nodes", ""},
    {"5.1.11", "Minimize access to the approval sub-resource of certificatesigningrequests objects", ""},
    {"5.1.12", "Minimize access to webhook configuration objects", ""},
    {"5.1.13", "Minimize access to the service account token creation", ""},
    {"5.2.1", "Ensure that the cluster has at least one active policy control mechanism in place", ""},
    {"5.2.2", "Minimize the admission of privileged containers", ""},
    {"5.2.3", "Minimize the admission of containers wishing to share the host process ID namespace", ""},
    {"5.2.4", "Minimize the admission of containers wishing to share the host IPC namespace", ""},
    {"5.2.5", "Minimize the admission of containers wishing to share the host network namespace", ""},
    {"5.2.6", "Minimize the admission of containers with allowPrivilegeEscalation", ""},
    {"5.2.7", "Minimize the admission of root containers", ""},
    {"5.2.8", "Minimize the admission of containers with the NET_RAW capability", ""},
    {"5.2.9", "Minimize the admission of containers with capabilities assigned", ""},
    {"5.2.10", "Minimize the admission of Windows HostProcess containers", ""},
    {"5.2.11", "Minimize the admission of HostPath volumes", ""},
    {"5.2.12", "Minimize the admission of containers which use HostPorts", ""},
    {"5.3.1", "Ensure that the CNI in use supports NetworkPolicies",
     "whether the CNI plugin enforces NetworkPolicy is a property of the nodes' network plugin, not of objects"},
    {"5.3.2", "Ensure that all Namespaces have NetworkPolicies defined", ""},
    {"5.4.1", "Prefer using Secrets as files over Secrets as environment variables", ""},
    {"5.4.2", "Consider external secret storage",
     "external secret storage (KMS, a vault) is configured on the API server and outside the cluster"},
    {"5.5.1", "Configure Image Provenance using ImagePolicyWebhook admission controller",
     "ImagePolicyWebhook is enabled by an API server flag and admission configuration file, not by an object"},
    {"5.6.1", "Create administrative boundaries between resources using namespaces", ""},
    {"5.6.2", "Ensure that the seccomp profile is set to docker/default in your Pod definitions", ""},
    {"5.6.3", "Apply SecurityContext to your Pods and Containers", ""},
    {"5.6.4", "The default namespace should not be used", ""},
};

// NSA/CISA Kubernetes Hardening Guide v1.2 (August 2022): the recommendations that objects show.
constexpr FrameworkControl kNsaControls[] = {
    {"non-root", "Use containers built to run applications as non-root users", ""},
    {"read-only-root-fs", "Run containers with immutable file systems", ""},
    {"privileged", "Do not run privileged containers", ""},
    {"privilege-escalation", "Prevent privilege escalation (allowPrivilegeEscalation: false)", ""},
    {"host-namespaces", "Do not share the host's process, IPC or network namespaces", ""},
    {"host-path", "Restrict hostPath mounts", ""},
    {"capabilities", "Drop Linux capabilities the workload does not need", ""},
    {"security-profiles", "Use seccomp, AppArmor or SELinux profiles", ""},
    {"sa-token", "Protect Pod service account tokens", ""},
    {"secure-images", "Use trusted, scanned and immutable container images", ""},
    {"network-policies", "Isolate workloads with network policies and limit exposure", ""},
    {"namespaces", "Use namespaces to separate resources", ""},
    {"resource-policies", "Set resource requests, limits, LimitRanges and ResourceQuotas", ""},
    {"rbac", "Enforce least privilege with RBAC", ""},
    {"secrets", "Keep secrets out of manifests, images and environment variables", ""},
    {"upgrades", "Keep Kubernetes up to date and off deprecated APIs", ""},
};

bool checkApplied(const Engine& engine, const Check& check, const ScanSummary& summary) {
  const CheckInfo& info = check.info();
  // A check that looks at a few objects of a kind (the kube-apiserver pod among all Pods) applied
  // only if one of those was evaluated; the engine counted them.
  if (info.applies_to != nullptr) return engine.appliedCount(check) > 0;
  switch (info.scope) {
    case Scope::kAnyObject:
      return summary.objects > summary.excluded;
    case Scope::kPodSpec:
      return summary.objects_with_pod_spec > 0;
    case Scope::kKinds:
      for (std::string_view kind : info.kinds) {
        auto it = summary.objects_by_kind.find(kind);
        if (it != summary.objects_by_kind.end() && it->second > 0) return true;
      }
      return false;
  }
  return false;
}

}  // namespace

std::string_view frameworkTitle(Framework framework) {
  switch (framework) {
    case Framework::kAll: return "all checks";
    case Framework::kCis: return "CIS Kubernetes Benchmark v1.12";
    case Framework::kNsa: return "NSA/CISA Kubernetes Hardening Guide v1.2";
    case Framework::kPssBaseline: return "Pod Security Standards, baseline";
    case Framework::kPssRestricted: return "Pod Security Standards, restricted";
  }
  return "";
}

std::vector<FrameworkControl> frameworkControls(Framework framework, uint32_t pss_minor) {
  switch (framework) {
    case Framework::kAll: return {};
    case Framework::kCis: return {std::begin(kCisControls), std::end(kCisControls)};
    case Framework::kNsa: return {std::begin(kNsaControls), std::end(kNsaControls)};
    case Framework::kPssBaseline:
    case Framework::kPssRestricted: {
      PssLevel level = framework == Framework::kPssBaseline ? PssLevel::kBaseline : PssLevel::kRestricted;
      std::vector<FrameworkControl> out;
      for (const Check* check : checks::pss::pssChecksFor(Catalog::builtin(), level, pss_minor)) {
        out.push_back({check->info().pss_id, check->info().title, ""});
      }
      return out;
    }
  }
  return {};
}

const FrameworkControl* findControl(std::string_view framework, std::string_view id) {
  std::span<const FrameworkControl> controls;
  if (framework == "cis") controls = kCisControls;
  if (framework == "nsa") controls = kNsaControls;
  for (const FrameworkControl& c : controls) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::string_view controlStatusName(ControlStatus status) {
  switch (status) {
    case ControlStatus::kPassed: return "passed";
    case ControlStatus::kFailed: return "failed";
    case ControlStatus::kNotAssessable: return "not-assessable";
  }
  return "";
}

std::vector<FrameworkCompliance> computeCompliance(const Engine& engine, const ScanSummary& summary) {
  std::vector<Framework> frameworks;
  for (Framework f : engine.policy().frameworks) {
    if (f == Framework::kAll) {
      for (Framework g : {Framework::kCis, Framework::kNsa, Framework::kPssRestricted}) frameworks.push_back(g);
    } else {
      frameworks.push_back(f);
    }
  }
  std::vector<FrameworkCompliance> out;
  for (Framework framework : frameworks) {
    if (std::any_of(out.begin(), out.end(), [&](const FrameworkCompliance& c) { return c.framework == framework; })) {
      continue;
    }
    FrameworkCompliance result;
    result.framework = framework;
    std::string_view name = frameworkName(framework);
    for (const FrameworkControl& control : frameworkControls(framework, engine.policy().pss_minor)) {
      ControlResult r;
      r.control = control;
      bool applied = false;
      std::string not_applicable;  // the mapped checks' reasons, for when none applied
      for (const Check* check : engine.checks()) {
        const CheckInfo& info = check->info();
        bool mapped = std::any_of(info.controls.begin(), info.controls.end(), [&](const ControlRef& ref) {
          return ref.framework == name && ref.control == control.id;
        });
        if (!mapped) continue;
        r.checks.push_back(info.id);
        if (checkApplied(engine, *check, summary)) applied = true;
        if (!info.not_applicable_reason.empty() &&
            not_applicable.find(info.not_applicable_reason) == std::string::npos) {
          if (!not_applicable.empty()) not_applicable += "; ";
          not_applicable += info.not_applicable_reason;
        }
        if (auto it = summary.unsuppressed_by_check.find(info.id); it != summary.unsuppressed_by_check.end()) {
          r.findings += it->second;
        }
      }
      // A mapped check the scan could not fully assess (unreadable resources) means no pass.
      std::string impaired;
      for (const Engine::CheckCoverage& c : engine.coverage()) {
        const CheckInfo& info = c.check->info();
        bool mapped = std::any_of(info.controls.begin(), info.controls.end(), [&](const ControlRef& ref) {
          return ref.framework == name && ref.control == control.id;
        });
        if (mapped && impaired.empty()) impaired = std::string(info.id) + " could not see everything it needs (" + c.reason + ")";
      }
      if (!control.not_assessable.empty()) {
        r.status = ControlStatus::kNotAssessable;
        r.reason = std::string(control.not_assessable);
      } else if (r.findings == 0 && !impaired.empty()) {
        r.status = ControlStatus::kNotAssessable;
        r.reason = impaired;
      } else if (r.checks.empty()) {
        r.status = ControlStatus::kNotAssessable;
        r.reason = "no check mapped to this control ran";
      } else if (r.findings > 0) {
        r.status = ControlStatus::kFailed;
      } else if (!applied) {
        r.status = ControlStatus::kNotAssessable;
        r.reason = not_applicable.empty() ? std::string("the input has no object of a kind these checks look at")
                                          : not_applicable;
      } else {
        r.status = ControlStatus::kPassed;
      }
      switch (r.status) {
        case ControlStatus::kPassed: ++result.passed; break;
        case ControlStatus::kFailed: ++result.failed; break;
        case ControlStatus::kNotAssessable: ++result.not_assessable; break;
      }
      result.controls.push_back(std::move(r));
    }
    uint64_t assessed = result.passed + result.failed;
    result.score = assessed == 0 ? 0.0 : std::round(1000.0 * static_cast<double>(result.passed) / assessed) / 10.0;
    out.push_back(std::move(result));
  }
  return out;
}

}  // namespace kspm
