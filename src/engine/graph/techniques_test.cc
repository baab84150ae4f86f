// A scenario per technique of the security graph (issue 6): each fixture under
// testdata/techniques/ is a few manifests that make (or, for the negative variants, just fail to
// make) one edge. Positive scenarios assert the exact edge: from and to vertex names, technique,
// likelihood and what the evidence names. Also: the path search (k bound, orderings, cap, simple
// paths, checked against brute force), blast radius, technique metadata and the exports through
// the kspm binary.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "kspm/graph.h"
#include "kspm/vulns.h"
#include "test_util.h"

namespace kspm::graph {
namespace {

const std::string kFixtures = std::string(KSPM_SOURCE_DIR) + "/src/engine/graph/testdata/techniques/";

std::string fixture(const std::string& name) {
  std::ifstream in(kFixtures + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << "missing fixture " << name;
  return ss.str();
}

/** A graph with the objects it points into. */
struct Built {
  ObjectSet set;
  std::unique_ptr<Graph> graph;
  const Graph& g() const { return *graph; }
};

std::unique_ptr<Built> build(const std::string& name, const BuildOptions& options = {}) {
  auto b = std::make_unique<Built>();
  b->set = testing::loadText(fixture(name), name);
  EXPECT_TRUE(b->set.errors().empty()) << name;
  b->graph = Graph::build(b->set, options);
  return b;
}

/** The graph's edges, one a line, leaving out those of the RBAC bootstrap policy's bindings. */
std::string dump(const Graph& g) {
  std::string out;
  for (const Edge& e : g.edges()) {
    const Vertex& from = g.vertices()[e.from];
    const Vertex& to = g.vertices()[e.to];
    if (from.kind == VertexKind::kPermissionSet && from.object == nullptr) continue;
    if (to.kind == VertexKind::kPermissionSet && to.object == nullptr) continue;
    char p[32];
    std::snprintf(p, sizeof p, "%.3f", e.likelihood);
    out += "  " + g.vertices()[e.from].name + " -[" + std::string(techniqueId(e.technique)) + " " + p + "]-> " +
           g.vertices()[e.to].name + "  (" + e.evidence + ")\n";
  }
  return out;
}

std::vector<const Edge*> edgesOf(const Graph& g, std::string_view from, std::string_view to, Technique t) {
  std::vector<const Edge*> out;
  for (const Edge& e : g.edges()) {
    if (e.technique == t && g.vertices()[e.from].name == from && g.vertices()[e.to].name == to) out.push_back(&e);
  }
  return out;
}

size_t countTechnique(const Graph& g, Technique t) {
  return std::count_if(g.edges().begin(), g.edges().end(), [&](const Edge& e) { return e.technique == t; });
}

/** Exactly one edge from -> to by t, with likelihood p and evidence containing every word given. */
void expectEdge(const Built& b, std::string_view from, std::string_view to, Technique t, double p,
                std::initializer_list<std::string_view> evidence) {
  std::vector<const Edge*> found = edgesOf(b.g(), from, to, t);
  ASSERT_EQ(found.size(), 1u) << from << " -[" << techniqueId(t) << "]-> " << to << " expected once; graph:\n"
                              << dump(b.g());
  EXPECT_DOUBLE_EQ(found[0]->likelihood, p) << found[0]->evidence;
  for (std::string_view word : evidence) {
    EXPECT_NE(found[0]->evidence.find(word), std::string::npos)
        << "evidence \"" << found[0]->evidence << "\" does not name \"" << word << "\"";
  }
}

/** At least one edge from -> to by t with likelihood p whose evidence has every word. */
void expectSomeEdge(const Built& b, std::string_view from, std::string_view to, Technique t, double p,
                    std::initializer_list<std::string_view> evidence) {
  for (const Edge* e : edgesOf(b.g(), from, to, t)) {
    bool all = e->likelihood == p;
    for (std::string_view word : evidence) all = all && e->evidence.find(word) != std::string::npos;
    if (all) return;
  }
  ADD_FAILURE() << from << " -[" << techniqueId(t) << "]-> " << to << " expected; graph:\n" << dump(b.g());
}

void expectNoEdge(const Built& b, std::string_view from, std::string_view to, Technique t) {
  EXPECT_TRUE(edgesOf(b.g(), from, to, t).empty())
      << from << " -[" << techniqueId(t) << "]-> " << to << " must not exist; graph:\n"
      << dump(b.g());
}

/** No edge by t leaves `from`, which must exist (a negative test on a vertex that is not there proves nothing). */
void expectNoEdgeFrom(const Built& b, std::string_view from, Technique t) {
  std::optional<uint32_t> v = b.g().find(from);
  ASSERT_TRUE(v.has_value()) << from << " is not in the graph:\n" << dump(b.g());
  for (uint32_t e : b.g().out(*v)) {
    EXPECT_NE(b.g().edges()[e].technique, t) << from << " -[" << techniqueId(t) << "]-> "
                                             << b.g().vertices()[b.g().edges()[e].to].name << " must not exist";
  }
}

void expectNoTechnique(const Built& b, Technique t) {
  EXPECT_EQ(countTechnique(b.g(), t), 0u) << techniqueId(t) << " must not appear; graph:\n" << dump(b.g());
}

#define EXPECT_EDGE(...)          \
  do {                            \
    SCOPED_TRACE("EXPECT_EDGE");  \
    expectEdge(__VA_ARGS__);      \
  } while (0)

// ---------------------------------------------------------------------------------------------
// Container escapes (workload -> node)

TEST(GraphTechnique, CePrivMount) {
  auto b = build("ce_priv_mount.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/escape", "node", Technique::kCePrivMount, 1.0, {"container app", "securityContext.privileged"});
  // The edge points at the object and the line of the field.
  std::vector<const Edge*> e = edgesOf(b->g(), "lab/Deployment/escape", "node", Technique::kCePrivMount);
  ASSERT_EQ(e.size(), 1u);
  ASSERT_NE(e[0]->object, nullptr);
  EXPECT_EQ(e[0]->object->name, "escape");
  EXPECT_EQ(e[0]->line, 13u);  // "securityContext: {privileged: true}" in ce_priv_mount.yaml
  EXPECT_TRUE(b->g().vertices()[*b->g().find("node")].jewel);
}

TEST(GraphTechnique, CePrivMountNotPrivileged) {
  auto b = build("ce_priv_mount_not_privileged.yaml");
  expectNoTechnique(*b, Technique::kCePrivMount);
  expectNoTechnique(*b, Technique::kCeModuleLoad);
  expectNoTechnique(*b, Technique::kCeNsenter);
}

TEST(GraphTechnique, CeModuleLoadPrivileged) {
  auto b = build("ce_priv_mount.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/escape", "node", Technique::kCeModuleLoad, 1.0, {"container app", "privileged"});
}

TEST(GraphTechnique, CeModuleLoadCapability) {
  auto b = build("ce_module_load.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/modload", "node", Technique::kCeModuleLoad, 1.0, {"container app", "SYS_MODULE"});
  expectNoTechnique(*b, Technique::kCePrivMount);
}

TEST(GraphTechnique, CeModuleLoadOtherCapabilities) {
  auto b = build("ce_module_load_other_caps.yaml");
  expectNoTechnique(*b, Technique::kCeModuleLoad);
}

TEST(GraphTechnique, CeNsenter) {
  auto b = build("ce_nsenter.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/nsenter", "node", Technique::kCeNsenter, 1.0, {"container app", "hostPID"});
}

TEST(GraphTechnique, CeNsenterHostPidWithoutPrivileged) {
  auto b = build("ce_nsenter_hostpid_not_privileged.yaml");
  expectNoTechnique(*b, Technique::kCeNsenter);
  expectNoTechnique(*b, Technique::kCeSysPtrace);  // no SYS_PTRACE/SYS_ADMIN either
}

TEST(GraphTechnique, CeSysPtrace) {
  // AppArmor's runtime/default profile denies ptrace of host processes where AppArmor is enforced.
  auto b = build("ce_sys_ptrace.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/ptrace", "node", Technique::kCeSysPtrace, 0.5, {"container app", "SYS_PTRACE", "SYS_ADMIN", "hostPID"});
}

TEST(GraphTechnique, CeSysPtraceUnconfined) {
  auto b = build("ce_sys_ptrace_unconfined.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/ptrace", "node", Technique::kCeSysPtrace, 1.0, {"container app", "SYS_PTRACE"});
}

TEST(GraphTechnique, CeSysPtracePodLevelUnconfined) {
  // spec.securityContext.appArmorProfile applies to every container that does not set its own.
  auto b = build("ce_sys_ptrace_pod_unconfined.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/ptrace", "node", Technique::kCeSysPtrace, 1.0, {"container app", "SYS_PTRACE"});
}

TEST(GraphTechnique, CeSysPtraceWithoutHostPid) {
  auto b = build("ce_sys_ptrace_no_hostpid.yaml");
  expectNoTechnique(*b, Technique::kCeSysPtrace);
}

TEST(GraphTechnique, CeSysPtraceWithoutSysAdmin) {
  auto b = build("ce_sys_ptrace_no_sys_admin.yaml");
  expectNoTechnique(*b, Technique::kCeSysPtrace);
}

constexpr const char* kCoreVolume = "lab/Deployment/core volume kernel (hostPath /proc/sys/kernel)";

TEST(GraphTechnique, CeUmhCorePattern) {
  auto b = build("ce_umh_core_pattern.yaml");
  EXPECT_EDGE(*b, kCoreVolume, "node", Technique::kCeUmhCorePattern, 1.0, {"hostPath /proc/sys/kernel", "writable", "core_pattern"});
  EXPECT_EDGE(*b, "lab/Deployment/core", kCoreVolume, Technique::kVolumeDiscover, 1.0, {"volume kernel", "/proc/sys/kernel"});
}

TEST(GraphTechnique, CeUmhCorePatternReadOnly) {
  auto b = build("ce_umh_core_pattern_readonly.yaml");
  expectNoTechnique(*b, Technique::kCeUmhCorePattern);
  expectNoTechnique(*b, Technique::kExploitHostWrite);
}

TEST(GraphTechnique, CeUmhCorePatternNonRoot) {
  // /proc/sys/kernel/core_pattern is mode 0644, owned by root: uid 1000 cannot write it.
  auto b = build("ce_umh_core_pattern_non_root.yaml");
  expectNoTechnique(*b, Technique::kCeUmhCorePattern);
}

TEST(GraphTechnique, CeUmhCorePatternOtherSysctlDirectory) {
  auto b = build("ce_umh_core_pattern_other_sysctl.yaml");
  expectNoTechnique(*b, Technique::kCeUmhCorePattern);
}

constexpr const char* kLogVolume = "lab/Deployment/logs volume varlog (hostPath /var/log)";

TEST(GraphTechnique, CeVarLogSymlink) {
  auto b = build("ce_var_log_symlink.yaml");
  EXPECT_EDGE(*b, kLogVolume, "node", Technique::kCeVarLogSymlink, 1.0, {"hostPath /var/log", "root"});
}

TEST(GraphTechnique, CeVarLogSymlinkNonRoot) {
  auto b = build("ce_var_log_symlink_non_root.yaml");
  expectNoTechnique(*b, Technique::kCeVarLogSymlink);
}

TEST(GraphTechnique, CeVarLogSymlinkRootContainerDoesNotMountIt) {
  // Only the non-root container mounts /var/log; the root container has no access to it.
  auto b = build("ce_var_log_symlink_root_container_without_mount.yaml");
  expectNoTechnique(*b, Technique::kCeVarLogSymlink);
}

TEST(GraphTechnique, CeVarLogSymlinkReadOnlyMount) {
  // The technique plants a symlink in the host's /var/log (ln -s / /host/var/log/root_link): a
  // read-only mount refuses it (EROFS), so there is no escape.
  auto b = build("ce_var_log_symlink_readonly.yaml");
  expectNoTechnique(*b, Technique::kCeVarLogSymlink);
}

// ---------------------------------------------------------------------------------------------
// hostPath volumes (volume -> node, volume -> node tokens)

TEST(GraphTechnique, ExploitContainerdSock) {
  auto b = build("exploit_containerd_sock.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/runtime volume sock (hostPath /run/containerd/containerd.sock)", "node",
              Technique::kExploitContainerdSock, 1.0, {"hostPath /run/containerd/containerd.sock", "socket"});
}

TEST(GraphTechnique, ExploitContainerdSockParentDirectory) {
  auto b = build("exploit_containerd_sock_parent.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/runtime volume sock (hostPath /run/containerd)", "node",
              Technique::kExploitContainerdSock, 1.0, {"hostPath /run/containerd"});
}

TEST(GraphTechnique, ExploitContainerdSockOtherRunDirectory) {
  auto b = build("exploit_containerd_sock_other_run_dir.yaml");
  expectNoTechnique(*b, Technique::kExploitContainerdSock);
}

TEST(GraphTechnique, ExploitHostRead) {
  auto b = build("exploit_host_read.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/reader volume etc (hostPath /etc)", "node", Technique::kExploitHostRead, 1.0,
              {"hostPath /etc", "read-only"});
  // readOnly /etc is READ, not WRITE.
  expectNoTechnique(*b, Technique::kExploitHostWrite);
}

TEST(GraphTechnique, ExploitHostReadUnlistedPath) {
  auto b = build("exploit_host_read_unlisted_path.yaml");
  expectNoTechnique(*b, Technique::kExploitHostRead);
  expectNoTechnique(*b, Technique::kExploitHostWrite);
  // The volume is still discovered.
  EXPECT_EDGE(*b, "lab/Deployment/reader", "lab/Deployment/reader volume data (hostPath /opt/data)", Technique::kVolumeDiscover, 1.0,
              {"volume data", "/opt/data"});
}

TEST(GraphTechnique, ExploitHostWrite) {
  auto b = build("exploit_host_write.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/writer volume etc (hostPath /etc)", "node", Technique::kExploitHostWrite, 1.0,
              {"hostPath /etc", "writable"});
  expectNoTechnique(*b, Technique::kExploitHostRead);
}

TEST(GraphTechnique, ExploitHostWriteSafeTmp) {
  auto b = build("exploit_host_write_tmp.yaml");
  expectNoTechnique(*b, Technique::kExploitHostWrite);
  expectNoTechnique(*b, Technique::kExploitHostRead);
}

TEST(GraphTechnique, ExploitHostTraverse) {
  auto b = build("exploit_host_traverse.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/traverse volume pods (hostPath /var/lib/kubelet/pods)", "service account tokens on the node",
              Technique::kExploitHostTraverse, 1.0, {"hostPath /var/lib/kubelet/pods", "token"});
}

TEST(GraphTechnique, ExploitHostTraverseHostRoot) {
  // The host's root read-only: every pod's token (traverse) and the host's files (read).
  auto b = build("exploit_host_traverse_root.yaml");
  const char* volume = "lab/Deployment/traverse volume root (hostPath /)";
  EXPECT_EDGE(*b, volume, "service account tokens on the node", Technique::kExploitHostTraverse, 1.0, {"hostPath /"});
  EXPECT_EDGE(*b, volume, "node", Technique::kExploitHostRead, 1.0, {"hostPath /"});
  expectNoTechnique(*b, Technique::kExploitHostWrite);
}

TEST(GraphTechnique, ExploitHostTraverseSiblingDirectory) {
  auto b = build("exploit_host_traverse_plugins.yaml");
  expectNoTechnique(*b, Technique::kExploitHostTraverse);
}

TEST(GraphTechnique, VolumeDiscover) {
  auto b = build("volume_discover.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/reader", "lab/Deployment/reader volume etc (hostPath /etc)", Technique::kVolumeDiscover, 1.0,
              {"volume etc", "hostPath /etc"});
}

TEST(GraphTechnique, VolumeDiscoverNotMounted) {
  // A hostPath volume no container mounts exposes nothing.
  auto b = build("volume_discover_not_mounted.yaml");
  expectNoTechnique(*b, Technique::kVolumeDiscover);
  expectNoTechnique(*b, Technique::kExploitHostRead);
  expectNoTechnique(*b, Technique::kExploitHostWrite);
}

TEST(GraphTechnique, VolumeAccess) {
  auto b = build("volume_access.yaml");
  EXPECT_EDGE(*b, "node", "service account tokens on the node", Technique::kVolumeAccess, 1.0, {"/var/lib/kubelet/pods"});
}

// ---------------------------------------------------------------------------------------------
// Identities

TEST(GraphTechnique, IdentityAssumeWorkload) {
  auto b = build("identity_assume.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/web", "ServiceAccount lab/api", Technique::kIdentityAssume, 1.0, {"ServiceAccount api", "automounted"});
}

TEST(GraphTechnique, IdentityAssumePodAutomountFalse) {
  auto b = build("identity_assume_pod_automount_false.yaml");
  expectNoEdge(*b, "lab/Deployment/web", "ServiceAccount lab/api", Technique::kIdentityAssume);
  expectNoTechnique(*b, Technique::kTokenSteal);
}

TEST(GraphTechnique, IdentityAssumeServiceAccountAutomountFalse) {
  auto b = build("identity_assume_sa_automount_false.yaml");
  expectNoEdge(*b, "lab/Deployment/web", "ServiceAccount lab/api", Technique::kIdentityAssume);
}

TEST(GraphTechnique, IdentityAssumePodAutomountOverridesServiceAccount) {
  auto b = build("identity_assume_pod_overrides_sa.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/web", "ServiceAccount lab/api", Technique::kIdentityAssume, 1.0, {"ServiceAccount api"});
}

TEST(GraphTechnique, IdentityAssumeProjectedToken) {
  auto b = build("identity_assume_projected_token.yaml");
  EXPECT_EDGE(*b, "lab/Deployment/web", "ServiceAccount lab/api", Technique::kIdentityAssume, 1.0, {"ServiceAccount api", "projected"});
}

TEST(GraphTechnique, IdentityAssumeProjectedTokenNotMounted) {
  // A projected token volume no container mounts gives the containers no token.
  auto b = build("identity_assume_projected_token_not_mounted.yaml");
  expectNoEdge(*b, "lab/Deployment/web", "ServiceAccount lab/api", Technique::kIdentityAssume);
}

TEST(GraphTechnique, IdentityAssumeNode) {
  auto b = build("identity_assume_node.yaml");
  EXPECT_EDGE(*b, "node", "Group system:nodes", Technique::kIdentityAssume, 1.0, {"kubelet", "system:nodes"});
  // ... and the group's binding follows.
  EXPECT_EDGE(*b, "Group system:nodes", "ClusterRoleBinding nodes-read -> ClusterRole node-reader", Technique::kPermissionDiscover, 1.0,
              {"nodes-read"});
}

TEST(GraphTechnique, IdentityAssumeAwsAuth) {
  auto b = build("identity_assume_aws_auth.yaml");
  const char* role = "IAM role arn:aws:iam::111122223333:role/ops";
  EXPECT_EDGE(*b, role, "Group system:masters", Technique::kIdentityAssume, 1.0, {"aws-auth", "system:masters"});
  EXPECT_EDGE(*b, role, "User ops", Technique::kIdentityAssume, 1.0, {"aws-auth", "user ops"});
  EXPECT_EDGE(*b, "Group system:masters", "cluster-admin", Technique::kClusterAdmin, 1.0, {"system:masters"});
}

TEST(GraphTechnique, IdentityAssumeAwsAuthWrongNamespace) {
  // Only kube-system/aws-auth is read by the EKS authenticator.
  auto b = build("identity_assume_aws_auth_wrong_namespace.yaml");
  EXPECT_FALSE(b->g().find("IAM role arn:aws:iam::111122223333:role/ops").has_value()) << dump(b->g());
  expectNoEdge(*b, "IAM role arn:aws:iam::111122223333:role/ops", "Group system:masters", Technique::kIdentityAssume);
}

TEST(GraphTechnique, IdentityImpersonateServiceAccounts) {
  auto b = build("identity_impersonate.yaml");
  EXPECT_EDGE(*b, "RoleBinding lab/impersonate -> Role impersonator", "ServiceAccount lab/target", Technique::kIdentityImpersonate, 1.0,
              {"impersonate serviceaccounts", "namespace lab"});
}

TEST(GraphTechnique, IdentityImpersonateNamedServiceAccountOnly) {
  // resourceNames: [target]: impersonating lab/admin is forbidden.
  auto b = build("identity_impersonate_named.yaml");
  expectNoEdge(*b, "RoleBinding lab/impersonate -> Role impersonator", "ServiceAccount lab/admin", Technique::kIdentityImpersonate);
  expectNoEdge(*b, "RoleBinding lab/impersonate -> Role impersonator", "ServiceAccount lab/attacker", Technique::kIdentityImpersonate);
}

TEST(GraphTechnique, IdentityImpersonateMasters) {
  auto b = build("identity_impersonate_masters.yaml");
  EXPECT_EDGE(*b, "ClusterRoleBinding impersonate -> ClusterRole impersonator", "Group system:masters", Technique::kIdentityImpersonate,
              1.0, {"impersonate", "system:masters", "cluster-wide"});
}

TEST(GraphTechnique, IdentityImpersonateGroupsWithoutUsers) {
  // The API server rejects Impersonate-Group without Impersonate-User ("requested [...] without
  // impersonating a user"): impersonating groups alone does not make one system:masters.
  auto b = build("identity_impersonate_groups_without_users.yaml");
  expectNoEdge(*b, "ClusterRoleBinding impersonate -> ClusterRole impersonator", "Group system:masters", Technique::kIdentityImpersonate);
}

TEST(GraphTechnique, IdentityImpersonateMastersThroughRoleBinding) {
  // users and groups are cluster-scoped: a RoleBinding cannot grant impersonating them.
  auto b = build("identity_impersonate_masters_rolebinding.yaml");
  expectNoEdgeFrom(*b, "RoleBinding lab/impersonate -> ClusterRole impersonator", Technique::kIdentityImpersonate);
}

TEST(GraphTechnique, PermissionDiscover) {
  auto b = build("permission_discover.yaml");
  EXPECT_EDGE(*b, "ServiceAccount lab/attacker", "RoleBinding lab/read -> Role reader", Technique::kPermissionDiscover, 1.0,
              {"RoleBinding lab/read"});
}

TEST(GraphTechnique, PermissionDiscoverMissingRole) {
  auto b = build("permission_discover_missing_role.yaml");
  for (const Edge& e : b->g().edges()) {
    if (e.technique == Technique::kPermissionDiscover) {
      EXPECT_NE(b->g().vertices()[e.from].name, "ServiceAccount lab/attacker") << dump(b->g());
    }
  }
}

TEST(GraphTechnique, MemberOf) {
  auto b = build("member_of.yaml");
  EXPECT_EDGE(*b, "ServiceAccount lab/worker", "Group system:serviceaccounts:lab", Technique::kMemberOf, 1.0, {"system:serviceaccounts:lab"});
  EXPECT_EDGE(*b, "Group system:serviceaccounts:lab", "RoleBinding lab/all-sas -> Role reader", Technique::kPermissionDiscover, 1.0, {"all-sas"});
}

TEST(GraphTechnique, MemberOfOtherNamespace) {
  auto b = build("member_of.yaml");
  expectNoEdge(*b, "ServiceAccount other/outsider", "Group system:serviceaccounts:lab", Technique::kMemberOf);
}

TEST(GraphTechnique, CloudIdentityAssume) {
  auto b = build("cloud_identity_assume.yaml");
  EXPECT_EDGE(*b, "ServiceAccount lab/s3-writer", "IAM role arn:aws:iam::111122223333:role/s3-writer", Technique::kCloudIdentityAssume,
              1.0, {"eks.amazonaws.com/role-arn"});
  EXPECT_EDGE(*b, "ServiceAccount lab/gcs-reader", "GCP service account gcs-reader@proj.iam.gserviceaccount.com",
              Technique::kCloudIdentityAssume, 1.0, {"iam.gke.io/gcp-service-account"});
  EXPECT_EDGE(*b, "ServiceAccount lab/kv-reader", "Azure managed identity 00000000-1111-2222-3333-444444444444",
              Technique::kCloudIdentityAssume, 1.0, {"azure.workload.identity/client-id"});
  EXPECT_EQ(countTechnique(b->g(), Technique::kCloudIdentityAssume), 3u) << dump(b->g());
}

TEST(GraphTechnique, CloudIdentityAssumeNotOnServiceAccount) {
  // An empty annotation, and the annotation on a Deployment, name no cloud identity.
  auto b = build("cloud_identity_assume_not_service_account.yaml");
  expectNoTechnique(*b, Technique::kCloudIdentityAssume);
}

TEST(GraphTechnique, ClusterAdmin) {
  auto b = build("cluster_admin.yaml");
  EXPECT_EDGE(*b, "ClusterRoleBinding admins -> ClusterRole cluster-admin", "cluster-admin", Technique::kClusterAdmin, 1.0,
              {"every verb", "cluster-wide"});
  EXPECT_EDGE(*b, "ServiceAccount lab/attacker", "ClusterRoleBinding admins -> ClusterRole cluster-admin", Technique::kPermissionDiscover,
              1.0, {"admins"});
  EXPECT_EDGE(*b, "Group system:masters", "cluster-admin", Technique::kClusterAdmin, 1.0, {"system:masters"});
  EXPECT_TRUE(b->g().vertices()[*b->g().find("cluster-admin")].jewel);
}

TEST(GraphTechnique, ClusterAdminThroughRoleBindingIsNamespaceAdmin) {
  auto b = build("cluster_admin_rolebinding.yaml");
  expectNoEdge(*b, "RoleBinding lab/admins -> ClusterRole cluster-admin", "cluster-admin", Technique::kClusterAdmin);
  // It still reads the namespace's secrets and creates pods there.
  expectSomeEdge(*b, "RoleBinding lab/admins -> ClusterRole cluster-admin", "secrets in lab", Technique::kSecretRead, 1.0, {"namespace lab"});
}

TEST(GraphTechnique, ClusterAdminCoreGroupOnly) {
  auto b = build("cluster_admin_core_group_only.yaml");
  expectNoEdge(*b, "ClusterRoleBinding core-admins -> ClusterRole core-admin", "cluster-admin", Technique::kClusterAdmin);
}

// ---------------------------------------------------------------------------------------------
// RBAC techniques

constexpr const char* kCreatePods = "RoleBinding lab/create-pods -> Role pod-creator";

TEST(GraphTechnique, PodCreateNoPodSecurityLabel) {
  auto b = build("pod_create.yaml");
  EXPECT_EDGE(*b, kCreatePods, "node", Technique::kPodCreate, 1.0, {"create pods", "namespace lab", "privileged"});
  EXPECT_EDGE(*b, kCreatePods, "ServiceAccount lab/other", Technique::kPodCreate, 1.0, {"create pods", "service account"});
  EXPECT_EDGE(*b, kCreatePods, "secrets in lab", Technique::kPodCreate, 1.0, {"create pods", "secret"});
}

TEST(GraphTechnique, PodCreateEnforcePrivileged) {
  auto b = build("pod_create_enforce_privileged.yaml");
  EXPECT_EDGE(*b, kCreatePods, "node", Technique::kPodCreate, 1.0, {"create pods", "namespace lab"});
}

TEST(GraphTechnique, PodCreateEnforceBaseline) {
  // Baseline forbids privileged containers, hostPID and hostPath: no pod of the namespace reaches the node.
  auto b = build("pod_create_enforce_baseline.yaml");
  expectNoEdge(*b, kCreatePods, "node", Technique::kPodCreate);
  EXPECT_EDGE(*b, kCreatePods, "ServiceAccount lab/other", Technique::kPodCreate, 1.0, {"create pods"});
  EXPECT_EDGE(*b, kCreatePods, "secrets in lab", Technique::kPodCreate, 1.0, {"create pods"});
}

TEST(GraphTechnique, PodCreateEnforceRestricted) {
  auto b = build("pod_create_enforce_restricted.yaml");
  expectNoEdge(*b, kCreatePods, "node", Technique::kPodCreate);
  EXPECT_EDGE(*b, kCreatePods, "ServiceAccount lab/other", Technique::kPodCreate, 1.0, {"create pods"});
}

TEST(GraphTechnique, PodCreateWarnAndAuditOnlyDoNotBlock) {
  // warn and audit labels admit the pod: only enforce blocks.
  auto b = build("pod_create_warn_only.yaml");
  EXPECT_EDGE(*b, kCreatePods, "node", Technique::kPodCreate, 1.0, {"create pods"});
}

TEST(GraphTechnique, PodCreateUndefinedNamespace) {
  auto b = build("pod_create_undefined_namespace.yaml");
  EXPECT_EDGE(*b, kCreatePods, "node", Technique::kPodCreate, 0.5, {"create pods", "namespace lab", "not in the input"});
}

TEST(GraphTechnique, PodCreateThroughDeployment) {
  auto b = build("pod_create_via_deployment.yaml");
  EXPECT_EDGE(*b, "RoleBinding lab/deploy -> Role deployer", "node", Technique::kPodCreate, 1.0, {"create deployments", "namespace lab"});
}

TEST(GraphTechnique, PodCreateNamedOnly) {
  auto b = build("pod_create_named_only.yaml");
  expectNoEdgeFrom(*b, kCreatePods, Technique::kPodCreate);
}

TEST(GraphTechnique, PodCreateRoleBindingToClusterRoleActsInItsNamespace) {
  auto b = build("pod_create_rolebinding_to_clusterrole.yaml");
  const char* ps = "RoleBinding lab/create-pods -> ClusterRole pod-creator";
  EXPECT_EDGE(*b, ps, "ServiceAccount lab/other", Technique::kPodCreate, 1.0, {"namespace lab"});
  EXPECT_EDGE(*b, ps, "secrets in lab", Technique::kPodCreate, 1.0, {"namespace lab"});
  expectNoEdge(*b, ps, "ServiceAccount prod/admin", Technique::kPodCreate);
  expectNoEdge(*b, ps, "secrets in prod", Technique::kPodCreate);
  expectNoEdge(*b, ps, "secrets (every namespace)", Technique::kPodCreate);
  EXPECT_EQ(edgesOf(b->g(), ps, "node", Technique::kPodCreate).size(), 1u) << dump(b->g());
}

TEST(GraphTechnique, PodCreateClusterWideReachesNamespacesTheInputDoesNotShow) {
  // The input defines only a restricted namespace, but a cluster-wide grant creates pods in every
  // namespace, and default and kube-system exist in every cluster with a Pod Security level the input
  // does not show: the node is "possible" (0.5), as for any namespace the input does not define.
  auto b = build("pod_create_cluster_wide_restricted_input.yaml");
  std::vector<const Edge*> to_node =
      edgesOf(b->g(), "ClusterRoleBinding create-pods -> ClusterRole pod-creator", "node", Technique::kPodCreate);
  ASSERT_FALSE(to_node.empty()) << dump(b->g());
  double best = 0;
  for (const Edge* e : to_node) best = std::max(best, e->likelihood);
  EXPECT_DOUBLE_EQ(best, 0.5);
}

constexpr const char* kExec = "RoleBinding lab/exec -> Role execer";

TEST(GraphTechnique, PodExec) {
  auto b = build("pod_exec.yaml");
  EXPECT_EDGE(*b, kExec, "lab/Deployment/web", Technique::kPodExec, 1.0, {"create pods/exec", "namespace lab"});
  // A RoleBinding acts in its namespace only.
  expectNoEdge(*b, kExec, "prod/Deployment/web", Technique::kPodExec);
}

TEST(GraphTechnique, PodExecThroughAttach) {
  auto b = build("pod_exec_attach.yaml");
  EXPECT_EDGE(*b, "RoleBinding lab/attach -> Role attacher", "lab/Deployment/web", Technique::kPodExec, 1.0, {"pods/attach"});
}

TEST(GraphTechnique, PodExecNamedOnly) {
  auto b = build("pod_exec_named_only.yaml");
  expectNoEdgeFrom(*b, kExec, Technique::kPodExec);
}

TEST(GraphTechnique, PodExecNeedsTheSubresource) {
  // create/get/list on pods does not grant pods/exec.
  auto b = build("pod_exec_pods_not_subresource.yaml");
  expectNoEdgeFrom(*b, kExec, Technique::kPodExec);
}

TEST(GraphTechnique, PodPatch) {
  auto b = build("pod_patch.yaml");
  EXPECT_EDGE(*b, "RoleBinding lab/patch -> Role patcher", "lab/Deployment/web", Technique::kPodPatch, 1.0, {"patch pods", "namespace lab"});
  expectNoEdge(*b, "RoleBinding lab/patch -> Role patcher", "prod/Deployment/web", Technique::kPodPatch);
}

TEST(GraphTechnique, PodPatchThroughUpdate) {
  // update (PUT) changes the same mutable fields as patch: a container's image.
  auto b = build("pod_patch_update.yaml");
  EXPECT_EDGE(*b, "RoleBinding lab/patch -> Role patcher", "lab/Deployment/web", Technique::kPodPatch, 1.0, {"pods", "namespace lab"});
}

TEST(GraphTechnique, PodPatchReadOnly) {
  auto b = build("pod_patch_read_only.yaml");
  expectNoEdgeFrom(*b, "RoleBinding lab/patch -> Role patcher", Technique::kPodPatch);
}

TEST(GraphTechnique, PodAttach) {
  auto b = build("pod_attach.yaml");
  EXPECT_EDGE(*b, "node", "lab/DaemonSet/agent", Technique::kPodAttach, 1.0, {"DaemonSet"});
  EXPECT_EDGE(*b, "node", "lab/Deployment/web", Technique::kPodAttach, 0.5, {"same node"});
}

constexpr const char* kBinder = "ClusterRoleBinding binder -> ClusterRole binder";

TEST(GraphTechnique, RoleBind) {
  auto b = build("role_bind.yaml");
  EXPECT_EDGE(*b, kBinder, "cluster-admin", Technique::kRoleBind, 1.0, {"clusterrolebindings", "cluster-wide"});
}

TEST(GraphTechnique, RoleBindThroughRoleBindingIsNotClusterWide) {
  auto b = build("role_bind_rolebinding.yaml");
  expectNoEdge(*b, "RoleBinding lab/binder -> ClusterRole binder", "cluster-admin", Technique::kRoleBind);
}

TEST(GraphTechnique, RoleBindWithoutBind) {
  // Creating a binding to cluster-admin needs bind on it (or holding all its permissions).
  auto b = build("role_bind_without_bind.yaml");
  expectNoEdgeFrom(*b, kBinder, Technique::kRoleBind);
}

TEST(GraphTechnique, RoleBindEscalateIsNotBind) {
  // escalate lets one create or update a role with permissions one lacks; it does not let one bind
  // a role (the RBAC bind check accepts `bind` or holding the role's permissions, never `escalate`),
  // and this grant has no create/update on clusterroles either.
  auto b = build("role_bind_escalate_without_bind.yaml");
  expectNoEdge(*b, kBinder, "cluster-admin", Technique::kRoleBind);
}

TEST(GraphTechnique, RoleBindSplitAcrossBindings) {
  // RBAC is the union of a subject's bindings: create clusterrolebindings from one and bind
  // cluster-admin from another make the service account cluster-admin all the same.
  auto b = build("role_bind_split_across_bindings.yaml");
  std::optional<uint32_t> sa = b->g().find("ServiceAccount lab/attacker");
  ASSERT_TRUE(sa.has_value());
  bool reaches = false;
  for (const auto& [v, p] : blastRadius(b->g(), *sa)) reaches = reaches || b->g().vertices()[v].name == "cluster-admin";
  EXPECT_TRUE(reaches) << dump(b->g());
}

TEST(GraphTechnique, TokenList) {
  auto b = build("token_list.yaml");
  EXPECT_EDGE(*b, "RoleBinding lab/list-secrets -> Role lister", "ServiceAccount lab/legacy", Technique::kTokenList, 1.0,
              {"list secrets", "legacy-token"});
  expectNoEdgeFrom(*b, "RoleBinding lab/list-secrets -> Role lister", Technique::kTokenBruteforce);  // list only
}

TEST(GraphTechnique, TokenListOpaqueSecret) {
  auto b = build("token_list_opaque_secret.yaml");
  expectNoEdgeFrom(*b, "RoleBinding lab/list-secrets -> Role lister", Technique::kTokenList);
  EXPECT_EDGE(*b, "RoleBinding lab/list-secrets -> Role lister", "secrets in lab", Technique::kSecretRead, 1.0, {"list secrets"});
}

TEST(GraphTechnique, TokenBruteforce) {
  auto b = build("token_bruteforce.yaml");
  EXPECT_EDGE(*b, "RoleBinding lab/get-secrets -> Role getter", "ServiceAccount lab/legacy", Technique::kTokenBruteforce, 1.0,
              {"get secrets", "legacy-token"});
  expectNoEdgeFrom(*b, "RoleBinding lab/get-secrets -> Role getter", Technique::kTokenList);
}

TEST(GraphTechnique, TokenBruteforceNamedOnly) {
  auto b = build("token_bruteforce_named_only.yaml");
  expectNoEdgeFrom(*b, "RoleBinding lab/get-secrets -> Role getter", Technique::kTokenBruteforce);
  expectNoEdge(*b, "RoleBinding lab/get-secrets -> Role getter", "secrets in lab", Technique::kSecretRead);
}

TEST(GraphTechnique, TokenSteal) {
  auto b = build("token_steal.yaml");
  EXPECT_EDGE(*b, "service account tokens on the node", "ServiceAccount lab/agent", Technique::kTokenSteal, 1.0,
              {"lab/DaemonSet/agent", "every node"});
  EXPECT_EDGE(*b, "service account tokens on the node", "ServiceAccount lab/web", Technique::kTokenSteal, 0.5,
              {"lab/Deployment/web", "same node"});
}

TEST(GraphTechnique, TokenStealWithoutTokens) {
  auto b = build("token_steal_no_token.yaml");
  expectNoTechnique(*b, Technique::kTokenSteal);
}

TEST(GraphTechnique, SecretReadClusterWide) {
  auto b = build("secret_read.yaml");
  const char* ps = "ClusterRoleBinding read-secrets -> ClusterRole secret-reader";
  // One edge per grant (SecretReadOneEdgePerGrant); its evidence names the verb and the scope.
  expectSomeEdge(*b, ps, "secrets (every namespace)", Technique::kSecretRead, 1.0, {"secrets", "cluster-wide"});
  EXPECT_TRUE(b->g().vertices()[*b->g().find("secrets (every namespace)")].jewel);
}

TEST(GraphTechnique, SecretReadRoleBindingToClusterRole) {
  auto b = build("secret_read_rolebinding.yaml");
  const char* ps = "RoleBinding lab/read-secrets -> ClusterRole secret-reader";
  expectSomeEdge(*b, ps, "secrets in lab", Technique::kSecretRead, 1.0, {"namespace lab"});
  expectNoEdge(*b, ps, "secrets (every namespace)", Technique::kSecretRead);
}

TEST(GraphTechnique, SecretReadOneEdgePerGrant) {
  // verbs [get, list] is one grant: two parallel SECRET_READ edges between the same vertices make
  // the k best paths spend their budget on copies of one path.
  auto b = build("secret_read.yaml");
  EXPECT_EQ(edgesOf(b->g(), "ClusterRoleBinding read-secrets -> ClusterRole secret-reader", "secrets (every namespace)",
                    Technique::kSecretRead).size(), 1u)
      << dump(b->g());
}

TEST(GraphTechnique, SecretReadThroughWatch) {
  // A watch streams whole objects: "list and watch access also effectively allow users to read
  // Secret contents" (Kubernetes RBAC good practices).
  auto b = build("secret_read_watch.yaml");
  expectSomeEdge(*b, "RoleBinding lab/list-secrets -> Role lister", "secrets in lab", Technique::kSecretRead, 1.0, {"secrets"});
}

TEST(GraphTechnique, SecretReadConfigMapsOnly) {
  auto b = build("secret_read_configmaps_only.yaml");
  expectNoEdge(*b, "RoleBinding lab/read-cm -> Role cm-reader", "secrets in lab", Technique::kSecretRead);
}

TEST(GraphTechnique, SecretJewelsLimitedByNamespace) {
  BuildOptions options;
  options.secret_namespaces = {"prod"};
  auto b = build("secret_read_rolebinding.yaml", options);
  std::optional<uint32_t> v = b->g().find("secrets in lab");
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(b->g().vertices()[*v].jewel);
}

TEST(GraphTechnique, TokenRequest) {
  auto b = build("token_request.yaml");
  const char* ps = "RoleBinding lab/tokens -> Role tokener";
  EXPECT_EDGE(*b, ps, "ServiceAccount lab/builder", Technique::kTokenRequest, 1.0, {"serviceaccounts/token", "namespace lab"});
  EXPECT_EDGE(*b, ps, "ServiceAccount lab/admin", Technique::kTokenRequest, 1.0, {"serviceaccounts/token"});
}

TEST(GraphTechnique, TokenRequestNamedOnly) {
  // resourceNames: [builder]: a token for lab/admin is forbidden.
  auto b = build("token_request_named_only.yaml");
  expectNoEdge(*b, "RoleBinding lab/tokens -> Role tokener", "ServiceAccount lab/admin", Technique::kTokenRequest);
}

TEST(GraphTechnique, TokenRequestNeedsTheSubresource) {
  auto b = build("token_request_serviceaccounts_only.yaml");
  expectNoEdgeFrom(*b, "RoleBinding lab/tokens -> Role tokener", Technique::kTokenRequest);
}

TEST(GraphTechnique, NodeCredential) {
  auto b = build("node_credential.yaml");
  EXPECT_EDGE(*b, "node", "secrets (every namespace)", Technique::kNodeCredential, 0.5, {"Node authorizer"});
}

// ---------------------------------------------------------------------------------------------
// Network and vulnerabilities

/** A vulnerability database with one trivy image report. */
struct Vulns {
  testing::TempDir dir;
  vulns::Database db;
  explicit Vulns(const std::string& image, const std::string& severity = "HIGH") {
    std::string report = dir.write("trivy.json", R"json({"SchemaVersion": 2, "ArtifactName": ")json" + image +
                                                     R"json(", "ArtifactType": "container_image",
      "Metadata": {"RepoTags": [")json" + image + R"json("], "RepoDigests": []},
      "Results": [{"Target": ")json" + image + R"json( (debian 12.5)", "Class": "os-pkgs", "Type": "debian",
        "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-6387", "PkgName": "openssh-server",
          "InstalledVersion": "1:9.2p1-2", "FixedVersion": "1:9.2p1-2+deb12u3", "Severity": ")json" + severity + R"json("}]}]})json");
    auto loaded = db.loadReport(report);
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().message);
  }
  BuildOptions options() const {
    BuildOptions o;
    o.vulns = &db;
    return o;
  }
};

