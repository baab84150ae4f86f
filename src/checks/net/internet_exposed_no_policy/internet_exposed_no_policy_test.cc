// net-internet-exposed-no-policy: the message names every path (channel, object, ports).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "kspm/catalog.h"
#include "test_util.h"

namespace kspm {
namespace {

std::vector<Finding> run(const std::string& fixture) {
  std::string path = testing::checkFolder("net-internet-exposed-no-policy") + "/testdata/" + fixture;
  ObjectSet set = testing::loadText(testing::readFile(path), path);
  return testing::evaluateCheck(*Catalog::builtin().find("net-internet-exposed-no-policy"), set);
}

TEST(InternetExposedNoPolicyTest, NamesEveryPathWithItsPorts) {
  std::vector<Finding> lb = run("fail_loadbalancer.yaml");
  ASSERT_EQ(lb.size(), 1u);
  EXPECT_EQ(lb[0].message,
            "exposed to the internet through LoadBalancer Service \"web\" (TCP 8080); NodePort \"web\" (TCP 8080, "
            "potentially), and no NetworkPolicy selects these pods for ingress");
  EXPECT_EQ(lb[0].path, "spec.template.metadata.labels");
  EXPECT_EQ(lb[0].severity, Severity::kHigh);

  std::vector<Finding> node_port = run("fail_nodeport_potentially.yaml");
  ASSERT_EQ(node_port.size(), 1u);
  EXPECT_EQ(node_port[0].message.rfind("potentially exposed to the internet through NodePort \"web\" (TCP 8080)", 0), 0u)
      << node_port[0].message;

  std::vector<Finding> ingress = run("fail_ingress.yaml");
  ASSERT_EQ(ingress.size(), 1u);
  EXPECT_NE(ingress[0].message.find("Ingress \"web\" (TCP 8080)"), std::string::npos) << ingress[0].message;

  std::vector<Finding> host_port = run("fail_host_port.yaml");
  ASSERT_EQ(host_port.size(), 1u);
  EXPECT_NE(host_port[0].message.find("hostPort (TCP 19100)"), std::string::npos) << host_port[0].message;
}

}  // namespace
}  // namespace kspm

namespace kspm {
namespace {

TEST(InternetExposedNoPolicyTest, UnspecifiedNamespaceNeedsAServiceOfTheSameDirectory) {
  const std::string pod =
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: web}\nspec:\n  containers:\n  - name: c\n"
      "    image: x:1\n";
  const std::string service =
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n"
      "  ports:\n  - port: 80\n";
  auto run = [&](const std::string& service_path) {
    ObjectSet set;
    for (const auto& [path, text] : {std::pair{std::string("a/pod.yaml"), pod}, std::pair{service_path, service}}) {
      auto file = std::make_unique<SourceFile>();
      file->path = path;
      file->content = text;
      set.addFile(std::move(file), LoadLimits{});
    }
    return testing::evaluateCheck(*Catalog::builtin().find("net-internet-exposed-no-policy"), set).size();
  };
  EXPECT_EQ(run("a/svc.yaml"), 1u);
  EXPECT_EQ(run("b/svc.yaml"), 0u);
}

}  // namespace
}  // namespace kspm
