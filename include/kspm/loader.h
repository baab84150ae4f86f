// Turns bytes into document trees, the way `kubectl apply -f` reads them.
//
// YAML is read with libyaml's event parser and typed with go-yaml v2's resolver (the one that
// sigs.k8s.io/yaml uses): plain y/Y/yes/Yes/YES/on/On/ON/true/True/TRUE are true, n/N/no/No/NO/
// off/Off/OFF/false/False/FALSE are false, ~/null/Null/NULL/empty are null, 0o17 and 017 are 15,
// 0x1F is 31, `_` in numbers is dropped, base-60 like 1:30 stays a string; quoted scalars are
// always strings. Merge keys (`<<`) are applied (explicit keys win). Duplicate keys: the last one
// wins and each duplicate is reported as a KeyDiagnostic. Non-string keys become strings.
// JSON input (first non-blank byte `{` or `[`) is read with RapidJSON; if it is not valid JSON it
// is read as YAML, as kubectl does.
//
// A stream is split into documents at `---` lines, so an error in one document does not lose the
// others. Empty and comment-only documents are skipped. A leading UTF-8 BOM is ignored.
//
// Thread safety: loadBuffer is reentrant; call it from several threads on different buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/node.h"
#include "kspm/status.h"

namespace kspm {

/** Limits on untrusted input. Each breach is an InputError for that document only. */
struct LoadLimits {
  uint64_t max_document_bytes = 64ull << 20;  // one YAML/JSON document
  uint32_t max_depth = 256;                   // nested mappings + sequences
  uint64_t max_alias_nodes = 1'000'000;       // nodes reachable through aliases, per document
  /**
   * JSON only: leave out every `managedFields` member (the API server's field ownership records,
   * a third of a typical object and of no use to a check). The admission webhook sets it.
   */
  bool skip_managed_fields = false;
};

/** A note about a key in a loaded document (not an error: the document is still used). */
struct KeyDiagnostic {
  enum class Kind : uint8_t { kDuplicateKey };
  Kind kind = Kind::kDuplicateKey;
  uint32_t line = 0;       // line of the duplicate (later) key
  uint32_t first_line = 0; // line of the key it overrides
  std::string key;
  std::string path;        // dotted path of the mapping holding the key, e.g. "metadata.labels"
};

class Arena;

/** One non-empty YAML/JSON document. Owns (a share of) the arena its nodes live in. */
class Document {
 public:
  Document();
  ~Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  const Node* root() const { return root_; }
  /** Line of the first content of the document (1-based, in the whole file). */
  uint32_t line() const { return line_; }
  /** Template named by a `# Source: chart/templates/x.yaml` comment heading this document, or "". */
  const std::string& helmSource() const { return helm_source_; }
  const std::vector<KeyDiagnostic>& keyDiagnostics() const { return key_diagnostics_; }

  // Builder access (loader only).
  Arena& arena();
  void setRoot(const Node* root) { root_ = root; }
  void setLine(uint32_t line) { line_ = line; }
  void setHelmSource(std::string source) { helm_source_ = std::move(source); }
  std::vector<KeyDiagnostic>& mutableKeyDiagnostics() { return key_diagnostics_; }
  /** Makes this document use (and keep alive) an arena shared with other documents of a chunk. */
  void shareArena(std::shared_ptr<Arena> arena) { arena_ = std::move(arena); }

 private:
  std::shared_ptr<Arena> arena_;  // shared by the documents loaded from one chunk of a stream
  const Node* root_ = nullptr;
  uint32_t line_ = 0;
  std::string helm_source_;
  std::vector<KeyDiagnostic> key_diagnostics_;
};

/** What one buffer yielded: documents in input order, and errors (each with file and line). */
struct LoadResult {
  std::vector<Document> documents;
  std::vector<InputError> errors;
};

/**
 * Parses every document in `buffer`. `file` is used in error messages only. The buffer must
 * outlive the returned documents (string nodes may point into it). Never throws; every problem is
 * an InputError and the remaining documents are still returned.
 */
LoadResult loadBuffer(std::string_view file, std::string_view buffer, const LoadLimits& limits = {});

}  // namespace kspm
