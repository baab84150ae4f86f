#!/usr/bin/env python3
"""Deterministic generator of a large live-cluster content file for the fixture API server (issue 7's benchmark).

    python3 bench/gen_cluster.py --objects 100000 --seed 1 -o /tmp/cluster-100k.json
    build/kspm_fixture_apiserver --tls-dir /tmp/tls --content /tmp/cluster-100k.json --token t0k

Writes one JSON `kind: List` whose items carry apiVersion and kind (as `kubectl get -o json` writes), with the
server-side fields the API server stores: uid, resourceVersion, creationTimestamp, generation, ownerReferences,
managedFields (kube-controller-manager, kubelet, kubectl-client-side-apply and helm field managers, fieldsV1),
status. The mix follows a large real cluster: ~35% Pods, ~15% ReplicaSets (current and old revisions of each
Deployment), ~5% Deployments, Services and EndpointSlices ~6% each, ConfigMaps ~9% (about 1% of them 64-192 KiB),
ServiceAccounts ~5%, Roles/RoleBindings ~6%, NetworkPolicies ~3%, Secrets ~3% (Opaque, TLS, Helm releases),
StatefulSets, Jobs, CronJobs, HPAs, PDBs, DaemonSets (one pod per node), ~200 Namespaces and ~100 Nodes at
100,000 objects. Same seed, same bytes. Prints the byte size and per-kind counts on stderr.
Do not commit the output.
"""
import argparse
import hashlib
import json
import random
import sys
from collections import Counter

BASE_TS = "2024-05-0{d}T{h:02d}:{m:02d}:{s:02d}Z"
IMAGES = ["ghcr.io/acme/{app}:{v}", "registry.example.com/team/{app}:{v}", "docker.io/library/nginx:1.25.{p}",
          "quay.io/prometheus/node-exporter:v1.7.0", "public.ecr.aws/acme/{app}@sha256:{d}", "redis:7.2.{p}",
          "postgres:16.{p}", "ghcr.io/acme/{app}:latest"]
DAEMONS = [("kube-proxy", "kube-system", "registry.k8s.io/kube-proxy:v1.30.1", True),
           ("cilium", "kube-system", "quay.io/cilium/cilium:v1.15.5", True),
           ("node-exporter", "monitoring", "quay.io/prometheus/node-exporter:v1.7.0", False),
           ("fluent-bit", "logging", "cr.fluentbit.io/fluent/fluent-bit:3.0.4", False),
           ("ebs-csi-node", "kube-system", "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.30.0", True),
           ("datadog-agent", "monitoring", "gcr.io/datadoghq/agent:7.53.0", False)]


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.rv = 100000
        self.items = []

    def uid(self):
        h = "%032x" % self.rng.getrandbits(128)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def ts(self):
        r = self.rng
        return BASE_TS.format(d=r.randint(1, 9), h=r.randint(0, 23), m=r.randint(0, 59), s=r.randint(0, 59))

    def hexid(self, n):
        return "%0*x" % (n, self.rng.getrandbits(4 * n))

    def meta(self, name, ns=None, labels=None, annotations=None, owner=None, generation=None, managed=None):
        self.rv += self.rng.randint(1, 50)
        m = {"name": name}
        if ns is not None:
            m["namespace"] = ns
        m["uid"] = self.uid()
        m["resourceVersion"] = str(self.rv)
        if generation is not None:
            m["generation"] = generation
        m["creationTimestamp"] = self.ts()
        if labels:
            m["labels"] = labels
        if annotations:
            m["annotations"] = annotations
        if owner:
            m["ownerReferences"] = owner
        if managed:
            m["managedFields"] = managed
        return m

    def add(self, api_version, kind, metadata, **rest):
        obj = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
        obj.update(rest)
        self.items.append(obj)
        return obj


