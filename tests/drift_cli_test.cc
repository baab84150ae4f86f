// kspm drift through the real binary: against a live file, a snapshot, and the fixture API server.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "fixture_apiserver/fixture.h"
#include "test_util.h"

namespace kspm {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

CliRun run(const std::string& command) {
  testing::TempDir dir;
  std::string err_file = dir.path("stderr");
  testing::CommandResult r = testing::run(command + " 2>'" + err_file + "'");
  return CliRun{r.exit_code, std::move(r.out), testing::readFile(err_file)};
}

std::string fixture(const std::string& name) { return testing::sourceDir() + "/src/engine/testdata/drift/" + name; }

std::string drift(const std::string& args) { return testing::kspm() + " drift " + args; }

struct Json {
  rapidjson::Document doc;
  bool ok = false;
};

Json parse(const std::string& text) {
  Json j;
  j.doc.Parse(text.c_str());
  j.ok = !j.doc.HasParseError() && j.doc.IsObject();
  return j;
}

/** "check kind ns/name path" for every finding. */
std::set<std::string> findings(const rapidjson::Document& d) {
  std::set<std::string> out;
  for (const auto& f : d["findings"].GetArray()) {
    const auto& o = f["object"];
    std::string line = std::string(f["check"].GetString()) + " " + o["kind"].GetString() + " " +
                       (o["namespace"].IsNull() ? "" : std::string(o["namespace"].GetString()) + "/") + o["name"].GetString();
    if (f.HasMember("path")) line += " " + std::string(f["path"].GetString());
    out.insert(line);
  }
  return out;
}

TEST(DriftCli, LiveFileWithoutDriftExitsZero) {
  CliRun r = run(drift("-o json '" + fixture("git.yaml") + "' --live '" + fixture("live.json") + "'"));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  Json j = parse(r.out);
  ASSERT_TRUE(j.ok) << r.out;
  EXPECT_EQ(j.doc["findings"].Size(), 0u);
  EXPECT_EQ(j.doc["summary"]["matched"].GetUint64(), 5u);
  EXPECT_EQ(j.doc["summary"]["desiredObjects"].GetUint64(), 5u);
  EXPECT_TRUE(j.doc["coverage"]["complete"].GetBool());
}

TEST(DriftCli, EveryFindingNamesItsOwner) {
  testing::TempDir dir;
  // Git: a labelled Deployment (its owner comes from the manifest) and an unlabelled ConfigMap.
  std::string git = dir.write("git.yaml",
                              "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop, labels: {team: storefront}}\n"
                              "spec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
                              "    spec:\n      containers:\n      - {name: web, image: nginx:1.25}\n"
                              "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: b}\n"
                              "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags, namespace: shop}\ndata: {a: b}\n");
  // Live: the ConfigMap "flags" matches; "extra" is only live and is owned through an owners rule.
  std::string live = dir.write("live.json", R"({"apiVersion":"v1","kind":"List","items":[
    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"flags","namespace":"shop"},"data":{"a":"b"}},
    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"extra","namespace":"shop"},"data":{"a":"b"}}]})");
  std::string owners = dir.write("owners.yaml", "rules:\n  - team: platform\n    namespaces: [shop]\n    name: extra\n");
  CliRun r = run(drift("--no-config -o json --owners '" + owners + "' '" + git + "' --live '" + live + "'"));
  Json j = parse(r.out);
  ASSERT_TRUE(j.ok) << r.err << r.out;
  std::map<std::string, std::string> owner_by_name;
  for (const auto& f : j.doc["findings"].GetArray()) owner_by_name[f["object"]["name"].GetString()] = f["owner"].GetString();
  EXPECT_EQ(owner_by_name["web"], "storefront");     // missing: from the manifest's label
  EXPECT_EQ(owner_by_name["settings"], "unowned");   // missing, nothing names an owner
  EXPECT_EQ(owner_by_name["extra"], "platform");     // extra: from the live object, through the rules
  CliRun table = run(drift("--no-config --owners '" + owners + "' '" + git + "' --live '" + live + "'"));
  EXPECT_NE(table.out.find("owner: storefront"), std::string::npos) << table.out;
  // A broken owners file is a usage error that names the file.
  std::string bad = dir.write("bad.yaml", "rules:\n  - namespaces: [shop]\n");
  CliRun broken = run(drift("--no-config --owners '" + bad + "' '" + git + "' --live '" + live + "'"));
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("bad.yaml"), std::string::npos) << broken.err;
}

