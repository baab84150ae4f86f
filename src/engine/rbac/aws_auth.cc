// EKS aws-auth ConfigMap: IAM roles and users mapped to Kubernetes users and groups (include/kspm/rbac.h).
//
// Format (EKS docs, "Grant IAM users access to Kubernetes with a ConfigMap"): data.mapRoles and data.mapUsers
// are YAML strings holding a list of {rolearn|userarn, username, groups}; data.mapAccounts a list of account IDs
// (aws-iam-authenticator: an identity of such an account, mapped by no role/user entry, gets its ARN as username).
#include <algorithm>
#include <string>

#include "checks/common/fields.h"
#include "kspm/loader.h"
#include "kspm/rbac.h"

namespace kspm::rbac {
namespace {

using checks::field;

void parseMapping(const Object& config_map, std::string_view key, std::string_view arn_key, std::string_view kind,
                  std::vector<CloudIdentity>* out, std::vector<std::string>* errors) {
  const Node* value = field(config_map.root, {"data", key});
  if (value == nullptr || value->isNull()) return;
  std::string where = "aws-auth data." + std::string(key);
  if (!value->isString()) {
    errors->push_back(where + " is not a string");
    return;
  }
  std::string text(value->str());
  LoadResult loaded = loadBuffer(where, text);
  for (const InputError& e : loaded.errors) errors->push_back(where + ": " + e.message);
  for (const Document& document : loaded.documents) {
    const Node* root = document.root();
    if (root == nullptr || root->isNull()) continue;
    if (!root->isArray()) {
      errors->push_back(where + " is not a list");
      continue;
    }
    uint32_t index = 0;
    for (const Node& entry : root->items()) {
      std::string item = where + "[" + std::to_string(index++) + "]";
      if (!entry.isObject()) {
        errors->push_back(item + " is not a mapping");
        continue;
      }
      const Node* arn = field(&entry, arn_key);
      if (arn == nullptr || !arn->isString() || arn->str().empty()) {
        errors->push_back(item + " has no " + std::string(arn_key));
        continue;
      }
      CloudIdentity identity;
      identity.arn = std::string(arn->str());
      identity.kind = std::string(kind);
      identity.line = config_map.line;
      const Node* username = field(&entry, "username");
      if (username != nullptr && username->isString()) {
        identity.username = std::string(username->str());
      } else if (username != nullptr && !username->isNull()) {
        errors->push_back(item + " username is not a string");
      }
      const Node* groups = field(&entry, "groups");
      if (groups != nullptr && groups->isArray()) {
        for (const Node& g : groups->items()) {
          if (g.isString() && !g.str().empty()) {
            identity.groups.emplace_back(g.str());
          } else {
            errors->push_back(item + " has a group that is not a string");
          }
        }
      } else if (groups != nullptr && !groups->isNull()) {
        errors->push_back(item + " groups is not a list");
      }
      out->push_back(std::move(identity));
    }
  }
}

// data.mapAccounts: a YAML list of AWS account IDs (strings, or numbers when unquoted).
void parseAccounts(const Object& config_map, std::vector<CloudIdentity>* out, std::vector<std::string>* errors) {
  const Node* value = field(config_map.root, {"data", "mapAccounts"});
  if (value == nullptr || value->isNull()) return;
  const std::string where = "aws-auth data.mapAccounts";
  if (!value->isString()) {
    errors->push_back(where + " is not a string");
    return;
  }
  std::string text(value->str());
  LoadResult loaded = loadBuffer(where, text);
  for (const InputError& e : loaded.errors) errors->push_back(where + ": " + e.message);
  for (const Document& document : loaded.documents) {
    const Node* root = document.root();
    if (root == nullptr || root->isNull()) continue;
    if (!root->isArray()) {
      errors->push_back(where + " is not a list");
      continue;
    }
    uint32_t index = 0;
    for (const Node& entry : root->items()) {
      std::string item = where + "[" + std::to_string(index++) + "]";
      std::string account = entry.isString() ? std::string(entry.str()) : entry.isInt() ? entry.scalarText() : "";
      if (account.empty()) {
        errors->push_back(item + " is not an account ID");
        continue;
      }
      CloudIdentity identity;
      identity.arn = std::move(account);
      identity.kind = "account";
      identity.line = config_map.line;
      out->push_back(std::move(identity));
    }
  }
}

// The account ID of an IAM ARN (arn:PARTITION:iam::ACCOUNT:RESOURCE), or "" for anything else.
std::string_view iamAccountOf(std::string_view arn) {
  std::string_view parts[5];
  for (std::string_view& part : parts) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return {};
    part = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  if (parts[0] != "arn" || parts[1].empty() || parts[2] != "iam" || !parts[3].empty() || arn.empty()) return {};
  return parts[4];
}

}  // namespace

void parseAwsAuth(const Object& config_map, std::vector<CloudIdentity>* out, std::vector<std::string>* errors) {
  parseMapping(config_map, "mapRoles", "rolearn", "role", out, errors);
  parseMapping(config_map, "mapUsers", "userarn", "user", out, errors);
  parseAccounts(config_map, out, errors);
}

std::vector<const CloudIdentity*> Model::cloudIdentitiesOf(const Subject& subject) const {
  std::vector<const CloudIdentity*> out;
  for (const CloudIdentity& identity : cloud_identities_) {
    bool match = false;
    if (identity.kind == "account") {
      std::string_view account = subject.kind == "User" ? iamAccountOf(subject.name) : std::string_view();
      match = !account.empty() && account == identity.arn;
    } else if (subject.kind == "User") {
      match = !identity.username.empty() && identity.username == subject.name;
    } else if (subject.kind == "Group") {
      match = std::find(identity.groups.begin(), identity.groups.end(), subject.name) != identity.groups.end();
    }
    if (match) out.push_back(&identity);
  }
  return out;
}

const CloudIdentity* Model::findCloudIdentity(std::string_view arn) const {
  for (const CloudIdentity& identity : cloud_identities_) {
    if (identity.kind != "account" && identity.arn == arn) return &identity;
  }
  std::string_view account = iamAccountOf(arn);
  for (const CloudIdentity& identity : cloud_identities_) {
    if (identity.kind == "account" && !account.empty() && identity.arn == account) return &identity;
  }
  return nullptr;
}

}  // namespace kspm::rbac
