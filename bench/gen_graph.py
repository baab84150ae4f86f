#!/usr/bin/env python3
"""Deterministic generator of a big cluster for timing the security graph (issue 6): a live cluster dump
plus `trivy image -f json` reports for its images (bench/graph_query.cc, `kspm paths`).

Default sizes (issue 6's benchmark): 50,000 pods, 10,000 ServiceAccounts, 20,000 RoleBindings and
ClusterRoleBindings, 2,000 NetworkPolicies and vulnerability reports for 2,000 images.

DIR/cluster.yaml looks like `kubectl get <kind> -A -o yaml` for each kind, one `kind: List` document
per kind (Namespace, Node, ServiceAccount, Secret, ClusterRole, Role, ClusterRoleBinding, RoleBinding,
Deployment, DaemonSet, Pod, Service, Ingress, NetworkPolicy) except Pods, dumped one List per
namespace (--single-pod-list: one List of all, ~165 MB at 50,000 pods), with the server-side fields a live
object has (uid, resourceVersion, creationTimestamp, nodeName, status, the kube-api-access projected
token volume) but no ownerReferences and no managedFields:
- Namespaces: the platform ones (kube-system, ingress-nginx, monitoring, logging, cert-manager) and
  team namespaces; some teams' namespaces enforce Pod Security baseline (~30%) or restricted (~20%).
- Nodes: one per ~110 pods. DaemonSets (kube-proxy, cilium, node-exporter, fluent-bit, ebs-csi-node,
  datadog-agent) run one pod on every node, with what such agents need: privileged, hostPID,
  hostNetwork, hostPath /proc, /sys, /var/log, /var/lib/kubelet, the containerd socket.
- Application pods (the rest): apps of 1-20 replicas (labels app, tier, version, pod-template-hash),
  one container from the image catalogue plus sometimes a sidecar, named ports, resources, probes;
  a few % with privileged, hostPath (docker.sock, /data, /var/log), hostNetwork, hostPID or added
  capabilities; serviceAccountName: the app's own account or `default`.
- Deployments for ~20% of the apps and a DaemonSet object for each daemon.
- ServiceAccounts: `default` in each namespace plus app accounts; ~5% with an IRSA role ARN annotation
  (some shared), a few with GKE annotations; ~2% with a legacy token Secret.
- RBAC: per-namespace Roles (reader, deployer, debugger, secret-reader, ci-runner) and ClusterRoles;
  bindings mostly namespaced read-only or edit-like (configmaps, services, deployments update), a few
  % create pods/deployments/jobs, pods/exec, secrets get/list or the built-in edit/admin roles, ~2%
  ClusterRoleBindings (mostly read-only cluster-wide, a handful to cluster-admin). 1-3 subjects:
  service accounts of the namespace, some users and groups.
- Services for most apps (ClusterIP; ~3% LoadBalancer, a few with loadBalancerSourceRanges), the
  ingress-nginx controller behind a LoadBalancer, Ingresses (class nginx) for ~6% of the web apps.
- NetworkPolicies: default-deny ingress per namespace (most), allow from the same namespace by tier,
  from ingress-nginx, from monitoring on the metrics port, between teams, egress policies with DNS,
  and per-app policies up to --policies.

DIR/reports/*.json: one `trivy image -f json` report (SchemaVersion 2) per image, with ArtifactName,
Metadata (OS, RepoTags, RepoDigests, ImageConfig), Results for OS packages and a language ecosystem
and tens of Vulnerabilities each (full Trivy fields: Title, Description, References, CVSS,
VendorSeverity, dates), ~5% of images clean, some critical and high. Pods name images by tag; ~10%
pin them by digest (the digest in the report's RepoDigests).

Usage: gen_graph.py --out DIR [--pods 50000] [--service-accounts 10000] [--bindings 20000]
                    [--policies 2000] [--images 2000] [--namespaces N] [--seed 1] [--single-pod-list]
The same arguments always produce byte-identical output; counts and sizes go to stderr.
"""

import argparse
import hashlib
import json
import os
import random
import sys

TEAMS = ["payments", "checkout", "catalog", "search", "identity", "billing", "shipping", "inventory",
         "reviews", "ads", "analytics", "growth", "messaging", "media", "support", "risk", "ledger",
         "pricing", "loyalty", "partners", "notifications", "profile", "cart", "orders", "geo",
         "recommend", "platform", "data", "ml", "security"]
ENVS = ["prod", "staging", "dev"]
WORDS = ["gateway", "frontend", "api", "auth", "session", "order", "cart", "invoice", "report",
         "export", "import", "sync", "indexer", "crawler", "resizer", "mailer", "notifier", "scheduler",
         "ledger", "quote", "rating", "feed", "profile", "token", "audit", "events", "stream", "router",
         "proxy", "renderer", "worker", "consumer", "producer", "loader", "cleaner", "tracker"]
TIERS = ["web", "api", "db", "cache", "worker"]
TIER_WEIGHTS = [0.2, 0.4, 0.1, 0.08, 0.22]
TIER_PORTS = {"web": [("http", 8080)], "api": [("http", 8080), ("grpc", 50051)], "db": [("postgres", 5432)],
              "cache": [("redis", 6379)], "worker": []}
