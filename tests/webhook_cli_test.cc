// End to end: the real `kspm webhook` binary with a generated CA and a config file, sent real
// AdmissionReview requests with the curl command-line tool (skipped when curl is missing, unless
// CI=true), each response field checked; then SIGTERM and a clean exit.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "fixture_apiserver/fixture.h"
#include "fixture_apiserver/tls.h"
#include "test_util.h"

extern char** environ;

namespace {

using kspm::testing::TempDir;
using namespace std::chrono_literals;

bool haveCurl() { return std::system("command -v curl >/dev/null 2>&1") == 0; }
bool inCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string fixture(const std::string& name) {
  return readFile(kspm::testing::sourceDir() + "/tests/testdata/admission/" + name);
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

constexpr const char* kConfig = R"(admission:
  mode: enforce
  enforceSeverity: high
  namespaces:
  - match: {names: [dev]}
    mode: warn
  exempt: {namespaces: [kube-system]}
)";

struct Answer {
  int http_status = 0;
  std::string body;
  rapidjson::Document doc;  // parsed when the body is JSON
  const rapidjson::Value& response() const { return doc["response"]; }
  bool allowed() const { return response()["allowed"].GetBool(); }
  std::string uid() const { return response()["uid"].GetString(); }
  std::string annotation(const char* key) const {
    if (!response().HasMember("auditAnnotations") || !response()["auditAnnotations"].HasMember(key)) return "";
    return response()["auditAnnotations"][key].GetString();
  }
  std::string warnings() const {
    std::string all;
    if (response().HasMember("warnings")) {
      for (const auto& w : response()["warnings"].GetArray()) all += std::string(w.GetString()) + "\n";
    }
    return all;
  }
};

class WebhookCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!haveCurl()) {
      if (inCi()) FAIL() << "curl is required under CI";
      GTEST_SKIP() << "curl is not installed";
    }
    ASSERT_EQ(kspm_fixture::writeCertificates(dir_.path()), "");
    dir_.write("kspm.yaml", kConfig);
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  /** Starts kspm webhook on an ephemeral port; extra flags appended. */
  void start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {KSPM_BINARY, "webhook", "--tls-cert", dir_.path() + "/server.crt",
                                     "--tls-key", dir_.path() + "/server.key", "--config", dir_.path() + "/kspm.yaml",
                                     "--listen", "127.0.0.1:0"};
    if (std::find(extra.begin(), extra.end(), "--namespace-labels") == extra.end()) {
      extra.insert(extra.end(), {"--namespace-labels", "none"});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    log_ = dir_.path() + "/webhook.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_EQ(posix_spawn(&pid_, KSPM_BINARY, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      const std::string text = readFile(log_);
      const size_t at = text.find("serving https on 127.0.0.1:");
      if (at != std::string::npos) port_ = std::atoi(text.c_str() + at + std::strlen("serving https on 127.0.0.1:"));
      if (port_ == 0) std::this_thread::sleep_for(50ms);
    }
    ASSERT_NE(port_, 0) << "kspm webhook did not start: " << readFile(log_);
  }

  /** POSTs `body` to /validate with curl; extra curl arguments allowed. */
  Answer review(const std::string& body, const std::string& curl_extra = "") {
    const std::string request = dir_.write("request.json", body);
    const std::string response = dir_.path() + "/response.txt";
    std::filesystem::remove(response);
    const std::string command = "curl -s --max-time 20 --cacert '" + dir_.path() + "/ca.crt' -o '" + response +
                                "' -w '%{http_code}' -H 'Content-Type: application/json' " + curl_extra +
                                " --data-binary @'" + request + "' https://127.0.0.1:" + std::to_string(port_) +
                                "/validate";
    Answer answer;
    answer.http_status = std::atoi(kspm::testing::run(command).out.c_str());
    answer.body = readFile(response);
    answer.doc.Parse(answer.body.c_str());
    return answer;
  }

  /** Sends SIGTERM and returns the exit code. */
  int stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_;
};