TEST(GraphTechnique, NetworkReachLoadBalancer) {
  auto b = build("network_reach_loadbalancer.yaml");
  EXPECT_EDGE(*b, "internet", "lab/Deployment/web endpoints", Technique::kNetworkReach, 1.0, {"internet", "LoadBalancer"});
}

TEST(GraphTechnique, NetworkReachIngress) {
  auto b = build("network_reach_ingress.yaml");
  std::vector<const Edge*> e = edgesOf(b->g(), "internet", "lab/Deployment/web endpoints", Technique::kNetworkReach);
  ASSERT_EQ(e.size(), 1u) << dump(b->g());
  EXPECT_GT(e[0]->likelihood, 0.0);
  EXPECT_NE(e[0]->evidence.find("Ingress"), std::string::npos) << e[0]->evidence;
  EXPECT_NE(e[0]->evidence.find("web"), std::string::npos) << e[0]->evidence;
}

TEST(GraphTechnique, NetworkReachClusterIpOnly) {
  auto b = build("network_reach_cluster_ip.yaml");
  EXPECT_TRUE(b->g().out(b->g().internet()).empty()) << dump(b->g());
}

TEST(GraphTechnique, NetworkReachLoadBalancerUnderDenyAllIsPluginDependent) {
  // Whether a deny-all policy applies to load-balancer traffic (SNAT to a node address, or not) is
  // left to the network plugin by the NetworkPolicy API: possible, not certain.
  auto b = build("network_reach_loadbalancer_denied.yaml");
  EXPECT_EDGE(*b, "internet", "lab/Deployment/web endpoints", Technique::kNetworkReach, 0.5, {"LoadBalancer"});
}

