// A read-only document tree with a source line on every node.
//
// The loader (loader.h) builds these trees from YAML or JSON; everything else only reads them.
// Nodes live in a Document's arena and stay valid as long as the Document does. Strings are
// views into the Document's input buffer or arena; they are NOT NUL-terminated.
//
// Thread safety: a finished tree is immutable and may be read from any number of threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace kspm {

enum class NodeType : uint8_t { kNull, kBool, kInt, kFloat, kString, kArray, kObject };

std::string_view nodeTypeName(NodeType type);

struct Member;

/** One JSON-model value. 16 bytes; built only by the loader (see TreeBuilder). */
class Node {
 public:
  Node() = default;

  NodeType type() const { return static_cast<NodeType>(type_); }
  /** 1-based source line where this value starts (for a mapping value: the value's own line). */
  uint32_t line() const { return line_; }

  bool isNull() const { return type() == NodeType::kNull; }
  bool isBool() const { return type() == NodeType::kBool; }
  bool isInt() const { return type() == NodeType::kInt; }
  bool isFloat() const { return type() == NodeType::kFloat; }
  bool isNumber() const { return isInt() || isFloat(); }
  bool isString() const { return type() == NodeType::kString; }
  bool isArray() const { return type() == NodeType::kArray; }
  bool isObject() const { return type() == NodeType::kObject; }

  /** The string value; empty for non-strings. */
  std::string_view str() const { return isString() ? std::string_view(u_.str, size_) : std::string_view(); }
  /** The bool value; false for non-bools. */
  bool boolean() const { return isBool() && u_.boolean; }
  /** The integer value; 0 for non-ints. */
  int64_t integer() const { return isInt() ? u_.integer : 0; }
  /** Numeric value of an int or float; 0 otherwise. */
  double number() const;

  /** Number of array items or object members; 0 for scalars. */
  uint32_t size() const { return (isArray() || isObject()) ? size_ : 0; }
  std::span<const Node> items() const;
  std::span<const Member> members() const;

  /** Member value by key, or nullptr (also for non-objects). Keys are unique after loading. */
  const Node* get(std::string_view key) const;
  /** Follows a chain of keys; nullptr as soon as one is missing. */
  const Node* find(std::initializer_list<std::string_view> keys) const;

  /** True for a string equal to `s`. */
  bool is(std::string_view s) const { return isString() && str() == s; }

  /** Scalar as text the way JSON would print it (strings unquoted); "" for containers. */
  std::string scalarText() const;

  // Construction (loader only).
  static Node makeNull(uint32_t line) { Node n; n.type_ = static_cast<uint8_t>(NodeType::kNull); n.line_ = line; return n; }
  static Node makeBool(bool v, uint32_t line) { Node n; n.type_ = static_cast<uint8_t>(NodeType::kBool); n.line_ = line; n.u_.boolean = v; return n; }
  static Node makeInt(int64_t v, uint32_t line) { Node n; n.type_ = static_cast<uint8_t>(NodeType::kInt); n.line_ = line; n.u_.integer = v; return n; }
  static Node makeFloat(double v, uint32_t line) { Node n; n.type_ = static_cast<uint8_t>(NodeType::kFloat); n.line_ = line; n.u_.real = v; return n; }
  static Node makeString(std::string_view v, uint32_t line) { Node n; n.type_ = static_cast<uint8_t>(NodeType::kString); n.line_ = line; n.size_ = static_cast<uint32_t>(v.size()); n.u_.str = v.data(); return n; }
  static Node makeArray(const Node* items, uint32_t count, uint32_t line) { Node n; n.type_ = static_cast<uint8_t>(NodeType::kArray); n.line_ = line; n.size_ = count; n.u_.items = items; return n; }
  static Node makeObject(const Member* members, uint32_t count, uint32_t line) { Node n; n.type_ = static_cast<uint8_t>(NodeType::kObject); n.line_ = line; n.size_ = count; n.u_.members = members; return n; }

 private:
  uint32_t line_ : 28 = 0;
  uint32_t type_ : 4 = 0;
  uint32_t size_ = 0;
  union {
    const char* str;
    bool boolean;
    int64_t integer;
    double real;
    const Node* items;
    const Member* members;
  } u_{};
};

struct Member {
  Node key;  // always a string after loading (non-string keys are converted, as sigs.k8s.io/yaml does)
  Node value;
};

inline std::span<const Node> Node::items() const {
  return isArray() ? std::span<const Node>(u_.items, size_) : std::span<const Node>();
}
inline std::span<const Member> Node::members() const {
  return isObject() ? std::span<const Member>(u_.members, size_) : std::span<const Member>();
}
inline const Node* Node::get(std::string_view key) const {
  if (!isObject()) return nullptr;
  for (const Member& m : members()) {
    if (m.key.str() == key) return &m.value;
  }
  return nullptr;
}
inline const Node* Node::find(std::initializer_list<std::string_view> keys) const {
  const Node* cur = this;
  for (std::string_view k : keys) {
    cur = cur->get(k);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

static_assert(sizeof(Node) == 16, "Node must stay 16 bytes: memory is budgeted per node");

}  // namespace kspm
