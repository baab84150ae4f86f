// Rendering the security graph (include/kspm/graph.h): paths as table or JSON, the whole graph as
// JSON, Graphviz dot, GraphML (Gephi, yEd) or Cypher (Neo4j). Shapes: docs/graph.md.
#pragma once

#include <string>
#include <vector>

#include "kspm/graph.h"
#include "kspm/object.h"

namespace kspm::graph {

std::string pathsTable(const Graph& graph, const PathAnswer& answer);
std::string pathsJson(const Graph& graph, const ObjectSet& objects, const PathAnswer& answer);

std::string blastRadiusTable(const Graph& graph, const BlastRadius& radius);
std::string blastRadiusJson(const Graph& graph, const ObjectSet& objects, const BlastRadius& radius);

std::string graphJson(const Graph& graph, const ObjectSet& objects);
/** The whole graph, or only the edges listed (and their vertices): a path renders to SVG with `dot -Tsvg`. */
std::string graphDot(const Graph& graph, const std::vector<uint32_t>* only_edges = nullptr);
std::string graphGraphml(const Graph& graph);
std::string graphCypher(const Graph& graph);

}  // namespace kspm::graph
