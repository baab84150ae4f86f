// kspm rbac who-can / can: questions to the RBAC model of a set of manifests (include/kspm/rbac.h).
// The JSON output is documented in docs/rbac.md.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "checks/api/api_versions.h"
#include "checks/rbac/rbac_rules.h"
#include "kspm/cli.h"
#include "kspm/ingest.h"
#include "kspm/rbac.h"
#include "kspm/rbac_risky.h"
#include "kspm/report.h"

namespace kspm::cli {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr const char* kRbacHelp =
    "Usage: kspm rbac <command> [flags]\n"
    "\n"
    "Questions to the RBAC objects (Roles, ClusterRoles, RoleBindings, ClusterRoleBindings) of manifests.\n"
    "\n"
    "Commands:\n"
    "  who-can   Every subject that can do a request, and through which binding, role and rule\n"
    "  can       The effective permissions of one subject (like kubectl auth can-i --list)\n"
    "  risky     Subjects holding risky permissions, and the escalation chains they open\n"
    "\n"
    "Run 'kspm rbac <command> --help' for the flags of a command.\n";

constexpr const char* kWhoCanHelp =
    "Usage: kspm rbac who-can VERB RESOURCE[/SUBRESOURCE][.GROUP] [flags] PATH... | -\n"
    "       kspm rbac who-can VERB /NON-RESOURCE-URL [flags] PATH... | -\n"
    "\n"
    "Lists every subject the RBAC objects in the manifests allow the request for, each with its evidence:\n"
    "the binding, the role, the rule (and the role it is written in, for aggregated ClusterRoles) and the\n"
    "scope it holds in. Examples: 'get secrets', 'create pods/exec', 'update deployments/scale.apps',\n"
    "'get nodes/proxy', 'get /metrics'. Aggregated ClusterRoles get the rules of the ClusterRoles they\n"
    "select, as the controller would. The group system:masters is always listed: it bypasses RBAC.\n"
    "Only what the input shows (with --bootstrap-rbac, plus the bootstrap policy); the Node authorizer and\n"
    "webhooks are not seen.\n"
    "\n"
    "Flags:\n"
    "  -n, --namespace NS     the request is in namespace NS (default: any scope; each answer says its scope)\n"
    "      --name NAME        the request names this object (resourceNames rules then hold only for it;\n"
    "                         for list and watch: a metadata.name field selector)\n"
    "      --bootstrap-rbac   add the roles and bindings every cluster has (cluster-admin, system:discovery,\n"
    "                         system:public-info-viewer, admin/edit/view, ...); the input's replace them\n"
    "      --default-namespace NS  namespace for objects without metadata.namespace (as kubectl apply -n)\n"
    "  -o, --output FORMAT    table (default) or json\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit codes: 0 the answer was written; 2 usage error; 3 some input could not be read or parsed\n"
    "(the rest was used); 4 the answer could not be written. JSON output: docs/rbac.md.\n";

constexpr const char* kCanHelp =
    "Usage: kspm rbac can SUBJECT [flags] PATH... | -\n"
    "\n"
    "Lists the effective permissions of SUBJECT from the RBAC objects in the manifests: every rule of\n"
    "every role bound to it or to a group it is in, with its scope and binding. SUBJECT is\n"
    "serviceaccount:NAMESPACE:NAME, user:NAME, group:NAME or iam:ARN (an IAM role or user mapped by the\n"
    "EKS kube-system/aws-auth ConfigMap of the input: its username and groups) or node:NAME (what the Node\n"
    "authorizer lets the kubelet of NAME read: the secrets, configmaps, claims and tokens of its pods).\n"
    "A service account is in\n"
    "system:serviceaccounts, system:serviceaccounts:NAMESPACE and system:authenticated; every\n"
    "authenticated identity is in system:authenticated. Other groups come from the authenticator and are\n"
    "not in manifests: give them with --group (more may apply in a real cluster).\n"
    "\n"
    "Flags:\n"
    "      --group GROUP      the subject is also in GROUP (repeatable; system:masters can do everything)\n"
    "      --bootstrap-rbac   add the roles and bindings every cluster has (cluster-admin, system:discovery,\n"
    "                         system:public-info-viewer, admin/edit/view, ...); the input's replace them\n"
    "      --default-namespace NS  namespace for objects without metadata.namespace (as kubectl apply -n)\n"
    "  -o, --output FORMAT    table (default) or json\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit codes: 0 the answer was written; 2 usage error; 3 some input could not be read or parsed\n"
    "(the rest was used); 4 the answer could not be written. JSON output: docs/rbac.md.\n";

// RESOURCE[/SUBRESOURCE][.GROUP]; kubectl's RESOURCE.GROUP/SUBRESOURCE is accepted too.
bool parseResource(const std::string& text, rbac::Request* request, std::string* error) {
  if (text.empty()) {
    *error = "empty resource";
    return false;
  }
  if (text[0] == '/') {
    request->resource = text;
    return true;
  }
  std::string left = text, group;
  if (size_t dot = text.find('.'); dot != std::string::npos) {
    left = text.substr(0, dot);
    group = text.substr(dot + 1);
    if (size_t slash = group.find('/'); slash != std::string::npos) {  // deployments.apps/scale
      if (left.find('/') != std::string::npos) {
        *error = "two subresources in \"" + text + "\"";
        return false;
      }
      left += group.substr(slash);
      group.resize(slash);
    }
  }
  if (size_t slash = left.find('/'); slash != std::string::npos) {
    request->resource = left.substr(0, slash);
    request->subresource = left.substr(slash + 1);
  } else {
    request->resource = left;
  }
  request->group = group;
  if (request->resource.empty() || (left.find('/') != std::string::npos && request->subresource.empty()) ||
      request->subresource.find('/') != std::string::npos) {
    *error = "malformed resource \"" + text + "\" (RESOURCE[/SUBRESOURCE][.GROUP])";
    return false;
  }
  return true;
}

void stringArray(JsonWriter& w, const std::vector<std::string_view>& values) {
  w.StartArray();
  for (std::string_view v : values) w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  w.EndArray();
}

void str(JsonWriter& w, std::string_view v) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); }

