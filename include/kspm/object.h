// Kubernetes objects as kspm sees them: a tree plus where it came from.
//
// An ObjectSet owns the input buffers and Documents; Objects point into them. `kind: List` and
// every `*List` with `items` are expanded: each item becomes its own Object.
// Thread safety: immutable once built; read from any number of threads.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/loader.h"
#include "kspm/node.h"
#include "kspm/status.h"

namespace kspm {

struct Object {
  const Node* root = nullptr;        // the object mapping
  const Document* document = nullptr;
  std::string_view api_version;      // as written, e.g. "apps/v1"
  std::string_view kind;
  std::string_view name;             // metadata.name (or "" with generateName)
  std::string_view namespace_;       // metadata.namespace as written, "" when absent
  uint32_t file = 0;                 // index into ObjectSet::files()
  uint32_t line = 0;                 // line where the object starts
  int32_t list_index = -1;           // index within a List's items, -1 for top-level objects

  /** API group: "" for core (apiVersion "v1"), else the part before '/'. */
  std::string_view group() const;
  /** metadata, or nullptr. */
  const Node* metadata() const { return root->get("metadata"); }
};

/** One input source: a file path or "-" for stdin, with its bytes. */
struct SourceFile {
  std::string path;
  std::string content;
};

class ObjectSet {
 public:
  ObjectSet() = default;
  ObjectSet(const ObjectSet&) = delete;
  ObjectSet& operator=(const ObjectSet&) = delete;
  ObjectSet(ObjectSet&&) = default;
  ObjectSet& operator=(ObjectSet&&) = default;

  const std::vector<std::unique_ptr<SourceFile>>& files() const { return files_; }
  const std::vector<Object>& objects() const { return objects_; }
  const std::vector<InputError>& errors() const { return errors_; }
  /** Number of non-empty documents read (before List expansion). */
  uint64_t documentCount() const { return document_count_; }

  /** Namespace given with -n, applied to objects without metadata.namespace; "" if none. */
  const std::string& defaultNamespace() const { return default_namespace_; }
  /** Effective namespace of an object: metadata.namespace, else -n, else "" (unspecified). */
  std::string_view namespaceOf(const Object& object) const {
    return object.namespace_.empty() ? std::string_view(default_namespace_) : object.namespace_;
  }
  const std::string& pathOf(const Object& object) const { return files_[object.file]->path; }

  /** Adds a file and loads every object in it. Returns the file index. */
  uint32_t addFile(std::unique_ptr<SourceFile> file, const LoadLimits& limits);
  /** Adds a file and an already-loaded LoadResult (for parallel loading); returns the file index. */
  uint32_t addLoaded(std::unique_ptr<SourceFile> file, LoadResult loaded);
  void addError(InputError error) { errors_.push_back(std::move(error)); }
  void setDefaultNamespace(std::string ns) { default_namespace_ = std::move(ns); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
  std::deque<Document> documents_;  // a deque: push_back keeps element addresses stable
  std::vector<Object> objects_;
  std::vector<InputError> errors_;
  std::string default_namespace_;
  uint64_t document_count_ = 0;
};

}  // namespace kspm