TEST(GraphTechnique, NetworkReachIngressDeniedByNetworkPolicy) {
  // The ingress controller is a pod: a deny-all ingress policy on the backend stops it.
  auto b = build("network_reach_ingress_denied.yaml");
  EXPECT_TRUE(b->g().out(b->g().internet()).empty()) << dump(b->g());
}

TEST(GraphTechnique, NetworkReachLateralToVulnerableWorkload) {
  Vulns v("registry.example.com/lab/db:1.0");
  auto b = build("network_reach_lateral.yaml", v.options());
  const Graph& g = b->g();
  // frontend -> its network position -> the vulnerable endpoints of db's position -> db's
  // endpoints -> db (the two hubs keep the edge count linear in the matrix, not in its pairs).
  std::string position;
  for (uint32_t e : g.out(*g.find("lab/Deployment/frontend"))) {
    const Edge& edge = g.edges()[e];
    if (edge.technique == Technique::kNetworkReach) position = g.vertices()[edge.to].name;
  }
  ASSERT_FALSE(position.empty()) << dump(g);
  EXPECT_EQ(position.rfind("pod network position", 0), 0u) << position;
  EXPECT_EDGE(*b, "lab/Deployment/frontend", position, Technique::kNetworkReach, 1.0, {"network position"});
  std::string target;
  for (uint32_t e : g.out(*g.find(position))) target = g.vertices()[g.edges()[e].to].name;
  EXPECT_EQ(target.rfind("vulnerable endpoints of network position", 0), 0u) << target;
  EXPECT_EDGE(*b, position, target, Technique::kNetworkReach, 1.0, {"NetworkPolicy allows"});
  EXPECT_EDGE(*b, target, "lab/Deployment/db endpoints", Technique::kNetworkReach, 1.0, {"network position"});
  EXPECT_EDGE(*b, "lab/Deployment/db endpoints", "lab/Deployment/db", Technique::kVulnExploit, 0.2, {"CVE-2024-6387", "container db"});
}

