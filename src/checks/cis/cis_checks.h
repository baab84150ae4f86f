// The CIS Kubernetes Benchmark v1.12 sections 1-4 checks that objects can show, as kube-bench's
// cfg/cis-1.12 audits them (docs/compliance.md lists where kspm differs and why):
//  - control-plane flags (1.2 API server, 1.3 controller manager, 1.4 scheduler, 2 etcd, 3.2.1)
//    from the components' static pods: mirror pods in kube-system or the manifest files
//    (control_plane_checks.cc; component_flags.h finds the component and parses its flags);
//  - 4.2 kubelet from KubeletConfiguration objects: a kubelet config file, or what the cluster
//    scanner reads from /api/v1/nodes/NAME/proxy/configz, with the v1beta1 defaults applied to
//    absent fields (kubelet_checks.cc);
//  - 4.3.1 kube-proxy from the kube-system/kube-proxy ConfigMap (config.conf) or a
//    KubeProxyConfiguration file (kube_proxy_checks.cc).
// Each check sets CheckInfo::applies_to (the object is that component's) and not_applicable_reason
// (why nothing was seen, e.g. a managed control plane), so compliance reports such controls as not
// assessable rather than passed. Each ID has its folder of fixtures: cis-apiserver-profiling in
// src/checks/cis/apiserver_profiling/testdata.
#pragma once

#include <memory>
#include <vector>

#include "kspm/check.h"

namespace kspm::checks::cis {

/** The control-plane flag checks, in benchmark order. */
std::vector<std::unique_ptr<Check>> makeControlPlaneChecks();
/** The kubelet configuration checks (4.2), in benchmark order. */
std::vector<std::unique_ptr<Check>> makeKubeletChecks();
/** The kube-proxy check (4.3.1). */
std::vector<std::unique_ptr<Check>> makeKubeProxyChecks();

}  // namespace kspm::checks::cis
