#include "kspm/engine.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "checks/common/pod_spec.h"
#include "checks/pss/pss_policy.h"
#include "kspm/cpus.h"
#include "checks/risk/graph_facts.h"
#include "kspm/config.h"

namespace kspm {

std::string_view frameworkName(Framework framework) {
  switch (framework) {
    case Framework::kAll: return "all";
    case Framework::kCis: return "cis";
    case Framework::kNsa: return "nsa";
    case Framework::kPssBaseline: return "pss-baseline";
    case Framework::kPssRestricted: return "pss-restricted";
  }
  return "all";
}

bool parseFramework(std::string_view text, Framework* out) {
  for (Framework f : {Framework::kAll, Framework::kCis, Framework::kNsa, Framework::kPssBaseline,
                      Framework::kPssRestricted}) {
    if (frameworkName(f) == text) {
      *out = f;
      return true;
    }
  }
  return false;
}

bool parseFrameworkList(std::string_view text, std::vector<Framework>* out, std::string* bad) {
  out->clear();
  while (true) {
    size_t comma = text.find(',');
    std::string_view name = text.substr(0, comma);
    Framework f;
    if (!parseFramework(name, &f)) {
      *bad = std::string(name);
      return false;
    }
    if (std::find(out->begin(), out->end(), f) == out->end()) out->push_back(f);
    if (comma == std::string_view::npos) return true;
    text.remove_prefix(comma + 1);
  }
}

std::string ScanPolicy::frameworksName() const {
  std::string out;
  for (Framework f : frameworks) {
    if (!out.empty()) out += ",";
    out += frameworkName(f);
  }
  return out.empty() ? std::string("all") : out;
}

bool ScanPolicy::has(Framework framework) const {
  return std::find(frameworks.begin(), frameworks.end(), framework) != frameworks.end();
}

bool isClusterScopedKind(std::string_view kind) {
  static constexpr std::string_view kKinds[] = {
      "APIService", "CSIDriver", "CSINode", "CertificateSigningRequest", "ClusterIssuer",
      "ClusterRole", "ClusterRoleBinding", "ComponentStatus", "CustomResourceDefinition",
      "FlowSchema", "GatewayClass", "IngressClass", "MutatingWebhookConfiguration", "Namespace",
      "Node", "PersistentVolume", "PodSecurityPolicy", "PriorityClass", "PriorityLevelConfiguration",
      "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
      "ValidatingWebhookConfiguration", "VolumeAttachment", "MutatingAdmissionPolicy",
      "MutatingAdmissionPolicyBinding", "ClusterTrustBundle", "VolumeSnapshotClass",
      "GlobalNetworkPolicy", "GlobalNetworkSet", "ClusterNetworkPolicy", "AdminNetworkPolicy",
      "BaselineAdminNetworkPolicy", "CiliumClusterwideNetworkPolicy", "ClusterPolicy"};
  static const std::unordered_set<std::string_view> kSet(std::begin(kKinds), std::end(kKinds));
  return kSet.count(kind) != 0;
}

namespace {

constexpr std::string_view kPssModes[3] = {"enforce", "warn", "audit"};

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= 0xff;  // field separator
  h *= 1099511628211ull;
  return h;
}

}  // namespace

std::string_view canonicalGroup(std::string_view group, std::string_view kind) {
  if (group == "extensions") {
    if (kind == "Deployment" || kind == "DaemonSet" || kind == "ReplicaSet") return "apps";
    if (kind == "Ingress" || kind == "NetworkPolicy") return "networking.k8s.io";
    if (kind == "PodSecurityPolicy") return "policy";
  }
  return group;
}

std::string fingerprint(const Finding& finding, const Object& object, std::string_view ns, std::string_view cluster) {
  char buf[17];
  fingerprintInto(finding, object, ns, buf, cluster);
  return buf;
}

void fingerprintInto(const Finding& finding, const Object& object, std::string_view ns, char out[17],
                     std::string_view cluster) {
  uint64_t h = 1469598103934665603ull;
  h = fnv1a(h, finding.check != nullptr ? finding.check->id : std::string_view());
  // Mixed in only when set, so manifest fingerprints stay what they were before clusters had names.
  if (!cluster.empty()) h = fnv1a(h, cluster);
  h = fnv1a(h, canonicalGroup(object.group(), object.kind));
  h = fnv1a(h, object.kind);
  h = fnv1a(h, isClusterScopedKind(object.kind) ? std::string_view() : ns);
  h = fnv1a(h, object.name);
  h = fnv1a(h, finding.container);
  h = fnv1a(h, finding.field);
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[h & 0xf];
    h >>= 4;
  }
  out[16] = '\0';
}