void subjectJson(JsonWriter& w, const rbac::Subject& s) {
  w.StartObject();
  w.Key("kind");
  str(w, s.kind);
  w.Key("name");
  str(w, s.name);
  if (s.kind == "ServiceAccount") {
    w.Key("namespace");
    str(w, s.ns);
  }
  w.EndObject();
}

void objectRef(JsonWriter& w, std::string_view kind, std::string_view ns, std::string_view name) {
  w.StartObject();
  w.Key("kind");
  str(w, kind);
  if (!ns.empty()) {
    w.Key("namespace");
    str(w, ns);
  }
  w.Key("name");
  str(w, name);
  w.EndObject();
}

// The aws-auth identities that authenticate as `subject` (omitted when none).
void cloudIdentitiesJson(JsonWriter& w, const rbac::Model& model, const rbac::Subject& subject) {
  std::vector<const rbac::CloudIdentity*> identities = model.cloudIdentitiesOf(subject);
  if (identities.empty()) return;
  w.Key("cloud_identities");
  w.StartArray();
  for (const rbac::CloudIdentity* identity : identities) {
    w.StartObject();
    w.Key("arn");
    str(w, identity->arn);
    w.Key("kind");
    str(w, identity->kind);
    w.Key("username");
    str(w, identity->username);
    w.Key("groups");
    w.StartArray();
    for (const std::string& g : identity->groups) str(w, g);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

std::string cloudIdentitiesTable(const rbac::Model& model, const std::vector<rbac::Subject>& subjects) {
  std::string out;
  for (const rbac::Subject& subject : subjects) {
    for (const rbac::CloudIdentity* identity : model.cloudIdentitiesOf(subject)) {
      if (identity->kind == "account") {
        out += "aws-auth: IAM identities of account " + identity->arn + " authenticate as their ARN: " +
               subject.label() + "\n";
        continue;
      }
      out += "aws-auth: IAM " + identity->kind + " " + identity->arn + " authenticates as " + subject.label() +
             (subject.kind == "Group" && subject.name == rbac::kMastersGroup ? " (can do everything)" : "") + "\n";
    }
  }
  for (const std::string& e : model.cloudMappingErrors()) out += e + "\n";
  return out;
}

// The evidence of one access (see docs/rbac.md).
void evidenceJson(JsonWriter& w, const rbac::Model& model, const ObjectSet& /*objects*/, const rbac::Access& a,
                  bool with_subject = false) {
  w.StartObject();
  if (with_subject && !a.masters) {
    w.Key("bound_subject");
    subjectJson(w, *a.subject);
  }
  w.Key("via");
  str(w, a.masters ? "system:masters" : "rbac");
  w.Key("scope");
  str(w, a.cluster_wide ? "cluster" : "namespace");
  if (!a.cluster_wide) {
    w.Key("namespace");
    str(w, a.ns);
  }
  if (a.masters) {
    w.Key("note");
    str(w, "members of group system:masters bypass authorization: they can do everything, no binding needed");
    w.EndObject();
    return;
  }
  const rbac::Binding& b = model.bindings()[a.binding];
  const rbac::Role& role = model.roles()[a.role];
  const rbac::EffectiveRule& rule = role.rules[a.rule];
  w.Key("binding");
  objectRef(w, b.kind, b.ns, b.name);
  w.Key("binding_file");
  str(w, model.pathOf(*b.object));
  w.Key("binding_line");
  w.Uint(b.object->line);
  w.Key("role");
  objectRef(w, role.kind, role.ns, role.name);
  w.Key("rule");
  w.StartObject();
  w.Key("index");
  w.Uint(a.rule);
  w.Key("defined_in");
  objectRef(w, rule.source_kind, rule.source_kind == "Role" ? role.ns : std::string_view(), rule.source_name);
  w.Key("defined_index");
  w.Uint(rule.source_index);
  for (const char* key : {"verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"}) {
    std::vector<std::string_view> values = checks::rbac::ruleList(*rule.rule, key);
    if (values.empty() && std::string_view(key) != "verbs") continue;
    w.Key(key);
    stringArray(w, values);
  }
  w.EndObject();
  w.Key("named_only");
  w.Bool(a.named_only);
  w.EndObject();
}

void danglingJson(JsonWriter& w, const rbac::Model& model) {
  w.Key("dangling_bindings");
  w.StartArray();
  for (uint32_t i : model.dangling()) {
    const rbac::Binding& b = model.bindings()[i];
    w.StartObject();
    w.Key("binding");
    objectRef(w, b.kind, b.ns, b.name);
    w.Key("reason");
    str(w, b.malformed_ref ? "malformed roleRef" : "role not in the input");
    if (!b.malformed_ref) {
      w.Key("role");
      objectRef(w, b.role_kind, b.role_kind == "Role" ? b.ns : std::string_view(), b.role_name);
    }
    w.EndObject();
  }
  w.EndArray();
}

void inputErrorsJson(JsonWriter& w, const ObjectSet& objects) {
  w.Key("input_errors");
  w.StartArray();
  for (const InputError& e : objects.errors()) str(w, describeInputError(e));
  w.EndArray();
}

std::string via(const rbac::Model& model, const rbac::Access& a) {
  if (a.masters) return "group system:masters bypasses authorization";
  const rbac::Binding& b = model.bindings()[a.binding];
  const rbac::Role& role = model.roles()[a.role];
  const rbac::EffectiveRule& rule = role.rules[a.rule];
  std::string out = std::string(b.kind) + " " + (b.ns.empty() ? "" : std::string(b.ns) + "/") + std::string(b.name) +
                    " -> " + std::string(role.kind) + " " + std::string(role.name) + " rules[" +
                    std::to_string(rule.source_index) + "]";
  if (rule.source_name != role.name) out += " (aggregated from " + std::string(rule.source_name) + ")";
  return out;
}

std::string scopeText(const rbac::Access& a) {
  if (a.cluster_wide) return "cluster";
  return a.ns.empty() ? "ns/(unspecified)" : "ns/" + std::string(a.ns);
}

std::string joined(const std::vector<std::string_view>& values) {
  std::string out;
  for (std::string_view v : values) {
    if (!out.empty()) out += ",";
    out += v;
  }
  return out;
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string danglingTable(const rbac::Model& model) {
  std::string out;
  for (uint32_t i : model.dangling()) {
    const rbac::Binding& b = model.bindings()[i];
    out += "dangling: " + std::string(b.kind) + " " + (b.ns.empty() ? "" : std::string(b.ns) + "/") +
           std::string(b.name) +
           (b.malformed_ref ? " has a malformed roleRef\n"
                            : " names " + std::string(b.role_kind) + " " + std::string(b.role_name) +
                                  ", not in the input: it grants nothing\n");
  }
  return out;
}

// Writes the answer; input errors also go to standard error. Returns the exit code.
int finish(const std::string& verb, const std::string& text, const ObjectSet& objects) {
  bool failed = std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0;
  for (const InputError& e : objects.errors()) {
    std::fprintf(stderr, "kspm rbac %s: %s\n", verb.c_str(), describeInputError(e).c_str());
  }
  if (failed) {
    std::fprintf(stderr, "kspm rbac %s: writing the answer failed\n", verb.c_str());
    return kExitOutput;
  }
  return objects.errors().empty() ? kExitOk : kExitInputErrors;
}

/** The inputs every rbac verb takes: output format, manifests' default namespace, bootstrap policy. */
struct RbacInput {
  bool json = false;
  IngestOptions ingest;
  rbac::BuildOptions build_options;
};

/** Consumes -o/--output, --default-namespace or --bootstrap-rbac if it is next; true if it did. */
bool takeSharedFlag(Args& args, RbacInput* input, std::string* value, std::string* error) {
  if (args.flag({"-o", "--output"}, value, error)) {
    if (error->empty() && *value != "table" && *value != "json") {
      *error = "unknown output format \"" + *value + "\" (table or json)";
    }
    input->json = *value == "json";
    return true;
  }
  if (args.flag({"--default-namespace"}, value, error)) {
    input->ingest.default_namespace = *value;
    return true;
  }
  if (args.boolFlag({"--bootstrap-rbac"})) {
    input->build_options.bootstrap = true;
    return true;
  }
  return false;
}

int runWhoCan(int argc, char** argv) {
  Args args(argc, argv, 3);
  std::vector<std::string> positional;
  std::string value, error, ns, name;
  RbacInput input;
  bool& json = input.json;
  IngestOptions& ingest = input.ingest;
  rbac::BuildOptions& build_options = input.build_options;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kWhoCanHelp, stdout);
      return kExitOk;
    }
    if (takeSharedFlag(args, &input, &value, &error)) {
      // handled
    } else if (args.flag({"-n", "--namespace"}, &value, &error)) {
      ns = value;
      if (error.empty() && ns.empty()) error = "empty namespace";
    } else if (args.flag({"--name"}, &value, &error)) {
      name = value;
      if (error.empty() && name.empty()) error = "empty name";
    } else if (args.peek() != "-" && args.peek().starts_with("-")) {
      return usageError("rbac who-can", "unknown flag " + args.peek());
    } else {
      positional.push_back(args.next());
    }
    if (!error.empty()) return usageError("rbac who-can", error);
  }
  if (positional.size() < 2) return usageError("rbac who-can", "give VERB and RESOURCE, then the manifests");
  if (positional.size() < 3) return usageError("rbac who-can", "no input: give files, directories, or - for standard input");
  rbac::Request request;
  request.verb = positional[0];
  if (request.verb.empty()) return usageError("rbac who-can", "empty verb");
  if (!parseResource(positional[1], &request, &error)) return usageError("rbac who-can", error);
  request.ns = ns;
  request.name = name;
  if (request.resource.starts_with('/') && (!ns.empty() || !name.empty())) {
    return usageError("rbac who-can", "a non-resource URL has no namespace or name");
  }
  std::vector<std::string> paths(positional.begin() + 2, positional.end());

  ObjectSet objects = ingestPaths(paths, ingest);
  std::unique_ptr<rbac::Model> model = rbac::Model::build(objects, build_options);
  std::vector<rbac::Access> answer = model->whoCan(request);

  // Grouped by subject, in order of first appearance.
  std::vector<rbac::Subject> subjects;
  std::vector<std::vector<const rbac::Access*>> evidence;
  std::unordered_map<std::string, size_t> subject_index;
  for (const rbac::Access& a : answer) {
    auto [it, added] = subject_index.emplace(a.subject->label(), subjects.size());
    if (added) {
      subjects.push_back(*a.subject);
      evidence.emplace_back();
    }
    evidence[it->second].push_back(&a);
  }

  std::string text;
  if (json) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("kspm_version");
    str(w, KSPM_VERSION);
    w.Key("request");
    w.StartObject();
    w.Key("verb");
    str(w, request.verb);
    if (request.resource.starts_with('/')) {
      w.Key("non_resource_url");
      str(w, request.resource);
    } else {
      w.Key("group");
      str(w, request.group);
      w.Key("resource");
      str(w, request.resource);
      w.Key("subresource");
      str(w, request.subresource);
      w.Key("namespace");
      if (request.ns.empty()) {
        w.Null();
      } else {
        w.String(request.ns);
      }
      w.Key("name");
      if (request.name.empty()) {
        w.Null();
      } else {
        w.String(request.name);
      }
    }
    w.EndObject();
    w.Key("subjects");
    w.StartArray();
    for (size_t i = 0; i < subjects.size(); ++i) {
      w.StartObject();
      w.Key("subject");
      subjectJson(w, subjects[i]);
      w.Key("evidence");
      w.StartArray();
      for (const rbac::Access* a : evidence[i]) evidenceJson(w, *model, objects, *a);
      w.EndArray();
      cloudIdentitiesJson(w, *model, subjects[i]);
      w.EndObject();
    }
    w.EndArray();
    danglingJson(w, *model);
    if (!model->cloudMappingErrors().empty()) {
      w.Key("aws_auth_errors");
      w.StartArray();
      for (const std::string& e : model->cloudMappingErrors()) str(w, e);
      w.EndArray();
    }
    inputErrorsJson(w, objects);
    w.EndObject();
    text = std::string(buffer.GetString(), buffer.GetSize()) + "\n";
  } else {
    std::vector<std::vector<std::string>> rows = {{"SUBJECT", "SCOPE", "VIA", "NOTE"}};
    for (size_t i = 0; i < subjects.size(); ++i) {
      for (const rbac::Access* a : evidence[i]) {
        std::string note;
        if (a->named_only) {
          note = "only resourceNames " +
                 joined(checks::rbac::ruleList(*model->roles()[a->role].rules[a->rule].rule, "resourceNames"));
        }
        rows.push_back({subjects[i].label(), scopeText(*a), via(*model, *a), note});
      }
    }
    text = table(rows) + cloudIdentitiesTable(*model, subjects) + danglingTable(*model);
  }
  return finish("who-can", text, objects);
}

