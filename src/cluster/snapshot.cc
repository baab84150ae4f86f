// Snapshots: the normalised pages spliced into one List, with the read's coverage in an annotation.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <functional>
#include <set>
#include <string>

#include "kspm/cluster_read.h"

namespace kspm::cluster {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// What normalizeListPage writes around a page's items.
constexpr std::string_view kPageHead = R"({"apiVersion":"v1","kind":"List","items":[)";
constexpr std::string_view kPageTail = "]}";
constexpr std::string_view kSnapshotHead =
    R"({"apiVersion":"v1","kind":"List","metadata":{"annotations":{"snapshot.kspm.dev/info":)";

void writeString(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void writeResources(Writer& w, const char* key, const std::vector<UnreadableResource>& list) {
  w.Key(key);
  w.StartArray();
  for (const UnreadableResource& r : list) {
    w.StartObject();
    w.Key("group");
    writeString(w, r.group);
    w.Key("resource");
    writeString(w, r.resource);
    w.Key("kind");
    writeString(w, r.kind);
    w.Key("namespace");
    writeString(w, r.namespace_);
    w.Key("reason");
    writeString(w, r.reason);
    w.EndObject();
  }
  w.EndArray();
}

std::string infoJson(const ClusterRead& read) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  if (!read.info.cluster_id.empty()) {
    w.Key("clusterId");
    writeString(w, read.info.cluster_id);
  }
  w.Key("context");
  writeString(w, read.info.context);
  w.Key("server");
  writeString(w, read.info.server);
  w.Key("serverVersion");
  writeString(w, read.info.server_version);
  w.Key("takenAt");
  writeString(w, read.info.taken_at);
  w.Key("namespaces");
  w.StartArray();
  for (const std::string& ns : read.info.namespaces) writeString(w, ns);
  w.EndArray();
  w.Key("aggregatedDiscovery");
  w.Bool(read.info.aggregated_discovery);
  writeResources(w, "unreadable", read.unreadable);
  writeResources(w, "notListed", read.not_listed);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool writeAll(const ClusterRead& read, const std::function<bool(std::string_view)>& sink) {
  rapidjson::StringBuffer quoted;
  Writer w(quoted);
  std::string info = infoJson(read);
  writeString(w, info);
  // A stream of JSON values: the first List carries the annotation and no items, then each page as
  // normalised (a List; a configz KubeletConfiguration is an object of its own), so that each document stays within the loader's per-document size limit
  // however big the cluster (a 100k-object snapshot is hundreds of MB; a page is a few MB).
  if (!sink(kSnapshotHead) || !sink(std::string_view(quoted.GetString(), quoted.GetSize())) ||
      !sink(R"(}},"items":[]})") || !sink("\n")) {
    return false;
  }
  for (const auto& file : read.objects.files()) {
    std::string_view content = file->content;
    if (content.starts_with(kPageHead) && content.ends_with(kPageTail) &&
        content.size() == kPageHead.size() + kPageTail.size()) {
      continue;  // an empty page
    }
    if (!sink(content) || !sink("\n")) return false;
  }
  return true;
}

std::string_view str(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return {};
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) return {};
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

std::vector<UnreadableResource> readResources(const rapidjson::Value& info, const char* key) {
  std::vector<UnreadableResource> out;
  auto it = info.FindMember(key);
  if (it == info.MemberEnd() || !it->value.IsArray()) return out;
  for (const rapidjson::Value& r : it->value.GetArray()) {
    out.push_back(UnreadableResource{std::string(str(r, "group")), std::string(str(r, "resource")),
                                     std::string(str(r, "kind")), std::string(str(r, "namespace")),
                                     std::string(str(r, "reason"))});
  }
  return out;
}

std::optional<SnapshotCoverage> parseInfo(std::string_view json, const std::string& file) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  SnapshotCoverage c;
  c.file = file;
  c.info.cluster_id = std::string(str(doc, "clusterId"));
  c.info.context = std::string(str(doc, "context"));
  c.info.server = std::string(str(doc, "server"));
  c.info.server_version = std::string(str(doc, "serverVersion"));
  c.info.taken_at = std::string(str(doc, "takenAt"));
  auto ns = doc.FindMember("namespaces");
  if (ns != doc.MemberEnd() && ns->value.IsArray()) {
    for (const rapidjson::Value& n : ns->value.GetArray()) {
      if (n.IsString()) c.info.namespaces.emplace_back(n.GetString(), n.GetStringLength());
    }
  }
  auto agg = doc.FindMember("aggregatedDiscovery");
  c.info.aggregated_discovery = agg != doc.MemberEnd() && agg->value.IsBool() && agg->value.GetBool();
  c.unreadable = readResources(doc, "unreadable");
  c.not_listed = readResources(doc, "notListed");
  return c;
}

}  // namespace

void writeSnapshot(const ClusterRead& read, std::string* out) {
  out->clear();
  writeAll(read, [&](std::string_view s) {
    out->append(s);
    return true;
  });
}

bool writeSnapshot(const ClusterRead& read, FILE* out) {
  bool ok = writeAll(read, [&](std::string_view s) { return std::fwrite(s.data(), 1, s.size(), out) == s.size(); });
  return ok && std::fflush(out) == 0;
}

std::optional<SnapshotCoverage> snapshotCoverage(const ObjectSet& objects) {
  // Through the List document of any expanded item (works however the file was reformatted).
  std::set<const Document*> seen;
  for (const Object& o : objects.objects()) {
    if (o.list_index < 0 || !seen.insert(o.document).second) continue;
    const Node* root = o.document->root();
    if (root == nullptr || !root->isObject() || !root->get("kind") || !root->get("kind")->is("List")) continue;
    const Node* info = root->find({"metadata", "annotations", kSnapshotInfoAnnotation});
    if (info == nullptr || !info->isString()) continue;
    if (auto c = parseInfo(info->str(), objects.pathOf(o))) return c;
  }
  // A snapshot with no items has no objects: read the annotation from the head of the file.
  for (const auto& file : objects.files()) {
    std::string_view content = file->content;
    if (!content.starts_with(kSnapshotHead)) continue;
    rapidjson::Document value;
    value.Parse<rapidjson::kParseStopWhenDoneFlag>(content.data() + kSnapshotHead.size(),
                                                   content.size() - kSnapshotHead.size());
    if (value.HasParseError() || !value.IsString()) continue;
    if (auto c = parseInfo(std::string_view(value.GetString(), value.GetStringLength()), file->path)) return c;
  }
  return std::nullopt;
}

}  // namespace kspm::cluster
