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
