#include "kspm/config.h"

#include <filesystem>
#include <set>

#include "checks/api/api_versions.h"
#include "checks/pss/pss_policy.h"
#include "engine/config_reader.h"
#include "kspm/admission.h"
#include "kspm/loader.h"
#include "kspm/owners.h"

namespace kspm {
namespace {

/** Reads one config document, collecting errors; `where` is the dotted key path for messages. */
class Reader : public config::ConfigReader {
 public:
  Reader(std::string_view file, const Catalog& catalog, std::vector<ConfigError>* errors)
      : ConfigReader(file, errors), catalog_(catalog) {}

  /** A check ID or glob that must name at least one catalog check. */
  bool checkPattern(const Node& at, const std::string& where, const std::string& pattern) {
    for (const Check* check : catalog_.all()) {
      if (globMatch(pattern, check->info().id)) return true;
    }
    error(at, where, "\"" + pattern + "\" matches no check (see `kspm checks`)");
    return false;
  }

  std::vector<PolicyException> exceptions(const Node& list, const std::string& where) {
    std::vector<PolicyException> out;
    if (!list.isArray()) {
      error(list, where, "expected a list of exceptions");
      return out;
    }
    uint32_t index = 0;
    for (const Node& item : list.items()) {
      std::string at = where + "[" + std::to_string(index++) + "]";
      if (!expectKeys(item, at, {"checks", "objects", "reason", "expires"})) continue;
      PolicyException e;
      e.source = file_ + ":" + std::to_string(item.line());
      bool ok = true;
      if (const Node* checks = item.get("checks")) {
        uint32_t i = 0;
        for (std::string& c : strings(*checks, at + ".checks")) {
          const Node& node = checks->isArray() ? checks->items()[i] : *checks;
          if (!checkPattern(node, at + ".checks", c)) ok = false;
          e.checks.push_back(std::move(c));
          ++i;
        }
      }
      if (e.checks.empty()) {
        error(item, at, "an exception needs `checks`: the check IDs (or globs) it covers");
        ok = false;
      }
      if (const Node* objects = item.get("objects"); objects != nullptr && objects->isArray()) {
        uint32_t i = 0;
        for (const Node& o : objects->items()) {
          std::string oat = at + ".objects[" + std::to_string(i++) + "]";
          if (!expectKeys(o, oat, {"kind", "namespace", "name", "selector"})) {
            ok = false;
            continue;
          }
          ObjectMatcher m;
          if (const Node* v = o.get("kind")) ok &= string(*v, oat + ".kind", &m.kind);
          if (const Node* v = o.get("namespace")) ok &= string(*v, oat + ".namespace", &m.namespace_);
          if (const Node* v = o.get("name")) ok &= string(*v, oat + ".name", &m.name);
          if (const Node* v = o.get("selector")) ok &= selector(*v, oat + ".selector", &m);
          e.objects.push_back(std::move(m));
        }
      } else if (objects != nullptr) {
        error(*objects, at + ".objects", "expected a list of object patterns (kind, namespace, name, selector)");
        ok = false;
      }
      if (e.objects.empty()) {
        error(item, at, "an exception needs `objects`: which objects it covers (use `- name: \"*\"` for all)");
        ok = false;
      }
      if (const Node* reason = item.get("reason")) ok &= string(*reason, at + ".reason", &e.reason);
      if (e.reason.empty()) {
        error(item, at, "an exception needs a `reason`");
        ok = false;
      }
      if (const Node* expires = item.get("expires")) {
        if (!string(*expires, at + ".expires", &e.expires) || !isDate(e.expires)) {
          error(*expires, at + ".expires", "expected a date YYYY-MM-DD");
          ok = false;
        }
      }
      if (ok) out.push_back(std::move(e));
    }
    return out;
  }

  bool selector(const Node& node, const std::string& where, ObjectMatcher* m) {
    if (!expectKeys(node, where, {"matchLabels", "matchExpressions"})) return false;
    return labelSelector(node, where, m);
  }

