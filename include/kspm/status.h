// Errors are values: a stable code, a place, and a message for people.
//
// InputError describes a problem with something a user gave kspm (a manifest, a flag value, a
// config file). Codes are stable: they appear in JSON output and documentation; never renumber
// or reuse one. Thread safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kspm {

enum class ErrorCode : uint16_t {
  kOk = 0,
  kIoError = 1,            // file or directory could not be read
  kYamlSyntax = 2,         // libyaml rejected the text
  kJsonSyntax = 3,         // RapidJSON rejected the text
  kDepthLimit = 4,         // nesting deeper than LoadLimits::max_depth
  kAliasLimit = 5,         // alias expansion above LoadLimits::max_alias_nodes ("billion laughs")
  kDocumentTooLarge = 6,   // one document above LoadLimits::max_document_bytes
  kBinaryInput = 7,        // NUL bytes or invalid UTF-8: not a text manifest
  kUnknownAlias = 8,       // *name with no &name before it
  kInvalidMergeKey = 9,    // `<<` whose value is not a mapping or a sequence of mappings
  kNotAnObject = 10,       // a document that is not a mapping (a list, a scalar)
  kMissingKind = 11,       // a mapping without apiVersion or kind: not a Kubernetes object
  kInvalidListItems = 12,  // a *List whose items is not a sequence of objects
  kUsage = 13,             // bad flag or argument value
  kConfig = 14,            // bad configuration or exceptions file
  kInvalidObject = 15,     // an object the API server would reject (e.g. a NetworkPolicy with a bad CIDR); left out of the analysis that needs it
  kClusterConnection = 16, // the API server could not be reached (connection, TLS, timeout) after retries
  kClusterAuth = 17,       // credentials were refused (401) or could not be obtained (exec plugin failed)
  kClusterForbidden = 18,  // the API server refused to list a resource (403): checks needing it are not assessable
  kClusterResponse = 19,   // an unexpected status or a response body that is not what the API promises
  kStore = 20,             // the history store could not be opened, migrated, read or written
  kBaseline = 21,          // a baseline (file or scan ID) could not be read
  kDelivery = 22,          // a route could not deliver (after retries; the events stay pending)
};

/** Stable lower-case name of a code, e.g. "yaml-syntax". */
std::string_view errorCodeName(ErrorCode code);

/** A problem with user input. `line` is 1-based; 0 when no line applies. */
struct InputError {
  ErrorCode code = ErrorCode::kOk;
  std::string file;
  uint32_t line = 0;
  std::string message;
};

/** One line for people: "file:line: code: message" (no ":line" when line is 0). */
std::string describeInputError(const InputError& error);

/** Either a value or an InputError. */
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}              // NOLINT(google-explicit-constructor)
  Result(InputError error) : v_(std::move(error)) {}     // NOLINT(google-explicit-constructor)
  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const InputError& error() const { return std::get<InputError>(v_); }

 private:
  std::variant<T, InputError> v_;
};

}  // namespace kspm
