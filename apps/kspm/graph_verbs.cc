// kspm paths / kspm graph export: the security graph (include/kspm/graph.h). Output shapes:
// docs/graph.md.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "checks/common/pod_spec.h"
#include "kspm/cli.h"
#include "kspm/graph.h"
#include "kspm/graph_report.h"
#include "kspm/ingest.h"
#include "kspm/vulns.h"

namespace kspm::cli {
namespace {

constexpr const char* kPathsHelp =
    "Usage: kspm paths [flags] PATH... | -\n"
    "\n"
    "Attack paths through the security graph of the manifests: from entry points (the internet, a\n"
    "compromised pod, an identity) to crown jewels (cluster-admin, node root, secrets), each step with its\n"
    "technique (KubeHound's IDs and kspm's own, docs/graph.md), its likelihood and its evidence. For each\n"
    "source and target: the k shortest and the k likeliest simple paths.\n"
    "\n"
    "Flags:\n"
    "      --from SOURCE      internet (default), any-pod, pod:NS/NAME (or NS/KIND/NAME),\n"
    "                         identity:sa:NS:NAME, identity:user:NAME, identity:group:NAME, or a vertex name\n"
    "                         (\"ServiceAccount shop/api\", see kspm graph export); repeatable\n"
    "      --to TARGET        crown-jewels (default), cluster-admin, node, secrets, or a vertex name; repeatable\n"
    "  -k N                   paths per source, target and ranking (default 3)\n"
    "      --max-expansions N cap on search work (default 2000000); the answer says when it was hit\n"
    "      --vulns FILE       a vulnerability report: trivy image/k8s JSON, grype JSON, CycloneDX (repeatable);\n"
    "                         without one, no image counts as exploitable\n"
    "      --vex FILE         OpenVEX or CycloneDX VEX: not_affected vulnerabilities are removed (repeatable)\n"
    "      --kev FILE         CISA known exploited vulnerabilities JSON\n"
    "      --epss FILE        FIRST EPSS CSV (gzipped or not)\n"
    "      --secret-namespace NS  only the secrets of NS are crown jewels (repeatable; default: every\n"
    "                         namespace's)\n"
    "      --cloud-iam FILE   `aws iam get-account-authorization-details` JSON: admin-equivalent IAM roles and\n"
    "                         users become the crown jewel \"cloud admin\"\n"
    "      --no-bootstrap-rbac  leave out the roles and bindings every cluster has\n"
    "      --default-namespace NS  namespace for objects without metadata.namespace\n"
    "      --max-document-bytes N  largest YAML/JSON document accepted (default 67108864; a cluster dump\n"
    "                         as one List of 50,000 pods is ~165 MB)\n"
    "  -o, --output FORMAT    table (default), json or dot (the paths found, for `dot -Tsvg`)\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit codes: 0 the answer was written; 2 usage error; 3 some input could not be read (the rest was\n"
    "used); 4 the answer could not be written.\n";

constexpr const char* kGraphHelp =
    "Usage: kspm graph export [flags] PATH... | -\n"
    "\n"
    "Writes the whole security graph: every vertex (kind, name, namespace, crown jewel) and every edge\n"
    "(technique, MITRE ATT&CK ID, likelihood, evidence).\n"
    "\n"
    "Flags:\n"
    "  -o, --output FORMAT    json (default), dot (Graphviz), graphml (Gephi, yEd) or cypher (Neo4j)\n"
    "      --vulns FILE, --vex FILE, --kev FILE, --epss FILE, --cloud-iam FILE, --no-bootstrap-rbac,\n"
    "      --default-namespace NS\n"
    "                         as for kspm paths\n"
    "  -h, --help             this help\n";

struct GraphInput {
  std::string format;
  IngestOptions ingest;
  graph::BuildOptions build;
  std::vector<std::string> vulns, vex;
  std::string kev, epss, cloud_iam;
};

bool takeGraphFlag(Args& args, GraphInput* input, std::string* value, std::string* error) {
  if (args.flag({"-o", "--output"}, value, error)) {
    input->format = *value;
    return true;
  }
  if (args.flag({"--default-namespace"}, value, error)) {
    input->ingest.default_namespace = *value;
    return true;
  }
  if (args.flag({"--vulns"}, value, error)) {
    input->vulns.push_back(*value);
    return true;
  }
  if (args.flag({"--vex"}, value, error)) {
    input->vex.push_back(*value);
    return true;
  }
  if (args.flag({"--kev"}, value, error)) {
    input->kev = *value;
    return true;
  }
  if (args.flag({"--epss"}, value, error)) {
    input->epss = *value;
    return true;
  }
  if (args.flag({"--cloud-iam"}, value, error)) {
    input->cloud_iam = *value;
    return true;
  }
  if (args.flag({"--secret-namespace"}, value, error)) {
    input->build.secret_namespaces.push_back(*value);
    return true;
  }
  if (args.flag({"--max-document-bytes"}, value, error)) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(value->c_str(), &end, 10);
    if (error->empty() && (value->empty() || *end != '\0' || n == 0)) *error = "--max-document-bytes takes a positive number";
    input->ingest.limits.max_document_bytes = n;
    return true;
  }
  if (args.boolFlag({"--no-bootstrap-rbac"})) {
    input->build.bootstrap_rbac = false;
    return true;
  }
  return false;
}

/** Loads the vulnerability inputs; errors go to stderr. Returns false when any failed. */
bool loadVulns(const GraphInput& input, vulns::Database* db, const char* verb) {
  bool ok = true;
  auto report = [&](const auto& result) {
    if (!result.ok()) {
      std::fprintf(stderr, "kspm %s: %s\n", verb, describeInputError(result.error()).c_str());
      ok = false;
    }
  };
  for (const std::string& f : input.vulns) report(db->loadReport(f));
  for (const std::string& f : input.vex) report(db->loadVex(f));
  if (!input.kev.empty()) report(db->loadKev(input.kev));
  if (!input.epss.empty()) report(db->loadEpss(input.epss));
  return ok;
}

/** Reports that matched no container image of the input, as notes ("" when none or no reports). */
std::vector<std::string> unmatchedReports(const vulns::Database& db, const ObjectSet& objects) {
  std::vector<std::string> out;
  if (db.images().empty()) return out;
  for (const vulns::ImageReport* r : db.unmatched(checks::containerImages(objects))) {
    out.push_back(r->name + " (" + r->source + ")");
  }
  return out;
}

/** Loads --cloud-iam into the build options; errors go to stderr. */
bool loadCloudIam(GraphInput* input, const char* verb) {
  if (input->cloud_iam.empty()) return true;
  auto admins = graph::loadAwsAdminPrincipals(input->cloud_iam);
  if (!admins.ok()) {
    std::fprintf(stderr, "kspm %s: %s\n", verb, describeInputError(admins.error()).c_str());
    return false;
  }
  input->build.cloud_admin_arns = admins.value();
  return true;
}

int finish(const char* verb, const std::string& text, const ObjectSet& objects, bool vulns_ok) {
  bool failed = std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0;
  for (const InputError& e : objects.errors()) std::fprintf(stderr, "kspm %s: %s\n", verb, describeInputError(e).c_str());
  if (failed) {
    std::fprintf(stderr, "kspm %s: writing the answer failed\n", verb);
    return kExitOutput;
  }
  return objects.errors().empty() && vulns_ok ? kExitOk : kExitInputErrors;
}

/** Resolves --from/--to names to vertices. */
bool resolve(const graph::Graph& g, const std::string& text, bool source, std::vector<uint32_t>* out, std::string* error) {
  auto by_kind = [&](graph::VertexKind kind, bool jewels_only) {
    for (uint32_t v = 0; v < g.vertices().size(); ++v) {
      const graph::Vertex& x = g.vertices()[v];
      if ((jewels_only ? x.jewel : x.kind == kind)) out->push_back(v);
    }
  };
  if (source && text == "internet") {
    out->push_back(g.internet());
    return true;
  }
  if (source && text == "any-pod") {
    by_kind(graph::VertexKind::kWorkload, false);
    return true;
  }
  if (!source && text == "crown-jewels") {
    by_kind(graph::VertexKind::kCrownJewel, true);
    return true;
  }
  if (!source && text == "secrets") {
    for (uint32_t v = 0; v < g.vertices().size(); ++v) {
      if (g.vertices()[v].jewel && g.vertices()[v].name.starts_with("secrets")) out->push_back(v);
    }
    return true;
  }
  std::string name = text;
  // identity:sa:NS:NAME (or serviceaccount:), identity:user:NAME, identity:group:NAME.
  if (text.starts_with("identity:")) {
    std::string rest = text.substr(9);
    auto after = [&](std::string_view prefix) { return rest.substr(prefix.size()); };
    if (rest.starts_with("sa:") || rest.starts_with("serviceaccount:")) {
      std::string ns_name = after(rest.starts_with("sa:") ? "sa:" : "serviceaccount:");
      size_t colon = ns_name.find(':');
      if (colon == std::string::npos) {
        *error = "\"" + text + "\": give identity:sa:NAMESPACE:NAME";
        return false;
      }
      name = "ServiceAccount " + ns_name.substr(0, colon) + "/" + ns_name.substr(colon + 1);
    } else if (rest.starts_with("user:")) {
      name = "User " + after("user:");
    } else if (rest.starts_with("group:")) {
      name = "Group " + after("group:");
    } else {
      *error = "\"" + text + "\": give identity:sa:NS:NAME, identity:user:NAME or identity:group:NAME";
      return false;
    }
  }
  if (text.starts_with("pod:")) {
    name = text.substr(4);
    std::vector<uint32_t> found;
    for (uint32_t v = 0; v < g.vertices().size(); ++v) {
      const graph::Vertex& x = g.vertices()[v];
      if (x.kind != graph::VertexKind::kWorkload) continue;
      // NS/KIND/NAME exactly, or NS/NAME with any kind.
      size_t first = name.find('/');
      std::string ns = first == std::string::npos ? "" : name.substr(0, first);
      std::string rest = first == std::string::npos ? name : name.substr(first + 1);
      if (x.name == name ||
          (rest.find('/') == std::string::npos && x.ns == ns && x.name.size() > rest.size() &&
           x.name.compare(x.name.size() - rest.size() - 1, std::string::npos, "/" + rest) == 0)) {
        found.push_back(v);
      }
    }
    if (found.size() != 1) {
      *error = found.empty() ? "no workload " + name + " in the input" : "\"" + name + "\" names several workloads: give NS/KIND/NAME";
      return false;
    }
    out->push_back(found[0]);
    return true;
  }
  if (auto v = g.find(name)) {
    out->push_back(*v);
    return true;
  }
  *error = "no vertex \"" + text + "\" (see kspm graph export)";
  return false;
}

int pathsVerb(int argc, char** argv) {
  Args args(argc, argv, 2);
  GraphInput input;
  input.format = "table";
  std::vector<std::string> paths, from, to;
  std::string value, error;
  graph::PathQuery query;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kPathsHelp, stdout);
      return kExitOk;
    }
    if (takeGraphFlag(args, &input, &value, &error)) {
    } else if (args.flag({"--from"}, &value, &error)) {
      from.push_back(value);
    } else if (args.flag({"--to"}, &value, &error)) {
      to.push_back(value);
    } else if (args.flag({"-k"}, &value, &error)) {
      query.k = static_cast<uint32_t>(std::max(0, std::atoi(value.c_str())));
      if (error.empty() && (query.k < 1 || query.k > 100)) error = "-k must be 1-100";
    } else if (args.flag({"--max-expansions"}, &value, &error)) {
      long long n = std::atoll(value.c_str());
      if (error.empty() && n < 1) error = "--max-expansions must be a positive number";
      query.max_expansions = static_cast<uint32_t>(std::min<long long>(n, 4'000'000'000LL));
    } else if (args.peek() != "-" && args.peek().starts_with("-")) {
      return usageError("paths", "unknown flag " + args.peek());
    } else {
      paths.push_back(args.next());
    }
    if (!error.empty()) return usageError("paths", error);
  }
  if (input.format != "table" && input.format != "json" && input.format != "dot") {
    return usageError("paths", "unknown output format \"" + input.format + "\" (table, json or dot)");
  }
  if (paths.empty()) return usageError("paths", "no input: give files, directories, or - for standard input");
  if (from.empty()) from.push_back("internet");
  if (to.empty()) to.push_back("crown-jewels");

  vulns::Database db;
  bool vulns_ok = loadVulns(input, &db, "paths") & loadCloudIam(&input, "paths");
  if (!input.vulns.empty() || !input.kev.empty() || !input.epss.empty() || !input.vex.empty()) input.build.vulns = &db;
  ObjectSet objects = ingestPaths(paths, input.ingest);
  std::unique_ptr<graph::Graph> g = graph::Graph::build(objects, input.build);
  for (const std::string& f : from) {
    if (!resolve(*g, f, true, &query.sources, &error)) return usageError("paths", error);
  }
  // "any-pod" alone: one search from every workload at once (the k best paths per target, whatever
  // the pod); mixed with other sources, each source is searched on its own.
  query.combine_sources = from.size() == 1 && from[0] == "any-pod";
  for (const std::string& t : to) {
    if (t == "crown-jewels" && to.size() == 1) break;  // the default: every crown jewel
    if (!resolve(*g, t, false, &query.targets, &error)) return usageError("paths", error);
  }
  graph::PathAnswer answer = graph::findPaths(*g, query);
  answer.unmatched_reports = unmatchedReports(db, objects);
  if (input.build.vulns != nullptr) {
    answer.data_sources.emplace_back("vulnerability_reports", std::to_string(db.images().size()));
    if (!input.kev.empty()) {
      answer.data_sources.emplace_back("kev_catalog_version", db.kevInfo().catalog_version);
      answer.data_sources.emplace_back("kev_entries", std::to_string(db.kevInfo().entries));
    }
    if (!input.epss.empty()) {
      answer.data_sources.emplace_back("epss_model_version", db.epssInfo().model_version);
      answer.data_sources.emplace_back("epss_score_date", db.epssInfo().score_date);
    }
  }
  std::string text;
  if (input.format == "json") {
    text = graph::pathsJson(*g, objects, answer);
  } else if (input.format == "dot") {
    std::vector<uint32_t> edges;
    for (const graph::PathResult& r : answer.results) {
      for (const auto* list : {&r.shortest, &r.riskiest}) {
        for (const graph::Path& p : *list) edges.insert(edges.end(), p.edges.begin(), p.edges.end());
      }
    }
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    text = graph::graphDot(*g, &edges);
  } else {
    text = graph::pathsTable(*g, answer);
  }
  return finish("paths", text, objects, vulns_ok);
}