  /** `owners.rules` / an owners file's `rules`: [{team, namespaces, paths, kind, name, selector}]. */
  std::vector<OwnerRule> ownerRules(const Node& list, const std::string& where) {
    std::vector<OwnerRule> out;
    if (!list.isArray()) {
      error(list, where, "expected a list of rules ({team, namespaces, paths, kind, name, selector})");
      return out;
    }
    uint32_t index = 0;
    for (const Node& item : list.items()) {
      std::string at = where + "[" + std::to_string(index++) + "]";
      if (!expectKeys(item, at, {"team", "namespaces", "paths", "kind", "name", "selector"})) continue;
      OwnerRule rule;
      rule.source = file_ + ":" + std::to_string(item.line());
      bool ok = true;
      if (const Node* team = item.get("team")) {
        ok &= string(*team, at + ".team", &rule.team);
        if (ok && rule.team.find_first_not_of(" \t") == std::string::npos) {
          error(*team, at + ".team", "the team name is empty");
          ok = false;
        }
      } else {
        error(item, at, "a rule needs `team`: the owner of the objects it matches");
        ok = false;
      }
      auto patterns = [&](const char* key, std::vector<std::string>* dst) {
        if (const Node* v = item.get(key)) {
          size_t errors_before = errors_->size();
          *dst = strings(*v, at + "." + key);
          if (errors_->size() != errors_before) {
            ok = false;
          } else if (dst->empty()) {
            error(*v, at + "." + key, "expected at least one pattern");
            ok = false;
          }
        }
      };
      patterns("namespaces", &rule.namespaces);
      patterns("paths", &rule.paths);
      if (const Node* v = item.get("kind")) ok &= string(*v, at + ".kind", &rule.object.kind);
      if (const Node* v = item.get("name")) ok &= string(*v, at + ".name", &rule.object.name);
      const Node* sel = item.get("selector");
      if (sel != nullptr) ok &= selector(*sel, at + ".selector", &rule.object);
      bool has_condition = false;
      for (const char* key : {"namespaces", "paths", "kind", "name", "selector"}) has_condition |= item.get(key) != nullptr;
      if (!has_condition) {
        error(item, at, "a rule needs at least one of namespaces, paths, kind, name or selector");
        ok = false;
      }
      if (ok) out.push_back(std::move(rule));
    }
    return out;
  }

  /** The `owners:` section of the config. */
  std::shared_ptr<const OwnersConfig> owners(const Node& node, const std::string& config_path) {
    if (!expectKeys(node, "owners", {"keys", "order", "file", "rules"})) return nullptr;
    auto out = std::make_shared<OwnersConfig>();
    if (const Node* keys = node.get("keys")) {
      out->keys = strings(*keys, "owners.keys");
      if (out->keys.empty() && keys->isArray()) {
        error(*keys, "owners.keys", "an empty list reads no label (write the keys, or drop `keys` for the defaults)");
      }
    }
    if (const Node* order = node.get("order")) {
      out->order.clear();
      uint32_t i = 0;
      for (const std::string& name : strings(*order, "owners.order")) {
        const Node& at = order->isArray() ? order->items()[i] : *order;
        ++i;
        OwnerSource source;
        if (!parseOwnerSource(name, &source)) {
          error(at, "owners.order", "unknown source \"" + name + "\" (labels, namespace or file)");
        } else if (std::find(out->order.begin(), out->order.end(), source) != out->order.end()) {
          error(at, "owners.order", "\"" + name + "\" is listed twice");
        } else {
          out->order.push_back(source);
        }
      }
      if (out->order.empty()) error(*order, "owners.order", "expected a list of labels, namespace and file");
    }
    if (const Node* file = node.get("file")) {
      std::string name;
      if (string(*file, "owners.file", &name)) {
        if (name.empty()) {
          error(*file, "owners.file", "expected a file name");
        } else {
          std::filesystem::path p(name);
          if (p.is_relative()) p = std::filesystem::path(config_path).parent_path() / p;
          out->file = p.lexically_normal().string();
        }
      }
    }
    if (const Node* rules = node.get("rules")) out->rules = ownerRules(*rules, "owners.rules");
    return out;
  }

