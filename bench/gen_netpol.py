#!/usr/bin/env python3
"""Deterministic generator of a big cluster's workloads, Services and NetworkPolicies, for timing the
NetworkPolicy reachability engine (bench/netpol_query.cc, `kspm net`).

Default sizes (issue 5's benchmark): 5,000 workloads in 200 namespaces with 2,000 NetworkPolicies.
The counts include the platform namespaces every cluster has: kube-system (CoreDNS, kube-proxy,
metrics-server), ingress-nginx (the controller) and monitoring (Prometheus, node-exporter), which
are always emitted (so at least 6 workloads and 4 namespaces). Beyond the policy shapes below,
--policies is reached with per-app scrape policies on numeric port ranges.

- Namespaces carry team=<t>, env in prod/staging/dev and a namespace tier (frontend/backend/data);
  a few carry only some of them (kspm adds kubernetes.io/metadata.name itself).
- Workloads: mostly Deployments, some StatefulSets, DaemonSets, Jobs, CronJobs and a few bare Pods;
  pod template labels app=<name>, tier in web/api/db/cache/worker, some version, component and
  app.kubernetes.io/* labels; containers with named ports (http 8080, metrics 9090, grpc 50051,
  postgres 5432, redis 6379, some UDP: statsd 8125, syslog 514); a few hostNetwork/hostPort pods.
- Services for most long-running workloads (ClusterIP mostly, a few LoadBalancer and NodePort,
  named and numeric targetPorts) and Ingresses (class nginx) for some web workloads.
- NetworkPolicies in the shapes real clusters use: per-namespace default-deny ingress (and some
  egress, then an allow-DNS to kube-system k8s-app=kube-dns on 53 UDP/TCP), allow from the same
  namespace by tier, from other namespaces by namespaceSelector (team/env) ANDed with podSelector,
  from ingress-nginx by kubernetes.io/metadata.name, from monitoring on the metrics port,
  matchExpressions (In/NotIn/Exists/DoesNotExist), named and numeric ports, endPort ranges, egress
  ipBlock 0.0.0.0/0 except the private ranges and to a few external /24 ranges, and some policies
  that select nothing (a decommissioned app).

Usage: gen_netpol.py [--workloads 5000] [--namespaces 200] [--policies 2000] [--seed 1] > out.yaml
The same arguments always produce byte-identical output; a summary of counts goes to stderr.
"""

import argparse
import random
import sys

TEAMS = ["payments", "checkout", "catalog", "search", "identity", "billing", "shipping", "inventory",
         "reviews", "ads", "analytics", "growth", "messaging", "media", "support", "risk", "ledger",
         "pricing", "loyalty", "partners", "notifications", "profile", "cart", "orders", "geo",
         "recommend", "platform", "data", "ml", "security"]
ENVS = ["prod", "staging", "dev"]
ENV_WEIGHTS = [0.45, 0.3, 0.25]
NS_TIERS = ["frontend", "backend", "data"]
TIERS = ["web", "api", "db", "cache", "worker"]
TIER_WEIGHTS = [0.2, 0.35, 0.12, 0.1, 0.23]
WORDS = ["gateway", "frontend", "api", "auth", "session", "order", "cart", "invoice", "report",
         "export", "import", "sync", "indexer", "crawler", "resizer", "mailer", "notifier", "scheduler",
         "ledger", "quote", "rating", "feed", "profile", "token", "audit", "events", "stream", "router",
         "proxy", "renderer", "worker", "consumer", "producer", "loader", "cleaner", "tracker"]
EXTERNAL_24 = ["203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24", "185.199.108.0/24",
               "140.82.112.0/24", "52.95.110.0/24"]
PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


