// kspm net reach / matrix / exposure, run as a binary on small fixtures: verdicts, the policies and
// rules named in JSON, Service destinations judged at the backend's targetPort, usage errors,
// invalid policies (exit 3 with the answer still written), matrix and exposure output shapes.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

namespace kspm {
namespace {

using kspm::testing::kspm;
using kspm::testing::readFile;
using kspm::testing::run;
using kspm::testing::TempDir;

// Namespaces shop and frontend (team=a) and edge (team=b); bare names are quoted nowhere because
// none is a YAML 1.1 boolean.
constexpr const char* kCluster = R"(apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: a}
---
apiVersion: v1
kind: Namespace
metadata:
  name: frontend
  labels: {team: a}
---
apiVersion: v1
kind: Namespace
metadata:
  name: edge
  labels: {team: b}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: x
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: x
        ports:
        - {name: pg, containerPort: 5432}
        - {name: stats, containerPort: 9187, protocol: UDP}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache, namespace: shop}
spec:
  template:
    metadata: {labels: {app: cache}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: shop}
spec:
  template:
    metadata: {labels: {app: cache-sts}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: frontend}
spec:
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: edge}
spec:
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Service
metadata: {name: db-svc, namespace: shop}
spec:
  selector: {app: db}
  ports:
  - {name: sql, port: 5433, targetPort: pg}
  - {name: metrics, port: 9187, targetPort: stats, protocol: UDP}
---
apiVersion: v1
kind: Service
metadata: {name: web-lb, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: web}}
    ports: [{port: pg}]
  - from:
    - namespaceSelector: {matchLabels: {team: a}}
      podSelector: {matchLabels: {app: client}}
    ports: [{port: 9187, protocol: UDP}]
  - from:
    - ipBlock: {cidr: 10.0.0.0/8}
    ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to:
    - podSelector: {matchLabels: {app: db}}
)";

class NetCli : public ::testing::Test {
 protected:
  void SetUp() override { cluster_ = dir_.write("cluster.yaml", kCluster); }

  /** Runs `kspm net ARGS` with stderr into a file; returns the result, stderr in err_. */
  kspm::testing::CommandResult net(const std::string& args) {
    std::string err_path = dir_.path() + "/stderr.txt";
    kspm::testing::CommandResult r = run(kspm() + " net " + args + " 2>'" + err_path + "'");
    err_ = readFile(err_path);
    return r;
  }
  std::string reachArgs(const std::string& from, const std::string& to, const std::string& extra = "") {
    return "reach --from " + from + " --to " + to + " " + extra + " '" + cluster_ + "'";
  }

  /** Parses JSON output; fails the test when it is not a JSON object. */
  static rapidjson::Document parse(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    EXPECT_FALSE(doc.HasParseError()) << text;
    EXPECT_TRUE(doc.IsObject()) << text;
    return doc;
  }
  /** The one answer of a reach -o json run. */
  static const rapidjson::Value& answer(const rapidjson::Document& doc, size_t i = 0) {
    static const rapidjson::Value kNull;
    if (!doc.IsObject() || !doc.HasMember("answers") || !doc["answers"].IsArray() || doc["answers"].Size() <= i) {
      ADD_FAILURE() << "no answer " << i;
      return kNull;
    }
    return doc["answers"][static_cast<rapidjson::SizeType>(i)];
  }
  static std::string str(const rapidjson::Value& v, const char* key) {
    if (!v.IsObject() || !v.HasMember(key) || !v[key].IsString()) return "<missing " + std::string(key) + ">";
    return v[key].GetString();
  }
  /** "policy rule effect connections" of each rule of one direction. */
  static std::vector<std::string> rules(const rapidjson::Value& answer, const char* direction) {
    std::vector<std::string> out;
    if (!answer.IsObject() || !answer.HasMember(direction)) return out;
    const rapidjson::Value& d = answer[direction];
    if (!d.HasMember("rules") || !d["rules"].IsArray()) return out;
    for (const rapidjson::Value& r : d["rules"].GetArray()) {
      out.push_back(str(r, "policy") + " " + str(r, "rule") + " " + str(r, "effect") + " " + str(r, "connections"));
    }
    return out;
  }
  static bool hasRule(const rapidjson::Value& answer, const char* direction, const std::string& rule) {
    std::vector<std::string> all = rules(answer, direction);
    return std::find(all.begin(), all.end(), rule) != all.end();
  }
  static bool hasRule(const rapidjson::Document& doc, const char* direction, const std::string& rule) {
    return hasRule(answer(doc), direction, rule);
  }
  static std::vector<std::string> policies(const rapidjson::Value& answer, const char* direction) {
    std::vector<std::string> out;
    if (!answer.IsObject() || !answer.HasMember(direction)) return out;
    const rapidjson::Value& d = answer[direction];
    if (!d.HasMember("policies") || !d["policies"].IsArray()) return out;
    for (const rapidjson::Value& p : d["policies"].GetArray()) out.push_back(str(p, "namespace") + "/" + str(p, "name"));
    return out;
  }

