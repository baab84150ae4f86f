// Page normalisation: one SAX pass from the API server's list response to the compact List the
// loader reads, with apiVersion/kind injected, managedFields dropped and Secrets reduced.
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <vector>

#include "kspm/cluster_read.h"

namespace kspm::cluster {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
constexpr unsigned kParseFlags = rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag;

bool is(const char* s, rapidjson::SizeType n, std::string_view want) {
  return std::string_view(s, n) == want;
}

// What the next value (after a key, or as an array element) is.
enum class Act : uint8_t {
  kEmit,         // copy it
  kSkip,         // drop it (inside items)
  kIgnore,       // drop it (outside items)
  kTopKind,      // the list's kind
  kTopMeta,      // the list's metadata
  kTopContinue,  // metadata.continue
  kTopVersion,   // metadata.resourceVersion
  kItems,        // the items array
  kItem,         // one item
  kItemMeta,     // an item's metadata
  kSecretKeys,   // a Secret's data/stringData: keys only
  kSecretAnnotations,  // a Secret's annotations: only the service account a legacy token belongs to
};

// The role of an open container.
enum class Role : uint8_t {
  kTop, kTopMeta, kItems, kItem, kItemMeta, kSecretKeys, kSecretAnnotations, kPass, kPassArray, kSkip, kIgnore
};

// The annotations a reduced Secret keeps: which service account a legacy token Secret belongs to
// (the security graph's "read secrets, become that service account"). Names, not values.
bool keptSecretAnnotation(std::string_view key) {
  return key == "kubernetes.io/service-account.name" || key == "kubernetes.io/service-account.uid";
}

class PageHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, PageHandler> {
 public:
  PageHandler(JsonWriter* writer, std::string_view api_version, std::string_view kind, uint32_t max_depth,
              NormalizedPage* page)
      : w_(writer), api_version_(api_version), kind_(kind), max_depth_(max_depth), page_(page),
        secret_(kind == "Secret" && api_version == "v1") {}

  std::string error;  // set when the handler stopped the parse
  ErrorCode error_code = ErrorCode::kOk;
  std::string list_kind;
  bool top_seen = false;

  bool Null() { return scalar([&] { return w_->Null(); }, true); }
  bool Bool(bool b) { return scalar([&] { return w_->Bool(b); }, false); }
  bool Int(int) { return true; }        // not called with kParseNumbersAsStringsFlag
  bool Uint(unsigned) { return true; }
  bool Int64(int64_t) { return true; }
  bool Uint64(uint64_t) { return true; }
  bool Double(double) { return true; }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    return scalar([&] { return w_->RawValue(s, n, rapidjson::kNumberType); }, false);
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    Act a = take();
    switch (a) {
      case Act::kTopKind: list_kind.assign(s, n); return true;
      case Act::kTopContinue: page_->continue_token.assign(s, n); return true;
      case Act::kTopVersion: page_->resource_version.assign(s, n); return true;
      default: break;
    }
    return scalarAct(a, [&] { return w_->String(s, n); }, false);
  }

  bool StartObject() {
    if (frames_.size() >= max_depth_) return fail(ErrorCode::kDepthLimit, "nesting deeper than " + std::to_string(max_depth_));
    if (frames_.empty()) {
      top_seen = true;
      frames_.push_back(Role::kTop);
      return true;
    }
    Act a = take();
    switch (a) {
      case Act::kEmit: frames_.push_back(Role::kPass); return w_->StartObject();
      case Act::kSkip: frames_.push_back(Role::kSkip); return true;
      case Act::kTopMeta: frames_.push_back(Role::kTopMeta); return true;
      case Act::kItems: return fail(ErrorCode::kInvalidListItems, "items is a mapping, not a sequence");
      case Act::kItem:
        frames_.push_back(Role::kItem);
        w_->StartObject();
        w_->Key("apiVersion", 10);
        w_->String(api_version_.data(), static_cast<rapidjson::SizeType>(api_version_.size()));
        w_->Key("kind", 4);
        return w_->String(kind_.data(), static_cast<rapidjson::SizeType>(kind_.size()));
      case Act::kItemMeta: frames_.push_back(Role::kItemMeta); return w_->StartObject();
      case Act::kSecretKeys: frames_.push_back(Role::kSecretKeys); return w_->StartObject();
      case Act::kSecretAnnotations: frames_.push_back(Role::kSecretAnnotations); return w_->StartObject();
      default: frames_.push_back(Role::kIgnore); return true;
    }
  }

