// Typing of YAML scalars exactly as go-yaml v2's resolve.go does it (the resolver Kubernetes uses
// through sigs.k8s.io/yaml), and the conversion of non-string keys to strings that
// sigs.k8s.io/yaml's convertToJSONableObject performs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kspm::loader {

enum class ScalarKind : uint8_t { kNull, kBool, kInt, kFloat, kString, kMerge };

struct Scalar {
  ScalarKind kind = ScalarKind::kString;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
};

/**
 * Type of a plain (unquoted, untagged) scalar. go-yaml v2 rules: the bool/null/.inf/.nan table,
 * Go ParseInt with base 0 after dropping `_` (0x, 0o, 0b, leading-0 octal, sign), then uint64,
 * then floats matching yamlStyleFloat. Integers above int64 that fit uint64 (go-yaml: uint64) are
 * returned as kFloat because Node holds int64 only. Timestamps stay strings (as go-yaml v2 does
 * for untyped targets); base-60 like 1:30 stays a string. `<<` is kMerge.
 */
Scalar resolvePlain(std::string_view in);

/** Explicit YAML tags that change typing. */
enum class Tag : uint8_t { kNone, kStr, kBinary, kInt, kFloat, kBool, kNull, kOther };

/** Tag of a libyaml tag string (long form "tag:yaml.org,2002:int" or short "!!int"); kNone for null. */
Tag tagOf(const char* tag);

/**
 * A scalar with an explicit tag (any style). !!str, !!binary and unknown tags give strings;
 * !!int/!!float/!!bool/!!null resolve the text and must agree (an int is accepted as !!float).
 * Returns false and sets *error ("cannot decode !!str `abc` as a !!int") on disagreement.
 */
bool resolveTagged(Tag tag, std::string_view in, Scalar* out, std::string* error);

/**
 * A non-string key as sigs.k8s.io/yaml writes it: true -> "true", 1 -> "1", 1.5 -> "1.5" (floats via
 * FormatFloat(v, 'g', -1, 32)). null -> "null" is kspm's choice: sigs.k8s.io/yaml rejects a null key.
 */
std::string keyText(const Scalar& s);

}  // namespace kspm::loader
