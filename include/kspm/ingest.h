// Reading manifests from paths: files, directories (recursive) and "-" for stdin, in parallel.
//
// The result is identical (order and content) whatever the thread count: files are taken in
// command-line order, directory entries in sorted order, and a big file's documents are loaded in
// ranges whose results are concatenated in input order.
// Thread safety: ingestPaths may be called from any thread; it starts and joins its own workers.
#pragma once

#include <string>
#include <vector>

#include "kspm/loader.h"
#include "kspm/object.h"

namespace kspm {

struct IngestOptions {
  LoadLimits limits;
  unsigned threads = 0;  // 0 = std::thread::hardware_concurrency()
  std::string default_namespace;
};

/**
 * Loads every path: a file (read whatever its extension), a directory (recursively, only
 * .yaml/.yml/.json files, sorted), or "-" for standard input. A missing or unreadable path is a
 * kIoError naming it; the other paths are still loaded.
 */
ObjectSet ingestPaths(const std::vector<std::string>& paths, const IngestOptions& options);

}  // namespace kspm