// `can node:NAME`: the Node authorizer's grants to the kubelet of NAME (rbac::nodeAccess).
std::string nodeAnswer(const ObjectSet& objects, const std::string& node, bool json) {
  rbac::NodeAccess access = rbac::nodeAccess(objects, node);
  constexpr std::string_view kNote =
      "the kubelet (user system:node:NAME, group system:nodes) is authorized by the Node authorizer: besides "
      "these it has the rules of the system:node ClusterRole; NodeRestriction admission limits its writes to its "
      "own Node and pods";
  constexpr std::string_view kNoPods = "no pods of the input are bound to this node (spec.nodeName)";
  if (json) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("kspm_version");
    str(w, KSPM_VERSION);
    w.Key("node");
    str(w, node);
    w.Key("user");
    str(w, "system:node:" + node);
    w.Key("groups");
    w.StartArray();
    str(w, "system:authenticated");
    str(w, "system:nodes");
    w.EndArray();
    w.Key("note");
    str(w, kNote);
    w.Key("pods");
    w.StartArray();
    for (const std::string& p : access.pods) str(w, p);
    w.EndArray();
    if (access.pods.empty()) {
      w.Key("pods_note");
      str(w, kNoPods);
    }
    w.Key("grants");
    w.StartArray();
    for (const rbac::NodeGrant& g : access.grants) {
      w.StartObject();
      w.Key("verbs");
      w.StartArray();
      size_t start = 0;
      while (start <= g.verbs.size()) {
        size_t end = g.verbs.find(", ", start);
        if (end == std::string::npos) end = g.verbs.size();
        str(w, std::string_view(g.verbs).substr(start, end - start));
        start = end + 2;
      }
      w.EndArray();
      w.Key("group");
      str(w, g.group);
      w.Key("resource");
      str(w, g.resource);
      w.Key("namespace");
      str(w, g.ns);
      w.Key("name");
      str(w, g.name);
      w.Key("reason");
      str(w, g.reason);
      w.EndObject();
    }
    w.EndArray();
    inputErrorsJson(w, objects);
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
  }
  std::string text = "Node " + node + ": " + std::string(kNote) + ".\n";
  if (access.pods.empty()) {
    text += std::string(kNoPods) + "\n";
  } else {
    text += "pods bound to it:";
    for (const std::string& p : access.pods) text += " " + p;
    text += "\n";
  }
  std::vector<std::vector<std::string>> rows = {{"VERBS", "RESOURCE", "NAMESPACE", "NAME", "WHY"}};
  for (const rbac::NodeGrant& g : access.grants) {
    rows.push_back({g.verbs, g.group.empty() ? g.resource : g.resource + "." + g.group, g.ns,
                    g.name.empty() ? "(any of them)" : g.name, g.reason});
  }
  return text + table(rows);
}

