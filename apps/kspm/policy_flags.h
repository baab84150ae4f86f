// The policy flags shared by `kspm scan` and `kspm watch`: which checks run (--framework,
// --k8s-version, --pss-version) and the policy files (--config, --no-config, --exceptions), and the
// policy they make: the config file first, then the flags over it.
#pragma once

#include <string>
#include <vector>

#include "kspm/cli.h"
#include "kspm/config.h"
#include "kspm/engine.h"

namespace kspm::cli {

struct PolicyFlags {
  ScanPolicy given;  // frameworks, k8s_minor, pss_minor and pss_latest as the flags set them
  bool frameworks_given = false, pss_given = false, k8s_given = false;
  std::string config_path;  // --config
  bool use_config = true;   // false with --no-config
  std::vector<std::string> exception_files;
};

/** Consumes one policy flag at args; false when args is at another argument. *error: a bad value. */
bool parsePolicyFlag(Args& args, PolicyFlags* flags, std::string* error);

/**
 * The config and exceptions files (loadPolicyFiles), then the flags over them, in *policy; the
 * parsed config in *config. Errors are printed as "kspm VERB: ..."; false means usage error.
 */
bool buildPolicy(const char* verb, const PolicyFlags& flags, ScanPolicy* policy, Config* config);

}  // namespace kspm::cli