  static bool isDate(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
      if (s[i] < '0' || s[i] > '9') return false;
    }
    int month = (s[5] - '0') * 10 + (s[6] - '0');
    int day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
  }

  const Catalog& catalog_;
};

const Node* loadRoot(std::string_view path, std::string_view text, std::vector<ConfigError>* errors,
                     LoadResult* loaded) {
  *loaded = loadBuffer(path, text);
  for (const InputError& e : loaded->errors) errors->push_back({std::string(path), e.line, e.message});
  if (!loaded->errors.empty()) return nullptr;
  if (loaded->documents.size() != 1 || loaded->documents[0].root() == nullptr) {
    errors->push_back({std::string(path), 1, "expected exactly one YAML document with a mapping"});
    return nullptr;
  }
  const Node* root = loaded->documents[0].root();
  if (!root->isObject()) {
    errors->push_back({std::string(path), root->line(), "expected a mapping at the top level"});
    return nullptr;
  }
  return root;
}

}  // namespace

std::string describeConfigError(const ConfigError& error) {
  return error.file + ":" + std::to_string(error.line) + ": " + error.message;
}

bool globMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Config parseConfig(std::string_view path, std::string_view text, const Catalog& catalog,
                   std::vector<ConfigError>* errors) {
  Config config;
  config.path = std::string(path);
  LoadResult loaded;
  const Node* root = loadRoot(path, text, errors, &loaded);
  if (root == nullptr) return config;
  Reader r(path, catalog, errors);
  r.expectKeys(*root, "",
               {"checks", "namespaces", "workloads", "exceptions", "framework", "k8sVersion", "pssVersion", "failOn",
                "admission", "owners"});

  if (const Node* checks = root->get("checks"); checks != nullptr && r.expectKeys(*checks, "checks", {"enable", "disable", "severity", "parameters"})) {
    if (const Node* enable = checks->get("enable")) {
      uint32_t i = 0;
      std::vector<std::string> ids = r.strings(*enable, "checks.enable");
      if (ids.empty() && enable->isArray()) r.error(*enable, "checks.enable", "an empty list would run no check");
      for (std::string& id : ids) {
        const Node& at = enable->isArray() ? enable->items()[i] : *enable;
        ++i;
        if (r.checkPattern(at, "checks.enable", id)) {
          for (const Check* check : catalog.all()) {
            if (globMatch(id, check->info().id)) config.enabled_checks.emplace_back(check->info().id);
          }
        }
      }
    }
    if (const Node* disable = checks->get("disable")) {
      uint32_t i = 0;
      for (std::string& id : r.strings(*disable, "checks.disable")) {
        const Node& at = disable->isArray() ? disable->items()[i] : *disable;
        ++i;
        if (r.checkPattern(at, "checks.disable", id)) {
          for (const Check* check : catalog.all()) {
            if (globMatch(id, check->info().id)) config.disabled_checks.emplace_back(check->info().id);
          }
        }
      }
    }
    const Node* severity = checks->get("severity");
    if (severity != nullptr && !severity->isObject()) {
      r.error(*severity, "checks.severity", "expected a mapping of check IDs to severities");
    } else if (severity != nullptr) {
      for (const Member& m : severity->members()) {
        std::string where = "checks.severity." + std::string(m.key.str());
        std::string id(m.key.str());
        if (catalog.find(id) == nullptr) {
          r.error(m.key, where, "unknown check ID (see `kspm checks`)");
          continue;
        }
        std::string level;
        Severity s;
        if (!r.string(m.value, where, &level)) continue;
        if (!parseSeverity(level, &s)) {
          r.error(m.value, where, "expected info, low, medium, high or critical");
          continue;
        }
        config.severity_overrides.emplace_back(id, s);
      }
    }
    if (const Node* params = checks->get("parameters")) {
      if (!params->isObject()) {
        r.error(*params, "checks.parameters", "expected a mapping of parameter names to lists of values");
      } else {
        std::set<std::string_view> known;
        for (const Check* check : catalog.all()) {
          for (const ParameterInfo& p : check->info().parameters) known.insert(p.name);
        }
        for (const Member& m : params->members()) {
          std::string where = "checks.parameters." + std::string(m.key.str());
          if (known.count(m.key.str()) == 0) {
            std::string list;
            for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
            r.error(m.key, where, "unknown parameter (known: " + (list.empty() ? std::string("none") : list) + ")");
            continue;
          }
          config.parameters.emplace_back(std::string(m.key.str()), r.strings(m.value, where));
        }
      }
    }
  }
  if (const Node* ns = root->get("namespaces"); ns != nullptr && r.expectKeys(*ns, "namespaces", {"include", "exclude"})) {
    if (const Node* v = ns->get("include")) config.namespace_include = r.strings(*v, "namespaces.include");
    if (const Node* v = ns->get("exclude")) config.namespace_exclude = r.strings(*v, "namespaces.exclude");
  }
  if (const Node* workloads = root->get("workloads")) {
    if (!workloads->isArray()) {
      r.error(*workloads, "workloads", "expected a list of {apiVersion, kind, podSpec, podMetadata, containers}");
    } else {
      uint32_t i = 0;
      for (const Node& w : workloads->items()) {
        std::string at = "workloads[" + std::to_string(i++) + "]";
        if (!r.expectKeys(w, at, {"apiVersion", "kind", "podSpec", "podMetadata", "containers"})) continue;
        checks::WorkloadKind kind;
        std::string api_version;
        bool ok = true;
        const Node* av = w.get("apiVersion");
        const Node* k = w.get("kind");
        const Node* spec = w.get("podSpec");
        if (av == nullptr || k == nullptr || spec == nullptr) {
          r.error(w, at, "needs apiVersion (or group/version), kind and podSpec");
          continue;
        }
        ok &= r.string(*av, at + ".apiVersion", &api_version);
        ok &= r.string(*k, at + ".kind", &kind.kind);
        ok &= r.string(*spec, at + ".podSpec", &kind.pod_spec);
        if (const Node* meta = w.get("podMetadata")) ok &= r.string(*meta, at + ".podMetadata", &kind.metadata);
        if (const Node* containers = w.get("containers")) kind.containers = r.strings(*containers, at + ".containers");
        size_t slash = api_version.find('/');
        kind.group = slash == std::string::npos ? std::string() : api_version.substr(0, slash);
        if (ok && kind.group.empty()) {
          r.error(*av, at + ".apiVersion", "custom resources have a group: write group/version, e.g. example.com/v1");
          ok = false;
        }
        if (ok) config.workload_kinds.push_back(std::move(kind));
      }
    }
  }
  if (const Node* exceptions = root->get("exceptions")) config.exceptions = r.exceptions(*exceptions, "exceptions");
  if (const Node* framework = root->get("framework")) {
    std::vector<Framework> list;
    std::string bad, joined;
    for (const std::string& s : r.strings(*framework, "framework")) joined += (joined.empty() ? "" : ",") + s;
    if (!joined.empty()) {
      if (parseFrameworkList(joined, &list, &bad)) {
        config.frameworks = list;
      } else {
        r.error(*framework, "framework", "unknown framework \"" + bad + "\" (all, cis, nsa, pss-baseline, pss-restricted)");
      }
    }
  }
  if (const Node* v = root->get("k8sVersion")) {
    std::string s;
    uint32_t minor = 0;
    if (r.string(*v, "k8sVersion", &s)) {
      if (checks::api::parseK8sVersion(s, &minor)) {
        config.k8s_minor = minor;
      } else {
        r.error(*v, "k8sVersion", "expected a Kubernetes version such as \"1.32\"");
      }
    }
  }
  if (const Node* v = root->get("pssVersion")) {
    std::string s;
    uint32_t minor = 0;
    if (r.string(*v, "pssVersion", &s)) {
      if (checks::pss::parsePssVersion(s, &minor)) {
        config.pss_minor = minor;
      } else {
        r.error(*v, "pssVersion", "expected latest or v1.0 to v1." + std::to_string(kPssLatestMinor));
      }
    }
  }
  if (const Node* v = root->get("failOn")) {
    std::string s;
    Severity sev;
    if (r.string(*v, "failOn", &s)) {
      if (s == "none" || parseSeverity(s, &sev)) {
        config.fail_on = s;
      } else {
        r.error(*v, "failOn", "expected info, low, medium, high, critical or none");
      }
    }
  }
  if (const Node* v = root->get("admission")) {
    config.admission = std::make_shared<const admission::AdmissionPolicy>(
        admission::parseAdmissionPolicy(config.path, *v, errors));
  }
  if (const Node* v = root->get("owners")) config.owners = r.owners(*v, config.path);
  return config;
}