  bool Key(const char* s, rapidjson::SizeType n, bool) {
    switch (frames_.back()) {
      case Role::kTop:
        if (is(s, n, "kind")) next_ = Act::kTopKind;
        else if (is(s, n, "metadata")) next_ = Act::kTopMeta;
        else if (is(s, n, "items") && !items_seen_) { next_ = Act::kItems; items_seen_ = true; }
        else next_ = Act::kIgnore;
        return true;
      case Role::kTopMeta:
        if (is(s, n, "continue")) next_ = Act::kTopContinue;
        else if (is(s, n, "resourceVersion")) next_ = Act::kTopVersion;
        else next_ = Act::kIgnore;
        return true;
      case Role::kItem:
        if (is(s, n, "apiVersion") || is(s, n, "kind")) next_ = Act::kSkip;
        else if (is(s, n, "metadata")) next_ = Act::kItemMeta;
        else if (!secret_) next_ = Act::kEmit;
        else if (is(s, n, "type")) next_ = Act::kEmit;
        else if (is(s, n, "data") || is(s, n, "stringData")) next_ = Act::kSecretKeys;
        else next_ = Act::kSkip;
        break;
      case Role::kItemMeta:
        if (is(s, n, "managedFields")) next_ = Act::kSkip;
        else if (!secret_ || is(s, n, "name") || is(s, n, "namespace") || is(s, n, "labels") || is(s, n, "uid")) next_ = Act::kEmit;
        else if (is(s, n, "annotations")) next_ = Act::kSecretAnnotations;
        else next_ = Act::kSkip;
        break;
      case Role::kSecretAnnotations:
        next_ = keptSecretAnnotation(std::string_view(s, n)) ? Act::kEmit : Act::kSkip;
        break;
      case Role::kSecretKeys:
        w_->Key(s, n);
        w_->String("", 0);
        next_ = Act::kSkip;
        return true;
      case Role::kPass: next_ = Act::kEmit; break;
      case Role::kSkip: next_ = Act::kSkip; return true;
      default: next_ = Act::kIgnore; return true;
    }
    if (next_ != Act::kSkip) return w_->Key(s, n);
    return true;
  }

  bool EndObject(rapidjson::SizeType) {
    Role r = frames_.back();
    frames_.pop_back();
    switch (r) {
      case Role::kItem: ++page_->items; return w_->EndObject();
      case Role::kPass:
      case Role::kItemMeta:
      case Role::kSecretKeys:
      case Role::kSecretAnnotations: return w_->EndObject();
      default: return true;
    }
  }

  bool StartArray() {
    if (frames_.size() >= max_depth_) return fail(ErrorCode::kDepthLimit, "nesting deeper than " + std::to_string(max_depth_));
    if (frames_.empty()) return fail(ErrorCode::kClusterResponse, "the response is an array, not a list object");
    Act a = take();
    switch (a) {
      case Act::kEmit:
      case Act::kItemMeta: frames_.push_back(Role::kPassArray); return w_->StartArray();
      case Act::kItems: frames_.push_back(Role::kItems); return true;
      case Act::kItem: return itemNotObject("a sequence");
      case Act::kSecretKeys:
      case Act::kSecretAnnotations: frames_.push_back(Role::kSkip); return w_->Null();
      case Act::kSkip: frames_.push_back(Role::kSkip); return true;
      default: frames_.push_back(Role::kIgnore); return true;
    }
  }

  bool EndArray(rapidjson::SizeType) {
    Role r = frames_.back();
    frames_.pop_back();
    if (r == Role::kPassArray) return w_->EndArray();
    return true;
  }

 private:
  // The action for the value now starting: set by the last key, or by the enclosing array.
  Act take() {
    if (frames_.empty()) return Act::kIgnore;
    switch (frames_.back()) {
      case Role::kItems: return Act::kItem;
      case Role::kPassArray: return Act::kEmit;
      case Role::kSkip: return Act::kSkip;
      case Role::kIgnore: return Act::kIgnore;
      default: return next_;
    }
  }

