// Pieces of loadBuffer that the parallel ingest drives directly.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "kspm/loader.h"
#include "loader/split.h"

namespace kspm::loader {

/** How a buffer will be read. */
struct Prepared {
  size_t start = 0;      // after the BOM
  bool json = false;     // first non-blank byte is `{` or `[`
  bool binary = false;   // NUL bytes near the start: not a text manifest
};
Prepared prepare(std::string_view buffer);

/** The error reported for a binary buffer. */
InputError binaryError(std::string_view file);

/**
 * Reads `buffer` as a JSON stream (one or more values). Returns false when RapidJSON rejects it
 * (the caller then reads it as YAML); `out` is untouched in that case.
 */
bool loadJson(std::string_view file, std::string_view buffer, size_t start, const LoadLimits& limits,
              LoadResult* out);

/** Parses chunks [first, last) of a split YAML stream; their documents share one arena. */
void loadChunks(std::string_view file, std::string_view buffer, const Chunk* first, const Chunk* last,
                const LoadLimits& limits, LoadResult* out);

}  // namespace kspm::loader