int runCan(int argc, char** argv) {
  Args args(argc, argv, 3);
  std::vector<std::string> positional, groups;
  std::string value, error;
  RbacInput input;
  bool& json = input.json;
  IngestOptions& ingest = input.ingest;
  rbac::BuildOptions& build_options = input.build_options;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kCanHelp, stdout);
      return kExitOk;
    }
    if (takeSharedFlag(args, &input, &value, &error)) {
      // handled
    } else if (args.flag({"--group"}, &value, &error)) {
      if (error.empty() && value.empty()) error = "empty group";
      groups.push_back(value);
    } else if (args.peek() != "-" && args.peek().starts_with("-")) {
      return usageError("rbac can", "unknown flag " + args.peek());
    } else {
      positional.push_back(args.next());
    }
    if (!error.empty()) return usageError("rbac can", error);
  }
  if (positional.empty()) return usageError("rbac can", "give SUBJECT, then the manifests");
  rbac::Subject subject;
  std::string iam_arn;
  if (positional[0].starts_with("node:")) {
    std::string node = positional[0].substr(5);
    if (node.empty()) return usageError("rbac can", "no node name in \"" + positional[0] + "\"");
    if (positional.size() < 2) return usageError("rbac can", "no input: give files, directories, or - for standard input");
    ObjectSet objects = ingestPaths(std::vector<std::string>(positional.begin() + 1, positional.end()), ingest);
    return finish("can", nodeAnswer(objects, node, json), objects);
  }
  if (positional[0].starts_with("iam:")) {
    iam_arn = positional[0].substr(4);
    if (iam_arn.empty()) return usageError("rbac can", "no ARN in \"" + positional[0] + "\"");
  } else if (!rbac::parseSubject(positional[0], &subject, &error)) {
    return usageError("rbac can", error);
  }
  if (positional.size() < 2) return usageError("rbac can", "no input: give files, directories, or - for standard input");
  std::vector<std::string> paths(positional.begin() + 1, positional.end());

  ObjectSet objects = ingestPaths(paths, ingest);
  std::unique_ptr<rbac::Model> model = rbac::Model::build(objects, build_options);
  if (!iam_arn.empty()) {
    // An IAM identity authenticates as the username and groups aws-auth maps it to.
    const rbac::CloudIdentity* identity = model->findCloudIdentity(iam_arn);
    if (identity == nullptr) {
      return usageError("rbac can", iam_arn + " is not mapped by a kube-system/aws-auth ConfigMap of the input");
    }
    if (identity->kind == "account") {
      subject = {"User", iam_arn, ""};  // mapAccounts: the principal authenticates as its own ARN, no groups
    } else {
      subject = {"User", identity->username.empty() ? identity->arn : identity->username, ""};
    }
    groups.insert(groups.end(), identity->groups.begin(), identity->groups.end());
  }
  rbac::Permissions perms = model->permissionsOf(subject, groups);

  std::string text;
  if (json) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("kspm_version");
    str(w, KSPM_VERSION);
    w.Key("subject");
    subjectJson(w, subject);
    w.Key("groups");
    w.StartArray();
    for (const std::string& g : perms.groups) w.String(g);
    w.EndArray();
    w.Key("more_groups_possible");
    w.Bool(subject.kind != "Group");
    w.Key("masters");
    w.Bool(perms.masters);
    w.Key("grants");
    w.StartArray();
    if (perms.masters) {
      rbac::Access masters;
      masters.subject = &rbac::Model::mastersGroup();
      masters.masters = true;
      evidenceJson(w, *model, objects, masters);
    }
    for (const rbac::Access& a : perms.grants) evidenceJson(w, *model, objects, a, true);
    w.EndArray();
    danglingJson(w, *model);
    inputErrorsJson(w, objects);
    w.EndObject();
    text = std::string(buffer.GetString(), buffer.GetSize()) + "\n";
  } else {
    text = "Subject: " + subject.label() + "\nGroups: ";
    for (size_t i = 0; i < perms.groups.size(); ++i) text += (i ? ", " : "") + perms.groups[i];
    if (subject.kind != "Group") text += " (the authenticator may add more: --group)";
    text += "\n";
    if (perms.masters) text += "In group system:masters: can do everything (authorization is bypassed).\n";
    text += "\n";
    std::vector<std::vector<std::string>> rows = {{"RESOURCES", "NON-RESOURCE URLS", "RESOURCE NAMES", "VERBS", "SCOPE", "VIA"}};
    for (const rbac::Access& a : perms.grants) {
      const Node& rule = *model->roles()[a.role].rules[a.rule].rule;
      std::vector<std::string_view> groups_of_rule = checks::rbac::ruleList(rule, "apiGroups");
      std::string resources;
      for (std::string_view r : checks::rbac::ruleList(rule, "resources")) {
        for (std::string_view g : groups_of_rule) {
          if (!resources.empty()) resources += ",";
          resources += std::string(r) + (g.empty() ? "" : "." + std::string(g));
        }
      }
      rows.push_back({resources, joined(checks::rbac::ruleList(rule, "nonResourceURLs")),
                      joined(checks::rbac::ruleList(rule, "resourceNames")), joined(checks::rbac::ruleList(rule, "verbs")),
                      scopeText(a),
                      via(*model, a) + (*a.subject == subject ? "" : " as " + a.subject->label())});
    }
    text += table(rows) + danglingTable(*model);
  }
  return finish("can", text, objects);
}