ScanContext buildScanContext(const Catalog& catalog, const ObjectSet& objects,
                             const std::vector<checks::WorkloadKind>& workload_kinds) {
  ScanContext context;
  context.catalog = &catalog;
  context.index = ObjectIndex(objects, workload_kinds);
  context.workload_kinds = workload_kinds;
  for (PssLevel level : {PssLevel::kBaseline, PssLevel::kRestricted}) {
    for (uint32_t minor = 0; minor <= kPssLatestMinor; ++minor) {
      context.pss_checks.push_back(checks::pss::pssChecksFor(catalog, level, minor));
    }
  }
  for (const Object& object : objects.objects()) {
    if (object.kind != "Namespace" || !object.group().empty() || object.name.empty()) continue;
    NamespacePss ns;
    ns.object = &object;
    const Node* labels = object.root->find({"metadata", "labels"});
    if (labels != nullptr) {
      for (int mode = 0; mode < 3; ++mode) {
        std::string key = "pod-security.kubernetes.io/" + std::string(kPssModes[mode]);
        if (const Node* level = labels->get(key); level != nullptr) {
          ns.has_labels = true;
          ns.level[mode] = level->isString() ? level->str() : std::string_view("<not a string>");
          ns.line[mode] = level->line();
        }
        if (const Node* version = labels->get(key + "-version"); version != nullptr) {
          ns.has_labels = true;
          ns.version[mode] = version->isString() ? version->str() : std::string_view("<not a string>");
          if (ns.line[mode] == 0) ns.line[mode] = version->line();
        }
      }
    }
    context.namespaces[object.name] = ns;
  }
  return context;
}

const std::vector<const Check*>& ScanContext::pssChecks(PssLevel level, uint32_t minor) const {
  static const std::vector<const Check*> kNone;
  if (level == PssLevel::kNone || pss_checks.empty()) return kNone;
  minor = std::min(minor, kPssLatestMinor);
  return pss_checks[(static_cast<uint32_t>(level) - 1) * (kPssLatestMinor + 1) + minor];
}

void ScanSummary::add(const ObjectFindings& result) {
  ++objects;
  if (result.excluded) {
    ++excluded;
    return;
  }
  ++objects_by_kind[result.object->kind];
  if (result.has_pod_spec) ++objects_with_pod_spec;
  if (!result.findings.empty()) ++objects_with_findings;
  for (const Finding& f : result.findings) {
    ++findings;
    if (f.suppressed) {
      ++suppressed;
    } else {
      ++by_severity[static_cast<int>(f.severity)];
      ++unsuppressed_by_check[f.check->id];
    }
  }
}

