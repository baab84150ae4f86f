#include "kspm/loader.h"

#include <cstring>

#include "loader/load_internal.h"
#include "model/arena.h"

namespace kspm {

Document::Document() = default;
Document::~Document() = default;
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;

Arena& Document::arena() {
  if (!arena_) arena_ = std::make_shared<Arena>(4096);
  return *arena_;
}

namespace loader {

Prepared prepare(std::string_view buffer) {
  Prepared p;
  p.start = bomLength(buffer);
  // Text manifests never hold NUL bytes; look near the start like `git` and `file` do. NUL bytes
  // further on are reported for the document holding them.
  size_t probe = std::min<size_t>(buffer.size(), 8192);
  if (std::memchr(buffer.data(), 0, probe) != nullptr) {
    p.binary = true;
    return p;
  }
  for (size_t i = p.start; i < buffer.size(); ++i) {
    char c = buffer[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    p.json = c == '{' || c == '[';
    break;
  }
  return p;
}

InputError binaryError(std::string_view file) {
  return InputError{ErrorCode::kBinaryInput, std::string(file), 1,
                    "binary data, not a YAML or JSON manifest (NUL bytes in the file)"};
}

}  // namespace loader

LoadResult loadBuffer(std::string_view file, std::string_view buffer, const LoadLimits& limits) {
  LoadResult result;
  loader::Prepared p = loader::prepare(buffer);
  if (p.binary) {
    result.errors.push_back(loader::binaryError(file));
    return result;
  }
  if (p.json && loader::loadJson(file, buffer, p.start, limits, &result)) return result;
  std::vector<loader::Chunk> chunks = loader::splitStream(buffer, p.start);
  loader::loadChunks(file, buffer, chunks.data(), chunks.data() + chunks.size(), limits, &result);
  return result;
}

}  // namespace kspm
