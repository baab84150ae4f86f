// The admission decision: AdmissionReview JSON in, AdmissionReview JSON out (docs/admission.md).
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "checks/common/pod_spec.h"
#include "checks/pss/pss_policy.h"
#include "kspm/admission.h"
#include "loader/load_internal.h"
#include "model/arena.h"

namespace kspm::admission {
namespace {

constexpr std::string_view kApiVersion = "admission.k8s.io/v1";
constexpr size_t kMaxDenyMessage = 2048;
constexpr size_t kMaxWarningChars = 120;
constexpr size_t kMaxUidBytes = 256;

// --- JSON output -----------------------------------------------------------------------------

/** Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid. */
size_t utf8Length(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
    return 0;
  }
  return n;
}

/** Appends `s` as a JSON string; invalid UTF-8 becomes U+FFFD so the response is always valid JSON. */
void appendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = utf8Length(s, i);
      if (n == 0) {
        out->append("\xef\xbf\xbd");
        ++i;
      } else {
        out->append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xf]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

/** `s` with every invalid UTF-8 byte replaced by U+FFFD (as appendJsonString writes it). */
std::string validUtf8(std::string s) {
  size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  if (i == s.size()) return s;  // ASCII: the usual case
  std::string out = s.substr(0, i);
  while (i < s.size()) {
    size_t n = utf8Length(s, i);
    if (n == 0) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

/** `s` (made valid UTF-8) cut to at most `max` bytes on a character boundary, with "..." when cut. */
std::string truncated(std::string s, size_t max) {
  s = validUtf8(std::move(s));
  if (s.size() <= max) return s;
  size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
  s.resize(cut);
  s += "...";
  return s;
}

// --- The request -----------------------------------------------------------------------------

struct Request {
  std::string_view uid;
  std::string_view operation;
  std::string_view kind;   // request.kind.kind
  std::string_view group;  // request.kind.group
  std::string_view subresource;
  std::string_view ns;
  std::string_view name;
  std::string_view username;
  const Node* groups = nullptr;
  const Node* object = nullptr;
  const Node* old_object = nullptr;
  bool dry_run = false;
};

const Node* member(const Node* node, std::string_view key) { return node != nullptr ? node->get(key) : nullptr; }

/** "" if valid, else why not (the 400 message). */
std::string decodeRequest(const Node& root, Request* r) {
  if (!root.isObject()) return "the body is not a JSON object";
  const Node* api_version = root.get("apiVersion");
  const Node* kind = root.get("kind");
  if (api_version == nullptr || !api_version->is(kApiVersion)) {
    return "apiVersion must be admission.k8s.io/v1 (configure the webhook with admissionReviewVersions: [v1])";
  }
  if (kind == nullptr || !kind->is("AdmissionReview")) return "kind must be AdmissionReview";
  const Node* request = root.get("request");
  if (request == nullptr || !request->isObject()) return "request is missing or not an object";
  const Node* uid = request->get("uid");
  if (uid == nullptr || !uid->isString() || uid->str().empty()) return "request.uid is missing or not a string";
  if (uid->str().size() > kMaxUidBytes) return "request.uid is longer than 256 bytes";
  r->uid = uid->str();
  const Node* kind_ref = request->get("kind");
  if (kind_ref == nullptr || !kind_ref->isObject() || member(kind_ref, "kind") == nullptr ||
      !member(kind_ref, "kind")->isString()) {
    return "request.kind is missing or has no kind";
  }
  r->kind = kind_ref->get("kind")->str();
  if (const Node* g = kind_ref->get("group"); g != nullptr && g->isString()) r->group = g->str();
  const Node* resource = request->get("resource");
  if (resource == nullptr || !resource->isObject()) return "request.resource is missing or not an object";
  const Node* operation = request->get("operation");
  if (operation == nullptr || !operation->isString()) return "request.operation is missing or not a string";
  r->operation = operation->str();
  if (r->operation != "CREATE" && r->operation != "UPDATE" && r->operation != "DELETE" && r->operation != "CONNECT") {
    return "request.operation must be CREATE, UPDATE, DELETE or CONNECT";
  }
  auto optionalString = [&](std::string_view key, std::string_view* out) -> bool {
    const Node* v = request->get(key);
    if (v == nullptr || v->isNull()) return true;
    if (!v->isString()) return false;
    *out = v->str();
    return true;
  };
  if (!optionalString("subResource", &r->subresource)) return "request.subResource is not a string";
  if (!optionalString("namespace", &r->ns)) return "request.namespace is not a string";
  if (!optionalString("name", &r->name)) return "request.name is not a string";
  if (const Node* user = request->get("userInfo"); user != nullptr && !user->isNull()) {
    if (!user->isObject()) return "request.userInfo is not an object";
    if (const Node* u = user->get("username"); u != nullptr && !u->isNull()) {
      if (!u->isString()) return "request.userInfo.username is not a string";
      r->username = u->str();
    }
    if (const Node* g = user->get("groups"); g != nullptr && !g->isNull()) {
      if (!g->isArray()) return "request.userInfo.groups is not a list";
      r->groups = g;
    }
  }
  if (const Node* dry = request->get("dryRun"); dry != nullptr && !dry->isNull()) {
    if (!dry->isBool()) return "request.dryRun is not a boolean";
    r->dry_run = dry->boolean();
  }
  const Node* object = request->get("object");
  const Node* old_object = request->get("oldObject");
  if (object != nullptr && !object->isNull() && !object->isObject()) return "request.object is not an object";
  if (old_object != nullptr && !old_object->isNull() && !old_object->isObject()) {
    return "request.oldObject is not an object";
  }
  r->object = object != nullptr && object->isObject() ? object : nullptr;
  r->old_object = old_object != nullptr && old_object->isObject() ? old_object : nullptr;
  if ((r->operation == "CREATE" || r->operation == "UPDATE") && r->object == nullptr) {
    return "request.object is missing for " + std::string(r->operation);
  }
  if (r->operation == "UPDATE" && r->old_object == nullptr) return "request.oldObject is missing for UPDATE";
  return {};
}

/** The Object for a request's object or oldObject tree (namespace: the request's). */
Object objectOf(const Node* root, const Document* document, const Request& r) {
  Object o;
  o.root = root;
  o.document = document;
  if (const Node* v = root->get("apiVersion"); v != nullptr && v->isString()) o.api_version = v->str();
  if (const Node* v = root->get("kind"); v != nullptr && v->isString()) o.kind = v->str();
  if (o.kind.empty()) o.kind = r.kind;
  if (const Node* v = root->find({"metadata", "name"}); v != nullptr && v->isString()) o.name = v->str();
  if (o.name.empty()) o.name = r.name;
  if (!isClusterScopedKind(o.kind)) {
    if (const Node* v = root->find({"metadata", "namespace"}); v != nullptr && v->isString()) o.namespace_ = v->str();
    if (o.namespace_.empty()) o.namespace_ = r.ns;
  }
  o.line = root->line();
  return o;
}

// --- Comparing object and oldObject ----------------------------------------------------------

bool equalNodes(const Node& a, const Node& b, int depth);

bool equalMembers(const Node& a, const Node& b, int depth, bool skip_meta_status) {
  auto skipped = [&](std::string_view key) { return skip_meta_status && (key == "metadata" || key == "status"); };
  size_t count_a = 0, count_b = 0;
  for (const Member& m : b.members()) count_b += skipped(m.key.str()) ? 0 : 1;
  auto ma = a.members();
  auto mb = b.members();
  for (size_t i = 0; i < ma.size(); ++i) {
    std::string_view key = ma[i].key.str();
    if (skipped(key)) continue;
    ++count_a;
    const Node* other = nullptr;
    if (i < mb.size() && mb[i].key.str() == key) {
      other = &mb[i].value;  // the usual case: the API server writes fields in the same order
    } else {
      other = b.get(key);
    }
    if (other == nullptr || !equalNodes(ma[i].value, *other, depth + 1)) return false;
  }
  return count_a == count_b;
}

bool equalNodes(const Node& a, const Node& b, int depth) {
  if (a.type() != b.type()) {
    return a.isNumber() && b.isNumber() && a.number() == b.number();
  }
  switch (a.type()) {
    case NodeType::kNull: return true;
    case NodeType::kBool: return a.boolean() == b.boolean();
    case NodeType::kInt: return a.integer() == b.integer();
    case NodeType::kFloat: return a.number() == b.number();
    case NodeType::kString: return a.str() == b.str();
    case NodeType::kArray: {
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!equalNodes(a.items()[i], b.items()[i], depth + 1)) return false;
      }
      return true;
    }
    case NodeType::kObject: return a.size() == b.size() && equalMembers(a, b, depth, false);
  }
  return false;
}

/** Names of the containers whose image differs from the old object's container of that name. */
std::vector<std::string_view> changedImages(const Object& object, const Object& old,
                                            const std::vector<checks::WorkloadKind>& kinds) {
  std::vector<std::string_view> out;
  auto pod = checks::podSpecOf(object, kinds);
  auto old_pod = checks::podSpecOf(old, kinds);
  if (!pod || !old_pod) return out;
  for (const checks::ContainerRef& c : pod->containers) {
    const Node* image = c.node->get("image");
    for (const checks::ContainerRef& o : old_pod->containers) {
      if (o.list != c.list || o.name != c.name) continue;
      const Node* old_image = o.node->get("image");
      bool same = image != nullptr && old_image != nullptr && image->str() == old_image->str();
      if (!same) out.push_back(c.name);
      break;
    }
  }
  return out;
}

// --- Policy lookups ---------------------------------------------------------------------------

bool anyGlob(const std::vector<std::string>& patterns, std::string_view text) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return globMatch(p, text); });
}

