// kspm net reach / matrix / exposure: NetworkPolicy questions to a set of manifests
// (include/kspm/netpol.h). The output shapes are documented in docs/network.md.
#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "checks/common/fields.h"
#include "kspm/cpus.h"
#include "kspm/cli.h"
#include "kspm/ingest.h"
#include "kspm/net_report.h"
#include "kspm/netpol.h"
#include "kspm/object_index.h"

namespace kspm::cli {
namespace {

constexpr const char* kNetHelp =
    "Usage: kspm net <command> [flags] PATH... | -\n"
    "\n"
    "NetworkPolicy questions to manifests, at workload granularity (Deployments, StatefulSets, DaemonSets,\n"
    "Jobs, CronJobs, bare Pods; pod labels from the pod template). Verdicts: allowed, denied, depends (the\n"
    "network plugin decides: ipBlocks that may hold pod addresses, hostNetwork pods, SNAT-ed traffic) and\n"
    "unknown (the input does not show enough: labels of namespaces it does not define, policies of other\n"
    "engines such as Calico, Cilium, AdminNetworkPolicy or Istio).\n"
    "\n"
    "Commands:\n"
    "  reach     Whether one workload (or address) can connect to another, and which policies decide it\n"
    "  matrix    Workload-to-workload connectivity, in classes of workloads that policies treat alike\n"
    "  exposure  How far each workload is exposed (internet, cluster, namespace, none) and through what\n"
    "\n"
    "Run 'kspm net <command> --help' for the flags of a command. Details: docs/network.md.\n";

constexpr const char* kSharedFlags =
    "      --pod-cidr CIDR    the cluster's pod network (repeatable); an ipBlock that may hold pod addresses\n"
    "                         makes pod-to-pod verdicts \"depends\" (default: 10/8, 172.16/12, 192.168/16,\n"
    "                         100.64/10, fc00::/7)\n"
    "      --default-namespace NS  namespace for objects without metadata.namespace (as kubectl apply -n)\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit codes: 0 the answer was written; 2 usage error; 3 some input could not be read or parsed, or a\n"
    "NetworkPolicy is invalid (it is left out; the rest was used); 4 the answer could not be written.\n";

constexpr const char* kReachHelp =
    "Usage: kspm net reach --from SOURCE --to DESTINATION [--port PORT[/PROTOCOL]] [flags] PATH... | -\n"
    "\n"
    "The verdict for connections from SOURCE to DESTINATION, and the policies and rules that decide it:\n"
    "the source's egress and the destination's ingress must both allow a connection.\n"
    "SOURCE and DESTINATION are NS/NAME or NS/KIND/NAME (a workload; NAME alone is in the unspecified\n"
    "namespace or --default-namespace), an IP address or CIDR outside the cluster, or \"internet\" (every\n"
    "public IPv4 address).\n"
    "DESTINATION may also be NS/service/NAME: traffic through a Service is judged at each backend workload,\n"
    "on the targetPort (number or name) of the Service port given by --port (number or name).\n"
    "\n"
    "Flags:\n"
    "      --from SOURCE      the client\n"
    "      --to DESTINATION   the server\n"
    "      --port PORT[/PROTOCOL]  one destination port (number, or a port name of the destination; protocol\n"
    "                         TCP, UDP or SCTP, default TCP); without it, every port\n"
    "  -o, --output FORMAT    table (default) or json\n";

constexpr const char* kMatrixHelp =
    "Usage: kspm net matrix [flags] PATH... | -\n"
    "\n"
    "The connectivity between every pair of workloads, written compactly: workloads that every policy\n"
    "treats alike form one class (c1, c2, ...), addresses outside the cluster are split into the ranges the\n"
    "ipBlocks tell apart (e1, e2, ...), and each line gives what one node may open to others. Pairs not\n"
    "listed can open nothing. A class to itself is traffic between different pods of the class.\n"
    "\n"
    "Flags:\n"
    "  -o, --output FORMAT    table (default), json or dot (Graphviz)\n"
    "      --threads N        worker threads (default: the usable CPUs)\n";

constexpr const char* kExposureHelp =
    "Usage: kspm net exposure [flags] PATH... | -\n"
    "\n"
    "For every workload: how far it is exposed (internet, cluster, namespace, none), how sure kspm is\n"
    "(exposed, potentially exposed, unknown) and every path: LoadBalancer (internal ones by their cloud\n"
    "annotation reach the private network only), NodePort and externalIPs (internet only if nodes or those\n"
    "addresses are public), Ingress and Gateway API routes, hostNetwork, hostPort and the pod network, each\n"
    "narrowed by the NetworkPolicies that select the workload.\n"
    "\n"
    "Flags:\n"
    "  -n, --namespace NS     only workloads of NS\n"
    "  -o, --output FORMAT    table (default) or json\n";

struct NetInput {
  std::string format = "table";
  IngestOptions ingest;
  netpol::BuildOptions build;
  bool pod_cidr_given = false;
};

/** Consumes a flag every net verb takes; true if it did. */
bool takeSharedFlag(Args& args, NetInput* input, std::string* value, std::string* error) {
  if (args.flag({"-o", "--output"}, value, error)) {
    input->format = *value;
    return true;
  }
  if (args.flag({"--default-namespace"}, value, error)) {
    input->ingest.default_namespace = *value;
    return true;
  }
  if (args.flag({"--pod-cidr"}, value, error)) {
    if (!error->empty()) return true;
    std::optional<netpol::IpSet> cidr = netpol::IpSet::parseCidr(*value, error);
    if (!cidr) return true;
    if (!input->pod_cidr_given) input->build.pod_networks = netpol::IpSet();
    input->pod_cidr_given = true;
    input->build.pod_networks.unite(*cidr);
    return true;
  }
  return false;
}

/** Writes the answer and reports input errors and invalid policies; returns the exit code. */
int finish(const std::string& verb, const std::string& text, const ObjectSet& objects, const netpol::Model& model) {
  bool failed = std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0;
  for (const InputError& e : objects.errors()) {
    std::fprintf(stderr, "kspm net %s: %s\n", verb.c_str(), describeInputError(e).c_str());
  }
  for (const netpol::Problem& p : model.problems()) {
    InputError e{ErrorCode::kInvalidObject, objects.pathOf(*p.object), p.line, p.message};
    std::fprintf(stderr, "kspm net %s: %s\n", verb.c_str(), describeInputError(e).c_str());
  }
  if (failed) {
    std::fprintf(stderr, "kspm net %s: writing the answer failed\n", verb.c_str());
    return kExitOutput;
  }
  return objects.errors().empty() && model.problems().empty() ? kExitOk : kExitInputErrors;
}

/** A resolved end of a reach question. */
struct End {
  std::vector<netpol::Endpoint> endpoints;  // one per workload (a Service: its backends)
  std::vector<std::string> names;
  const Object* service = nullptr;
};

bool resolveEnd(const netpol::Model& model, const std::string& text, const std::string& default_ns, bool destination,
                End* out, std::string* error) {
  if (text == "internet") {
    out->endpoints.push_back(netpol::Endpoint::ofExternal(netpol::internetAddresses(netpol::IpFamily::kV4), "internet"));
    out->names.push_back("internet");
    return true;
  }
  std::string ignored;
  if (auto address = netpol::IpSet::parseAddress(text, &ignored)) {
    out->endpoints.push_back(netpol::Endpoint::ofExternal(*address, text));
    out->names.push_back(text);
    return true;
  }
  if (auto cidr = netpol::IpSet::parseCidr(text, &ignored)) {
    out->endpoints.push_back(netpol::Endpoint::ofExternal(*cidr, text));
    out->names.push_back(text);
    return true;
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::string ns = default_ns, kind, name;
  if (parts.size() == 1) {
    name = parts[0];
  } else if (parts.size() == 2) {
    ns = parts[0];
    name = parts[1];
  } else if (parts.size() == 3) {
    ns = parts[0];
    kind = parts[1];
    name = parts[2];
  } else {
    *error = "\"" + text + "\" is not NS/NAME, NS/KIND/NAME, an address, a CIDR or \"internet\"";
    return false;
  }
  if (name.empty()) {
    *error = "\"" + text + "\" has no name";
    return false;
  }
  std::string lower = kind;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "service" || lower == "svc" || lower == "services") {
    if (!destination) {
      *error = "a Service is not a source: name the client workload";
      return false;
    }
    const Object* service = model.index().find("Service", ns, name);
    if (service == nullptr || !service->group().empty()) {
      *error = "no Service " + (ns.empty() ? "" : ns + "/") + name + " in the input";
      return false;
    }
    out->service = service;
    for (const Workload& backend : model.index().workloadsMatchingMap(ns, checks::field(service->root, {"spec", "selector"}))) {
      for (uint32_t w : model.findWorkloads(ns, backend.object->kind, backend.object->name)) {
        if (model.workloads()[w].object != backend.object) continue;
        out->endpoints.push_back(netpol::Endpoint::ofWorkload(w));
        out->names.push_back(model.workloads()[w].label());
      }
    }
    if (out->endpoints.empty()) {
      *error = "Service " + (ns.empty() ? "" : ns + "/") + name + " selects no workload of the input";
      return false;
    }
    return true;
  }
  std::vector<uint32_t> found = model.findWorkloads(ns, kind, name);
  if (found.empty()) {
    *error = "no workload " + (ns.empty() ? "" : ns + "/") + (kind.empty() ? "" : kind + "/") + name + " in the input";
    return false;
  }
  if (found.size() > 1) {
    *error = "\"" + text + "\" names several workloads (";
    for (size_t i = 0; i < found.size(); ++i) *error += (i ? ", " : "") + model.workloads()[found[i]].label();
    *error += "): give NS/KIND/NAME";
    return false;
  }
  out->endpoints.push_back(netpol::Endpoint::ofWorkload(found[0]));
  out->names.push_back(model.workloads()[found[0]].label());
  return true;
}

int runReach(int argc, char** argv) {
  Args args(argc, argv, 3);
  NetInput input;
  std::vector<std::string> paths;
  std::string value, error, from_text, to_text, port_text;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kReachHelp, stdout);
      std::fputs(kSharedFlags, stdout);
      return kExitOk;
    }
    if (takeSharedFlag(args, &input, &value, &error)) {
    } else if (args.flag({"--from"}, &value, &error)) {
      from_text = value;
    } else if (args.flag({"--to"}, &value, &error)) {
      to_text = value;
    } else if (args.flag({"--port"}, &value, &error)) {
      port_text = value;
    } else if (args.peek() != "-" && args.peek().starts_with("-")) {
      return usageError("net reach", "unknown flag " + args.peek());
    } else {
      paths.push_back(args.next());
    }
    if (!error.empty()) return usageError("net reach", error);
  }
  if (input.format != "table" && input.format != "json") {
    return usageError("net reach", "unknown output format \"" + input.format + "\" (table or json)");
  }
  if (from_text.empty() || to_text.empty()) return usageError("net reach", "give --from and --to");
  if (paths.empty()) return usageError("net reach", "no input: give files, directories, or - for standard input");
  // PORT[/PROTOCOL]: a number, or a name (of a destination container port, or of a Service port).
  netpol::Protocol protocol = netpol::Protocol::kTCP;
  std::string port_name;
  uint16_t port_number = 0;
  if (!port_text.empty()) {
    std::string port_part = port_text;
    if (size_t slash = port_text.find('/'); slash != std::string::npos) {
      auto p = netpol::parseProtocol(port_text.substr(slash + 1));
      if (!p) return usageError("net reach", "unknown protocol in --port " + port_text + " (TCP, UDP or SCTP)");
      protocol = *p;
      port_part = port_text.substr(0, slash);
    }
    if (!port_part.empty() && std::all_of(port_part.begin(), port_part.end(), ::isdigit)) {
      long n = port_part.size() <= 5 ? std::stol(port_part) : 0;
      if (n < 1 || n > 65535) return usageError("net reach", "--port " + port_text + " is not in 1-65535");
      port_number = static_cast<uint16_t>(n);
    } else if (!port_part.empty()) {
      port_name = port_part;
    } else {
      return usageError("net reach", "empty --port");
    }
  }

  ObjectSet objects = ingestPaths(paths, input.ingest);
  input.build.index = nullptr;
  std::unique_ptr<netpol::Model> model = netpol::Model::build(objects, input.build);
  End from, to;
  if (!resolveEnd(*model, from_text, input.ingest.default_namespace, false, &from, &error) ||
      !resolveEnd(*model, to_text, input.ingest.default_namespace, true, &to, &error)) {
    for (const InputError& e : objects.errors()) std::fprintf(stderr, "kspm net reach: %s\n", describeInputError(e).c_str());
    return usageError("net reach", error);
  }

  std::vector<netpol::ReachAnswer> answers;
  for (size_t f = 0; f < from.endpoints.size(); ++f) {
    for (size_t t = 0; t < to.endpoints.size(); ++t) {
      netpol::ReachAnswer answer;
      answer.question.from_name = from.names[f];
      answer.question.to_name = to.names[t];
      const netpol::Endpoint& dst = to.endpoints[t];
      const netpol::WorkloadInfo* dst_workload =
          dst.kind == netpol::Endpoint::Kind::kWorkload ? &model->workloads()[dst.workload] : nullptr;
      if (to.service != nullptr) {
        // The Service port (by number or name) and the targetPort it reaches on this backend.
        const Node* ports = checks::field(to.service->root, {"spec", "ports"});
        bool matched = false;
        if (ports != nullptr && ports->isArray()) {
          for (const Node& sp : ports->items()) {
            const Node* number = checks::field(&sp, "port");
            const Node* name = checks::field(&sp, "name");
            netpol::Protocol sp_protocol = netpol::Protocol::kTCP;
            if (const Node* p = checks::field(&sp, "protocol"); p != nullptr && p->isString()) {
              sp_protocol = netpol::parseProtocol(p->str()).value_or(netpol::Protocol::kTCP);
            }
            bool same = port_text.empty() ||
                        (port_number != 0 ? number != nullptr && number->isInt() && number->integer() == port_number
                                          : name != nullptr && name->isString() && name->str() == port_name);
            if (!same || (!port_text.empty() && port_text.find('/') != std::string::npos && sp_protocol != protocol)) continue;
            const Node* target = checks::field(&sp, "targetPort");
            if (target == nullptr) target = number;
            uint16_t resolved = 0;
            if (target != nullptr && target->isInt()) {
              resolved = static_cast<uint16_t>(target->integer());
            } else if (target != nullptr && target->isString()) {
              for (const netpol::ContainerPort& cp : dst_workload->ports) {
                if (cp.name == target->str() && cp.protocol == sp_protocol) resolved = cp.port;
              }
            }
            matched = true;
            netpol::ReachAnswer a = answer;
            std::string sp_label = checks::text(number) + "/" + std::string(netpol::protocolName(sp_protocol));
            if (resolved == 0) {
              a.question.port_note = "Service port " + sp_label + ": targetPort " + checks::text(target) +
                                     " is not a port of this backend; the connection fails whatever the policies";
            } else {
              a.question.port = std::make_pair(sp_protocol, resolved);
              a.question.port_note = "Service " + std::string(to.service->name) + " port " + sp_label + " -> targetPort " +
                                     checks::text(target) + " (" + std::to_string(resolved) + "/" +
                                     std::string(netpol::protocolName(sp_protocol)) + ") on the backend";
            }
            a.reach = model->reach(from.endpoints[f], dst);
            if (resolved == 0) a.reach.allowed = a.reach.depends = a.reach.unknown = netpol::ConnSet();
            answers.push_back(std::move(a));
          }
        }
        if (!matched) return usageError("net reach", "Service " + std::string(to.service->name) + " has no port " + port_text);
        continue;
      }
      if (!port_text.empty()) {
        uint16_t resolved = port_number;
        if (resolved == 0) {
          if (dst_workload != nullptr) {
            for (const netpol::ContainerPort& cp : dst_workload->ports) {
              if (cp.name == port_name && (port_text.find('/') == std::string::npos || cp.protocol == protocol)) {
                resolved = cp.port;
                protocol = cp.protocol;
              }
            }
          }
          if (resolved == 0) return usageError("net reach", "the destination has no port named " + port_name);
          answer.question.port_note = "port " + port_name + " of the destination is " + std::to_string(resolved) + "/" +
                                      std::string(netpol::protocolName(protocol));
        }
        answer.question.port = std::make_pair(protocol, resolved);
      }
      answer.reach = model->reach(from.endpoints[f], dst);
      answers.push_back(std::move(answer));
    }
  }
  std::string text = input.format == "json" ? netpol::reachJson(*model, answers) : netpol::reachTable(*model, answers);
  return finish("reach", text, objects, *model);
}

