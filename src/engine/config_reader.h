// Reading a configuration mapping with errors as values: the part `.kspm.yaml`'s sections share
// (src/engine/config.cc, src/admission/policy.cc). Every error names the file, the line and the
// dotted key path; unknown keys are errors, so a typo never disables a setting silently.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/config.h"
#include "kspm/engine.h"
#include "kspm/node.h"

namespace kspm::config {

class ConfigReader {
 public:
  ConfigReader(std::string_view file, std::vector<ConfigError>* errors) : file_(file), errors_(errors) {}

  void error(const Node& at, const std::string& where, const std::string& message) {
    errors_->push_back({file_, at.line(), where.empty() ? message : where + ": " + message});
  }

  /** Errors for every member of `map` whose key is not in `known`. False if `map` is not a mapping. */
  bool expectKeys(const Node& map, const std::string& where, std::initializer_list<std::string_view> known) {
    if (!map.isObject()) {
      error(map, where, "expected a mapping, found " + describe(map));
      return false;
    }
    for (const Member& m : map.members()) {
      std::string_view key = m.key.str();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string list;
        for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        error(m.key, join(where, key), "unknown key (expected one of: " + list + ")");
      }
    }
    return true;
  }

  static std::string join(const std::string& where, std::string_view key) {
    return where.empty() ? std::string(key) : where + "." + std::string(key);
  }

  bool string(const Node& node, const std::string& where, std::string* out) {
    if (!node.isString()) {
      error(node, where, "expected a string, found " + describe(node));
      return false;
    }
    *out = std::string(node.str());
    return true;
  }

  /** A list of strings; a single string is accepted as a list of one. */
  std::vector<std::string> strings(const Node& node, const std::string& where) {
    std::vector<std::string> out;
    if (node.isString()) {
      out.emplace_back(node.str());
      return out;
    }
    if (!node.isArray()) {
      error(node, where, "expected a list of strings, found " + describe(node));
      return out;
    }
    uint32_t i = 0;
    for (const Node& item : node.items()) {
      std::string s;
      if (string(item, where + "[" + std::to_string(i) + "]", &s)) out.push_back(std::move(s));
      ++i;
    }
    return out;
  }

  /**
   * The `matchLabels` and `matchExpressions` of a metav1.LabelSelector in `node` (the caller
   * checks the mapping's keys) into `out->match_labels` / `out->match_expressions` (an
   * ObjectMatcher or anything with those members). Operators: In, NotIn (with values), Exists,
   * DoesNotExist (without). False after any error; the errors name file, line and key path.
   */
  template <typename Selector>
  bool labelSelector(const Node& node, const std::string& where, Selector* out) {
    bool ok = true;
    if (const Node* labels = node.get("matchLabels")) {
      if (!labels->isObject()) {
        error(*labels, where + ".matchLabels", "expected a mapping of label keys to values");
        ok = false;  // matchExpressions are still checked, so every error is reported at once
      } else {
        for (const Member& l : labels->members()) {
          std::string value;
          if (string(l.value, join(where + ".matchLabels", l.key.str()), &value)) {
            out->match_labels.emplace_back(std::string(l.key.str()), value);
          } else {
            ok = false;
          }
        }
      }
    }
    if (const Node* expressions = node.get("matchExpressions")) {
      if (!expressions->isArray()) {
        error(*expressions, where + ".matchExpressions", "expected a list");
        return false;
      }
      uint32_t i = 0;
      for (const Node& e : expressions->items()) {
        std::string at = where + ".matchExpressions[" + std::to_string(i++) + "]";
        if (!expectKeys(e, at, {"key", "operator", "values"})) {
          ok = false;
          continue;
        }
        ObjectMatcher::Expression x;
        const Node* key = e.get("key");
        const Node* op = e.get("operator");
        if (key == nullptr) {
          error(e, at, "missing `key`");
          ok = false;
          continue;
        }
        if (!string(*key, at + ".key", &x.key)) {
          ok = false;
          continue;
        }
        if (op == nullptr || !op->isString() ||
            (op->str() != "In" && op->str() != "NotIn" && op->str() != "Exists" && op->str() != "DoesNotExist")) {
          error(op != nullptr ? *op : e, at + ".operator", "expected In, NotIn, Exists or DoesNotExist");
          ok = false;
          continue;
        }
        x.op = std::string(op->str());
        if (const Node* values = e.get("values")) x.values = strings(*values, at + ".values");
        bool needs_values = x.op == "In" || x.op == "NotIn";
        if (needs_values == x.values.empty()) {
          error(e, at, needs_values ? "In and NotIn need values" : "Exists and DoesNotExist take no values");
          ok = false;
          continue;
        }
        out->match_expressions.push_back(std::move(x));
      }
    }
    return ok;
  }

  /** What a node is, for messages: "a list", "the boolean true (quote it to make it a string)". */
  static std::string describe(const Node& node) {
    if (node.isNull()) return "nothing (null)";
    if (node.isArray()) return "a list";
    if (node.isObject()) return "a mapping";
    if (node.isString()) return "a string";
    return "the " + std::string(node.isBool() ? "boolean" : "number") + " " + node.scalarText() +
           " (quote it to make it a string)";
  }

 protected:
  std::string file_;
  std::vector<ConfigError>* errors_;
};

}  // namespace kspm::config