Engine::Engine(const Catalog& catalog, ScanPolicy policy) : catalog_(catalog), policy_(std::move(policy)) {
  auto exists_at_version = [&](const Check* check) {
    return check->info().pss_id.empty() || check->info().pss_min_minor <= policy_.pss_minor;
  };
  for (Framework framework : policy_.frameworks) {
    std::vector<const Check*> selected;
    switch (framework) {
      case Framework::kAll:
        selected = checks::pss::pssChecksFor(catalog, PssLevel::kRestricted, policy_.pss_minor);
        for (const Check* check : catalog.all()) {
          if (check->info().pss_id.empty()) selected.push_back(check);
        }
        break;
      case Framework::kPssBaseline:
      case Framework::kPssRestricted:
        selected = checks::pss::pssChecksFor(
            catalog, framework == Framework::kPssBaseline ? PssLevel::kBaseline : PssLevel::kRestricted,
            policy_.pss_minor);
        break;
      case Framework::kCis:
      case Framework::kNsa:
        for (const Check* check : catalog.all()) {
          for (const ControlRef& ref : check->info().controls) {
            if (ref.framework == frameworkName(framework) && exists_at_version(check)) {
              selected.push_back(check);
              break;
            }
          }
        }
        break;
    }
    checks_.insert(checks_.end(), selected.begin(), selected.end());
  }
  std::sort(checks_.begin(), checks_.end(),
            [](const Check* a, const Check* b) { return a->info().id < b->info().id; });
  checks_.erase(std::unique(checks_.begin(), checks_.end()), checks_.end());
  exception_expired_.resize(policy_.exceptions.size());
  exception_matches_ = std::make_unique<std::atomic<uint64_t>[]>(policy_.exceptions.size());
  for (size_t i = 0; i < policy_.exceptions.size(); ++i) {
    const std::string& expires = policy_.exceptions[i].expires;
    exception_expired_[i] = !expires.empty() && !policy_.today.empty() && expires < policy_.today;
    exception_matches_[i] = 0;
  }
  auto listed = [](const std::vector<std::string>& ids, std::string_view id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  std::erase_if(checks_, [&](const Check* check) {
    std::string_view id = check->info().id;
    return listed(policy_.disabled_checks, id) ||
           (!policy_.enabled_checks.empty() && !listed(policy_.enabled_checks, id));
  });
  computeCoverage();
  for (const Check* check : checks_) {
    if (check->info().applies_to != nullptr) applied_index_.emplace(check, applied_index_.size());
  }
  applied_counts_ = std::make_unique<std::atomic<uint64_t>[]>(applied_index_.size());
  for (size_t i = 0; i < applied_index_.size(); ++i) applied_counts_[i] = 0;
  // checks_ is in ID order, so filtering it keeps that order whatever the scopes.
  auto applicable = [&](bool pod_bearing, std::string_view kind) {
    std::vector<const Check*> out;
    for (const Check* check : checks_) {
      const CheckInfo& info = check->info();
      bool applies = info.scope == Scope::kAnyObject || (info.scope == Scope::kPodSpec && pod_bearing) ||
                     (info.scope == Scope::kKinds &&
                      std::find(info.kinds.begin(), info.kinds.end(), kind) != info.kinds.end());
      if (applies) out.push_back(check);
    }
    return out;
  };
  for (int pod_bearing = 0; pod_bearing < 2; ++pod_bearing) {
    applicable_default_[pod_bearing] = applicable(pod_bearing != 0, {});
    for (const Check* check : checks_) {
      if (check->info().scope != Scope::kKinds) continue;
      for (std::string_view kind : check->info().kinds) {
        applicable_by_kind_[pod_bearing][kind] = applicable(pod_bearing != 0, kind);
      }
    }
  }
}

void Engine::computeCoverage() {
  if (policy_.unreadable.empty()) return;
  auto has = [](const auto& list, std::string_view kind) {
    return std::find(list.begin(), list.end(), kind) != list.end();
  };
  auto podBearing = [&](std::string_view kind) {
    if (checks::isPodBearingKind(kind)) return true;
    return std::any_of(policy_.workload_kinds.begin(), policy_.workload_kinds.end(),
                       [&](const checks::WorkloadKind& w) { return w.kind == kind; });
  };
  for (const Check* check : checks_) {
    const CheckInfo& info = check->info();
    CheckCoverage entry{check, false, {}};
    for (const UnreadableResource& u : policy_.unreadable) {
      bool reads = has(info.reads, u.kind);
      bool own = (info.scope == Scope::kKinds && has(info.kinds, u.kind)) ||
                 (info.scope == Scope::kPodSpec && podBearing(u.kind));
      if (!reads && !own) continue;
      entry.skipped = entry.skipped || reads;
      std::string what = u.resource.empty() ? u.kind : u.resource;
      if (!u.namespace_.empty()) what += " in " + u.namespace_;
      if (entry.reason.find(what + ": ") != std::string::npos) continue;
      if (!entry.reason.empty()) entry.reason += "; ";
      entry.reason += what + ": " + u.reason;
    }
    if (!entry.reason.empty()) coverage_.push_back(std::move(entry));
  }
  std::erase_if(checks_, [&](const Check* check) {
    const CheckCoverage* c = coverageOf(check->info().id);
    return c != nullptr && c->skipped;
  });
}

const Engine::CheckCoverage* Engine::coverageOf(std::string_view check_id) const {
  for (const CheckCoverage& c : coverage_) {
    if (c.check->info().id == check_id) return &c;
  }
  return nullptr;
}

namespace {

void applySuppressions(const Object& object, std::vector<Finding>* findings, size_t first) {
  const Node* annotations = object.root->find({"metadata", "annotations"});
  if (annotations == nullptr || !annotations->isObject()) return;
  for (const Member& m : annotations->members()) {
    std::string_view key = m.key.str();
    if (!key.starts_with(kSuppressAnnotationPrefix)) continue;
    std::string_view id = key.substr(kSuppressAnnotationPrefix.size());
    std::string_view reason = m.value.str();
    if (reason.empty()) continue;  // a suppression must say why; without a reason it is ignored
    for (size_t i = first; i < findings->size(); ++i) {
      Finding& f = (*findings)[i];
      if (f.check != nullptr && f.check->id == id) {
        f.suppressed = true;
        f.suppression_reason = std::string(reason);
      }
    }
  }
}

bool matchesObject(const ObjectMatcher& m, const Object& object, std::string_view ns) {
  if (!m.kind.empty() && !globMatch(m.kind, object.kind)) return false;
  if (!m.namespace_.empty() && (isClusterScopedKind(object.kind) || !globMatch(m.namespace_, ns))) return false;
  if (!m.name.empty() && !globMatch(m.name, object.name)) return false;
  if (m.match_labels.empty() && m.match_expressions.empty()) return true;
  return labelsMatch(m, object.root->find({"metadata", "labels"}));
}

}  // namespace

bool labelsMatch(const ObjectMatcher& m, const Node* labels) {
  auto label = [&](const std::string& key) -> const Node* {
    if (labels == nullptr || !labels->isObject()) return nullptr;
    const Node* v = labels->get(key);
    return v != nullptr && v->isString() ? v : nullptr;
  };
  for (const auto& [key, value] : m.match_labels) {
    const Node* v = label(key);
    if (v == nullptr || v->str() != value) return false;
  }
  for (const ObjectMatcher::Expression& e : m.match_expressions) {
    const Node* v = label(e.key);
    bool in = v != nullptr && std::find(e.values.begin(), e.values.end(), v->str()) != e.values.end();
    if (e.op == "In" && !in) return false;
    if (e.op == "NotIn" && in) return false;
    if (e.op == "Exists" && v == nullptr) return false;
    if (e.op == "DoesNotExist" && v != nullptr) return false;
  }
  return true;
}

bool Engine::inScope(const Object& object, const ObjectSet& objects) const {
  if (policy_.namespace_include.empty() && policy_.namespace_exclude.empty()) return true;
  if (isClusterScopedKind(object.kind)) return true;
  std::string_view ns = objects.namespaceOf(object);
  auto any = [&](const std::vector<std::string>& patterns) {
    return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return globMatch(p, ns); });
  };
  if (!policy_.namespace_include.empty() && !any(policy_.namespace_include)) return false;
  return !any(policy_.namespace_exclude);
}

