#!/usr/bin/env python3
"""Generates vulnerability reports for the vulns loading benchmark (bench/vulns_load.cc).

N images with M vulnerabilities each, rotating through the three report shapes kspm reads:
`trivy image -f json` (SchemaVersion 2), `grype -o json` and Trivy-style CycloneDX 1.5 JSON. The
documents carry the fields real scanners write (descriptions, references, CVSS vectors, layers,
match details), not only the ones kspm keeps, so the parse cost per byte is realistic.

  python3 bench/gen_vulns.py --images 2000 --cves 150 --out /tmp/kspm-vulns [--feeds]
Prints the number of files and their total size.
"""
import argparse
import gzip
import json
import os
import random

WORDS = ("buffer overflow heap use-after-free integer denial service remote attacker crafted request "
         "allows execute arbitrary code via malformed header parser function memory corruption "
         "out-of-bounds read write null pointer dereference in the library before version").split()
SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]
PACKAGES = ["openssl", "libssl3", "zlib1g", "libexpat1", "curl", "libcurl4", "glibc", "libc6", "busybox",
            "libxml2", "sqlite3", "perl-base", "tar", "gzip", "ncurses-base", "libgnutls30", "krb5",
            "golang.org/x/net", "golang.org/x/crypto", "github.com/gin-gonic/gin", "log4j-core", "jackson-databind",
            "urllib3", "requests", "lodash", "express"]


def text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words))


def hexdigest(rng):
    return "%064x" % rng.getrandbits(256)


def cve(rng):
    return "CVE-%d-%d" % (rng.randint(2015, 2025), rng.randint(1000, 59999))


def image_name(i):
    registries = ["docker.io/library", "ghcr.io/acme", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team",
                  "registry.example.com:5000/platform", "quay.io/prometheus"]
    return "%s/svc-%04d" % (registries[i % len(registries)], i), "1.%d.%d" % (i % 17, i % 5)


def vuln_common(rng):
    pkg = rng.choice(PACKAGES)
    return {
        "id": cve(rng), "pkg": pkg, "installed": "%d.%d.%d-r%d" % (rng.randint(0, 3), rng.randint(0, 30), rng.randint(0, 9), rng.randint(0, 5)),
        "fixed": "" if rng.random() < 0.3 else "%d.%d.%d" % (rng.randint(0, 3), rng.randint(0, 30), rng.randint(10, 19)),
        "severity": rng.choice(SEVERITIES), "score": round(rng.uniform(1, 10), 1),
        "title": text(rng, 8), "description": text(rng, rng.randint(30, 90)),
    }


def trivy(rng, repo, tag, digest, m):
    vulns = []
    for _ in range(m):
        v = vuln_common(rng)
        vulns.append({
            "VulnerabilityID": v["id"], "PkgID": "%s@%s" % (v["pkg"], v["installed"]), "PkgName": v["pkg"],
            "PkgIdentifier": {"PURL": "pkg:deb/debian/%s@%s?arch=amd64&distro=debian-12.9" % (v["pkg"], v["installed"]), "UID": "%016x" % rng.getrandbits(64)},
            "InstalledVersion": v["installed"], "FixedVersion": v["fixed"], "Status": "fixed" if v["fixed"] else "affected",
            "Layer": {"Digest": "sha256:" + hexdigest(rng), "DiffID": "sha256:" + hexdigest(rng)},
            "SeveritySource": "nvd", "PrimaryURL": "https://avd.aquasec.com/nvd/" + v["id"].lower(),
            "DataSource": {"ID": "debian", "Name": "Debian Security Tracker", "URL": "https://salsa.debian.org/security-tracker-team/security-tracker"},
            "Title": v["title"], "Description": v["description"], "Severity": v["severity"], "CweIDs": ["CWE-%d" % rng.randint(20, 900)],
            "VendorSeverity": {"nvd": rng.randint(1, 4), "debian": rng.randint(1, 4)},
            "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": v["score"]}},
            "References": ["https://nvd.nist.gov/vuln/detail/" + v["id"], "https://security-tracker.debian.org/tracker/" + v["id"],
                           "https://www.openwall.com/lists/oss-security/%d" % rng.randint(1, 99999)],
            "PublishedDate": "2023-10-10T14:15:10.883Z", "LastModifiedDate": "2024-08-14T19:57:18.817Z",
        })
    return {
        "SchemaVersion": 2, "CreatedAt": "2025-03-14T09:12:44Z", "ArtifactName": "%s:%s" % (repo, tag), "ArtifactType": "container_image",
        "Metadata": {"OS": {"Family": "debian", "Name": "12.9"}, "ImageID": "sha256:" + hexdigest(rng),
                     "DiffIDs": ["sha256:" + hexdigest(rng) for _ in range(5)], "RepoTags": ["%s:%s" % (repo, tag)],
                     "RepoDigests": ["%s@sha256:%s" % (repo, digest)],
                     "ImageConfig": {"architecture": "amd64", "os": "linux", "config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin"]}}},
        "Results": [{"Target": "%s:%s (debian 12.9)" % (repo, tag), "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": vulns}],
    }