PLATFORM_NS = ["kube-system", "ingress-nginx", "monitoring", "logging", "cert-manager"]
PUBLIC_IMAGES = [
    ("docker.io/library/nginx", "1.25.3"), ("docker.io/library/redis", "7.2.3"), ("docker.io/library/postgres", "15.5"),
    ("docker.io/library/busybox", "1.36.1"), ("docker.io/envoyproxy/envoy", "v1.28.0"),
    ("docker.io/istio/proxyv2", "1.20.1"), ("docker.io/fluent/fluent-bit", "2.2.0"),
    ("quay.io/cilium/cilium", "v1.14.5"), ("registry.k8s.io/kube-proxy", "v1.28.4"),
    ("quay.io/prometheus/node-exporter", "v1.7.0"), ("public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver", "v1.25.0"),
    ("gcr.io/datadoghq/agent", "7.49.1"), ("registry.k8s.io/ingress-nginx/controller", "v1.9.5"),
    ("registry.k8s.io/coredns/coredns", "v1.11.1"), ("quay.io/prometheus/prometheus", "v2.48.1"),
    ("quay.io/jetstack/cert-manager-controller", "v1.13.3"), ("registry.k8s.io/metrics-server/metrics-server", "v0.6.4"),
    ("docker.io/bitnami/kafka", "3.6.1"), ("docker.io/library/memcached", "1.6.22"), ("docker.io/openpolicyagent/opa", "0.59.0"),
]
SIDECARS = [0, 4, 5, 6, 19]  # indexes into PUBLIC_IMAGES used as sidecars
DAEMONS = [
    # name, namespace, public image index, privileged, hostPID, hostNetwork, hostPaths [(name, path, readOnly)], caps
    ("kube-proxy", "kube-system", 8, True, False, True, [("lib-modules", "/lib/modules", True), ("xtables-lock", "/run/xtables.lock", False)], []),
    ("cilium", "kube-system", 7, True, False, True, [("bpf-maps", "/sys/fs/bpf", False), ("hostproc", "/proc", False), ("cni-path", "/opt/cni/bin", False)], []),
    ("node-exporter", "monitoring", 9, False, True, True, [("proc", "/proc", True), ("sys", "/sys", True), ("root", "/", True)], []),
    ("fluent-bit", "logging", 6, False, False, False, [("varlog", "/var/log", True), ("containers", "/var/lib/docker/containers", True)], []),
    ("ebs-csi-node", "kube-system", 10, True, False, False, [("kubelet-dir", "/var/lib/kubelet", False), ("device-dir", "/dev", False)], []),
    ("datadog-agent", "monitoring", 11, False, True, False, [("containerd-sock", "/var/run/containerd/containerd.sock", True), ("procdir", "/proc", True), ("cgroups", "/sys/fs/cgroup", True)], ["SYS_ADMIN", "SYS_PTRACE"]),
]
PKG_OS = ["openssl", "libssl3", "zlib1g", "libc6", "libcurl4", "curl", "libxml2", "libexpat1", "libsqlite3-0",
          "perl-base", "libgnutls30", "libkrb5-3", "libtiff6", "libpng16-16", "ncurses-base", "bash", "tar",
          "login", "passwd", "libsystemd0", "libudev1", "libpcre2-8-0", "libgcrypt20", "libncursesw6", "gzip"]
PKG_LANG = {"gobinary": ["golang.org/x/net", "golang.org/x/crypto", "google.golang.org/grpc", "github.com/docker/docker",
                         "stdlib", "golang.org/x/text", "github.com/opencontainers/runc", "google.golang.org/protobuf"],
            "python-pkg": ["urllib3", "requests", "cryptography", "setuptools", "pip", "jinja2", "werkzeug", "pyyaml"],
            "jar": ["org.apache.logging.log4j:log4j-core", "com.fasterxml.jackson.core:jackson-databind",
                    "org.springframework:spring-web", "io.netty:netty-codec-http", "org.yaml:snakeyaml"],
            "node-pkg": ["lodash", "axios", "semver", "minimist", "json5", "tough-cookie", "express", "ws"]}
LANG_TARGET = {"gobinary": "usr/local/bin/app", "python-pkg": "Python", "jar": "Java", "node-pkg": "Node.js"}
SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]
SEVERITY_WEIGHTS = [0.05, 0.22, 0.45, 0.24, 0.04]
LOREM = ("A flaw was found in the handling of crafted input. A remote attacker could send a specially crafted "
         "request that triggers an out-of-bounds read or write, leading to a denial of service or possibly the "
         "execution of arbitrary code with the privileges of the process. This issue affects versions before "
         "the fixed release; deployments that expose the affected component to untrusted networks are at risk. ")


def q(value):
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def uid(rng):
    h = "%032x" % rng.getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def suffix(rng, n=5):
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))


def digest(text):
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