int runMatrix(int argc, char** argv) {
  Args args(argc, argv, 3);
  NetInput input;
  std::vector<std::string> paths;
  std::string value, error;
  int threads = static_cast<int>(usableCpuCount());
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kMatrixHelp, stdout);
      std::fputs(kSharedFlags, stdout);
      return kExitOk;
    }
    if (takeSharedFlag(args, &input, &value, &error)) {
    } else if (args.flag({"--threads"}, &value, &error)) {
      if (error.empty()) {
        threads = std::atoi(value.c_str());
        if (threads < 1 || threads > 256) error = "--threads must be 1-256";
      }
    } else if (args.peek() != "-" && args.peek().starts_with("-")) {
      return usageError("net matrix", "unknown flag " + args.peek());
    } else {
      paths.push_back(args.next());
    }
    if (!error.empty()) return usageError("net matrix", error);
  }
  if (input.format != "table" && input.format != "json" && input.format != "dot") {
    return usageError("net matrix", "unknown output format \"" + input.format + "\" (table, json or dot)");
  }
  if (paths.empty()) return usageError("net matrix", "no input: give files, directories, or - for standard input");
  input.ingest.threads = static_cast<unsigned>(threads);
  ObjectSet objects = ingestPaths(paths, input.ingest);
  std::unique_ptr<netpol::Model> model = netpol::Model::build(objects, input.build);
  netpol::Matrix matrix = netpol::computeMatrix(*model, threads);
  std::string text = input.format == "json"  ? netpol::matrixJson(*model, matrix)
                     : input.format == "dot" ? netpol::matrixDot(*model, matrix)
                                             : netpol::matrixTable(*model, matrix);
  return finish("matrix", text, objects, *model);
}

