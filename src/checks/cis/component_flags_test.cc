// Finding control-plane components in pods and reading their flags as the components do.
#include "checks/cis/component_flags.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace kspm::checks::cis {
namespace {

std::optional<ComponentCommand> parse(const std::string& yaml, Component component) {
  static std::vector<std::unique_ptr<ObjectSet>> keep;  // nodes must outlive the returned command
  keep.push_back(std::make_unique<ObjectSet>(testing::loadText(yaml)));
  EXPECT_EQ(keep.back()->objects().size(), 1u);
  return parseComponent(keep.back()->objects()[0], component);
}

std::string pod(const std::string& containers, const std::string& meta = "  namespace: kube-system\n") {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n" + meta + "spec:\n  containers:\n" + containers;
}

TEST(ComponentFlagsTest, KubeadmCommandListWithEqualsAndSpacedValues) {
  auto c = parse(pod(R"(  - name: kube-apiserver
    command:
    - kube-apiserver
    - --authorization-mode=Node,RBAC
    - --audit-log-path
    - /var/log/audit.log
    - --profiling
    - --anonymous-auth
    - "false"
)"),
                 Component::kApiServer);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->container_name, "kube-apiserver");
  ASSERT_NE(c->last("audit-log-path"), nullptr);
  EXPECT_EQ(c->last("audit-log-path")->value, "/var/log/audit.log");
  EXPECT_EQ(c->last("audit-log-path")->node->line(), 12u);  // the flag's own item
  // Boolean flags never take the next word: Go reads `--anonymous-auth false` as true plus an argument.
  ASSERT_NE(c->last("profiling"), nullptr);
  EXPECT_TRUE(c->last("profiling")->bare);
  ASSERT_NE(c->last("anonymous-auth"), nullptr);
  EXPECT_TRUE(c->last("anonymous-auth")->bare);
  EXPECT_EQ(c->list("authorization-mode"), (std::vector<std::string>{"Node", "RBAC"}));
  EXPECT_EQ(c->last("authorization-mode")->path, "spec.containers[0].command[1]");
}

TEST(ComponentFlagsTest, RepeatedListFlagsAccumulateAndScalarsTakeTheLast) {
  auto c = parse(pod(R"(  - name: api
    image: registry.k8s.io/kube-apiserver:v1.30.0
    command: [kube-apiserver]
    args: ["--enable-admission-plugins=NodeRestriction", "--enable-admission-plugins= EventRateLimit ,", "--profiling=true", "--profiling=false"]
)"),
                 Component::kApiServer);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->list("enable-admission-plugins"), (std::vector<std::string>{"NodeRestriction", "EventRateLimit"}));
  EXPECT_EQ(c->last("profiling")->value, "false");
  EXPECT_EQ(c->last("profiling")->path, "spec.containers[0].args[3]");
}

TEST(ComponentFlagsTest, KopsGoRunnerAndShellWrappers) {
  auto kops = parse(pod(R"(  - name: kube-apiserver
    command: [/go-runner]
    args: [--log-file=/var/log/kube-apiserver.log, --also-stdout, /usr/local/bin/kube-apiserver, --profiling=false]
)",
                        "  namespace: kube-system\n  labels: {k8s-app: kube-apiserver}\n"),
                    Component::kApiServer);
  ASSERT_TRUE(kops.has_value());
  EXPECT_EQ(kops->last("log-file"), nullptr);  // go-runner's own flag
  ASSERT_NE(kops->last("profiling"), nullptr);
  EXPECT_EQ(kops->last("profiling")->value, "false");

  auto shell = parse(pod(R"(  - name: kube-scheduler
    command: ["/bin/sh", "-c", "mkfifo /tmp/p; exec /usr/local/bin/kube-scheduler --bind-address='127.0.0.1' --profiling=false 2>&1 | tee -a /var/log/s.log --x=1"]
)"),
                     Component::kScheduler);
  ASSERT_TRUE(shell.has_value());
  EXPECT_EQ(shell->last("bind-address")->value, "127.0.0.1");
  EXPECT_EQ(shell->last("x"), nullptr);  // after the pipe: tee's, not the scheduler's
}

TEST(ComponentFlagsTest, IdentifiesByContainerNameOrLabelWhenTheImageRunsTheBinary) {
  // RKE2-style: the image's entrypoint is the binary, only args are given.
  auto byName = parse(pod("  - name: etcd\n    args: [--client-cert-auth=true]\n"), Component::kEtcd);
  ASSERT_TRUE(byName.has_value());
  EXPECT_EQ(byName->last("client-cert-auth")->value, "true");
  auto byLabel = parse(pod("  - name: main\n    args: [--profiling=false]\n",
                           "  namespace: kube-system\n  labels: {component: kube-controller-manager}\n"),
                       Component::kControllerManager);
  ASSERT_TRUE(byLabel.has_value());
  EXPECT_EQ(byLabel->last("profiling")->value, "false");
}

TEST(ComponentFlagsTest, StaticPodManifestWithoutNamespaceCounts) {
  EXPECT_TRUE(parse(pod("  - name: c\n    command: [etcd, --data-dir=/var/lib/etcd]\n", ""), Component::kEtcd));
}

TEST(ComponentFlagsTest, OtherPodsAreNotComponents) {
  // Another namespace, even with the binary's name.
  EXPECT_FALSE(parse(pod("  - name: etcd\n    command: [etcd]\n", "  namespace: shop\n"), Component::kEtcd));
  // A flag value that happens to end in /etcd is not the etcd program.
  EXPECT_FALSE(parse(pod("  - name: backup\n    command: [restic, --path, /var/lib/etcd]\n"), Component::kEtcd));
  // A shell script that never runs the binary.
  EXPECT_FALSE(parse(pod("  - name: kube-apiserver\n    command: [sh, -c, 'echo hi']\n"), Component::kApiServer));
  // The apiserver pod is not the etcd pod although it talks to etcd.
  EXPECT_FALSE(parse(pod("  - name: kube-apiserver\n    command: [kube-apiserver, --etcd-servers=https://127.0.0.1:2379]\n"),
                     Component::kEtcd));
}

TEST(ComponentFlagsTest, EtcdEnvironmentStandsInForAbsentFlags) {
  auto c = parse(pod(R"(  - name: etcd
    command: [etcd, --client-cert-auth=false]
    env:
    - {name: ETCD_CLIENT_CERT_AUTH, value: "true"}
    - {name: ETCD_PEER_CLIENT_CERT_AUTH, value: "true"}
)"),
                 Component::kEtcd);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->last("client-cert-auth")->value, "false");  // the flag wins
  ASSERT_NE(c->last("peer-client-cert-auth"), nullptr);
  EXPECT_EQ(c->last("peer-client-cert-auth")->path, "spec.containers[0].env[1].value");
}

TEST(ComponentFlagsTest, ShellWordsAndScalars) {
  EXPECT_EQ(shellWords("a 'b c' \"d\\\"e\" f\\ g"), (std::vector<std::string>{"a", "b c", "d\"e", "f g"}));
  EXPECT_EQ(parseGoBool("True"), true);
  EXPECT_EQ(parseGoBool("0"), false);
  EXPECT_EQ(parseGoBool("yes"), std::nullopt);
  EXPECT_EQ(parseInteger("30"), 30);
  EXPECT_EQ(parseInteger("30d"), std::nullopt);
  EXPECT_EQ(parseInteger(""), std::nullopt);
}

}  // namespace
}  // namespace kspm::checks::cis