bool selectorMatches(const NamespaceSelector& s, std::string_view ns, const NamespaceLabels* provider) {
  if (!s.names.empty() && !anyGlob(s.names, ns)) return false;
  if (s.match_labels.empty() && s.match_expressions.empty()) return true;
  if (provider == nullptr) return false;
  std::optional<std::map<std::string, std::string>> labels = provider->labels(ns);
  if (!labels) return false;
  for (const auto& [key, value] : s.match_labels) {
    auto it = labels->find(key);
    if (it == labels->end() || it->second != value) return false;
  }
  for (const ObjectMatcher::Expression& e : s.match_expressions) {
    auto it = labels->find(e.key);
    bool has = it != labels->end();
    bool in = has && std::find(e.values.begin(), e.values.end(), it->second) != e.values.end();
    if (e.op == "In" && !in) return false;
    if (e.op == "NotIn" && in) return false;
    if (e.op == "Exists" && !has) return false;
    if (e.op == "DoesNotExist" && has) return false;
  }
  return true;
}

/**
 * Checks that do not run at admission: they judge an object against the rest of the cluster
 * (CheckInfo::reads: Services, NetworkPolicies, ServiceAccounts, bindings...), the control plane's
 * configuration (cis-*, judged on static pods the kubelet owns), the attack graph (risk-*), a
 * namespace's workloads (psa-namespace-*) or the YAML text (yaml-*), none of which a webhook sees.
 */
