#include "kspm/node.h"

#include <charconv>
#include <cmath>
#include <string>

namespace kspm {

std::string_view nodeTypeName(NodeType type) {
  switch (type) {
    case NodeType::kNull: return "null";
    case NodeType::kBool: return "bool";
    case NodeType::kInt: return "int";
    case NodeType::kFloat: return "float";
    case NodeType::kString: return "string";
    case NodeType::kArray: return "array";
    case NodeType::kObject: return "object";
  }
  return "unknown";
}

double Node::number() const {
  if (isInt()) return static_cast<double>(u_.integer);
  if (isFloat()) return u_.real;
  return 0;
}

std::string Node::scalarText() const {
  switch (type()) {
    case NodeType::kNull: return "null";
    case NodeType::kBool: return u_.boolean ? "true" : "false";
    case NodeType::kInt: return std::to_string(u_.integer);
    case NodeType::kFloat: {
      double v = u_.real;
      if (std::isnan(v)) return "NaN";
      if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof(buf), v);
      return std::string(buf, r.ptr);
    }
    case NodeType::kString: return std::string(str());
    case NodeType::kArray:
    case NodeType::kObject: return std::string();
  }
  return std::string();
}

}  // namespace kspm
