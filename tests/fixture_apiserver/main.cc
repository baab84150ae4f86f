// kspm_fixture_apiserver: a test fixture that speaks the Kubernetes API protocol as kube-apiserver 1.30 does
// (TLS, bearer tokens, client certificates, discovery, paginated lists, injected faults). Command line contract:
//
//   kspm_fixture_apiserver --tls-dir DIR --content FILE [--content FILE ...] [--port N]
//       [--token TOKEN[=USER[:GROUP,GROUP]]]...  [--fault PATH_REGEX=STATUS[xCOUNT]]...
//       [--delay PATH_REGEX=MILLIS]... [--configz NODE=FILE]... [--log FILE] [--no-aggregated-discovery]
//       [--threads N] [--bookmark-seconds N]
//
// Watches: a list or watch request with watch=1 is served as kube-apiserver serves it: a chunked
// stream of JSON event lines ({"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}) from
// resourceVersion=RV (every current object as ADDED first when RV is "" or "0"), bookmarks every
// --bookmark-seconds (default 1) when allowWatchBookmarks is set, ended after timeoutSeconds. Every
// change bumps the server's resourceVersion (lists report it). Each open watch holds one of the
// --threads workers: give more threads than the watches a client opens (kspm watch opens ~40).
//
// Test control (no authentication; a test fixture):
//   POST /_fixture/apply     body: an object (apiVersion, kind, metadata.name): create or replace it
//   POST /_fixture/delete    body: {apiVersion, kind, metadata: {name, namespace}}
//   POST /_fixture/expire    compacts history: open watches get an ERROR 410 event, and a watch from an
//                            older resourceVersion gets HTTP 410 (the client must re-list)
//   POST /_fixture/down?seconds=N  closes the listening socket for N seconds (connections refused; open
//                            streams are cut), then listens again on the same port
//
// Prints "LISTENING <port>" on stdout once it accepts connections; exits 0 on SIGTERM/SIGINT, 2 on bad usage.
#include <dlfcn.h>
#include <httplib.h>
#include <malloc.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <string_view>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "catalog.h"
#include "tls.h"

namespace kspm_fixture {
namespace {

constexpr size_t kGzipThreshold = 128 * 1024;
constexpr const char* kResourceVersion = "4242";

struct TokenIdentity {
  std::string token;
  std::string user;
  std::vector<std::string> groups;
};

struct Fault {
  std::string pattern;
  std::regex regex;
  int status = 0;
  long remaining = -1;  // -1: every matching request
};

struct Delay {
  std::regex regex;
  int millis = 0;
};

struct Options {
  std::string tlsDir;
  std::vector<std::string> contentFiles;
  int port = 0;
  std::vector<TokenIdentity> tokens;
  std::vector<Fault> faults;
  std::vector<Delay> delays;
  std::map<std::string, std::string> configzFiles;  // node -> file
  std::string logFile;
  bool aggregatedDiscovery = true;
  int threads = 8;
  int bookmarkSeconds = 1;
};

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream stream(text);
  while (std::getline(stream, part, separator)) parts.push_back(part);
  return parts;
}

bool parseInt(const std::string& text, long& value) {
  if (text.empty() || text.size() > 9) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  value = std::stol(text);
  return true;
}

// Splits "LEFT=RIGHT" at the LAST '=' (a path regex may itself contain '=').
bool splitLastEquals(const std::string& spec, std::string& left, std::string& right) {
  const size_t equals = spec.rfind('=');
  if (equals == std::string::npos || equals == 0) return false;
  left = spec.substr(0, equals);
  right = spec.substr(equals + 1);
  return true;
}

std::optional<std::regex> compileRegex(const std::string& pattern, std::string& error) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    error = "bad regex '" + pattern + "': " + e.what();
    return std::nullopt;
  }
}

const char* const kUsage =
    "usage: kspm_fixture_apiserver --tls-dir DIR --content FILE [--content FILE ...] [--port N]\n"
    "    [--token TOKEN[=USER[:GROUP,GROUP]]]...  [--fault PATH_REGEX=STATUS[xCOUNT]]...\n"
    "    [--delay PATH_REGEX=MILLIS]... [--configz NODE=FILE]... [--log FILE] [--no-aggregated-discovery]\n"
    "    [--threads N] [--bookmark-seconds N]\n"
    "A token without a user authenticates as \"token-user\". Fault statuses: 401 403 404 410 429 500 503.\n";

std::string parseOptions(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") return "help";
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string text;
    if (flag == "--no-aggregated-discovery") {
      options.aggregatedDiscovery = false;
      continue;
    }
    if (!value(text)) return flag + " needs a value (or is unknown)";
    if (flag == "--tls-dir") {
      options.tlsDir = text;
    } else if (flag == "--content") {
      options.contentFiles.push_back(text);
    } else if (flag == "--port") {
      long port = 0;
      if (!parseInt(text, port) || port > 65535) return "bad --port " + text;
      options.port = static_cast<int>(port);
    } else if (flag == "--threads") {
      long threads = 0;
      if (!parseInt(text, threads) || threads < 1 || threads > 256) return "bad --threads " + text;
      options.threads = static_cast<int>(threads);
    } else if (flag == "--bookmark-seconds") {
      long seconds = 0;
      if (!parseInt(text, seconds) || seconds < 1 || seconds > 3600) return "bad --bookmark-seconds " + text;
      options.bookmarkSeconds = static_cast<int>(seconds);
    } else if (flag == "--token") {
      TokenIdentity identity;
      const size_t equals = text.find('=');
      identity.token = text.substr(0, equals);
      identity.user = "token-user";
      if (equals != std::string::npos) {
        const std::string who = text.substr(equals + 1);
        const size_t colon = who.find(':');
        identity.user = who.substr(0, colon);
        if (colon != std::string::npos) identity.groups = split(who.substr(colon + 1), ',');
      }
      if (identity.token.empty() || identity.user.empty()) return "bad --token";
      options.tokens.push_back(identity);
    } else if (flag == "--fault") {
      Fault fault;
      std::string statusSpec;
      if (!splitLastEquals(text, fault.pattern, statusSpec)) return "bad --fault " + text;
      const size_t times = statusSpec.find('x');
      long status = 0;
      if (!parseInt(statusSpec.substr(0, times), status)) return "bad --fault status in " + text;
      static const std::vector<int> kStatuses = {401, 403, 404, 410, 429, 500, 503};
      if (std::find(kStatuses.begin(), kStatuses.end(), status) == kStatuses.end())
        return "unsupported --fault status in " + text;
      fault.status = static_cast<int>(status);
      if (times != std::string::npos && !parseInt(statusSpec.substr(times + 1), fault.remaining))
        return "bad --fault count in " + text;
      std::string error;
      auto regex = compileRegex(fault.pattern, error);
      if (!regex) return error;
      fault.regex = *regex;
      options.faults.push_back(fault);
    } else if (flag == "--delay") {
      std::string pattern, millisText;
      long millis = 0;
      if (!splitLastEquals(text, pattern, millisText) || !parseInt(millisText, millis)) return "bad --delay " + text;
      std::string error;
      auto regex = compileRegex(pattern, error);
      if (!regex) return error;
      options.delays.push_back({*regex, static_cast<int>(millis)});
    } else if (flag == "--configz") {
      const size_t equals = text.find('=');
      if (equals == std::string::npos || equals == 0) return "bad --configz " + text;
      options.configzFiles[text.substr(0, equals)] = text.substr(equals + 1);
    } else if (flag == "--log") {
      options.logFile = text;
    } else {
      return "unknown flag " + flag;
    }
  }
  if (options.tlsDir.empty()) return "--tls-dir is required";
  if (options.contentFiles.empty()) return "--content is required";
  return "";
}

