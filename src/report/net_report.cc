// Table, JSON and dot output of kspm net reach / matrix / exposure.
#include "kspm/net_report.h"

#include <algorithm>
#include <string>

#include "report/report_common.h"

namespace kspm::netpol {

namespace {

using report::JsonWriter;
using report::writeKey;
using report::writeString;

std::string conn(const ConnSet& set) { return set.toString(); }

std::string classId(size_t i) { return "c" + std::to_string(i + 1); }
std::string externalId(size_t i) { return "e" + std::to_string(i + 1); }
std::string nodeId(const Matrix::NodeRef& n) { return n.external ? externalId(n.index) : classId(n.index); }

std::string ruleName(const Model& model, const RuleEffect& e, bool egress) {
  return model.policies()[e.policy].label() + (egress ? " egress[" : " ingress[") + std::to_string(e.rule) + "]";
}

std::string portText(const std::pair<Protocol, uint16_t>& port) {
  return std::to_string(port.second) + "/" + std::string(protocolName(port.first));
}

Verdict verdictOf(const ReachAnswer& a) {
  if (a.question.port) return a.reach.verdictFor(a.question.port->first, a.question.port->second);
  if (!a.reach.allowed.empty()) return Verdict::kAllowed;
  if (!a.reach.unknown.empty()) return Verdict::kUnknown;
  if (!a.reach.depends.empty()) return Verdict::kDepends;
  return Verdict::kDenied;
}

/** One direction in words; with a port, only the rules that bear on it. */
void directionText(std::string& out, const Model& model, const DirectionResult& d, bool egress, const std::string& who,
                   const std::optional<std::pair<Protocol, uint16_t>>& port) {
  std::string dir = egress ? "egress" : "ingress";
  if (!d.judged) {
    out += "  " + dir + ": " + who + " is outside the cluster; no NetworkPolicy governs it\n";
    return;
  }
  if (!d.isolated) {
    out += "  " + dir + " of " + who + ": not isolated (no NetworkPolicy selects it for " + dir + "): everything allowed\n";
  } else {
    out += "  " + dir + " of " + who + ": isolated by ";
    for (size_t i = 0; i < d.selecting.size(); ++i) out += (i ? ", " : "") + model.policies()[d.selecting[i]].label();
    out += "\n";
    size_t shown = 0;
    for (const RuleEffect& e : d.effects) {
      if (port && !e.connections.contains(port->first, port->second)) continue;
      ++shown;
      out += "    " + ruleName(model, e, egress) + " " + std::string(verdictName(e.effect)) + ": " + conn(e.connections);
      if (!e.reason.empty()) out += " (" + e.reason + ")";
      out += "\n";
    }
    if (shown == 0) out += port ? "    no rule admits this peer on this port\n" : "    no rule admits this peer\n";
    if (shown < d.effects.size()) {
      out += "    (" + std::to_string(d.effects.size() - shown) + " more rule(s) admit this peer on other ports)\n";
    }
  }
  for (const std::string& n : d.notes) {
    if (d.isolated || n.find("no NetworkPolicy") == std::string::npos) out += "    note: " + n + "\n";
  }
}

void connJson(JsonWriter& w, const ConnSet& allowed, const ConnSet& depends, const ConnSet& unknown) {
  writeKey(w, "allowed");
  writeString(w, conn(allowed));
  writeKey(w, "depends");
  writeString(w, conn(depends));
  writeKey(w, "unknown");
  writeString(w, conn(unknown));
}

void policyRef(JsonWriter& w, const Model& model, uint32_t p) {
  const Policy& policy = model.policies()[p];
  w.StartObject();
  writeKey(w, "namespace");
  writeString(w, policy.ns);
  writeKey(w, "name");
  writeString(w, policy.name);
  writeKey(w, "file");
  writeString(w, model.objects().pathOf(*policy.object));
  writeKey(w, "line");
  w.Uint(policy.object->line);
  w.EndObject();
}

void directionJson(JsonWriter& w, const Model& model, const DirectionResult& d, bool egress) {
  w.StartObject();
  writeKey(w, "judged");
  w.Bool(d.judged);
  writeKey(w, "isolated");
  w.Bool(d.isolated);
  writeKey(w, "policies");
  w.StartArray();
  for (uint32_t p : d.selecting) policyRef(w, model, p);
  w.EndArray();
  connJson(w, d.allowed, d.depends, d.unknown);
  writeKey(w, "rules");
  w.StartArray();
  for (const RuleEffect& e : d.effects) {
    const Policy& policy = model.policies()[e.policy];
    const PolicyRule& rule = (egress ? policy.egress : policy.ingress)[e.rule];
    w.StartObject();
    writeKey(w, "policy");
    writeString(w, policy.label());
    writeKey(w, "rule");
    writeString(w, std::string(egress ? "egress[" : "ingress[") + std::to_string(e.rule) + "]");
    writeKey(w, "line");
    w.Uint(rule.line);
    writeKey(w, "effect");
    writeString(w, verdictName(e.effect));
    writeKey(w, "connections");
    writeString(w, conn(e.connections));
    if (!e.reason.empty()) {
      writeKey(w, "reason");
      writeString(w, e.reason);
    }
    w.EndObject();
  }
  w.EndArray();
  writeKey(w, "notes");
  w.StartArray();
  for (const std::string& n : d.notes) writeString(w, n);
  w.EndArray();
  w.EndObject();
}

std::string memberList(const Model& model, const Matrix::Class& c) {
  std::string out;
  for (size_t i = 0; i < c.workloads.size(); ++i) out += (i ? ", " : "") + model.workloads()[c.workloads[i]].label();
  return out;
}

std::string dotEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string reachTable(const Model& model, const std::vector<ReachAnswer>& answers) {
  std::string out;
  for (const ReachAnswer& a : answers) {
    if (!out.empty()) out += "\n";
    out += "FROM     " + a.question.from_name + "\n";
    out += "TO       " + a.question.to_name + "\n";
    if (a.question.port) out += "PORT     " + portText(*a.question.port) + "\n";
    if (!a.question.port_note.empty()) out += "         " + a.question.port_note + "\n";
    out += "VERDICT  " + std::string(verdictName(verdictOf(a))) + "\n";
    if (!a.question.port) {
      out += "  allowed: " + conn(a.reach.allowed) + "\n";
      if (!a.reach.depends.empty()) out += "  depends on the network plugin: " + conn(a.reach.depends) + "\n";
      if (!a.reach.unknown.empty()) out += "  unknown: " + conn(a.reach.unknown) + "\n";
    }
    directionText(out, model, a.reach.egress, true, a.question.from_name, a.question.port);
    directionText(out, model, a.reach.ingress, false, a.question.to_name, a.question.port);
    for (const std::string& n : a.reach.notes) out += "  note: " + n + "\n";
  }
  return out;
}

std::string reachJson(const Model& model, const std::vector<ReachAnswer>& answers) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  writeKey(w, "kspm_version");
  writeString(w, KSPM_VERSION);
  writeKey(w, "answers");
  w.StartArray();
  for (const ReachAnswer& a : answers) {
    w.StartObject();
    writeKey(w, "from");
    writeString(w, a.question.from_name);
    writeKey(w, "to");
    writeString(w, a.question.to_name);
    writeKey(w, "port");
    if (a.question.port) {
      w.StartObject();
      writeKey(w, "port");
      w.Uint(a.question.port->second);
      writeKey(w, "protocol");
      writeString(w, protocolName(a.question.port->first));
      w.EndObject();
    } else {
      w.Null();
    }
    if (!a.question.port_note.empty()) {
      writeKey(w, "port_note");
      writeString(w, a.question.port_note);
    }
    writeKey(w, "verdict");
    writeString(w, verdictName(verdictOf(a)));
    connJson(w, a.reach.allowed, a.reach.depends, a.reach.unknown);
    writeKey(w, "egress");
    directionJson(w, model, a.reach.egress, true);
    writeKey(w, "ingress");
    directionJson(w, model, a.reach.ingress, false);
    writeKey(w, "other_engines");
    w.StartArray();
    for (const ForeignPolicy* f : a.reach.foreign) writeString(w, f->label());
    w.EndArray();
    writeKey(w, "notes");
    w.StartArray();
    for (const std::string& n : a.reach.notes) writeString(w, n);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string matrixTable(const Model& model, const Matrix& matrix) {
  std::string out = "CLASSES (workloads that every NetworkPolicy treats alike)\n";
  for (size_t i = 0; i < matrix.classes.size(); ++i) out += "  " + classId(i) + "  " + memberList(model, matrix.classes[i]) + "\n";
  out += "EXTERNAL ADDRESSES\n";
  for (size_t i = 0; i < matrix.externals.size(); ++i) out += "  " + externalId(i) + "  " + matrix.externals[i].toString() + "\n";
  out += "CONNECTIVITY (FROM => TO: allowed [| depends: ...] [| unknown: ...]; pairs not listed: nothing)\n";
  // Consecutive edges from one source with the same connectivity print as one line.
  for (size_t i = 0; i < matrix.edges.size();) {
    size_t j = i;
    std::string targets;
    while (j < matrix.edges.size() && matrix.edges[j].from == matrix.edges[i].from &&
           matrix.edges[j].connectivity == matrix.edges[i].connectivity) {
      targets += (j > i ? "," : "") + nodeId(matrix.edges[j].to);
      ++j;
    }
    const Matrix::Connectivity& c = matrix.connectivities[matrix.edges[i].connectivity];
    out += "  " + nodeId(matrix.edges[i].from) + " => " + targets + ": " + conn(c.allowed);
    if (!c.depends.empty()) out += " | depends: " + conn(c.depends);
    if (!c.unknown.empty()) out += " | unknown: " + conn(c.unknown);
    out += "\n";
    i = j;
  }
  return out;
}

std::string matrixJson(const Model& model, const Matrix& matrix) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  writeKey(w, "kspm_version");
  writeString(w, KSPM_VERSION);
  writeKey(w, "classes");
  w.StartArray();
  for (size_t i = 0; i < matrix.classes.size(); ++i) {
    w.StartObject();
    writeKey(w, "id");
    writeString(w, classId(i));
    writeKey(w, "workloads");
    w.StartArray();
    for (uint32_t wl : matrix.classes[i].workloads) writeString(w, model.workloads()[wl].label());
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  writeKey(w, "externals");
  w.StartArray();
  for (size_t i = 0; i < matrix.externals.size(); ++i) {
    w.StartObject();
    writeKey(w, "id");
    writeString(w, externalId(i));
    writeKey(w, "addresses");
    writeString(w, matrix.externals[i].toString());
    w.EndObject();
  }
  w.EndArray();
  writeKey(w, "edges");
  w.StartArray();
  for (const Matrix::Edge& e : matrix.edges) {
    const Matrix::Connectivity& c = matrix.connectivities[e.connectivity];
    w.StartObject();
    writeKey(w, "from");
    writeString(w, nodeId(e.from));
    writeKey(w, "to");
    writeString(w, nodeId(e.to));
    connJson(w, c.allowed, c.depends, c.unknown);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string matrixDot(const Model& model, const Matrix& matrix) {
  std::string out = "digraph kspm_network {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n";
  for (size_t i = 0; i < matrix.classes.size(); ++i) {
    const Matrix::Class& c = matrix.classes[i];
    std::string label;
    for (size_t k = 0; k < c.workloads.size() && k < 5; ++k) label += (k ? "\\n" : "") + dotEscape(model.workloads()[c.workloads[k]].label());
    if (c.workloads.size() > 5) label += "\\n(+" + std::to_string(c.workloads.size() - 5) + " more)";
    out += "  " + classId(i) + " [label=\"" + label + "\"];\n";
  }
  for (size_t i = 0; i < matrix.externals.size(); ++i) {
    out += "  " + externalId(i) + " [shape=ellipse, label=\"" + dotEscape(matrix.externals[i].toString()) + "\"];\n";
  }
  for (const Matrix::Edge& e : matrix.edges) {
    const Matrix::Connectivity& c = matrix.connectivities[e.connectivity];
    std::string label = c.allowed.empty() ? std::string() : conn(c.allowed);
    if (!c.depends.empty()) label += (label.empty() ? "" : "\\n") + std::string("depends: ") + conn(c.depends);
    if (!c.unknown.empty()) label += (label.empty() ? "" : "\\n") + std::string("unknown: ") + conn(c.unknown);
    out += "  " + nodeId(e.from) + " -> " + nodeId(e.to) + " [label=\"" + dotEscape(label) + "\"" +
           (c.allowed.empty() ? ", style=dashed" : "") + "];\n";
  }
  out += "}\n";
  return out;
}

std::string exposureTable(const Model& model, const std::vector<Exposure>& exposure) {
  std::vector<const Exposure*> order;
  for (const Exposure& e : exposure) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const Exposure* a, const Exposure* b) { return a->level > b->level; });
  std::string out = "WORKLOAD  LEVEL  CONFIDENCE\n  PATHS (channel, via, ports: reason)\n";
  for (const Exposure* e : order) {
    out += model.workloads()[e->workload].label() + "  " + std::string(exposureLevelName(e->level)) + "  " +
           std::string(e->level == ExposureLevel::kNone ? "-" : confidenceName(e->confidence)) + "\n";
    for (const ExposurePath& p : e->paths) {
      out += "  " + std::string(exposureLevelName(p.level)) + (p.level == ExposureLevel::kNone ? "" : " (" + std::string(confidenceName(p.confidence)) + ")") +
             "  " + p.channel + "  " + (p.via != nullptr ? std::string(p.via->kind) + "/" + std::string(p.via->name) : "") + "  " +
             conn(p.ports) + ": " + p.reason + "\n";
    }
  }
  return out;
}

std::string exposureJson(const Model& model, const std::vector<Exposure>& exposure) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  writeKey(w, "kspm_version");
  writeString(w, KSPM_VERSION);
  writeKey(w, "workloads");
  w.StartArray();
  for (const Exposure& e : exposure) {
    const WorkloadInfo& info = model.workloads()[e.workload];
    w.StartObject();
    writeKey(w, "namespace");
    writeString(w, info.ns);
    writeKey(w, "kind");
    writeString(w, info.kind);
    writeKey(w, "name");
    writeString(w, info.name);
    writeKey(w, "file");
    writeString(w, model.objects().pathOf(*info.object));
    writeKey(w, "line");
    w.Uint(info.object->line);
    writeKey(w, "level");
    writeString(w, exposureLevelName(e.level));
    writeKey(w, "confidence");
    if (e.level == ExposureLevel::kNone) w.Null(); else writeString(w, confidenceName(e.confidence));
    writeKey(w, "paths");
    w.StartArray();
    for (const ExposurePath& p : e.paths) {
      w.StartObject();
      writeKey(w, "level");
      writeString(w, exposureLevelName(p.level));
      writeKey(w, "confidence");
      writeString(w, confidenceName(p.confidence));
      writeKey(w, "channel");
      writeString(w, p.channel);
      writeKey(w, "via");
      if (p.via != nullptr) {
        w.StartObject();
        writeKey(w, "kind");
        writeString(w, p.via->kind);
        writeKey(w, "name");
        writeString(w, p.via->name);
        writeKey(w, "namespace");
        writeString(w, model.objects().namespaceOf(*p.via));
        w.EndObject();
      } else {
        w.Null();
      }
      writeKey(w, "ports");
      writeString(w, conn(p.ports));
      writeKey(w, "reason");
      writeString(w, p.reason);
      writeKey(w, "narrowed_by");
      w.StartArray();
      for (uint32_t policy : p.narrowed_by) writeString(w, model.policies()[policy].label());
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace kspm::netpol
