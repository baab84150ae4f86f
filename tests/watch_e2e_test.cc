// End to end: WatchCache over KubeClient::stream against the fixture API server, which changes
// the cluster at runtime (/_fixture/apply, /delete, /expire, /down).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "kspm/cluster_watch.h"
#include "kspm/kube_client.h"
#include "kspm/kubeconfig.h"
#include "test_util.h"
#include "watch_test_util.h"

namespace kspm::cluster {
namespace {

using watchtest::control;
using watchtest::countRequests;
using watchtest::eventually;

struct Live {
  std::string dir;
  std::optional<FixtureServer> server;
  std::string log;
  std::unique_ptr<KubeClient> client;
  std::unique_ptr<WatchCache> cache;
  ~Live() {
    cache.reset();
    client.reset();
    server.reset();
    std::error_code ignored;
    if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
  }
};

void startLive(Live* live) {
  char dir[] = "/tmp/kspm-watch-e2e-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  live->dir = dir;
  live->log = std::string(dir) + "/requests.log";
  std::string error;
  live->server = FixtureServer::start({"--content", testing::sourceDir() + "/tests/testdata/cluster/small.json", "--token",
                                       "watch-token=kspm", "--threads", "128", "--log", live->log},
                                      &error);
  ASSERT_TRUE(live->server) << error;
  KubeconfigOptions ko;
  ko.explicit_path = live->server->kubeconfig();
  Result<ResolvedConfig> config = loadKubeconfig(ko);
  ASSERT_TRUE(config.ok()) << config.error().message;
  ClientOptions co;
  co.max_retries = 1;
  co.backoff_base = std::chrono::milliseconds(10);
  co.qps = 0;
  auto client = KubeClient::create(config.value(), co);
  ASSERT_TRUE(client.ok()) << client.error().message;
  live->client = std::move(client).value();
  KubeClient* api = live->client.get();
  WatchOptions options;
  options.read.context = "token";
  options.backoff_base = std::chrono::milliseconds(100);
  options.backoff_max = std::chrono::milliseconds(500);
  live->cache = std::make_unique<WatchCache>(
      [api](std::string_view path, std::string_view accept) { return api->get(path, accept); },
      [api](std::string_view path, const StreamLineFn& on_line, const StreamOpenFn& on_open,
            const std::atomic<bool>* cancel) {
        StreamOptions so;
        so.cancel = cancel;
        so.idle_timeout = std::chrono::seconds(30);
        return api->stream(path, "application/json", on_line, so, on_open);
      },
      options);
  ASSERT_TRUE(live->cache->start().ok());
  ASSERT_TRUE(live->cache->waitSynced(std::chrono::seconds(60)));
}

bool hasPod(const WatchCache& cache, const std::string& name) {
  CacheSnapshot snap = cache.snapshot();
  return std::any_of(snap.objects.objects().begin(), snap.objects.objects().end(),
                     [&](const Object& o) { return o.kind == "Pod" && o.name == name; });
}

TEST(WatchE2E, ChangesArriveByWatchWithoutAnyRelist) {
  Live live;
  ASSERT_NO_FATAL_FAILURE(startLive(&live));
  const uint64_t before = live.cache->objectCount();
  EXPECT_GT(before, 50u);
  EXPECT_EQ(control(*live.server, "apply", watchtest::privilegedPod("intruder")), 200);
  ASSERT_TRUE(eventually([&] { return hasPod(*live.cache, "intruder"); }));
  EXPECT_EQ(live.cache->objectCount(), before + 1);
  // A change to an existing object is a MODIFIED event.
  std::string modified = watchtest::privilegedPod("intruder");
  modified.replace(modified.find("\"privileged\":true"), 17, "\"privileged\":false");
  EXPECT_EQ(control(*live.server, "apply", modified), 200);
  ASSERT_TRUE(eventually([&] {
    CacheSnapshot snap = live.cache->snapshot();
    for (const Object& o : snap.objects.objects()) {
      if (o.name != "intruder") continue;
      const Node* c = o.root->get("spec")->get("containers")->items().data();
      return c->get("securityContext")->get("privileged")->isBool() && !c->get("securityContext")->get("privileged")->boolean();
    }
    return false;
  }));
  EXPECT_EQ(control(*live.server, "delete", watchtest::privilegedPod("intruder")), 200);
  ASSERT_TRUE(eventually([&] { return !hasPod(*live.cache, "intruder"); }));
  EXPECT_EQ(live.cache->objectCount(), before);
  EXPECT_EQ(live.cache->stats().events, 3u);
  EXPECT_EQ(countRequests(live.log, "/api/v1/pods", "limit="), 1) << "listed once";
  EXPECT_GE(countRequests(live.log, "/api/v1/pods", "watch=1"), 1);
  EXPECT_EQ(live.cache->stats().relists, 0u);
}

TEST(WatchE2E, ExpiredResourceVersionsAreRelisted) {
  Live live;
  ASSERT_NO_FATAL_FAILURE(startLive(&live));
  const uint64_t before = live.cache->objectCount();
  const uint64_t lists = live.cache->stats().lists;
  EXPECT_EQ(control(*live.server, "expire"), 200);
  // Every open watch gets an ERROR 410 event and re-lists.
  ASSERT_TRUE(eventually([&] { return live.cache->stats().relists >= lists; }));
  EXPECT_TRUE(live.cache->waitSynced(std::chrono::seconds(30)));
  EXPECT_EQ(countRequests(live.log, "/api/v1/pods", "limit="), 2);
  EXPECT_EQ(live.cache->objectCount(), before);
  EXPECT_EQ(control(*live.server, "apply", watchtest::privilegedPod("after-expiry")), 200);
  EXPECT_TRUE(eventually([&] { return hasPod(*live.cache, "after-expiry"); }));
}

TEST(WatchE2E, ApiServerOutageKeepsTheCacheAndTheWatchesResume) {
  Live live;
  ASSERT_NO_FATAL_FAILURE(startLive(&live));
  const uint64_t before = live.cache->objectCount();
  EXPECT_EQ(control(*live.server, "down?seconds=3"), 200);
  ASSERT_TRUE(eventually([&] { return !live.cache->synced(); }, 10)) << "the cut watches make the cache unsynced";
  EXPECT_EQ(live.cache->objectCount(), before) << "nothing is dropped during the outage";
  CacheSnapshot during = live.cache->snapshot();
  EXPECT_FALSE(during.synced);
  EXPECT_FALSE(during.unsynced.empty());
  ASSERT_TRUE(live.cache->waitSynced(std::chrono::seconds(60))) << "watches resume once the server is back";
  EXPECT_GT(live.cache->stats().restarts, 0u);
  EXPECT_EQ(control(*live.server, "apply", watchtest::privilegedPod("after-outage")), 200);
  EXPECT_TRUE(eventually([&] { return hasPod(*live.cache, "after-outage"); }));
  EXPECT_EQ(countRequests(live.log, "/api/v1/pods", "limit="), 1) << "resumed from the resourceVersion, not re-listed";
}

TEST(WatchE2E, StreamDeliversLinesAndStopsOnCancel) {
  Live live;
  ASSERT_NO_FATAL_FAILURE(startLive(&live));
  std::atomic<bool> cancel{false};
  std::vector<std::string> lines;
  long opened = 0;
  std::thread canceller([&] {
    eventually([&] { return opened != 0; });
    EXPECT_EQ(control(*live.server, "apply", watchtest::privilegedPod("streamed")), 200);
    eventually([&] { return !lines.empty() && lines.back().find("streamed") != std::string::npos; }, 10);
    cancel = true;
  });
  StreamOptions so;
  so.cancel = &cancel;
  auto r = live.client->stream(
      "/api/v1/namespaces/shop/pods?watch=1&resourceVersion=4242", "application/json",
      [&](std::string_view line) {
        lines.emplace_back(line);
        return true;
      },
      so, [&](long status) { opened = status; });
  canceller.join();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().status, 200);
  EXPECT_TRUE(r.value().cancelled);
  EXPECT_FALSE(r.value().complete);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().rfind(R"({"type":"ADDED","object":{"kind":"Pod")", 0), 0u) << lines.back();

  // A line above the limit is an error, not a partial line.
  so.cancel = nullptr;
  so.max_line_bytes = 64;
  auto big = live.client->stream("/api/v1/namespaces/shop/pods?watch=1&resourceVersion=0", "application/json",
                                 [](std::string_view) { return true; }, so);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kClusterResponse);
  // A refused watch returns its status and body (no stream).
  EXPECT_EQ(control(*live.server, "expire"), 200);
  auto expired = live.client->stream("/api/v1/pods?watch=1&resourceVersion=4242&timeoutSeconds=1", "application/json",
                                     [](std::string_view) { return true; }, StreamOptions{});
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(expired.value().status, 410);
  EXPECT_NE(expired.value().body.find("too old resource version"), std::string::npos);
}

}  // namespace
}  // namespace kspm::cluster