def grype(rng, repo, tag, digest, m):
    matches = []
    for _ in range(m):
        v = vuln_common(rng)
        matches.append({
            "vulnerability": {"id": v["id"], "dataSource": "https://security-tracker.debian.org/tracker/" + v["id"],
                              "namespace": "debian:distro:debian:12", "severity": v["severity"].capitalize(), "urls": [],
                              "description": v["description"],
                              "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                                        "metrics": {"baseScore": v["score"], "exploitabilityScore": 3.9, "impactScore": 5.9}, "vendorMetadata": {}}],
                              "fix": {"versions": [v["fixed"]] if v["fixed"] else [], "state": "fixed" if v["fixed"] else "not-fixed"}, "advisories": []},
            "relatedVulnerabilities": [{"id": v["id"], "dataSource": "https://nvd.nist.gov/vuln/detail/" + v["id"], "namespace": "nvd:cpe",
                                        "severity": v["severity"].capitalize(), "urls": ["https://nvd.nist.gov/vuln/detail/" + v["id"]],
                                        "description": v["description"],
                                        "cvss": [{"source": "nvd@nist.gov", "type": "Primary", "version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                                                  "metrics": {"baseScore": v["score"], "exploitabilityScore": 3.9, "impactScore": 5.9}, "vendorMetadata": {}}]}],
            "matchDetails": [{"type": "exact-indirect-match", "matcher": "dpkg-matcher",
                              "searchedBy": {"distro": {"type": "debian", "version": "12"}, "namespace": "debian:distro:debian:12", "package": {"name": v["pkg"], "version": v["installed"]}},
                              "found": {"versionConstraint": "< %s (deb)" % (v["fixed"] or "9"), "vulnerabilityID": v["id"]}}],
            "artifact": {"id": "%016x" % rng.getrandbits(64), "name": v["pkg"], "version": v["installed"], "type": "deb",
                         "locations": [{"path": "/var/lib/dpkg/status", "layerID": "sha256:" + hexdigest(rng)}], "language": "", "licenses": ["GPL-2.0"],
                         "cpes": ["cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*" % (v["pkg"], v["pkg"], v["installed"])],
                         "purl": "pkg:deb/debian/%s@%s?arch=amd64&distro=debian-12" % (v["pkg"], v["installed"]), "upstreams": []},
        })
    return {"matches": matches,
            "source": {"type": "image", "target": {"userInput": "%s:%s" % (repo, tag), "imageID": "sha256:" + hexdigest(rng),
                                                   "manifestDigest": "sha256:" + hexdigest(rng), "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                                   "tags": ["%s:%s" % (repo, tag)], "imageSize": 123456789,
                                                   "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + hexdigest(rng), "size": 1234567} for _ in range(5)],
                                                   "repoDigests": ["%s@sha256:%s" % (repo, digest)], "architecture": "amd64", "os": "linux"}},
            "distro": {"name": "debian", "version": "12", "idLike": []},
            "descriptor": {"name": "grype", "version": "0.74.0", "db": {"built": "2025-03-14T01:26:43Z", "schemaVersion": 5}}}


def cyclonedx(rng, repo, tag, digest, m):
    components, vulns = [], []
    for i in range(m):
        v = vuln_common(rng)
        ref = "pkg:deb/debian/%s@%s?arch=amd64&distro=debian-12.9&n=%d" % (v["pkg"], v["installed"], i)
        components.append({"bom-ref": ref, "type": "library", "name": v["pkg"], "version": v["installed"], "purl": ref,
                           "properties": [{"name": "aquasecurity:trivy:PkgType", "value": "debian"}]})
        vulns.append({"id": v["id"], "source": {"name": "debian", "url": "https://salsa.debian.org/security-tracker-team/security-tracker"},
                      "ratings": [{"source": {"name": "nvd"}, "score": v["score"], "severity": v["severity"].lower(), "method": "CVSSv31",
                                   "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
                      "cwes": [rng.randint(20, 900)], "description": v["description"],
                      "advisories": [{"url": "https://avd.aquasec.com/nvd/" + v["id"].lower()}],
                      "published": "2023-10-10T14:15:10+00:00", "updated": "2024-08-14T19:57:18+00:00",
                      "affects": [{"ref": ref, "versions": [{"version": v["installed"], "status": "affected"}]}]})
    name = repo.rsplit("/", 1)[1]
    purl = "pkg:oci/%s@sha256%%3A%s?arch=amd64&repository_url=%s&tag=%s" % (name, digest, repo.replace("/", "%2F").replace(":", "%3A"), tag)
    return {"$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json", "bomFormat": "CycloneDX", "specVersion": "1.5",
            "serialNumber": "urn:uuid:%08x-0000-4000-8000-%012x" % (rng.getrandbits(32), rng.getrandbits(48)), "version": 1,
            "metadata": {"timestamp": "2025-03-14T09:20:11+00:00", "component": {"bom-ref": purl, "type": "container", "name": "%s:%s" % (repo, tag), "purl": purl}},
            "components": components, "vulnerabilities": vulns}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--cves", type=int, default=150, help="vulnerabilities per image")
    parser.add_argument("--out", default="/tmp/kspm-vulns")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--feeds", action="store_true", help="also write feeds/ (EPSS csv.gz, CISA KEV json)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    total = 0
    writers = [("trivy", trivy, 2), ("grype", grype, 1), ("cdx", cyclonedx, 2)]  # indent as the tools write it
    for i in range(args.images):
        repo, tag = image_name(i)
        kind, make, indent = writers[i % len(writers)]
        doc = make(rng, repo, tag, hexdigest(rng), args.cves)
        path = os.path.join(args.out, "%04d-%s.json" % (i, kind))
        with open(path, "w") as f:
            json.dump(doc, f, indent=indent)
        total += os.path.getsize(path)
    print("%d files, %d images x %d vulnerabilities, %.1f MB in %s" % (args.images, args.images, args.cves, total / 1e6, args.out))
    if args.feeds:
        # A FIRST EPSS feed (gzip, ~all CVE ids of the generator's range) and a CISA KEV catalog.
        feeds = os.path.join(args.out, "feeds")
        os.makedirs(feeds, exist_ok=True)
        with gzip.open(os.path.join(feeds, "epss_scores-2025-03-14.csv.gz"), "wt") as f:
            f.write("#model_version:v2025.03.14,score_date:2025-03-14T00:00:00+0000\ncve,epss,percentile\n")
            for year in range(2015, 2026):
                for n in range(1000, 60000, 3):
                    f.write("CVE-%d-%d,%.5f,%.5f\n" % (year, n, rng.random() ** 4, rng.random()))
        kev = [{"cveID": cve(rng), "vendorProject": "Vendor", "product": "Product", "vulnerabilityName": text(rng, 6),
                "dateAdded": "2024-01-01", "shortDescription": text(rng, 30), "requiredAction": "Apply mitigations per vendor instructions.",
                "dueDate": "2024-01-22", "knownRansomwareCampaignUse": rng.choice(["Known", "Unknown"]), "notes": "", "cwes": ["CWE-787"]}
               for _ in range(1300)]
        with open(os.path.join(feeds, "known_exploited_vulnerabilities.json"), "w") as f:
            json.dump({"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2025.03.13",
                       "dateReleased": "2025-03-13T17:02:16.6436Z", "count": len(kev), "vulnerabilities": kev}, f, indent=2)
        print("feeds in %s" % feeds)


if __name__ == "__main__":
    main()
