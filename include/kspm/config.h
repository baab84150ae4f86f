// The configuration file (.kspm.yaml) and exceptions files.
//
// Loading is the one fallible step: every problem becomes a ConfigError naming the file, the line
// and the key; unknown keys are errors (a typo must not silently disable a setting). The result is
// applied to a ScanPolicy, after which the engine treats it as immutable.
// Format reference: docs/configuration.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/catalog.h"
#include "kspm/engine.h"

namespace kspm {

namespace admission {
struct AdmissionPolicy;  // admission.h
}
struct OwnersConfig;  // owners.h

struct ConfigError {
  std::string file;
  uint32_t line = 0;
  std::string message;  // names the key: "checks.severity.foo: unknown check ID \"foo\""
};
std::string describeConfigError(const ConfigError& error);  // "file:line: message"

/** Settings from a config file; unset optionals mean "not given" (flags and defaults apply). */
struct Config {
  std::string path;
  std::vector<std::string> enabled_checks;  // expanded IDs; empty = not given
  std::vector<std::string> disabled_checks;
  std::vector<std::pair<std::string, Severity>> severity_overrides;
  std::vector<std::pair<std::string, std::vector<std::string>>> parameters;
  std::vector<std::string> namespace_include;  // glob patterns; empty = every namespace
  std::vector<std::string> namespace_exclude;
  std::vector<checks::WorkloadKind> workload_kinds;
  std::vector<PolicyException> exceptions;
  std::optional<std::vector<Framework>> frameworks;
  std::optional<uint32_t> k8s_minor;
  std::optional<uint32_t> pss_minor;
  std::optional<std::string> fail_on;  // severity name or "none"
  /** The `admission:` section (kspm webhook), parsed by admission::parseAdmissionPolicy; null when absent. */
  std::shared_ptr<const admission::AdmissionPolicy> admission;
  /**
   * The `owners:` section (keys, order, inline rules; `file` resolved against the config file's
   * directory, not read here: the caller reads it with parseOwnersFile). Null when absent.
   */
  std::shared_ptr<const OwnersConfig> owners;
};

/** Parses a config file's text; `errors` receives every problem (the rest is still read). */
Config parseConfig(std::string_view path, std::string_view text, const Catalog& catalog,
                   std::vector<ConfigError>* errors);

/** Parses an exceptions file: a mapping with key `exceptions:` (the same schema as in the config). */
std::vector<PolicyException> parseExceptions(std::string_view path, std::string_view text, const Catalog& catalog,
                                             std::vector<ConfigError>* errors);

/** Applies the config to a policy (before flags, which override it). */
void applyConfig(const Config& config, ScanPolicy* policy);

/**
 * The config file to use when --config is not given: .kspm.yaml (or .kspm.yml) in `start_dir` or
 * the nearest parent directory; "" if none.
 */
std::string findConfigFile(const std::string& start_dir);

/** True if `text` matches the glob `pattern` (`*` any run, `?` one character). */
bool globMatch(std::string_view pattern, std::string_view text);

}  // namespace kspm
