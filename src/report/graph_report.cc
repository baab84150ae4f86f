// Rendering the security graph and its paths: table, JSON, dot, GraphML and Cypher.
#include "kspm/graph_report.h"

#include <cstdio>
#include <string>

#include "report/report_common.h"

namespace kspm::graph {

namespace {

using report::JsonWriter;
using report::writeKey;
using report::writeString;

std::string percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", p);
  return buf;
}

void stepJson(JsonWriter& w, const Graph& graph, const ObjectSet& objects, uint32_t e) {
  const Edge& edge = graph.edges()[e];
  w.StartObject();
  writeKey(w, "from");
  writeString(w, graph.vertices()[edge.from].name);
  writeKey(w, "to");
  writeString(w, graph.vertices()[edge.to].name);
  writeKey(w, "technique");
  writeString(w, techniqueId(edge.technique));
  writeKey(w, "mitre");
  writeString(w, techniqueMitre(edge.technique));
  writeKey(w, "likelihood");
  w.Double(edge.likelihood);
  writeKey(w, "evidence");
  writeString(w, edge.evidence);
  if (edge.object != nullptr) {
    writeKey(w, "file");
    writeString(w, objects.pathOf(*edge.object));
    writeKey(w, "line");
    w.Uint(edge.line != 0 ? edge.line : edge.object->line);
  }
  w.EndObject();
}

void pathsJson(JsonWriter& w, const Graph& graph, const ObjectSet& objects, const std::vector<Path>& paths) {
  w.StartArray();
  for (const Path& p : paths) {
    w.StartObject();
    writeKey(w, "likelihood");
    w.Double(p.likelihood);
    writeKey(w, "steps");
    w.StartArray();
    for (uint32_t e : p.edges) stepJson(w, graph, objects, e);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

void pathsText(std::string& out, const Graph& graph, const std::vector<Path>& paths, std::string_view what) {
  for (size_t i = 0; i < paths.size(); ++i) {
    const Path& p = paths[i];
    out += "  " + std::string(what) + " " + std::to_string(i + 1) + ": " + std::to_string(p.edges.size()) +
           " steps, likelihood " + percent(p.likelihood) + "\n";
    for (uint32_t e : p.edges) {
      const Edge& edge = graph.edges()[e];
      out += "    " + graph.vertices()[edge.from].name + "  -[" + std::string(techniqueId(edge.technique)) + "]->  " +
             graph.vertices()[edge.to].name + "\n      " + edge.evidence +
             (edge.likelihood < 1 ? " (likelihood " + percent(edge.likelihood) + ")" : "") + "\n";
    }
  }
}

std::string xmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string quoteEscape(std::string_view s, char quote) {
  std::string out;
  for (char c : s) {
    if (c == quote || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string pathsTable(const Graph& graph, const PathAnswer& answer) {
  std::string out;
  for (const PathResult& r : answer.results) {
    out += "FROM " + graph.vertices()[r.source].name + " TO " + graph.vertices()[r.target].name + "\n";
    pathsText(out, graph, r.shortest, "shortest");
    pathsText(out, graph, r.riskiest, "riskiest");
  }
  if (answer.results.empty()) out += "no path from the sources to the targets\n";
  if (answer.capped) out += "note: the search stopped at its work cap (--max-expansions); some paths may be missing\n";
  if (!answer.data_sources.empty()) {
    out += "data:";
    for (const auto& [key, value] : answer.data_sources) out += " " + key + "=" + value;
    out += "\n";
  }
  if (!answer.unmatched_reports.empty()) {
    out += "note: " + std::to_string(answer.unmatched_reports.size()) + " vulnerability report(s) matched no image of the input:";
    for (size_t i = 0; i < answer.unmatched_reports.size() && i < 10; ++i) out += (i ? ", " : " ") + answer.unmatched_reports[i];
    out += answer.unmatched_reports.size() > 10 ? ", ...\n" : "\n";
  }
  return out;
}

std::string pathsJson(const Graph& graph, const ObjectSet& objects, const PathAnswer& answer) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  writeKey(w, "kspm_version");
  writeString(w, KSPM_VERSION);
  writeKey(w, "capped");
  w.Bool(answer.capped);
  writeKey(w, "expansions");
  w.Uint64(answer.expansions);
  writeKey(w, "unmatched_reports");
  w.StartArray();
  for (const std::string& r : answer.unmatched_reports) writeString(w, r);
  w.EndArray();
  writeKey(w, "data_sources");
  w.StartObject();
  for (const auto& [key, value] : answer.data_sources) {
    writeKey(w, key);
    writeString(w, value);
  }
  w.EndObject();
  writeKey(w, "results");
  w.StartArray();
  for (const PathResult& r : answer.results) {
    w.StartObject();
    writeKey(w, "from");
    writeString(w, graph.vertices()[r.source].name);
    writeKey(w, "to");
    writeString(w, graph.vertices()[r.target].name);
    writeKey(w, "shortest");
    pathsJson(w, graph, objects, r.shortest);
    writeKey(w, "riskiest");
    pathsJson(w, graph, objects, r.riskiest);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string blastRadiusTable(const Graph& graph, const BlastRadius& radius) {
  std::string out = "BLAST RADIUS OF " + graph.vertices()[radius.source].name + "\n";
  if (radius.jewels.empty()) out += "  no crown jewel is reachable\n";
  for (const BlastRadius::Jewel& j : radius.jewels) {
    out += "  CROWN JEWEL " + graph.vertices()[j.vertex].name + "  likelihood " + percent(j.likelihood) + ", " +
           std::to_string(j.path.edges.size()) + " steps:";
    for (uint32_t e : j.path.edges) out += " " + std::string(techniqueId(graph.edges()[e].technique));
    out += "\n";
  }
  for (const BlastRadius::Kind& k : radius.kinds) {
    out += "  " + std::string(vertexKindName(k.kind)) + ": " + std::to_string(k.count) + " reachable\n";
    for (const auto& [v, p] : k.top) out += "    " + graph.vertices()[v].name + "  (likelihood " + percent(p) + ")\n";
    if (k.top.size() < k.count) out += "    ... " + std::to_string(k.count - k.top.size()) + " more\n";
  }
  return out;
}

std::string blastRadiusJson(const Graph& graph, const ObjectSet& objects, const BlastRadius& radius) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  writeKey(w, "kspm_version");
  writeString(w, KSPM_VERSION);
  writeKey(w, "source");
  writeString(w, graph.vertices()[radius.source].name);
  writeKey(w, "crown_jewels");
  w.StartArray();
  for (const BlastRadius::Jewel& j : radius.jewels) {
    w.StartObject();
    writeKey(w, "name");
    writeString(w, graph.vertices()[j.vertex].name);
    writeKey(w, "likelihood");
    w.Double(j.likelihood);
    writeKey(w, "path");
    pathsJson(w, graph, objects, {j.path});
    w.EndObject();
  }
  w.EndArray();
  writeKey(w, "reachable");
  w.StartArray();
  for (const BlastRadius::Kind& k : radius.kinds) {
    w.StartObject();
    writeKey(w, "kind");
    writeString(w, vertexKindName(k.kind));
    writeKey(w, "count");
    w.Uint64(k.count);
    writeKey(w, "top");
    w.StartArray();
    for (const auto& [v, p] : k.top) {
      w.StartObject();
      writeKey(w, "name");
      writeString(w, graph.vertices()[v].name);
      writeKey(w, "likelihood");
      w.Double(p);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string graphJson(const Graph& graph, const ObjectSet& objects) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  writeKey(w, "kspm_version");
  writeString(w, KSPM_VERSION);
  writeKey(w, "vertices");
  w.StartArray();
  for (uint32_t v = 0; v < graph.vertices().size(); ++v) {
    const Vertex& x = graph.vertices()[v];
    w.StartObject();
    writeKey(w, "id");
    w.Uint(v);
    writeKey(w, "kind");
    writeString(w, vertexKindName(x.kind));
    writeKey(w, "name");
    writeString(w, x.name);
    writeKey(w, "namespace");
    writeString(w, x.ns);
    writeKey(w, "crown_jewel");
    w.Bool(x.jewel);
    if (x.object != nullptr) {
      writeKey(w, "file");
      writeString(w, objects.pathOf(*x.object));
      writeKey(w, "line");
      w.Uint(x.object->line);
    }
    w.EndObject();
  }
  w.EndArray();
  writeKey(w, "edges");
  w.StartArray();
  for (const Edge& e : graph.edges()) {
    w.StartObject();
    writeKey(w, "from");
    w.Uint(e.from);
    writeKey(w, "to");
    w.Uint(e.to);
    writeKey(w, "technique");
    writeString(w, techniqueId(e.technique));
    writeKey(w, "mitre");
    writeString(w, techniqueMitre(e.technique));
    writeKey(w, "likelihood");
    w.Double(e.likelihood);
    writeKey(w, "evidence");
    writeString(w, e.evidence);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string graphDot(const Graph& graph, const std::vector<uint32_t>* only_edges) {
  std::string out = "digraph kspm_security_graph {\n  rankdir=LR;\n  node [fontsize=10];\n";
  std::vector<char> used(graph.vertices().size(), only_edges == nullptr ? 1 : 0);
  if (only_edges != nullptr) {
    for (uint32_t e : *only_edges) used[graph.edges()[e].from] = used[graph.edges()[e].to] = 1;
  }
  for (uint32_t v = 0; v < graph.vertices().size(); ++v) {
    if (!used[v]) continue;
    const Vertex& x = graph.vertices()[v];
    std::string shape = x.kind == VertexKind::kInternet ? "doubleoctagon"
                        : x.jewel                        ? "doublecircle"
                        : x.kind == VertexKind::kWorkload ? "box"
                                                          : "ellipse";
    out += "  v" + std::to_string(v) + " [shape=" + shape + ", label=\"" + quoteEscape(x.name, '"') + "\"];\n";
  }
  auto edge_line = [&](uint32_t e) {
    const Edge& edge = graph.edges()[e];
    out += "  v" + std::to_string(edge.from) + " -> v" + std::to_string(edge.to) + " [label=\"" +
           std::string(techniqueId(edge.technique)) + "\"" + (edge.likelihood < 1 ? ", style=dashed" : "") + "];\n";
  };
  if (only_edges != nullptr) {
    for (uint32_t e : *only_edges) edge_line(e);
  } else {
    for (uint32_t e = 0; e < graph.edges().size(); ++e) edge_line(e);
  }
  out += "}\n";
  return out;
}

std::string graphGraphml(const Graph& graph) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
      "  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n"
      "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
      "  <key id=\"jewel\" for=\"node\" attr.name=\"crown_jewel\" attr.type=\"boolean\"/>\n"
      "  <key id=\"technique\" for=\"edge\" attr.name=\"technique\" attr.type=\"string\"/>\n"
      "  <key id=\"likelihood\" for=\"edge\" attr.name=\"likelihood\" attr.type=\"double\"/>\n"
      "  <key id=\"evidence\" for=\"edge\" attr.name=\"evidence\" attr.type=\"string\"/>\n"
      "  <graph id=\"kspm\" edgedefault=\"directed\">\n";
  for (uint32_t v = 0; v < graph.vertices().size(); ++v) {
    const Vertex& x = graph.vertices()[v];
    out += "    <node id=\"v" + std::to_string(v) + "\"><data key=\"kind\">" + std::string(vertexKindName(x.kind)) +
           "</data><data key=\"name\">" + xmlEscape(x.name) + "</data><data key=\"jewel\">" + (x.jewel ? "true" : "false") +
           "</data></node>\n";
  }
  for (uint32_t e = 0; e < graph.edges().size(); ++e) {
    const Edge& edge = graph.edges()[e];
    out += "    <edge id=\"e" + std::to_string(e) + "\" source=\"v" + std::to_string(edge.from) + "\" target=\"v" +
           std::to_string(edge.to) + "\"><data key=\"technique\">" + std::string(techniqueId(edge.technique)) +
           "</data><data key=\"likelihood\">" + percent(edge.likelihood) + "</data><data key=\"evidence\">" +
           xmlEscape(edge.evidence) + "</data></edge>\n";
  }
  out += "  </graph>\n</graphml>\n";
  return out;
}

std::string graphCypher(const Graph& graph) {
  std::string out = "// kspm security graph: run in Neo4j (cypher-shell < file)\n";
  for (uint32_t v = 0; v < graph.vertices().size(); ++v) {
    const Vertex& x = graph.vertices()[v];
    out += "CREATE (:KspmVertex {id: " + std::to_string(v) + ", kind: '" + std::string(vertexKindName(x.kind)) +
           "', name: '" + quoteEscape(x.name, '\'') + "', namespace: '" + quoteEscape(x.ns, '\'') +
           "', crown_jewel: " + (x.jewel ? "true" : "false") + "});\n";
  }
  out += "CREATE INDEX kspm_vertex_id IF NOT EXISTS FOR (v:KspmVertex) ON (v.id);\n";
  for (const Edge& e : graph.edges()) {
    out += "MATCH (a:KspmVertex {id: " + std::to_string(e.from) + "}), (b:KspmVertex {id: " + std::to_string(e.to) +
           "}) CREATE (a)-[:" + std::string(techniqueId(e.technique)) + " {likelihood: " + percent(e.likelihood) +
           ", evidence: '" + quoteEscape(e.evidence, '\'') + "'}]->(b);\n";
  }
  return out;
}

}  // namespace kspm::graph