  template <typename Fn>
  bool scalar(Fn&& emit, bool is_null) {
    if (frames_.empty()) return fail(ErrorCode::kClusterResponse, "the response is a scalar, not a list object");
    return scalarAct(take(), emit, is_null);
  }

  template <typename Fn>
  bool scalarAct(Act a, Fn&& emit, bool is_null) {
    switch (a) {
      case Act::kEmit:
      case Act::kItemMeta: return emit();
      case Act::kSecretKeys:
      case Act::kSecretAnnotations: return w_->Null();
      case Act::kItem: return itemNotObject(is_null ? "null" : "a scalar");
      case Act::kItems:
        if (is_null) return true;  // "items": null is an empty list
        return fail(ErrorCode::kInvalidListItems, "items is a scalar, not a sequence");
      default: return true;
    }
  }

  bool itemNotObject(const char* what) {
    return fail(ErrorCode::kInvalidListItems,
                "items[" + std::to_string(page_->items) + "] is " + what + ", not an object");
  }

  bool fail(ErrorCode code, std::string message) {
    error_code = code;
    error = std::move(message);
    return false;
  }

  JsonWriter* w_;
  std::string_view api_version_;
  std::string_view kind_;
  uint32_t max_depth_;
  NormalizedPage* page_;
  bool secret_;
  bool items_seen_ = false;
  Act next_ = Act::kIgnore;
  std::vector<Role> frames_;
};

InputError pageError(const NormalizeOptions& options, ErrorCode code, std::string message) {
  return InputError{code, options.source, 0, std::move(message)};
}

// Copies a value unchanged; used for the fields of a kubelet configuration.
class ConfigzHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ConfigzHandler> {
 public:
  ConfigzHandler(JsonWriter* writer, std::string_view node, uint32_t max_depth)
      : w_(writer), node_(node), max_depth_(max_depth) {}
  std::string error;
  ErrorCode error_code = ErrorCode::kOk;
  bool found = false;

  bool Null() { return value([&] { return w_->Null(); }); }
  bool Bool(bool b) { return value([&] { return w_->Bool(b); }); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    return value([&] { return w_->RawValue(s, n, rapidjson::kNumberType); });
  }
  bool String(const char* s, rapidjson::SizeType n, bool) { return value([&] { return w_->String(s, n); }); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 1) {
      in_config_next_ = is(s, n, "kubeletconfig") && !found;
      return true;
    }
    if (depth_ == 2 && inConfig()) {
      skip_next_ = is(s, n, "apiVersion") || is(s, n, "kind") || is(s, n, "metadata");
      if (skip_next_) return true;
    }
    if (emitting()) return w_->Key(s, n);
    return true;
  }
  bool StartObject() { return open(true); }
  bool EndObject(rapidjson::SizeType) { return close(true); }
  bool StartArray() { return open(false); }
  bool EndArray(rapidjson::SizeType) { return close(false); }

 private:
  bool inConfig() const { return config_depth_ == 2; }
  bool emitting() const { return inConfig() && skip_depth_ == 0; }

  template <typename Fn>
  bool value(Fn&& emit) {
    if (depth_ == 0) return fail("the response is not an object");
    if (depth_ == 1) {
      if (in_config_next_) return fail("kubeletconfig is not an object");
      return true;
    }
    if (depth_ == 2 && skip_next_) {
      skip_next_ = false;
      return true;
    }
    return emitting() ? emit() : true;
  }
  bool open(bool object) {
    if (depth_ >= max_depth_) {
      error_code = ErrorCode::kDepthLimit;
      error = "nesting deeper than " + std::to_string(max_depth_);
      return false;
    }
    if (depth_ == 0 && !object) return fail("the response is not an object");
    ++depth_;
    if (depth_ == 2 && in_config_next_) {
      if (!object) return fail("kubeletconfig is not an object");
      found = true;
      config_depth_ = 2;
      in_config_next_ = false;
      w_->StartObject();
      w_->Key("apiVersion");
      w_->String("kubelet.config.k8s.io/v1beta1");
      w_->Key("kind");
      w_->String("KubeletConfiguration");
      w_->Key("metadata");
      w_->StartObject();
      w_->Key("name");
      w_->String(node_.data(), static_cast<rapidjson::SizeType>(node_.size()));
      return w_->EndObject();
    }
    if (depth_ == 3 && skip_next_) {
      skip_next_ = false;
      skip_depth_ = depth_;
      return true;
    }
    if (emitting()) return object ? w_->StartObject() : w_->StartArray();
    return true;
  }
  bool close(bool object) {
    bool ok = true;
    if (depth_ == 2 && config_depth_ == 2) {
      ok = w_->EndObject();
      config_depth_ = -1;  // done
    } else if (emitting()) {
      ok = object ? w_->EndObject() : w_->EndArray();
    } else if (skip_depth_ == depth_) {
      skip_depth_ = 0;
    }
    --depth_;
    return ok;
  }
  bool fail(std::string message) {
    error_code = ErrorCode::kClusterResponse;
    error = std::move(message);
    return false;
  }

  JsonWriter* w_;
  std::string_view node_;
  uint32_t max_depth_;
  uint32_t depth_ = 0;
  int config_depth_ = 0;
  uint32_t skip_depth_ = 0;
  bool in_config_next_ = false;
  bool skip_next_ = false;
};

}  // namespace

