// JSON -> Node trees with RapidJSON's SAX Reader (iterative: no recursion).
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <cstring>
#include <limits>

#include "loader/load_internal.h"
#include "loader/tree_builder.h"
#include "model/arena.h"

namespace kspm::loader {
namespace {

// A plain in-memory stream used by reference (no copy optimisation), so the handler sees Tell().
struct Stream {
  using Ch = char;
  const char* begin;
  const char* cur;
  const char* end;
  Ch Peek() const { return cur < end ? *cur : '\0'; }
  Ch Take() { return cur < end ? *cur++ : '\0'; }
  size_t Tell() const { return static_cast<size_t>(cur - begin); }
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }
};

class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
 public:
  Handler(TreeBuilder& b, Stream& s, Arena& arena, bool skip_managed_fields)
      : b_(b), s_(s), arena_(arena), skip_managed_fields_(skip_managed_fields) {}

  // Lines are counted lazily from the last position: O(input) in total.
  uint32_t line() {
    size_t pos = s_.Tell();
    const char* p = s_.begin + last_pos_;
    const char* e = s_.begin + pos;
    while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(e - p)))) != nullptr) {
      ++line_;
      ++p;
    }
    last_pos_ = pos;
    return line_;
  }

  // While skipping (a managedFields value), events only track nesting until the value ends.
  bool Null() { return skipScalar() || b_.value(Node::makeNull(line()), 1, false); }
  bool Bool(bool v) { return skipScalar() || b_.value(Node::makeBool(v, line()), 1, false); }
  bool Int(int v) { return skipScalar() || b_.value(Node::makeInt(v, line()), 1, false); }
  bool Uint(unsigned v) { return skipScalar() || b_.value(Node::makeInt(v, line()), 1, false); }
  bool Int64(int64_t v) { return skipScalar() || b_.value(Node::makeInt(v, line()), 1, false); }
  bool Uint64(uint64_t v) {
    if (skipScalar()) return true;
    if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return b_.value(Node::makeInt(static_cast<int64_t>(v), line()), 1, false);
    }
    return b_.value(Node::makeFloat(static_cast<double>(v), line()), 1, false);
  }
  bool Double(double v) { return skipScalar() || b_.value(Node::makeFloat(v, line()), 1, false); }
  bool String(const char* str, rapidjson::SizeType len, bool) {
    return skipScalar() || b_.value(Node::makeString(text(str, len), line()), 1, false);
  }
  bool Key(const char* str, rapidjson::SizeType len, bool) {
    if (skip_depth_ > 0) return true;
    if (skip_managed_fields_ && std::string_view(str, len) == "managedFields") {
      skip_next_ = true;
      return true;
    }
    b_.key(text(str, len), line(), false);
    return true;
  }
  bool StartObject() { return skipOpen() || b_.begin(true, line()); }
  bool EndObject(rapidjson::SizeType) { return skipClose() || b_.end(nullptr, nullptr); }
  bool StartArray() { return skipOpen() || b_.begin(false, line()); }
  bool EndArray(rapidjson::SizeType) { return skipClose() || b_.end(nullptr, nullptr); }

  uint32_t line_ = 1;
  size_t last_pos_ = 0;

 private:
  // A view into the input when the string had no escapes (it ends just before Tell()), else a copy.
  std::string_view text(const char* str, size_t len) {
    if (len == 0) return std::string_view();
    size_t pos = s_.Tell();
    if (pos >= len + 1) {
      const char* cand = s_.begin + pos - 1 - len;
      if (std::memcmp(cand, str, len) == 0) return std::string_view(cand, len);
    }
    return arena_.copyString(std::string_view(str, len));
  }

  // True when the scalar belongs to a skipped value (and ends it when it is the whole value).
  bool skipScalar() {
    if (skip_depth_ > 0) return true;
    if (!skip_next_) return false;
    skip_next_ = false;
    return true;
  }
  bool skipOpen() {
    if (skip_depth_ == 0 && !skip_next_) return false;
    skip_next_ = false;
    ++skip_depth_;
    return true;
  }
  bool skipClose() {
    if (skip_depth_ == 0) return false;
    --skip_depth_;
    return true;
  }

  TreeBuilder& b_;
  Stream& s_;
  Arena& arena_;
  bool skip_managed_fields_;
  bool skip_next_ = false;    // the next value is a managedFields value
  uint32_t skip_depth_ = 0;  // nesting inside the value being skipped
};

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

bool loadJson(std::string_view file, std::string_view buffer, size_t start, const LoadLimits& limits,
              LoadResult* out) {
  LoadResult result;
  auto arena = std::make_shared<Arena>(64 * 1024);
  TreeBuilder builder(limits);
  Stream stream{buffer.data(), buffer.data() + start, buffer.data() + buffer.size()};
  Handler handler(builder, stream, *arena, limits.skip_managed_fields);
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag;
  while (true) {
    while (stream.cur < stream.end && isSpace(*stream.cur)) ++stream.cur;
    if (stream.cur >= stream.end) break;
    Document doc;
    doc.shareArena(arena);
    builder.reset(arena.get(), &doc.mutableKeyDiagnostics());
    // The limit applies to each document of a stream of JSON values (a snapshot is one List per
    // page): the stream ends early for the parser, which then fails inside the oversized document.
    const char* document_start = stream.cur;
    const char* real_end = stream.end;
    if (static_cast<uint64_t>(real_end - document_start) > limits.max_document_bytes) {
      stream.end = document_start + limits.max_document_bytes;
    }
    rapidjson::ParseResult ok = reader.Parse<kFlags>(stream, handler);
    bool truncated = stream.end != real_end;
    stream.end = real_end;
    if (!ok && truncated && stream.cur >= document_start + limits.max_document_bytes) {
      uint32_t line = handler.line();
      result.errors.push_back(InputError{ErrorCode::kDocumentTooLarge, std::string(file), line,
                                         "JSON document starting at byte " +
                                             std::to_string(document_start - buffer.data()) +
                                             " is larger than the limit of " +
                                             std::to_string(limits.max_document_bytes) +
                                             " bytes; not parsed (nor the rest of the file)"});
      break;
    }
    if (!ok) {
      if (builder.errorCode() != ErrorCode::kOk) {
        // Our own limit (depth): a real error for this JSON document, not a reason to try YAML.
        result.errors.push_back(
            InputError{builder.errorCode(), std::string(file), builder.errorLine(), builder.errorMessage()});
        break;
      }
      return false;
    }
    if (builder.done() && !builder.root().isNull()) {
      Node* root = arena->allocateArray<Node>(1);
      *root = builder.root();
      doc.setRoot(root);
      doc.setLine(root->line());
      result.documents.push_back(std::move(doc));
    }
  }
  for (auto& d : result.documents) out->documents.push_back(std::move(d));
  for (auto& e : result.errors) out->errors.push_back(std::move(e));
  return true;
}

}  // namespace kspm::loader
