// Rendering NetworkPolicy answers (include/kspm/netpol.h) for people and programs: reach, matrix
// and exposure as table, JSON and (matrix) Graphviz dot. The JSON shapes are documented in
// docs/network.md.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kspm/netpol.h"

namespace kspm::netpol {

/** One reach question: the two ends as named by the user, and what was asked about. */
struct ReachQuestion {
  std::string from_name;   // as the user named it (resolved: "prod/Deployment/web", "203.0.113.7")
  std::string to_name;
  std::optional<std::pair<Protocol, uint16_t>> port;  // the destination (pod) port; nullopt: every port
  std::string port_note;   // e.g. "Service port 80 -> targetPort http (8080/TCP)"
};

/** One answer to a question (a Service destination gives one per backend). */
struct ReachAnswer {
  ReachQuestion question;
  Reach reach;
};

std::string reachTable(const Model& model, const std::vector<ReachAnswer>& answers);
std::string reachJson(const Model& model, const std::vector<ReachAnswer>& answers);

std::string matrixTable(const Model& model, const Matrix& matrix);
std::string matrixJson(const Model& model, const Matrix& matrix);
std::string matrixDot(const Model& model, const Matrix& matrix);

std::string exposureTable(const Model& model, const std::vector<Exposure>& exposure);
std::string exposureJson(const Model& model, const std::vector<Exposure>& exposure);

}  // namespace kspm::netpol