TEST(GraphTechnique, NetworkReachLateralDeniedByNetworkPolicy) {
  Vulns v("registry.example.com/lab/db:1.0");
  auto b = build("network_reach_lateral_denied.yaml", v.options());
  std::optional<uint32_t> db_endpoints = b->g().find("lab/Deployment/db endpoints");
  if (!db_endpoints) return;
  for (const Edge& e : b->g().edges()) {
    EXPECT_FALSE(e.to == *db_endpoints && e.technique == Technique::kNetworkReach) << dump(b->g());
  }
}

TEST(GraphTechnique, NetworkReachLateralNeedsAVulnerableTarget) {
  auto b = build("network_reach_lateral.yaml");
  for (const Vertex& v : b->g().vertices()) EXPECT_EQ(v.name.rfind("pod network position", 0), std::string::npos) << v.name;
  expectNoTechnique(*b, Technique::kVulnExploit);
}

TEST(GraphTechnique, VulnExploit) {
  Vulns v("registry.example.com/lab/web:1.0");
  auto b = build("vuln_exploit.yaml", v.options());
  EXPECT_EDGE(*b, "internet", "lab/Deployment/web endpoints", Technique::kNetworkReach, 1.0, {"LoadBalancer"});
  EXPECT_EDGE(*b, "lab/Deployment/web endpoints", "lab/Deployment/web", Technique::kVulnExploit, 0.2,
              {"CVE-2024-6387", "container web", "registry.example.com/lab/web:1.0", "high"});
}