// --- kspm rbac risky ---------------------------------------------------------------------------

constexpr const char* kRiskyHelp =
    "Usage: kspm rbac risky [flags] PATH... | -\n"
    "\n"
    "Lists the subjects the RBAC objects in the manifests give risky permissions (cluster-admin, bind,\n"
    "escalate, impersonate, create pods and pod controllers, pods/exec, attach, portforward,\n"
    "ephemeralcontainers, nodes/proxy, secrets, serviceaccounts/token, CSR approval, admission webhooks,\n"
    "CRDs, status subresources, eviction with cordon, persistent volumes, storage classes, network\n"
    "policies, the EKS aws-auth ConfigMap), each with the rule that grants it and why it is dangerous, and\n"
    "the one-step escalation chains they open (bind/escalate -> any role, create pods -> the namespace's\n"
    "service accounts, read secrets -> service-account token secrets in the input, serviceaccounts/token\n"
    "and impersonate -> the subjects reached), naming the most privileged subject each reaches.\n"
    "Kubernetes' own subjects (system:* users and groups, kube-system service accounts) are counted apart.\n"
    "\n"
    "Flags:\n"
    "      --include-system   also list Kubernetes' own subjects\n"
    "      --bootstrap-rbac   add the roles and bindings every cluster has (cluster-admin, system:controller:*,\n"
    "                         ...); the input's replace them\n"
    "      --k8s-version V    target Kubernetes version (default 1.37); before 1.35 get on pods/exec,\n"
    "                         pods/attach and pods/portforward is enough over WebSocket\n"
    "      --default-namespace NS  namespace for objects without metadata.namespace (as kubectl apply -n)\n"
    "  -o, --output FORMAT    table (default) or json\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit codes: 0 the answer was written; 2 usage error; 3 some input could not be read or parsed\n"
    "(the rest was used); 4 the answer could not be written. JSON output: docs/rbac.md.\n";