class Ctx:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.rv = 1000

    def meta(self, name, ns=None, labels=None, annotations=None, indent=4):
        self.rv += 1
        pad = " " * indent
        out = f"{pad}metadata:\n"
        if annotations:
            out += f"{pad}  annotations:\n" + "".join(f"{pad}    {k}: {q(v)}\n" for k, v in annotations.items())
        out += f"{pad}  creationTimestamp: \"2025-0{1 + self.rv % 9}-{10 + self.rv % 18}T0{self.rv % 10}:1{self.rv % 10}:00Z\"\n"
        if labels:
            out += f"{pad}  labels:\n" + "".join(f"{pad}    {k}: {q(v)}\n" for k, v in labels.items())
        out += f"{pad}  name: {name}\n"
        if ns is not None:
            out += f"{pad}  namespace: {ns}\n"
        out += f"{pad}  resourceVersion: \"{self.rv}\"\n{pad}  uid: {uid(self.rng)}\n"
        return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--pods", type=int, default=50000)
    p.add_argument("--service-accounts", type=int, default=10000)
    p.add_argument("--bindings", type=int, default=20000)
    p.add_argument("--policies", type=int, default=2000)
    p.add_argument("--images", type=int, default=2000)
    p.add_argument("--namespaces", type=int, default=0, help="team namespaces (default: pods / 200, at least 3)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--single-pod-list", action="store_true",
                   help="all pods in one List document (default: one List per namespace)")
    a = p.parse_args()
    c = Ctx(a.seed)
    rng = c.rng
    os.makedirs(os.path.join(a.out, "reports"), exist_ok=True)
    n_team_ns = a.namespaces or max(3, a.pods // 200)

    # ---- namespaces
    namespaces = []  # (name, team, env, psa)
    for i in range(n_team_ns):
        team = TEAMS[i % len(TEAMS)]
        env = ENVS[(i // len(TEAMS)) % 3]
        r = rng.random()
        psa = "restricted" if r < 0.2 else "baseline" if r < 0.5 else None
        namespaces.append((f"{team}-{env}-{i // (len(TEAMS) * 3)}" if i >= len(TEAMS) * 3 else f"{team}-{env}", team, env, psa))
    team_ns = [n[0] for n in namespaces]
    psa_of = {n[0]: n[3] for n in namespaces}
    all_ns = PLATFORM_NS + team_ns

    # ---- images: public ones first, then the teams' own
    images = []  # (repo, tag, digest)
    for repo, tag in PUBLIC_IMAGES[: a.images]:
        images.append((repo, tag, digest(repo + ":" + tag)))
    while len(images) < a.images:
        i = len(images)
        repo = f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/{TEAMS[i % len(TEAMS)]}/{WORDS[(i // 30) % len(WORDS)]}-{i}"
        tag = f"{1 + i % 4}.{(i * 7) % 30}.{(i * 13) % 11}"
        images.append((repo, tag, digest(repo + ":" + tag)))
    team_images = list(range(len(PUBLIC_IMAGES), len(images))) or list(range(len(images)))

    def image_ref(idx, pin):
        repo, tag, dg = images[idx]
        return f"{repo}@{dg}" if pin else f"{repo}:{tag}"

    # ---- nodes and daemon pods
    n_nodes = max(3, a.pods // 110)
    nodes = [f"ip-10-{i // 250}-{i % 250}-{(i * 37) % 250}.eu-west-1.compute.internal" for i in range(n_nodes)]
    daemons = [d for d in DAEMONS if d[2] < len(images)]
    n_daemon_pods = min(a.pods // 2, len(daemons) * n_nodes)

    # ---- service accounts
    sas = {ns: ["default"] for ns in all_ns}
    sa_list = [(ns, "default") for ns in all_ns]
    platform_sas = {"kube-system": ["kube-proxy", "cilium", "ebs-csi-node-sa", "coredns", "metrics-server"],
                    "ingress-nginx": ["ingress-nginx"], "monitoring": ["node-exporter", "datadog-agent", "prometheus"],
                    "logging": ["fluent-bit"], "cert-manager": ["cert-manager"]}
    for ns, names in platform_sas.items():
        for name in names:
            sas[ns].append(name)
            sa_list.append((ns, name))
    i = 0
    while len(sa_list) < a.service_accounts:
        ns = team_ns[i % len(team_ns)]
        name = f"{WORDS[(i // len(team_ns)) % len(WORDS)]}-{i // len(team_ns)}-sa"
        sas[ns].append(name)
        sa_list.append((ns, name))
        i += 1

    # ---- apps (application pods)
    apps = []  # dict per app
    n_app_pods = a.pods - n_daemon_pods
    pods_left = n_app_pods
    platform_apps = [("coredns", "kube-system", 13, "coredns", 2), ("metrics-server", "kube-system", 16, "metrics-server", 1),
                     ("ingress-nginx-controller", "ingress-nginx", 12, "ingress-nginx", 3),
                     ("prometheus", "monitoring", 14, "prometheus", 2), ("cert-manager", "cert-manager", 15, "cert-manager", 1)]
    for name, ns, img, sa, replicas in platform_apps:
        if img >= len(images) or pods_left < replicas:
            continue
        apps.append(dict(name=name, ns=ns, tier="api", image=img, sidecar=None, sa=sa, replicas=replicas, pin=False,
                         flags=set(), service="LoadBalancer" if name.startswith("ingress-nginx") else "ClusterIP",
                         ingress=False, deployment=True))
        pods_left -= replicas
    k = 0
    while pods_left > 0:
        ns = team_ns[rng.randrange(len(team_ns))]
        r = rng.random()
        replicas = 1 if r < 0.3 else 2 if r < 0.55 else 3 if r < 0.75 else rng.randint(4, 8) if r < 0.95 else rng.randint(9, 20)
        replicas = min(replicas, pods_left)
        tier = rng.choices(TIERS, TIER_WEIGHTS)[0]
        flags = set()
        f = rng.random()
        if f < 0.006: flags.add("privileged")
        elif f < 0.010: flags.add("docker.sock")
        elif f < 0.016: flags.add("hostpath-data")
        elif f < 0.020: flags.add("hostpath-varlog")
        elif f < 0.026: flags.add("hostNetwork")
        elif f < 0.029: flags.add("hostPID")
        elif f < 0.033: flags.add("caps")
        own_sa = [s for s in sas[ns] if s != "default"]
        sa = rng.choice(own_sa) if own_sa and rng.random() < 0.65 else "default"
        svc = None
        if tier in ("web", "api", "db", "cache"):
            svc = "LoadBalancer" if tier in ("web", "api") and rng.random() < 0.03 else "ClusterIP"
        apps.append(dict(name=f"{WORDS[k % len(WORDS)]}-{tier}-{k}", ns=ns, tier=tier, image=rng.choice(team_images),
                         sidecar=rng.choice(SIDECARS) if rng.random() < 0.2 else None, sa=sa,
                         replicas=replicas, pin=rng.random() < 0.1, flags=flags, service=svc,
                         ingress=tier == "web" and rng.random() < 0.3, deployment=rng.random() < 0.2))
        pods_left -= replicas
        k += 1
    for app in apps:
        if app["sidecar"] is not None and app["sidecar"] >= len(images):
            app["sidecar"] = None

    out_path = os.path.join(a.out, "cluster.yaml")
    counts = {}
    with open(out_path, "w") as out:
        def begin(kind):
            out.write("---\napiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems:\n")
            counts.setdefault(kind, 0)

        def emit(api, kind, text):
            counts[kind] = counts.get(kind, 0) + 1
            out.write(f"- apiVersion: {api}\n  kind: {kind}\n{text}")

        # Namespaces
        begin("Namespace")
        for ns in all_ns:
            labels = {"kubernetes.io/metadata.name": ns}
            if ns in PLATFORM_NS:
                labels["pod-security.kubernetes.io/enforce"] = "privileged"
            else:
                team, env = ns.split("-")[0], ns.split("-")[1]
                labels.update({"team": team, "env": env})
                if psa_of[ns]:
                    labels["pod-security.kubernetes.io/enforce"] = psa_of[ns]
                    labels["pod-security.kubernetes.io/enforce-version"] = "latest"
            emit("v1", "Namespace", c.meta(ns, None, labels, indent=2) +
                 "  spec:\n    finalizers:\n    - kubernetes\n  status:\n    phase: Active\n")
        # Nodes
        begin("Node")
        for i, n in enumerate(nodes):
            labels = {"kubernetes.io/hostname": n, "kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": "m6i.4xlarge",
                      "topology.kubernetes.io/zone": f"eu-west-1{'abc'[i % 3]}"}
            emit("v1", "Node", c.meta(n, None, labels, indent=2) +
                 f"  spec:\n    providerID: aws:///eu-west-1{'abc'[i % 3]}/i-{i:017x}\n  status:\n    addresses:\n"
                 f"    - address: 10.{i // 250}.{i % 250}.{(i * 37) % 250}\n      type: InternalIP\n"
                 f"    allocatable:\n      cpu: 15890m\n      memory: 60055324Ki\n      pods: \"110\"\n"
                 f"    nodeInfo:\n      containerRuntimeVersion: containerd://1.7.11\n      kubeletVersion: v1.28.4-eks-7f4a3b2\n"
                 f"      osImage: Amazon Linux 2023\n")
        # ServiceAccounts (+ legacy token Secrets for some)
        begin("ServiceAccount")
        token_secrets = []
        roles_arn = [f"arn:aws:iam::123456789012:role/{t}-{w}" for t in TEAMS for w in ("s3-reader", "dynamo-writer", "sqs-worker")]
        roles_arn.append("arn:aws:iam::123456789012:role/platform-admin")
        for ns, name in sa_list:
            ann = {}
            r = rng.random()
            if name != "default" and r < 0.05:
                ann["eks.amazonaws.com/role-arn"] = roles_arn[-1] if rng.random() < 0.02 else rng.choice(roles_arn)
            elif name != "default" and r < 0.055:
                ann["iam.gke.io/gcp-service-account"] = f"{name}@proj-{ns}.iam.gserviceaccount.com"
            if ns in PLATFORM_NS and name in ("ebs-csi-node-sa", "cert-manager"):
                ann["eks.amazonaws.com/role-arn"] = f"arn:aws:iam::123456789012:role/{name}"
            text = c.meta(name, ns, None, ann or None, indent=2)
            if rng.random() < 0.02:
                secret = f"{name}-token-{suffix(rng)}"
                token_secrets.append((ns, name, secret))
                text += f"  secrets:\n  - name: {secret}\n"
            emit("v1", "ServiceAccount", text)
        begin("Secret")
        for ns, sa, secret in token_secrets:
            emit("v1", "Secret", c.meta(secret, ns, None, {"kubernetes.io/service-account.name": sa,
                                                           "kubernetes.io/service-account.uid": uid(rng)}, indent=2) +
                 "  type: kubernetes.io/service-account-token\n  data:\n    ca.crt: LS0tLS1CRUdJTi==\n"
                 "    namespace: ZGVmYXVsdA==\n    token: ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklp\n")

        # RBAC
        def rules_text(rules):
            t = "  rules:\n"
            for groups, resources, verbs in rules:
                t += "  - apiGroups:\n" + "".join(f"    - {q(g)}\n" for g in groups)
                t += "    resources:\n" + "".join(f"    - {q(r)}\n" for r in resources)
                t += "    verbs:\n" + "".join(f"    - {q(v)}\n" for v in verbs)
            return t
        read = ["get", "list", "watch"]
        role_defs = {
            "reader": [([""], ["pods", "pods/log", "configmaps", "services", "endpoints", "events"], read),
                       (["apps"], ["deployments", "replicasets", "statefulsets"], read)],
            "deployer": [(["apps"], ["deployments", "statefulsets", "deployments/scale"], read + ["update", "patch"]),
                         ([""], ["configmaps", "services"], read + ["create", "update", "patch", "delete"]),
                         (["networking.k8s.io"], ["ingresses"], read + ["update", "patch"])],
            "ci-runner": [(["apps"], ["deployments"], read + ["create", "update", "patch"]),
                          (["batch"], ["jobs"], read + ["create", "delete"]), ([""], ["pods"], read + ["create", "delete"])],
            "debugger": [([""], ["pods", "pods/log"], read), ([""], ["pods/exec", "pods/portforward"], ["create", "get"])],
            "secret-reader": [([""], ["secrets"], ["get", "list", "watch"])],
        }
        cluster_role_defs = {
            "platform-viewer": [([""], ["nodes", "namespaces", "pods", "services", "events"], read),
                                (["apps"], ["*"], read)],
            "prometheus": [([""], ["nodes", "nodes/metrics", "services", "endpoints", "pods"], read),
                           (["networking.k8s.io"], ["ingresses"], read)],
            "app-editor": [(["apps"], ["deployments", "statefulsets"], read + ["update", "patch"]),
                           ([""], ["configmaps", "services"], read + ["update", "patch"])],
            "namespace-debugger": [([""], ["pods/exec"], ["create"]), ([""], ["pods", "pods/log"], read)],
            "external-secrets": [([""], ["secrets"], read + ["create", "update"]), ([""], ["namespaces"], read)],
            "ci-deployer": [(["apps"], ["deployments", "daemonsets"], ["*"]), ([""], ["pods", "services"], ["*"])],
        }
        begin("ClusterRole")
        for name, rules in cluster_role_defs.items():
            emit("rbac.authorization.k8s.io/v1", "ClusterRole", c.meta(name, None, None, indent=2) + rules_text(rules))
        begin("Role")
        for ns in team_ns:
            for name, rules in role_defs.items():
                emit("rbac.authorization.k8s.io/v1", "Role", c.meta(f"{ns}-{name}", ns, None, indent=2) + rules_text(rules))

        def subjects(ns, rng):
            t = "  subjects:\n"
            for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
                r = rng.random()
                if r < 0.7:
                    sns, snm = (ns, rng.choice(sas[ns])) if ns else rng.choice(sa_list)
                    t += f"  - kind: ServiceAccount\n    name: {snm}\n    namespace: {sns}\n"
                elif r < 0.85:
                    t += f"  - apiGroup: rbac.authorization.k8s.io\n    kind: User\n    name: user{rng.randrange(2000)}@example.com\n"
                else:
                    t += f"  - apiGroup: rbac.authorization.k8s.io\n    kind: Group\n    name: oidc:team-{rng.choice(TEAMS)}\n"
            return t
        n_crb = max(6, a.bindings // 50)
        begin("ClusterRoleBinding")
        crb_kinds = ["cluster-admin"] * 6 + ["external-secrets"] * 2 + ["ci-deployer"] * 2 + ["namespace-debugger"] * 2
        for i in range(n_crb):
            role = crb_kinds[i] if i < len(crb_kinds) else rng.choice(["view", "platform-viewer", "prometheus", "platform-viewer"])
            if role == "cluster-admin":
                subj = (f"  subjects:\n  - kind: ServiceAccount\n    name: {['cert-manager', 'prometheus', 'coredns'][i % 3]}\n"
                        f"    namespace: {['cert-manager', 'monitoring', 'kube-system'][i % 3]}\n") if i % 2 == 0 else \
                       f"  subjects:\n  - apiGroup: rbac.authorization.k8s.io\n    kind: Group\n    name: oidc:platform-admins-{i}\n"
            else:
                subj = subjects(None, rng)
            emit("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", c.meta(f"{role}-crb-{i}", None, None, indent=2) +
                 f"  roleRef:\n    apiGroup: rbac.authorization.k8s.io\n    kind: ClusterRole\n    name: {role}\n" + subj)
        begin("RoleBinding")
        mix = [("Role", "reader", 0.42), ("ClusterRole", "view", 0.14), ("Role", "deployer", 0.22),
               ("ClusterRole", "app-editor", 0.08), ("Role", "ci-runner", 0.04), ("Role", "debugger", 0.04),
               ("Role", "secret-reader", 0.03), ("ClusterRole", "edit", 0.02), ("ClusterRole", "admin", 0.01)]
        kinds_w = [m[2] for m in mix]
        for i in range(a.bindings - n_crb):
            ns = team_ns[i % len(team_ns)]
            rk, rn, _ = rng.choices(mix, kinds_w)[0]
            ref = f"{ns}-{rn}" if rk == "Role" else rn
            emit("rbac.authorization.k8s.io/v1", "RoleBinding", c.meta(f"{rn}-rb-{i}", ns, None, indent=2) +
                 f"  roleRef:\n    apiGroup: rbac.authorization.k8s.io\n    kind: {rk}\n    name: {ref}\n" + subjects(ns, rng))

        # Workloads
        def container(name, img_idx, pin, ports, flags, indent, extra_mounts):
            pad = " " * indent
            t = f"{pad}- image: {image_ref(img_idx, pin)}\n{pad}  imagePullPolicy: IfNotPresent\n{pad}  name: {name}\n"
            if ports:
                t += f"{pad}  ports:\n" + "".join(f"{pad}  - containerPort: {pt}\n{pad}    name: {pn}\n{pad}    protocol: TCP\n"
                                                  for pn, pt in ports)
                t += (f"{pad}  readinessProbe:\n{pad}    httpGet:\n{pad}      path: /healthz\n{pad}      port: {ports[0][1]}\n"
                      f"{pad}    periodSeconds: 10\n")
            t += (f"{pad}  resources:\n{pad}    limits:\n{pad}      memory: 512Mi\n{pad}    requests:\n{pad}      cpu: 100m\n"
                  f"{pad}      memory: 256Mi\n")
            sc = []
            if "privileged" in flags:
                sc.append("privileged: true")
            if "caps" in flags:
                sc.append("capabilities:\n" + f"{pad}      add:\n{pad}      - SYS_ADMIN\n{pad}      - SYS_PTRACE")
            if not flags and rng.random() < 0.5:
                sc += ["allowPrivilegeEscalation: false", "runAsNonRoot: true", "runAsUser: 10001",
                       "capabilities:\n" + f"{pad}      drop:\n{pad}      - ALL"]
            if sc:
                t += f"{pad}  securityContext:\n" + "".join(f"{pad}    {s}\n" for s in sc)
            t += f"{pad}  terminationMessagePath: /dev/termination-log\n{pad}  terminationMessagePolicy: File\n"
            t += f"{pad}  volumeMounts:\n"
            for vn, mp, ro in extra_mounts:
                t += f"{pad}  - mountPath: {mp}\n{pad}    name: {vn}\n" + (f"{pad}    readOnly: true\n" if ro else "")
            t += f"{pad}  - mountPath: /var/run/secrets/kubernetes.io/serviceaccount\n{pad}    name: kube-api-access\n{pad}    readOnly: true\n"
            return t

        def pod_spec(app, indent, node, host_paths, flags):
            pad = " " * indent
            ports = TIER_PORTS[app["tier"]] + [("metrics", 9090)]
            t = f"{pad}containers:\n" + container(app["name"].split("-")[0] if "-" in app["name"] else app["name"],
                                                 app["image"], app["pin"], ports, flags, indent, host_paths)
            if app.get("sidecar") is not None:
                t += container("sidecar", app["sidecar"], False, [("admin", 15000)], set(), indent, [])
            t += f"{pad}dnsPolicy: ClusterFirst\n"
            if "hostNetwork" in flags:
                t += f"{pad}hostNetwork: true\n"
            if "hostPID" in flags:
                t += f"{pad}hostPID: true\n"
            if node:
                t += f"{pad}nodeName: {node}\n"
            t += (f"{pad}priority: 0\n{pad}restartPolicy: Always\n{pad}schedulerName: default-scheduler\n"
                  f"{pad}serviceAccount: {app['sa']}\n{pad}serviceAccountName: {app['sa']}\n"
                  f"{pad}terminationGracePeriodSeconds: 30\n{pad}tolerations:\n"
                  f"{pad}- effect: NoExecute\n{pad}  key: node.kubernetes.io/not-ready\n{pad}  operator: Exists\n"
                  f"{pad}  tolerationSeconds: 300\n{pad}volumes:\n")
            for vn, mp, ro in host_paths:
                t += f"{pad}- hostPath:\n{pad}    path: {hp_path[vn]}\n{pad}    type: \"\"\n{pad}  name: {vn}\n"
            t += (f"{pad}- name: kube-api-access\n{pad}  projected:\n{pad}    defaultMode: 420\n{pad}    sources:\n"
                  f"{pad}    - serviceAccountToken:\n{pad}        expirationSeconds: 3607\n{pad}        path: token\n"
                  f"{pad}    - configMap:\n{pad}        items:\n{pad}        - key: ca.crt\n{pad}          path: ca.crt\n"
                  f"{pad}        name: kube-root-ca.crt\n")
            return t

        hp_path = {}

        def host_paths_of(app):
            hps = []
            if "docker.sock" in app["flags"]:
                hps.append(("docker-sock", "/var/run/docker.sock", False))
            if "hostpath-data" in app["flags"]:
                hps.append(("data", "/data", False))
            if "hostpath-varlog" in app["flags"]:
                hps.append(("varlog", "/var/log", True))
            for vn, mp, ro in hps:
                hp_path[vn] = mp
            return hps

        daemon_apps = []
        for name, ns, img, priv, hpid, hnet, hps, caps in daemons:
            flags = set()
            if priv: flags.add("privileged")
            if hpid: flags.add("hostPID")
            if hnet: flags.add("hostNetwork")
            if caps: flags.add("caps")
            for vn, mp, ro in hps:
                hp_path[vn] = mp
            sa = {"kube-proxy": "kube-proxy", "cilium": "cilium", "node-exporter": "node-exporter", "fluent-bit": "fluent-bit",
                  "ebs-csi-node": "ebs-csi-node-sa", "datadog-agent": "datadog-agent"}[name]
            daemon_apps.append(dict(name=name, ns=ns, tier="worker", image=img, sidecar=None, sa=sa, pin=False, flags=flags,
                                    hps=hps))
        begin("Deployment")
        for app in apps:
            if not app["deployment"]:
                continue
            labels = {"app": app["name"], "tier": app["tier"]}
            emit("apps/v1", "Deployment", c.meta(app["name"], app["ns"], {"app": app["name"]},
                                                 {"deployment.kubernetes.io/revision": "3"}, indent=2) +
                 f"  spec:\n    replicas: {app['replicas']}\n    selector:\n      matchLabels:\n        app: {app['name']}\n"
                 f"    template:\n      metadata:\n        labels:\n" + "".join(f"          {k}: {q(v)}\n" for k, v in labels.items()) +
                 "      spec:\n" + pod_spec(app, 8, None, host_paths_of(app), app["flags"]) +
                 f"  status:\n    availableReplicas: {app['replicas']}\n    readyReplicas: {app['replicas']}\n")
        begin("DaemonSet")
        for app in daemon_apps:
            emit("apps/v1", "DaemonSet", c.meta(app["name"], app["ns"], {"app": app["name"]}, indent=2) +
                 f"  spec:\n    selector:\n      matchLabels:\n        app: {app['name']}\n    template:\n      metadata:\n"
                 f"        labels:\n          app: {q(app['name'])}\n      spec:\n" + pod_spec(app, 8, None, app["hps"], app["flags"]) +
                 f"  status:\n    desiredNumberScheduled: {n_nodes}\n    numberReady: {n_nodes}\n")

        def pod_status(node_idx, app):
            ip = f"10.{100 + node_idx // 250}.{node_idx % 250}.{rng.randrange(2, 250)}"
            host_ip = f"10.{node_idx // 250}.{node_idx % 250}.{(node_idx * 37) % 250}"
            t = ("  status:\n    conditions:\n"
                 "    - lastProbeTime: null\n      lastTransitionTime: \"2025-06-01T10:00:00Z\"\n      status: \"True\"\n      type: Initialized\n"
                 "    - lastProbeTime: null\n      lastTransitionTime: \"2025-06-01T10:00:05Z\"\n      status: \"True\"\n      type: Ready\n"
                 "    - lastProbeTime: null\n      lastTransitionTime: \"2025-06-01T10:00:05Z\"\n      status: \"True\"\n      type: ContainersReady\n"
                 "    - lastProbeTime: null\n      lastTransitionTime: \"2025-06-01T10:00:00Z\"\n      status: \"True\"\n      type: PodScheduled\n"
                 "    containerStatuses:\n")
            repo, tag, dg = images[app["image"]]
            t += (f"    - containerID: containerd://{rng.getrandbits(256):064x}\n      image: {repo}:{tag}\n"
                  f"      imageID: {repo}@{dg}\n      lastState: {{}}\n      name: main\n      ready: true\n"
                  f"      restartCount: {rng.choice([0, 0, 0, 1, 3])}\n      started: true\n      state:\n        running:\n"
                  f"          startedAt: \"2025-06-01T10:00:03Z\"\n")
            return t + (f"    hostIP: {host_ip}\n    phase: Running\n    podIP: {ip}\n    podIPs:\n    - ip: {ip}\n"
                        f"    qosClass: Burstable\n    startTime: \"2025-06-01T10:00:00Z\"\n")

        # Pods: one List per namespace (`kubectl get pods -n NS -o yaml` for each), or with
        # --single-pod-list one List of every pod (`kubectl get pods -A -o yaml`): at 50,000 pods that
        # one document is ~165 MB.
        pod_items = {}

        def emit_pod(ns, text):
            pod_items.setdefault("" if a.single_pod_list else ns, []).append(text)
        n_pods = 0
        for app in daemon_apps:
            for ni in range(n_nodes):
                if n_pods >= n_daemon_pods:
                    break
                emit_pod(app["ns"], c.meta(f"{app['name']}-{suffix(rng)}", app["ns"],
                                        {"app": app["name"], "controller-revision-hash": "6d8f9c7b5", "pod-template-generation": "4"},
                                        indent=2) + "  spec:\n" + pod_spec(app, 4, nodes[ni], app["hps"], app["flags"]) +
                     pod_status(ni, app))
                n_pods += 1
        for app in apps:
            hps = host_paths_of(app)
            hash_ = suffix(rng, 10)
            for r in range(app["replicas"]):
                ni = rng.randrange(n_nodes)
                labels = {"app": app["name"], "tier": app["tier"], "version": f"v{1 + r % 2}", "pod-template-hash": hash_}
                emit_pod(app["ns"], c.meta(f"{app['name']}-{hash_}-{suffix(rng)}", app["ns"], labels, indent=2) +
                     "  spec:\n" + pod_spec(app, 4, nodes[ni], hps, app["flags"]) + pod_status(ni, app))
                n_pods += 1

        for ns in ([""] if a.single_pod_list else all_ns):
            if ns not in pod_items:
                continue
            begin("Pod")
            for text in pod_items.pop(ns):
                emit("v1", "Pod", text)

        # Services and Ingresses
        begin("Service")
        for app in apps:
            if not app["service"]:
                continue
            ports = TIER_PORTS[app["tier"]] or [("http", 8080)]
            if app["name"].startswith("ingress-nginx"):
                ports = [("http", 80), ("https", 443)]
            text = c.meta(app["name"], app["ns"], {"app": app["name"]}, indent=2) + "  spec:\n"
            if app["service"] == "LoadBalancer":
                text += "    externalTrafficPolicy: Cluster\n"
                if rng.random() < 0.2:
                    text += "    loadBalancerSourceRanges:\n    - 203.0.113.0/24\n"
            text += "    ports:\n" + "".join(
                f"    - name: {pn}\n      port: {80 if pn == 'http' else pt}\n      protocol: TCP\n      targetPort: {pn if not app['name'].startswith('ingress-nginx') else pt}\n"
                for pn, pt in ports)
            text += f"    selector:\n      app: {app['name']}\n    type: {app['service']}\n"
            emit("v1", "Service", text)
        begin("Ingress")
        for app in apps:
            if not (app["ingress"] and app["service"]):
                continue
            emit("networking.k8s.io/v1", "Ingress", c.meta(app["name"], app["ns"], None,
                                                          {"cert-manager.io/cluster-issuer": "letsencrypt"}, indent=2) +
                 f"  spec:\n    ingressClassName: nginx\n    rules:\n    - host: {app['name']}.{app['ns']}.example.com\n"
                 f"      http:\n        paths:\n        - backend:\n            service:\n              name: {app['name']}\n"
                 f"              port:\n                name: http\n          path: /\n          pathType: Prefix\n"
                 f"    tls:\n    - hosts:\n      - {app['name']}.{app['ns']}.example.com\n      secretName: {app['name']}-tls\n")

        # NetworkPolicies
        begin("NetworkPolicy")
        n_pol = 0

        def policy(name, ns, body):
            nonlocal n_pol
            if n_pol >= a.policies:
                return
            emit("networking.k8s.io/v1", "NetworkPolicy", c.meta(name, ns, None, indent=2) + "  spec:\n" + body)
            n_pol += 1
        ns_apps = {}
        for app in apps:
            ns_apps.setdefault(app["ns"], []).append(app)
        for ns in team_ns:
            if rng.random() < 0.85:
                policy("default-deny-ingress", ns, "    podSelector: {}\n    policyTypes:\n    - Ingress\n")
                policy("allow-ingress-nginx", ns,
                       "    ingress:\n    - from:\n      - namespaceSelector:\n          matchLabels:\n"
                       "            kubernetes.io/metadata.name: ingress-nginx\n      ports:\n      - port: http\n        protocol: TCP\n"
                       "    podSelector:\n      matchLabels:\n        tier: web\n    policyTypes:\n    - Ingress\n")
                policy("allow-monitoring", ns,
                       "    ingress:\n    - from:\n      - namespaceSelector:\n          matchLabels:\n"
                       "            kubernetes.io/metadata.name: monitoring\n      ports:\n      - port: 9090\n        protocol: TCP\n"
                       "    podSelector: {}\n    policyTypes:\n    - Ingress\n")
                policy("allow-same-namespace-api", ns,
                       "    ingress:\n    - from:\n      - podSelector:\n          matchExpressions:\n          - key: tier\n"
                       "            operator: In\n            values: [web, api, worker]\n"
                       "    podSelector:\n      matchLabels:\n        tier: api\n    policyTypes:\n    - Ingress\n")
            if rng.random() < 0.3:
                policy("default-deny-egress", ns,
                       "    egress:\n    - ports:\n      - port: 53\n        protocol: UDP\n      - port: 53\n        protocol: TCP\n"
                       "      to:\n      - namespaceSelector:\n          matchLabels:\n            kubernetes.io/metadata.name: kube-system\n"
                       "        podSelector:\n          matchLabels:\n            app: coredns\n"
                       "    - to:\n      - podSelector: {}\n    - to:\n      - ipBlock:\n          cidr: 0.0.0.0/0\n          except:\n"
                       "          - 10.0.0.0/8\n          - 172.16.0.0/12\n          - 192.168.0.0/16\n"
                       "    podSelector: {}\n    policyTypes:\n    - Egress\n")
        while n_pol < a.policies:
            ns = team_ns[n_pol % len(team_ns)]
            app = rng.choice(ns_apps.get(ns) or apps)
            other = rng.choice(team_ns)
            ports = TIER_PORTS[app["tier"]] or [("metrics", 9090)]
            policy(f"{app['name']}-from-{other}-{n_pol}", app["ns"],
                   "    ingress:\n    - from:\n      - namespaceSelector:\n          matchLabels:\n"
                   f"            team: {other.split('-')[0]}\n            env: {other.split('-')[1]}\n        podSelector:\n"
                   f"          matchLabels:\n            tier: {rng.choice(['web', 'api', 'worker'])}\n"
                   f"      ports:\n      - port: {ports[0][0]}\n        protocol: TCP\n"
                   f"    podSelector:\n      matchLabels:\n        app: {app['name']}\n    policyTypes:\n    - Ingress\n")
    cluster_size = os.path.getsize(out_path)

    # ---- trivy image reports
    total_report = 0
    n_vulns = 0
    by_sev = {s: 0 for s in SEVERITIES}
    clean = 0
    cve_pool = [f"CVE-{2019 + (i % 6)}-{1000 + i * 7}" for i in range(6000)]
    for idx, (repo, tag, dg) in enumerate(images):
        r2 = random.Random(a.seed * 1_000_003 + idx)
        osname = r2.choice([("debian", "12.4"), ("alpine", "3.18.5"), ("ubuntu", "22.04"), ("amazon", "2023")])
        lang = r2.choice(list(PKG_LANG))
        is_clean = r2.random() < 0.05
        n = 0 if is_clean else max(3, int(r2.lognormvariate(3.4, 0.7)))  # median ~30, mean ~38
        clean += is_clean
        os_v, lang_v = [], []
        for j in range(n):
            in_os = r2.random() < 0.65
            pkg = r2.choice(PKG_OS) if in_os else r2.choice(PKG_LANG[lang])
            sev = r2.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]
            by_sev[sev] += 1
            score = {"CRITICAL": 9.8, "HIGH": 7.5, "MEDIUM": 5.3, "LOW": 3.1, "UNKNOWN": 0}[sev]
            cve = r2.choice(cve_pool)
            inst = f"{r2.randint(0, 3)}.{r2.randint(0, 20)}.{r2.randint(0, 9)}"
            fixed = f"{inst.rsplit('.', 1)[0]}.{int(inst.rsplit('.', 1)[1]) + 1}" if r2.random() < 0.7 else ""
            v = {"VulnerabilityID": cve, "PkgID": f"{pkg}@{inst}", "PkgName": pkg,
                 "PkgIdentifier": {"PURL": f"pkg:{'deb/debian' if in_os else lang}/{pkg}@{inst}", "UID": "%016x" % r2.getrandbits(64)},
                 "InstalledVersion": inst}
            if fixed:
                v["FixedVersion"] = fixed
            v.update({"Status": "fixed" if fixed else "affected",
                      "Layer": {"Digest": digest(f"layer{idx}-{j % 5}"), "DiffID": digest(f"diff{idx}-{j % 5}")},
                      "SeveritySource": "nvd" if not in_os else osname[0],
                      "PrimaryURL": f"https://avd.aquasec.com/nvd/{cve.lower()}",
                      "DataSource": {"ID": osname[0], "Name": f"{osname[0].title()} Security Tracker",
                                     "URL": f"https://security-tracker.{osname[0]}.org/tracker/"},
                      "Title": f"{pkg}: {r2.choice(['heap overflow', 'denial of service', 'use after free', 'request smuggling', 'path traversal', 'improper certificate validation'])} in {pkg}",
                      "Description": LOREM[: r2.randint(180, len(LOREM))],
                      "Severity": sev, "CweIDs": [f"CWE-{r2.choice([20, 79, 119, 125, 400, 416, 787])}"],
                      "VendorSeverity": {"nvd": SEVERITIES[::-1].index(sev), osname[0]: SEVERITIES[::-1].index(sev)},
                      "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": score}} if score else {},
                      "References": [f"https://nvd.nist.gov/vuln/detail/{cve}", f"https://www.cve.org/CVERecord?id={cve}",
                                     f"https://github.com/advisories/GHSA-{suffix(r2, 4)}-{suffix(r2, 4)}-{suffix(r2, 4)}"][: r2.randint(1, 3)] +
                                    [f"https://security.{osname[0]}.org/{cve}/{k}" for k in range(r2.randint(0, 4))],
                      "PublishedDate": f"202{r2.randint(0, 5)}-0{r2.randint(1, 9)}-1{r2.randint(0, 9)}T15:15:00Z",
                      "LastModifiedDate": "2025-05-20T12:00:00Z"})
            (os_v if in_os else lang_v).append(v)
        results = [{"Target": f"{repo}:{tag} ({osname[0]} {osname[1]})", "Class": "os-pkgs", "Type": osname[0],
                    **({"Vulnerabilities": os_v} if os_v else {})},
                   {"Target": LANG_TARGET[lang], "Class": "lang-pkgs", "Type": lang, **({"Vulnerabilities": lang_v} if lang_v else {})}]
        doc = {"SchemaVersion": 2, "CreatedAt": "2025-06-01T09:00:00.000000000Z", "ArtifactName": f"{repo}:{tag}",
               "ArtifactType": "container_image",
               "Metadata": {"Size": 50_000_000 + idx * 1000, "OS": {"Family": osname[0], "Name": osname[1]},
                            "ImageID": digest(f"config{idx}"), "DiffIDs": [digest(f"diff{idx}-{k}") for k in range(5)],
                            "RepoTags": [f"{repo}:{tag}"], "RepoDigests": [f"{repo}@{dg}"],
                            "ImageConfig": {"architecture": "amd64", "os": "linux",
                                            "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}}},
               "Results": results}
        text = json.dumps(doc, indent=2) + "\n"
        n_vulns += n
        path = os.path.join(a.out, "reports", f"image-{idx:05d}.json")
        with open(path, "w") as f:
            f.write(text)
        total_report += len(text.encode())

    print(f"{out_path}: {cluster_size:,} bytes ({cluster_size / 1e6:.1f} MB)", file=sys.stderr)
    print("objects: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), file=sys.stderr)
    flagged = {}
    for app in apps:
        for f in app["flags"]:
            flagged[f] = flagged.get(f, 0) + app["replicas"]
    print(f"pods {n_pods:,} ({n_daemon_pods:,} DaemonSet pods on {n_nodes} nodes, {len(apps):,} apps); "
          f"app pods with: " + ", ".join(f"{k} {v}" for k, v in sorted(flagged.items())), file=sys.stderr)
    print(f"namespaces {len(all_ns)} (enforce baseline {sum(1 for n in namespaces if n[3] == 'baseline')}, "
          f"restricted {sum(1 for n in namespaces if n[3] == 'restricted')}); LoadBalancer services "
          f"{sum(1 for x in apps if x['service'] == 'LoadBalancer')}", file=sys.stderr)
    print(f"{os.path.join(a.out, 'reports')}: {len(images):,} trivy image reports, {total_report:,} bytes "
          f"({total_report / 1e6:.1f} MB), {n_vulns:,} vulnerabilities ("
          + ", ".join(f"{k.lower()} {v:,}" for k, v in by_sev.items()) + f"), {clean} clean images", file=sys.stderr)


if __name__ == "__main__":
    main()
