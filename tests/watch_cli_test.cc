// kspm watch through the real binary against the fixture API server: scans, changes in the
// cluster between scans, an API server outage, /metrics, and SIGTERM.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "kspm/store.h"
#include "routing_test_support.h"
#include "test_util.h"
#include "watch_test_util.h"

namespace kspm {
namespace {

namespace fs = std::filesystem;
using watchtest::control;
using watchtest::countRequests;
using watchtest::eventually;

/** `kspm watch ...` as a child: stdout read line by line, stderr to a file. */
class WatchProcess {
 public:
  WatchProcess(const std::vector<std::string>& args, const std::string& err_file) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (err >= 0) dup2(err, STDERR_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<std::string> argv = {KSPM_BINARY, "watch"};
      argv.insert(argv.end(), args.begin(), args.end());
      std::vector<char*> c;
      for (auto& a : argv) c.push_back(a.data());
      c.push_back(nullptr);
      execv(c[0], c.data());
      _exit(127);
    }
    close(fds[1]);
    fd_ = fds[0];
  }
  ~WatchProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }
  /** The next stdout line, or nullopt at EOF or after `seconds`. */
  std::optional<std::string> line(int seconds = 60) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    for (;;) {
      size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string l = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return l;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) return std::nullopt;
      buffer_.append(buf, static_cast<size_t>(n));
    }
  }
  /** Waits for the exit (SIGTERM first when `terminate`); the exit code, or -1. */
  int wait(bool terminate, int seconds = 30) {
    if (pid_ <= 0) return -1;
    if (terminate) kill(pid_, SIGTERM);
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;
};

struct WatchSetup {
  std::string dir;
  std::string log;
  std::optional<FixtureServer> server;
  ~WatchSetup() {
    server.reset();
    std::error_code ignored;
    if (!dir.empty()) fs::remove_all(dir, ignored);
  }
};

void setUp(WatchSetup* s) {
  char dir[] = "/tmp/kspm-watch-cli-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  s->dir = dir;
  s->log = s->dir + "/requests.log";
  std::string error;
  s->server = FixtureServer::start({"--content", testing::sourceDir() + "/tests/testdata/cluster/small.json", "--token",
                                    "watch-token=kspm", "--threads", "128", "--log", s->log},
                                   &error);
  ASSERT_TRUE(s->server) << error;
}

std::vector<std::string> baseArgs(const WatchSetup& s) {
  return {"--cluster", "--kubeconfig", s.server->kubeconfig(), "--no-config", "--no-progress", "-o", "json",
          "--db", s.dir + "/history.db"};
}

struct Line {
  rapidjson::Document doc;
  bool ok = false;
  std::string text;
  uint64_t findings(const char* severity) const {
    return ok && doc.HasMember("findings") ? doc["findings"][severity].GetUint64() : 0;
  }
  std::string result() const { return ok ? doc["result"].GetString() : ""; }
};

std::unique_ptr<Line> parse(const std::optional<std::string>& text) {
  auto l = std::make_unique<Line>();
  if (!text) return l;
  l->text = *text;
  l->doc.Parse(text->c_str());
  l->ok = !l->doc.HasParseError() && l->doc.IsObject() && l->doc.HasMember("result");
  return l;
}