TEST(DriftCli, ChangedFieldFailsWithBothValuesAndTheManifestLine) {
  testing::TempDir dir;
  std::string live = testing::readFile(fixture("live.json"));
  live.replace(live.find("\"privileged\": false"), 19, "\"privileged\": true");
  std::string live_path = dir.write("live.json", live);
  CliRun r = run(drift("-o json '" + fixture("git.yaml") + "' --live '" + live_path + "'"));
  ASSERT_EQ(r.exit_code, 1) << r.err;
  Json j = parse(r.out);
  ASSERT_TRUE(j.ok) << r.out;
  ASSERT_EQ(j.doc["findings"].Size(), 1u);
  const auto& f = j.doc["findings"][0];
  EXPECT_STREQ(f["check"].GetString(), "drift-changed");
  EXPECT_STREQ(f["severity"].GetString(), "high");
  EXPECT_FALSE(f["desired"].GetBool());
  EXPECT_TRUE(f["live"].GetBool());
  EXPECT_STREQ(f["container"].GetString(), "web");
  EXPECT_STREQ(f["path"].GetString(), "spec.template.spec.containers[0].securityContext.privileged");
  EXPECT_EQ(std::string(f["source"]["file"].GetString()), fixture("git.yaml"));
  EXPECT_EQ(f["source"]["line"].GetUint(), 32u);
  EXPECT_EQ(std::string(f["fingerprint"].GetString()).size(), 16u);
  EXPECT_STREQ(f["object"]["apiVersion"].GetString(), "apps/v1");

  // The same drift as a table; and --fail-on none exits 0.
  CliRun table = run(drift("--fail-on none '" + fixture("git.yaml") + "' --live '" + live_path + "'"));
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("HIGH      changed  Deployment shop/web"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Git sets false, the cluster has true"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("1 changed, 0 missing, 0 extra; 5 of 5 objects in Git found live"), std::string::npos) << table.out;
}

TEST(DriftCli, UsageAndInputErrors) {
  EXPECT_EQ(run(drift("'" + fixture("git.yaml") + "'")).exit_code, 2);                    // neither --live nor --cluster
  EXPECT_EQ(run(drift("--live '" + fixture("live.json") + "'")).exit_code, 2);            // no manifests
  EXPECT_EQ(run(drift("-o sarif '" + fixture("git.yaml") + "' --live x")).exit_code, 2);  // json or table only
  EXPECT_EQ(run(drift("--help")).exit_code, 0);
  // A broken manifest: exit 3, and the rest is still compared.
  testing::TempDir dir;
  dir.write("git/app.yaml", testing::readFile(fixture("git.yaml")));
  dir.write("git/broken.yaml", "kind: [unclosed\n");
  CliRun r = run(drift("-o json '" + dir.path("git") + "' --live '" + fixture("live.json") + "'"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  Json j = parse(r.out);
  ASSERT_TRUE(j.ok) << r.out;
  EXPECT_EQ(j.doc["summary"]["matched"].GetUint64(), 5u);
  EXPECT_EQ(j.doc["errors"].Size(), 1u);
}

// Manifests for the fixture cluster (tests/testdata/cluster/small.json): shop/web with runAsUser
// changed live, a Role whose live copy also grants watch, a NetworkPolicy never applied, and a Secret.
constexpr const char* kClusterGit = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: web
          image: ghcr.io/example/shop-web:1.4.2
          ports:
            - containerPort: 8080
              name: http
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            runAsUser: 10000
            seccompProfile: {type: RuntimeDefault}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: secret-reader
  namespace: shop
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list"]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: ["Ingress"]
---
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  namespace: shop
type: Opaque
stringData:
  password: not-the-live-one
)";

std::optional<FixtureServer> startServer(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--content", testing::sourceDir() + "/tests/testdata/cluster/small.json", "--token",
                                   "t0ken-for-tests=alice"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::string error;
  auto server = FixtureServer::start(args, &error);
  EXPECT_TRUE(server.has_value()) << error;
  return server;
}

TEST(DriftCli, AgainstTheFixtureApiServerAndItsSnapshot) {
  auto server = startServer();
  ASSERT_TRUE(server);
  testing::TempDir dir;
  std::string git = dir.write("git.yaml", kClusterGit);
  CliRun r = run(drift("-o json --no-progress --cluster --kubeconfig '" + server->kubeconfig() + "' '" + git + "'"));
  ASSERT_EQ(r.exit_code, 1) << r.err;
  Json j = parse(r.out);
  ASSERT_TRUE(j.ok) << r.out;
  std::set<std::string> expected = {
      "drift-changed Deployment shop/web spec.template.spec.containers[0].securityContext.runAsUser",
      "drift-changed Role shop/secret-reader rules[0].verbs",
      "drift-missing NetworkPolicy shop/default-deny",
      "drift-extra Deployment shop/api",
      "drift-extra NetworkPolicy shop/api-from-web",
  };
  EXPECT_EQ(findings(j.doc), expected);
  // Secrets are not listed without --include-secrets: not assessable, not missing.
  ASSERT_EQ(j.doc["notAssessable"].Size(), 1u);
  EXPECT_STREQ(j.doc["notAssessable"][0]["object"]["kind"].GetString(), "Secret");
  EXPECT_FALSE(j.doc["coverage"]["complete"].GetBool());
  EXPECT_STREQ(j.doc["live"]["context"].GetString(), "token");
  // Live objects name their list path.
  for (const auto& f : j.doc["findings"].GetArray()) {
    if (std::string(f["check"].GetString()) == "drift-extra") {
      EXPECT_EQ(std::string(f["source"]["file"].GetString()).rfind("token:/ap", 0), 0u);
    }
  }

  // With --include-secrets the Secret is compared by key, its value never shown.
  CliRun s = run(drift("-o json --no-progress --cluster --include-secrets --kubeconfig '" + server->kubeconfig() + "' '" + git + "'"));
  ASSERT_EQ(s.exit_code, 1) << s.err;
  Json js = parse(s.out);
  ASSERT_TRUE(js.ok);
  EXPECT_EQ(js.doc["notAssessable"].Size(), 0u);
  EXPECT_EQ(s.out.find("not-the-live-one"), std::string::npos);
  EXPECT_EQ(s.out.find("czNjcjN0LXBhc3N3MHJk"), std::string::npos);

  // A snapshot of the same cluster gives the same findings, with the same fingerprints.
  std::string snapshot = dir.path("cluster.json");
  CliRun snap = run(testing::kspm() + " snapshot --no-progress --kubeconfig '" + server->kubeconfig() + "' -o '" + snapshot + "'");
  ASSERT_EQ(snap.exit_code, 0) << snap.err;
  CliRun offline = run(drift("-o json '" + git + "' --live '" + snapshot + "'"));
  ASSERT_EQ(offline.exit_code, 1) << offline.err;
  Json jo = parse(offline.out);
  ASSERT_TRUE(jo.ok);
  EXPECT_EQ(findings(jo.doc), expected);
  auto prints = [](const rapidjson::Document& d) {
    std::set<std::string> out;
    for (const auto& f : d["findings"].GetArray()) out.insert(f["fingerprint"].GetString());
    return out;
  };
  EXPECT_EQ(prints(jo.doc), prints(j.doc));
  EXPECT_EQ(jo.doc["notAssessable"].Size(), 1u);
}

TEST(DriftCli, ForbiddenKindIsNotAssessableAndUnreachableClusterIsExit3) {
  auto server = startServer({"--fault", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles=403"});
  ASSERT_TRUE(server);
  testing::TempDir dir;
  std::string git = dir.write("git.yaml", kClusterGit);
  CliRun r = run(drift("-o json --no-progress --cluster --kubeconfig '" + server->kubeconfig() + "' '" + git + "'"));
  ASSERT_EQ(r.exit_code, 1) << r.err;
  Json j = parse(r.out);
  ASSERT_TRUE(j.ok) << r.out;
  std::set<std::string> kinds;
  for (const auto& n : j.doc["notAssessable"].GetArray()) kinds.insert(n["object"]["kind"].GetString());
  EXPECT_EQ(kinds, (std::set<std::string>{"Role", "Secret"}));
  for (const std::string& f : findings(j.doc)) EXPECT_EQ(f.find(" Role "), std::string::npos) << f;

  // Nobody listening: exit 3, nothing on standard output.
  std::string kubeconfig = testing::readFile(server->kubeconfig());
  server.reset();
  std::string dead = dir.write("dead.kubeconfig", kubeconfig);
  CliRun down = run(drift("--no-progress --request-timeout 2s --cluster --kubeconfig '" + dead + "' '" + git + "'"));
  EXPECT_EQ(down.exit_code, 3) << down.err;
  EXPECT_TRUE(down.out.empty());
  EXPECT_NE(down.err.find("kspm drift:"), std::string::npos);
}

}  // namespace
}  // namespace kspm