bool runsAtAdmission(const CheckInfo& info) {
  if (!info.reads.empty()) return false;
  for (std::string_view prefix : {"cis-", "risk-", "psa-namespace-", "yaml-"}) {
    if (info.id.starts_with(prefix)) return false;
  }
  return true;
}

bool isCoveredKind(std::string_view kind, std::string_view group) {
  if (group == "rbac.authorization.k8s.io") {
    return kind == "Role" || kind == "ClusterRole" || kind == "RoleBinding" || kind == "ClusterRoleBinding";
  }
  if (group.empty()) return kind == "Service";
  if (group == "networking.k8s.io" || group == "extensions") return kind == "Ingress" || kind == "NetworkPolicy";
  return false;
}

struct Counted {
  const Finding* finding;
  bool denies;
  bool preexisting;
};

}  // namespace

struct Controller::Impl {
  const Catalog& catalog;
  ScanPolicy scan;
  AdmissionPolicy policy;
  const NamespaceLabels* labels;
  ControllerOptions options;
  ObjectSet no_objects;            // the cluster as the webhook sees it: nothing but the object
  ScanContext context;             // built once over no_objects
  std::vector<std::unique_ptr<Engine>> engines;
  std::vector<std::pair<uint32_t, uint32_t>> engine_keys;  // (level, minor) of engines[i]
  size_t default_engine = 0;
  std::vector<size_t> rule_engines;  // per policy.namespaces[i]

