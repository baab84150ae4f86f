// API discovery: which resources the server offers, at each group's preferred version.
// Aggregated discovery (apidiscovery.k8s.io v2/v2beta1 APIGroupDiscoveryList on /api and /apis)
// when the server offers it, else the legacy documents (APIVersions, APIGroupList, APIResourceList).
#include <rapidjson/document.h>

#include <algorithm>
#include <string>

#include "cluster/read_internal.h"
#include "kspm/cluster_read.h"

namespace kspm::cluster {
namespace {

using Value = rapidjson::Value;

std::string_view str(const Value& object, const char* key) {
  if (!object.IsObject()) return {};
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

const Value* member(const Value& object, const char* key) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(key);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::vector<std::string> verbsOf(const Value& resource) {
  std::vector<std::string> verbs;
  const Value* v = member(resource, "verbs");
  if (v != nullptr && v->IsArray()) {
    for (const Value& verb : v->GetArray()) {
      if (verb.IsString()) verbs.emplace_back(verb.GetString(), verb.GetStringLength());
    }
  }
  return verbs;
}

bool listable(const ApiResource& r) {
  return r.resource.find('/') == std::string::npos && !r.kind.empty() &&
         std::find(r.verbs.begin(), r.verbs.end(), "list") != r.verbs.end();
}

struct Fetcher {
  const ApiGet& get;
  Discovery* out;

  Result<HttpResponse> fetch(std::string_view path, std::string_view accept) {
    ++out->requests;
    Result<HttpResponse> r = get(path, accept);
    if (r.ok()) out->bytes += r.value().body.size();
    return r;
  }
};

// A document fetched with status 200 and parsed, or an error for people.
struct Fetched {
  rapidjson::Document doc;
  std::string content_type;
};

Result<Fetched> fetchJson(Fetcher& f, std::string_view path, std::string_view accept) {
  Result<HttpResponse> r = f.fetch(path, accept);
  if (!r.ok()) return r.error();
  const HttpResponse& response = r.value();
  if (response.status != 200) return responseError(std::string(path), response);
  Fetched fetched;
  fetched.content_type = response.content_type;
  fetched.doc.Parse(response.body.data(), response.body.size());
  if (fetched.doc.HasParseError() || !fetched.doc.IsObject()) {
    return InputError{ErrorCode::kClusterResponse, std::string(path), 0, "the response is not a JSON object"};
  }
  return fetched;
}

bool isAggregated(const Fetched& f) {
  return str(f.doc, "kind") == "APIGroupDiscoveryList" ||
         f.content_type.find("as=APIGroupDiscoveryList") != std::string::npos;
}

// Adds the preferred version's resources of every group of an APIGroupDiscoveryList.
void addAggregated(const Value& list, Discovery* out) {
  const Value* items = member(list, "items");
  if (items == nullptr || !items->IsArray()) return;
  for (const Value& group : items->GetArray()) {
    const Value* metadata = member(group, "metadata");
    std::string name = metadata != nullptr ? std::string(str(*metadata, "name")) : std::string();
    const Value* versions = member(group, "versions");
    if (versions == nullptr || !versions->IsArray() || versions->Empty()) continue;
    const Value& preferred = (*versions)[0];
    std::string version(str(preferred, "version"));
    if (str(preferred, "freshness") == "Stale") {
      out->failed_groups.push_back(
          {name, "aggregated discovery for " + (name.empty() ? version : name + "/" + version) +
                     " is stale: the server that serves it did not answer"});
      continue;
    }
    const Value* resources = member(preferred, "resources");
    if (resources == nullptr || !resources->IsArray()) continue;
    for (const Value& res : resources->GetArray()) {
      ApiResource r;
      r.group = name;
      r.version = version;
      r.resource = std::string(str(res, "resource"));
      const Value* response_kind = member(res, "responseKind");
      if (response_kind != nullptr) r.kind = std::string(str(*response_kind, "kind"));
      r.namespaced = str(res, "scope") == "Namespaced";
      r.verbs = verbsOf(res);
      if (listable(r)) out->resources.push_back(std::move(r));
    }
  }
}

// Adds the resources of an APIResourceList for group/version.
void addResourceList(const Value& list, const std::string& group, const std::string& version, Discovery* out) {
  const Value* resources = member(list, "resources");
  if (resources == nullptr || !resources->IsArray()) return;
  for (const Value& res : resources->GetArray()) {
    ApiResource r;
    r.group = group;
    r.version = version;
    r.resource = std::string(str(res, "name"));
    r.kind = std::string(str(res, "kind"));
    const Value* ns = member(res, "namespaced");
    r.namespaced = ns != nullptr && ns->IsBool() && ns->GetBool();
    r.verbs = verbsOf(res);
    if (listable(r)) out->resources.push_back(std::move(r));
  }
}

}  // namespace

std::string ApiResource::apiVersion() const { return group.empty() ? version : group + "/" + version; }

std::string ApiResource::listPath(std::string_view ns) const {
  std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) {
    path += "/namespaces/";
    path += ns;
  }
  path += "/";
  path += resource;
  return path;
}

const ApiResource* Discovery::find(std::string_view group, std::string_view kind) const {
  for (const ApiResource& r : resources) {
    if (r.group == group && r.kind == kind) return &r;
  }
  return nullptr;
}

const FailedGroup* Discovery::failedGroup(std::string_view group) const {
  for (const FailedGroup& g : failed_groups) {
    if (g.group == group) return &g;
  }
  return nullptr;
}

Result<Discovery> discover(const ApiGet& get) {
  Discovery out;
  Fetcher f{get, &out};

  Result<Fetched> version = fetchJson(f, "/version", "application/json");
  if (!version.ok()) return version.error();
  out.server_version = std::string(str(version.value().doc, "gitVersion"));

  Result<Fetched> core = fetchJson(f, "/api", kAggregatedDiscoveryAccept);
  if (!core.ok()) return core.error();
  bool core_aggregated = isAggregated(core.value());
  if (core_aggregated) {
    addAggregated(core.value().doc, &out);
  } else {
    Result<Fetched> v1 = fetchJson(f, "/api/v1", "application/json");
    if (!v1.ok()) return v1.error();
    addResourceList(v1.value().doc, "", "v1", &out);
  }

  Result<Fetched> groups = fetchJson(f, "/apis", kAggregatedDiscoveryAccept);
  if (!groups.ok()) return groups.error();
  bool groups_aggregated = isAggregated(groups.value());
  if (groups_aggregated) {
    addAggregated(groups.value().doc, &out);
  } else {
    const Value* list = member(groups.value().doc, "groups");
    if (list != nullptr && list->IsArray()) {
      for (const Value& group : list->GetArray()) {
        std::string name(str(group, "name"));
        const Value* preferred = member(group, "preferredVersion");
        std::string version = preferred != nullptr ? std::string(str(*preferred, "version")) : std::string();
        if (version.empty()) {
          const Value* versions = member(group, "versions");
          if (versions != nullptr && versions->IsArray() && !versions->Empty()) {
            version = std::string(str((*versions)[0], "version"));
          }
        }
        if (name.empty() || version.empty()) continue;
        std::string path = "/apis/" + name + "/" + version;
        Result<Fetched> resources = fetchJson(f, path, "application/json");
        if (!resources.ok()) {
          out.failed_groups.push_back({name, "discovery for " + name + "/" + version + " failed: " +
                                                 resources.error().message});
          continue;
        }
        addResourceList(resources.value().doc, name, version, &out);
      }
    }
  }
  out.aggregated = core_aggregated && groups_aggregated;
  return out;
}

}  // namespace kspm::cluster