  TempDir dir_;
  std::string cluster_;
  std::string err_;
};

// ---------------------------------------------------------------------------------------------
// reach

TEST_F(NetCli, ReachWorkloadToWorkloadJson) {
  auto r = net(reachArgs("shop/web", "shop/db", "-o json"));
  ASSERT_EQ(r.exit_code, 0) << err_;
  rapidjson::Document doc = parse(r.out);
  const rapidjson::Value& a = answer(doc);
  EXPECT_EQ(str(a, "from"), "shop/Deployment/web");
  EXPECT_EQ(str(a, "to"), "shop/Deployment/db");
  EXPECT_TRUE(a["port"].IsNull());
  EXPECT_EQ(str(a, "verdict"), "allowed");
  EXPECT_EQ(str(a, "allowed"), "TCP 5432");
  EXPECT_EQ(str(a, "depends"), "none");
  EXPECT_EQ(str(a, "unknown"), "none");
  EXPECT_EQ(policies(a, "egress"), std::vector<std::string>{"shop/web-egress"});
  EXPECT_EQ(rules(a, "egress"), std::vector<std::string>{"shop/web-egress egress[0] allowed all"});
  EXPECT_TRUE(a["egress"]["isolated"].GetBool());
  EXPECT_EQ(policies(a, "ingress"), std::vector<std::string>{"shop/db-in"});
  std::vector<std::string> ingress = rules(a, "ingress");
  EXPECT_EQ(ingress, (std::vector<std::string>{"shop/db-in ingress[0] allowed TCP 5432", "shop/db-in ingress[2] depends TCP 5432"}));
  // Rules name their line in the file.
  ASSERT_TRUE(a["ingress"]["rules"].IsArray());
  ASSERT_GE(a["ingress"]["rules"].Size(), 1u);
  EXPECT_GT(a["ingress"]["rules"][0]["line"].GetUint(), 0u);
  const rapidjson::Value& pol = a["ingress"]["policies"][0];
  EXPECT_EQ(str(pol, "file"), cluster_);
  EXPECT_GT(pol["line"].GetUint(), 0u);
}

TEST_F(NetCli, ReachTableWithPortNumbers) {
  auto allowed = net(reachArgs("shop/web", "shop/db", "--port 5432"));
  ASSERT_EQ(allowed.exit_code, 0) << err_;
  EXPECT_NE(allowed.out.find("VERDICT  allowed"), std::string::npos) << allowed.out;
  EXPECT_NE(allowed.out.find("PORT     5432/TCP"), std::string::npos) << allowed.out;
  EXPECT_NE(allowed.out.find("shop/db-in ingress[0] allowed: TCP 5432"), std::string::npos) << allowed.out;
  EXPECT_NE(allowed.out.find("shop/web-egress"), std::string::npos) << allowed.out;

  auto denied = net(reachArgs("shop/web", "shop/db", "--port 80"));
  ASSERT_EQ(denied.exit_code, 0) << err_;
  EXPECT_NE(denied.out.find("VERDICT  denied"), std::string::npos) << denied.out;

  // Web's egress admits only db.
  auto egress = net(reachArgs("shop/web", "shop/Deployment/cache", "--port 80"));
  ASSERT_EQ(egress.exit_code, 0) << err_;
  EXPECT_NE(egress.out.find("VERDICT  denied"), std::string::npos) << egress.out;
}