TEST(GraphTechnique, VulnExploitCriticalIsLikelierThanHigh) {
  Vulns v("registry.example.com/lab/web:1.0", "CRITICAL");
  auto b = build("vuln_exploit.yaml", v.options());
  std::vector<const Edge*> e = edgesOf(b->g(), "lab/Deployment/web endpoints", "lab/Deployment/web", Technique::kVulnExploit);
  ASSERT_EQ(e.size(), 1u) << dump(b->g());
  EXPECT_GT(e[0]->likelihood, 0.2);
}

TEST(GraphTechnique, VulnExploitWithoutReport) {
  auto b = build("vuln_exploit.yaml");
  expectNoTechnique(*b, Technique::kVulnExploit);
}

TEST(GraphTechnique, VulnExploitOtherImage) {
  Vulns v("registry.example.com/lab/web:2.0");
  auto b = build("vuln_exploit.yaml", v.options());
  expectNoTechnique(*b, Technique::kVulnExploit);
}

TEST(GraphTechnique, VulnExploitNotExposed) {
  // Vulnerable behind a ClusterIP Service only: the internet does not reach it (its own network
  // position does, which is no attacker's entry).
  Vulns v("registry.example.com/lab/web:1.0");
  auto b = build("vuln_exploit_unreachable.yaml", v.options());
  EXPECT_TRUE(b->g().out(b->g().internet()).empty()) << dump(b->g());
  for (const auto& [vertex, p] : blastRadius(b->g(), b->g().internet())) {
    EXPECT_NE(b->g().vertices()[vertex].name, "lab/Deployment/web");
  }
}

