// Streaming JSON over a path schema (RapidJSON SAX), purls and image keys.
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "checks/common/image_ref.h"
#include "engine/vulns/internal.h"

namespace kspm::vulns::internal {

InputError makeError(ErrorCode code, const std::string& file, std::string message, uint32_t line) {
  InputError error;
  error.code = code;
  error.file = file;
  error.line = line;
  error.message = std::move(message);
  return error;
}

int Schema::add(int parent, std::string_view key) {
  int id = static_cast<int>(nodes_.size());
  nodes_.emplace_back();
  link(parent, key, id);
  return id;
}

void Schema::link(int parent, std::string_view key, int child) {
  Node& n = nodes_[parent];
  if (key == "[]") {
    n.item = child;
  } else if (key == "*") {
    n.any = child;
  } else {
    n.children.emplace_back(std::string(key), child);
  }
}

namespace {

// A buffered file stream in the shape of rapidjson::FileReadStream (a NUL sentinel after the last
// byte), which also bounds one token: when more than `cap` bytes pass between two handler events
// (a giant string or number), the stream ends early and the parse fails.
class CappedFileStream {
 public:
  using Ch = char;
  CappedFileStream(std::FILE* file, size_t cap) : file_(file), cap_(cap), buffer_(new char[kSize + 1]) {
    current_ = buffer_.get();
    last_ = buffer_.get();
    *current_ = '\0';
    fill();
  }
  Ch Peek() const { return *current_; }
  Ch Take() {
    Ch c = *current_;
    advance();
    return c;
  }
  size_t Tell() const { return count_ + static_cast<size_t>(current_ - buffer_.get()); }
  void mark() { mark_ = Tell(); }
  bool overflowed() const { return overflowed_; }
  bool readError() const { return read_error_; }
  // Unused by a non-insitu Reader.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }

 private:
  static constexpr size_t kSize = size_t{1} << 18;
  void advance() {
    if (current_ < last_) {
      ++current_;
    } else if (!eof_) {
      fill();
    }
  }
  void fill() {
    count_ += read_;
    if (count_ - mark_ > cap_) {
      overflowed_ = true;
      eof_ = true;
      read_ = 0;
      current_ = buffer_.get();
      last_ = current_;
      *current_ = '\0';
      return;
    }
    read_ = std::fread(buffer_.get(), 1, kSize, file_);
    current_ = buffer_.get();
    last_ = buffer_.get() + (read_ == 0 ? 0 : read_ - 1);
    if (read_ < kSize) {
      if (std::ferror(file_)) read_error_ = true;
      buffer_[read_] = '\0';
      if (read_ > 0) ++last_;
      eof_ = true;
    }
  }

  std::FILE* file_;
  size_t cap_;
  std::unique_ptr<char[]> buffer_;
  char* current_;
  char* last_;
  size_t read_ = 0;
  size_t count_ = 0;
  size_t mark_ = 0;
  bool eof_ = false;
  bool overflowed_ = false;
  bool read_error_ = false;
};

class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
 public:
  Handler(const Schema& schema, Events& events, CappedFileStream& stream, uint32_t max_depth)
      : schema_(schema), events_(events), stream_(stream), max_depth_(max_depth) {
    stack_.reserve(64);
  }
  bool depthExceeded() const { return depth_exceeded_; }

  bool Null() { return mark(); }
  bool Bool(bool b) {
    int n = valueNode();
    if (n != Schema::kSkip) events_.boolean(n, b);
    return done();
  }
  bool Int(int i) { return Double(i); }
  bool Uint(unsigned u) { return Double(u); }
  bool Int64(int64_t i) { return Double(static_cast<double>(i)); }
  bool Uint64(uint64_t u) { return Double(static_cast<double>(u)); }
  bool Double(double d) {
    int n = valueNode();
    if (n != Schema::kSkip) events_.number(n, d);
    return done();
  }
  bool String(const char* s, rapidjson::SizeType length, bool) {
    int n = valueNode();
    if (n != Schema::kSkip) events_.string(n, std::string_view(s, length));
    return done();
  }
  bool StartObject() { return start(false); }
  bool StartArray() { return start(true); }
  bool Key(const char* s, rapidjson::SizeType length, bool) {
    int top = stack_.back().node;
    key_node_ = top == Schema::kSkip ? Schema::kSkip : schema_.child(top, std::string_view(s, length));
    return mark();
  }
  bool EndObject(rapidjson::SizeType) { return finish(); }
  bool EndArray(rapidjson::SizeType) { return finish(); }

 private:
  struct Frame {
    int node;
    bool array;
  };
  bool mark() {
    stream_.mark();
    return true;
  }
  bool done() {
    stream_.mark();
    return events_.failure.empty();
  }
  int valueNode() const {
    if (stack_.empty()) return 0;
    const Frame& top = stack_.back();
    if (top.node == Schema::kSkip) return Schema::kSkip;
    return top.array ? schema_.item(top.node) : key_node_;
  }
  bool start(bool array) {
    if (stack_.size() >= max_depth_) {
      depth_exceeded_ = true;
      return false;
    }
    int n = valueNode();
    stack_.push_back({n, array});
    if (n != Schema::kSkip) events_.begin(n, array);
    return done();
  }
  bool finish() {
    int n = stack_.back().node;
    stack_.pop_back();
    if (n != Schema::kSkip) events_.end(n);
    return done();
  }

  const Schema& schema_;
  Events& events_;
  CappedFileStream& stream_;
  uint32_t max_depth_;
  std::vector<Frame> stack_;
  int key_node_ = Schema::kSkip;
  bool depth_exceeded_ = false;
};

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};

}  // namespace

