// Splitting a YAML stream into documents at `---` lines, without parsing it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace kspm::loader {

/** One document's bytes in the whole buffer. Only documents with content are listed. */
struct Chunk {
  size_t begin = 0;                // first byte (the `---` line, if any)
  size_t end = 0;                  // one past the last byte
  uint32_t line = 1;               // 1-based line of `begin` in the whole buffer
  uint32_t content_line = 1;       // 1-based line of the first content
  std::string_view helm_source;    // from the closest preceding `# Source: ...` comment
};

/** Length of a leading UTF-8 BOM (0 or 3). */
size_t bomLength(std::string_view buffer);

/**
 * Documents of `buffer` from byte `start` on (after a BOM). A document starts at a line beginning
 * with `---` followed by space, tab or end of line. Documents holding only blank lines, comments
 * and `...` are skipped; a chunk holding only `%` directives is joined to the next one.
 */
std::vector<Chunk> splitStream(std::string_view buffer, size_t start);

}  // namespace kspm::loader