// Every fixture loads and builds, and every edge's evidence is non-empty with a likelihood in (0, 1].
TEST(GraphTechnique, EveryFixtureBuildsWellFormedEdges) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    if (entry.path().extension() != ".yaml") continue;
    ++n;
    auto b = build(entry.path().filename().string());
    for (const Edge& e : b->g().edges()) {
      EXPECT_FALSE(e.evidence.empty()) << entry.path() << " " << techniqueId(e.technique);
      EXPECT_GT(e.likelihood, 0.0) << entry.path() << " " << techniqueId(e.technique);
      EXPECT_LE(e.likelihood, 1.0) << entry.path() << " " << techniqueId(e.technique);
      EXPECT_NE(e.from, e.to);
    }
  }
  EXPECT_GE(n, 80u);
}

// ---------------------------------------------------------------------------------------------
// Technique metadata and lookup

constexpr Technique kLast = Technique::kClusterAdmin;

TEST(GraphTechnique, IdsRoundTrip) {
  std::set<std::string> ids;
  for (int i = 0; i <= static_cast<int>(kLast); ++i) {
    Technique t = static_cast<Technique>(i);
    std::string id(techniqueId(t));
    ASSERT_FALSE(id.empty()) << i;
    EXPECT_TRUE(ids.insert(id).second) << "duplicate " << id;
    EXPECT_EQ(parseTechnique(id), t) << id;
    std::string lower = id;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(parseTechnique(lower), t) << lower;
  }
  EXPECT_FALSE(parseTechnique("NOT_A_TECHNIQUE").has_value());
  EXPECT_FALSE(parseTechnique("").has_value());
  EXPECT_FALSE(parseTechnique("POD_EXEC ").has_value());
  EXPECT_EQ(techniqueId(Technique::kCeNsenter), "CE_NSENTER");
  EXPECT_EQ(techniqueId(Technique::kNetworkReach), "NETWORK_REACH");
}

TEST(GraphTechnique, EscapesHaveMitre) {
  for (Technique t : {Technique::kCeModuleLoad, Technique::kCeNsenter, Technique::kCePrivMount, Technique::kCeSysPtrace,
                      Technique::kCeUmhCorePattern, Technique::kCeVarLogSymlink, Technique::kExploitContainerdSock,
                      Technique::kExploitHostRead, Technique::kExploitHostWrite, Technique::kExploitHostTraverse}) {
    EXPECT_FALSE(techniqueMitre(t).empty()) << techniqueId(t);
    EXPECT_EQ(techniqueMitre(t).substr(0, 1), "T") << techniqueId(t);
  }
  for (Technique t : {Technique::kCeModuleLoad, Technique::kCeNsenter, Technique::kCePrivMount, Technique::kCeSysPtrace,
                      Technique::kCeUmhCorePattern}) {
    EXPECT_EQ(techniqueMitre(t), "T1611") << techniqueId(t);
  }
}

TEST(GraphTechnique, FindByName) {
  auto b = build("token_steal.yaml");
  const Graph& g = b->g();
  EXPECT_EQ(g.find("internet"), g.internet());
  EXPECT_EQ(g.vertices()[g.internet()].kind, VertexKind::kInternet);
  EXPECT_FALSE(g.find("no such vertex").has_value());
  EXPECT_FALSE(g.find("").has_value());
  EXPECT_FALSE(g.find("nod").has_value());
  std::set<std::string> names;
  for (uint32_t v = 0; v < g.vertices().size(); ++v) {
    EXPECT_TRUE(names.insert(g.vertices()[v].name).second) << "duplicate vertex name " << g.vertices()[v].name;
    EXPECT_EQ(g.find(g.vertices()[v].name), v) << g.vertices()[v].name;
  }
  std::optional<uint32_t> agent = g.find("lab/DaemonSet/agent");
  ASSERT_TRUE(agent.has_value());
  EXPECT_EQ(g.vertices()[*agent].kind, VertexKind::kWorkload);
  EXPECT_EQ(g.vertices()[*agent].ns, "lab");
  ASSERT_NE(g.vertices()[*agent].object, nullptr);
  EXPECT_EQ(g.vertices()[*agent].object->name, "agent");
  EXPECT_EQ(g.vertices()[*g.find("ServiceAccount lab/agent")].kind, VertexKind::kIdentity);
  EXPECT_EQ(g.vertices()[*g.find("node")].kind, VertexKind::kNode);
}

// ---------------------------------------------------------------------------------------------
// Paths

/** An empty cluster's graph with a synthetic subgraph appended: vertices s, a, b, c, t. */
struct Synthetic {
  ObjectSet set;
  std::unique_ptr<Graph> graph;
  uint32_t base = 0;
  uint32_t add(const std::string& name) {
    Vertex v;
    v.kind = VertexKind::kIdentity;
    v.name = "synthetic " + name;
    return graph->addVertex(v);
  }
  void link(uint32_t from, uint32_t to, double p) {
    Edge e;
    e.from = from;
    e.to = to;
    e.technique = Technique::kPodExec;
    e.likelihood = p;
    e.evidence = "synthetic";
    graph->addEdge(e);
  }
  Synthetic() {
    graph = Graph::build(set);
    base = static_cast<uint32_t>(graph->vertices().size());
  }
};