TEST_F(WebhookCli, AnswersEveryKindOfReviewAndStopsCleanly) {
  start();

  // Allowed: a compliant pod.
  Answer allowed = review(fixture("pod_create_allowed.json"));
  ASSERT_EQ(allowed.http_status, 200) << allowed.body;
  ASSERT_FALSE(allowed.doc.HasParseError()) << allowed.body;
  EXPECT_STREQ(allowed.doc["apiVersion"].GetString(), "admission.k8s.io/v1");
  EXPECT_STREQ(allowed.doc["kind"].GetString(), "AdmissionReview");
  EXPECT_EQ(allowed.uid(), "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_TRUE(allowed.allowed());
  EXPECT_FALSE(allowed.response().HasMember("status"));
  EXPECT_EQ(allowed.annotation("mode"), "enforce");

  // Denied: a privileged pod in an enforcing namespace.
  const std::string privileged = fixture("pod_create_privileged.json");
  Answer denied = review(privileged);
  ASSERT_EQ(denied.http_status, 200) << denied.body;
  EXPECT_EQ(denied.uid(), "a1b2c3d4-0000-4000-8000-000000000001");
  EXPECT_FALSE(denied.allowed());
  EXPECT_EQ(denied.response()["status"]["code"].GetInt(), 403);
  const std::string message = denied.response()["status"]["message"].GetString();
  EXPECT_NE(message.find("pss-privileged"), std::string::npos) << message;
  EXPECT_NE(message.find("fix:"), std::string::npos) << "the message says how to fix it: " << message;
  EXPECT_EQ(denied.annotation("decision"), "denied");
  EXPECT_NE(denied.annotation("findings").find("pss-privileged"), std::string::npos);

  // Warned: the same pod where the namespace is in mode warn.
  Answer warned = review(replaceAll(privileged, "\"namespace\":\"shop\"", "\"namespace\":\"dev\""));
  ASSERT_EQ(warned.http_status, 200) << warned.body;
  EXPECT_TRUE(warned.allowed());
  EXPECT_NE(warned.warnings().find("pss-privileged"), std::string::npos) << warned.body;
  EXPECT_EQ(warned.annotation("mode"), "warn");

  // Dry run: the same decision, nothing logged.
  const std::string dry_uid = "d7d7d7d7-0000-4000-8000-000000000099";
  std::string dry = replaceAll(privileged, "\"dryRun\":false", "\"dryRun\":true");
  dry = replaceAll(dry, "a1b2c3d4-0000-4000-8000-000000000001", dry_uid);
  ASSERT_NE(dry.find("\"dryRun\":true"), std::string::npos) << "the fixture has no dryRun field";
  Answer dry_run = review(dry);
  ASSERT_EQ(dry_run.http_status, 200) << dry_run.body;
  EXPECT_EQ(dry_run.uid(), dry_uid);
  EXPECT_FALSE(dry_run.allowed());
  EXPECT_EQ(dry_run.response()["status"]["message"].GetString(), message);

  // UPDATE of metadata only, on a pod that is already non-compliant: allowed.
  Answer relabel = review(fixture("pod_update_metadata_only.json"));
  ASSERT_EQ(relabel.http_status, 200) << relabel.body;
  EXPECT_TRUE(relabel.allowed()) << relabel.body;
  EXPECT_EQ(relabel.uid(), "a1b2c3d4-0000-4000-8000-000000000002");

  // kubectl debug --profile=sysadmin: the pods/ephemeralcontainers subresource is judged.
  Answer debug = review(fixture("pod_ephemeral_sysadmin.json"));
  ASSERT_EQ(debug.http_status, 200) << debug.body;
  EXPECT_FALSE(debug.allowed()) << debug.body;
  EXPECT_NE(std::string(debug.response()["status"]["message"].GetString()).find("pss-privileged"), std::string::npos);

  // Malformed: HTTP 400 with a one-line message, and the server keeps serving.
  Answer not_json = review("{\"kind\":\"AdmissionReview\",");
  EXPECT_EQ(not_json.http_status, 400);
  EXPECT_NE(not_json.body.find("malformed"), std::string::npos) << not_json.body;
  Answer no_request = review(R"({"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1"})");
  EXPECT_EQ(no_request.http_status, 400) << no_request.body;
  EXPECT_EQ(review(fixture("pod_create_allowed.json")).http_status, 200);

  // Oversized (the limit is --max-body-bytes, default 3 MiB): 413.
  Answer big = review(std::string(4u << 20, ' '));
  EXPECT_EQ(big.http_status, 413) << big.body;

  EXPECT_EQ(stop(), 0) << readFile(log_);
  const std::string log = readFile(log_);
  EXPECT_NE(log.find("denied uid=a1b2c3d4-0000-4000-8000-000000000001 CREATE Pod shop/"), std::string::npos) << log;
  EXPECT_NE(log.find("checks="), std::string::npos) << log;
  EXPECT_EQ(log.find(dry_uid), std::string::npos) << "a dry run was logged: " << log;
  EXPECT_EQ(log.find("705ab4f5"), std::string::npos) << "an allowed review was logged: " << log;
  EXPECT_NE(log.find("malformed review"), std::string::npos) << log;
  EXPECT_EQ(log.find("\"image\""), std::string::npos) << "object contents in the log: " << log;
}

TEST_F(WebhookCli, SlowUploadGets408AtTheReadTimeout) {
  start({"--read-timeout", "1s"});
  // 100 bytes a second: the 4 KB review would take 40 s; the server answers 408 after about 1 s.
  Answer slow = review(fixture("pod_create_allowed.json"), "--limit-rate 100");
  EXPECT_EQ(slow.http_status, 408) << slow.body;
  // And it still serves others.
  EXPECT_EQ(review(fixture("pod_create_allowed.json")).http_status, 200);
  EXPECT_EQ(stop(), 0);
}

TEST_F(WebhookCli, MetricsCountDecisions) {
  start();
  review(fixture("pod_create_allowed.json"));
  review(fixture("pod_create_privileged.json"));
  const std::string metrics = kspm::testing::run("curl -s --max-time 10 --cacert '" + dir_.path() +
                                                 "/ca.crt' https://127.0.0.1:" + std::to_string(port_) + "/metrics")
                                  .out;
  EXPECT_NE(metrics.find("kspm_webhook_requests_total{decision=\"allowed\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("kspm_webhook_requests_total{decision=\"denied\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("kspm_webhook_decision_seconds_count 2\n"), std::string::npos) << metrics;
  EXPECT_EQ(stop(), 0);
}

TEST_F(WebhookCli, NamespaceLabelsComeFromTheCluster) {
  // Default warn; namespaces labelled pod-security.kubernetes.io/enforce=restricted enforce. In the
  // fixture cluster, payments has that label and shop does not.
  dir_.write("kspm.yaml", R"(admission:
  mode: warn
  namespaces:
  - match: {matchLabels: {pod-security.kubernetes.io/enforce: restricted}}
    mode: enforce
)");
  std::string error;
  auto cluster = FixtureServer::start({"--content", kspm::testing::sourceDir() + "/tests/testdata/cluster/small.json",
                                       "--token", "t0ken-for-tests=alice"},
                                      &error);
  ASSERT_TRUE(cluster) << error;
  start({"--namespace-labels", "cluster", "--kubeconfig", cluster->kubeconfig()});
  const std::string privileged = fixture("pod_create_privileged.json");
  Answer in_shop = review(privileged);
  ASSERT_EQ(in_shop.http_status, 200) << in_shop.body;
  EXPECT_TRUE(in_shop.allowed()) << in_shop.body;
  EXPECT_EQ(in_shop.annotation("mode"), "warn");
  Answer in_payments = review(replaceAll(privileged, "\"namespace\":\"shop\"", "\"namespace\":\"payments\""));
  ASSERT_EQ(in_payments.http_status, 200) << in_payments.body;
  EXPECT_FALSE(in_payments.allowed()) << "the label selector did not match: " << in_payments.body;
  EXPECT_EQ(in_payments.annotation("mode"), "enforce");
  EXPECT_EQ(stop(), 0);
  EXPECT_NE(readFile(log_).find("namespace labels from the cluster (7 namespaces)"), std::string::npos) << readFile(log_);
}

TEST(WebhookCliFlags, UsageErrorsAndStartFailures) {
  using kspm::testing::kspm;
  using kspm::testing::run;
  EXPECT_EQ(run(kspm() + " webhook --help").exit_code, 0);
  EXPECT_NE(run(kspm() + " webhook --help").out.find("--tls-cert"), std::string::npos);
  EXPECT_EQ(run(kspm() + " webhook 2>/dev/null").exit_code, 2) << "--tls-cert and --tls-key are required";
  EXPECT_EQ(run(kspm() + " webhook --tls-cert a --tls-key b --listen nope 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " webhook --tls-cert a --tls-key b --read-timeout soon 2>/dev/null").exit_code, 2);
  TempDir dir;
  ASSERT_EQ(kspm_fixture::writeCertificates(dir.path()), "");
  // The client key does not match the server certificate: exit 3, nothing served.
  EXPECT_EQ(run(kspm() + " webhook --no-config --namespace-labels none --listen 127.0.0.1:0 --tls-cert '" + dir.path() +
                "/server.crt' --tls-key '" + dir.path() + "/client.key' 2>/dev/null")
                .exit_code,
            3);
  const std::string bad_config = dir.write("bad.yaml", "admission:\n  mode: sometimes\n");
  EXPECT_EQ(run(kspm() + " webhook --config '" + bad_config + "' --tls-cert '" + dir.path() + "/server.crt' --tls-key '" +
                dir.path() + "/server.key' 2>/dev/null")
                .exit_code,
            2);
}

}  // namespace