std::optional<InputError> walkJsonFile(const std::string& path, const Schema& schema, Events& events,
                                       const LoadLimits& limits) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return makeError(ErrorCode::kIoError, path, std::string("cannot open: ") + std::strerror(errno));
  // A UTF-8 byte order mark is skipped; UTF-16 (PowerShell's `>`) is named rather than misparsed.
  unsigned char head[3] = {0, 0, 0};
  size_t got = std::fread(head, 1, 3, file.get());
  if (got >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF))) {
    return makeError(ErrorCode::kBinaryInput, path, "UTF-16 text: convert it to UTF-8");
  }
  if (!(got == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)) std::rewind(file.get());
  CappedFileStream stream(file.get(), limits.max_string_bytes);
  Handler handler(schema, events, stream, limits.max_depth);
  rapidjson::Reader reader;
  rapidjson::ParseResult result = reader.Parse<rapidjson::kParseDefaultFlags>(stream, handler);
  if (stream.readError()) return makeError(ErrorCode::kIoError, path, "read error");
  if (result) return std::nullopt;
  std::string at = "at byte " + std::to_string(result.Offset()) + ": ";
  if (handler.depthExceeded()) {
    return makeError(ErrorCode::kDepthLimit, path,
                     at + "nesting deeper than " + std::to_string(limits.max_depth));
  }
  if (!events.failure.empty()) return makeError(ErrorCode::kInvalidObject, path, at + events.failure);
  if (stream.overflowed()) {
    return makeError(ErrorCode::kDocumentTooLarge, path,
                     at + "a token longer than " + std::to_string(limits.max_string_bytes) + " bytes");
  }
  return makeError(ErrorCode::kJsonSyntax, path, at + rapidjson::GetParseError_En(result.Code()));
}

// ---- purls -------------------------------------------------------------------------------------

namespace {
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = hexValue(text[i + 1]);
      int lo = hexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string Purl::qualifier(std::string_view key) const {
  for (const auto& [k, v] : qualifiers) {
    if (k == key) return v;
  }
  return {};
}

std::optional<Purl> parsePurl(std::string_view text) {
  if (text.size() < 5 || text.substr(0, 4) != "pkg:") return std::nullopt;
  text.remove_prefix(4);
  while (!text.empty() && text.front() == '/') text.remove_prefix(1);
  if (size_t hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
  Purl purl;
  if (size_t q = text.find('?'); q != std::string_view::npos) {
    std::string_view qs = text.substr(q + 1);
    text = text.substr(0, q);
    while (!qs.empty()) {
      size_t amp = qs.find('&');
      std::string_view pair = qs.substr(0, amp);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos) {
        std::string key(pair.substr(0, eq));
        for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        purl.qualifiers.emplace_back(std::move(key), percentDecode(pair.substr(eq + 1)));
      }
      if (amp == std::string_view::npos) break;
      qs.remove_prefix(amp + 1);
    }
  }
  if (size_t at = text.rfind('@'); at != std::string_view::npos && text.find('/') < at) {
    purl.version = percentDecode(text.substr(at + 1));
    text = text.substr(0, at);
  }
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  purl.type = std::string(text.substr(0, slash));
  for (char& c : purl.type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  text.remove_prefix(slash + 1);
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  size_t last = text.rfind('/');
  if (last == std::string_view::npos) {
    purl.name = percentDecode(text);
  } else {
    purl.namespace_ = percentDecode(text.substr(0, last));
    purl.name = percentDecode(text.substr(last + 1));
  }
  if (purl.name.empty()) return std::nullopt;
  return purl;
}

// ---- image keys --------------------------------------------------------------------------------

namespace {
std::string repoOf(const checks::ImageRef& ref) { return checks::normalizeRegistry(ref.registry) + "/" + ref.path; }
}  // namespace

bool addReferenceKeys(std::string_view reference, ImageKeys* keys) {
  checks::ParsedImage parsed = checks::parseImageRef(reference);
  if (parsed.status != checks::ImageRefStatus::kOk) return false;
  const checks::ImageRef& ref = parsed.ref;
  std::string repo = repoOf(ref);
  if (ref.hasDigest()) {
    keys->repo_digests.push_back(repo + "@" + ref.digest);
    keys->digests.push_back(ref.digest);
  }
  if (!ref.tag.empty() || !ref.hasDigest()) keys->tags.push_back(repo + ":" + (ref.tag.empty() ? "latest" : ref.tag));
  keys->repos.push_back(std::move(repo));
  return true;
}

std::optional<std::string> normalizedRepository(std::string_view repository) {
  std::string_view text = repository;
  for (std::string_view scheme : {"https://", "http://", "oci://", "docker://"}) {
    if (text.substr(0, scheme.size()) == scheme) text.remove_prefix(scheme.size());
  }
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  checks::ParsedImage parsed = checks::parseImageRef(text);
  if (parsed.status != checks::ImageRefStatus::kOk) return std::nullopt;
  return repoOf(parsed.ref);
}

bool packageMatches(std::string_view report_package, std::string_view vex_name) {
  if (vex_name.empty() || report_package.empty()) return false;
  if (report_package == vex_name) return true;
  if (report_package.size() > vex_name.size()) {
    char sep = report_package[report_package.size() - vex_name.size() - 1];
    if ((sep == '/' || sep == ':') && report_package.substr(report_package.size() - vex_name.size()) == vex_name) {
      return true;
    }
  }
  return false;
}

}  // namespace kspm::vulns::internal
