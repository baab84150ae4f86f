// The `admission:` section of .kspm.yaml: modes, severities, Pod Security levels per namespace,
// exemptions. Errors name the file, the line and the dotted key, like the rest of config.cc.
#include <algorithm>

#include "checks/pss/pss_policy.h"
#include "kspm/admission.h"

#include "engine/config_reader.h"

namespace kspm::admission {

std::string_view modeName(Mode mode) {
  switch (mode) {
    case Mode::kEnforce: return "enforce";
    case Mode::kWarn: return "warn";
    case Mode::kAudit: return "audit";
  }
  return "enforce";
}

std::string_view decisionName(Outcome::Decision decision) {
  switch (decision) {
    case Outcome::Decision::kAllowed: return "allowed";
    case Outcome::Decision::kDenied: return "denied";
    case Outcome::Decision::kWarned: return "warned";
    case Outcome::Decision::kAudited: return "audited";
    case Outcome::Decision::kExempt: return "exempt";
    case Outcome::Decision::kNotCovered: return "not-covered";
    case Outcome::Decision::kMalformed: return "malformed";
  }
  return "allowed";
}

namespace {

class PolicyReader : public config::ConfigReader {
 public:
  PolicyReader(const std::string& file, std::vector<ConfigError>* errors) : ConfigReader(file, errors) {}

  /** mode, enforceSeverity and podSecurity of `node` (defaults or a namespace rule) into `policy`. */
  void namespacePolicy(const Node& node, const std::string& where, NamespacePolicy* policy) {
    if (const Node* v = node.get("mode")) {
      std::string s;
      if (string(*v, where + ".mode", &s)) {
        if (s == "enforce") {
          policy->mode = Mode::kEnforce;
        } else if (s == "warn") {
          policy->mode = Mode::kWarn;
        } else if (s == "audit") {
          policy->mode = Mode::kAudit;
        } else {
          error(*v, where + ".mode", "expected enforce, warn or audit");
        }
      }
    }
    if (const Node* v = node.get("enforceSeverity")) {
      std::string s;
      if (string(*v, where + ".enforceSeverity", &s) && !parseSeverity(s, &policy->enforce_severity)) {
        error(*v, where + ".enforceSeverity", "expected info, low, medium, high or critical");
      }
    }
    if (const Node* pss = node.get("podSecurity");
        pss != nullptr && expectKeys(*pss, where + ".podSecurity", {"level", "version"})) {
      if (const Node* v = pss->get("level")) {
        std::string s;
        if (string(*v, where + ".podSecurity.level", &s)) {
          if (s == "privileged") {
            policy->pss_level = PssLevel::kNone;
          } else if (s == "baseline") {
            policy->pss_level = PssLevel::kBaseline;
          } else if (s == "restricted") {
            policy->pss_level = PssLevel::kRestricted;
          } else {
            error(*v, where + ".podSecurity.level", "expected privileged, baseline or restricted");
          }
        }
      }
      if (const Node* v = pss->get("version")) {
        std::string s;
        uint32_t minor = 0;
        if (string(*v, where + ".podSecurity.version", &s)) {
          if (checks::pss::parsePssVersion(s, &minor)) {
            policy->pss_minor = minor;
            policy->pss_latest = s == "latest";
          } else {
            error(*v, where + ".podSecurity.version",
                  "expected latest or v1.0 to v1." + std::to_string(kPssLatestMinor));
          }
        }
      }
    }
  }

  bool selector(const Node& node, const std::string& where, NamespaceSelector* out) {
    if (!expectKeys(node, where, {"names", "matchLabels", "matchExpressions"})) return false;
    bool ok = true;
    if (const Node* v = node.get("names")) out->names = strings(*v, where + ".names");
    if (!labelSelector(node, where, out)) ok = false;
    if (ok && out->names.empty() && out->match_labels.empty() && out->match_expressions.empty()) {
      error(node, where, "an empty match would cover every namespace; give names, matchLabels or matchExpressions");
      ok = false;
    }
    return ok;
  }
};

}  // namespace

AdmissionPolicy parseAdmissionPolicy(const std::string& file, const Node& node, std::vector<ConfigError>* errors) {
  AdmissionPolicy policy;
  PolicyReader r(file, errors);
  const std::string root = "admission";
  if (!r.expectKeys(node, root,
                    {"mode", "enforceSeverity", "podSecurity", "exempt", "maxWarnings", "namespaces"})) {
    return policy;
  }
  r.namespacePolicy(node, root, &policy.defaults);
  if (const Node* exempt = node.get("exempt");
      exempt != nullptr && r.expectKeys(*exempt, root + ".exempt", {"namespaces", "users", "groups"})) {
    if (const Node* v = exempt->get("namespaces")) policy.exempt_namespaces = r.strings(*v, root + ".exempt.namespaces");
    if (const Node* v = exempt->get("users")) policy.exempt_users = r.strings(*v, root + ".exempt.users");
    if (const Node* v = exempt->get("groups")) policy.exempt_groups = r.strings(*v, root + ".exempt.groups");
  }
  if (const Node* v = node.get("maxWarnings")) {
    if (!v->isInt() || v->integer() < 0 || v->integer() > 100) {
      r.error(*v, root + ".maxWarnings", "expected a number from 0 to 100");
    } else {
      policy.max_warnings = static_cast<size_t>(v->integer());
    }
  }
  if (const Node* list = node.get("namespaces")) {
    if (!list->isArray()) {
      r.error(*list, root + ".namespaces", "expected a list of {match, mode, enforceSeverity, podSecurity}");
      return policy;
    }
    uint32_t i = 0;
    for (const Node& item : list->items()) {
      std::string at = root + ".namespaces[" + std::to_string(i++) + "]";
      if (!r.expectKeys(item, at, {"match", "mode", "enforceSeverity", "podSecurity"})) continue;
      NamespaceRule rule;
      rule.policy = policy.defaults;  // unset fields inherit the defaults
      rule.source = file + ":" + std::to_string(item.line());
      const Node* match = item.get("match");
      if (match == nullptr) {
        r.error(item, at, "a namespace rule needs `match` (names, matchLabels or matchExpressions)");
        continue;
      }
      if (!r.selector(*match, at + ".match", &rule.selector)) continue;
      r.namespacePolicy(item, at, &rule.policy);
      policy.namespaces.push_back(std::move(rule));
    }
  }
  return policy;
}

}  // namespace kspm::admission