int runGraphExport(int argc, char** argv) {
  Args args(argc, argv, 3);
  GraphInput input;
  input.format = "json";
  std::vector<std::string> paths;
  std::string value, error;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kGraphHelp, stdout);
      return kExitOk;
    }
    if (takeGraphFlag(args, &input, &value, &error)) {
    } else if (args.peek() != "-" && args.peek().starts_with("-")) {
      return usageError("graph export", "unknown flag " + args.peek());
    } else {
      paths.push_back(args.next());
    }
    if (!error.empty()) return usageError("graph export", error);
  }
  if (input.format != "json" && input.format != "dot" && input.format != "graphml" && input.format != "cypher") {
    return usageError("graph export", "unknown output format \"" + input.format + "\" (json, dot, graphml or cypher)");
  }
  if (paths.empty()) return usageError("graph export", "no input: give files, directories, or - for standard input");
  vulns::Database db;
  bool vulns_ok = loadVulns(input, &db, "graph export") & loadCloudIam(&input, "graph export");
  if (!input.vulns.empty() || !input.kev.empty() || !input.epss.empty() || !input.vex.empty()) input.build.vulns = &db;
  ObjectSet objects = ingestPaths(paths, input.ingest);
  std::unique_ptr<graph::Graph> g = graph::Graph::build(objects, input.build);
  std::string text = input.format == "dot"       ? graph::graphDot(*g)
                     : input.format == "graphml" ? graph::graphGraphml(*g)
                     : input.format == "cypher"  ? graph::graphCypher(*g)
                                                 : graph::graphJson(*g, objects);
  return finish("graph export", text, objects, vulns_ok);
}