TEST(WatchCli, HelpNamesTheFlags) {
  testing::CommandResult r = testing::run(testing::kspm() + " watch --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--interval", "--db", "--routes", "--metrics-addr", "--target", "--max-scans", "--cluster"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(testing::run(testing::kspm() + " watch 2>/dev/null").exit_code, 2) << "needs --cluster";
  EXPECT_EQ(testing::run(testing::kspm() + " watch --cluster --interval 10ms 2>/dev/null").exit_code, 2);
}

TEST(WatchCli, TwoScansAtAOneSecondIntervalWithoutRelisting) {
  WatchSetup s;
  ASSERT_NO_FATAL_FAILURE(setUp(&s));
  std::vector<std::string> args = baseArgs(s);
  args.insert(args.end(), {"--interval", "1s", "--max-scans", "2"});
  WatchProcess watch(args, s.dir + "/stderr");
  auto first = parse(watch.line());
  auto second = parse(watch.line());
  ASSERT_TRUE(first->ok) << first->text << watchtest::readAll(s.dir + "/stderr");
  ASSERT_TRUE(second->ok) << second->text;
  EXPECT_EQ(watch.wait(false), 0) << watchtest::readAll(s.dir + "/stderr");
  EXPECT_EQ(first->result(), "ok");
  EXPECT_EQ(second->result(), "ok");
  EXPECT_GT(first->doc["objects"].GetUint64(), 50u);
  EXPECT_EQ(first->doc["objects"].GetUint64(), second->doc["objects"].GetUint64());
  EXPECT_GT(first->findings("high") + first->findings("critical"), 0u);
  EXPECT_EQ(first->findings("high"), second->findings("high"));
  EXPECT_EQ(countRequests(s.log, "/api/v1/pods", "limit="), 1) << "the second scan used the watch cache";
  EXPECT_EQ(countRequests(s.log, "/apis/apps/v1/deployments", "limit="), 1);
}

TEST(WatchCli, AnAppliedPrivilegedPodIsFoundAndItsDeletionClearsIt) {
  WatchSetup s;
  ASSERT_NO_FATAL_FAILURE(setUp(&s));
  std::vector<std::string> args = baseArgs(s);
  args.insert(args.end(), {"--interval", "1s", "--max-scans", "60"});
  WatchProcess watch(args, s.dir + "/stderr");
  auto base = parse(watch.line());
  ASSERT_TRUE(base->ok) << base->text << watchtest::readAll(s.dir + "/stderr");
  const uint64_t critical = base->findings("critical");
  EXPECT_EQ(control(*s.server, "apply", watchtest::privilegedPod("intruder")), 200);
  std::unique_ptr<Line> seen;
  for (int i = 0; i < 20; ++i) {
    seen = parse(watch.line());
    ASSERT_TRUE(seen->ok) << seen->text;
    if (seen->findings("critical") > critical) break;
  }
  ASSERT_GT(seen->findings("critical"), critical) << "the privileged pod is reported";
  ASSERT_TRUE(seen->doc.HasMember("new")) << "recorded: " << seen->text;
  EXPECT_GT(seen->doc["new"].GetInt64(), 0) << seen->text;
  EXPECT_EQ(control(*s.server, "delete", watchtest::privilegedPod("intruder")), 200);
  std::unique_ptr<Line> cleared;
  for (int i = 0; i < 20; ++i) {
    cleared = parse(watch.line());
    ASSERT_TRUE(cleared->ok) << cleared->text;
    if (cleared->findings("critical") == critical) break;
  }
  EXPECT_EQ(cleared->findings("critical"), critical);
  ASSERT_TRUE(cleared->doc.HasMember("resolved")) << cleared->text;
  EXPECT_GT(cleared->doc["resolved"].GetInt64(), 0) << cleared->text;
  EXPECT_EQ(watch.wait(true), 0) << "SIGTERM stops it cleanly";
  EXPECT_EQ(countRequests(s.log, "/api/v1/pods", "limit="), 1);
}

TEST(WatchCli, AnApiServerOutageSkipsScansAndResolvesNothing) {
  WatchSetup s;
  ASSERT_NO_FATAL_FAILURE(setUp(&s));
  std::vector<std::string> args = baseArgs(s);
  args.insert(args.end(), {"--interval", "1s", "--max-scans", "60", "--metrics-addr", "127.0.0.1:0"});
  WatchProcess watch(args, s.dir + "/stderr");
  auto base = parse(watch.line());
  ASSERT_TRUE(base->ok) << base->text << watchtest::readAll(s.dir + "/stderr");
  ASSERT_EQ(base->result(), "ok");
  // The metrics port from standard error.
  std::smatch m;
  std::string err = watchtest::readAll(s.dir + "/stderr");
  std::regex port_re("\\(port ([0-9]+)\\)");
  ASSERT_TRUE(std::regex_search(err, m, port_re)) << err;
  const std::string metrics_url = "http://127.0.0.1:" + m[1].str() + "/metrics";
  auto metrics = watchtest::request(metrics_url, "", false);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("kspm_cache_synced 1"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("kspm_findings{severity=\"critical\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("kspm_scans_total{result=\"ok\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("kspm_last_successful_scan_timestamp_seconds"), std::string::npos);
  EXPECT_NE(metrics.body.find("kspm_store_queue_length"), std::string::npos);
  EXPECT_EQ(watchtest::request("http://127.0.0.1:" + m[1].str() + "/healthz", "", false).status, 200);

  EXPECT_EQ(control(*s.server, "down?seconds=4"), 200);
  bool skipped = false, resumed = false;
  for (int i = 0; i < 40 && !resumed; ++i) {
    auto l = parse(watch.line());
    ASSERT_TRUE(l->ok) << l->text;
    if (l->result() == "skipped") {
      skipped = true;
      EXPECT_NE(l->text.find("not synced"), std::string::npos) << l->text;
      auto during = watchtest::request(metrics_url, "", false);
      if (during.status == 200 && during.body.find("kspm_cache_synced 0") != std::string::npos) {
        EXPECT_NE(during.body.find("kspm_scans_total{result=\"skipped\"} "), std::string::npos);
      }
    } else if (skipped) {
      resumed = true;
      EXPECT_EQ(l->result(), "ok");
      EXPECT_EQ(l->findings("critical"), base->findings("critical")) << "no finding lost to the outage";
      EXPECT_EQ(l->findings("high"), base->findings("high"));
      EXPECT_EQ(l->doc["objects"].GetUint64(), base->doc["objects"].GetUint64());
      ASSERT_TRUE(l->doc.HasMember("resolved")) << l->text;
      EXPECT_EQ(l->doc["resolved"].GetInt64(), 0) << "an outage resolves nothing: " << l->text;
    } else {
      EXPECT_EQ(l->findings("critical"), base->findings("critical"));
    }
  }
  EXPECT_TRUE(skipped) << "scans during the outage are skipped";
  EXPECT_TRUE(resumed);
  EXPECT_EQ(watch.wait(true), 0);
  EXPECT_EQ(countRequests(s.log, "/api/v1/pods", "limit="), 1) << "watches resumed without a re-list";
}

TEST(WatchCli, StoreOutageQueuesScansAndRecordsThemInOrderWhenItIsBack) {
  WatchSetup s;
  ASSERT_NO_FATAL_FAILURE(setUp(&s));
  // The store's directory is a regular file: the store cannot be created (even as root).
  const std::string store_dir = s.dir + "/store";
  { std::ofstream(store_dir) << "not a directory"; }
  const std::string db = store_dir + "/history.db";
  std::vector<std::string> args = {"--cluster", "--kubeconfig", s.server->kubeconfig(), "--no-config", "--no-progress",
                                   "-o", "json", "--db", db, "--interval", "1s", "--max-scans", "60",
                                   "--queue-max", "3", "--target", "fixture"};
  WatchProcess watch(args, s.dir + "/stderr");
  size_t ok_scans = 0;
  size_t last_queued = 0;
  for (int i = 0; i < 5; ++i) {
    auto l = parse(watch.line());
    ASSERT_TRUE(l->ok) << l->text << watchtest::readAll(s.dir + "/stderr");
    ASSERT_EQ(l->result(), "ok") << l->text;
    ++ok_scans;
    EXPECT_EQ(std::string(l->doc["store"].GetString()), "queued") << l->text;
    EXPECT_TRUE(l->doc.HasMember("storeError")) << l->text;
    EXPECT_FALSE(l->doc.HasMember("new")) << "not recorded: no lifecycle yet";
    last_queued = l->doc["queued"].GetUint64();
    EXPECT_LE(last_queued, 3u) << "--queue-max";
  }
  EXPECT_EQ(last_queued, 3u);
  EXPECT_NE(watchtest::readAll(s.dir + "/stderr").find("the store queue is full"), std::string::npos)
      << "the dropped scans are reported";
  // The store comes back: the three queued scans are recorded, in order, before the current one.
  fs::remove(store_dir);
  fs::create_directory(store_dir);
  std::unique_ptr<Line> back;
  for (int i = 0; i < 5; ++i) {
    back = parse(watch.line());
    ASSERT_TRUE(back->ok) << back->text;
    ++ok_scans;
    if (std::string(back->doc["store"].GetString()) == "recorded") break;
  }
  ASSERT_EQ(std::string(back->doc["store"].GetString()), "recorded") << back->text;
  EXPECT_EQ(back->doc["queued"].GetUint64(), 0u);
  EXPECT_EQ(back->doc["flushed"].GetUint64(), 3u) << back->text;
  EXPECT_EQ(back->doc["new"].GetInt64(), 0) << "the queued scans came first: nothing is new any more";
  EXPECT_EQ(back->doc["resolved"].GetInt64(), 0);
  EXPECT_EQ(watch.wait(true), 0);

  auto store = store::Store::open(db);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto scans = store.value()->listScans("fixture", 0);
  ASSERT_TRUE(scans.ok());
  ASSERT_EQ(scans.value().size(), 4u) << "3 queued + the current one; the 2 oldest were dropped";
  // Newest first; recorded in the order they were taken.
  for (size_t i = 1; i < scans.value().size(); ++i) {
    EXPECT_GT(scans.value()[i - 1].id, scans.value()[i].id);
    EXPECT_GE(scans.value()[i - 1].started_at, scans.value()[i].started_at);
  }
  EXPECT_GT(scans.value().back().new_findings, 0u) << "the oldest recorded scan saw everything first";
  EXPECT_EQ(scans.value().front().new_findings, 0u);
  (void)ok_scans;
}

/** Events in the webhook POSTs received so far, and how many of them carry `needle`. */
size_t webhookEvents(routing_test::RecordingServer& server, const std::string& needle, size_t* matching) {
  size_t events = 0;
  *matching = 0;
  for (const routing_test::Recorded& r : server.requests()) {
    rapidjson::Document body;
    body.Parse(r.body.c_str());
    if (body.HasParseError() || !body.HasMember("events")) continue;
    for (const auto& e : body["events"].GetArray()) {
      ++events;
      rapidjson::StringBuffer text;
      rapidjson::Writer<rapidjson::StringBuffer> writer(text);
      e.Accept(writer);
      if (std::string(text.GetString()).find(needle) != std::string::npos) ++*matching;
    }
  }
  return events;
}

TEST(WatchCli, RecordedScansAreRoutedOnceNewFindingsOnly) {
  WatchSetup s;
  ASSERT_NO_FATAL_FAILURE(setUp(&s));
  routing_test::RecordingServer receiver;
  const std::string routes = s.dir + "/routes.yaml";
  {
    std::ofstream out(routes);
    out << "routes:\n  - name: siem\n    type: webhook\n    url: " << receiver.url() << "/kspm\n";
  }
  std::vector<std::string> args = baseArgs(s);
  args.insert(args.end(), {"--routes", routes, "--max-scans", "1", "--target", "fixture"});
  WatchProcess first(args, s.dir + "/stderr");
  auto l = parse(first.line());
  ASSERT_TRUE(l->ok) << l->text << watchtest::readAll(s.dir + "/stderr");
  EXPECT_EQ(first.wait(false), 0) << watchtest::readAll(s.dir + "/stderr");
  const int64_t recorded_new = l->doc["new"].GetInt64();
  ASSERT_GT(recorded_new, 0);
  size_t privileged = 0;
  EXPECT_EQ(webhookEvents(receiver, "intruder", &privileged), static_cast<size_t>(recorded_new))
      << "every new finding (all at or above low) is delivered: " << l->text;
  EXPECT_EQ(privileged, 0u);
  EXPECT_EQ(std::string(l->doc["routed"].GetString()), "sent " + std::to_string(recorded_new) + ", failed 0");

  // A privileged pod appears; the next run delivers its findings only: nothing is sent twice.
  EXPECT_EQ(control(*s.server, "apply", watchtest::privilegedPod("intruder")), 200);
  WatchProcess second(args, s.dir + "/stderr2");
  auto l2 = parse(second.line());
  ASSERT_TRUE(l2->ok) << l2->text << watchtest::readAll(s.dir + "/stderr2");
  EXPECT_EQ(second.wait(false), 0);
  ASSERT_GT(l2->doc["new"].GetInt64(), 0) << l2->text;
  size_t total = webhookEvents(receiver, "intruder", &privileged);
  EXPECT_EQ(total, static_cast<size_t>(recorded_new + l2->doc["new"].GetInt64()));
  EXPECT_EQ(privileged, static_cast<size_t>(l2->doc["new"].GetInt64())) << "the new events are the pod's";
}

}  // namespace
}  // namespace kspm