std::vector<Engine::ExceptionUse> Engine::exceptionUse() const {
  std::vector<ExceptionUse> out;
  for (size_t i = 0; i < policy_.exceptions.size(); ++i) {
    out.push_back({&policy_.exceptions[i], exception_expired_[i], exception_matches_[i].load()});
  }
  return out;
}

uint64_t Engine::appliedCount(const Check& check) const {
  auto it = applied_index_.find(&check);
  return it == applied_index_.end() ? 0 : applied_counts_[it->second].load();
}

bool Engine::evaluate(const Object& object, const ObjectSet& objects, const ScanContext& context,
                      std::vector<Finding>* out) const {
  size_t first = out->size();
  const std::optional<checks::PodSpecRef> pod = checks::podSpecOf(object, policy_.workload_kinds);
  EvalContext eval;
  eval.objects = &objects;
  eval.scan = &context;
  eval.pss_minor = policy_.pss_minor;
  eval.pss_latest = policy_.pss_latest;
  eval.pod = pod ? &*pod : nullptr;
  eval.params = &policy_.parameters;
  eval.k8s_minor = policy_.k8s_minor;
  FindingSink sink(out);
  const int pod_bearing = pod.has_value() || checks::isPodBearingKind(object.kind) ? 1 : 0;
  const std::vector<const Check*>* applicable = &applicable_default_[pod_bearing];
  if (auto it = applicable_by_kind_[pod_bearing].find(object.kind); it != applicable_by_kind_[pod_bearing].end()) {
    applicable = &it->second;
  }
  for (const Check* check : *applicable) {
    if (auto applies_to = check->info().applies_to; applies_to != nullptr) {
      if (!applies_to(object)) continue;
      applied_counts_[applied_index_.find(check)->second].fetch_add(1, std::memory_order_relaxed);
    }
    sink.setCheck(&check->info());
    check->evaluate(object, eval, sink);
  }
  if (!policy_.severity_overrides.empty()) {
    for (size_t i = first; i < out->size(); ++i) {
      Finding& f = (*out)[i];
      auto it = policy_.severity_overrides.find(std::string(f.check->id));
      if (it != policy_.severity_overrides.end()) f.severity = it->second;
    }
  }
  if (context.risk_scores && out->size() > first) {
    const checks::risk::GraphFacts& facts = checks::risk::graphFacts(eval);
    for (size_t i = first; i < out->size(); ++i) {
      Finding& f = (*out)[i];
      checks::risk::Risk risk = checks::risk::riskOf(facts, object, f.severity);
      f.risk = risk.score;
      f.risk_factors = std::move(risk.factors);
    }
  }
  applySuppressions(object, out, first);
  if (!policy_.exceptions.empty() && out->size() > first) {
    std::string_view ns = objects.namespaceOf(object);
    for (size_t i = 0; i < policy_.exceptions.size(); ++i) {
      const PolicyException& e = policy_.exceptions[i];
      if (!std::any_of(e.objects.begin(), e.objects.end(),
                       [&](const ObjectMatcher& m) { return matchesObject(m, object, ns); })) {
        continue;
      }
      uint64_t matched = 0;
      for (size_t j = first; j < out->size(); ++j) {
        Finding& f = (*out)[j];
        if (f.suppressed) continue;
        if (!std::any_of(e.checks.begin(), e.checks.end(),
                         [&](const std::string& p) { return globMatch(p, f.check->id); })) {
          continue;
        }
        ++matched;
        if (exception_expired_[i]) continue;
        f.suppressed = true;
        f.suppressed_by_exception = true;
        f.suppression_reason = e.reason;
      }
      if (matched > 0) exception_matches_[i].fetch_add(matched, std::memory_order_relaxed);
    }
  }
  return pod.has_value();
}