  Impl(const Catalog& c, ScanPolicy s, AdmissionPolicy p, const NamespaceLabels* l, ControllerOptions o)
      : catalog(c), scan(std::move(s)), policy(std::move(p)), labels(l), options(o) {
    context = buildScanContext(catalog, no_objects, scan.workload_kinds);
    context.vulns = nullptr;
    context.risk_scores = false;
    default_engine = engineFor(policy.defaults);
    for (const NamespaceRule& rule : policy.namespaces) rule_engines.push_back(engineFor(rule.policy));
  }

  /** The engine for a namespace policy's Pod Security level and version, built once per distinct pair. */
  size_t engineFor(const NamespacePolicy& p) {
    std::pair<uint32_t, uint32_t> key{static_cast<uint32_t>(p.pss_level), p.pss_minor};
    for (size_t i = 0; i < engine_keys.size(); ++i) {
      if (engine_keys[i] == key) return i;
    }
    // The non-Pod-Security checks the scan policy selects (frameworks, enabled, disabled), then
    // exactly the Pod Security checks of this level and version, minus what cannot run here.
    ScanPolicy probe_policy = scan;
    probe_policy.risk_scores = false;
    probe_policy.exceptions.clear();
    Engine probe(catalog, probe_policy);
    std::vector<std::string> ids;
    for (const Check* check : probe.checks()) {
      if (check->info().pss_id.empty() && runsAtAdmission(check->info())) ids.emplace_back(check->info().id);
    }
    auto listed = [](const std::vector<std::string>& list, std::string_view id) {
      return std::find(list.begin(), list.end(), id) != list.end();
    };
    for (const Check* check : checks::pss::pssChecksFor(catalog, p.pss_level, p.pss_minor)) {
      std::string_view id = check->info().id;
      if (listed(scan.disabled_checks, id)) continue;
      if (!scan.enabled_checks.empty() && !listed(scan.enabled_checks, id)) continue;
      ids.emplace_back(id);
    }
    if (ids.empty()) ids.emplace_back("<none>");  // an empty list would mean "every check"
    ScanPolicy policy_for_level = scan;
    policy_for_level.frameworks = {Framework::kAll, Framework::kPssBaseline};
    policy_for_level.pss_minor = p.pss_minor;
    policy_for_level.pss_latest = p.pss_latest;
    policy_for_level.enabled_checks = std::move(ids);
    policy_for_level.risk_scores = false;
    policy_for_level.vulns = nullptr;
    policy_for_level.unreadable.clear();
    engines.push_back(std::make_unique<Engine>(catalog, std::move(policy_for_level)));
    engine_keys.push_back(key);
    return engines.size() - 1;
  }

  Outcome review(std::string_view body) const;
  Outcome malformed(std::string message, std::string_view uid) const;
  void evaluate(const Engine& engine, const Object& object, std::vector<Finding>* out) const;
};

Controller::Controller(const Catalog& catalog, ScanPolicy scan, AdmissionPolicy policy, const NamespaceLabels* labels,
                       ControllerOptions options)
    : impl_(std::make_unique<Impl>(catalog, std::move(scan), std::move(policy), labels, options)) {}

Controller::~Controller() = default;

const AdmissionPolicy& Controller::policy() const { return impl_->policy; }

Outcome Controller::review(std::string_view body) const {
  try {
    return impl_->review(body);
  } catch (const std::exception& e) {
    return impl_->malformed(std::string("internal error: ") + e.what(), {});
  } catch (...) {
    return impl_->malformed("internal error", {});
  }
}