/** Checks that a path is a simple path from source to target and that its likelihood is the product. */
void checkPath(const Graph& g, const Path& p, uint32_t source, uint32_t target) {
  ASSERT_FALSE(p.edges.empty());
  std::set<uint32_t> seen = {source};
  uint32_t at = source;
  double product = 1;
  for (uint32_t e : p.edges) {
    const Edge& edge = g.edges()[e];
    EXPECT_EQ(edge.from, at);
    EXPECT_TRUE(seen.insert(edge.to).second) << "path revisits " << g.vertices()[edge.to].name;
    at = edge.to;
    product *= edge.likelihood;
  }
  EXPECT_EQ(at, target);
  EXPECT_NEAR(p.likelihood, product, 1e-9);
}

struct Diamond : Synthetic {
  uint32_t s, a, b, c, t;
  Diamond() {
    s = add("s"), a = add("a"), b = add("b"), c = add("c"), t = add("t");
    link(s, t, 0.05);               // 1 step, 0.05
    link(s, a, 0.5), link(a, t, 0.5);  // 2 steps, 0.25
    link(s, b, 0.9), link(b, c, 0.9), link(c, t, 0.9);  // 3 steps, 0.729
    link(a, s, 1.0), link(c, b, 1.0), link(t, s, 1.0);  // cycles
  }
  PathAnswer query(uint32_t k, uint32_t cap = 2'000'000) const {
    PathQuery q;
    q.sources = {s};
    q.targets = {t};
    q.k = k;
    q.max_expansions = cap;
    return findPaths(*graph, q);
  }
};

TEST(GraphPaths, ShortestAndRiskiestOrdering) {
  Diamond d;
  PathAnswer answer = d.query(3);
  EXPECT_FALSE(answer.capped);
  ASSERT_EQ(answer.results.size(), 1u);
  const PathResult& r = answer.results[0];
  EXPECT_EQ(r.source, d.s);
  EXPECT_EQ(r.target, d.t);
  ASSERT_EQ(r.shortest.size(), 3u);
  ASSERT_EQ(r.riskiest.size(), 3u);
  EXPECT_EQ(r.shortest[0].edges.size(), 1u);
  EXPECT_EQ(r.shortest[1].edges.size(), 2u);
  EXPECT_EQ(r.shortest[2].edges.size(), 3u);
  EXPECT_NEAR(r.shortest[0].likelihood, 0.05, 1e-9);
  EXPECT_NEAR(r.riskiest[0].likelihood, 0.729, 1e-9);
  EXPECT_NEAR(r.riskiest[1].likelihood, 0.25, 1e-9);
  EXPECT_NEAR(r.riskiest[2].likelihood, 0.05, 1e-9);
  for (const Path& p : r.shortest) checkPath(*d.graph, p, d.s, d.t);
  for (const Path& p : r.riskiest) checkPath(*d.graph, p, d.s, d.t);
}

TEST(GraphPaths, KBound) {
  Diamond d;
  for (uint32_t k : {1u, 2u}) {
    PathAnswer answer = d.query(k);
    ASSERT_EQ(answer.results.size(), 1u);
    EXPECT_EQ(answer.results[0].shortest.size(), k);
    EXPECT_EQ(answer.results[0].riskiest.size(), k);
    EXPECT_EQ(answer.results[0].shortest[0].edges.size(), 1u);
    EXPECT_NEAR(answer.results[0].riskiest[0].likelihood, 0.729, 1e-9);
  }
  // More than there are: all three simple paths, no more.
  PathAnswer answer = d.query(10);
  ASSERT_EQ(answer.results.size(), 1u);
  EXPECT_EQ(answer.results[0].shortest.size(), 3u);
  EXPECT_EQ(answer.results[0].riskiest.size(), 3u);
}

TEST(GraphPaths, TiesOnStepsGoToTheLikelierAndViceVersa) {
  Synthetic g;
  uint32_t s = g.add("s"), a = g.add("a"), b = g.add("b"), c = g.add("c"), t = g.add("t");
  g.link(s, a, 0.5), g.link(a, t, 0.5);  // 2 steps, 0.25
  g.link(s, b, 1.0), g.link(b, t, 0.9);  // 2 steps, 0.9
  uint32_t d = g.add("d");
  g.link(s, c, 1.0), g.link(c, d, 1.0), g.link(d, t, 0.9);  // 3 steps, 0.9
  PathQuery q;
  q.sources = {s};
  q.targets = {t};
  q.k = 3;
  PathAnswer answer = findPaths(*g.graph, q);
  ASSERT_EQ(answer.results.size(), 1u);
  const PathResult& r = answer.results[0];
  ASSERT_EQ(r.shortest.size(), 3u);
  EXPECT_NEAR(r.shortest[0].likelihood, 0.9, 1e-9);  // 2 steps, likelier first
  EXPECT_EQ(r.shortest[0].edges.size(), 2u);
  EXPECT_NEAR(r.shortest[1].likelihood, 0.25, 1e-9);
  ASSERT_EQ(r.riskiest.size(), 3u);
  EXPECT_EQ(r.riskiest[0].edges.size(), 2u);  // 0.9 in 2 steps before 0.9 in 3
  EXPECT_EQ(r.riskiest[1].edges.size(), 3u);
  EXPECT_NEAR(r.riskiest[2].likelihood, 0.25, 1e-9);
}

TEST(GraphPaths, CapSetsCapped) {
  Diamond d;
  PathAnswer capped = d.query(3, 2);
  EXPECT_TRUE(capped.capped);
  EXPECT_LE(capped.expansions, 2u * 2);  // the cap bounds the work (both searches share it)
  PathAnswer full = d.query(3);
  EXPECT_FALSE(full.capped);
  EXPECT_GT(full.expansions, 2u);
}

TEST(GraphPaths, NoPathNoResult) {
  Diamond d;
  PathQuery q;
  q.sources = {d.t + 0};
  q.targets = {d.graph->addVertex(Vertex{VertexKind::kCrownJewel, "synthetic unreachable", nullptr, "", true})};
  PathAnswer answer = findPaths(*d.graph, q);
  EXPECT_TRUE(answer.results.empty());
  EXPECT_FALSE(answer.capped);
}

TEST(GraphPaths, SourceIsNotItsOwnTarget) {
  Diamond d;
  PathQuery q;
  q.sources = {d.s};
  q.targets = {d.s};
  q.k = 3;
  PathAnswer answer = findPaths(*d.graph, q);
  // A simple path cannot end where it starts.
  for (const PathResult& r : answer.results) {
    EXPECT_TRUE(r.shortest.empty() && r.riskiest.empty());
  }
}

/** Every simple path from s to t (DFS), as (steps, likelihood). */
void allSimplePaths(const Graph& g, uint32_t at, uint32_t t, std::vector<char>& on, uint32_t steps, double p,
                    std::vector<std::pair<uint32_t, double>>* out) {
  for (uint32_t e : g.out(at)) {
    const Edge& edge = g.edges()[e];
    if (on[edge.to]) continue;
    if (edge.to == t) out->push_back({steps + 1, p * edge.likelihood});
    on[edge.to] = 1;
    if (edge.to != t) allSimplePaths(g, edge.to, t, on, steps + 1, p * edge.likelihood, out);
    on[edge.to] = 0;
  }
}

TEST(GraphPaths, MatchesBruteForceOnSmallGraphs) {
  // The k shortest and k likeliest simple paths, as the header promises: compare with every simple
  // path enumerated.
  std::mt19937 rng(20260601);
  const double kLikelihoods[] = {1.0, 0.9, 0.6, 0.3, 0.1};
  int failures = 0;
  for (int round = 0; round < 300 && failures < 5; ++round) {
    Synthetic g;
    const uint32_t n = 5 + rng() % 4;
    std::vector<uint32_t> v;
    for (uint32_t i = 0; i < n; ++i) v.push_back(g.add(std::to_string(i)));
    for (uint32_t i = 0; i < n; ++i) {
      for (uint32_t j = 0; j < n; ++j) {
        if (i != j && rng() % 100 < 35) g.link(v[i], v[j], kLikelihoods[rng() % 5]);
      }
    }
    const uint32_t k = 1 + rng() % 4;
    std::vector<std::pair<uint32_t, double>> all;
    std::vector<char> on(g.graph->vertices().size(), 0);
    on[v[0]] = 1;
    allSimplePaths(*g.graph, v[0], v[n - 1], on, 0, 1.0, &all);
    PathQuery q;
    q.sources = {v[0]};
    q.targets = {v[n - 1]};
    q.k = k;
    PathAnswer answer = findPaths(*g.graph, q);
    ASSERT_FALSE(answer.capped);
    std::vector<Path> shortest, riskiest;
    if (!answer.results.empty()) shortest = answer.results[0].shortest, riskiest = answer.results[0].riskiest;
    for (const Path& p : shortest) checkPath(*g.graph, p, v[0], v[n - 1]);
    for (const Path& p : riskiest) checkPath(*g.graph, p, v[0], v[n - 1]);
    size_t expect = std::min<size_t>(k, all.size());
    std::vector<uint32_t> steps;
    for (const auto& [s, p] : all) steps.push_back(s);
    std::sort(steps.begin(), steps.end());
    std::vector<double> likelihoods;
    for (const auto& [s, p] : all) likelihoods.push_back(p);
    std::sort(likelihoods.rbegin(), likelihoods.rend());
    bool ok = shortest.size() == expect && riskiest.size() == expect;
    for (size_t i = 0; ok && i < expect; ++i) {
      ok = shortest[i].edges.size() == steps[i] && std::abs(riskiest[i].likelihood - likelihoods[i]) < 1e-9;
    }
    if (!ok) {
      ++failures;
      std::string got_s, want_s, got_r, want_r;
      for (const Path& p : shortest) got_s += std::to_string(p.edges.size()) + " ";
      for (size_t i = 0; i < expect; ++i) want_s += std::to_string(steps[i]) + " ";
      for (const Path& p : riskiest) got_r += std::to_string(p.likelihood).substr(0, 6) + " ";
      for (size_t i = 0; i < expect; ++i) want_r += std::to_string(likelihoods[i]).substr(0, 6) + " ";
      ADD_FAILURE() << "round " << round << ": " << n << " vertices, k " << k << ", " << all.size()
                    << " simple paths; shortest steps got [" << got_s << "] want [" << want_s << "]; riskiest got ["
                    << got_r << "] want [" << want_r << "]\n"
                    << [&] {
                         std::string all_edges = dump(*g.graph);
                         size_t at = all_edges.find("  synthetic");
                         return at == std::string::npos ? std::string() : all_edges.substr(at);
                       }();
    }
  }
}

