// kspm's own deploy manifests: they pass kspm's own checks, and the ClusterRole grants exactly
// what `kspm scan --cluster` reads (get/list), nothing that reveals Secret values or reaches the
// kubelet, and nothing that writes.
#include <algorithm>
#include <unistd.h>

#include <cctype>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "kspm/admission.h"
#include "kspm/catalog.h"
#include "kspm/cluster_read.h"
#include "kspm/config.h"
#include "kspm/node.h"
#include "test_util.h"

namespace kspm {
namespace {

std::string deployFile() { return testing::sourceDir() + "/deploy/kspm-cronjob.yaml"; }

TEST(DeployManifests, PassKspmsOwnChecksIncludingPodSecurityRestricted) {
  testing::CommandResult all =
      testing::run(testing::kspm() + " scan --no-config -o json --fail-on info '" + deployFile() + "'");
  EXPECT_EQ(all.exit_code, 0) << all.out;
  rapidjson::Document report;
  report.Parse(all.out.c_str());
  ASSERT_FALSE(report.HasParseError());
  EXPECT_EQ(report["summary"]["findings"].GetUint64(), 0u);
  EXPECT_EQ(report["summary"]["objects"].GetUint64(), 8u);
  testing::CommandResult pss = testing::run(testing::kspm() + " scan --no-config --framework pss-restricted --fail-on info '" +
                                            deployFile() + "'");
  EXPECT_EQ(pss.exit_code, 0) << pss.out;
}

// Kubernetes' default plural of a kind (what CRDs and the built-in kinds kspm reads use).
std::string plural(std::string_view kind) {
  std::string s(kind);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s.size() > 1 && s.ends_with("y") && std::string_view("aeiou").find(s[s.size() - 2]) == std::string_view::npos) {
    return s.substr(0, s.size() - 1) + "ies";
  }
  if (s.ends_with("s")) return s + "es";
  return s + "s";
}

TEST(DeployManifests, ClusterRoleGrantsExactlyWhatTheScanReads) {
  ObjectSet set = testing::loadText(testing::readFile(deployFile()), deployFile());
  ASSERT_TRUE(set.errors().empty());
  const Object* role = nullptr;
  for (const Object& o : set.objects()) {
    if (o.kind == "ClusterRole") role = &o;
  }
  ASSERT_NE(role, nullptr);
  std::set<std::pair<std::string, std::string>> granted;  // (group, resource) with get and list
  for (const Node& rule : role->root->get("rules")->items()) {
    std::set<std::string> verbs;
    for (const Node& v : rule.get("verbs")->items()) verbs.insert(std::string(v.str()));
    EXPECT_EQ(verbs, (std::set<std::string>{"get", "list"})) << "only get and list, never write or watch-all";
    for (const Node& g : rule.get("apiGroups")->items()) {
      EXPECT_NE(g.str(), "*");
      for (const Node& r : rule.get("resources")->items()) {
        EXPECT_NE(r.str(), "*");
        EXPECT_NE(r.str(), "secrets") << "listing Secrets returns their values";
        EXPECT_NE(r.str(), "nodes/proxy") << "nodes/proxy reaches the kubelet's exec";
        EXPECT_EQ(r.str().find('/'), std::string_view::npos) << "no subresources: " << r.str();
        granted.emplace(std::string(g.str()), std::string(r.str()));
      }
    }
  }
  std::set<std::pair<std::string, std::string>> needed;
  for (const cluster::WantedKind& k : cluster::kindsToList(cluster::ReadOptions{})) {
    needed.emplace(k.group, plural(k.kind));
  }
  for (const auto& [group, resource] : needed) {
    EXPECT_TRUE(granted.count({group, resource})) << "the scan reads " << resource << "." << group << " but the ClusterRole does not grant it";
  }
  for (const auto& [group, resource] : granted) {
    EXPECT_TRUE(needed.count({group, resource})) << "the ClusterRole grants " << resource << "." << group << ", which the scan never reads";
  }
}

// kspm watch (deploy/kspm-watch.yaml): the same checks, and the ClusterRole adds watch, nothing else.
std::string watchFile() { return testing::sourceDir() + "/deploy/kspm-watch.yaml"; }

TEST(DeployManifests, WatchDeploymentPassesKspmsOwnChecks) {
  testing::CommandResult all =
      testing::run(testing::kspm() + " scan --no-config -o json --fail-on info '" + watchFile() + "'");
  EXPECT_EQ(all.exit_code, 0) << all.out.substr(0, 3000);
  rapidjson::Document report;
  report.Parse(all.out.c_str());
  ASSERT_FALSE(report.HasParseError());
  EXPECT_EQ(report["summary"]["findings"].GetUint64(), 0u);
  EXPECT_EQ(report["summary"]["objects"].GetUint64(), 9u);
  testing::CommandResult pss = testing::run(testing::kspm() + " scan --no-config --framework pss-restricted --fail-on info '" +
                                            watchFile() + "'");
  EXPECT_EQ(pss.exit_code, 0) << pss.out;
}

TEST(DeployManifests, WatchClusterRoleGrantsGetListWatchOnWhatTheScanReadsOnly) {
  ObjectSet set = testing::loadText(testing::readFile(watchFile()), watchFile());
  ASSERT_TRUE(set.errors().empty());
  const Object* role = nullptr;
  const Object* deployment = nullptr;
  for (const Object& o : set.objects()) {
    if (o.kind == "ClusterRole") role = &o;
    if (o.kind == "Deployment") deployment = &o;
  }
  ASSERT_NE(role, nullptr);
  std::set<std::pair<std::string, std::string>> granted;
  for (const Node& rule : role->root->get("rules")->items()) {
    std::set<std::string> verbs;
    for (const Node& v : rule.get("verbs")->items()) verbs.insert(std::string(v.str()));
    EXPECT_EQ(verbs, (std::set<std::string>{"get", "list", "watch"}));
    for (const Node& g : rule.get("apiGroups")->items()) {
      for (const Node& r : rule.get("resources")->items()) {
        EXPECT_NE(r.str(), "*");
        EXPECT_NE(r.str(), "secrets");
        EXPECT_EQ(r.str().find('/'), std::string_view::npos) << r.str();
        granted.emplace(std::string(g.str()), std::string(r.str()));
      }
    }
  }
  std::set<std::pair<std::string, std::string>> needed;
  for (const cluster::WantedKind& k : cluster::kindsToList(cluster::ReadOptions{})) needed.emplace(k.group, plural(k.kind));
  EXPECT_EQ(granted, needed);
  // It runs kspm watch on the cluster it is in, with a history on its volume and /metrics.
  ASSERT_NE(deployment, nullptr);
  const Node& container = deployment->root->find({"spec", "template", "spec", "containers"})->items()[0];
  std::vector<std::string> args;
  for (const Node& a : container.get("args")->items()) args.emplace_back(a.str());
  ASSERT_FALSE(args.empty());
  EXPECT_EQ(args[0], "watch");
  for (const char* flag : {"--cluster", "--in-cluster", "--db", "--metrics-addr"}) {
    EXPECT_NE(std::find(args.begin(), args.end(), flag), args.end()) << flag;
  }
  EXPECT_EQ(deployment->root->find({"spec", "replicas"})->integer(), 1) << "one writer of the SQLite history";
  EXPECT_EQ(container.find({"livenessProbe", "httpGet", "path"})->str(), "/healthz");
}

std::string webhookFile() { return testing::sourceDir() + "/deploy/webhook/kspm-webhook.yaml"; }

TEST(DeployManifests, WebhookManifestsPassKspmsOwnChecks) {
  std::string dir = testing::sourceDir() + "/deploy/webhook";
  testing::CommandResult all = testing::run(testing::kspm() + " scan --no-config -o json --fail-on info '" + dir + "'");
  EXPECT_EQ(all.exit_code, 0) << all.out.substr(0, 2000);
  rapidjson::Document report;
  report.Parse(all.out.c_str());
  ASSERT_FALSE(report.HasParseError());
  EXPECT_EQ(report["summary"]["findings"].GetUint64(), 0u);
  testing::CommandResult pss =
      testing::run(testing::kspm() + " scan --no-config --framework pss-restricted --fail-on info '" + dir + "'");
  EXPECT_EQ(pss.exit_code, 0) << pss.out;
}

const Object* find(const ObjectSet& set, std::string_view kind) {
  for (const Object& o : set.objects()) {
    if (o.kind == kind) return &o;
  }
  return nullptr;
}

TEST(DeployManifests, WebhookConfigurationIsSafeForTheCluster) {
  ObjectSet set = testing::loadText(testing::readFile(webhookFile()), webhookFile());
  ASSERT_TRUE(set.errors().empty());
  const Object* vwc = find(set, "ValidatingWebhookConfiguration");
  ASSERT_NE(vwc, nullptr);
  const Node& hook = vwc->root->get("webhooks")->items()[0];
  EXPECT_EQ(hook.get("sideEffects")->str(), "None");  // dry-run requests are sent: kspm records nothing
  EXPECT_LE(hook.get("timeoutSeconds")->integer(), 10);
  EXPECT_TRUE(hook.get("failurePolicy")->is("Fail") || hook.get("failurePolicy")->is("Ignore"));
  EXPECT_EQ(hook.find({"clientConfig", "service", "path"})->str(), "/validate");
  EXPECT_EQ(hook.get("admissionReviewVersions")->items()[0].str(), "v1");
  // Never called for kube-system or its own namespace: no deadlock when the cluster restarts.
  std::set<std::string> excluded;
  for (const Node& e : hook.find({"namespaceSelector", "matchExpressions"})->items()) {
    EXPECT_EQ(e.get("key")->str(), "kubernetes.io/metadata.name");
    EXPECT_EQ(e.get("operator")->str(), "NotIn");
    for (const Node& v : e.get("values")->items()) excluded.insert(std::string(v.str()));
  }
  EXPECT_TRUE(excluded.count("kube-system"));
  EXPECT_TRUE(excluded.count("kspm-webhook"));
  // Pods, their ephemeral containers (kubectl debug) and the pod controllers are covered.
  std::set<std::string> resources;
  for (const Node& rule : hook.get("rules")->items()) {
    for (const Node& r : rule.get("resources")->items()) resources.insert(std::string(r.str()));
  }
  for (const char* r : {"pods", "pods/ephemeralcontainers", "deployments", "statefulsets", "daemonsets", "jobs",
                        "cronjobs", "clusterroles", "rolebindings", "services", "ingresses", "networkpolicies"}) {
    EXPECT_TRUE(resources.count(r)) << r;
  }
  // Two replicas that a drain cannot take down together, probed on the server's endpoints.
  const Object* deployment = find(set, "Deployment");
  ASSERT_NE(deployment, nullptr);
  EXPECT_EQ(deployment->root->find({"spec", "replicas"})->integer(), 2);
  const Node& container = deployment->root->find({"spec", "template", "spec", "containers"})->items()[0];
  EXPECT_EQ(container.find({"readinessProbe", "httpGet", "path"})->str(), "/readyz");
  EXPECT_EQ(container.find({"livenessProbe", "httpGet", "path"})->str(), "/healthz");
  const Object* pdb = find(set, "PodDisruptionBudget");
  ASSERT_NE(pdb, nullptr);
  EXPECT_EQ(pdb->root->find({"spec", "minAvailable"})->integer(), 1);
}

TEST(DeployManifests, WebhookConfigFileIsValidWithItsAdmissionSection) {
  ObjectSet set = testing::loadText(testing::readFile(webhookFile()), webhookFile());
  const Object* config_map = find(set, "ConfigMap");
  ASSERT_NE(config_map, nullptr);
  const Node* text = config_map->root->find({"data", "kspm.yaml"});
  ASSERT_NE(text, nullptr);
  std::vector<ConfigError> errors;
  Config config = parseConfig("kspm.yaml", text->str(), Catalog::builtin(), &errors);
  for (const ConfigError& e : errors) ADD_FAILURE() << describeConfigError(e);
  ASSERT_NE(config.admission, nullptr);
  EXPECT_EQ(config.admission->defaults.mode, admission::Mode::kEnforce);
  EXPECT_EQ(config.admission->defaults.pss_level, PssLevel::kRestricted);
  // The webhook's own namespace is exempt in the policy too, not only in the webhook configuration.
  const std::vector<std::string>& exempt = config.admission->exempt_namespaces;
  EXPECT_NE(std::find(exempt.begin(), exempt.end(), "kspm-webhook"), exempt.end());
  EXPECT_NE(std::find(exempt.begin(), exempt.end(), "kube-system"), exempt.end());
}

TEST(DeployManifests, GenCertsMakesACertificateForTheService) {
  if (testing::run("command -v openssl >/dev/null").exit_code != 0) {
    if (testing::inCi()) FAIL() << "openssl is missing under CI";
    GTEST_SKIP() << "openssl is not installed";
  }
  std::string out = ::testing::TempDir() + "kspm-gen-certs-" + std::to_string(::getpid());
  testing::CommandResult gen =
      testing::run("'" + testing::sourceDir() + "/deploy/webhook/gen-certs.sh' '" + out + "' 2>&1");
  ASSERT_EQ(gen.exit_code, 0) << gen.out;
  EXPECT_EQ(testing::run("openssl verify -CAfile '" + out + "/ca.crt' '" + out + "/tls.crt' >/dev/null").exit_code, 0);
  testing::CommandResult san = testing::run("openssl x509 -in '" + out + "/tls.crt' -noout -ext subjectAltName");
  EXPECT_NE(san.out.find("DNS:kspm-webhook.kspm-webhook.svc"), std::string::npos) << san.out;
  testing::run("rm -rf '" + out + "'");
}

}  // namespace
}  // namespace kspm
