// The secret checks never put a secret value (or a recognisable piece of one) into a finding:
// every secret-* check runs over all secret fixtures, and no message, path, field or container
// may contain any of the fake credentials those fixtures hold.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kspm/catalog.h"
#include "test_util.h"

namespace kspm {
namespace {

namespace fs = std::filesystem;

// Every fake credential used in src/checks/secret/*/testdata (and recognisable fragments).
const std::vector<std::string> kSecrets = {
    "AKIAUJZDE8GXD6NCF10E",
    "El2hpChYgCfrL1spNxnyVmihA+2O76UMFxFkM+R5",
    "Hq7-fPz2kLw9",
    "Tr0ub4dor-3x9",
    "ghp_sMehGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8",
    "sMehGAkWvj7FAc9Q",
    "Nbe3nNyjOq9wMxEhh2FDEEtf",
    "P3fS2qHx6kwXoIIXGvOoNZYW",
    "SHE3LWZQejJrTHc5eA==",
    "Zq8-vPx4mLk2",
    "Zq8vPx4mLk2HGb3CXlMaXZjl",
    "Y2ktYm90Olpx",
    "MHcCAQEEIBm9ndXMga2V5",
    "b3JkZXJz",
};

TEST(SecretRedactionTest, NoFindingContainsASecretValue) {
  fs::path root = fs::path(testing::sourceDir()) / "src" / "checks" / "secret";
  int findings = 0;
  for (const auto& folder : fs::directory_iterator(root)) {
    if (!fs::is_directory(folder.path() / "testdata")) continue;
    for (const auto& entry : fs::directory_iterator(folder.path() / "testdata")) {
      ObjectSet set = testing::loadText(testing::readFile(entry.path().string()), entry.path().string());
      for (const Check* check : Catalog::builtin().all()) {
        if (!check->info().id.starts_with("secret-")) continue;
        for (const Finding& f : testing::evaluateCheck(*check, set)) {
          ++findings;
          for (const std::string& secret : kSecrets) {
            SCOPED_TRACE(std::string(check->info().id) + " " + entry.path().filename().string());
            EXPECT_EQ(f.message.find(secret), std::string::npos) << f.message;
            EXPECT_EQ(f.path.find(secret), std::string::npos) << f.path;
            EXPECT_EQ(f.field.find(secret), std::string::npos) << f.field;
            EXPECT_EQ(f.container.find(secret), std::string::npos) << f.container;
          }
        }
      }
    }
  }
  EXPECT_GE(findings, 12);
}

}  // namespace
}  // namespace kspm
