#!/usr/bin/env python3
"""Generates N of each of Deployment, Service, ConfigMap, ServiceAccount, Role, RoleBinding,
NetworkPolicy and PodDisruptionBudget, all in ONE namespace, each referring to its partners by
name and labels (plus one label, tier: web, that every workload shares). The worst case for
cross-object checks: anything that compares every object with every other in a namespace is
quadratic here. Usage: gen_one_namespace.py N > out.yaml  (deterministic)."""
import sys
n=int(sys.argv[1])
out=[]
out.append("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: big\n")
for i in range(n):
    out.append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app{i}
  namespace: big
spec:
  replicas: 1
  selector:
    matchLabels: {{app: app{i}}}
  template:
    metadata:
      labels: {{app: app{i}, tier: web}}
    spec:
      serviceAccountName: sa{i}
      containers:
      - name: c
        image: nginx:1.25
        envFrom:
        - configMapRef: {{name: cm{i}}}
        env:
        - name: X
          valueFrom: {{secretKeyRef: {{name: s{i}, key: k}}}}
        ports: [{{containerPort: 80, name: http}}]
""")
    out.append(f"""apiVersion: v1
kind: Service
metadata: {{name: svc{i}, namespace: big}}
spec:
  selector: {{app: app{i}, tier: web}}
  ports: [{{port: 80, targetPort: http}}]
""")
    out.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm{i}, namespace: big}}\ndata: {{a: b}}\n")
    out.append(f"apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa{i}, namespace: big}}\n")
    out.append(f"""apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: r{i}, namespace: big}}
rules: [{{apiGroups: [""], resources: [secrets], verbs: [get]}}]
""")
    out.append(f"""apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: rb{i}, namespace: big}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: r{i}}}
subjects: [{{kind: ServiceAccount, name: sa{i}, namespace: big}}]
""")
    out.append(f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: np{i}, namespace: big}}
spec:
  podSelector: {{matchLabels: {{app: app{i}}}}}
  policyTypes: [Ingress]
""")
    out.append(f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: pdb{i}, namespace: big}}
spec:
  minAvailable: 1
  selector: {{matchLabels: {{app: app{i}}}}}
""")
print("---\n".join(out))
