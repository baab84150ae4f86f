#include "checks/secret/secret_tree.h"

#include <algorithm>

#include "checks/common/fields.h"

namespace kspm::checks::secret {
namespace {

struct Walker {
  const std::vector<const Node*>& skip;
  const TreeWalkLimits& limits;
  std::vector<TreeSecret> found;
  uint32_t strings = 0;

  bool done() const { return found.size() >= limits.max_hits || strings >= limits.max_strings; }

  void visitString(const Node& value, std::string_view key, const std::string& path, const std::string& field) {
    ++strings;
    std::string_view text = value.str();
    SecretHit hit = detectSecret(key, text);
    if (!hit && text.find('\n') != std::string_view::npos) hit = detectSecretInText(text).hit;
    if (hit) found.push_back({&value, path, field, hit});
  }

  void walk(const Node& node, std::string_view key, const std::string& path, const std::string& field,
            uint32_t depth) {
    if (done() || depth > limits.max_depth) return;
    if (std::find(skip.begin(), skip.end(), &node) != skip.end()) return;
    if (node.isString()) {
      visitString(node, key, path, field);
    } else if (node.isArray()) {
      uint32_t index = 0;
      for (const Node& item : node.items()) {
        walk(item, key, path + "[" + std::to_string(index) + "]", field + "[" + itemKey(item, index) + "]",
             depth + 1);
        ++index;
        if (done()) return;
      }
    } else if (node.isObject()) {
      // {name: X, value: Y} (env vars, Helm-style parameter lists): Y is judged by X.
      const Node* name = node.get("name");
      const Node* value = node.get("value");
      bool pair = name != nullptr && name->isString() && value != nullptr && value->isString();
      for (const Member& m : node.members()) {
        std::string_view member_key = m.key.str();
        std::string member_path = path.empty() ? std::string(member_key) : path + "." + std::string(member_key);
        std::string member_field = field.empty() ? std::string(member_key) : field + "." + std::string(member_key);
        if (pair && &m.value == value) {
          if (std::find(skip.begin(), skip.end(), value) == skip.end()) {
            visitString(*value, name->str(), member_path, member_field);
          }
        } else {
          walk(m.value, member_key, member_path, member_field, depth + 1);
        }
        if (done()) return;
      }
    }
  }
};

}  // namespace

std::vector<TreeSecret> findSecretsInTree(const Node& node, const std::string& path,
                                          const std::vector<const Node*>& skip, const TreeWalkLimits& limits) {
  Walker walker{skip, limits, {}, 0};
  walker.walk(node, "", path, path, 0);
  return std::move(walker.found);
}

}  // namespace kspm::checks::secret
