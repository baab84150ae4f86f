// The routes file: `routes:` and one mapping per route (docs/routing.md).
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <set>

#include "engine/config_reader.h"
#include "kspm/loader.h"
#include "kspm/routing.h"

namespace kspm::routing {
namespace {

using config::ConfigReader;

constexpr std::string_view kTypeNames[] = {"slack", "jira", "github", "webhook"};

bool validName(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

bool httpUrl(std::string_view url) { return url.starts_with("https://") || url.starts_with("http://"); }

class RoutesReader : public ConfigReader {
 public:
  using ConfigReader::ConfigReader;

  /** `<key>Env` / `<key>File` into *ref; errors for both at once and for the inline `<key>`. */
  void secret(const Node& entry, const std::string& where, std::string_view key, SecretRef* ref) {
    std::string env_key = std::string(key) + "Env", file_key = std::string(key) + "File";
    if (const Node* n = entry.get(env_key)) {
      if (string(*n, join(where, env_key), &ref->env) && ref->env.empty()) error(*n, join(where, env_key), "empty variable name");
    }
    if (const Node* n = entry.get(file_key)) {
      if (string(*n, join(where, file_key), &ref->file) && ref->file.empty()) error(*n, join(where, file_key), "empty path");
    }
    if (!ref->env.empty() && !ref->file.empty()) {
      error(*entry.get(file_key), join(where, file_key), "give " + env_key + " or " + file_key + ", not both");
    }
  }

  /** Errors for keys that would hold a secret inline (the value is never repeated). */
  void noInlineSecret(const Node& entry, const std::string& where, std::string_view key, std::string_view instead) {
    for (const Member& m : entry.members()) {
      if (m.key.str() == key) {
        error(m.key, join(where, key),
              "secrets are not written in the routes file: use " + std::string(instead) + "Env (an environment variable) or " +
                  std::string(instead) + "File (a file)");
      }
    }
  }

  bool positive(const Node& node, const std::string& where, uint32_t max, uint32_t* out) {
    if (!node.isInt() || node.integer() < 1 || node.integer() > max) {
      error(node, where, "expected a number from 1 to " + std::to_string(max));
      return false;
    }
    *out = static_cast<uint32_t>(node.integer());
    return true;
  }
};

void readRoute(RoutesReader& r, const Node& entry, const std::string& where, Route* route) {
  route->line = entry.line();
  const Node* type = entry.get("type");
  std::string type_name;
  if (type == nullptr) {
    r.error(entry, where, "missing type (slack, jira, github or webhook)");
    return;
  }
  if (!r.string(*type, where + ".type", &type_name)) return;
  size_t t = 0;
  while (t < 4 && kTypeNames[t] != type_name) ++t;
  if (t == 4) {
    r.error(*type, where + ".type", "unknown route type \"" + type_name + "\" (expected slack, jira, github or webhook)");
    return;
  }
  route->type = static_cast<RouteType>(t);

  // Inline secrets first, so they are reported as such rather than as unknown keys.
  r.noInlineSecret(entry, where, "token", "token");
  r.noInlineSecret(entry, where, "password", "token");
  r.noInlineSecret(entry, where, "webhookUrl", "webhookUrl");
  r.noInlineSecret(entry, where, "secret", "secret");
  if (route->type == RouteType::kSlack) r.noInlineSecret(entry, where, "url", "webhookUrl");

  std::vector<std::string_view> keys = {"name", "type", "owners", "events", "minSeverity", "caFile",
                                        "token", "password", "webhookUrl", "secret"};
  switch (route->type) {
    case RouteType::kSlack:
      keys.insert(keys.end(), {"url", "webhookUrlEnv", "webhookUrlFile", "topFindings"});
      break;
    case RouteType::kJira:
      keys.insert(keys.end(), {"url", "apiVersion", "project", "issueType", "labels", "per", "email", "tokenEnv",
                               "tokenFile", "priorities", "resolveTransition", "reopenTransition"});
      break;
    case RouteType::kGithub:
      keys.insert(keys.end(), {"url", "repo", "tokenEnv", "tokenFile"});
      break;
    case RouteType::kWebhook:
      keys.insert(keys.end(), {"url", "urlEnv", "urlFile", "secretEnv", "secretFile", "headersFromEnv", "batchSize"});
      break;
  }
  for (const Member& m : entry.members()) {
    std::string_view key = m.key.str();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string list;
      for (std::string_view k : keys) {
        if (k == "token" || k == "password" || k == "webhookUrl" || k == "secret") continue;
        list += (list.empty() ? "" : ", ") + std::string(k);
      }
      r.error(m.key, ConfigReader::join(where, key), "unknown key for a " + type_name + " route (expected one of: " + list + ")");
    }
  }

  if (const Node* owners = entry.get("owners")) {
    route->owners = r.strings(*owners, where + ".owners");
    if (owners->isArray() && owners->items().empty()) r.error(*owners, where + ".owners", "an empty list would route nothing (omit owners for every owner)");
  }
  if (const Node* events = entry.get("events")) {
    std::fill(std::begin(route->events), std::end(route->events), false);
    std::vector<std::string> names = r.strings(*events, where + ".events");
    for (const std::string& name : names) {
      Lifecycle lifecycle;
      if (!parseLifecycle(name, &lifecycle) || lifecycle == Lifecycle::kOpen) {
        r.error(*events, where + ".events", "unknown event \"" + name + "\" (expected new, resolved or reopened)");
        continue;
      }
      route->events[static_cast<size_t>(lifecycle)] = true;
    }
    if (events->isArray() && names.empty()) r.error(*events, where + ".events", "an empty list would route nothing");
  }
  if (const Node* min = entry.get("minSeverity")) {
    std::string text;
    if (r.string(*min, where + ".minSeverity", &text) && !parseSeverity(text, &route->min_severity)) {
      r.error(*min, where + ".minSeverity", "unknown severity \"" + text + "\" (expected info, low, medium, high or critical)");
    }
  }
  if (const Node* n = entry.get("caFile")) r.string(*n, where + ".caFile", &route->ca_file);
  if (const Node* n = entry.get("url"); n != nullptr && route->type != RouteType::kSlack) {
    if (r.string(*n, where + ".url", &route->url) && !httpUrl(route->url)) {
      r.error(*n, where + ".url", "expected an http:// or https:// URL");
    }
    while (route->url.ends_with('/')) route->url.pop_back();
  }

  switch (route->type) {
    case RouteType::kSlack:
      r.secret(entry, where, "webhookUrl", &route->webhook_url);
      if (!route->webhook_url.given()) r.error(entry, where, "a slack route needs webhookUrlEnv or webhookUrlFile");
      if (const Node* n = entry.get("topFindings")) r.positive(*n, where + ".topFindings", 1000, &route->top_findings);
      break;
    case RouteType::kJira: {
      route->priorities = {{"critical", "Highest"}, {"high", "High"}, {"medium", "Medium"}, {"low", "Low"}, {"info", "Lowest"}};
      if (route->url.empty()) r.error(entry, where, "a jira route needs url (e.g. https://example.atlassian.net)");
      if (const Node* n = entry.get("apiVersion")) {
        if (!n->isInt() || (n->integer() != 2 && n->integer() != 3)) {
          r.error(*n, where + ".apiVersion", "expected 2 or 3");
        } else {
          route->api_version = static_cast<int>(n->integer());
        }
      }
      if (const Node* n = entry.get("project")) r.string(*n, where + ".project", &route->project);
      if (route->project.empty()) r.error(entry, where, "a jira route needs project (the project key)");
      if (const Node* n = entry.get("issueType")) r.string(*n, where + ".issueType", &route->issue_type);
      if (const Node* n = entry.get("labels")) {
        route->labels = r.strings(*n, where + ".labels");
        for (const std::string& label : route->labels) {
          if (label.empty() || label.find(' ') != std::string::npos) r.error(*n, where + ".labels", "Jira labels cannot be empty or hold spaces: \"" + label + "\"");
        }
      }
      if (const Node* n = entry.get("per")) {
        std::string per;
        if (r.string(*n, where + ".per", &per)) {
          if (per == "object") {
            route->per_object = true;
          } else if (per != "finding") {
            r.error(*n, where + ".per", "expected finding or object");
          }
        }
      }
      if (const Node* n = entry.get("email")) r.string(*n, where + ".email", &route->email);
      r.secret(entry, where, "token", &route->token);
      if (!route->token.given()) r.error(entry, where, "a jira route needs tokenEnv or tokenFile (an API token; with email: basic auth)");
      if (const Node* n = entry.get("priorities")) {
        if (n->isObject()) {
          route->priorities.clear();
          for (const Member& m : n->members()) {
            Severity s;
            std::string key(m.key.str()), value;
            if (!parseSeverity(key, &s)) r.error(m.key, where + ".priorities." + key, "unknown severity");
            if (r.string(m.value, where + ".priorities." + key, &value)) route->priorities[key] = value;
          }
        } else {
          r.error(*n, where + ".priorities", "expected a mapping from severity to Jira priority name ({} for none)");
        }
      }
      if (const Node* n = entry.get("resolveTransition")) route->resolve_transitions = r.strings(*n, where + ".resolveTransition");
      if (const Node* n = entry.get("reopenTransition")) route->reopen_transitions = r.strings(*n, where + ".reopenTransition");
      break;
    }
    case RouteType::kGithub:
      if (const Node* n = entry.get("repo")) {
        if (r.string(*n, where + ".repo", &route->repo) && route->repo.find('/') == std::string::npos) {
          r.error(*n, where + ".repo", "expected OWNER/NAME");
        }
      }
      r.secret(entry, where, "token", &route->token);
      break;
    case RouteType::kWebhook:
      r.secret(entry, where, "url", &route->url_secret);
      if (route->url.empty() == !route->url_secret.given()) {
        r.error(entry, where, "a webhook route needs url, or urlEnv/urlFile when the URL is a secret (one of them)");
      }
      r.secret(entry, where, "secret", &route->hmac_secret);
      if (const Node* n = entry.get("headersFromEnv")) {
        if (n->isObject()) {
          for (const Member& m : n->members()) {
            std::string name(m.key.str()), var;
            bool token_ok = !name.empty();
            for (char c : name) token_ok = token_ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
            if (!token_ok) r.error(m.key, where + ".headersFromEnv." + name, "not a valid header name");
            if (r.string(m.value, where + ".headersFromEnv." + name, &var)) route->headers_from_env.emplace_back(name, var);
          }
        } else {
          r.error(*n, where + ".headersFromEnv", "expected a mapping from header name to environment variable name");
        }
      }
      if (const Node* n = entry.get("batchSize")) r.positive(*n, where + ".batchSize", 10000, &route->batch_size);
      break;
  }
}

}  // namespace

std::string_view routeTypeName(RouteType type) { return kTypeNames[static_cast<size_t>(type)]; }

RoutesConfig parseRoutes(std::string_view path, std::string_view text, std::vector<ConfigError>* errors) {
  RoutesConfig config;
  config.path = std::string(path);
  LoadResult loaded = loadBuffer(path, text);
  for (const InputError& e : loaded.errors) errors->push_back({std::string(path), e.line, e.message});
  if (!loaded.errors.empty()) return config;
  if (loaded.documents.size() != 1 || loaded.documents[0].root() == nullptr || !loaded.documents[0].root()->isObject()) {
    errors->push_back({std::string(path), 1, "expected one YAML document: a mapping with routes:"});
    return config;
  }
  const Node& root = *loaded.documents[0].root();
  RoutesReader r(path, errors);
  r.expectKeys(root, "", {"routes"});
  const Node* routes = root.get("routes");
  if (routes == nullptr) {
    errors->push_back({std::string(path), root.line(), "missing routes: (a list of routes)"});
    return config;
  }
  if (!routes->isArray()) {
    r.error(*routes, "routes", "expected a list of routes, found " + ConfigReader::describe(*routes));
    return config;
  }
  std::set<std::string> names;
  uint32_t i = 0;
  for (const Node& entry : routes->items()) {
    std::string where = "routes[" + std::to_string(i++) + "]";
    if (!entry.isObject()) {
      r.error(entry, where, "expected a mapping, found " + ConfigReader::describe(entry));
      continue;
    }
    Route route;
    const Node* name = entry.get("name");
    if (name == nullptr) {
      r.error(entry, where, "missing name");
    } else if (r.string(*name, where + ".name", &route.name)) {
      if (!validName(route.name)) {
        r.error(*name, where + ".name", "a route name is 1-100 letters, digits, '-', '_' or '.'");
      } else if (!names.insert(route.name).second) {
        r.error(*name, where + ".name", "duplicate route name \"" + route.name + "\"");
      }
      where = "routes." + route.name;
    }
    readRoute(r, entry, where, &route);
    config.routes.push_back(std::move(route));
  }
  return config;
}

RoutesConfig loadRoutesFile(const std::string& path, std::vector<ConfigError>* errors) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    errors->push_back({path, 0, std::string("cannot read the routes file: ") + std::strerror(errno)});
    return RoutesConfig{path, {}};
  }
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && text.size() < (16u << 20)) text.append(buf, n);
  std::fclose(f);
  if (text.size() >= (16u << 20)) {
    errors->push_back({path, 0, "the routes file is larger than 16 MiB"});
    return RoutesConfig{path, {}};
  }
  return parseRoutes(path, text, errors);
}

}  // namespace kspm::routing
