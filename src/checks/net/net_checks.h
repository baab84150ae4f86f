// Factories for the services, ingress and network policy checks, one per folder under
// src/checks/net/. registerBuiltinChecks (src/checks/all_checks.cc) calls each once.
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks::net {

std::unique_ptr<Check> makeEgressBlocksDnsCheck();                       // net-egress-blocks-dns
std::unique_ptr<Check> makeEgressInternetFromSensitiveNamespaceCheck();  // net-egress-internet-from-sensitive-namespace
std::unique_ptr<Check> makeIngressBackendMissingServiceCheck();  // net-ingress-backend-missing-service
std::unique_ptr<Check> makeIngressBackendPortMissingCheck();     // net-ingress-backend-port-missing
std::unique_ptr<Check> makeIngressNoTlsCheck();                  // net-ingress-no-tls
std::unique_ptr<Check> makeIngressWildcardHostCheck();           // net-ingress-wildcard-host
std::unique_ptr<Check> makeInternetExposedNoPolicyCheck();       // net-internet-exposed-no-policy
std::unique_ptr<Check> makeLoadBalancerNoSourceRangesCheck();    // net-loadbalancer-no-source-ranges
std::unique_ptr<Check> makeNetworkPolicyAllowAllCheck();         // net-networkpolicy-allow-all
std::unique_ptr<Check> makeNetworkPolicySelectsNothingCheck();   // net-networkpolicy-selects-nothing
std::unique_ptr<Check> makeNodePortServiceCheck();               // net-nodeport-service
std::unique_ptr<Check> makeServiceExternalIpsCheck();            // net-service-external-ips
std::unique_ptr<Check> makeServiceSelectorNoMatchCheck();        // net-service-selector-no-match
std::unique_ptr<Check> makeServiceTargetPortMissingCheck();      // net-service-target-port-missing
std::unique_ptr<Check> makeWorkloadNotIsolatedCheck();           // net-workload-not-isolated

}  // namespace kspm::checks::net
