#include "kspm/object.h"

#include <algorithm>
#include <string>

namespace kspm {

std::string_view Object::group() const {
  size_t slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
}

namespace {

std::string_view stringAt(const Node* node, std::initializer_list<std::string_view> keys) {
  const Node* n = node->find(keys);
  return n != nullptr && n->isString() ? n->str() : std::string_view();
}

std::string describe(const Node& n) {
  switch (n.type()) {
    case NodeType::kArray: return "a sequence";
    case NodeType::kObject: return "a mapping";
    case NodeType::kString: return "a string";
    case NodeType::kNull: return "null";
    default: return "a " + std::string(nodeTypeName(n.type()));
  }
}

// Why `n` is not a Kubernetes object, or "" when it is one.
std::string objectProblem(const Node& n) {
  if (!n.isObject()) return "is " + describe(n) + ", not a mapping";
  const Node* kind = n.get("kind");
  const Node* api = n.get("apiVersion");
  bool has_kind = kind != nullptr && kind->isString() && !kind->str().empty();
  bool has_api = api != nullptr && api->isString() && !api->str().empty();
  if (!has_kind && !has_api) return "has no apiVersion and no kind";
  if (!has_kind) return kind == nullptr ? "has no kind" : "has a kind that is not a non-empty string";
  if (!has_api) return api == nullptr ? "has no apiVersion" : "has an apiVersion that is not a non-empty string";
  return std::string();
}

Object makeObject(const Node* root, const Document* doc, uint32_t file, int32_t list_index) {
  Object o;
  o.root = root;
  o.document = doc;
  o.api_version = root->get("apiVersion")->str();
  o.kind = root->get("kind")->str();
  o.name = stringAt(root, {"metadata", "name"});
  o.namespace_ = stringAt(root, {"metadata", "namespace"});
  o.file = file;
  o.line = root->line();
  o.list_index = list_index;
  return o;
}

}  // namespace

uint32_t ObjectSet::addFile(std::unique_ptr<SourceFile> file, const LoadLimits& limits) {
  SourceFile* f = file.get();
  // The buffer does not move when the unique_ptr does, so loading before adding is safe.
  LoadResult loaded = loadBuffer(f->path, f->content, limits);
  return addLoaded(std::move(file), std::move(loaded));
}

uint32_t ObjectSet::addLoaded(std::unique_ptr<SourceFile> file, LoadResult loaded) {
  const uint32_t index = static_cast<uint32_t>(files_.size());
  const std::string path = file->path;
  files_.push_back(std::move(file));
  for (InputError& e : loaded.errors) errors_.push_back(std::move(e));
  // Exact for one big file (unless Lists expand); geometric across many files.
  if (size_t need = objects_.size() + loaded.documents.size(); need > objects_.capacity()) {
    objects_.reserve(std::max(need, 2 * objects_.capacity()));
  }
  for (Document& d : loaded.documents) {
    documents_.push_back(std::move(d));
    const Document* doc = &documents_.back();
    const Node* root = doc->root();
    if (root == nullptr) continue;
    ++document_count_;
    std::string problem = objectProblem(*root);
    if (!problem.empty()) {
      ErrorCode code = root->isObject() ? ErrorCode::kMissingKind : ErrorCode::kNotAnObject;
      errors_.push_back(InputError{code, path, doc->line(),
                                   "document at line " + std::to_string(doc->line()) + " " + problem +
                                       ": not a Kubernetes object"});
      continue;
    }
    std::string_view kind = root->get("kind")->str();
    const Node* items = root->get("items");
    bool is_list_kind = kind.size() >= 4 && kind.substr(kind.size() - 4) == "List";
    if (is_list_kind && items != nullptr && items->isArray()) {
      int32_t i = 0;
      for (const Node& item : items->items()) {
        std::string item_problem = objectProblem(item);
        if (!item_problem.empty()) {
          errors_.push_back(InputError{ErrorCode::kInvalidListItems, path, item.line(),
                                       "item " + std::to_string(i) + " (line " + std::to_string(item.line()) +
                                           ") of the " + std::string(kind) + " at line " +
                                           std::to_string(doc->line()) + " " + item_problem +
                                           ": not a Kubernetes object"});
        } else {
          objects_.push_back(makeObject(&item, doc, index, i));
        }
        ++i;
      }
      continue;
    }
    if (kind == "List" && items != nullptr && !items->isNull()) {
      errors_.push_back(InputError{ErrorCode::kInvalidListItems, path, items->line(),
                                   "the List at line " + std::to_string(doc->line()) + " has items that are " +
                                       describe(*items) + ", not a sequence of objects"});
      continue;
    }
    if (kind == "List") continue;  // an empty List
    objects_.push_back(makeObject(root, doc, index, -1));
  }
  return index;
}

}  // namespace kspm