Outcome Controller::Impl::malformed(std::string message, std::string_view uid) const {
  Outcome out;
  out.http_status = 400;
  out.decision = Outcome::Decision::kMalformed;
  out.uid = std::string(uid);
  out.body = "kspm: malformed AdmissionReview: " + message;
  if (!uid.empty()) out.body += " (uid " + truncated(std::string(uid), 64) + ")";
  out.body += "\n";
  return out;
}

void Controller::Impl::evaluate(const Engine& engine, const Object& object, std::vector<Finding>* out) const {
  engine.evaluate(object, no_objects, context, out);
}

namespace {

/** The object without its suppression annotations (they are not honoured), in `arena`. */
const Node* withoutSuppressions(const Node& root, Arena& arena, std::vector<std::string_view>* seen) {
  const Node* annotations = root.find({"metadata", "annotations"});
  if (annotations == nullptr || !annotations->isObject()) return &root;
  size_t kept = 0;
  for (const Member& m : annotations->members()) {
    if (m.key.str().starts_with(kSuppressAnnotationPrefix)) {
      seen->push_back(m.key.str().substr(kSuppressAnnotationPrefix.size()));
    } else {
      ++kept;
    }
  }
  if (seen->empty()) return &root;
  Member* new_annotations = arena.allocateArray<Member>(kept);
  size_t k = 0;
  for (const Member& m : annotations->members()) {
    if (!m.key.str().starts_with(kSuppressAnnotationPrefix)) new_annotations[k++] = m;
  }
  const Node& metadata = *root.get("metadata");
  Member* new_metadata = arena.allocateArray<Member>(metadata.size());
  k = 0;
  for (const Member& m : metadata.members()) {
    new_metadata[k] = m;
    if (m.key.str() == "annotations") {
      new_metadata[k].value = Node::makeObject(new_annotations, static_cast<uint32_t>(kept), m.value.line());
    }
    ++k;
  }
  Member* new_root = arena.allocateArray<Member>(root.size());
  k = 0;
  for (const Member& m : root.members()) {
    new_root[k] = m;
    if (m.key.str() == "metadata") {
      new_root[k].value = Node::makeObject(new_metadata, metadata.size(), m.value.line());
    }
    ++k;
  }
  Node* out = arena.allocateArray<Node>(1);
  *out = Node::makeObject(new_root, root.size(), root.line());
  return out;
}

std::string describeObject(const Object& object, const Node* root) {
  std::string name(object.name);
  if (name.empty()) {
    const Node* generate = root->find({"metadata", "generateName"});
    name = generate != nullptr && generate->isString() ? std::string(generate->str()) + "*" : "<unnamed>";
  }
  std::string out(object.kind);
  out += ' ';
  if (!object.namespace_.empty()) {
    out += object.namespace_;
    out += '/';
  }
  out += name;
  return out;
}

}  // namespace

