#!/usr/bin/env python3
"""Prints a typical Deployment CREATE AdmissionReview (admission.k8s.io/v1) as the API server sends
it to a validating webhook: userInfo, oldObject null, options, and the object with its
last-applied-configuration annotation and managedFields (about 4 KB). The workload follows the
restricted Pod Security profile, as most reviews of a policed cluster do; kspm still finds
lower-severity issues (warnings). Deterministic: the same bytes every run.

Usage: bench/gen_admission_review.py [--uid UID] > review.json
"""
import json
import sys

uid = "6e1a0b4c-2f3d-4a5b-9c8d-7e6f5a4b3c2d"
if len(sys.argv) == 3 and sys.argv[1] == "--uid":
    uid = sys.argv[2]

container = {
    "name": "api",
    "image": "registry.example.com/shop/api@sha256:" + "4f" * 32,
    "imagePullPolicy": "IfNotPresent",
    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
    "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
    "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}},
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": 10001,
    },
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
}
applied = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "api", "namespace": "shop", "labels": {"app": "api", "team": "shop"}},
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "api"}},
        "template": {
            "metadata": {"labels": {"app": "api", "team": "shop"}},
            "spec": {
                "serviceAccountName": "api",
                "automountServiceAccountToken": False,
                "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{k: v for k, v in container.items() if k in ("name", "image", "ports", "resources", "securityContext")}],
            },
        },
    },
}
fields_container = {
    ".": {},
    "f:image": {}, "f:imagePullPolicy": {},
    "f:name": {}, "f:ports": {".": {}, 'k:{"containerPort":8080,"protocol":"TCP"}': {".": {}, "f:containerPort": {}, "f:name": {}, "f:protocol": {}}},
    "f:readinessProbe": {".": {}, "f:httpGet": {".": {}, "f:path": {}, "f:port": {}}},
    "f:resources": {".": {}, "f:limits": {".": {}, "f:cpu": {}, "f:memory": {}}, "f:requests": {".": {}, "f:cpu": {}, "f:memory": {}}},
    "f:securityContext": {".": {}, "f:allowPrivilegeEscalation": {}, "f:capabilities": {".": {}, "f:drop": {}},
                          "f:readOnlyRootFilesystem": {}, "f:runAsNonRoot": {}, "f:runAsUser": {}},
    "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {},
}
obj = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "api",
        "namespace": "shop",
        "uid": "0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f",
        "generation": 1,
        "creationTimestamp": "2026-11-27T05:00:00Z",
        "labels": {"app": "api", "team": "shop"},
        "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": json.dumps(applied, separators=(",", ":")) + "\n"
        },
        "managedFields": [{
            "manager": "kubectl-client-side-apply",
            "operation": "Update",
            "apiVersion": "apps/v1",
            "time": "2026-11-27T05:00:00Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}},
                               "f:labels": {".": {}, "f:app": {}, "f:team": {}}},
                "f:spec": {"f:progressDeadlineSeconds": {}, "f:replicas": {}, "f:revisionHistoryLimit": {}, "f:selector": {},
                           "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}},
                           "f:template": {"f:metadata": {"f:labels": {".": {}, "f:app": {}, "f:team": {}}},
                                          "f:spec": {"f:automountServiceAccountToken": {},
                                                     "f:containers": {'k:{"name":"api"}': fields_container},
                                                     "f:dnsPolicy": {}, "f:restartPolicy": {}, "f:schedulerName": {},
                                                     "f:securityContext": {".": {}, "f:runAsNonRoot": {}, "f:seccompProfile": {".": {}, "f:type": {}}},
                                                     "f:serviceAccount": {}, "f:serviceAccountName": {}, "f:terminationGracePeriodSeconds": {}}}},
            },
        }],
    },
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "api"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
        "revisionHistoryLimit": 10,
        "progressDeadlineSeconds": 600,
        "template": {
            "metadata": {"creationTimestamp": None, "labels": {"app": "api", "team": "shop"}},
            "spec": {
                "serviceAccountName": "api",
                "serviceAccount": "api",
                "automountServiceAccountToken": False,
                "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [container],
                "restartPolicy": "Always",
                "terminationGracePeriodSeconds": 30,
                "dnsPolicy": "ClusterFirst",
                "schedulerName": "default-scheduler",
            },
        },
    },
    "status": {},
}
gvk = {"group": "apps", "version": "v1", "kind": "Deployment"}
gvr = {"group": "apps", "version": "v1", "resource": "deployments"}
review = {
    "kind": "AdmissionReview",
    "apiVersion": "admission.k8s.io/v1",
    "request": {
        "uid": uid,
        "kind": gvk, "resource": gvr, "requestKind": gvk, "requestResource": gvr,
        "name": "api", "namespace": "shop", "operation": "CREATE",
        "userInfo": {"username": "system:serviceaccount:ci:deployer", "uid": "5f4e3d2c-1b0a-4998-8877-665544332211",
                     "groups": ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"]},
        "object": obj,
        "oldObject": None,
        "dryRun": False,
        "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-client-side-apply"},
    },
}
sys.stdout.write(json.dumps(review, separators=(",", ":")))