bool readFile(const std::string& path, std::string& contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  contents = buffer.str();
  return true;
}

std::string jsonString(const std::string& text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  return buffer.GetString();
}

std::string jsonStringArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += jsonString(values[i]);
  }
  return out + "]";
}

template <typename Value>
std::string serialize(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Continue tokens are base64url without padding, as kube-apiserver writes them (safe in a query string).
std::string base64UrlEncode(const std::string& data) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = buffer << 8 | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63];
  return out;
}

// Accepts base64url or standard base64, padded or not; nullopt on anything else.
std::optional<std::string> base64Decode(std::string text) {
  if (text.size() > 4096) return std::nullopt;
  while (!text.empty() && text.back() == '=') text.pop_back();
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    else if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
    else if (c >= '0' && c <= '9') value = c - '0' + 52;
    else if (c == '-' || c == '+') value = 62;
    else if (c == '_' || c == '/') value = 63;
    else return std::nullopt;
    buffer = (buffer << 6 | static_cast<unsigned>(value)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 255);
    }
  }
  if (bits >= 6) return std::nullopt;  // a dangling sextet is not base64
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The content: every object serialised once, without apiVersion/kind, sorted by namespace/name.

struct StoredObject {
  std::string key;  // "namespace/name" or "name": etcd order
  std::string ns;
  std::string name;
  std::string json;  // without apiVersion and kind, as list items are served
};

struct ServedResource {
  ResourceType type;
  std::vector<StoredObject> objects;
};

class Store {
 public:
  std::vector<ServedResource> resources;
  std::vector<std::string> groupOrder;

  ServedResource* find(const std::string& group, const std::string& version, const std::string& plural) {
    for (auto& resource : resources)
      if (resource.type.group == group && resource.type.version == version && resource.type.plural == plural)
        return &resource;
    return nullptr;
  }
  ServedResource* findKind(const std::string& group, const std::string& kind) {
    for (auto& resource : resources)
      if (resource.type.group == group && resource.type.kind == kind) return &resource;
    return nullptr;
  }
  std::vector<std::string> versionsOf(const std::string& group) const {
    std::vector<std::string> versions;
    for (const auto& resource : resources)
      if (resource.type.group == group &&
          std::find(versions.begin(), versions.end(), resource.type.version) == versions.end())
        versions.push_back(resource.type.version);
    return versions;
  }

  std::string addCustomResourceDefinition(const rapidjson::Value& crd) {
    const auto* spec = member(crd, "spec");
    const auto* names = spec ? member(*spec, "names") : nullptr;
    const auto* versions = spec ? member(*spec, "versions") : nullptr;
    if (!names || !versions || !versions->IsArray()) return "CustomResourceDefinition without spec.names/versions";
    ResourceType type;
    type.group = text(*spec, "group");
    type.kind = text(*names, "kind");
    type.plural = text(*names, "plural");
    type.singular = text(*names, "singular");
    if (type.singular.empty()) {
      type.singular = type.kind;
      std::transform(type.singular.begin(), type.singular.end(), type.singular.begin(), ::tolower);
    }
    type.namespaced = text(*spec, "scope") != "Cluster";
    type.verbs = {"delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"};
    for (const char* field : {"shortNames", "categories"}) {
      if (const auto* list = member(*names, field); list && list->IsArray())
        for (const auto& entry : list->GetArray())
          if (entry.IsString())
            (std::string(field) == "shortNames" ? type.shortNames : type.categories).push_back(entry.GetString());
    }
    for (const auto& version : versions->GetArray()) {
      const auto* served = member(version, "served");
      const auto* storage = member(version, "storage");
      if (served && served->IsTrue() && storage && storage->IsTrue()) {
        type.version = text(version, "name");
        if (const auto* subresources = member(version, "subresources"); subresources && subresources->IsObject()) {
          if (member(*subresources, "scale")) type.subresources.push_back(
              {"scale", "autoscaling", "v1", "Scale", {"get", "patch", "update"}});
          if (member(*subresources, "status")) type.subresources.push_back(
              {"status", type.group, type.version, type.kind, {"get", "patch", "update"}});
        }
      }
    }
    if (type.group.empty() || type.kind.empty() || type.plural.empty() || type.version.empty())
      return "CustomResourceDefinition without group, kind, plural or a served storage version";
    if (findKind(type.group, type.kind)) return "";
    resources.push_back({type, {}});
    if (std::find(groupOrder.begin(), groupOrder.end(), type.group) == groupOrder.end())
      groupOrder.push_back(type.group);
    return "";
  }

  static const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
    if (!object.IsObject()) return nullptr;
    auto found = object.FindMember(name);
    return found == object.MemberEnd() ? nullptr : &found->value;
  }
  static std::string text(const rapidjson::Value& object, const char* name) {
    const auto* value = member(object, name);
    return value && value->IsString() ? std::string(value->GetString(), value->GetStringLength()) : "";
  }
};

// Calls visit(text, length) for each object in the top-level "items" array of a JSON List, without building a
// DOM of the whole file (a 100k-object content file would need several times its size). Returns an error
// message, or "".
std::string forEachItem(const std::string& text, const std::function<std::string(const char*, size_t)>& visit) {
  int depth = 0;
  bool keyIsItems = false, inItems = false, sawItems = false;
  size_t itemStart = std::string::npos;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      const size_t start = i + 1;
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      if (i >= text.size()) return "unterminated string";
      if (depth == 1) {
        size_t next = i + 1;
        while (next < text.size() && std::isspace(static_cast<unsigned char>(text[next]))) ++next;
        if (next < text.size() && text[next] == ':') keyIsItems = text.compare(start, i - start, "items") == 0;
      }
    } else if (c == '{' || c == '[') {
      if (depth == 1 && c == '[' && keyIsItems && !sawItems) inItems = sawItems = true;
      if (inItems && depth == 2 && c == '{') itemStart = i;
      if (++depth > 512) return "nested too deeply";
    } else if (c == '}' || c == ']') {
      if (--depth < 0) return "unbalanced brackets";
      if (inItems && depth == 2 && itemStart != std::string::npos) {
        if (auto error = visit(text.data() + itemStart, i + 1 - itemStart); !error.empty()) return error;
        itemStart = std::string::npos;
      }
      if (inItems && depth == 1) inItems = false;
    }
  }
  if (depth != 0) return "not JSON (unbalanced brackets)";
  if (!sawItems) return "not a List with items";
  return "";
}

