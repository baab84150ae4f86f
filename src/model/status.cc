#include "kspm/status.h"

namespace kspm {

std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kIoError: return "io-error";
    case ErrorCode::kYamlSyntax: return "yaml-syntax";
    case ErrorCode::kJsonSyntax: return "json-syntax";
    case ErrorCode::kDepthLimit: return "depth-limit";
    case ErrorCode::kAliasLimit: return "alias-limit";
    case ErrorCode::kDocumentTooLarge: return "document-too-large";
    case ErrorCode::kBinaryInput: return "binary-input";
    case ErrorCode::kUnknownAlias: return "unknown-alias";
    case ErrorCode::kInvalidMergeKey: return "invalid-merge-key";
    case ErrorCode::kNotAnObject: return "not-an-object";
    case ErrorCode::kMissingKind: return "missing-kind";
    case ErrorCode::kInvalidListItems: return "invalid-list-items";
    case ErrorCode::kUsage: return "usage";
    case ErrorCode::kConfig: return "config";
    case ErrorCode::kInvalidObject: return "invalid-object";
    case ErrorCode::kClusterConnection: return "cluster-connection";
    case ErrorCode::kClusterAuth: return "cluster-auth";
    case ErrorCode::kClusterForbidden: return "cluster-forbidden";
    case ErrorCode::kClusterResponse: return "cluster-response";
    case ErrorCode::kStore: return "store";
    case ErrorCode::kBaseline: return "baseline";
    case ErrorCode::kDelivery: return "delivery";
  }
  return "unknown";
}

std::string describeInputError(const InputError& error) {
  std::string out = error.file;
  if (error.line > 0) out += ":" + std::to_string(error.line);
  out += ": ";
  out += errorCodeName(error.code);
  out += ": " + error.message;
  return out;
}

}  // namespace kspm