TEST_F(NetCli, ReachNsKindNameAndNamedPort) {
  auto r = net(reachArgs("shop/Deployment/web", "shop/deployment/db", "--port pg -o json"));
  ASSERT_EQ(r.exit_code, 0) << err_;
  rapidjson::Document doc = parse(r.out);
  const rapidjson::Value& a = answer(doc);
  EXPECT_EQ(str(a, "verdict"), "allowed");
  ASSERT_TRUE(a["port"].IsObject());
  EXPECT_EQ(a["port"]["port"].GetUint(), 5432u);
  EXPECT_EQ(str(a["port"], "protocol"), "TCP");
  EXPECT_NE(str(a, "port_note").find("5432"), std::string::npos) << str(a, "port_note");
}

TEST_F(NetCli, ReachUdpByNumberAndName) {
  auto udp = net(reachArgs("frontend/client", "shop/db", "--port 9187/UDP -o json"));
  ASSERT_EQ(udp.exit_code, 0) << err_;
  rapidjson::Document doc = parse(udp.out);
  EXPECT_EQ(str(answer(doc), "verdict"), "allowed");
  EXPECT_EQ(str(answer(doc)["port"], "protocol"), "UDP");
  EXPECT_TRUE(hasRule(answer(doc), "ingress", "shop/db-in ingress[1] allowed UDP 9187")) << udp.out;

  auto tcp = net(reachArgs("frontend/client", "shop/db", "--port 9187 -o json"));
  ASSERT_EQ(tcp.exit_code, 0) << err_;
  EXPECT_EQ(str(answer(parse(tcp.out)), "verdict"), "denied");

  auto named = net(reachArgs("frontend/client", "shop/db", "--port stats -o json"));
  ASSERT_EQ(named.exit_code, 0) << err_;
  rapidjson::Document nd = parse(named.out);
  EXPECT_EQ(str(answer(nd), "verdict"), "allowed");
  EXPECT_EQ(answer(nd)["port"]["port"].GetUint(), 9187u);
  EXPECT_EQ(str(answer(nd)["port"], "protocol"), "UDP");

  // The same client in namespace edge (team=b) is not admitted.
  auto edge = net(reachArgs("edge/client", "shop/db", "--port 9187/UDP -o json"));
  ASSERT_EQ(edge.exit_code, 0) << err_;
  EXPECT_EQ(str(answer(parse(edge.out)), "verdict"), "denied");
}

TEST_F(NetCli, ReachThroughServiceJudgedAtTargetPort) {
  // db-svc port 5433 -> targetPort pg (5432): judged at 5432, where the ipBlock 10/8 rule may
  // admit pod addresses ("depends"); at 5433 it would be denied.
  for (const char* port : {"sql", "5433"}) {
    auto r = net(reachArgs("frontend/client", "shop/service/db-svc", std::string("--port ") + port + " -o json"));
    ASSERT_EQ(r.exit_code, 0) << err_;
    rapidjson::Document doc = parse(r.out);
    const rapidjson::Value& a = answer(doc);
    EXPECT_EQ(str(a, "to"), "shop/Deployment/db") << port;
    ASSERT_TRUE(a["port"].IsObject()) << port;
    EXPECT_EQ(a["port"]["port"].GetUint(), 5432u) << port;
    EXPECT_EQ(str(a, "verdict"), "depends") << port;
    std::string note = str(a, "port_note");
    EXPECT_NE(note.find("5433"), std::string::npos) << note;
    EXPECT_NE(note.find("pg"), std::string::npos) << note;
    EXPECT_NE(note.find("5432"), std::string::npos) << note;
    EXPECT_TRUE(hasRule(a, "ingress", "shop/db-in ingress[2] depends TCP 5432")) << r.out;
    EXPECT_FALSE(hasRule(a, "ingress", "shop/db-in ingress[0] allowed TCP 5432")) << "rule 0 admits web only\n" << r.out;
  }
  auto web = net(reachArgs("shop/web", "shop/svc/db-svc", "--port sql -o json"));
  ASSERT_EQ(web.exit_code, 0) << err_;
  EXPECT_EQ(str(answer(parse(web.out)), "verdict"), "allowed");
  // The UDP Service port reaches the named UDP container port.
  auto udp = net(reachArgs("frontend/client", "shop/service/db-svc", "--port metrics -o json"));
  ASSERT_EQ(udp.exit_code, 0) << err_;
  rapidjson::Document ud = parse(udp.out);
  EXPECT_EQ(str(answer(ud), "verdict"), "allowed");
  EXPECT_EQ(str(answer(ud)["port"], "protocol"), "UDP");
}