constexpr const char* kBlastHelp =
    "Usage: kspm blast-radius --from SOURCE [flags] PATH... | -\n"
    "\n"
    "Everything an attacker holding SOURCE can reach through the security graph, summarised: the crown\n"
    "jewels with the likelihood of the likeliest path and its steps, then counts and the likeliest of each\n"
    "kind (workloads, identities, permission sets, secrets, cloud identities). SOURCE as for kspm paths\n"
    "--from (pod:NS/NAME, a vertex name such as \"ServiceAccount shop/api\", internet).\n"
    "\n"
    "Flags:\n"
    "      --from SOURCE      the compromised workload or identity\n"
    "      --top N            entries listed per kind (default 10)\n"
    "      --vulns FILE, --vex FILE, --kev FILE, --epss FILE, --cloud-iam FILE, --no-bootstrap-rbac,\n"
    "      --default-namespace NS   as for kspm paths\n"
    "  -o, --output FORMAT    table (default) or json\n"
    "  -h, --help             this help\n";

int blastVerb(int argc, char** argv) {
  Args args(argc, argv, 2);
  GraphInput input;
  input.format = "table";
  std::vector<std::string> paths;
  std::string value, error, from;
  size_t top = 10;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kBlastHelp, stdout);
      return kExitOk;
    }
    if (takeGraphFlag(args, &input, &value, &error)) {
    } else if (args.flag({"--from"}, &value, &error)) {
      from = value;
    } else if (args.flag({"--top"}, &value, &error)) {
      int n = std::atoi(value.c_str());
      if (error.empty() && (n < 1 || n > 10000)) error = "--top must be 1-10000";
      top = static_cast<size_t>(std::max(1, n));
    } else if (args.peek() != "-" && args.peek().starts_with("-")) {
      return usageError("blast-radius", "unknown flag " + args.peek());
    } else {
      paths.push_back(args.next());
    }
    if (!error.empty()) return usageError("blast-radius", error);
  }
  if (input.format != "table" && input.format != "json") {
    return usageError("blast-radius", "unknown output format \"" + input.format + "\" (table or json)");
  }
  if (from.empty()) return usageError("blast-radius", "give --from");
  if (paths.empty()) return usageError("blast-radius", "no input: give files, directories, or - for standard input");
  vulns::Database db;
  bool vulns_ok = loadVulns(input, &db, "blast-radius") & loadCloudIam(&input, "blast-radius");
  if (!input.vulns.empty() || !input.kev.empty() || !input.epss.empty() || !input.vex.empty()) input.build.vulns = &db;
  ObjectSet objects = ingestPaths(paths, input.ingest);
  std::unique_ptr<graph::Graph> g = graph::Graph::build(objects, input.build);
  std::vector<uint32_t> sources;
  if (!resolve(*g, from, true, &sources, &error)) return usageError("blast-radius", error);
  if (sources.size() != 1) return usageError("blast-radius", "give one source (not any-pod)");
  graph::BlastRadius radius = graph::summariseBlastRadius(*g, sources[0], top);
  std::string text = input.format == "json" ? graph::blastRadiusJson(*g, objects, radius) : graph::blastRadiusTable(*g, radius);
  return finish("blast-radius", text, objects, vulns_ok);
}

}  // namespace

int runPaths(int argc, char** argv) { return pathsVerb(argc, argv); }
int runBlastRadius(int argc, char** argv) { return blastVerb(argc, argv); }

int runGraph(int argc, char** argv) {
  std::string command = argc > 2 ? argv[2] : "";
  if (command == "export") return runGraphExport(argc, argv);
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kGraphHelp, stdout);
    return kExitOk;
  }
  std::fprintf(stderr, "kspm graph: %s\n\n%s", command.empty() ? "give a command" : ("unknown command \"" + command + "\"").c_str(),
               kGraphHelp);
  return kExitUsage;
}

}  // namespace kspm::cli