// Loads every content file into the store. Returns an error message, or "".
std::string loadContent(const std::vector<std::string>& files, Store& store) {
  for (const auto& type : builtinResourceTypes()) store.resources.push_back({type, {}});
  store.groupOrder = builtinGroupOrder();
  size_t skipped = 0;
  // Two passes per file: CustomResourceDefinitions first (they add the resources their objects are served by).
  std::vector<std::string> texts(files.size());
  for (size_t f = 0; f < files.size(); ++f)
    if (!readFile(files[f], texts[f])) return "cannot read " + files[f];
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t f = 0; f < files.size(); ++f) {
      const std::string& file = files[f];
      std::string& text = texts[f];
      size_t index = 0;
      auto error = forEachItem(text, [&](const char* json, size_t length) -> std::string {
        const std::string_view itemText(json, length);
        ++index;
        const bool mayBeCrd = itemText.find("CustomResourceDefinition") != std::string_view::npos;
        if (pass == 0 && !mayBeCrd) return "";
        rapidjson::Document item;
        item.Parse(json, length);
        if (item.HasParseError() || !item.IsObject()) return "item " + std::to_string(index) + " is not a JSON object";
        const std::string apiVersion = Store::text(item, "apiVersion");
        const std::string kind = Store::text(item, "kind");
        if (pass == 0) {
          if (kind == "CustomResourceDefinition") return store.addCustomResourceDefinition(item);
          return "";
        }
        const size_t slash = apiVersion.find('/');
        const std::string group = slash == std::string::npos ? "" : apiVersion.substr(0, slash);
        ServedResource* resource = store.findKind(group, kind);
        auto* metadata = item.HasMember("metadata") && item["metadata"].IsObject() ? &item["metadata"] : nullptr;
        const std::string name = metadata ? Store::text(*metadata, "name") : "";
        if (!resource || name.empty()) {
          ++skipped;
          return "";
        }
        StoredObject object;
        object.name = name;
        if (resource->type.namespaced) {
          object.ns = Store::text(*metadata, "namespace");
          if (object.ns.empty()) {
            object.ns = "default";
            metadata->AddMember("namespace", "default", item.GetAllocator());
          }
          object.key = object.ns + "/" + name;
        } else {
          object.key = name;
        }
        item.RemoveMember("apiVersion");
        item.RemoveMember("kind");
        object.json = serialize(item);
        resource->objects.push_back(std::move(object));
        return "";
      });
      if (!error.empty()) return file + ": " + error;
      if (pass == 1) std::string().swap(text);  // served from the store from now on
    }
  }
  for (auto& resource : store.resources) {
    auto& objects = resource.objects;
    std::stable_sort(objects.begin(), objects.end(),
                     [](const StoredObject& a, const StoredObject& b) { return a.key < b.key; });
    // A later duplicate replaces an earlier one.
    std::vector<StoredObject> unique;
    for (auto& object : objects) {
      if (!unique.empty() && unique.back().key == object.key) unique.back() = std::move(object);
      else unique.push_back(std::move(object));
    }
    objects = std::move(unique);
    objects.shrink_to_fit();
  }
  malloc_trim(0);  // the file buffers are gone: give their pages back before serving
  if (skipped > 0) std::fprintf(stderr, "kspm_fixture_apiserver: skipped %zu items of unserved kinds\n", skipped);
  return "";
}

// ---------------------------------------------------------------------------------------------------------------
// Discovery documents.

std::string scopeName(bool namespaced) { return namespaced ? "Namespaced" : "Cluster"; }

std::string apiResourceList(const Store& store, const std::string& group, const std::string& version) {
  const std::string groupVersion = group.empty() ? version : group + "/" + version;
  std::string out = R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":)" + jsonString(groupVersion) +
                    R"(,"resources":[)";
  bool first = true;
  auto append = [&](const std::string& entry) {
    if (!first) out += ",";
    out += entry;
    first = false;
  };
  for (const auto& resource : store.resources) {
    const ResourceType& type = resource.type;
    if (type.group != group || type.version != version) continue;
    std::string entry = R"({"name":)" + jsonString(type.plural) + R"(,"singularName":)" + jsonString(type.singular) +
                        R"(,"namespaced":)" + (type.namespaced ? "true" : "false") + R"(,"kind":)" +
                        jsonString(type.kind) + R"(,"verbs":)" + jsonStringArray(type.verbs);
    if (!type.shortNames.empty()) entry += R"(,"shortNames":)" + jsonStringArray(type.shortNames);
    if (!type.categories.empty()) entry += R"(,"categories":)" + jsonStringArray(type.categories);
    append(entry + "}");
    for (const auto& sub : type.subresources) {
      std::string subEntry = R"({"name":)" + jsonString(type.plural + "/" + sub.name) + R"(,"singularName":"")" +
                             R"(,"namespaced":)" + (type.namespaced ? "true" : "false");
      if (sub.group != type.group || sub.version != type.version)
        subEntry += R"(,"group":)" + jsonString(sub.group) + R"(,"version":)" + jsonString(sub.version);
      subEntry += R"(,"kind":)" + jsonString(sub.kind) + R"(,"verbs":)" + jsonStringArray(sub.verbs) + "}";
      append(subEntry);
    }
  }
  return out + "]}";
}

std::string groupVersionForDiscovery(const std::string& group, const std::string& version) {
  return R"({"groupVersion":)" + jsonString(group + "/" + version) + R"(,"version":)" + jsonString(version) + "}";
}

std::string apiGroup(const Store& store, const std::string& group, bool withTypeMeta) {
  const auto versions = store.versionsOf(group);
  std::string out = withTypeMeta ? R"({"kind":"APIGroup","apiVersion":"v1","name":)" : R"({"name":)";
  out += jsonString(group) + R"(,"versions":[)";
  for (size_t i = 0; i < versions.size(); ++i) {
    if (i) out += ',';
    out += groupVersionForDiscovery(group, versions[i]);
  }
  out += R"(],"preferredVersion":)" + groupVersionForDiscovery(group, versions.front()) + "}";
  return out;
}

std::string apiGroupList(const Store& store) {
  std::string out = R"({"kind":"APIGroupList","apiVersion":"v1","groups":[)";
  bool first = true;
  for (const auto& group : store.groupOrder) {
    if (group.empty() || store.versionsOf(group).empty()) continue;
    if (!first) out += ",";
    out += apiGroup(store, group, false);
    first = false;
  }
  return out + "]}";
}

std::string groupVersionKind(const std::string& group, const std::string& version, const std::string& kind) {
  return R"({"group":)" + jsonString(group) + R"(,"version":)" + jsonString(version) + R"(,"kind":)" +
         jsonString(kind) + "}";
}

std::string apiGroupDiscovery(const Store& store, const std::string& group) {
  std::string out = group.empty() ? R"({"metadata":{"creationTimestamp":null},"versions":[)"
                                  : R"({"metadata":{"name":)" + jsonString(group) +
                                        R"(,"creationTimestamp":null},"versions":[)";
  const auto versions = store.versionsOf(group);
  for (size_t v = 0; v < versions.size(); ++v) {
    if (v) out += ',';
    out += std::string(R"({"version":)") + jsonString(versions[v]) + R"(,"resources":[)";
    bool first = true;
    for (const auto& resource : store.resources) {
      const ResourceType& type = resource.type;
      if (type.group != group || type.version != versions[v]) continue;
      if (!first) out += ",";
    out += std::string(R"({"resource":)") + jsonString(type.plural) + R"(,"responseKind":)" +
             groupVersionKind("", "", type.kind) + R"(,"scope":)" + jsonString(scopeName(type.namespaced)) +
             R"(,"singularResource":)" + jsonString(type.singular) + R"(,"verbs":)" + jsonStringArray(type.verbs);
      first = false;
      if (!type.shortNames.empty()) out += R"(,"shortNames":)" + jsonStringArray(type.shortNames);
      if (!type.categories.empty()) out += R"(,"categories":)" + jsonStringArray(type.categories);
      if (!type.subresources.empty()) {
        out += R"(,"subresources":[)";
        for (size_t s = 0; s < type.subresources.size(); ++s) {
          const auto& sub = type.subresources[s];
          const bool sameGroupVersion = sub.group == type.group && sub.version == type.version;
          if (s) out += ',';
          out += std::string(R"({"subresource":)") + jsonString(sub.name) + R"(,"responseKind":)" +
                 groupVersionKind(sameGroupVersion ? "" : sub.group, sameGroupVersion ? "" : sub.version, sub.kind) +
                 R"(,"verbs":)" + jsonStringArray(sub.verbs) + "}";
        }
        out += "]";
      }
      out += "}";
    }
    out += R"(],"freshness":"Current"})";
  }
  return out + "]}";
}