Result<NormalizedPage> normalizeListPage(std::string_view body, std::string_view api_version, std::string_view kind,
                                         const NormalizeOptions& options) {
  if (body.size() > options.limits.max_document_bytes) {
    return pageError(options, ErrorCode::kDocumentTooLarge,
                     "list response of " + std::to_string(body.size()) + " bytes is above the limit of " +
                         std::to_string(options.limits.max_document_bytes));
  }
  NormalizedPage page;
  rapidjson::StringBuffer buffer;
  buffer.Reserve(body.size() / 2 + 64);
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("apiVersion");
  writer.String("v1");
  writer.Key("kind");
  writer.String("List");
  writer.Key("items");
  writer.StartArray();
  PageHandler handler(&writer, api_version, kind, options.limits.max_depth, &page);
  rapidjson::MemoryStream stream(body.data(), body.size());
  rapidjson::Reader reader;
  rapidjson::ParseResult parsed = reader.Parse<kParseFlags>(stream, handler);
  if (handler.error_code != ErrorCode::kOk) {
    return pageError(options, handler.error_code, handler.error);
  }
  if (parsed.IsError()) {
    return pageError(options, ErrorCode::kJsonSyntax,
                     std::string("invalid JSON at byte ") + std::to_string(parsed.Offset()) + ": " +
                         rapidjson::GetParseError_En(parsed.Code()));
  }
  std::string_view list_kind = handler.list_kind;
  if (list_kind.size() < 4 || list_kind.substr(list_kind.size() - 4) != "List") {
    return pageError(options, ErrorCode::kClusterResponse,
                     list_kind.empty() ? std::string("the response has no kind: not a list")
                                       : "the response is a " + handler.list_kind + ", not a list");
  }
  writer.EndArray();
  writer.EndObject();
  page.json.assign(buffer.GetString(), buffer.GetSize());
  return page;
}

Result<std::string> wrapKubeletConfigz(std::string_view body, std::string_view node, const NormalizeOptions& options) {
  if (body.size() > options.limits.max_document_bytes) {
    return pageError(options, ErrorCode::kDocumentTooLarge,
                     "configz response of " + std::to_string(body.size()) + " bytes is above the limit");
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  ConfigzHandler handler(&writer, node, options.limits.max_depth);
  rapidjson::MemoryStream stream(body.data(), body.size());
  rapidjson::Reader reader;
  rapidjson::ParseResult parsed = reader.Parse<kParseFlags>(stream, handler);
  if (handler.error_code != ErrorCode::kOk) return pageError(options, handler.error_code, handler.error);
  if (parsed.IsError()) {
    return pageError(options, ErrorCode::kJsonSyntax,
                     std::string("invalid JSON at byte ") + std::to_string(parsed.Offset()) + ": " +
                         rapidjson::GetParseError_En(parsed.Code()));
  }
  if (!handler.found) return pageError(options, ErrorCode::kClusterResponse, "the response has no kubeletconfig");
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace kspm::cluster