TEST_F(NetCli, ReachThroughServiceEveryPortAndMissingTarget) {
  // Without --port: one answer per Service port.
  auto all = net(reachArgs("frontend/client", "shop/service/db-svc", "-o json"));
  ASSERT_EQ(all.exit_code, 0) << err_;
  rapidjson::Document doc = parse(all.out);
  ASSERT_EQ(doc["answers"].Size(), 2u) << all.out;
  EXPECT_EQ(answer(doc, 0)["port"]["port"].GetUint(), 5432u);
  EXPECT_EQ(str(answer(doc, 0), "verdict"), "depends");
  EXPECT_EQ(answer(doc, 1)["port"]["port"].GetUint(), 9187u);
  EXPECT_EQ(str(answer(doc, 1)["port"], "protocol"), "UDP");
  EXPECT_EQ(str(answer(doc, 1), "verdict"), "allowed");

  // A targetPort name the backend does not have: the connection fails whatever the policies.
  std::string svc = dir_.write("svc.yaml",
                               "apiVersion: v1\nkind: Service\nmetadata: {name: web-bad, namespace: shop}\n"
                               "spec:\n  selector: {app: web}\n  ports:\n  - {name: http, port: 80, targetPort: nothere}\n");
  auto missing = net("reach --from frontend/client --to shop/service/web-bad --port 80 -o json '" + cluster_ + "' '" + svc + "'");
  ASSERT_EQ(missing.exit_code, 0) << err_;
  rapidjson::Document md = parse(missing.out);
  EXPECT_EQ(str(answer(md), "verdict"), "denied");
  EXPECT_NE(str(answer(md), "port_note").find("nothere"), std::string::npos) << str(answer(md), "port_note");
}

TEST_F(NetCli, ReachFromInternetAndAddress) {
  auto internet = net(reachArgs("internet", "shop/db", "--port 5432 -o json"));
  ASSERT_EQ(internet.exit_code, 0) << err_;
  rapidjson::Document doc = parse(internet.out);
  const rapidjson::Value& a = answer(doc);
  EXPECT_EQ(str(a, "from"), "internet");
  EXPECT_EQ(str(a, "verdict"), "denied");
  EXPECT_FALSE(a["egress"]["judged"].GetBool());

  auto inside = net(reachArgs("10.1.2.3", "shop/db", "--port 5432 -o json"));
  ASSERT_EQ(inside.exit_code, 0) << err_;
  rapidjson::Document in = parse(inside.out);
  EXPECT_EQ(str(answer(in), "from"), "10.1.2.3");
  EXPECT_EQ(str(answer(in), "verdict"), "allowed");
  EXPECT_EQ(rules(answer(in), "ingress"), std::vector<std::string>{"shop/db-in ingress[2] allowed TCP 5432"}) << inside.out;

  auto open = net(reachArgs("internet", "shop/web", "--port 8080"));
  ASSERT_EQ(open.exit_code, 0) << err_;
  EXPECT_NE(open.out.find("VERDICT  allowed"), std::string::npos) << open.out;
}

TEST_F(NetCli, ReachToAddressesAndDefaultNamespace) {
  // web's egress admits db only.
  auto web = net(reachArgs("shop/web", "internet", "--port 443 -o json"));
  ASSERT_EQ(web.exit_code, 0) << err_;
  rapidjson::Document wd = parse(web.out);
  EXPECT_EQ(str(answer(wd), "verdict"), "denied");
  EXPECT_FALSE(answer(wd)["ingress"]["judged"].GetBool());
  auto client = net(reachArgs("frontend/client", "8.8.8.8", "--port 53/UDP -o json"));
  ASSERT_EQ(client.exit_code, 0) << err_;
  EXPECT_EQ(str(answer(parse(client.out)), "verdict"), "allowed");
  auto bare = net("reach --from web --to db --port 5432 --default-namespace shop '" + cluster_ + "'");
  ASSERT_EQ(bare.exit_code, 0) << err_;
  EXPECT_NE(bare.out.find("VERDICT  allowed"), std::string::npos) << bare.out;
  EXPECT_NE(bare.out.find("FROM     shop/Deployment/web"), std::string::npos) << bare.out;
}

