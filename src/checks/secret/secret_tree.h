// Walking a node tree for credentials, shared by secret-in-annotation (the JSON inside
// kubectl.kubernetes.io/last-applied-configuration) and secret-in-custom-resource.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "checks/common/secret_detect.h"
#include "kspm/node.h"

namespace kspm::checks::secret {

struct TreeSecret {
  const Node* node = nullptr;  // the string value holding the secret
  std::string path;            // e.g. "spec.auth.password", "spec.env[0].value"
  std::string field;           // the same with list items by name: "spec.env[DB_PASSWORD].value"
  SecretHit hit;
};

struct TreeWalkLimits {
  uint32_t max_depth = 24;      // nesting below the start node
  uint32_t max_strings = 20000;  // string values looked at
  uint32_t max_hits = 20;       // findings returned
};

/**
 * Every string value under `node` that detectSecret finds a credential in, judged by its key (for
 * `{name: X, value: Y}` items, such as env vars, by X). Subtrees whose node is in `skip` are not
 * entered. Multi-line strings are scanned as files (detectSecretInText).
 */
std::vector<TreeSecret> findSecretsInTree(const Node& node, const std::string& path,
                                          const std::vector<const Node*>& skip = {},
                                          const TreeWalkLimits& limits = {});

}  // namespace kspm::checks::secret