Outcome Controller::Impl::review(std::string_view body) const {
  if (body.size() > options.max_body_bytes) {
    return malformed("the body is larger than the limit of " + std::to_string(options.max_body_bytes) + " bytes", {});
  }
  size_t start = 0;
  while (start < body.size() && (body[start] == ' ' || body[start] == '\t' || body[start] == '\n' || body[start] == '\r')) {
    ++start;
  }
  if (start == body.size()) return malformed("the body is empty", {});
  if (body[start] != '{') return malformed("the body is not a JSON object", {});
  LoadResult loaded;
  // managedFields (a third of a typical object, in object and oldObject) is never judged: not built.
  LoadLimits limits = options.limits;
  limits.skip_managed_fields = true;
  if (!loader::loadJson("request", body, start, limits, &loaded)) {
    // Not JSON: say where, without echoing the input.
    rapidjson::Reader reader;
    rapidjson::BaseReaderHandler<> ignore;
    rapidjson::MemoryStream stream(body.data(), body.size());
    rapidjson::ParseResult result = reader.Parse<rapidjson::kParseIterativeFlag>(stream, ignore);
    return malformed("the body is not valid JSON: " + std::string(rapidjson::GetParseError_En(result.Code())) +
                         " at byte " + std::to_string(result.Offset()),
                     {});
  }
  if (!loaded.errors.empty()) {
    const InputError& e = loaded.errors.front();
    if (e.code == ErrorCode::kDepthLimit) {
      return malformed("the body is nested deeper than the limit of " + std::to_string(options.limits.max_depth), {});
    }
    if (e.code == ErrorCode::kDocumentTooLarge) {
      return malformed("the body is larger than the limit of " + std::to_string(options.limits.max_document_bytes) +
                           " bytes",
                       {});
    }
    return malformed(e.message, {});
  }
  if (loaded.documents.size() != 1 || loaded.documents[0].root() == nullptr) {
    return malformed("the body must hold exactly one JSON object", {});
  }
  Document& document = loaded.documents[0];
  Request r;
  if (std::string why = decodeRequest(*document.root(), &r); !why.empty()) {
    const Node* uid = document.root()->find({"request", "uid"});
    return malformed(why, uid != nullptr && uid->isString() && uid->str().size() <= kMaxUidBytes ? uid->str()
                                                                                                  : std::string_view());
  }

  Outcome out;
  out.uid = std::string(r.uid);
  out.operation = std::string(r.operation);
  out.kind = std::string(r.kind);
  out.ns = std::string(r.ns);
  out.name = std::string(r.name);
  out.username = std::string(r.username);
  out.dry_run = r.dry_run;

  std::vector<std::string> warnings;
  std::vector<std::pair<std::string_view, std::string>> audit;  // key, value
  std::string status_message;
  bool allowed = true;

  auto respond = [&]() {
    std::string& b = out.body;
    b.reserve(256 + status_message.size() + 128 * warnings.size());
    b += R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":)";
    appendJsonString(&b, r.uid);
    b += allowed ? R"(,"allowed":true)" : R"(,"allowed":false)";
    if (!allowed) {
      b += R"(,"status":{"code":403,"reason":"Forbidden","message":)";
      appendJsonString(&b, status_message);
      b += '}';
    }
    if (!warnings.empty()) {
      b += R"(,"warnings":[)";
      for (size_t i = 0; i < warnings.size(); ++i) {
        if (i > 0) b += ',';
        appendJsonString(&b, warnings[i]);
      }
      b += ']';
    }
    if (!audit.empty()) {
      b += R"(,"auditAnnotations":{)";
      for (size_t i = 0; i < audit.size(); ++i) {
        if (i > 0) b += ',';
        appendJsonString(&b, audit[i].first);
        b += ':';
        appendJsonString(&b, audit[i].second);
      }
      b += '}';
    }
    b += "}}";
    return std::move(out);
  };

  // What is not judged at all.
  bool pod_subresource = r.subresource == "ephemeralcontainers" && r.kind == "Pod" && r.group.empty();
  if ((r.operation != "CREATE" && r.operation != "UPDATE") || (!r.subresource.empty() && !pod_subresource)) {
    out.decision = Outcome::Decision::kNotCovered;
    return respond();
  }
  const Object probe = objectOf(r.object, &document, r);
  bool pod_bearing = checks::isPodBearingKind(probe.kind) || checks::podSpecOf(probe, scan.workload_kinds, false);
  if (!pod_bearing && !isCoveredKind(probe.kind, probe.group())) {
    out.decision = Outcome::Decision::kNotCovered;
    return respond();
  }
  const bool cluster_scoped = isClusterScopedKind(probe.kind);
  std::string_view ns = cluster_scoped ? std::string_view() : probe.namespace_;

  // Exemptions.
  std::string exempt;
  if (!ns.empty() && anyGlob(policy.exempt_namespaces, ns)) {
    exempt = "namespace " + std::string(ns);
  } else if (!r.username.empty() &&
             std::find(policy.exempt_users.begin(), policy.exempt_users.end(), r.username) != policy.exempt_users.end()) {
    exempt = "user " + std::string(r.username);
  } else if (r.groups != nullptr) {
    for (const Node& g : r.groups->items()) {
      if (g.isString() &&
          std::find(policy.exempt_groups.begin(), policy.exempt_groups.end(), g.str()) != policy.exempt_groups.end()) {
        exempt = "group " + std::string(g.str());
        break;
      }
    }
  }
  if (!exempt.empty()) {
    out.decision = Outcome::Decision::kExempt;
    audit.emplace_back("decision", "exempt");
    audit.emplace_back("exempt", std::move(exempt));
    return respond();
  }

  // The namespace's policy.
  const NamespacePolicy* ns_policy = &policy.defaults;
  size_t engine_index = default_engine;
  if (!ns.empty()) {
    for (size_t i = 0; i < policy.namespaces.size(); ++i) {
      if (selectorMatches(policy.namespaces[i].selector, ns, labels)) {
        ns_policy = &policy.namespaces[i].policy;
        engine_index = rule_engines[i];
        break;
      }
    }
  }
  out.mode = ns_policy->mode;
  const Engine& engine = *engines[engine_index];

  // UPDATE: nothing but metadata or status changed: allowed whatever the object's state.
  std::optional<Object> old;
  if (r.operation == "UPDATE") {
    old = objectOf(r.old_object, &document, r);
    if (equalMembers(*r.object, *r.old_object, 0, true)) {
      out.decision = Outcome::Decision::kAllowed;
      audit.emplace_back("decision", "allowed");
      audit.emplace_back("mode", std::string(modeName(ns_policy->mode)));
      audit.emplace_back("update", "metadata or status only");
      return respond();
    }
  }

  // Evaluate, with suppression annotations removed (not honoured here).
  std::vector<std::string_view> suppressions;
  Object object = probe;
  object.root = withoutSuppressions(*r.object, document.arena(), &suppressions);
  std::vector<Finding> findings;
  evaluate(engine, object, &findings);

  std::vector<Counted> counted;
  counted.reserve(findings.size());
  std::unordered_set<std::string> old_fingerprints;
  std::vector<std::string_view> changed;
  if (old && !findings.empty()) {
    std::vector<std::string_view> ignored;
    Object old_object = *old;
    old_object.root = withoutSuppressions(*r.old_object, document.arena(), &ignored);
    std::vector<Finding> old_findings;
    evaluate(engine, old_object, &old_findings);
    for (const Finding& f : old_findings) {
      if (!f.suppressed) old_fingerprints.insert(fingerprint(f, old_object, old_object.namespace_));
    }
    changed = changedImages(object, old_object, scan.workload_kinds);
  }
  for (const Finding& f : findings) {
    if (f.suppressed) continue;  // by a policy exception: annotations were removed above
    bool preexisting = !old_fingerprints.empty() &&
                       old_fingerprints.count(fingerprint(f, object, object.namespace_)) != 0;
    // A finding the old object had still counts when the code it is about changes: a container
    // whose image changed, or (for pod-level findings) any changed image.
    bool counts = !preexisting || (f.container.empty() ? !changed.empty()
                                                       : std::find(changed.begin(), changed.end(), f.container) !=
                                                             changed.end());
    // Pod Security checks run only at the namespace's level, which is the enforcement statement
    // (as with Pod Security Admission): any of them denies; other checks at or above the severity.
    bool denies = counts && ns_policy->mode == Mode::kEnforce &&
                  (!f.check->pss_id.empty() || f.severity >= ns_policy->enforce_severity);
    counted.push_back({&f, denies, !counts});
  }
  out.findings = static_cast<uint32_t>(counted.size());
  // Most severe first (then in check ID order, as evaluated): what fits in the message and the
  // warnings is what matters most.
  std::stable_sort(counted.begin(), counted.end(),
                   [](const Counted& a, const Counted& b) { return a.finding->severity > b.finding->severity; });

  for (std::string_view id : suppressions) {
    warnings.push_back(truncated("kspm: suppression annotation " + std::string(kSuppressAnnotationPrefix) +
                                     std::string(id) + " is not honoured at admission",
                                 kMaxWarningChars + 60));
  }
  const std::string what = describeObject(object, r.object);
  size_t denying = 0;
  for (const Counted& c : counted) denying += c.denies ? 1 : 0;
  if (denying > 0) {
    allowed = false;
    out.decision = Outcome::Decision::kDenied;
    // "kspm denied Kind ns/name: id: message; message (fix: ...); id2: ...", at most kMaxDenyMessage.
    std::string& m = status_message;
    m = "kspm denied " + what + ": ";
    size_t shown = 0;
    for (size_t i = 0; i < counted.size(); ++i) {
      if (!counted[i].denies) continue;
      const Finding& f = *counted[i].finding;
      std::string part;
      bool first_of_check = true;
      for (size_t j = 0; j < i; ++j) {
        if (counted[j].denies && counted[j].finding->check == f.check) first_of_check = false;
      }
      if (!first_of_check) continue;
      part = std::string(f.check->id) + ": " + f.message;
      size_t more_of_check = 0;
      for (size_t j = i + 1; j < counted.size(); ++j) {
        if (!counted[j].denies || counted[j].finding->check != f.check) continue;
        if (more_of_check == 0 && part.size() + counted[j].finding->message.size() < kMaxDenyMessage / 4) {
          part += "; " + counted[j].finding->message;
        } else {
          ++more_of_check;
        }
      }
      if (more_of_check > 0) part += "; and " + std::to_string(more_of_check) + " more like this";
      part += " (fix: " + std::string(f.check->remediation) + ")";
      size_t remaining = denying - shown;
      if (shown > 0 && m.size() + part.size() + 2 > kMaxDenyMessage - 40) {
        m += "; and " + std::to_string(remaining) + " more finding" + (remaining == 1 ? "" : "s");
        shown = denying;
        break;
      }
      if (shown > 0) m += "; ";
      m += part;
      for (const Counted& c : counted) shown += c.denies && c.finding->check == f.check ? 1 : 0;
    }
    m = truncated(std::move(m), kMaxDenyMessage);
  } else if (!counted.empty()) {
    out.decision = ns_policy->mode == Mode::kAudit ? Outcome::Decision::kAudited : Outcome::Decision::kWarned;
  } else {
    out.decision = Outcome::Decision::kAllowed;
  }

  // Warnings: what did not deny (not in audit mode), then one summary line for the rest.
  if (ns_policy->mode != Mode::kAudit) {
    size_t limit = policy.max_warnings;
    size_t not_shown = 0;
    for (const Counted& c : counted) {
      if (c.denies) continue;
      if (warnings.size() >= limit) {
        ++not_shown;
        continue;
      }
      const Finding& f = *c.finding;
      std::string w = "kspm: " + std::string(f.check->id) + " (" + std::string(severityName(f.severity)) +
                      (c.preexisting ? ", already present" : "") + "): " + f.message;
      warnings.push_back(truncated(std::move(w), kMaxWarningChars));
    }
    if (warnings.size() > limit) {
      not_shown += warnings.size() - limit;
      warnings.resize(limit);
    }
    if (not_shown > 0) {
      warnings.push_back("kspm: " + std::to_string(not_shown) + " more finding" + (not_shown == 1 ? "" : "s") +
                         " not shown (kspm scan shows them all)");
    }
  }

  // Audit annotations (keys without a prefix: the API server prefixes them with the webhook's name).
  audit.emplace_back("decision", std::string(decisionName(out.decision)));
  audit.emplace_back("mode", std::string(modeName(ns_policy->mode)));
  if (!counted.empty()) {
    std::vector<std::string_view> ids;
    for (const Counted& c : counted) ids.push_back(c.finding->check->id);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::string list;
    for (std::string_view id : ids) {
      if (list.size() + id.size() + 1 > 1024) {
        list += ",...";
        break;
      }
      if (!list.empty()) list += ',';
      list += id;
    }
    audit.emplace_back("findings", std::move(list));
  }
  if (!suppressions.empty()) audit.emplace_back("ignored-suppressions", std::to_string(suppressions.size()));
  return respond();
}

}  // namespace kspm::admission