TEST_F(NetCli, ReachWithOtherEnginesPolicies) {
  std::string calico = dir_.write("calico.yaml",
                                  "apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: calico, namespace: shop}\n"
                                  "spec: {selector: all()}\n---\n"
                                  "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: authz, namespace: frontend}\n"
                                  "spec: {}\n");
  auto r = net("reach --from shop/web --to shop/db --port 80 -o json '" + cluster_ + "' '" + calico + "'");
  ASSERT_EQ(r.exit_code, 0) << err_;
  rapidjson::Document doc = parse(r.out);
  const rapidjson::Value& a = answer(doc);
  EXPECT_EQ(str(a, "verdict"), "unknown") << "denied by NetworkPolicy, but Calico may allow it";
  ASSERT_TRUE(a["other_engines"].IsArray());
  ASSERT_EQ(a["other_engines"].Size(), 1u);
  EXPECT_EQ(std::string(a["other_engines"][0].GetString()), "NetworkPolicy shop/calico");
  // Istio at the destination only narrows: what NetworkPolicy allows becomes unknown.
  auto istio = net("reach --from edge/client --to frontend/client --port 80 -o json '" + cluster_ + "' '" + calico + "'");
  ASSERT_EQ(istio.exit_code, 0) << err_;
  rapidjson::Document id = parse(istio.out);
  EXPECT_EQ(str(answer(id), "verdict"), "unknown");
  EXPECT_EQ(std::string(answer(id)["other_engines"][0].GetString()), "AuthorizationPolicy frontend/authz");
  // Traffic between namespaces without other engines' policies is unchanged.
  auto plain = net("reach --from edge/client --to shop/web --port 8080 -o json '" + cluster_ + "' '" + calico + "'");
  ASSERT_EQ(plain.exit_code, 0) << err_;
  EXPECT_EQ(str(answer(parse(plain.out)), "verdict"), "unknown") << "shop has a Calico policy";
  auto untouched = net("reach --from frontend/client --to edge/client --port 80 -o json '" + cluster_ + "' '" + calico + "'");
  ASSERT_EQ(untouched.exit_code, 0) << err_;
  rapidjson::Document ud = parse(untouched.out);
  EXPECT_EQ(str(answer(ud), "verdict"), "allowed") << "Istio in the client's namespace does not judge its egress";
  EXPECT_EQ(answer(ud)["other_engines"].Size(), 0u);
}

TEST_F(NetCli, ReachPodCidrTurnsDependsIntoDenied) {
  auto before = net(reachArgs("frontend/client", "shop/db", "--port 5432 -o json"));
  ASSERT_EQ(before.exit_code, 0) << err_;
  EXPECT_EQ(str(answer(parse(before.out)), "verdict"), "depends");
  auto after = net(reachArgs("frontend/client", "shop/db", "--port 5432 --pod-cidr 192.168.0.0/16 -o json"));
  ASSERT_EQ(after.exit_code, 0) << err_;
  rapidjson::Document doc = parse(after.out);
  EXPECT_EQ(str(answer(doc), "verdict"), "denied");
  EXPECT_FALSE(hasRule(answer(doc), "ingress", "shop/db-in ingress[2] depends TCP 5432")) << after.out;
  rapidjson::Document before_doc = parse(before.out);
  EXPECT_TRUE(hasRule(before_doc, "ingress", "shop/db-in ingress[2] depends TCP 5432")) << before.out;
  // A pod CIDR inside 10/8 keeps it "depends".
  auto inside = net(reachArgs("frontend/client", "shop/db", "--port 5432 --pod-cidr 10.244.0.0/16 -o json"));
  ASSERT_EQ(inside.exit_code, 0) << err_;
  EXPECT_EQ(str(answer(parse(inside.out)), "verdict"), "depends");
}

