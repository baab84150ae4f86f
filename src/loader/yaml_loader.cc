// YAML chunks -> Node trees with libyaml's event parser.
#include <yaml.h>

#include <cstring>
#include <string>
#include <unordered_map>

#include "loader/load_internal.h"
#include "loader/scalar.h"
#include "loader/tree_builder.h"
#include "model/arena.h"

namespace kspm::loader {
namespace {

struct Anchor {
  Node node;
  uint64_t expanded = 1;
};

uint32_t countLines(const char* p, size_t n) {
  uint32_t lines = 0;
  const char* end = p + n;
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))) != nullptr) {
    ++lines;
    ++p;
  }
  return lines;
}

class ChunkLoader {
 public:
  ChunkLoader(std::string_view file, std::string_view buffer, const LoadLimits& limits, LoadResult* out)
      : file_(file), buffer_(buffer), limits_(limits), out_(out), builder_(limits) {}

  void load(const Chunk& c, const std::shared_ptr<Arena>& arena) {
    base_ = buffer_.data() + c.begin;
    len_ = c.end - c.begin;
    line0_ = c.line;
    arena_ = arena.get();
    if (len_ > limits_.max_document_bytes) {
      error(ErrorCode::kDocumentTooLarge,
            "document is " + std::to_string(len_) + " bytes, above the limit of " +
                std::to_string(limits_.max_document_bytes) + " bytes; not parsed",
            c.content_line);
      return;
    }
    if (const void* nul = std::memchr(base_, 0, len_)) {
      size_t off = static_cast<size_t>(static_cast<const char*>(nul) - base_);
      error(ErrorCode::kBinaryInput, "binary data, not a YAML or JSON manifest (NUL byte in the document)",
            line0_ + countLines(base_, off));
      return;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
      error(ErrorCode::kYamlSyntax, "out of memory initialising the YAML parser", c.content_line);
      return;
    }
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(base_), len_);
    Document doc;
    bool in_doc = false;
    bool stop = false;
    while (!stop) {
      yaml_event_t ev;
      if (!yaml_parser_parse(&parser, &ev)) {
        parserError(parser);
        break;
      }
      uint32_t line = line0_ + static_cast<uint32_t>(ev.start_mark.line);
      switch (ev.type) {
        case YAML_STREAM_END_EVENT:
          stop = true;
          break;
        case YAML_DOCUMENT_START_EVENT:
          doc = Document();
          doc.shareArena(arena);
          doc.setHelmSource(std::string(c.helm_source));
          builder_.reset(arena_, &doc.mutableKeyDiagnostics());
          anchors_.clear();
          anchor_stack_.clear();
          alias_total_ = 0;
          in_doc = true;
          break;
        case YAML_DOCUMENT_END_EVENT:
          if (in_doc && builder_.done() && !builder_.root().isNull()) {
            Node* root = arena_->allocateArray<Node>(1);
            *root = builder_.root();
            doc.setRoot(root);
            doc.setLine(root->line());
            out_->documents.push_back(std::move(doc));
          }
          in_doc = false;
          break;
        case YAML_SCALAR_EVENT:
          stop = !scalar(ev, line);
          break;
        case YAML_ALIAS_EVENT:
          stop = !alias(ev, line);
          break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
          bool is_map = ev.type == YAML_MAPPING_START_EVENT;
          if (builder_.expectingKey()) {
            stop = true;
            error(ErrorCode::kYamlSyntax,
                  std::string("a ") + (is_map ? "mapping" : "sequence") +
                      " used as a mapping key is not supported (keys must be scalars)",
                  line);
            break;
          }
          const char* anchor = reinterpret_cast<const char*>(is_map ? ev.data.mapping_start.anchor
                                                                    : ev.data.sequence_start.anchor);
          if (!builder_.begin(is_map, line)) {
            stop = true;
            builderError();
            break;
          }
          anchor_stack_.emplace_back(anchor ? anchor : "");
          break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
          Node node;
          uint64_t expanded = 0;
          bool ok = builder_.end(&node, &expanded);
          if (!anchor_stack_.back().empty()) anchors_[anchor_stack_.back()] = Anchor{node, expanded};
          anchor_stack_.pop_back();
          if (!ok) {
            stop = true;
            builderError();
          }
          break;
        }
        default:
          break;
      }
      yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
  }

 private:
  void error(ErrorCode code, std::string message, uint32_t line) {
    out_->errors.push_back(InputError{code, std::string(file_), line, std::move(message)});
  }
  void builderError() { error(builder_.errorCode(), builder_.errorMessage(), builder_.errorLine()); }

  void parserError(const yaml_parser_t& p) {
    std::string problem = p.problem ? p.problem : "unknown YAML error";
    if (p.error == YAML_READER_ERROR) {
      size_t off = p.problem_offset < len_ ? p.problem_offset : len_;
      error(ErrorCode::kBinaryInput, "binary data, not a YAML or JSON manifest: " + problem,
            line0_ + countLines(base_, off));
      return;
    }
    uint32_t line = line0_ + static_cast<uint32_t>(p.problem_mark.line);
    std::string msg = "YAML syntax error: " + problem;
    if (p.context != nullptr) {
      msg += " (";
      msg += p.context;
      msg += " at line " + std::to_string(line0_ + p.context_mark.line) + ")";
    }
    error(ErrorCode::kYamlSyntax, std::move(msg), line);
  }

  // The scalar's text: a view into the input when byte-identical, else an arena copy.
  std::string_view stored(const yaml_event_t& ev) {
    const char* v = reinterpret_cast<const char*>(ev.data.scalar.value);
    size_t n = ev.data.scalar.length;
    if (n == 0) return std::string_view();
    size_t idx = ev.start_mark.index;
    yaml_scalar_style_t style = ev.data.scalar.style;
    if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE || style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) ++idx;
    if (style != YAML_LITERAL_SCALAR_STYLE && style != YAML_FOLDED_SCALAR_STYLE && idx + n <= len_ &&
        std::memcmp(base_ + idx, v, n) == 0) {
      return std::string_view(base_ + idx, n);
    }
    return arena_->copyString(std::string_view(v, n));
  }

  bool scalar(const yaml_event_t& ev, uint32_t line) {
    std::string_view text(reinterpret_cast<const char*>(ev.data.scalar.value), ev.data.scalar.length);
    Tag tag = tagOf(reinterpret_cast<const char*>(ev.data.scalar.tag));
    Scalar s;
    if (tag == Tag::kNone) {
      if (ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) s = resolvePlain(text);
    } else {
      std::string err;
      if (!resolveTagged(tag, text, &s, &err)) {
        error(ErrorCode::kYamlSyntax, err, line);
        return false;
      }
    }
    Node node;
    if (builder_.expectingKey()) {
      if (s.kind == ScalarKind::kMerge) {
        builder_.key("<<", line, true);
        node = Node::makeString("<<", line);
      } else {
        std::string_view k = s.kind == ScalarKind::kString ? stored(ev) : arena_->copyString(keyText(s));
        builder_.key(k, line, false);
        node = Node::makeString(k, line);
      }
    } else {
      switch (s.kind) {
        case ScalarKind::kNull: node = Node::makeNull(line); break;
        case ScalarKind::kBool: node = Node::makeBool(s.boolean, line); break;
        case ScalarKind::kInt: node = Node::makeInt(s.integer, line); break;
        case ScalarKind::kFloat: node = Node::makeFloat(s.real, line); break;
        case ScalarKind::kString:
        case ScalarKind::kMerge: node = Node::makeString(stored(ev), line); break;
      }
      if (!builder_.value(node, 1, false)) {
        builderError();
        return false;
      }
    }
    if (ev.data.scalar.anchor != nullptr) {
      anchors_[reinterpret_cast<const char*>(ev.data.scalar.anchor)] = Anchor{node, 1};
    }
    return true;
  }

  bool alias(const yaml_event_t& ev, uint32_t line) {
    const char* name = reinterpret_cast<const char*>(ev.data.alias.anchor);
    auto it = anchors_.find(name);
    if (it == anchors_.end()) {
      error(ErrorCode::kUnknownAlias, std::string("unknown alias *") + name + ": no anchor &" + name + " before it",
            line);
      return false;
    }
    const Anchor& a = it->second;
    alias_total_ = saturatingAdd(alias_total_, a.expanded);
    if (alias_total_ > limits_.max_alias_nodes) {
      error(ErrorCode::kAliasLimit,
            "aliases expand to more than " + std::to_string(limits_.max_alias_nodes) +
                " nodes (a \"billion laughs\" document?)",
            line);
      return false;
    }
    if (builder_.expectingKey()) {
      const Node& n = a.node;
      std::string_view k;
      if (n.isString()) {
        k = n.str();
      } else if (n.isArray() || n.isObject()) {
        error(ErrorCode::kYamlSyntax, "an alias of a " + std::string(nodeTypeName(n.type())) +
                                          " used as a mapping key is not supported (keys must be scalars)",
              line);
        return false;
      } else {
        Scalar s;
        s.kind = n.isNull() ? ScalarKind::kNull : n.isBool() ? ScalarKind::kBool
                 : n.isInt() ? ScalarKind::kInt : ScalarKind::kFloat;
        s.boolean = n.boolean();
        s.integer = n.integer();
        s.real = n.number();
        k = arena_->copyString(keyText(s));
      }
      builder_.key(k, line, false);
      return true;
    }
    if (!builder_.value(a.node, a.expanded, true)) {
      builderError();
      return false;
    }
    return true;
  }

  std::string_view file_;
  std::string_view buffer_;
  const LoadLimits& limits_;
  LoadResult* out_;
  TreeBuilder builder_;
  const char* base_ = nullptr;
  size_t len_ = 0;
  uint32_t line0_ = 1;
  Arena* arena_ = nullptr;
  std::unordered_map<std::string, Anchor> anchors_;
  std::vector<std::string> anchor_stack_;
  uint64_t alias_total_ = 0;
};

}  // namespace

void loadChunks(std::string_view file, std::string_view buffer, const Chunk* first, const Chunk* last,
                const LoadLimits& limits, LoadResult* out) {
  if (first == last) return;
  auto arena = std::make_shared<Arena>(64 * 1024);
  ChunkLoader loader(file, buffer, limits, out);
  for (const Chunk* c = first; c != last; ++c) loader.load(*c, arena);
}

}  // namespace kspm::loader