std::string_view subjectClassName(rbac::SubjectKind cls) {
  switch (cls) {
    case rbac::SubjectKind::kSystem:
      return "system";
    case rbac::SubjectKind::kBroad:
      return "broad";
    default:
      return "ordinary";
  }
}

int runRisky(int argc, char** argv) {
  Args args(argc, argv, 3);
  std::vector<std::string> paths;
  std::string value, error;
  bool include_system = false;
  RbacInput input;
  bool& json = input.json;
  IngestOptions& ingest = input.ingest;
  rbac::BuildOptions& build_options = input.build_options;
  rbac::RiskyOptions options;
  options.k8s_minor = kDefaultK8sMinor;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kRiskyHelp, stdout);
      return kExitOk;
    }
    if (takeSharedFlag(args, &input, &value, &error)) {
      // handled
    } else if (args.flag({"--k8s-version"}, &value, &error)) {
      if (error.empty() && !checks::api::parseK8sVersion(value, &options.k8s_minor)) {
        error = "unknown Kubernetes version \"" + value + "\" (e.g. 1.32)";
      }
    } else if (args.boolFlag({"--include-system"})) {
      include_system = true;
    } else if (args.peek() != "-" && args.peek().starts_with("-")) {
      return usageError("rbac risky", "unknown flag " + args.peek());
    } else {
      paths.push_back(args.next());
    }
    if (!error.empty()) return usageError("rbac risky", error);
  }
  if (paths.empty()) return usageError("rbac risky", "no input: give files, directories, or - for standard input");

  ObjectSet objects = ingestPaths(paths, ingest);
  std::unique_ptr<rbac::Model> model = rbac::Model::build(objects, build_options);
  rbac::RiskyReport report = rbac::analyzeRisky(*model, objects, options);
  size_t hidden = 0;
  std::vector<const rbac::RiskySubject*> shown;
  for (const rbac::RiskySubject& s : report.subjects) {
    if (s.cls == rbac::SubjectKind::kSystem && !include_system) {
      ++hidden;
    } else {
      shown.push_back(&s);
    }
  }

  std::string text;
  if (json) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("kspm_version");
    str(w, KSPM_VERSION);
    w.Key("k8s_version");
    str(w, "1." + std::to_string(options.k8s_minor));
    w.Key("subjects");
    w.StartArray();
    for (const rbac::RiskySubject* s : shown) {
      w.StartObject();
      w.Key("subject");
      subjectJson(w, s->subject);
      w.Key("class");
      str(w, subjectClassName(s->cls));
      w.Key("severity");
      str(w, severityName(s->max_severity));
      w.Key("risks");
      w.StartArray();
      for (const rbac::RiskGrant& g : s->grants) {
        w.StartObject();
        w.Key("id");
        str(w, g.entry->id);
        w.Key("title");
        str(w, g.entry->title);
        w.Key("severity");
        str(w, severityName(g.entry->severity));
        w.Key("why");
        str(w, g.entry->attack);
        w.Key("request");
        str(w, rbac::requestText(g.entry->requests[g.request]));
        w.Key("evidence");
        evidenceJson(w, *model, objects, g.access);
        w.Key("more");
        w.Uint(g.more);
        w.EndObject();
      }
      w.EndArray();
      w.Key("chains");
      w.StartArray();
      for (const rbac::Chain& c : s->chains) {
        w.StartObject();
        w.Key("kind");
        str(w, c.kind);
        w.Key("via");
        str(w, c.via->entry->id);
        w.Key("scope");
        str(w, c.via->access.cluster_wide ? "cluster" : "namespace");
        if (!c.via->access.cluster_wide) {
          w.Key("namespace");
          str(w, c.via->access.ns);
        }
        w.Key("reaches");
        if (c.target.kind.empty()) {
          w.Null();
        } else {
          subjectJson(w, c.target);
        }
        w.Key("severity");
        str(w, severityName(c.severity));
        w.Key("reaches_risks");
        stringArray(w, c.target_risks);
        w.Key("text");
        str(w, c.text);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.Key("system_subjects_hidden");
    w.Uint64(hidden);
    danglingJson(w, *model);
    inputErrorsJson(w, objects);
    w.EndObject();
    text = std::string(buffer.GetString(), buffer.GetSize()) + "\n";
  } else {
    std::vector<std::vector<std::string>> rows = {{"SEVERITY", "SUBJECT", "RISK", "SCOPE", "VIA"}};
    std::string chains;
    for (const rbac::RiskySubject* s : shown) {
      for (size_t i = 0; i < s->grants.size(); ++i) {
        const rbac::RiskGrant& g = s->grants[i];
        if (i > 0 && s->grants[i - 1].entry == g.entry) continue;  // first grant of each entry
        size_t more = 0;
        while (i + 1 + more < s->grants.size() && s->grants[i + 1 + more].entry == g.entry) ++more;
        more += g.more;
        rows.push_back({std::string(severityName(g.entry->severity)), s->subject.label(), std::string(g.entry->id),
                        scopeText(g.access),
                        via(*model, g.access) + (more ? " (+" + std::to_string(more) + " more)" : "")});
      }
      for (const rbac::Chain& c : s->chains) {
        chains += "  [" + std::string(severityName(c.severity)) + "] " + s->subject.label() + " " + c.text + "\n";
      }
    }
    text = table(rows);
    if (!chains.empty()) text += "\nEscalation chains:\n" + chains;
    if (hidden > 0) {
      text += "\n" + std::to_string(hidden) +
              " of Kubernetes' own subjects (system:*, kube-system service accounts) not listed: --include-system\n";
    }
    text += danglingTable(*model);
  }
  return finish("risky", text, objects);
}

}  // namespace

int runRbac(int argc, char** argv) {
  if (argc < 3) {
    std::fputs(kRbacHelp, stderr);
    return kExitUsage;
  }
  const std::string command = argv[2];
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kRbacHelp, stdout);
    return kExitOk;
  }
  if (command == "who-can") return runWhoCan(argc, argv);
  if (command == "can") return runCan(argc, argv);
  if (command == "risky") return runRisky(argc, argv);
  return usageError("rbac", "unknown command \"" + command + "\" (who-can, can or risky)");
}

}  // namespace kspm::cli
