// Unit tests for the PSS checks: every check on its own testdata/pass_* and fail_* fixtures,
// exact paths and lines for a few findings, pssChecksFor and parsePssVersion, and podSpecOf.
//
// A testdata file may start with "# pss-version: v1.N" to be evaluated at that policy version
// (default: latest). Every object in a fail_* file must get >= 1 finding from the check; no
// object in a pass_* file may get any.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "checks/common/pod_spec.h"
#include "checks/pss/pss_policy.h"
#include "kspm/catalog.h"
#include "kspm/check.h"
#include "kspm/object.h"
#include "test_util.h"

namespace kspm::checks::pss {
namespace {

namespace fs = std::filesystem;

std::vector<Finding> run(const Check& check, const ObjectSet& set, const Object& object,
                         uint32_t minor = kPssLatestMinor) {
  std::vector<Finding> out;
  FindingSink sink(&out);
  sink.setCheck(&check.info());
  EvalContext context;
  context.objects = &set;
  context.pss_minor = minor;
  check.evaluate(object, context, sink);
  return out;
}

uint32_t versionOf(const std::string& content) {
  constexpr std::string_view kTag = "# pss-version: ";
  if (content.rfind(kTag, 0) != 0) return kPssLatestMinor;
  std::string rest = content.substr(kTag.size(), content.find('\n') - kTag.size());
  uint32_t minor = 0;
  EXPECT_TRUE(parsePssVersion(rest, &minor)) << rest;
  return minor;
}

std::vector<const Check*> pssChecks() {
  std::vector<const Check*> out;
  for (const Check* check : Catalog::builtin().all()) {
    if (!check->info().pss_id.empty()) out.push_back(check);
  }
  return out;
}

TEST(PssChecks, CatalogHasNineteenChecksWithMetadata) {
  std::vector<const Check*> checks = pssChecks();
  ASSERT_EQ(checks.size(), 19u);
  for (const Check* check : checks) {
    const CheckInfo& info = check->info();
    SCOPED_TRACE(std::string(info.id));
    EXPECT_TRUE(info.id.starts_with("pss-"));
    EXPECT_FALSE(info.title.empty());
    EXPECT_NE(info.title.back(), '.');
    EXPECT_FALSE(info.description.empty());
    ASSERT_FALSE(info.remediation.empty());
    EXPECT_EQ(info.remediation.back(), '.');
    EXPECT_EQ(info.scope, Scope::kPodSpec);
    EXPECT_NE(info.pss_level, PssLevel::kNone);
    // The Pod Security profiles first (baseline checks belong to both), then CIS/NSA mappings.
    size_t pss_controls = 0;
    for (const ControlRef& control : info.controls) {
      if (!control.framework.starts_with("pss-")) continue;
      ++pss_controls;
      EXPECT_EQ(control.control, info.pss_id);
    }
    if (info.pss_level == PssLevel::kBaseline) {
      ASSERT_EQ(pss_controls, 2u);
      EXPECT_EQ(info.controls[0].framework, "pss-baseline");
      EXPECT_EQ(info.controls[1].framework, "pss-restricted");
    } else {
      ASSERT_EQ(pss_controls, 1u);
      EXPECT_EQ(info.controls[0].framework, "pss-restricted");
    }
    // Catalog ID = "pss-" + kebab-case of the upstream ID.
    std::string kebab = "pss-";
    for (char ch : info.pss_id) {
      if (ch == '_') {
        kebab += '-';
      } else if (ch >= 'A' && ch <= 'Z') {
        kebab += '-';
        kebab += static_cast<char>(ch - 'A' + 'a');
      } else {
        kebab += ch;
      }
    }
    if (info.pss_id == "appArmorProfile") kebab = "pss-apparmor-profile";
    if (info.pss_id == "seLinuxOptions") kebab = "pss-selinux-options";
    EXPECT_EQ(info.id, kebab);
  }
  EXPECT_EQ(Catalog::builtin().find("pss-privileged")->info().severity, Severity::kCritical);
  EXPECT_EQ(Catalog::builtin().find("pss-windows-host-process")->info().severity, Severity::kCritical);
}

TEST(PssChecks, OwnTestdata) {
  for (const Check* check : pssChecks()) {
    const fs::path dir = fs::path(testing::checkFolder(check->info().id)) / "testdata";
    SCOPED_TRACE(dir.string());
    ASSERT_TRUE(fs::is_directory(dir));
    int passes = 0, fails = 0, workloads = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      const bool expect_fail = name.starts_with("fail_");
      if (!expect_fail && !name.starts_with("pass_")) continue;
      (expect_fail ? fails : passes)++;
      std::string content = testing::readFile(entry.path().string());
      const uint32_t minor = versionOf(content);
      ObjectSet set = testing::loadText(content, entry.path().string());
      EXPECT_TRUE(set.errors().empty()) << name;
      ASSERT_FALSE(set.objects().empty()) << name;
      for (const Object& object : set.objects()) {
        if (object.kind != "Pod") ++workloads;
        std::vector<Finding> findings = run(*check, set, object, minor);
        if (expect_fail) {
          EXPECT_FALSE(findings.empty()) << name << ": expected a finding from " << check->info().id;
        } else {
          for (const Finding& f : findings) ADD_FAILURE() << name << ": unexpected " << f.path << ": " << f.message;
        }
        for (const Finding& f : findings) {
          EXPECT_EQ(f.check, &check->info());
          EXPECT_GT(f.line, 0u) << name;
          EXPECT_FALSE(f.message.empty());
          EXPECT_FALSE(f.path.empty());
          EXPECT_FALSE(f.field.empty());
        }
      }
    }
    EXPECT_GE(passes, 1);
    EXPECT_GE(fails, 1);
    EXPECT_GE(workloads, 1) << "each check needs a non-Pod workload fixture";
  }
}

// Exact finding for one fixture: check, file, then the only (or first) finding's fields.
struct Expected {
  std::string_view check;
  std::string_view file;
  std::string_view path;
  std::string_view field;
  uint32_t line;
  std::string_view message;
  std::string_view container;
  Severity severity;
};

TEST(PssChecks, PathsAndLines) {
  const Expected kCases[] = {
      {"pss-privileged", "privileged/testdata/fail_pod.yaml", "spec.containers[0].securityContext.privileged",
       "containers[web].securityContext.privileged", 10,
       "container \"web\" must not set securityContext.privileged=true", "web", Severity::kCritical},
      {"pss-privileged", "privileged/testdata/fail_deployment_init.yaml",
       "spec.template.spec.initContainers[0].securityContext.privileged",
       "initContainers[setup].securityContext.privileged", 18,
       "container \"setup\" must not set securityContext.privileged=true", "setup", Severity::kCritical},
      {"pss-host-path-volumes", "host_path_volumes/testdata/fail_cronjob.yaml",
       "spec.jobTemplate.spec.template.spec.volumes[0].hostPath", "volumes[data].hostPath", 17,
       "pod must not use hostPath volume \"data\"", "", Severity::kHigh},
      {"pss-apparmor-profile", "apparmor_profile/testdata/fail_deployment_annotation.yaml",
       "spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/web]",
       "metadata.annotations[container.apparmor.security.beta.kubernetes.io/web]", 14, "", "web",
       Severity::kMedium},
      {"pss-run-as-non-root", "run_as_non_root/testdata/fail_pod.yaml",
       "spec.containers[0].securityContext.runAsNonRoot", "containers[web].securityContext.runAsNonRoot", 7,
       "pod or container \"web\" must set securityContext.runAsNonRoot=true", "web", Severity::kMedium},
      {"pss-restricted-volumes", "restricted_volumes/testdata/fail_deployment.yaml",
       "spec.template.spec.volumes[0].hostPath", "volumes[host].hostPath", 19,
       "volume \"host\" must not use restricted volume type \"hostPath\"", "", Severity::kHigh},
      {"pss-capabilities-restricted", "capabilities_restricted/testdata/fail_deployment.yaml",
       "spec.template.spec.containers[0].securityContext.capabilities.add[0]",
       "containers[web].securityContext.capabilities.add[SYS_ADMIN]", 20,
       "container \"web\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add", "web",
       Severity::kHigh},
      {"pss-host-ports", "host_ports/testdata/fail_pod.yaml", "spec.containers[0].ports[0].hostPort",
       "containers[web].ports[http].hostPort", 12, "container \"web\" must not set hostPort=8080", "web",
       Severity::kMedium},
  };
  const fs::path root = fs::path(KSPM_SOURCE_DIR) / "src" / "checks" / "pss";
  for (const Expected& want : kCases) {
    SCOPED_TRACE(std::string(want.file));
    const Check* check = Catalog::builtin().find(want.check);
    ASSERT_NE(check, nullptr);
    ObjectSet set = testing::loadText(testing::readFile((root / want.file).string()), std::string(want.file));
    ASSERT_EQ(set.objects().size(), 1u);
    std::vector<Finding> findings = run(*check, set, set.objects()[0]);
    ASSERT_FALSE(findings.empty());
    const Finding& f = findings[0];
    EXPECT_EQ(f.path, want.path);
    EXPECT_EQ(f.field, want.field);
    EXPECT_EQ(f.line, want.line);
    if (!want.message.empty()) {
      EXPECT_EQ(f.message, want.message);
    }
    EXPECT_EQ(f.container, want.container);
    EXPECT_EQ(f.severity, want.severity);
  }
}

// One finding per offending field.
TEST(PssChecks, OneFindingPerField) {
  ObjectSet set = testing::loadText(R"(apiVersion: v1
kind: Pod
metadata:
  name: multi
spec:
  hostNetwork: true
  hostPID: true
  hostIPC: false
  containers:
  - name: a
    image: x
    securityContext:
      privileged: true
  - name: b
    image: x
    securityContext:
      privileged: true
  ephemeralContainers:
  - name: debug
    image: x
    securityContext:
      privileged: true
)", "multi.yaml");
  const Object& pod = set.objects().at(0);
  EXPECT_EQ(run(*Catalog::builtin().find("pss-privileged"), set, pod).size(), 3u);
  EXPECT_EQ(run(*Catalog::builtin().find("pss-host-namespaces"), set, pod).size(), 2u);
  // restricted checks: 3 containers lacking allowPrivilegeEscalation=false, runAsNonRoot, drop ALL.
  EXPECT_EQ(run(*Catalog::builtin().find("pss-allow-privilege-escalation"), set, pod).size(), 3u);
  EXPECT_EQ(run(*Catalog::builtin().find("pss-run-as-non-root"), set, pod).size(), 3u);
  EXPECT_EQ(run(*Catalog::builtin().find("pss-capabilities-restricted"), set, pod).size(), 3u);
  // Before their first version, checks are silent.
  EXPECT_TRUE(run(*Catalog::builtin().find("pss-allow-privilege-escalation"), set, pod, 7).empty());
  EXPECT_TRUE(run(*Catalog::builtin().find("pss-capabilities-restricted"), set, pod, 21).empty());
}

TEST(PssChecks, VersionedBehaviour) {
  ObjectSet set = testing::loadText(R"(apiVersion: v1
kind: Pod
metadata:
  name: v
spec:
  securityContext:
    sysctls:
    - name: net.ipv4.ip_local_reserved_ports
      value: "1"
    - name: net.ipv4.tcp_rmem
      value: "1"
    - name: net.ipv4.tcp_notsent_lowat
      value: "1"
    seLinuxOptions:
      type: container_engine_t
  containers:
  - name: a
    image: x
)", "v.yaml");
  const Object& pod = set.objects().at(0);
  const Check& sysctls = *Catalog::builtin().find("pss-sysctls");
  EXPECT_EQ(run(sysctls, set, pod, 26).size(), 3u);
  EXPECT_EQ(run(sysctls, set, pod, 27).size(), 2u);
  EXPECT_EQ(run(sysctls, set, pod, 32).size(), 1u);
  EXPECT_EQ(run(sysctls, set, pod, 36).size(), 1u);
  EXPECT_EQ(run(sysctls, set, pod, 37).size(), 0u);
  const Check& selinux = *Catalog::builtin().find("pss-selinux-options");
  EXPECT_EQ(run(selinux, set, pod, 30).size(), 1u);
  EXPECT_EQ(run(selinux, set, pod, 31).size(), 0u);
}

TEST(PssChecks, WrongTypesNeverCrashOrCountAsTrue) {
  ObjectSet set = testing::loadText(R"(apiVersion: v1
kind: Pod
metadata:
  name: w
  annotations: 5
spec:
  hostNetwork: "true"
  securityContext: []
  volumes: {a: 1}
  containers:
  - name: a
    image: x
    securityContext:
      privileged: "true"
      capabilities: {add: NET_RAW, drop: ALL}
      procMount: null
    ports: 8080
  - 42
  initContainers: "x"
)", "w.yaml");
  const Object& pod = set.objects().at(0);
  for (const Check* check : pssChecks()) {
    std::vector<Finding> findings = run(*check, set, pod);
    const std::string_view id = check->info().id;
    if (id == "pss-privileged" || id == "pss-host-namespaces" || id == "pss-proc-mount") {
      EXPECT_TRUE(findings.empty()) << id;
    }
  }
}

TEST(PssPolicy, ChecksForLevelAndVersion) {
  auto ids = [](PssLevel level, uint32_t minor) {
    std::vector<std::string> out;
    for (const Check* c : pssChecksFor(Catalog::builtin(), level, minor)) out.emplace_back(c->info().pss_id);
    std::sort(out.begin(), out.end());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(PssLevel::kBaseline, 0),
            (V{"appArmorProfile", "capabilities_baseline", "hostNamespaces", "hostPathVolumes", "hostPorts",
               "privileged", "procMount", "seLinuxOptions", "seccompProfile_baseline", "sysctls",
               "windowsHostProcess"}));
  EXPECT_EQ(ids(PssLevel::kBaseline, 34).size(), 12u);
  EXPECT_EQ(ids(PssLevel::kRestricted, 0),
            (V{"appArmorProfile", "capabilities_baseline", "hostNamespaces", "hostPorts", "privileged",
               "procMount", "restrictedVolumes", "runAsNonRoot", "seLinuxOptions", "seccompProfile_baseline",
               "sysctls", "windowsHostProcess"}));
  EXPECT_EQ(ids(PssLevel::kRestricted, 37),
            (V{"allowPrivilegeEscalation", "appArmorProfile", "capabilities_restricted", "hostNamespaces",
               "hostPorts", "hostProbesAndHostLifecycle", "privileged", "procMount_restricted",
               "restrictedVolumes", "runAsNonRoot", "runAsUser", "seLinuxOptions", "seccompProfile_restricted",
               "sysctls", "windowsHostProcess"}));
  // 1.19 swaps seccomp; 1.22 swaps capabilities; 1.35 swaps procMount.
  V r18 = ids(PssLevel::kRestricted, 18), r19 = ids(PssLevel::kRestricted, 19);
  EXPECT_NE(std::find(r18.begin(), r18.end(), "seccompProfile_baseline"), r18.end());
  EXPECT_EQ(std::find(r19.begin(), r19.end(), "seccompProfile_baseline"), r19.end());
  V r21 = ids(PssLevel::kRestricted, 21), r22 = ids(PssLevel::kRestricted, 22);
  EXPECT_NE(std::find(r21.begin(), r21.end(), "capabilities_baseline"), r21.end());
  EXPECT_EQ(std::find(r22.begin(), r22.end(), "capabilities_baseline"), r22.end());
  V r34 = ids(PssLevel::kRestricted, 34), r35 = ids(PssLevel::kRestricted, 35);
  EXPECT_NE(std::find(r34.begin(), r34.end(), "procMount"), r34.end());
  EXPECT_EQ(std::find(r35.begin(), r35.end(), "procMount"), r35.end());
  EXPECT_TRUE(pssChecksFor(Catalog::builtin(), PssLevel::kNone, 37).empty());
  EXPECT_EQ(ids(PssLevel::kRestricted, 99), ids(PssLevel::kRestricted, 37));
}

TEST(PssPolicy, ParseVersion) {
  uint32_t minor = 99;
  EXPECT_TRUE(parsePssVersion("latest", &minor));
  EXPECT_EQ(minor, kPssLatestMinor);
  EXPECT_TRUE(parsePssVersion("v1.0", &minor));
  EXPECT_EQ(minor, 0u);
  EXPECT_TRUE(parsePssVersion("1.25", &minor));
  EXPECT_EQ(minor, 25u);
  EXPECT_TRUE(parsePssVersion("v1.37", &minor));
  EXPECT_EQ(minor, 37u);
  for (std::string_view bad : {"", "v", "v1", "v1.", "1.38", "v1.100", "v2.0", "1.x", "V1.2", "v1.05", "1.2.3",
                               "Latest", " v1.2", "v1.-1"}) {
    EXPECT_FALSE(parsePssVersion(bad, &minor)) << bad;
  }
}

TEST(PodSpec, EveryKind) {
  struct Case {
    std::string_view yaml;
    std::string_view spec_path;
    std::string_view metadata_path;
  };
  const Case kCases[] = {
      {"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n", "spec", "metadata"},
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    metadata: {}\n    spec: {}\n",
       "spec.template.spec", "spec.template.metadata"},
      {"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  template:\n    spec: {}\n",
       "spec.template.spec", "spec.template.metadata"},
      {"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: d}\nspec:\n  template:\n    spec: {}\n",
       "spec.template.spec", "spec.template.metadata"},
      {"apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: d}\nspec:\n  template:\n    spec: {}\n",
       "spec.template.spec", "spec.template.metadata"},
      {"apiVersion: v1\nkind: ReplicationController\nmetadata: {name: d}\nspec:\n  template:\n    spec: {}\n",
       "spec.template.spec", "spec.template.metadata"},
      {"apiVersion: batch/v1\nkind: Job\nmetadata: {name: d}\nspec:\n  template:\n    spec: {}\n",
       "spec.template.spec", "spec.template.metadata"},
      {"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: d}\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
       "        metadata: {}\n        spec: {}\n",
       "spec.jobTemplate.spec.template.spec", "spec.jobTemplate.spec.template.metadata"},
      {"apiVersion: v1\nkind: PodTemplate\nmetadata: {name: d}\ntemplate:\n  metadata: {}\n  spec: {}\n",
       "template.spec", "template.metadata"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.yaml));
    ObjectSet set = testing::loadText(std::string(c.yaml), "k.yaml");
    ASSERT_EQ(set.objects().size(), 1u);
    const Object& object = set.objects()[0];
    EXPECT_TRUE(isPodBearingKind(object.kind));
    auto ref = podSpecOf(object);
    ASSERT_TRUE(ref.has_value());
    EXPECT_NE(ref->spec, nullptr);
    EXPECT_NE(ref->parent, nullptr);
    EXPECT_EQ(ref->spec_path, c.spec_path);
    EXPECT_EQ(ref->metadata_path, c.metadata_path);
  }
  for (std::string_view yaml : {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {}\n",
                                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n",
                                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: 3\n"}) {
    ObjectSet set = testing::loadText(std::string(yaml), "n.yaml");
    ASSERT_EQ(set.objects().size(), 1u);
    EXPECT_FALSE(podSpecOf(set.objects()[0]).has_value()) << yaml;
  }
  EXPECT_FALSE(isPodBearingKind("Service"));
}

}  // namespace
}  // namespace kspm::checks::pss
