// Builds a Node tree from a flat stream of start/end/key/value calls with an explicit stack (no
// recursion), shared by the YAML and JSON readers. Handles the depth limit, duplicate keys (last
// wins, reported), and merge keys (explicit keys win; earlier merge sources win over later ones).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kspm/loader.h"
#include "kspm/node.h"
#include "kspm/status.h"
#include "model/arena.h"

namespace kspm::loader {

class TreeBuilder {
 public:
  explicit TreeBuilder(const LoadLimits& limits) : limits_(limits) {}

  /** Starts a new document; nodes go into `arena`, duplicate-key notes into `diagnostics`. */
  void reset(Arena* arena, std::vector<KeyDiagnostic>* diagnostics);

  /** True when the next value is a mapping key. */
  bool expectingKey() const { return !frames_.empty() && frames_.back().is_map && !frames_.back().has_key; }
  bool done() const { return has_root_; }
  const Node& root() const { return root_; }
  size_t depth() const { return frames_.size(); }

  /** Sets the key of the next member; `is_merge` for a plain `<<`. */
  void key(std::string_view text, uint32_t line, bool is_merge);

  /**
   * Adds a finished value (scalar or alias target) to the current container, or makes it the root.
   * `expanded` is the number of nodes it stands for (1 for a scalar). False on error.
   */
  bool value(const Node& node, uint64_t expanded, bool from_alias);

  /** Opens a mapping or sequence. `line` is its own start line (a mapping value uses its key's line). */
  bool begin(bool is_map, uint32_t line);

  /** Closes the innermost container, adds it to its parent; returns it and its expanded size. */
  bool end(Node* node, uint64_t* expanded);

  /** The error after a false return. */
  ErrorCode errorCode() const { return error_code_; }
  const std::string& errorMessage() const { return error_message_; }
  uint32_t errorLine() const { return error_line_; }

 private:
  struct Frame {
    bool is_map = false;
    bool has_key = false;
    bool key_is_merge = false;
    uint32_t line = 0;
    uint32_t begin = 0;  // index into members_ or items_
    uint64_t expanded = 1;
    Node key;
    bool has_merge = false;  // some members came from a `<<` merge key
  };

  bool fail(ErrorCode code, std::string message, uint32_t line);
  bool addMerge(Frame& f, const Node& node, bool from_alias);
  Node finishMap(Frame& f);
  std::string pathOf(size_t depth) const;

  const LoadLimits& limits_;
  Arena* arena_ = nullptr;
  std::vector<KeyDiagnostic>* diagnostics_ = nullptr;
  std::vector<Frame> frames_;  // open containers, innermost last
  std::vector<Member> members_;
  std::vector<uint8_t> merged_;  // parallel to members_: 1 when the member came from a `<<` merge
  std::vector<Node> items_;
  std::unordered_map<std::string_view, uint32_t> index_;  // for large mappings
  Node root_;
  bool has_root_ = false;
  ErrorCode error_code_ = ErrorCode::kOk;
  std::string error_message_;
  uint32_t error_line_ = 0;
};

inline uint64_t saturatingAdd(uint64_t a, uint64_t b) {
  uint64_t s = a + b;
  return s < a ? UINT64_MAX : s;
}

}  // namespace kspm::loader