std::vector<OwnerRule> parseOwnersFile(std::string_view path, std::string_view text, std::vector<ConfigError>* errors) {
  LoadResult loaded;
  const Node* root = loadRoot(path, text, errors, &loaded);
  if (root == nullptr) return {};
  Reader r(path, Catalog::builtin(), errors);
  r.expectKeys(*root, "", {"rules"});
  const Node* list = root->get("rules");
  if (list == nullptr) {
    errors->push_back({std::string(path), root->line(), "expected a top-level `rules:` list"});
    return {};
  }
  return r.ownerRules(*list, "rules");
}

std::vector<PolicyException> parseExceptions(std::string_view path, std::string_view text, const Catalog& catalog,
                                             std::vector<ConfigError>* errors) {
  LoadResult loaded;
  const Node* root = loadRoot(path, text, errors, &loaded);
  if (root == nullptr) return {};
  Reader r(path, catalog, errors);
  r.expectKeys(*root, "", {"exceptions"});
  const Node* list = root->get("exceptions");
  if (list == nullptr) {
    errors->push_back({std::string(path), root->line(), "expected a top-level `exceptions:` list"});
    return {};
  }
  return r.exceptions(*list, "exceptions");
}

void applyConfig(const Config& config, ScanPolicy* policy) {
  for (const std::string& id : config.disabled_checks) policy->disabled_checks.push_back(id);
  for (const std::string& id : config.enabled_checks) policy->enabled_checks.push_back(id);
  for (const auto& [id, severity] : config.severity_overrides) policy->severity_overrides[id] = severity;
  for (const auto& [name, values] : config.parameters) policy->parameters.set(name, values);
  policy->namespace_include.insert(policy->namespace_include.end(), config.namespace_include.begin(),
                                   config.namespace_include.end());
  policy->namespace_exclude.insert(policy->namespace_exclude.end(), config.namespace_exclude.begin(),
                                   config.namespace_exclude.end());
  // Configured kinds come first so they can redefine a default one.
  policy->workload_kinds.insert(policy->workload_kinds.begin(), config.workload_kinds.begin(),
                                config.workload_kinds.end());
  policy->exceptions.insert(policy->exceptions.end(), config.exceptions.begin(), config.exceptions.end());
  if (config.frameworks) policy->frameworks = *config.frameworks;
  if (config.k8s_minor) {
    policy->k8s_minor = *config.k8s_minor;
    policy->k8s_default = false;
  }
  if (config.pss_minor) {
    policy->pss_minor = *config.pss_minor;
    policy->pss_latest = false;
  }
}

std::string findConfigFile(const std::string& start_dir) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(start_dir, ec);
  if (ec) return {};
  while (true) {
    for (const char* name : {".kspm.yaml", ".kspm.yml"}) {
      std::filesystem::path candidate = dir / name;
      if (std::filesystem::is_regular_file(candidate, ec)) return candidate.string();
    }
    if (!dir.has_parent_path() || dir.parent_path() == dir) return {};
    dir = dir.parent_path();
  }
}

}  // namespace kspm
