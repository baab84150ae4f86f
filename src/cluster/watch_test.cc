// WatchCache against a fake API: lists from FakeApi, watch streams scripted per resource.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "cluster/fake_api_test_util.h"
#include "kspm/cluster_watch.h"

namespace kspm::cluster {
namespace {

using testing::FakeApi;
using testing::item;

/**
 * Scripted watch streams. A call for a path (without query) takes the next session queued for it;
 * with none queued it waits (an open watch with no events) until one is queued or it is cancelled.
 */
class FakeStream {
 public:
  enum class End { kNormal, kCut, kHold };
  struct Session {
    long status = 200;
    std::vector<std::string> lines;
    End end = End::kHold;
    bool connection_error = false;
  };

  void push(const std::string& path, Session s) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_[path].push_back(std::move(s));
    cv_.notify_all();
  }
  std::vector<std::string> requests(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const std::string& r : requests_) {
      if (r.substr(0, r.find('?')) == path) out.push_back(r);
    }
    return out;
  }

  ApiStream stream() {
    return [this](std::string_view full, const StreamLineFn& on_line, const StreamOpenFn& on_open,
                  const std::atomic<bool>* cancel) -> Result<StreamResponse> {
      std::string path(full.substr(0, full.find('?')));
      Session s;
      {
        std::unique_lock<std::mutex> lock(mu_);
        requests_.emplace_back(full);
        cv_.notify_all();
        while (sessions_[path].empty()) {
          if (cancel->load()) return cancelled();
          cv_.wait_for(lock, std::chrono::milliseconds(20));
        }
        s = std::move(sessions_[path].front());
        sessions_[path].pop_front();
      }
      if (s.connection_error) return InputError{ErrorCode::kClusterConnection, path, 0, "connection refused"};
      on_open(s.status);
      StreamResponse r;
      r.status = s.status;
      if (s.status != 200) {
        r.body = testing::statusBody(s.status, s.status == 403 ? "Forbidden" : "Expired", "pods is forbidden: User \"x\"");
        return r;
      }
      for (const std::string& line : s.lines) {
        if (!on_line(line)) {
          r.interruption = "stopped";
          return r;
        }
      }
      if (s.end == End::kNormal) {
        r.complete = true;
      } else if (s.end == End::kCut) {
        r.interruption = "cut";
      } else {
        while (!cancel->load()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return cancelled();
      }
      return r;
    };
  }

  /** Waits until `path` was requested `n` times; false after 20 s. */
  bool waitRequests(const std::string& path, size_t n) {
    for (int i = 0; i < 2000; ++i) {
      if (requests(path).size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

 private:
  static StreamResponse cancelled() {
    StreamResponse r;
    r.cancelled = true;
    return r;
  }
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::deque<Session>> sessions_;
  std::vector<std::string> requests_;
};

std::string event(const std::string& type, const std::string& ns, const std::string& name, const std::string& rv,
                  const std::string& extra = "") {
  std::string object = R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":")" + name + R"(","namespace":")" + ns +
                       R"(","resourceVersion":")" + rv + R"(","managedFields":[{"manager":"m"}]})";
  if (!extra.empty()) object += "," + extra;
  object += "}";
  return R"({"type":")" + type + R"(","object":)" + object + "}";
}

std::string bookmark(const std::string& rv) {
  return R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":")" + rv + R"("}}})";
}

std::vector<std::string> pods(const ObjectSet& set) {
  std::vector<std::string> out;
  for (const Object& o : set.objects()) {
    if (o.kind == "Pod") out.push_back(std::string(o.namespace_) + "/" + std::string(o.name));
  }
  return out;
}

/** Polls `condition` for up to 20 s. */
template <typename Fn>
bool eventually(Fn&& condition) {
  for (int i = 0; i < 2000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

WatchOptions fastOptions() {
  WatchOptions o;
  o.read.page_limit = 2;
  o.backoff_base = std::chrono::milliseconds(5);
  o.backoff_max = std::chrono::milliseconds(20);
  return o;
}

struct Fixture {
  FakeApi api;
  FakeStream streams;
  Fixture() {
    api.objects("/api/v1/pods", "PodList", {item("b", "p2"), item("a", "p1"), item("b", "p0")});
    api.objects("/api/v1/namespaces", "NamespaceList", {item("", "a"), item("", "b")});
  }
};

TEST(WatchCache, ListsThenAppliesEventsAndBookmarksInOrder) {
  Fixture f;
  WatchCache cache(f.api.get(), f.streams.stream(), fastOptions());
  ASSERT_TRUE(cache.start().ok());
  ASSERT_TRUE(cache.waitSynced(std::chrono::seconds(20)));
  CacheSnapshot first = cache.snapshot();
  EXPECT_TRUE(first.synced);
  // Sorted by namespace/name whatever the list order; managedFields dropped by normalisation.
  EXPECT_EQ(pods(first.objects), (std::vector<std::string>{"a/p1", "b/p0", "b/p2"}));
  ASSERT_TRUE(f.streams.waitRequests("/api/v1/pods", 1));
  std::string watch = f.streams.requests("/api/v1/pods")[0];
  EXPECT_NE(watch.find("watch=1"), std::string::npos);
  EXPECT_NE(watch.find("resourceVersion=4242"), std::string::npos) << watch;
  EXPECT_NE(watch.find("allowWatchBookmarks=true"), std::string::npos);
  EXPECT_NE(watch.find("timeoutSeconds=300"), std::string::npos);

  f.streams.push("/api/v1/pods",
                 {200,
                  {event("ADDED", "a", "p9", "5000", R"("spec":{"containers":[{"name":"c","image":"x","securityContext":{"privileged":true}}]})"),
                   event("MODIFIED", "a", "p1", "5001", R"("spec":{"hostNetwork":true})"), event("DELETED", "b", "p2", "5002"),
                   bookmark("5010")},
                  FakeStream::End::kNormal});
  // The normal end is renewed from the bookmark's resourceVersion, without a list.
  ASSERT_TRUE(f.streams.waitRequests("/api/v1/pods", 2));
  EXPECT_NE(f.streams.requests("/api/v1/pods")[1].find("resourceVersion=5010"), std::string::npos)
      << f.streams.requests("/api/v1/pods")[1];
  EXPECT_EQ(f.api.count("/api/v1/pods"), 2) << "two pages of 2, once";
  CacheSnapshot after = cache.snapshot();
  EXPECT_TRUE(after.synced);
  EXPECT_EQ(pods(after.objects), (std::vector<std::string>{"a/p1", "a/p9", "b/p0"}));
  for (const Object& o : after.objects.objects()) {
    if (o.name == "p1") {
      ASSERT_NE(o.root->get("spec"), nullptr);
      EXPECT_TRUE(o.root->get("spec")->get("hostNetwork")->boolean());
      EXPECT_EQ(o.root->get("metadata")->get("managedFields"), nullptr);
    }
  }
  WatchStats stats = cache.stats();
  EXPECT_EQ(stats.events, 3u);
  EXPECT_EQ(stats.bookmarks, 1u);
  EXPECT_EQ(stats.relists, 0u);
  EXPECT_EQ(cache.objectCount(), 3u + 2u);
}

TEST(WatchCache, RelistsOnGoneErrorEventAndOnHttp410) {
  Fixture f;
  WatchCache cache(f.api.get(), f.streams.stream(), fastOptions());
  ASSERT_TRUE(cache.start().ok());
  ASSERT_TRUE(cache.waitSynced(std::chrono::seconds(20)));
  ASSERT_TRUE(f.streams.waitRequests("/api/v1/pods", 1));
  const int lists_before = f.api.count("/api/v1/pods");
  f.streams.push("/api/v1/pods",
                 {200,
                  {R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version","reason":"Expired","code":410}})"},
                  FakeStream::End::kHold});
  ASSERT_TRUE(f.streams.waitRequests("/api/v1/pods", 2));
  EXPECT_EQ(f.api.count("/api/v1/pods"), lists_before + 2) << "re-listed (2 pages) before watching again";
  f.streams.push("/api/v1/pods", {410, {}, FakeStream::End::kNormal});
  ASSERT_TRUE(f.streams.waitRequests("/api/v1/pods", 3));
  EXPECT_EQ(f.api.count("/api/v1/pods"), lists_before + 4);
  EXPECT_TRUE(eventually([&] { return cache.stats().relists == 2; }));
  EXPECT_TRUE(cache.waitSynced(std::chrono::seconds(20)));
  EXPECT_EQ(pods(cache.snapshot().objects), (std::vector<std::string>{"a/p1", "b/p0", "b/p2"}));
}

TEST(WatchCache, ConnectionLossKeepsTheCacheUnsyncedThenResumesWithoutAList) {
  Fixture f;
  WatchCache cache(f.api.get(), f.streams.stream(), fastOptions());
  ASSERT_TRUE(cache.start().ok());
  ASSERT_TRUE(cache.waitSynced(std::chrono::seconds(20)));
  ASSERT_TRUE(f.streams.waitRequests("/api/v1/pods", 1));
  const int lists_before = f.api.count("/api/v1/pods");
  // The stream is cut; the retries are refused; nothing answers until a session is queued again.
  f.streams.push("/api/v1/pods", {200, {bookmark("4300")}, FakeStream::End::kCut});
  f.streams.push("/api/v1/pods", {200, {}, FakeStream::End::kHold, true});
  ASSERT_TRUE(f.streams.waitRequests("/api/v1/pods", 3));
  EXPECT_FALSE(cache.synced());
  CacheSnapshot during = cache.snapshot();
  EXPECT_FALSE(during.synced);
  EXPECT_EQ(during.unsynced, (std::vector<std::string>{"pods"}));
  EXPECT_EQ(pods(during.objects), (std::vector<std::string>{"a/p1", "b/p0", "b/p2"})) << "objects kept";
  f.streams.push("/api/v1/pods", {200, {}, FakeStream::End::kHold});
  EXPECT_TRUE(cache.waitSynced(std::chrono::seconds(20)));
  EXPECT_NE(f.streams.requests("/api/v1/pods")[2].find("resourceVersion=4300"), std::string::npos);
  EXPECT_EQ(f.api.count("/api/v1/pods"), lists_before) << "no re-list after a connection loss";
  EXPECT_GE(cache.stats().restarts, 2u);
}

TEST(WatchCache, ForbiddenListOrWatchMakesTheResourceUnreadable) {
  Fixture f;
  f.api.fault({"/apis/apps/v1/deployments", 403, -1, false, "deployments.apps is forbidden: User x cannot list"});
  WatchOptions options = fastOptions();
  options.backoff_max = std::chrono::hours(1);  // an unreadable resource stays so for the test
  WatchCache cache(f.api.get(), f.streams.stream(), options);
  ASSERT_TRUE(cache.start().ok());
  ASSERT_TRUE(cache.waitSynced(std::chrono::seconds(20))) << "unreadable counts as synced";
  CacheSnapshot snap = cache.snapshot();
  ASSERT_EQ(snap.unreadable.size(), 1u);
  EXPECT_EQ(snap.unreadable[0].resource, "deployments");
  EXPECT_NE(snap.unreadable[0].reason.find("forbidden"), std::string::npos) << snap.unreadable[0].reason;
  EXPECT_EQ(f.streams.requests("/apis/apps/v1/deployments").size(), 0u) << "no watch without a list";

  // Pods become forbidden for the watch: dropped and unreadable.
  ASSERT_TRUE(f.streams.waitRequests("/api/v1/pods", 1));
  f.streams.push("/api/v1/pods", {403, {}, FakeStream::End::kNormal});
  EXPECT_TRUE(eventually([&] { return cache.snapshot().unreadable.size() == 2; }));
  CacheSnapshot later = cache.snapshot();
  EXPECT_TRUE(pods(later.objects).empty());
  EXPECT_TRUE(later.synced);
  EXPECT_EQ(later.not_listed.size(), 1u);  // Secrets without include_secrets
}

TEST(WatchCache, BadEventsAndOversizedObjectsLeadToARelistNotACrash) {
  Fixture f;
  WatchOptions options = fastOptions();
  options.read.limits.max_document_bytes = 2000;
  WatchCache cache(f.api.get(), f.streams.stream(), options);
  ASSERT_TRUE(cache.start().ok());
  ASSERT_TRUE(cache.waitSynced(std::chrono::seconds(20)));
  ASSERT_TRUE(f.streams.waitRequests("/api/v1/pods", 1));
  const int lists_before = f.api.count("/api/v1/pods");
  f.streams.push("/api/v1/pods", {200, {"not json"}, FakeStream::End::kHold});
  ASSERT_TRUE(f.streams.waitRequests("/api/v1/pods", 2));
  f.streams.push("/api/v1/pods",
                 {200, {event("ADDED", "a", "big", "6000", R"("spec":{"x":")" + std::string(5000, 'a') + R"("})")},
                  FakeStream::End::kHold});
  ASSERT_TRUE(f.streams.waitRequests("/api/v1/pods", 3));
  EXPECT_EQ(f.api.count("/api/v1/pods"), lists_before + 4) << "each bad stream is followed by a list";
  EXPECT_GE(cache.stats().errors, 2u);
  EXPECT_EQ(pods(cache.snapshot().objects), (std::vector<std::string>{"a/p1", "b/p0", "b/p2"}));
}

TEST(WatchCache, SnapshotsAreIdenticalForIdenticalCachesAndNamedLikeClusterReads) {
  Fixture f;
  WatchOptions options = fastOptions();
  options.read.context = "prod";
  options.read.namespaces = {"b"};
  WatchCache cache(f.api.get(), f.streams.stream(), options);
  ASSERT_TRUE(cache.start().ok());
  ASSERT_TRUE(cache.waitSynced(std::chrono::seconds(20)));
  CacheSnapshot one = cache.snapshot(1);
  CacheSnapshot two = cache.snapshot(4);
  EXPECT_EQ(pods(one.objects), (std::vector<std::string>{"b/p0", "b/p2"}));
  ASSERT_EQ(one.objects.files().size(), two.objects.files().size());
  for (size_t i = 0; i < one.objects.files().size(); ++i) {
    EXPECT_EQ(one.objects.files()[i]->content, two.objects.files()[i]->content);
  }
  bool found = false;
  for (const auto& file : one.objects.files()) found = found || file->path == "prod:/api/v1/namespaces/b/pods";
  EXPECT_TRUE(found);
  EXPECT_EQ(one.info.context, "prod");
}

}  // namespace
}  // namespace kspm::cluster