def q(value):
    """A YAML double-quoted scalar (label values like "true" or "on" must stay strings)."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def labels_block(labels, indent):
    pad = " " * indent
    return "".join(f"{pad}{k}: {q(v)}\n" for k, v in labels.items())


class Workload:
    def __init__(self, ns, kind, name, tier, labels, ports, host_network=False, service=None):
        self.ns = ns
        self.kind = kind
        self.name = name
        self.tier = tier
        self.labels = labels
        self.ports = ports  # list of (name, port, protocol, host_port)
        self.host_network = host_network
        self.service = service  # None or service type


def container_ports_yaml(ports, indent):
    pad = " " * indent
    out = ""
    for name, port, protocol, host_port in ports:
        out += f"{pad}- containerPort: {port}\n"
        if name:
            out += f"{pad}  name: {name}\n"
        if protocol != "TCP":
            out += f"{pad}  protocol: {protocol}\n"
        if host_port:
            out += f"{pad}  hostPort: {host_port}\n"
    return out


def pod_spec_yaml(w, indent, restart_never=False):
    pad = " " * indent
    out = ""
    if w.host_network:
        out += f"{pad}hostNetwork: true\n"
    if restart_never:
        out += f"{pad}restartPolicy: Never\n"
    out += f"{pad}automountServiceAccountToken: false\n"
    out += f"{pad}securityContext:\n{pad}  runAsNonRoot: true\n{pad}  seccompProfile:\n{pad}    type: RuntimeDefault\n"
    out += f"{pad}containers:\n"
    out += f"{pad}- name: {w.name if len(w.name) <= 63 else 'main'}\n"
    out += f"{pad}  image: registry.example.com/{w.ns}/{w.name}:1.{len(w.name) % 7}.{len(w.ns) % 5}\n"
    out += (f"{pad}  securityContext:\n{pad}    allowPrivilegeEscalation: false\n"
            f"{pad}    readOnlyRootFilesystem: true\n{pad}    capabilities:\n{pad}      drop: [\"ALL\"]\n")
    out += (f"{pad}  resources:\n{pad}    requests:\n{pad}      cpu: 100m\n{pad}      memory: 128Mi\n"
            f"{pad}    limits:\n{pad}      memory: 256Mi\n")
    main_ports = [p for p in w.ports if p[0] not in ("statsd",)]
    side_ports = [p for p in w.ports if p[0] in ("statsd",)]
    if main_ports:
        out += f"{pad}  ports:\n" + container_ports_yaml(main_ports, indent + 2)
    if side_ports:
        out += f"{pad}- name: statsd-exporter\n{pad}  image: registry.example.com/statsd-exporter:0.26.0\n"
        out += f"{pad}  ports:\n" + container_ports_yaml(side_ports, indent + 2)
    return out


def workload_yaml(w):
    meta = f"metadata:\n  name: {w.name}\n  namespace: {w.ns}\n  labels:\n" + labels_block(
        {k: v for k, v in w.labels.items() if k in ("app", "app.kubernetes.io/name", "app.kubernetes.io/part-of",
                                                      "k8s-app")} or {"app": w.name}, 4)
    selector = {k: v for k, v in w.labels.items() if k in ("app", "k8s-app", "app.kubernetes.io/name",
                                                           "app.kubernetes.io/component")}
    template = "  template:\n    metadata:\n      labels:\n" + labels_block(w.labels, 8) + "    spec:\n"
    if w.kind == "Pod":
        return ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + w.name + "\n  namespace: " + w.ns +
                "\n  labels:\n" + labels_block(w.labels, 4) + "spec:\n" + pod_spec_yaml(w, 2))
    if w.kind in ("Deployment", "StatefulSet", "DaemonSet"):
        head = f"apiVersion: apps/v1\nkind: {w.kind}\n{meta}spec:\n"
        if w.kind == "Deployment":
            head += f"  replicas: {2 + len(w.name) % 3}\n"
        if w.kind == "StatefulSet":
            head += f"  serviceName: {w.name}\n  replicas: 3\n"
        head += "  selector:\n    matchLabels:\n" + labels_block(selector, 6)
        return head + template + pod_spec_yaml(w, 6)
    if w.kind == "Job":
        return (f"apiVersion: batch/v1\nkind: Job\n{meta}spec:\n  backoffLimit: 2\n" + template +
                pod_spec_yaml(w, 6, restart_never=True))
    # CronJob
    return (f"apiVersion: batch/v1\nkind: CronJob\n{meta}spec:\n  schedule: \"{len(w.name) % 60} * * * *\"\n"
            "  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels:\n" +
            labels_block(w.labels, 12) + "        spec:\n" + pod_spec_yaml(w, 10, restart_never=True))


def service_yaml(w, rng):
    selector = {k: v for k, v in w.labels.items() if k in ("app", "k8s-app", "app.kubernetes.io/name",
                                                           "app.kubernetes.io/component")}
    name = "kube-dns" if w.name == "coredns" else w.name
    out = (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {w.ns}\nspec:\n"
           f"  type: {w.service}\n")
    if w.kind == "StatefulSet":
        out += "  clusterIP: None\n"
    out += "  selector:\n" + labels_block(selector, 4) + "  ports:\n"
    for name, port, protocol, _ in w.ports:
        if name == "metrics" and rng.random() < 0.5:
            continue
        svc_port = {"http": 80, "https": 443, "grpc": 50051}.get(name, port)
        target = name if (name and rng.random() < 0.7) else str(port)
        out += f"  - name: {name or 'p' + str(port)}\n    port: {svc_port}\n    targetPort: {target}\n"
        if protocol != "TCP":
            out += f"    protocol: {protocol}\n"
        if w.service == "NodePort" and name in ("http", "https"):
            out += f"    nodePort: {30000 + rng.randrange(2767)}\n"
    return out


def ingress_yaml(w, host):
    return (f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {w.name}\n  namespace: {w.ns}\n"
            "spec:\n  ingressClassName: nginx\n  tls:\n  - hosts:\n    - " + host + f"\n    secretName: {w.name}-tls\n"
            "  rules:\n  - host: " + host + "\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
            f"        backend:\n          service:\n            name: {w.name}\n"
            "            port:\n              name: http\n")


# --- NetworkPolicy building blocks -------------------------------------------------------------

def sel_yaml(sel, indent):
    """A LabelSelector {matchLabels: {...}, matchExpressions: [(key, op, [values])]} as YAML lines under a key."""
    pad = " " * indent
    labels = sel.get("matchLabels") or {}
    exprs = sel.get("matchExpressions") or []
    if not labels and not exprs:
        return " {}\n"
    out = "\n"
    if labels:
        out += f"{pad}matchLabels:\n" + labels_block(labels, indent + 2)
    if exprs:
        out += f"{pad}matchExpressions:\n"
        for key, op, values in exprs:
            out += f"{pad}- key: {key}\n{pad}  operator: {op}\n"
            if op in ("In", "NotIn"):
                out += f"{pad}  values: [" + ", ".join(q(v) for v in values) + "]\n"
    return out


def peer_yaml(peer, indent):
    """peer: {"ns": selector?, "pod": selector?} or {"ipBlock": (cidr, [except])}."""
    pad = " " * indent
    if "ipBlock" in peer:
        cidr, excepts = peer["ipBlock"]
        out = f"{pad}- ipBlock:\n{pad}    cidr: {cidr}\n"
        if excepts:
            out += f"{pad}    except:\n" + "".join(f"{pad}    - {e}\n" for e in excepts)
        return out
    out = ""
    first = True
    for key, field in (("ns", "namespaceSelector"), ("pod", "podSelector")):
        if key in peer:
            out += (f"{pad}- " if first else f"{pad}  ") + field + ":" + sel_yaml(peer[key], indent + 4)
            first = False
    return out


def ports_yaml(ports, indent):
    """ports: list of (protocol or None, port or name or None, endPort or None)."""
    pad = " " * indent
    out = f"{pad}ports:\n"
    for protocol, port, end_port in ports:
        items = []
        if protocol:
            items.append(f"protocol: {protocol}")
        if port is not None:
            items.append(f"port: {port}")
        if end_port is not None:
            items.append(f"endPort: {end_port}")
        out += f"{pad}- " + f"\n{pad}  ".join(items) + "\n"
    return out


def policy_yaml(ns, name, pod_selector, types, ingress=None, egress=None, explicit_types=True):
    """ingress/egress: lists of rules, each {"peers": [...] or None, "ports": [...] or None}."""
    out = (f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
           "spec:\n  podSelector:" + sel_yaml(pod_selector, 4))
    if explicit_types:
        out += "  policyTypes:\n" + "".join(f"  - {t}\n" for t in types)
    for field, rules, peer_key in (("ingress", ingress, "from"), ("egress", egress, "to")):
        if rules is None:
            continue
        if not rules:
            out += f"  {field}: []\n"
            continue
        out += f"  {field}:\n"
        for rule in rules:
            lines = ""
            if rule.get("peers") is not None:
                lines += f"    {peer_key}:\n" + "".join(peer_yaml(p, 4) for p in rule["peers"])
            if rule.get("ports") is not None:
                lines += ports_yaml(rule["ports"], 4)
            if not lines:
                out += "  - {}\n"
            else:
                out += "  -" + lines[3:]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workloads", type=int, default=5000)
    parser.add_argument("--namespaces", type=int, default=200)
    parser.add_argument("--policies", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    docs = []
    counts = {}

    def emit(kind, text):
        docs.append(text)
        counts[kind] = counts.get(kind, 0) + 1

    # --- platform namespaces and their workloads ------------------------------------------------
    platform = []
    platform.append(Workload("kube-system", "Deployment", "coredns", "dns",
                             {"k8s-app": "kube-dns", "app.kubernetes.io/name": "coredns"},
                             [("dns", 53, "UDP", 0), ("dns-tcp", 53, "TCP", 0), ("metrics", 9153, "TCP", 0)],
                             service="ClusterIP"))
    platform.append(Workload("kube-system", "DaemonSet", "kube-proxy", "node", {"k8s-app": "kube-proxy"},
                             [("metrics", 10249, "TCP", 0)], host_network=True))
    platform.append(Workload("kube-system", "Deployment", "metrics-server", "api",
                             {"k8s-app": "metrics-server"}, [("https", 10250, "TCP", 0)], service="ClusterIP"))
    platform.append(Workload("ingress-nginx", "Deployment", "ingress-nginx-controller", "edge",
                             {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": "ingress-nginx",
                              "app.kubernetes.io/component": "controller"},
                             [("http", 80, "TCP", 0), ("https", 443, "TCP", 0), ("metrics", 10254, "TCP", 0),
                              ("webhook", 8443, "TCP", 0)], service="LoadBalancer"))
    platform.append(Workload("monitoring", "StatefulSet", "prometheus", "monitoring",
                             {"app.kubernetes.io/name": "prometheus", "app": "prometheus"},
                             [("web", 9090, "TCP", 0)], service="ClusterIP"))
    platform.append(Workload("monitoring", "DaemonSet", "node-exporter", "monitoring",
                             {"app.kubernetes.io/name": "node-exporter", "app": "node-exporter"},
                             [("metrics", 9100, "TCP", 9100)], host_network=True))
    platform_ns = {"kube-system": {}, "ingress-nginx": {"app.kubernetes.io/name": "ingress-nginx"},
                   "monitoring": {"team": "platform", "env": "prod"}}
    for name, labels in platform_ns.items():
        emit("Namespace", f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n" +
             (("  labels:\n" + labels_block(labels, 4)) if labels else ""))

    # --- application namespaces -----------------------------------------------------------------
    n_app_ns = max(1, args.namespaces - len(platform_ns))
    namespaces = []  # (name, labels)
    per_team_env = {}
    for i in range(n_app_ns):
        team = TEAMS[i % len(TEAMS)] if i < len(TEAMS) else rng.choice(TEAMS)
        env = rng.choices(ENVS, ENV_WEIGHTS)[0]
        k = per_team_env.get((team, env), 0) + 1
        per_team_env[(team, env)] = k
        name = f"{team}-{env}" if k == 1 else f"{team}-{env}-{k}"
        labels = {"team": team, "env": env, "tier": rng.choice(NS_TIERS)}
        r = rng.random()
        if r < 0.04:
            labels = {"env": env}  # a namespace someone created by hand
        elif r < 0.10:
            del labels["tier"]
        if rng.random() < 0.3:
            labels["pod-security.kubernetes.io/enforce"] = "restricted"
        if rng.random() < 0.15:
            labels["istio-injection"] = "disabled"
        namespaces.append((name, labels))
        emit("Namespace", f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels:\n" +
             labels_block(labels, 4))

    # --- application workloads ------------------------------------------------------------------
    n_app = max(0, args.workloads - len(platform))
    # Namespace sizes: a skewed distribution (a few big namespaces, many small ones), at least one each.
    weights = [rng.paretovariate(1.5) for _ in namespaces]
    total_w = sum(weights)
    sizes = [1 if n_app >= len(namespaces) else 0 for _ in namespaces]
    remaining = n_app - sum(sizes)
    for _ in range(remaining):
        x = rng.random() * total_w
        for idx, wt in enumerate(weights):
            x -= wt
            if x <= 0:
                break
        sizes[idx] += 1
    workloads = []
    by_ns = {}
    for (ns, labels), size in zip(namespaces, sizes):
        used = set()
        team = labels.get("team", "misc")
        for j in range(size):
            tier = rng.choices(TIERS, TIER_WEIGHTS)[0]
            base = rng.choice(WORDS)
            name = f"{base}-{tier}"
            n = 2
            while name in used:
                name = f"{base}-{tier}-{n}"
                n += 1
            used.add(name)
            r = rng.random()
            if tier == "db":
                kind = "StatefulSet" if r < 0.85 else "Deployment"
            elif tier == "cache":
                kind = "StatefulSet" if r < 0.4 else "Deployment"
            elif tier == "worker":
                kind = ("Deployment" if r < 0.5 else "Job" if r < 0.7 else "CronJob" if r < 0.85
                        else "DaemonSet" if r < 0.96 else "Pod")
            else:
                kind = "Deployment" if r < 0.94 else "DaemonSet" if r < 0.98 else "Pod"
            wl = {"app": name, "tier": tier}
            if rng.random() < 0.4:
                wl["version"] = rng.choice(["v1", "v2", "v3", "canary"])
            if rng.random() < 0.3:
                wl["component"] = rng.choice(["frontend", "backend", "batch", "storage", "auth"])
            if rng.random() < 0.5:
                wl["app.kubernetes.io/name"] = name
                wl["app.kubernetes.io/part-of"] = team
            ports = []
            if tier == "web":
                ports = [("http", 8080, "TCP", 0), ("metrics", 9090, "TCP", 0)]
                if rng.random() < 0.2:
                    ports.append(("https", 8443, "TCP", 0))
            elif tier == "api":
                ports = [("http", 8080, "TCP", 0), ("grpc", 50051, "TCP", 0), ("metrics", 9090, "TCP", 0)]
            elif tier == "db":
                ports = [("postgres", 5432, "TCP", 0), ("metrics", 9187, "TCP", 0)]
            elif tier == "cache":
                ports = [("redis", 6379, "TCP", 0), ("metrics", 9121, "TCP", 0)]
            else:
                ports = [("metrics", 9090, "TCP", 0)] if rng.random() < 0.7 else []
            if rng.random() < 0.08:
                ports.append(("statsd", 8125, "UDP", 0))
            if tier == "worker" and rng.random() < 0.03:
                ports.append(("syslog", 514, "UDP", 0))
            if rng.random() < 0.05:
                ports.append(("", 8000 + rng.randrange(100), "TCP", 0))  # an unnamed port
            host_network = kind == "DaemonSet" and rng.random() < 0.3
            if kind == "DaemonSet" and not host_network and ports and rng.random() < 0.2:
                p = ports[0]
                ports[0] = (p[0], p[1], p[2], p[1])
            service = None
            if kind in ("Deployment", "StatefulSet") and ports and rng.random() < 0.9:
                r = rng.random()
                service = "ClusterIP" if r < 0.93 else "NodePort" if r < 0.97 else "LoadBalancer"
                if tier == "db" and service != "ClusterIP":
                    service = "ClusterIP"
            w = Workload(ns, kind, name, tier, wl, ports, host_network, service)
            workloads.append(w)
            by_ns.setdefault(ns, []).append(w)

    for w in platform + workloads:
        emit(w.kind, workload_yaml(w))
    ingresses = 0
    for w in platform + workloads:
        if w.service:
            emit("Service", service_yaml(w, rng))
        if w.tier == "web" and w.service and rng.random() < 0.12:
            emit("Ingress", ingress_yaml(w, f"{w.name}.{w.ns}.example.com"))
            ingresses += 1

    # --- NetworkPolicies ------------------------------------------------------------------------
    policies = []  # (ns, text)

    def add(ns, name, pod_selector, types, ingress=None, egress=None, explicit_types=True):
        policies.append(policy_yaml(ns, name, pod_selector, types, ingress, egress, explicit_types))

    dns_rule = {"peers": [{"ns": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                           "pod": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                "ports": [("UDP", 53, None), ("TCP", 53, None)]}
    nginx_peer = {"ns": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}},
                  "pod": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}}}
    prom_peer = {"ns": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
                 "pod": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}
    internet_peer = {"ipBlock": ("0.0.0.0/0", PRIVATE)}

    # Platform namespaces: the controller is open to the internet, Prometheus scrapes everything.
    add("ingress-nginx", "allow-web", {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}}, ["Ingress"],
        ingress=[{"peers": [{"ipBlock": ("0.0.0.0/0", [])}], "ports": [("TCP", 80, None), ("TCP", 443, None)]},
                 {"peers": [{"ns": {}}], "ports": [("TCP", "webhook", None), ("TCP", "metrics", None)]}])
    add("kube-system", "allow-dns", {"matchLabels": {"k8s-app": "kube-dns"}}, ["Ingress"],
        ingress=[{"peers": [{"ns": {}}, {"ipBlock": ("10.0.0.0/8", [])}],
                  "ports": [("UDP", "dns", None), ("TCP", "dns-tcp", None)]},
                 {"peers": [prom_peer], "ports": [(None, "metrics", None)]}])
    add("monitoring", "prometheus", {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
        ["Ingress", "Egress"],
        ingress=[{"peers": [{"ns": {"matchLabels": {"team": "platform"}}}], "ports": [("TCP", "web", None)]}],
        egress=[{"peers": None, "ports": None}])

    baseline = []  # per-namespace policies first, round-robin so that truncation stays even
    extra = []
    for ns, labels in namespaces:
        ws = by_ns.get(ns, [])
        tiers = sorted({w.tier for w in ws}, key=TIERS.index)
        mine = []
        r = rng.random()
        egress_deny = r < 0.3
        if r < 0.2:
            mine.append((ns, "default-deny-all", {}, ["Ingress", "Egress"], None, None, True))
        elif r < 0.3:
            mine.append((ns, "default-deny-ingress", {}, ["Ingress"], None, None, True))
            mine.append((ns, "default-deny-egress", {}, ["Egress"], None, None, True))
        elif r < 0.9:
            mine.append((ns, "default-deny-ingress", {}, ["Ingress"], None, None, rng.random() < 0.8))
        if egress_deny:
            mine.append((ns, "allow-dns", {}, ["Egress"], None, [dns_rule], True))
        if "web" in tiers:
            ports = [("TCP", "http", None)] if rng.random() < 0.7 else [("TCP", 8080, None)]
            mine.append((ns, "allow-from-ingress-nginx", {"matchLabels": {"tier": "web"}}, ["Ingress"],
                         [{"peers": [nginx_peer], "ports": ports}], None, True))
        if rng.random() < 0.6:
            mine.append((ns, "allow-prometheus", {}, ["Ingress"],
                         [{"peers": [prom_peer], "ports": [("TCP", "metrics", None)]}], None, True))
        if rng.random() < 0.5:
            mine.append((ns, "allow-same-namespace", {}, ["Ingress"], [{"peers": [{"pod": {}}]}], None,
                         rng.random() < 0.5))
        baseline.append(mine)

        def other_ns_peer():
            r = rng.random()
            team = rng.choice(TEAMS)
            env = labels.get("env", "prod")
            if r < 0.4:
                nsel = {"matchLabels": {"team": team, "env": env}}
            elif r < 0.6:
                nsel = {"matchLabels": {"team": team}}
            elif r < 0.75:
                nsel = {"matchExpressions": [("env", "In", ["prod", "staging"] if env != "dev" else ["dev"]),
                                             ("team", "Exists", [])]}
            elif r < 0.85:
                nsel = {"matchLabels": {"env": env},
                        "matchExpressions": [("team", "NotIn", [labels.get("team", "misc"), rng.choice(TEAMS)])]}
            else:
                nsel = {"matchLabels": {"kubernetes.io/metadata.name": rng.choice(namespaces)[0]}}
            psel_r = rng.random()
            if psel_r < 0.6:
                psel = {"matchLabels": {"tier": rng.choice(["web", "api", "worker"])}}
            elif psel_r < 0.8:
                psel = {"matchExpressions": [("tier", "In", ["web", "api"])]}
            elif psel_r < 0.9:
                psel = {"matchLabels": {"app.kubernetes.io/part-of": team}}
            else:
                return {"ns": nsel}
            return {"ns": nsel, "pod": psel}

        for w in ws:
            port_names = [p[0] for p in w.ports if p[0]]
            pod_sel = {"matchLabels": {"app": w.name}}
            if w.tier == "db":
                shape = [{"peers": [{"pod": {"matchLabels": {"tier": "api"}}},
                                    {"pod": {"matchExpressions": [("tier", "In", ["api", "worker"]),
                                                                  ("version", "NotIn", ["canary"])]}}],
                          "ports": [("TCP", "postgres" if rng.random() < 0.5 else 5432, None)]}]
                extra.append((ns, f"{w.name}-allow-api", pod_sel, ["Ingress"], shape, None, True))
            elif w.tier == "cache":
                extra.append((ns, f"{w.name}-allow-clients", pod_sel, ["Ingress"],
                              [{"peers": [{"pod": {"matchExpressions": [("tier", "In", ["web", "api", "worker"])]}}],
                                "ports": [("TCP", 6379, None)]}], None, True))
            elif w.tier == "api":
                rules = [{"peers": [{"pod": {"matchLabels": {"tier": "web"}}}],
                          "ports": [("TCP", "http", None), ("TCP", "grpc", None)]}]
                if rng.random() < 0.6:
                    rules.append({"peers": [other_ns_peer() for _ in range(rng.randint(1, 3))],
                                  "ports": [("TCP", "grpc", None)] if rng.random() < 0.7 else None})
                extra.append((ns, f"{w.name}-allow", pod_sel, ["Ingress"], rules, None, True))
                if rng.random() < 0.3:
                    egress = [dns_rule,
                              {"peers": [{"pod": {"matchExpressions": [("tier", "In", ["db", "cache"])]}}],
                               "ports": [("TCP", 5432, None), ("TCP", 6379, None)]},
                              {"peers": [{"ipBlock": (rng.choice(EXTERNAL_24), [])}], "ports": [("TCP", 443, None)]}]
                    extra.append((ns, f"{w.name}-egress", pod_sel, ["Egress"], None, egress, True))
            elif w.tier == "web":
                ports = [("TCP", "http", None)] + ([("TCP", "https", None)] if "https" in port_names else [])
                rules = [{"peers": [nginx_peer, {"pod": {"matchLabels": {"tier": "web"}}}], "ports": ports}]
                if rng.random() < 0.2:
                    rules.append({"peers": [{"ipBlock": (rng.choice(EXTERNAL_24), [])}],
                                  "ports": [("TCP", 8080, None)]})
                extra.append((ns, f"{w.name}-allow", pod_sel, ["Ingress"], rules, None, True))
            else:  # worker
                r = rng.random()
                if r < 0.4:
                    # Workers call out to the internet (but not to private ranges) and to APIs in any team's namespaces.
                    egress = [dns_rule,
                              {"peers": [internet_peer]},
                              {"peers": [{"ns": {"matchExpressions": [("team", "Exists", [])]},
                                          "pod": {"matchLabels": {"tier": "api"}}}],
                               "ports": [("TCP", "grpc", None), ("TCP", "http", None)]}]
                    extra.append((ns, f"{w.name}-egress", pod_sel, ["Egress"], None, egress, True))
                elif r < 0.55:
                    # A port range for a worker pool (endPort).
                    lo = 7000 + rng.randrange(50) * 10
                    extra.append((ns, f"{w.name}-pool", pod_sel, ["Ingress"],
                                  [{"peers": [{"pod": {"matchLabels": {"app": w.name}}}],
                                    "ports": [("TCP", lo, lo + 99), ("UDP", lo, lo + 9)]}], None, True))
                elif r < 0.65:
                    extra.append((ns, f"{w.name}-deny-all", pod_sel, ["Ingress", "Egress"], [], [], True))
            r = rng.random()
            if r < 0.04:
                # A policy for a decommissioned app: selects nothing.
                extra.append((ns, f"legacy-{w.name}", {"matchLabels": {"app": f"{w.name}-legacy"}}, ["Ingress"],
                              [{"peers": [{"pod": {}}], "ports": [("TCP", 80, None)]}], None, True))
            elif r < 0.08:
                extra.append((ns, f"{w.name}-no-canary", {"matchLabels": {"app": w.name},
                                                          "matchExpressions": [("version", "DoesNotExist", [])]},
                              ["Ingress"], [{"peers": [{"pod": {"matchLabels": {"tier": w.tier}}}],
                                             "ports": [(None, "metrics", None)]}], None, True))
            elif r < 0.10 and "statsd" in port_names:
                extra.append((ns, f"{w.name}-statsd", pod_sel, ["Ingress"],
                              [{"peers": [{"pod": {}}], "ports": [("UDP", "statsd", None)]}], None, True))

    # Baseline policies first (round-robin over namespaces), then the per-workload ones (shuffled so
    # that a smaller --policies keeps a mix of shapes), up to --policies in total.
    ordered = []
    depth = max((len(b) for b in baseline), default=0)
    for d in range(depth):
        for b in baseline:
            if d < len(b):
                ordered.append(b[d])
    rng.shuffle(extra)
    ordered += extra
    seen = set()
    chosen = []
    for item in ordered:
        if (item[0], item[1]) not in seen:
            seen.add((item[0], item[1]))
            chosen.append(item)
    # Not enough shapes for the requested count: add per-app scrape policies with numeric port ranges.
    k = 0
    while len(chosen) + len(policies) < args.policies and workloads:
        w = workloads[k % len(workloads)]
        k += 1
        lo = 9000 + (k % 10) * 10
        chosen.append((w.ns, f"{w.name}-scrape-{k}", {"matchLabels": {"app": w.name}}, ["Ingress"],
                       [{"peers": [prom_peer], "ports": [("TCP", lo, lo + 9)]}], None, True))
    chosen = chosen[:max(0, args.policies - len(policies))]
    # In namespace order, as `kubectl get networkpolicies -A -o yaml` lists them.
    ns_order = {ns: i for i, (ns, _) in enumerate(namespaces)}
    chosen.sort(key=lambda item: ns_order[item[0]])
    for ns, name, psel, types, ingress, egress, explicit in chosen:
        add(ns, name, psel, types, ingress, egress, explicit)
    for text in policies[:args.policies]:
        emit("NetworkPolicy", text)

    out = "---\n".join(docs)
    sys.stdout.write(out)
    n_workloads = len(platform) + len(workloads)
    kinds = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("Deployment", "StatefulSet", "DaemonSet", "Job",
                                                            "CronJob", "Pod"))
    svc_types = {}
    for w in platform + workloads:
        if w.service:
            svc_types[w.service] = svc_types.get(w.service, 0) + 1
    print(f"{len(docs)} objects, {len(out.encode())} bytes: {len(platform_ns) + len(namespaces)} namespaces, "
          f"{n_workloads} workloads ({kinds}), {counts.get('Service', 0)} services "
          f"({', '.join(f'{v} {k}' for k, v in sorted(svc_types.items()))}), {ingresses} ingresses, "
          f"{counts.get('NetworkPolicy', 0)} network policies", file=sys.stderr)


if __name__ == "__main__":
    main()