std::string apiGroupDiscoveryList(const Store& store, bool core, const std::string& discoveryVersion) {
  std::string out = R"({"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/)" + discoveryVersion +
                    R"(","metadata":{},"items":[)";
  if (core) return out + apiGroupDiscovery(store, "") + "]}";
  bool first = true;
  for (const auto& group : store.groupOrder) {
    if (group.empty() || store.versionsOf(group).empty()) continue;
    if (!first) out += ",";
    out += apiGroupDiscovery(store, group);
    first = false;
  }
  return out + "]}";
}

// Which aggregated discovery version the Accept header asks for before plain JSON: "v2", "v2beta1" or "".
std::string requestedAggregatedDiscovery(const std::string& accept) {
  for (const auto& range : split(accept, ',')) {
    std::string group, version, as;
    const auto parameters = split(range, ';');
    for (size_t i = 1; i < parameters.size(); ++i) {
      std::string parameter = parameters[i];
      parameter.erase(std::remove(parameter.begin(), parameter.end(), ' '), parameter.end());
      if (parameter.rfind("g=", 0) == 0) group = parameter.substr(2);
      if (parameter.rfind("v=", 0) == 0) version = parameter.substr(2);
      if (parameter.rfind("as=", 0) == 0) as = parameter.substr(3);
    }
    if (group == "apidiscovery.k8s.io" && as == "APIGroupDiscoveryList" && (version == "v2" || version == "v2beta1"))
      return version;
    if (as.empty()) return "";  // plain JSON (or */*) is preferred
  }
  return "";
}

// gzip at level 1 (BestSpeed), as kube-apiserver compresses responses. zlib is already in the process (cpp-httplib
// links it) but this target does not link it directly, so deflate is looked up at run time; without it, httplib's
// own gzip compressor (default level) does the work.
std::optional<std::string> gzipFast(const std::string& body) {
  using DeflateInit2 = int (*)(z_streamp, int, int, int, int, int, const char*, int);
  using Deflate = int (*)(z_streamp, int);
  using DeflateEnd = int (*)(z_streamp);
  static const auto init = reinterpret_cast<DeflateInit2>(dlsym(RTLD_DEFAULT, "deflateInit2_"));
  static const auto deflateStep = reinterpret_cast<Deflate>(dlsym(RTLD_DEFAULT, "deflate"));
  static const auto end = reinterpret_cast<DeflateEnd>(dlsym(RTLD_DEFAULT, "deflateEnd"));
  std::string out;
  if (init && deflateStep && end) {
    z_stream stream{};
    if (init(&stream, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
             static_cast<int>(sizeof(z_stream))) != Z_OK)
      return std::nullopt;
    out.resize(body.size() / 3 + 1024);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    stream.avail_in = static_cast<uInt>(body.size());
    int result = Z_OK;
    while (result == Z_OK || result == Z_BUF_ERROR) {
      if (stream.total_out == out.size()) out.resize(out.size() * 2);
      stream.next_out = reinterpret_cast<Bytef*>(out.data() + stream.total_out);
      stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
      result = deflateStep(&stream, Z_FINISH);
      if (result == Z_BUF_ERROR && stream.avail_out != 0) break;
    }
    out.resize(stream.total_out);
    end(&stream);
    if (result != Z_STREAM_END) return std::nullopt;
    return out;
  }
  httplib::detail::gzip_compressor compressor;
  const bool ok = compressor.compress(body.data(), body.size(), true, [&](const char* data, size_t length) {
    out.append(data, length);
    return true;
  });
  if (!ok) return std::nullopt;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses.

struct WatchState;

struct Reply {
  int status = 200;
  std::string body;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<WatchState> watch;  // set: a watch stream instead of the body
};

// One open watch: what it follows and how far it got.
struct WatchState {
  const void* resource = nullptr;  // the ServedResource
  std::string ns;                  // "" = every namespace
  uint64_t resourceVersion = 0;    // events after it are still to send
  bool initial = false;            // send every current object as ADDED first
  bool bookmarks = false;
  uint64_t expireGeneration = 0;
  std::chrono::steady_clock::time_point deadline, nextBookmark;
};

// One change, as watches replay it.
struct Event {
  uint64_t resourceVersion = 0;
  const void* resource = nullptr;
  std::string ns;
  std::string line;  // {"type":...,"object":...}\n
};

Reply statusReply(int code, const std::string& reason, const std::string& message,
                  const std::string& details = "{}") {
  Reply reply;
  reply.status = code;
  reply.body = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)" +
               jsonString(message) + R"(,"reason":)" + jsonString(reason) + R"(,"details":)" + details +
               R"(,"code":)" + std::to_string(code) + "}";
  return reply;
}

Reply notFoundPath() { return statusReply(404, "NotFound", "the server could not find the requested resource"); }

struct Identity {
  std::string user;  // empty: unauthenticated
  std::vector<std::string> groups;
};

// What a request addresses once parsed: /api/v1/..., /apis/G/V/...
struct Target {
  std::string group, version;
  std::string plural;  // empty: the group-version root
  std::string ns;      // namespaced list or object
  std::string name;
  std::string subresource;  // after the name, e.g. "proxy/configz"
};

class ApiServer {
 public:
  ApiServer(Options options, Store store) : options_(std::move(options)), store_(std::move(store)) {
    for (const auto& [node, file] : options_.configzFiles) {
      std::string contents;
      if (readFile(file, contents)) configz_[node] = contents;
    }
    if (!options_.logFile.empty()) log_ = std::fopen(options_.logFile.c_str(), "a");
  }
  ~ApiServer() {
    if (log_) std::fclose(log_);
  }
  std::string configzError() const {
    for (const auto& [node, file] : options_.configzFiles) {
      auto found = configz_.find(node);
      if (found == configz_.end()) return "cannot read --configz file " + file;
      rapidjson::Document document;
      document.Parse(found->second.c_str());
      if (document.HasParseError()) return "--configz file " + file + " is not JSON";
    }
    return "";
  }