TEST(GraphPaths, BlastRadiusTakesTheLikeliestPath) {
  Diamond d;
  std::vector<std::pair<uint32_t, double>> radius = blastRadius(*d.graph, d.s);
  auto at = [&](uint32_t v) {
    for (const auto& [x, p] : radius) {
      if (x == v) return p;
    }
    return -1.0;
  };
  EXPECT_NEAR(at(d.t), 0.729, 1e-9);  // 0.9^3, not the direct 0.05 nor 0.5*0.5
  EXPECT_NEAR(at(d.a), 0.5, 1e-9);
  EXPECT_NEAR(at(d.b), 0.9, 1e-9);
  EXPECT_NEAR(at(d.c), 0.81, 1e-9);
  EXPECT_EQ(at(d.s), -1.0);  // not the source itself
  EXPECT_EQ(radius.size(), 4u);
  for (size_t i = 1; i < radius.size(); ++i) EXPECT_GE(radius[i - 1].second, radius[i].second);
}

TEST(GraphPaths, BlastRadiusOfARealWorkload) {
  // A privileged pod reaches the node with certainty, the DaemonSet's token on it with certainty,
  // the Deployment's (placement unknown) with 0.5.
  auto b = build("token_steal.yaml");
  std::optional<uint32_t> agent = b->g().find("lab/DaemonSet/agent");
  ASSERT_TRUE(agent.has_value());
  auto radius = blastRadius(b->g(), *agent);
  auto at = [&](std::string_view name) {
    for (const auto& [x, p] : radius) {
      if (b->g().vertices()[x].name == name) return p;
    }
    return -1.0;
  };
  EXPECT_DOUBLE_EQ(at("ServiceAccount lab/agent"), 1.0);
  EXPECT_EQ(at("node"), -1.0);  // an unprivileged pod does not reach the node
}

// ---------------------------------------------------------------------------------------------
// Exports through the binary

std::string exportGraph(const std::string& format, const std::vector<std::string>& files, int* code = nullptr) {
  std::string cmd = testing::kspm() + " graph export -o " + format;
  for (const std::string& f : files) cmd += " '" + kFixtures + f + "'";
  testing::CommandResult r = testing::run(cmd);
  if (code != nullptr) *code = r.exit_code;
  EXPECT_EQ(r.exit_code, 0) << cmd;
  return r.out;
}

const std::vector<std::string> kExportInput = {"pod_create.yaml", "token_steal.yaml", "ce_priv_mount.yaml",
                                               "identity_assume_node.yaml", "network_reach_ingress.yaml",
                                               "exploit_host_write.yaml"};

size_t countOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

struct Counts {
  size_t vertices = 0, edges = 0;
};

Counts jsonCounts() {
  std::string out = exportGraph("json", kExportInput);
  rapidjson::Document doc;
  doc.Parse(out.c_str());
  EXPECT_FALSE(doc.HasParseError()) << out.substr(0, 500);
  if (doc.HasParseError() || !doc.IsObject()) return {};
  EXPECT_TRUE(doc.HasMember("vertices") && doc["vertices"].IsArray());
  EXPECT_TRUE(doc.HasMember("edges") && doc["edges"].IsArray());
  if (!doc.HasMember("vertices") || !doc.HasMember("edges")) return {};
  return {doc["vertices"].Size(), doc["edges"].Size()};
}

TEST(GraphExport, Json) {
  std::string out = exportGraph("json", kExportInput);
  rapidjson::Document doc;
  doc.Parse(out.c_str());
  ASSERT_FALSE(doc.HasParseError()) << out.substr(0, 500);
  ASSERT_TRUE(doc["vertices"].IsArray());
  ASSERT_TRUE(doc["edges"].IsArray());
  const auto& vertices = doc["vertices"];
  const auto& edges = doc["edges"];
  ASSERT_GT(vertices.Size(), 10u);
  ASSERT_GT(edges.Size(), 10u);
  std::set<std::string> names;
  for (rapidjson::SizeType i = 0; i < vertices.Size(); ++i) {
    ASSERT_TRUE(vertices[i].IsObject());
    EXPECT_EQ(vertices[i]["id"].GetUint(), i);
    names.insert(vertices[i]["name"].GetString());
  }
  std::set<std::string> techniques;
  for (const auto& e : edges.GetArray()) {
    ASSERT_TRUE(e["from"].IsUint() && e["to"].IsUint());
    EXPECT_LT(e["from"].GetUint(), vertices.Size());
    EXPECT_LT(e["to"].GetUint(), vertices.Size());
    std::string id = e["technique"].GetString();
    EXPECT_TRUE(parseTechnique(id).has_value()) << id;
    techniques.insert(id);
    EXPECT_GT(e["likelihood"].GetDouble(), 0.0);
    EXPECT_LE(e["likelihood"].GetDouble(), 1.0);
    EXPECT_TRUE(e["evidence"].IsString());
  }
  for (const char* name : {"internet", "node", "cluster-admin", "lab/DaemonSet/agent", "lab/Deployment/escape",
                           "RoleBinding lab/create-pods -> Role pod-creator"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
  for (const char* t : {"CE_PRIV_MOUNT", "POD_CREATE", "TOKEN_STEAL", "NETWORK_REACH", "EXPLOIT_HOST_WRITE", "IDENTITY_ASSUME"}) {
    EXPECT_TRUE(techniques.count(t)) << t;
  }
}

TEST(GraphExport, Graphml) {
  Counts c = jsonCounts();
  std::string out = exportGraph("graphml", kExportInput);
  EXPECT_EQ(out.rfind("<?xml", 0), 0u);
  EXPECT_EQ(countOf(out, "<graphml"), 1u);
  EXPECT_EQ(countOf(out, "</graphml>"), 1u);
  EXPECT_EQ(countOf(out, "<node "), c.vertices);
  EXPECT_EQ(countOf(out, "</node>"), c.vertices);
  EXPECT_EQ(countOf(out, "<edge "), c.edges);
  // Character data is escaped: no stray '<' or '&' inside <data> elements.
  for (size_t at = out.find("<data key="); at != std::string::npos; at = out.find("<data key=", at + 1)) {
    size_t open = out.find('>', at) + 1;
    size_t close = out.find("</data>", open);
    ASSERT_NE(close, std::string::npos);
    std::string text = out.substr(open, close - open);
    EXPECT_EQ(text.find('<'), std::string::npos) << text;
    for (size_t amp = text.find('&'); amp != std::string::npos; amp = text.find('&', amp + 1)) {
      EXPECT_NE(text.find(';', amp), std::string::npos) << text;
    }
  }
}

TEST(GraphExport, Cypher) {
  Counts c = jsonCounts();
  std::string out = exportGraph("cypher", kExportInput);
  EXPECT_EQ(countOf(out, "CREATE (:KspmVertex"), c.vertices);
  EXPECT_EQ(countOf(out, "]->(b);"), c.edges);
  // Every statement's single-quoted strings are closed (evidence such as "the kubelet's credentials").
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line.rfind("//", 0) == 0) continue;
    size_t quotes = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\') {
        ++i;
        continue;
      }
      if (line[i] == '\'') ++quotes;
    }
    EXPECT_EQ(quotes % 2, 0u) << line;
    EXPECT_EQ(line.back(), ';') << line;
  }
}

TEST(GraphExport, Dot) {
  Counts c = jsonCounts();
  std::string out = exportGraph("dot", kExportInput);
  EXPECT_EQ(out.rfind("digraph", 0), 0u);
  EXPECT_EQ(out.substr(out.size() - 2), "}\n");
  EXPECT_EQ(countOf(out, "[shape="), c.vertices);
  EXPECT_EQ(countOf(out, " -> v"), c.edges);
}

TEST(GraphExport, UnknownFormatIsAUsageError) {
  testing::CommandResult r = testing::run(testing::kspm() + " graph export -o xml '" + kFixtures + "pod_create.yaml' 2>/dev/null");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace kspm::graph
