#!/usr/bin/env python3
"""Deterministic generator of a big cluster's RBAC objects, for timing `kspm rbac` (bench/rbac_query.cc).

Default sizes (issue 4's benchmark): 20,000 ServiceAccounts in 200 namespaces, 10,000 roles (2,000
ClusterRoles of which 200 aggregate others by label, two levels deep, and 8,000 Roles) and 50,000
bindings (40,000 RoleBindings to Roles or ClusterRoles, 10,000 ClusterRoleBindings), each with 1-3
subjects (service accounts, some users and groups). Rules mix verbs, core/apps/batch resources,
subresources, wildcards and resourceNames.

Usage: gen_rbac.py --out /tmp/kspm-rbac.yaml [--seed 1] [--scale 1.0]
The same arguments always produce byte-identical output.
"""

import argparse
import random

VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
RESOURCES = [("", "pods"), ("", "pods/log"), ("", "pods/exec"), ("", "secrets"), ("", "configmaps"),
             ("", "services"), ("", "serviceaccounts"), ("", "persistentvolumeclaims"), ("apps", "deployments"),
             ("apps", "deployments/scale"), ("apps", "statefulsets"), ("batch", "jobs"), ("batch", "cronjobs"),
             ("networking.k8s.io", "ingresses"), ("networking.k8s.io", "networkpolicies")]


def rule(rng):
    group, resource = rng.choice(RESOURCES)
    r = rng.random()
    verbs = ["*"] if r < 0.05 else sorted(rng.sample(VERBS, rng.randint(1, 4)))
    resources = ["*"] if r > 0.98 else [resource]
    quoted = lambda values: ", ".join(f'"{v}"' for v in values)
    lines = [f'- apiGroups: ["{group}"]', f"  resources: [{quoted(resources)}]", f"  verbs: [{quoted(verbs)}]"]
    if rng.random() < 0.1:
        lines.append(f"  resourceNames: [obj-{rng.randint(0, 99)}]")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    n_ns = max(1, int(200 * args.scale))
    n_sa = int(20000 * args.scale)
    n_cr = int(2000 * args.scale)
    n_agg = int(200 * args.scale)
    n_role = int(8000 * args.scale)
    n_rb = int(40000 * args.scale)
    n_crb = int(10000 * args.scale)
    docs = []
    for i in range(n_sa):
        docs.append(f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-{i}\n  namespace: ns-{i % n_ns}\n")
    for i in range(n_cr):
        if i < n_agg:
            # Aggregators: the first half select leaf roles, the second half select the first half.
            target = f"leaf-{i % 50}" if i < n_agg // 2 else f"mid-{i % 10}"
            label = f"mid-{i % 10}" if i < n_agg // 2 else f"top-{i % 5}"
            docs.append("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n"
                        f"  name: cr-{i}\n  labels:\n    agg.example.com/{label}: \"true\"\n"
                        "aggregationRule:\n  clusterRoleSelectors:\n"
                        f"  - matchLabels:\n      agg.example.com/{target}: \"true\"\nrules: []\n")
            continue
        rules = "\n".join(rule(rng) for _ in range(rng.randint(1, 5)))
        docs.append("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n"
                    f"  name: cr-{i}\n  labels:\n    agg.example.com/leaf-{i % 50}: \"true\"\nrules:\n{rules}\n")
    for i in range(n_role):
        rules = "\n".join(rule(rng) for _ in range(rng.randint(1, 5)))
        docs.append("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n"
                    f"  name: role-{i}\n  namespace: ns-{i % n_ns}\nrules:\n{rules}\n")

    def subjects(ns):
        out = []
        for _ in range(rng.randint(1, 3)):
            r = rng.random()
            if r < 0.85:
                sa = rng.randrange(n_sa)
                out.append(f"- kind: ServiceAccount\n  name: sa-{sa}\n  namespace: ns-{sa % n_ns}")
            elif r < 0.95:
                out.append(f"- kind: User\n  name: user-{rng.randrange(2000)}\n  apiGroup: rbac.authorization.k8s.io")
            else:
                out.append(f"- kind: Group\n  name: team-{rng.randrange(100)}\n  apiGroup: rbac.authorization.k8s.io")
        return "\n".join(out)

    for i in range(n_rb):
        if rng.random() < 0.6:
            r = rng.randrange(n_role)
            ns, kind, name = f"ns-{r % n_ns}", "Role", f"role-{r}"
        else:
            ns, kind, name = f"ns-{rng.randrange(n_ns)}", "ClusterRole", f"cr-{rng.randrange(n_cr)}"
        docs.append("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n"
                    f"  name: rb-{i}\n  namespace: {ns}\nsubjects:\n{subjects(ns)}\n"
                    f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: {kind}\n  name: {name}\n")
    for i in range(n_crb):
        docs.append("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n"
                    f"  name: crb-{i}\nsubjects:\n{subjects('')}\n"
                    f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cr-{rng.randrange(n_cr)}\n")
    with open(args.out, "w") as f:
        f.write("---\n".join(docs))
    print(f"{len(docs)} objects ({n_sa} service accounts, {n_cr + n_role} roles, {n_rb + n_crb} bindings) in {args.out}")


if __name__ == "__main__":
    main()