  void handle(const httplib::Request& request, httplib::Response& response) {
    if (request.path.rfind("/_fixture/", 0) == 0) {
      Reply reply = control(request);
      send(request, response, std::move(reply));
      writeLog(request, response.status, Identity{"fixture-control", {}});
      return;
    }
    const Identity identity = authenticate(request);
    Reply reply;
    if (request.method != "GET" && request.method != "HEAD") {
      reply = statusReply(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    } else if (identity.user.empty()) {
      reply = statusReply(401, "Unauthorized", "Unauthorized");
    } else if (auto fault = injectedFault(request, identity)) {
      reply = *fault;
    } else {
      reply = route(request);
    }
    for (const auto& delay : options_.delays)
      if (std::regex_search(request.path, delay.regex))
        std::this_thread::sleep_for(std::chrono::milliseconds(delay.millis));
    send(request, response, std::move(reply));
    writeLog(request, response.status, identity);
  }

 private:
  Identity authenticate(const httplib::Request& request) const {
    Identity identity;
    const std::string authorization = request.get_header_value("Authorization");
    if (!authorization.empty()) {
      if (authorization.rfind("Bearer ", 0) != 0) return identity;
      const std::string token = authorization.substr(7);
      for (const auto& known : options_.tokens)
        if (known.token == token) return {known.user, known.groups};
      return identity;
    }
    if (request.ssl == nullptr) return identity;
    X509* cert = SSL_get1_peer_certificate(request.ssl);
    if (cert == nullptr) return identity;
    if (SSL_get_verify_result(request.ssl) == X509_V_OK) {
      X509_NAME* subject = X509_get_subject_name(cert);
      for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
        X509_NAME_ENTRY* entry = X509_NAME_get_entry(subject, i);
        const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
        const ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
        std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)), ASN1_STRING_length(data));
        if (nid == NID_commonName) identity.user = value;
        if (nid == NID_organizationName) identity.groups.push_back(value);
      }
    }
    X509_free(cert);
    return identity;
  }

  std::optional<Reply> injectedFault(const httplib::Request& request, const Identity& identity) {
    const bool hasContinue = !request.get_param_value("continue").empty();
    std::lock_guard<std::mutex> lock(faultMutex_);
    for (auto& fault : options_.faults) {
      if (fault.remaining == 0 || !std::regex_search(request.path, fault.regex)) continue;
      if (fault.status == 410 && !hasContinue) continue;
      if (fault.remaining > 0) --fault.remaining;
      return faultReply(fault.status, request, identity);
    }
    return std::nullopt;
  }

  Reply faultReply(int status, const httplib::Request& request, const Identity& identity) {
    switch (status) {
      case 401:
        return statusReply(401, "Unauthorized", "Unauthorized");
      case 403: {
        const auto target = parseTarget(request.path);
        std::string resource = target ? target->plural : "";
        std::string group = target ? target->group : "";
        std::string verb = target && !target->name.empty() ? "get" : "list";
        std::string message;
        if (resource.empty()) {
          message = "forbidden: User " + jsonString(identity.user) + " cannot get path " + jsonString(request.path);
        } else {
          if (target && !target->subresource.empty())
            resource += "/" + target->subresource.substr(0, target->subresource.find('/'));
          message = (target->name.empty() ? target->plural : target->plural + " " + jsonString(target->name)) +
                    " is forbidden: User " + jsonString(identity.user) + " cannot " + verb + " resource " +
                    jsonString(resource) + " in API group " + jsonString(group) +
                    (target->ns.empty() ? std::string(" at the cluster scope")
                                        : " in the namespace " + jsonString(target->ns));
        }
        return statusReply(403, "Forbidden", message,
                           R"({"kind":)" + jsonString(target ? target->plural : "") + "}");
      }
      case 404:
        return notFoundPath();
      case 410:
        return statusReply(410, "Expired",
                           "The provided continue parameter is too old to display a consistent list result. You "
                           "can start a new list without the continue parameter, or use the continue token in this "
                           "response to retrieve the remainder of the results. Continuing with the provided token "
                           "results in an inconsistent list - objects that were created, modified, or deleted "
                           "between the time the first chunk was returned and now may show up in the list.");
      case 429: {
        Reply reply = statusReply(429, "TooManyRequests", "Too many requests, please try again later.",
                                  R"({"retryAfterSeconds":1})");
        reply.headers.push_back({"Retry-After", "1"});
        return reply;
      }
      case 503: {
        Reply reply = statusReply(503, "ServiceUnavailable", "the server is currently unable to handle the request",
                                  R"({"retryAfterSeconds":1})");
        reply.headers.push_back({"Retry-After", "1"});
        return reply;
      }
      default:
        return statusReply(500, "InternalError", "Internal error occurred: injected fault",
                           R"({"causes":[{"message":"injected fault"}]})");
    }
  }

  // Parses /api/v1/... and /apis/G/V/... below the group-version root; nullopt for anything else.
  std::optional<Target> parseTarget(const std::string& path) const {
    auto segments = split(path, '/');
    if (segments.empty() || !segments[0].empty()) return std::nullopt;
    segments.erase(segments.begin());
    if (!segments.empty() && segments.back().empty()) segments.pop_back();
    for (const auto& segment : segments)
      if (segment.empty()) return std::nullopt;
    Target target;
    size_t next = 0;
    if (segments.size() >= 2 && segments[0] == "api") {
      target.version = segments[1];
      next = 2;
    } else if (segments.size() >= 3 && segments[0] == "apis") {
      target.group = segments[1];
      target.version = segments[2];
      next = 3;
    } else {
      return std::nullopt;
    }
    std::vector<std::string> rest(segments.begin() + next, segments.end());
    if (rest.size() >= 3 && rest[0] == "namespaces") {
      target.ns = rest[1];
      rest.erase(rest.begin(), rest.begin() + 2);
    }
    if (!rest.empty()) target.plural = rest[0];
    if (rest.size() >= 2) target.name = rest[1];
    for (size_t i = 2; i < rest.size(); ++i) target.subresource += (i > 2 ? "/" : "") + rest[i];
    return target;
  }

  Reply route(const httplib::Request& request) {
    const std::string& path = request.path;
    const std::string accept = request.get_header_value("Accept");
    if (path == "/version" || path == "/version/") {
      Reply reply;
      reply.body = R"({"major":"1","minor":"30","gitVersion":"v1.30.0","gitCommit":"7c48c2bd72b9bf5c44d21d7338cc7bea77d0ad2a",)"
                   R"("gitTreeState":"clean","buildDate":"2024-04-17T17:27:03Z","goVersion":"go1.22.2",)"
                   R"("compiler":"gc","platform":"linux/amd64"})";
      return reply;
    }
    if (path == "/healthz" || path == "/livez" || path == "/readyz") {
      Reply reply;
      reply.body = "ok";
      reply.contentType = "text/plain; charset=utf-8";
      return reply;
    }
    if (path == "/api" || path == "/api/" || path == "/apis" || path == "/apis/") {
      const bool core = path.rfind("/api/", 0) == 0 || path == "/api";
      const std::string aggregated = options_.aggregatedDiscovery ? requestedAggregatedDiscovery(accept) : "";
      Reply reply;
      if (!aggregated.empty()) {
        reply.body = apiGroupDiscoveryList(store_, core, aggregated);
        reply.contentType = "application/json;g=apidiscovery.k8s.io;v=" + aggregated + ";as=APIGroupDiscoveryList";
      } else if (core) {
        reply.body = R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":)"
                     R"("0.0.0.0/0","serverAddress":"127.0.0.1:)" + std::to_string(port) + R"("}]})";
      } else {
        reply.body = apiGroupList(store_);
      }
      return reply;
    }
    const auto segments = split(path, '/');
    if (segments.size() == 3 && segments[1] == "apis" && !store_.versionsOf(segments[2]).empty()) {
      Reply reply;
      reply.body = apiGroup(store_, segments[2], true);
      return reply;
    }
    const auto target = parseTarget(path);
    if (!target || store_.versionsOf(target->group).empty()) return notFoundPath();
    const auto versions = store_.versionsOf(target->group);
    if (std::find(versions.begin(), versions.end(), target->version) == versions.end()) return notFoundPath();
    if (target->plural.empty()) {
      Reply reply;
      reply.body = apiResourceList(store_, target->group, target->version);
      return reply;
    }
    ServedResource* resource = store_.find(target->group, target->version, target->plural);
    if (!resource || (!target->ns.empty() && !resource->type.namespaced)) return notFoundPath();
    if (!target->subresource.empty()) return subresource(*resource, *target);
    if (!target->name.empty()) return getObject(*resource, *target);
    const std::string watchParam = request.get_param_value("watch");
    if (watchParam == "1" || watchParam == "true") return watch(*resource, *target, request);
    return list(*resource, *target, request);
  }

 public:
  /** Called (from a request thread) when a test asks the server to go down for `seconds`. */
  std::function<void(int seconds)> onDown;

 private:
  Reply control(const httplib::Request& request) {
    if (request.method != "POST") return statusReply(405, "MethodNotAllowed", "control endpoints take POST");
    const std::string& path = request.path;
    if (path == "/_fixture/down") {
      long seconds = 0;
      if (!parseInt(request.get_param_value("seconds"), seconds) || seconds < 1 || seconds > 600)
        return statusReply(400, "BadRequest", "down needs seconds=1..600");
      if (onDown) onDown(static_cast<int>(seconds));
      Reply reply;
      reply.body = R"({"down":)" + std::to_string(seconds) + "}";
      return reply;
    }
    if (path == "/_fixture/expire") {
      std::lock_guard<std::mutex> lock(storeMutex_);
      compactedRv_ = currentRv_;
      ++currentRv_;
      ++expireGeneration_;
      events_.clear();
      changed_.notify_all();
      Reply reply;
      reply.body = R"({"compacted":)" + std::to_string(compactedRv_) + "}";
      return reply;
    }
    if (path != "/_fixture/apply" && path != "/_fixture/delete") return notFoundPath();
    rapidjson::Document item;
    item.Parse(request.body.c_str(), request.body.size());
    if (item.HasParseError() || !item.IsObject()) return statusReply(400, "BadRequest", "the body is not a JSON object");
    const std::string apiVersion = Store::text(item, "apiVersion");
    const std::string kind = Store::text(item, "kind");
    const size_t slash = apiVersion.find('/');
    const std::string group = slash == std::string::npos ? "" : apiVersion.substr(0, slash);
    auto* metadata = item.HasMember("metadata") && item["metadata"].IsObject() ? &item["metadata"] : nullptr;
    const std::string name = metadata ? Store::text(*metadata, "name") : "";
    std::lock_guard<std::mutex> lock(storeMutex_);
    ServedResource* resource = store_.findKind(group, kind);
    if (!resource || name.empty()) return statusReply(400, "BadRequest", "unserved kind or no metadata.name");
    std::string ns;
    if (resource->type.namespaced) {
      ns = Store::text(*metadata, "namespace");
      if (ns.empty()) {
        ns = "default";
        metadata->AddMember("namespace", "default", item.GetAllocator());
      }
    }
    const std::string key = resource->type.namespaced ? ns + "/" + name : name;
    auto& objects = resource->objects;
    auto found = std::lower_bound(objects.begin(), objects.end(), key,
                                  [](const StoredObject& object, const std::string& k) { return object.key < k; });
    const bool exists = found != objects.end() && found->key == key;
    const uint64_t rv = ++currentRv_;
    std::string type;
    std::string objectJson;
    if (path == "/_fixture/delete") {
      if (!exists) return statusReply(404, "NotFound", kind + " " + jsonString(name) + " not found");
      rapidjson::Document stored;
      stored.Parse(found->json.c_str(), found->json.size());
      setResourceVersion(stored, rv);
      objectJson = serialize(stored);
      objects.erase(found);
      type = "DELETED";
    } else {
      item.RemoveMember("apiVersion");
      item.RemoveMember("kind");
      setResourceVersion(item, rv);
      objectJson = serialize(item);
      StoredObject object{key, ns, name, objectJson};
      if (exists) {
        *found = std::move(object);
        type = "MODIFIED";
      } else {
        objects.insert(found, std::move(object));
        type = "ADDED";
      }
    }
    Event event;
    event.resourceVersion = rv;
    event.resource = resource;
    event.ns = ns;
    event.line = R"({"type":")" + type + R"(","object":)" + withTypeMeta(resource->type, objectJson) + "}\n";
    events_.push_back(std::move(event));
    if (events_.size() > 100000) {
      compactedRv_ = events_.front().resourceVersion;
      events_.pop_front();
    }
    changed_.notify_all();
    Reply reply;
    reply.body = withTypeMeta(resource->type, objectJson);
    return reply;
  }

  static void setResourceVersion(rapidjson::Document& document, uint64_t rv) {
    if (!document.HasMember("metadata") || !document["metadata"].IsObject()) return;
    auto& metadata = document["metadata"];
    metadata.RemoveMember("resourceVersion");
    rapidjson::Value value;
    value.SetString(std::to_string(rv).c_str(), document.GetAllocator());
    metadata.AddMember("resourceVersion", value, document.GetAllocator());
  }

  Reply watch(const ServedResource& resource, const Target& target, const httplib::Request& request) {
    auto state = std::make_shared<WatchState>();
    state->resource = &resource;
    state->ns = target.ns;
    const std::string rvText = request.get_param_value("resourceVersion");
    long timeout = 1800;
    const std::string timeoutText = request.get_param_value("timeoutSeconds");
    if (!timeoutText.empty() && !parseInt(timeoutText, timeout))
      return statusReply(400, "BadRequest", "invalid timeoutSeconds " + jsonString(timeoutText));
    std::lock_guard<std::mutex> lock(storeMutex_);
    if (rvText.empty() || rvText == "0") {
      state->initial = true;
    } else {
      long rv = 0;
      if (!parseInt(rvText, rv)) return statusReply(400, "BadRequest", "invalid resourceVersion " + jsonString(rvText));
      if (static_cast<uint64_t>(rv) < compactedRv_)
        return statusReply(410, "Expired", "too old resource version: " + rvText + " (" + std::to_string(compactedRv_) + ")");
      state->resourceVersion = static_cast<uint64_t>(rv);
    }
    const std::string bookmarksParam = request.get_param_value("allowWatchBookmarks");
    state->bookmarks = bookmarksParam == "true" || bookmarksParam == "1";
    state->expireGeneration = expireGeneration_;
    const auto now = std::chrono::steady_clock::now();
    state->deadline = now + std::chrono::seconds(timeout);
    state->nextBookmark = now + std::chrono::seconds(options_.bookmarkSeconds);
    Reply reply;
    reply.watch = state;
    reply.contentType = "application/json;stream=watch";
    return reply;
  }

  // The next lines of a watch, waiting up to 200 ms for some; *end when the stream is over.
  std::string nextWatchLines(WatchState& state, bool* end) {
    std::unique_lock<std::mutex> lock(storeMutex_);
    std::string out;
    const auto* resource = static_cast<const ServedResource*>(state.resource);
    if (state.expireGeneration != expireGeneration_) {
      *end = true;
      return R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
             R"("message":"too old resource version","reason":"Expired","code":410}})"
             "\n";
    }
    if (state.initial) {
      state.initial = false;
      for (const auto& object : resource->objects) {
        if (!state.ns.empty() && object.ns != state.ns) continue;
        out += R"({"type":"ADDED","object":)" + withTypeMeta(resource->type, object.json) + "}\n";
      }
      state.resourceVersion = currentRv_;
      if (!out.empty()) return out;
    }
    auto collect = [&] {
      auto it = std::upper_bound(events_.begin(), events_.end(), state.resourceVersion,
                                 [](uint64_t rv, const Event& event) { return rv < event.resourceVersion; });
      for (; it != events_.end(); ++it) {
        if (it->resource != state.resource || (!state.ns.empty() && it->ns != state.ns)) continue;
        out += it->line;
      }
      if (!events_.empty()) state.resourceVersion = std::max(state.resourceVersion, events_.back().resourceVersion);
    };
    collect();
    if (!out.empty()) return out;
    changed_.wait_for(lock, std::chrono::milliseconds(200));
    if (state.expireGeneration != expireGeneration_) return out;  // the next call sends the ERROR
    collect();
    if (!out.empty()) return out;
    const auto now = std::chrono::steady_clock::now();
    if (now >= state.deadline) {
      *end = true;
      return out;
    }
    if (state.bookmarks && now >= state.nextBookmark) {
      state.nextBookmark = now + std::chrono::seconds(options_.bookmarkSeconds);
      state.resourceVersion = std::max(state.resourceVersion, currentRv_);
      out = R"({"type":"BOOKMARK","object":{"kind":)" + jsonString(resource->type.kind) + R"(,"apiVersion":)" +
            jsonString(resource->type.groupVersion()) + R"(,"metadata":{"resourceVersion":")" +
            std::to_string(state.resourceVersion) + R"("}}})" + "\n";
    }
    return out;
  }

  Reply subresource(const ServedResource& resource, const Target& target) {
    if (resource.type.group.empty() && resource.type.plural == "nodes" && target.subresource == "proxy/configz") {
      auto found = configz_.find(target.name);
      if (found == configz_.end()) return notFoundPath();
      Reply reply;
      reply.body = R"({"kubeletconfig":)" + found->second + "}";
      return reply;
    }
    return notFoundPath();
  }

  static std::string withTypeMeta(const ResourceType& type, const std::string& json) {
    std::string out = R"({"kind":)" + jsonString(type.kind) + R"(,"apiVersion":)" + jsonString(type.groupVersion());
    if (json.size() > 2) out += "," + json.substr(1);
    else out += "}";
    return out;
  }

  Reply getObject(const ServedResource& resource, const Target& target) {
    std::lock_guard<std::mutex> storeLock(storeMutex_);
    const std::string key = resource.type.namespaced ? target.ns + "/" + target.name : target.name;
    if (!resource.type.namespaced || !target.ns.empty()) {
      auto found = std::lower_bound(resource.objects.begin(), resource.objects.end(), key,
                                    [](const StoredObject& object, const std::string& k) { return object.key < k; });
      if (found != resource.objects.end() && found->key == key) {
        Reply reply;
        reply.body = withTypeMeta(resource.type, found->json);
        return reply;
      }
    }
    std::string qualified = resource.type.group.empty() ? resource.type.plural
                                                        : resource.type.plural + "." + resource.type.group;
    return statusReply(404, "NotFound", qualified + " " + jsonString(target.name) + " not found",
                       R"({"name":)" + jsonString(target.name) + R"(,"group":)" + jsonString(resource.type.group) +
                           R"(,"kind":)" + jsonString(resource.type.plural) + "}");
  }

  Reply list(const ServedResource& resource, const Target& target, const httplib::Request& request) {
    std::lock_guard<std::mutex> storeLock(storeMutex_);
    const std::string currentRv = std::to_string(currentRv_);
    const auto& objects = resource.objects;
    auto begin = objects.begin();
    auto end = objects.end();
    if (!target.ns.empty()) {
      const std::string prefix = target.ns + "/";
      begin = std::lower_bound(objects.begin(), objects.end(), prefix,
                               [](const StoredObject& object, const std::string& k) { return object.key < k; });
      end = begin;
      while (end != objects.end() && end->ns == target.ns) ++end;
    }
    long limit = 0;
    const std::string limitText = request.get_param_value("limit");
    if (!limitText.empty() && !parseInt(limitText, limit))
      return statusReply(400, "BadRequest", "invalid limit " + jsonString(limitText));
    const std::string continueToken = request.get_param_value("continue");
    if (!continueToken.empty()) {
      auto start = decodeContinue(continueToken);
      if (!start) return statusReply(400, "BadRequest", "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
      begin = std::upper_bound(begin, end, *start,
                               [](const std::string& k, const StoredObject& object) { return k < object.key; });
    }
    auto stop = end;
    if (limit > 0 && end - begin > limit) stop = begin + limit;
    std::string body;
    size_t size = 256;
    for (auto it = begin; it != stop; ++it) size += it->json.size() + 1;
    body.reserve(size);
    body += R"({"kind":)" + jsonString(resource.type.kind + "List") + R"(,"apiVersion":)" +
            jsonString(resource.type.groupVersion()) + R"(,"metadata":{"resourceVersion":")" + currentRv + "\"";
    if (stop != end) {
      body += R"(,"continue":)" + jsonString(encodeContinue((stop - 1)->key)) + R"(,"remainingItemCount":)" +
              std::to_string(end - stop);
    }
    body += R"(},"items":[)";
    for (auto it = begin; it != stop; ++it) {
      if (it != begin) body += ',';
      body += it->json;
    }
    body += "]}";
    Reply reply;
    reply.body = std::move(body);
    return reply;
  }

  static std::string encodeContinue(const std::string& lastKey) {
    return base64UrlEncode(R"({"v":"meta.k8s.io/v1","rv":)" + std::string(kResourceVersion) + R"(,"start":)" +
                        jsonString(lastKey + std::string(1, '\0')) + "}");
  }

  // The key the continue token resumes after, or nullopt when the token is not one this server issued.
  static std::optional<std::string> decodeContinue(const std::string& token) {
    auto decoded = base64Decode(token);
    if (!decoded) return std::nullopt;
    rapidjson::Document document;
    document.Parse(decoded->c_str(), decoded->size());
    if (document.HasParseError() || !document.IsObject() || Store::text(document, "v") != "meta.k8s.io/v1")
      return std::nullopt;
    const auto* start = Store::member(document, "start");
    if (!start || !start->IsString() || start->GetStringLength() == 0) return std::nullopt;
    std::string key(start->GetString(), start->GetStringLength());
    if (key.back() != '\0') return std::nullopt;
    key.pop_back();
    return key;
  }

  void send(const httplib::Request& request, httplib::Response& response, Reply reply) {
    response.status = reply.status;
    for (const auto& [name, value] : reply.headers) response.set_header(name, value);
    response.set_header("Cache-Control", "no-cache, private");
    response.set_header("X-Kubernetes-Pf-Flowschema-Uid", "fixture");
    if (reply.watch) {
      // A content type httplib does not compress: watch events must not wait in a gzip buffer.
      auto state = reply.watch;
      response.set_chunked_content_provider(reply.contentType, [this, state](size_t, httplib::DataSink& sink) {
        bool end = false;
        std::string lines = nextWatchLines(*state, &end);
        if (!lines.empty() && !sink.write(lines.data(), lines.size())) return false;
        if (end) sink.done();
        return true;
      });
      return;
    }
    auto body = std::make_shared<std::string>(std::move(reply.body));
    if (body->size() > kGzipThreshold && request.get_header_value("Accept-Encoding").find("gzip") != std::string::npos) {
      if (auto compressed = gzipFast(*body)) {
        body = std::make_shared<std::string>(std::move(*compressed));
        response.set_header("Content-Encoding", "gzip");
      }
    }
    // A content provider with a length: httplib neither copies the body nor compresses it on its own.
    response.set_content_provider(
        body->size(), reply.contentType,
        [body](size_t offset, size_t length, httplib::DataSink& sink) {
          return sink.write(body->data() + offset, std::min(length, body->size() - offset));
        });
  }

  void writeLog(const httplib::Request& request, int status, const Identity& identity) {
    if (!log_) return;
    std::string impersonate = request.get_header_value("Impersonate-User");
    const size_t groups = request.get_header_value_count("Impersonate-Group");
    for (size_t i = 0; i < groups; ++i)
      impersonate += (i == 0 ? ":" : ",") + request.get_header_value("Impersonate-Group", i);
    std::string target = request.target.empty() ? request.path : request.target;
    std::string line = request.method + " " + target + " " + std::to_string(status) +
                       " identity=" + (identity.user.empty() ? "-" : identity.user) +
                       " impersonate=" + (impersonate.empty() ? "-" : impersonate) +
                       " accept=" + request.get_header_value("Accept") + "\n";
    for (char& c : line)
      if (c == '\r' || (c == '\n' && &c != &line.back())) c = ' ';
    std::lock_guard<std::mutex> lock(logMutex_);
    std::fputs(line.c_str(), log_);
    std::fflush(log_);
  }

 public:
  int port = 0;

 private:
  Options options_;
  Store store_;
  std::map<std::string, std::string> configz_;
  std::mutex faultMutex_;
  std::mutex logMutex_;
  std::mutex storeMutex_;  // store_ objects, the resourceVersions and events_
  std::condition_variable changed_;
  uint64_t currentRv_ = 4242;
  uint64_t compactedRv_ = 0;
  uint64_t expireGeneration_ = 0;
  std::deque<Event> events_;
  FILE* log_ = nullptr;
};