int runExposure(int argc, char** argv) {
  Args args(argc, argv, 3);
  NetInput input;
  std::vector<std::string> paths;
  std::string value, error, only_ns;
  bool ns_given = false;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kExposureHelp, stdout);
      std::fputs(kSharedFlags, stdout);
      return kExitOk;
    }
    if (takeSharedFlag(args, &input, &value, &error)) {
    } else if (args.flag({"-n", "--namespace"}, &value, &error)) {
      only_ns = value;
      ns_given = true;
    } else if (args.peek() != "-" && args.peek().starts_with("-")) {
      return usageError("net exposure", "unknown flag " + args.peek());
    } else {
      paths.push_back(args.next());
    }
    if (!error.empty()) return usageError("net exposure", error);
  }
  if (input.format != "table" && input.format != "json") {
    return usageError("net exposure", "unknown output format \"" + input.format + "\" (table or json)");
  }
  if (paths.empty()) return usageError("net exposure", "no input: give files, directories, or - for standard input");
  ObjectSet objects = ingestPaths(paths, input.ingest);
  std::unique_ptr<netpol::Model> model = netpol::Model::build(objects, input.build);
  std::vector<netpol::Exposure> exposure = netpol::computeExposure(*model);
  if (ns_given) {
    std::erase_if(exposure, [&](const netpol::Exposure& e) { return model->workloads()[e.workload].ns != only_ns; });
  }
  std::string text = input.format == "json" ? netpol::exposureJson(*model, exposure) : netpol::exposureTable(*model, exposure);
  return finish("exposure", text, objects, *model);
}

}  // namespace

int runNet(int argc, char** argv) {
  std::string command = argc > 2 ? argv[2] : "";
  if (command == "reach") return runReach(argc, argv);
  if (command == "matrix") return runMatrix(argc, argv);
  if (command == "exposure") return runExposure(argc, argv);
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kNetHelp, stdout);
    return kExitOk;
  }
  std::fprintf(stderr, "kspm net: %s\n\n%s", command.empty() ? "give a command" : ("unknown command \"" + command + "\"").c_str(),
               kNetHelp);
  return kExitUsage;
}

}  // namespace kspm::cli
