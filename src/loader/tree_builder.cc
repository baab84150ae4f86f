#include "loader/tree_builder.h"

#include <algorithm>
#include <cstring>

namespace kspm::loader {

void TreeBuilder::reset(Arena* arena, std::vector<KeyDiagnostic>* diagnostics) {
  arena_ = arena;
  diagnostics_ = diagnostics;
  frames_.clear();
  members_.clear();
  merged_.clear();
  items_.clear();
  root_ = Node();
  has_root_ = false;
  error_code_ = ErrorCode::kOk;
  error_message_.clear();
  error_line_ = 0;
}

bool TreeBuilder::fail(ErrorCode code, std::string message, uint32_t line) {
  if (error_code_ == ErrorCode::kOk) {
    error_code_ = code;
    error_message_ = std::move(message);
    error_line_ = line;
  }
  return false;
}

void TreeBuilder::key(std::string_view text, uint32_t line, bool is_merge) {
  Frame& f = frames_.back();
  f.key = Node::makeString(text, line);
  f.has_key = true;
  f.key_is_merge = is_merge;
}

// go-yaml v2 (what kubectl uses) applies a merge where the `<<` key stands: its keys overwrite
// keys set before it and are overwritten by keys set after it. For a sequence of sources it applies
// the last one first, so earlier sources win. The merged members are appended in that order and
// finishMap() resolves them last-write-wins, like every other key.
bool TreeBuilder::addMerge(Frame& f, const Node& node, bool from_alias) {
  auto append = [&](const Node& src) {
    for (const Member& m : src.members()) {
      members_.push_back(m);
      merged_.push_back(1);
    }
    f.has_merge = true;
  };
  if (node.isObject()) {
    append(node);
    return true;
  }
  if (node.isArray() && !from_alias) {
    for (const Node& item : node.items()) {
      if (!item.isObject()) {
        return fail(ErrorCode::kInvalidMergeKey,
                    "merge key `<<` at line " + std::to_string(f.key.line()) +
                        ": every item of the sequence must be a mapping (or an alias of one), found " +
                        std::string(nodeTypeName(item.type())),
                    f.key.line());
      }
    }
    auto items = node.items();
    for (size_t i = items.size(); i-- > 0;) append(items[i]);
    return true;
  }
  return fail(ErrorCode::kInvalidMergeKey,
              "merge key `<<` at line " + std::to_string(f.key.line()) +
                  " needs a mapping, an alias of a mapping or a sequence of those, found " +
                  (from_alias ? "an alias of a " : "a ") + std::string(nodeTypeName(node.type())),
              f.key.line());
}

bool TreeBuilder::value(const Node& node, uint64_t expanded, bool from_alias) {
  if (frames_.empty()) {
    root_ = node;
    has_root_ = true;
    return true;
  }
  Frame& f = frames_.back();
  f.expanded = saturatingAdd(f.expanded, expanded);
  if (!f.is_map) {
    items_.push_back(node);
    return true;
  }
  f.has_key = false;
  if (f.key_is_merge) {
    f.key_is_merge = false;
    return addMerge(f, node, from_alias);
  }
  members_.push_back(Member{f.key, node});
  merged_.push_back(0);
  return true;
}

bool TreeBuilder::begin(bool is_map, uint32_t line) {
  if (frames_.size() >= limits_.max_depth) {
    return fail(ErrorCode::kDepthLimit,
                "nesting deeper than " + std::to_string(limits_.max_depth) + " levels at line " + std::to_string(line),
                line);
  }
  if (!frames_.empty() && frames_.back().is_map) line = frames_.back().key.line();
  Frame& f = frames_.emplace_back();
  f.is_map = is_map;
  f.line = line;
  f.begin = static_cast<uint32_t>(is_map ? members_.size() : items_.size());
  return true;
}

std::string TreeBuilder::pathOf(size_t depth) const {
  std::string path;
  for (size_t i = 0; i < depth; ++i) {
    const Frame& f = frames_[i];
    if (f.is_map) {
      if (!path.empty()) path += '.';
      path += f.key.str();
    } else {
      path += '[';
      path += std::to_string(items_.size() - f.begin);
      path += ']';
    }
  }
  return path;
}

Node TreeBuilder::finishMap(Frame& f) {
  Member* first = members_.data() + f.begin;
  uint8_t* merged = merged_.data() + f.begin;
  uint32_t n = static_cast<uint32_t>(members_.size() - f.begin);
  const bool big = n > 16 || f.has_merge;
  // Keys in document order, last write wins, each key kept at its first position. Two explicit
  // settings of one key are a duplicate (reported); a merge overwriting or being overwritten is not.
  uint32_t out = 0;
  if (big) index_.clear();
  for (uint32_t i = 0; i < n; ++i) {
    std::string_view k = first[i].key.str();
    int64_t found = -1;
    if (big) {
      auto it = index_.find(k);
      if (it != index_.end()) found = it->second;
    } else {
      for (uint32_t j = 0; j < out; ++j) {
        if (first[j].key.str() == k) { found = j; break; }
      }
    }
    if (found < 0) {
      if (big) index_.emplace(k, out);
      merged[out] = merged[i];
      first[out++] = first[i];
      continue;
    }
    if (diagnostics_ != nullptr && merged[i] == 0 && merged[found] == 0) {
      KeyDiagnostic d;
      d.line = first[i].key.line();
      d.first_line = first[found].key.line();
      d.key = std::string(k);
      d.path = pathOf(frames_.size() - 1);
      diagnostics_->push_back(std::move(d));
    }
    first[found].value = first[i].value;
    if (merged[i] == 0) {
      // The explicit key now defines the value: report at its line from here on.
      first[found].key = first[i].key;
      merged[found] = 0;
    }
  }
  Member* dst = arena_->allocateArray<Member>(out);
  if (out > 0) std::memcpy(static_cast<void*>(dst), first, sizeof(Member) * out);
  members_.resize(f.begin);
  merged_.resize(f.begin);
  return Node::makeObject(dst, out, f.line);
}

bool TreeBuilder::end(Node* node, uint64_t* expanded) {
  Frame& f = frames_.back();
  Node result;
  if (f.is_map) {
    result = finishMap(f);
  } else {
    uint32_t n = static_cast<uint32_t>(items_.size() - f.begin);
    Node* dst = arena_->allocateArray<Node>(n);
    if (n > 0) std::memcpy(static_cast<void*>(dst), items_.data() + f.begin, sizeof(Node) * n);
    items_.resize(f.begin);
    result = Node::makeArray(dst, n, f.line);
  }
  uint64_t count = f.expanded;
  frames_.pop_back();
  if (node != nullptr) *node = result;
  if (expanded != nullptr) *expanded = count;
  return value(result, count, false);
}

}  // namespace kspm::loader
