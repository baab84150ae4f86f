// Admin-equivalent AWS principals from `aws iam get-account-authorization-details` JSON.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "kspm/graph.h"

namespace kspm::graph {

namespace {

constexpr std::string_view kAdministratorAccess = "arn:aws:iam::aws:policy/AdministratorAccess";

std::string urlDecode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else if (in[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

bool isStar(const rapidjson::Value& v) {
  if (v.IsString()) return std::string_view(v.GetString()) == "*";
  if (v.IsArray()) {
    for (const auto& x : v.GetArray()) {
      if (x.IsString() && std::string_view(x.GetString()) == "*") return true;
    }
  }
  return false;
}

/** A policy document (object, or URL-encoded JSON text as the raw API returns it) allowing * on *. */
bool grantsEverything(const rapidjson::Value& document) {
  rapidjson::Document parsed;
  const rapidjson::Value* doc = &document;
  if (document.IsString()) {
    std::string text = urlDecode(document.GetString());
    parsed.Parse(text.c_str());
    if (parsed.HasParseError()) return false;
    doc = &parsed;
  }
  if (!doc->IsObject() || !doc->HasMember("Statement")) return false;
  const rapidjson::Value& statements = (*doc)["Statement"];
  auto check = [](const rapidjson::Value& s) {
    if (!s.IsObject()) return false;
    auto effect = s.FindMember("Effect");
    if (effect == s.MemberEnd() || !effect->value.IsString() || std::string_view(effect->value.GetString()) != "Allow") return false;
    auto action = s.FindMember("Action");
    auto resource = s.FindMember("Resource");
    return action != s.MemberEnd() && resource != s.MemberEnd() && isStar(action->value) && isStar(resource->value);
  };
  if (statements.IsArray()) {
    for (const auto& s : statements.GetArray()) {
      if (check(s)) return true;
    }
    return false;
  }
  return check(statements);
}

}  // namespace

Result<std::vector<std::string>> loadAwsAdminPrincipals(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InputError{ErrorCode::kIoError, path, 0, "cannot read the file"};
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseStopWhenDoneFlag>(text.c_str(), text.size());
  if (doc.HasParseError()) {
    return InputError{ErrorCode::kJsonSyntax, path, 0,
                      std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " at byte " + std::to_string(doc.GetErrorOffset())};
  }
  if (!doc.IsObject() || (!doc.HasMember("RoleDetailList") && !doc.HasMember("UserDetailList"))) {
    return InputError{ErrorCode::kInvalidObject, path, 0,
                      "not the output of aws iam get-account-authorization-details (no RoleDetailList or UserDetailList)"};
  }
  // Customer managed policies that allow * on * (their default version).
  std::unordered_set<std::string> admin_policies{std::string(kAdministratorAccess)};
  if (auto policies = doc.FindMember("Policies"); policies != doc.MemberEnd() && policies->value.IsArray()) {
    for (const auto& p : policies->value.GetArray()) {
      if (!p.IsObject() || !p.HasMember("Arn") || !p["Arn"].IsString()) continue;
      auto versions = p.FindMember("PolicyVersionList");
      if (versions == p.MemberEnd() || !versions->value.IsArray()) continue;
      for (const auto& v : versions->value.GetArray()) {
        if (!v.IsObject() || !v.HasMember("IsDefaultVersion") || !v["IsDefaultVersion"].IsBool() || !v["IsDefaultVersion"].GetBool()) continue;
        if (v.HasMember("Document") && grantsEverything(v["Document"])) admin_policies.insert(p["Arn"].GetString());
      }
    }
  }
  auto is_admin = [&](const rapidjson::Value& principal, const char* inline_key) {
    if (auto attached = principal.FindMember("AttachedManagedPolicies"); attached != principal.MemberEnd() && attached->value.IsArray()) {
      for (const auto& a : attached->value.GetArray()) {
        if (a.IsObject() && a.HasMember("PolicyArn") && a["PolicyArn"].IsString() && admin_policies.count(a["PolicyArn"].GetString())) return true;
      }
    }
    if (auto inline_policies = principal.FindMember(inline_key); inline_policies != principal.MemberEnd() && inline_policies->value.IsArray()) {
      for (const auto& p : inline_policies->value.GetArray()) {
        if (p.IsObject() && p.HasMember("PolicyDocument") && grantsEverything(p["PolicyDocument"])) return true;
      }
    }
    return false;
  };
  std::vector<std::string> out;
  std::unordered_set<std::string> admin_groups;
  if (auto groups = doc.FindMember("GroupDetailList"); groups != doc.MemberEnd() && groups->value.IsArray()) {
    for (const auto& g : groups->value.GetArray()) {
      if (g.IsObject() && g.HasMember("GroupName") && g["GroupName"].IsString() && is_admin(g, "GroupPolicyList")) {
        admin_groups.insert(g["GroupName"].GetString());
      }
    }
  }
  if (auto roles = doc.FindMember("RoleDetailList"); roles != doc.MemberEnd() && roles->value.IsArray()) {
    for (const auto& r : roles->value.GetArray()) {
      if (r.IsObject() && r.HasMember("Arn") && r["Arn"].IsString() && is_admin(r, "RolePolicyList")) out.push_back(r["Arn"].GetString());
    }
  }
  if (auto users = doc.FindMember("UserDetailList"); users != doc.MemberEnd() && users->value.IsArray()) {
    for (const auto& u : users->value.GetArray()) {
      if (!u.IsObject() || !u.HasMember("Arn") || !u["Arn"].IsString()) continue;
      bool admin = is_admin(u, "UserPolicyList");
      if (auto groups = u.FindMember("GroupList"); !admin && groups != u.MemberEnd() && groups->value.IsArray()) {
        for (const auto& g : groups->value.GetArray()) admin = admin || (g.IsString() && admin_groups.count(g.GetString()));
      }
      if (admin) out.push_back(u["Arn"].GetString());
    }
  }
  return out;
}

}  // namespace kspm::graph