def fields_of(obj, depth=0):
    """fieldsV1 for a JSON value, as the API server records a manager's owned fields (keys only)."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            out["f:" + k] = fields_of(v, depth + 1) if depth < 4 else {}
        return out
    if isinstance(obj, list) and obj and isinstance(obj[0], dict) and "name" in obj[0]:
        out = {}
        for v in obj:
            out['k:{"name":"%s"}' % v["name"]] = dict({".": {}}, **fields_of(v, depth + 1))
        return out
    return {}


def managed(manager, operation, fields, ts, subresource=None, api_version="v1"):
    entry = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": ts, "fieldsType": "FieldsV1",
             "fieldsV1": fields}
    if subresource:
        entry["subresource"] = subresource
    return entry


def container(g, app, version, with_probes=True, risky=False):
    r = g.rng
    image = r.choice(IMAGES).format(app=app, v=version, p=r.randint(0, 9), d=hashlib.sha256(app.encode()).hexdigest())
    c = {"name": app, "image": image, "imagePullPolicy": r.choice(["IfNotPresent", "Always"]),
         "ports": [{"containerPort": r.choice([8080, 8443, 9000, 3000, 5000]), "name": "http", "protocol": "TCP"}],
         "env": [{"name": "APP_NAME", "value": app}, {"name": "LOG_LEVEL", "value": r.choice(["info", "debug", "warn"])},
                 {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
                 {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": app + "-db", "key": "password"}}}],
         "resources": {"limits": {"cpu": "1", "memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
         "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
         "volumeMounts": [{"mountPath": "/etc/config", "name": "config", "readOnly": True},
                          {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": True}]}
    if with_probes:
        c["readinessProbe"] = {"httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"}, "periodSeconds": 10,
                               "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3}
        c["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"}, "periodSeconds": 10,
                              "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3, "initialDelaySeconds": 15}
    if risky:
        c["securityContext"] = r.choice([{"privileged": True}, {"capabilities": {"add": ["NET_ADMIN", "SYS_TIME"]}},
                                         {"runAsUser": 0, "allowPrivilegeEscalation": True}])
    elif r.random() < 0.6:
        c["securityContext"] = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                "readOnlyRootFilesystem": True, "runAsNonRoot": True, "runAsUser": 10001,
                                "seccompProfile": {"type": "RuntimeDefault"}}
    return c


def pod_spec(g, app, version, sa, risky):
    r = g.rng
    spec = {"containers": [container(g, app, version, risky=risky)], "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority", "priority": 0,
            "restartPolicy": "Always", "schedulerName": "default-scheduler", "securityContext": {},
            "serviceAccount": sa, "serviceAccountName": sa, "terminationGracePeriodSeconds": 30,
            "tolerations": [{"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
                            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}],
            "volumes": [{"name": "config", "configMap": {"name": app + "-config", "defaultMode": 420}},
                        {"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}]}}]}
    if r.random() < 0.15:
        spec["containers"].append({"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.22.0",
                                   "args": ["proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local"],
                                   "resources": {"limits": {"cpu": "2", "memory": "1Gi"}, "requests": {"cpu": "10m", "memory": "40Mi"}},
                                   "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                                       "runAsNonRoot": True, "runAsUser": 1337}})
    if risky and r.random() < 0.5:
        spec["volumes"].append({"name": "host", "hostPath": {"path": r.choice(["/var/run/docker.sock", "/var/log", "/data"]), "type": ""}})
    if risky and r.random() < 0.3:
        spec["hostNetwork"] = True
    return spec


def pod_status(g, spec, node_ip, pod_ip):
    ts = g.ts()
    return {"phase": "Running", "hostIP": node_ip, "hostIPs": [{"ip": node_ip}], "podIP": pod_ip, "podIPs": [{"ip": pod_ip}],
            "qosClass": "Burstable", "startTime": ts,
            "conditions": [{"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": ts}
                           for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")],
            "containerStatuses": [{"name": c["name"], "image": c["image"], "imageID": "sha256:" + g.hexid(64),
                                   "containerID": "containerd://" + g.hexid(64), "ready": True, "restartCount": g.rng.choice([0, 0, 0, 1, 4]),
                                   "started": True, "state": {"running": {"startedAt": ts}}} for c in spec["containers"]]}


def generate(objects, seed):
    g = Gen(seed)
    r = g.rng
    n = objects
    ns_count = max(5, min(200, n // 500))
    node_count = max(1, min(100, n // 1000))
    share = lambda f, lo=1: max(lo, int(n * f))
    quota = {"Pod": share(0.35), "ReplicaSet": share(0.15), "Deployment": share(0.05), "StatefulSet": share(0.01),
             "Job": share(0.008), "CronJob": share(0.004), "Service": share(0.06), "EndpointSlice": share(0.06),
             "ServiceAccount": share(0.05), "Secret": share(0.03), "Role": share(0.025), "RoleBinding": share(0.035),
             "ClusterRole": share(0.003), "ClusterRoleBinding": share(0.003), "NetworkPolicy": share(0.03),
             "HorizontalPodAutoscaler": share(0.005), "PodDisruptionBudget": share(0.005)}

    platform = ["kube-system", "kube-public", "kube-node-lease", "default", "monitoring", "logging", "ingress-nginx", "cert-manager"]
    namespaces = platform + [f"team-{i:03d}" for i in range(max(0, ns_count - len(platform)))]
    app_namespaces = namespaces[3:]
    for ns in namespaces:
        labels = {"kubernetes.io/metadata.name": ns}
        roll = r.random()
        if ns.startswith("team-") and roll < 0.3:
            labels["pod-security.kubernetes.io/enforce"] = "baseline"
        elif ns.startswith("team-") and roll < 0.5:
            labels["pod-security.kubernetes.io/enforce"] = "restricted"
        g.add("v1", "Namespace", g.meta(ns, labels=labels), spec={"finalizers": ["kubernetes"]}, status={"phase": "Active"})

    nodes = []
    for i in range(node_count):
        name = f"ip-10-0-{i // 250}-{i % 250 + 1}.ec2.internal"
        ip = f"10.0.{i // 250}.{i % 250 + 1}"
        nodes.append((name, ip))
        g.add("v1", "Node", g.meta(name, labels={"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                                                 "node.kubernetes.io/instance-type": "m6i.2xlarge", "topology.kubernetes.io/zone": "us-east-1" + "abc"[i % 3]},
                                   annotations={"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"}),
              spec={"providerID": f"aws:///us-east-1a/i-{g.hexid(17)}", "podCIDR": f"10.{100 + i // 256}.{i % 256}.0/24"},
              status={"addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
                      "allocatable": {"cpu": "7910m", "memory": "31482364Ki", "pods": "110"},
                      "capacity": {"cpu": "8", "memory": "32475644Ki", "pods": "110"},
                      "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                                      "lastHeartbeatTime": g.ts(), "lastTransitionTime": g.ts()}],
                      "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                      "nodeInfo": {"architecture": "amd64", "bootID": g.uid(), "containerRuntimeVersion": "containerd://1.7.11",
                                   "kernelVersion": "6.1.90-99.173.amzn2023.x86_64", "kubeProxyVersion": "v1.30.0-eks-036c24b",
                                   "kubeletVersion": "v1.30.0-eks-036c24b", "machineID": g.hexid(32), "operatingSystem": "linux",
                                   "osImage": "Amazon Linux 2023.4.20240528", "systemUUID": g.uid()}})

    counts = Counter()

    # DaemonSets: one pod per node each, counted against the Pod quota.
    for name, ns, image, privileged in DAEMONS:
        labels = {"app.kubernetes.io/name": name}
        spec = {"containers": [{"name": name, "image": image, "securityContext": {"privileged": privileged},
                                "volumeMounts": [{"mountPath": "/host/proc", "name": "proc", "readOnly": True}]}],
                "hostNetwork": privileged, "hostPID": name == "node-exporter", "serviceAccountName": name, "tolerations": [{"operator": "Exists"}],
                "volumes": [{"name": "proc", "hostPath": {"path": "/proc", "type": ""}}]}
        ds = g.add("apps/v1", "DaemonSet", g.meta(name, ns, labels=labels, generation=1),
                   spec={"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": spec}},
                   status={"desiredNumberScheduled": node_count, "numberReady": node_count})
        for node, ip in nodes:
            if counts["Pod"] >= quota["Pod"]:
                break
            owner = [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": name, "uid": ds["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
            g.add("v1", "Pod", g.meta(f"{name}-{g.hexid(5)}", ns, labels=labels, owner=owner), spec=dict(spec, nodeName=node),
                  status={"phase": "Running", "hostIP": ip, "podIP": ip})
            counts["Pod"] += 1

    # Applications: Deployment -> 3 ReplicaSet revisions -> Pods, plus a Service, EndpointSlice, SA, ConfigMap each.
    apps = []
    for i in range(quota["Deployment"]):
        ns = app_namespaces[i % len(app_namespaces)]
        apps.append((f"svc-{i:05d}", ns))
    app_pods = {}
    rs_of = {}
    for idx, (app, ns) in enumerate(apps):
        version = f"1.{r.randint(0, 30)}.{r.randint(0, 9)}"
        labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": ns, "app.kubernetes.io/managed-by": "Helm"}
        sa = app if r.random() < 0.8 else "default"
        risky = r.random() < 0.04
        spec = pod_spec(g, app, version, sa, risky)
        ts = g.ts()
        replicas = r.choice([1, 2, 2, 3, 3, 5])
        dep_spec = {"replicas": replicas, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
                    "selector": {"matchLabels": {"app.kubernetes.io/name": app}},
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                    "template": {"metadata": {"labels": labels}, "spec": spec}}
        mf = [managed("helm", "Update", {"f:metadata": {"f:labels": fields_of(labels)}, "f:spec": fields_of(dep_spec)}, ts, api_version="apps/v1"),
              managed("kube-controller-manager", "Update", {"f:status": {"f:availableReplicas": {}, "f:conditions": {}, "f:readyReplicas": {}}}, ts, "status", "apps/v1")]
        dep = g.add("apps/v1", "Deployment", g.meta(app, ns, labels=labels, generation=3, managed=mf,
                                                    annotations={"deployment.kubernetes.io/revision": "3", "meta.helm.sh/release-name": app, "meta.helm.sh/release-namespace": ns}),
                    spec=dep_spec, status={"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas, "updatedReplicas": replicas, "observedGeneration": 3})
        counts["Deployment"] += 1
        dep_owner = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": app, "uid": dep["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
        for rev in (1, 2, 3):
            if counts["ReplicaSet"] >= quota["ReplicaSet"]:
                break
            h = g.hexid(10)
            rs_labels = dict(labels, **{"pod-template-hash": h})
            current = rev == 3
            rs_spec = {"replicas": replicas if current else 0, "selector": {"matchLabels": {"app.kubernetes.io/name": app, "pod-template-hash": h}},
                       "template": {"metadata": {"labels": rs_labels}, "spec": spec}}
            rs = g.add("apps/v1", "ReplicaSet", g.meta(f"{app}-{h}", ns, labels=rs_labels, owner=dep_owner, generation=1,
                                                       annotations={"deployment.kubernetes.io/desired-replicas": str(replicas), "deployment.kubernetes.io/max-replicas": str(replicas + 1), "deployment.kubernetes.io/revision": str(rev)},
                                                       managed=[managed("kube-controller-manager", "Update", {"f:metadata": {"f:ownerReferences": {}}, "f:spec": fields_of(rs_spec)}, ts, api_version="apps/v1")]),
                       spec=rs_spec, status={"replicas": rs_spec["replicas"], "observedGeneration": 1})
            counts["ReplicaSet"] += 1
            if current:
                rs_of[idx] = (rs, rs_labels, spec, replicas)
    # Pods for the current ReplicaSets, round-robin until the quota is met.
    node_i = 0
    rounds = 0
    while counts["Pod"] < quota["Pod"] and rs_of:
        for idx, (rs, rs_labels, spec, replicas) in rs_of.items():
            if counts["Pod"] >= quota["Pod"]:
                break
            app, ns = apps[idx]
            node, node_ip = nodes[node_i % len(nodes)]
            node_i += 1
            owner = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs["metadata"]["name"], "uid": rs["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
            pod_ip = f"10.{100 + (counts['Pod'] >> 16) % 100}.{(counts['Pod'] >> 8) & 255}.{counts['Pod'] & 255}"
            ts = g.ts()
            mf = [managed("kube-controller-manager", "Update", {"f:metadata": {"f:generateName": {}, "f:labels": fields_of(rs_labels), "f:ownerReferences": {}},
                                                                 "f:spec": fields_of(spec)}, ts),
                  managed("kubelet", "Update", {"f:status": {"f:conditions": {}, "f:containerStatuses": {}, "f:hostIP": {}, "f:hostIPs": {},
                                                              "f:phase": {}, "f:podIP": {}, "f:podIPs": {}, "f:startTime": {}}}, ts, "status")]
            name = f"{rs['metadata']['name']}-{g.hexid(5)}"
            m = g.meta(name, ns, labels=rs_labels, owner=owner, managed=mf)
            m["generateName"] = rs["metadata"]["name"] + "-"
            full = dict(spec, nodeName=node)
            g.add("v1", "Pod", m, spec=full, status=pod_status(g, full, node_ip, pod_ip))
            app_pods.setdefault(idx, []).append((name, pod_ip, node))
            counts["Pod"] += 1
        rounds += 1

    for kind, api, maker in (("StatefulSet", "apps/v1", None), ("Job", "batch/v1", None), ("CronJob", "batch/v1", None)):
        for i in range(quota[kind]):
            app, ns = apps[r.randrange(len(apps))] if apps else ("x", "default")
            name = f"{kind.lower()}-{i:05d}"
            spec = pod_spec(g, name, "1.0.0", "default", r.random() < 0.04)
            labels = {"app.kubernetes.io/name": name}
            if kind == "StatefulSet":
                body = {"replicas": 3, "serviceName": name, "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": spec},
                        "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}}]}
            elif kind == "Job":
                body = {"backoffLimit": 6, "completions": 1, "parallelism": 1, "template": {"metadata": {"labels": labels}, "spec": dict(spec, restartPolicy="Never")}}
            else:
                body = {"schedule": f"{r.randint(0, 59)} {r.randint(0, 23)} * * *", "concurrencyPolicy": "Forbid",
                        "jobTemplate": {"spec": {"template": {"metadata": {"labels": labels}, "spec": dict(spec, restartPolicy="OnFailure")}}}}
            g.add(api, kind, g.meta(name, ns, labels=labels, generation=1), spec=body)

    for i in range(quota["Service"]):
        idx = i % max(1, len(apps))
        app, ns = apps[idx] if apps else (f"svc-{i}", "default")
        name = app if i < len(apps) else f"{app}-{i // max(1, len(apps))}"
        ip = f"172.20.{(i >> 8) & 255}.{i & 255}"
        typ = "LoadBalancer" if r.random() < 0.03 else ("NodePort" if r.random() < 0.05 else "ClusterIP")
        spec = {"clusterIP": ip, "clusterIPs": [ip], "internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
                "selector": {"app.kubernetes.io/name": app}, "sessionAffinity": "None", "type": typ}
        status = {"loadBalancer": {}}
        if typ == "LoadBalancer":
            status = {"loadBalancer": {"ingress": [{"hostname": f"a{g.hexid(31)}.elb.us-east-1.amazonaws.com"}]}}
        g.add("v1", "Service", g.meta(name, ns, labels={"app.kubernetes.io/name": app}), spec=spec, status=status)
        if i < quota["EndpointSlice"]:
            eps = [{"addresses": [ip_], "conditions": {"ready": True, "serving": True, "terminating": False}, "nodeName": node,
                    "targetRef": {"kind": "Pod", "name": pod, "namespace": ns}} for pod, ip_, node in app_pods.get(idx, [])[:5]]
            g.add("discovery.k8s.io/v1", "EndpointSlice",
                  g.meta(f"{name}-{g.hexid(5)}", ns, labels={"kubernetes.io/service-name": name, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
                         owner=[{"apiVersion": "v1", "kind": "Service", "name": name, "uid": g.uid(), "controller": True, "blockOwnerDeletion": True}]),
                  addressType="IPv4", endpoints=eps, ports=[{"name": "http", "port": 8080, "protocol": "TCP"}])

    for i in range(quota["ServiceAccount"]):
        if i < len(namespaces):
            name, ns = "default", namespaces[i]
        else:
            app, ns = apps[(i - len(namespaces)) % max(1, len(apps))] if apps else ("sa", "default")
            name = app if i - len(namespaces) < len(apps) else f"{app}-{i}"
        ann = {}
        if r.random() < 0.05:
            ann["eks.amazonaws.com/role-arn"] = f"arn:aws:iam::123456789012:role/{ns}-{name}"
        g.add("v1", "ServiceAccount", g.meta(name, ns, annotations=ann or None))

    for i in range(quota["Secret"]):
        app, ns = apps[i % max(1, len(apps))] if apps else ("s", "default")
        roll = r.random()
        if roll < 0.5:
            g.add("v1", "Secret", g.meta(f"{app}-db-{i}", ns), type="Opaque", data={"password": g.hexid(32), "username": "YXBw"})
        elif roll < 0.8:
            g.add("v1", "Secret", g.meta(f"{app}-tls-{i}", ns, annotations={"cert-manager.io/common-name": f"{app}.example.com"}),
                  type="kubernetes.io/tls", data={"tls.crt": g.hexid(1600), "tls.key": g.hexid(320)})
        else:
            g.add("v1", "Secret", g.meta(f"sh.helm.release.v1.{app}.v{i}", ns, labels={"name": app, "owner": "helm", "status": "deployed", "version": str(i)}),
                  type="helm.sh/release.v1", data={"release": g.hexid(r.randint(2000, 16000))})

    verbs_read = ["get", "list", "watch"]
    for i in range(quota["Role"]):
        ns = app_namespaces[i % len(app_namespaces)]
        rules = [{"apiGroups": [""], "resources": ["configmaps", "services", "pods"], "verbs": verbs_read}]
        if r.random() < 0.2:
            rules.append({"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch", "update", "patch"]})
        if r.random() < 0.05:
            rules.append({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]})
        g.add("rbac.authorization.k8s.io/v1", "Role", g.meta(f"role-{i:05d}", ns), rules=rules)
    for i in range(quota["RoleBinding"]):
        ns = app_namespaces[i % len(app_namespaces)]
        role = f"role-{(i % max(1, quota['Role'])):05d}"
        ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role} if r.random() < 0.8 else \
              {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": r.choice(["view", "edit", "admin"])}
        subjects = [{"kind": "ServiceAccount", "name": "default", "namespace": ns}]
        if r.random() < 0.3:
            subjects.append({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": f"team-{i % 50}@example.com"})
        g.add("rbac.authorization.k8s.io/v1", "RoleBinding", g.meta(f"binding-{i:05d}", ns), roleRef=ref, subjects=subjects)
    for i in range(quota["ClusterRole"]):
        g.add("rbac.authorization.k8s.io/v1", "ClusterRole", g.meta(f"cluster-role-{i:04d}"),
              rules=[{"apiGroups": ["", "apps"], "resources": ["pods", "deployments", "nodes"], "verbs": verbs_read}])
    for i in range(quota["ClusterRoleBinding"]):
        role = "cluster-admin" if i % 40 == 0 else f"cluster-role-{i % max(1, quota['ClusterRole']):04d}"
        ns = app_namespaces[i % len(app_namespaces)]
        g.add("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", g.meta(f"crb-{i:04d}"),
              roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
              subjects=[{"kind": "ServiceAccount", "name": "default", "namespace": ns}])
    for i in range(quota["NetworkPolicy"]):
        ns = app_namespaces[i % len(app_namespaces)]
        if i < len(app_namespaces):
            g.add("networking.k8s.io/v1", "NetworkPolicy", g.meta("default-deny", ns), spec={"podSelector": {}, "policyTypes": ["Ingress"]})
        else:
            app = apps[i % len(apps)][0] if apps else "x"
            g.add("networking.k8s.io/v1", "NetworkPolicy", g.meta(f"allow-{i:05d}", ns),
                  spec={"podSelector": {"matchLabels": {"app.kubernetes.io/name": app}}, "policyTypes": ["Ingress"],
                        "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}],
                                     "ports": [{"port": 8080, "protocol": "TCP"}]}]})
    for i in range(quota["HorizontalPodAutoscaler"]):
        app, ns = apps[i % max(1, len(apps))] if apps else ("x", "default")
        g.add("autoscaling/v2", "HorizontalPodAutoscaler", g.meta(f"{app}-{i}", ns),
              spec={"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app}, "minReplicas": 2, "maxReplicas": 10,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 75}}}]})
    for i in range(quota["PodDisruptionBudget"]):
        app, ns = apps[i % max(1, len(apps))] if apps else ("x", "default")
        g.add("policy/v1", "PodDisruptionBudget", g.meta(f"{app}-{i}", ns), spec={"maxUnavailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": app}}})

    # ConfigMaps fill the rest: kube-root-ca.crt per namespace, app configs, ~1% big (64-192 KiB).
    i = 0
    while len(g.items) < n:
        ns = namespaces[i % len(namespaces)] if i < len(namespaces) else app_namespaces[i % len(app_namespaces)]
        if i < len(namespaces):
            g.add("v1", "ConfigMap", g.meta("kube-root-ca.crt", ns), data={"ca.crt": "-----BEGIN CERTIFICATE-----\n" + g.hexid(1000) + "\n-----END CERTIFICATE-----\n"})
        else:
            app = apps[i % len(apps)][0] if apps else "cm"
            name = f"{app}-config" if i - len(namespaces) < len(apps) else f"{app}-config-{i}"
            if r.random() < 0.01:
                data = {"dashboard.json": g.hexid(r.randint(64, 192) * 1024)}
            else:
                data = {"app.properties": "\n".join(f"key.{k}={g.hexid(12)}" for k in range(r.randint(3, 30))), "LOG_LEVEL": "info"}
            g.add("v1", "ConfigMap", g.meta(name, ns, labels={"app.kubernetes.io/name": app}), data=data)
        i += 1
    return g.items[:n] if len(g.items) > n else g.items


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    if args.objects < 50:
        parser.error("--objects must be at least 50")
    items = generate(args.objects, args.seed)
    with open(args.output, "w") as out:
        json.dump({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}, out, separators=(",", ":"))
        size = out.tell()
    counts = Counter(item["kind"] for item in items)
    print(f"{args.output}: {size} bytes, {len(items)} objects", file=sys.stderr)
    for kind, count in counts.most_common():
        print(f"  {kind:26s} {count:7d}  {100.0 * count / len(items):5.1f}%", file=sys.stderr)


if __name__ == "__main__":
    main()