TEST_F(NetCli, ReachUsageErrors) {
  struct Case {
    const char* what;
    std::string args;
  } cases[] = {
      {"missing --from", "reach --to shop/db '" + cluster_ + "'"},
      {"missing --to", "reach --from shop/db '" + cluster_ + "'"},
      {"no input", "reach --from shop/web --to shop/db"},
      {"unknown workload", reachArgs("shop/nope", "shop/db")},
      {"unknown destination", reachArgs("shop/web", "other/db")},
      {"ambiguous name", reachArgs("shop/web", "shop/cache")},
      {"too many parts", reachArgs("shop/web", "a/b/c/d")},
      {"port 0", reachArgs("shop/web", "shop/db", "--port 0")},
      {"port too large", reachArgs("shop/web", "shop/db", "--port 70000")},
      {"bad protocol", reachArgs("shop/web", "shop/db", "--port 80/ICMP")},
      {"empty port", reachArgs("shop/web", "shop/db", "--port /TCP")},
      {"unknown port name", reachArgs("shop/web", "shop/db", "--port nosuch")},
      {"service has no such port", reachArgs("shop/web", "shop/service/db-svc", "--port 1234")},
      {"bad -o", reachArgs("shop/web", "shop/db", "-o yaml")},
      {"unknown flag", reachArgs("shop/web", "shop/db", "--bogus")},
      {"Service as source", reachArgs("shop/service/db-svc", "shop/db")},
      {"unknown Service", reachArgs("shop/web", "shop/service/nope")},
      {"bad --pod-cidr", reachArgs("shop/web", "shop/db", "--pod-cidr 10.0.0.0/99")},
  };
  for (const Case& c : cases) {
    auto r = net(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.what << ": " << c.args << "\nstdout: " << r.out << "\nstderr: " << err_;
    EXPECT_FALSE(err_.empty()) << c.what;
    EXPECT_EQ(r.out.find("VERDICT"), std::string::npos) << c.what;
  }
  auto ambiguous = net(reachArgs("shop/web", "shop/cache"));
  EXPECT_NE(err_.find("shop/Deployment/cache"), std::string::npos) << err_;
  EXPECT_NE(err_.find("shop/StatefulSet/cache"), std::string::npos) << err_;
  // With the kind the name is unique.
  auto resolved = net(reachArgs("shop/web", "shop/StatefulSet/cache"));
  EXPECT_EQ(resolved.exit_code, 0) << err_;
}

TEST_F(NetCli, InvalidPolicyExit3WithAnswer) {
  std::string bad = dir_.write("bad.yaml",
                               "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: shop}\ndata: {a: b}\n---\n"
                               "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: broken, namespace: shop}\n"
                               "spec:\n  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/40}\n");
  auto r = net("reach --from shop/web --to shop/db --port 5432 '" + cluster_ + "' '" + bad + "'");
  EXPECT_EQ(r.exit_code, 3) << err_;
  EXPECT_NE(r.out.find("VERDICT  allowed"), std::string::npos) << "the answer is still written\n" << r.out;
  EXPECT_NE(err_.find(bad + ":6"), std::string::npos) << err_;
  EXPECT_NE(err_.find("invalid-object"), std::string::npos) << err_;
  EXPECT_NE(err_.find("shop/broken"), std::string::npos) << err_;

  auto m = net("matrix -o json '" + cluster_ + "' '" + bad + "'");
  EXPECT_EQ(m.exit_code, 3);
  parse(m.out);
  auto e = net("exposure -o json '" + cluster_ + "' '" + bad + "'");
  EXPECT_EQ(e.exit_code, 3);
  parse(e.out);
  EXPECT_NE(err_.find("invalid-object"), std::string::npos) << err_;
}

// ---------------------------------------------------------------------------------------------
// matrix

TEST_F(NetCli, MatrixTable) {
  auto r = net("matrix '" + cluster_ + "'");
  ASSERT_EQ(r.exit_code, 0) << err_;
  EXPECT_NE(r.out.find("CLASSES"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("EXTERNAL ADDRESSES"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CONNECTIVITY"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("shop/Deployment/db"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("10.0.0.0/8"), std::string::npos) << "the ipBlock splits the external addresses\n" << r.out;
}

TEST_F(NetCli, MatrixJsonIsConsistent) {
  auto r = net("matrix -o json --threads 2 '" + cluster_ + "'");
  ASSERT_EQ(r.exit_code, 0) << err_;
  rapidjson::Document doc = parse(r.out);
  ASSERT_TRUE(doc["classes"].IsArray());
  ASSERT_TRUE(doc["externals"].IsArray());
  ASSERT_TRUE(doc["edges"].IsArray());
  std::set<std::string> ids;
  std::multiset<std::string> members;
  for (const rapidjson::Value& c : doc["classes"].GetArray()) {
    EXPECT_TRUE(ids.insert(str(c, "id")).second) << "duplicate id " << str(c, "id");
    EXPECT_EQ(str(c, "id")[0], 'c');
    ASSERT_TRUE(c["workloads"].IsArray());
    EXPECT_GT(c["workloads"].Size(), 0u);
    for (const rapidjson::Value& w : c["workloads"].GetArray()) members.insert(w.GetString());
  }
  // Every workload is in exactly one class.
  EXPECT_EQ(members, (std::multiset<std::string>{"edge/Deployment/client", "frontend/Deployment/client", "shop/Deployment/cache",
                                                 "shop/Deployment/db", "shop/Deployment/web", "shop/StatefulSet/cache"}));
  EXPECT_GE(doc["externals"].Size(), 2u);
  for (const rapidjson::Value& e : doc["externals"].GetArray()) {
    EXPECT_TRUE(ids.insert(str(e, "id")).second) << "duplicate id " << str(e, "id");
    EXPECT_EQ(str(e, "id")[0], 'e');
    EXPECT_FALSE(str(e, "addresses").empty());
  }
  ASSERT_GT(doc["edges"].Size(), 0u);
  std::set<std::pair<std::string, std::string>> pairs;
  for (const rapidjson::Value& e : doc["edges"].GetArray()) {
    EXPECT_TRUE(ids.count(str(e, "from"))) << "edge from unknown node " << str(e, "from");
    EXPECT_TRUE(ids.count(str(e, "to"))) << "edge to unknown node " << str(e, "to");
    EXPECT_TRUE(pairs.insert({str(e, "from"), str(e, "to")}).second) << "duplicate edge";
    EXPECT_FALSE(str(e, "allowed") == "none" && str(e, "depends") == "none" && str(e, "unknown") == "none")
        << "an edge with nothing on it";
  }
  // db is in a class of its own (only it is selected by db-in); web -> db allows exactly TCP 5432.
  std::string web_class, db_class;
  for (const rapidjson::Value& c : doc["classes"].GetArray()) {
    for (const rapidjson::Value& w : c["workloads"].GetArray()) {
      if (std::string(w.GetString()) == "shop/Deployment/web") web_class = str(c, "id");
      if (std::string(w.GetString()) == "shop/Deployment/db") {
        db_class = str(c, "id");
        EXPECT_EQ(c["workloads"].Size(), 1u);
      }
    }
  }
  bool found = false;
  for (const rapidjson::Value& e : doc["edges"].GetArray()) {
    if (str(e, "from") == web_class && str(e, "to") == db_class) {
      found = true;
      EXPECT_EQ(str(e, "allowed"), "TCP 5432");
    }
  }
  EXPECT_TRUE(found) << "no edge web -> db";
}

TEST_F(NetCli, MatrixDot) {
  auto r = net("matrix -o dot '" + cluster_ + "'");
  ASSERT_EQ(r.exit_code, 0) << err_;
  EXPECT_EQ(r.out.rfind("digraph", 0), 0u) << r.out.substr(0, 100);
  EXPECT_NE(r.out.find("->"), std::string::npos);
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_NE(r.out.find("}\n"), std::string::npos);
  auto bad = net("matrix -o yaml '" + cluster_ + "'");
  EXPECT_EQ(bad.exit_code, 2);
  auto threads = net("matrix --threads 0 '" + cluster_ + "'");
  EXPECT_EQ(threads.exit_code, 2);
}

// ---------------------------------------------------------------------------------------------
// exposure

TEST_F(NetCli, ExposureJsonAndNamespaceFilter) {
  auto r = net("exposure -o json '" + cluster_ + "'");
  ASSERT_EQ(r.exit_code, 0) << err_;
  rapidjson::Document doc = parse(r.out);
  ASSERT_TRUE(doc["workloads"].IsArray());
  EXPECT_EQ(doc["workloads"].Size(), 6u);
  bool saw_web = false, saw_db = false;
  for (const rapidjson::Value& w : doc["workloads"].GetArray()) {
    if (str(w, "namespace") == "shop" && str(w, "name") == "web") {
      saw_web = true;
      EXPECT_EQ(str(w, "kind"), "Deployment");
      EXPECT_EQ(str(w, "level"), "internet");
      EXPECT_EQ(str(w, "confidence"), "exposed");
      EXPECT_EQ(str(w, "file"), cluster_);
      bool lb = false;
      for (const rapidjson::Value& p : w["paths"].GetArray()) {
        if (str(p, "channel") != "LoadBalancer Service") continue;
        lb = true;
        EXPECT_EQ(str(p, "level"), "internet");
        EXPECT_EQ(str(p, "confidence"), "exposed");
        EXPECT_EQ(str(p, "ports"), "TCP 8080");
        EXPECT_EQ(str(p["via"], "kind"), "Service");
        EXPECT_EQ(str(p["via"], "name"), "web-lb");
        EXPECT_EQ(str(p["via"], "namespace"), "shop");
        EXPECT_TRUE(p["narrowed_by"].IsArray());
      }
      EXPECT_TRUE(lb);
    }
    if (str(w, "namespace") == "shop" && str(w, "name") == "db") {
      saw_db = true;
      // db-in admits web (same namespace) and clients of team=a namespaces: cluster.
      EXPECT_EQ(str(w, "level"), "cluster");
      for (const rapidjson::Value& p : w["paths"].GetArray()) {
        if (str(p, "channel") != "pod network") continue;
        ASSERT_EQ(p["narrowed_by"].Size(), 1u);
        EXPECT_EQ(std::string(p["narrowed_by"][0].GetString()), "shop/db-in");
      }
    }
  }
  EXPECT_TRUE(saw_web);
  EXPECT_TRUE(saw_db);

  auto filtered = net("exposure -o json -n frontend '" + cluster_ + "'");
  ASSERT_EQ(filtered.exit_code, 0) << err_;
  rapidjson::Document fd = parse(filtered.out);
  ASSERT_EQ(fd["workloads"].Size(), 1u);
  EXPECT_EQ(str(fd["workloads"][0], "namespace"), "frontend");
  EXPECT_EQ(str(fd["workloads"][0], "name"), "client");

  auto none = net("exposure -o json --namespace nowhere '" + cluster_ + "'");
  ASSERT_EQ(none.exit_code, 0) << err_;
  EXPECT_EQ(parse(none.out)["workloads"].Size(), 0u);

  auto table = net("exposure -n shop '" + cluster_ + "'");
  ASSERT_EQ(table.exit_code, 0) << err_;
  EXPECT_NE(table.out.find("shop/Deployment/web  internet  exposed"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("frontend/"), std::string::npos) << table.out;

  EXPECT_EQ(net("exposure -o dot '" + cluster_ + "'").exit_code, 2);
}

TEST_F(NetCli, ReadsStandardInput) {
  auto r = run("cat '" + cluster_ + "' | " + kspm() + " net reach --from shop/web --to shop/db --port 5432 -");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("VERDICT  allowed"), std::string::npos) << r.out;
}

// ---------------------------------------------------------------------------------------------
// help

TEST_F(NetCli, HelpExitsZero) {
  for (const char* args : {"--help", "-h", "help", "reach --help", "matrix --help", "exposure -h"}) {
    auto r = net(args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << err_;
    EXPECT_NE(r.out.find("Usage: kspm net"), std::string::npos) << args << "\n" << r.out;
  }
  EXPECT_NE(net("reach --help").out.find("--port"), std::string::npos);
  EXPECT_NE(net("matrix --help").out.find("dot"), std::string::npos);
  EXPECT_NE(net("exposure --help").out.find("--namespace"), std::string::npos);
  auto unknown = net("frobnicate");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(err_.find("frobnicate"), std::string::npos) << err_;
  EXPECT_EQ(net("").exit_code, 2);
}

}  // namespace
}  // namespace kspm