std::string yamlQuoted(const std::string& text) { return jsonString(text); }

bool writeKubeconfig(const Options& options, int port) {
  const std::filesystem::path dir(options.tlsDir);
  std::ofstream out(dir / "kubeconfig", std::ios::trunc);
  const std::string server = "https://127.0.0.1:" + std::to_string(port);
  out << "apiVersion: v1\nkind: Config\nclusters:\n- name: fixture\n  cluster:\n    server: " << server
      << "\n    certificate-authority: ca.crt\nusers:\n";
  if (!options.tokens.empty())
    out << "- name: token\n  user:\n    token: " << yamlQuoted(options.tokens.front().token) << "\n";
  out << "- name: cert\n  user:\n    client-certificate: client.crt\n    client-key: client.key\ncontexts:\n";
  if (!options.tokens.empty()) out << "- name: token\n  context:\n    cluster: fixture\n    user: token\n";
  out << "- name: cert\n  context:\n    cluster: fixture\n    user: cert\n";
  out << "current-context: " << (options.tokens.empty() ? "cert" : "token") << "\n";
  out.close();
  return static_cast<bool>(out);
}

}  // namespace
}  // namespace kspm_fixture

int main(int argc, char** argv) {
  using namespace kspm_fixture;
  Options options;
  if (auto error = parseOptions(argc, argv, options); !error.empty()) {
    if (error == "help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::fprintf(stderr, "kspm_fixture_apiserver: %s\n%s", error.c_str(), kUsage);
    return 2;
  }
  // Block the stop signals in every thread; one thread waits for them and stops the server.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  if (auto error = writeCertificates(options.tlsDir); !error.empty()) {
    std::fprintf(stderr, "kspm_fixture_apiserver: %s\n", error.c_str());
    return 1;
  }
  Store store;
  if (auto error = loadContent(options.contentFiles, store); !error.empty()) {
    std::fprintf(stderr, "kspm_fixture_apiserver: %s\n", error.c_str());
    return 1;
  }
  ApiServer api(options, std::move(store));
  if (auto error = api.configzError(); !error.empty()) {
    std::fprintf(stderr, "kspm_fixture_apiserver: %s\n", error.c_str());
    return 1;
  }

  const std::filesystem::path dir(options.tlsDir);
  const std::string caFile = (dir / "ca.crt").string();
  const std::string certFile = (dir / "server.crt").string();
  const std::string keyFile = (dir / "server.key").string();
  httplib::SSLServer server([&](SSL_CTX& context) {
    SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(&context, certFile.c_str()) != 1) return false;
    if (SSL_CTX_use_PrivateKey_file(&context, keyFile.c_str(), SSL_FILETYPE_PEM) != 1) return false;
    if (SSL_CTX_load_verify_locations(&context, caFile.c_str(), nullptr) != 1) return false;
    SSL_CTX_set_client_CA_list(&context, SSL_load_client_CA_file(caFile.c_str()));
    // Ask for a client certificate and verify it when sent, but do not require one (tokens need none).
    SSL_CTX_set_verify(&context, SSL_VERIFY_PEER, nullptr);
    // Verifying peers needs a session id context, or OpenSSL refuses resumed sessions (which
    // libcurl offers on every reconnect) with an internal-error alert.
    static const unsigned char kSessionContext[] = "kspm-fixture";
    SSL_CTX_set_session_id_context(&context, kSessionContext, sizeof kSessionContext - 1);
    return true;
  });
  if (!server.is_valid()) {
    std::fprintf(stderr, "kspm_fixture_apiserver: cannot set up TLS from %s\n", options.tlsDir.c_str());
    return 1;
  }
  const int threads = options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  server.set_keep_alive_max_count(1000);
  // Without TCP_NODELAY a response's last segment waits for the client's delayed ACK: ~40 ms a
  // request, which is not how kube-apiserver (Go sets TCP_NODELAY) behaves.
  server.set_tcp_nodelay(true);
  // Idle keep-alive connections hold a worker; a short timeout also makes SIGTERM finish quickly.
  server.set_keep_alive_timeout(1);
  server.set_payload_max_length(1 << 20);
  auto handler = [&api](const httplib::Request& request, httplib::Response& response) {
    api.handle(request, response);
  };
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Put(".*", handler);
  server.Patch(".*", handler);
  server.Delete(".*", handler);
  server.Options(".*", handler);
  server.set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
    response.status = 500;
    response.set_content(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                         R"("message":"internal error","reason":"InternalError","code":500})",
                         "application/json");
  });

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port("127.0.0.1");
  } else if (!server.bind_to_port("127.0.0.1", port)) {
    port = -1;
  }
  if (port <= 0) {
    std::fprintf(stderr, "kspm_fixture_apiserver: cannot listen on 127.0.0.1:%d\n", options.port);
    return 1;
  }
  api.port = port;
  if (!writeKubeconfig(options, port)) {
    std::fprintf(stderr, "kspm_fixture_apiserver: cannot write %s/kubeconfig\n", options.tlsDir.c_str());
    return 1;
  }
  // server.stop() is a no-op until listen_after_bind() has started, so the controller keeps stopping
  // while a stop is wanted (a signal, or /_fixture/down) until the listen loop is over.
  std::atomic<bool> signalled{false};
  std::atomic<bool> finished{false};
  std::atomic<bool> listening{false};
  std::atomic<int> downRequest{0};
  api.onDown = [&downRequest](int seconds) { downRequest = seconds; };
  std::thread stopper([&signalled, stopSignals] {
    int received = 0;
    sigwait(&stopSignals, &received);
    signalled = true;
  });
  std::thread controller([&] {
    while (!finished) {
      if (listening && (signalled || downRequest > 0)) {
        if (!signalled) std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let /down answer
        server.stop();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::printf("LISTENING %d\n", port);
  std::fflush(stdout);
  for (;;) {
    listening = true;
    server.listen_after_bind();
    listening = false;
    if (signalled) break;
    const int down = downRequest.exchange(0);
    if (down <= 0) break;  // listen failed on its own
    std::fprintf(stderr, "kspm_fixture_apiserver: down for %d s\n", down);
    const auto up = std::chrono::steady_clock::now() + std::chrono::seconds(down);
    while (!signalled && std::chrono::steady_clock::now() < up) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (signalled) break;
    bool bound = false;
    for (int attempt = 0; attempt < 250 && !bound && !signalled; ++attempt) {
      bound = server.bind_to_port("127.0.0.1", port);
      if (!bound) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!bound) {
      std::fprintf(stderr, "kspm_fixture_apiserver: cannot listen on 127.0.0.1:%d again\n", port);
      break;
    }
  }
  finished = true;
  controller.join();
  if (!signalled) pthread_kill(stopper.native_handle(), SIGTERM);  // wake the stopper
  stopper.join();
  return 0;
}