void Engine::run(const ObjectSet& objects, unsigned threads,
                 const std::function<std::string(std::span<const ObjectFindings>)>& work,
                 const std::function<void(std::span<const ObjectFindings>, std::string&&)>& deliver) const {
  ScanContext built = buildScanContext(catalog_, objects, policy_.workload_kinds);
  built.vulns = policy_.vulns;
  built.cloud_admin_arns = policy_.cloud_admin_arns;
  built.risk_scores = policy_.risk_scores;
  const ScanContext context = std::move(built);
  const auto& all = objects.objects();
  constexpr size_t kBatch = 512;
  const size_t batches = (all.size() + kBatch - 1) / kBatch;
  if (threads == 0) threads = usableCpuCount();
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(batches, 1)));

  struct Slot {
    bool ready = false;
    std::vector<ObjectFindings> results;
    std::string text;
  };
  auto evaluateBatch = [&](size_t b, Slot* slot) {
    size_t begin = b * kBatch;
    size_t end = std::min(all.size(), begin + kBatch);
    slot->results.resize(end - begin);
    for (size_t i = begin; i < end; ++i) {
      ObjectFindings& r = slot->results[i - begin];
      r.object = &all[i];
      if (!inScope(all[i], objects)) {
        r.excluded = true;
        continue;
      }
      r.has_pod_spec = evaluate(all[i], objects, context, &r.findings);
    }
    slot->text = work(slot->results);
  };

  if (threads <= 1) {
    for (size_t b = 0; b < batches; ++b) {
      Slot slot;
      evaluateBatch(b, &slot);
      deliver(slot.results, std::move(slot.text));
    }
    return;
  }

  // Workers claim batches in order; at most `window` batches wait for delivery at a time, so
  // memory stays bounded however far the workers get ahead of the writer.
  const size_t window = 4 * threads;
  std::mutex mu;
  std::condition_variable cv;
  std::map<size_t, Slot> done;
  size_t next = 0;
  size_t delivered = 0;
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (;;) {
        size_t b;
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return next >= batches || next < delivered + window; });
          if (next >= batches) return;
          b = next++;
        }
        Slot slot;
        evaluateBatch(b, &slot);
        {
          std::lock_guard lock(mu);
          slot.ready = true;
          done.emplace(b, std::move(slot));
        }
        cv.notify_all();
      }
    });
  }
  while (delivered < batches) {
    Slot slot;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return done.count(delivered) != 0; });
      auto it = done.find(delivered);
      slot = std::move(it->second);
      done.erase(it);
    }
    deliver(slot.results, std::move(slot.text));
    {
      std::lock_guard lock(mu);
      ++delivered;
    }
    cv.notify_all();
  }
  for (std::thread& t : pool) t.join();
}

}  // namespace kspm
