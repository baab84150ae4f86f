// Guards shared by the cross-object checks that fixtures (one file each) cannot show: objects
// without a namespace from different directories do not vouch for each other.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "kspm/catalog.h"
#include "test_util.h"

namespace kspm {
namespace {

ObjectSet twoFiles(const std::string& path_a, const std::string& a, const std::string& path_b,
                   const std::string& b) {
  ObjectSet set;
  for (const auto& [path, text] : {std::pair{path_a, a}, std::pair{path_b, b}}) {
    auto file = std::make_unique<SourceFile>();
    file->path = path;
    file->content = text;
    set.addFile(std::move(file), LoadLimits{});
  }
  return set;
}

const std::string kSecret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: other\nstringData:\n  a: b\n";
const std::string kPod =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  containers:\n"
    "    - name: web\n      image: registry.example.com/web:1.0.0\n      envFrom:\n"
    "        - secretRef:\n            name: web-env\n";
const std::string kService =
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector:\n    app: api\n  ports:\n"
    "    - port: 80\n";

size_t findings(std::string_view id, const ObjectSet& set) {
  const Check* check = Catalog::builtin().find(id);
  EXPECT_NE(check, nullptr);
  return check == nullptr ? 0 : testing::evaluateCheck(*check, set).size();
}

TEST(CrossObjectGuardTest, UnspecifiedNamespaceNeedsTheSameDirectory) {
  EXPECT_EQ(findings("workload-missing-secret", twoFiles("a/secret.yaml", kSecret, "a/pod.yaml", kPod)), 1u);
  EXPECT_EQ(findings("workload-missing-secret", twoFiles("a/secret.yaml", kSecret, "b/pod.yaml", kPod)), 0u);
  EXPECT_EQ(findings("net-service-selector-no-match", twoFiles("a/svc.yaml", kService, "a/pod.yaml", kPod)),
            1u);
  EXPECT_EQ(findings("net-service-selector-no-match", twoFiles("a/svc.yaml", kService, "b/pod.yaml", kPod)),
            0u);
}

TEST(CrossObjectGuardTest, ExplicitNamespaceSpansDirectories) {
  auto in_shop = [](std::string text) {
    return text.replace(text.find("metadata:\n"), 10, "metadata:\n  namespace: shop\n");
  };
  EXPECT_EQ(
      findings("workload-missing-secret", twoFiles("a/s.yaml", in_shop(kSecret), "b/p.yaml", in_shop(kPod))),
      1u);
  EXPECT_EQ(findings("net-service-selector-no-match",
                     twoFiles("a/s.yaml", in_shop(kService), "b/p.yaml", in_shop(kPod))),
            1u);
}

}  // namespace
}  // namespace kspm
