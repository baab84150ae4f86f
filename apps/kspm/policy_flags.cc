#include "kspm/policy_flags.h"

#include "checks/api/api_versions.h"
#include "checks/pss/pss_policy.h"
#include "kspm/cli_common.h"
#include "kspm/report.h"

namespace kspm::cli {

bool parsePolicyFlag(Args& args, PolicyFlags* flags, std::string* error) {
  std::string value;
  if (args.flag({"--framework"}, &value, error)) {
    std::string bad;
    if (error->empty() && !parseFrameworkList(value, &flags->given.frameworks, &bad)) {
      *error = "unknown framework \"" + bad + "\" (all, cis, nsa, pss-baseline or pss-restricted)";
    }
    flags->frameworks_given = true;
  } else if (args.flag({"--k8s-version"}, &value, error)) {
    if (error->empty() && !checks::api::parseK8sVersion(value, &flags->given.k8s_minor)) {
      *error = "unknown Kubernetes version \"" + value + "\" (e.g. 1.32)";
    }
    flags->given.k8s_default = false;
    flags->k8s_given = true;
  } else if (args.flag({"--pss-version"}, &value, error)) {
    if (error->empty()) {
      if (!checks::pss::parsePssVersion(value, &flags->given.pss_minor)) {
        *error = "unknown Pod Security version \"" + value + "\" (latest or v1.0 to " +
                 pssVersionName(kPssLatestMinor) + ")";
      }
      flags->given.pss_latest = value == "latest";
      flags->pss_given = true;
    }
  } else if (args.flag({"--config"}, &value, error)) {
    flags->config_path = value;
  } else if (args.boolFlag({"--no-config"})) {
    flags->use_config = false;
  } else if (args.flag({"--exceptions"}, &value, error)) {
    flags->exception_files.push_back(value);
  } else {
    return false;
  }
  return true;
}

bool buildPolicy(const char* verb, const PolicyFlags& flags, ScanPolicy* policy, Config* config) {
  if (!loadPolicyFiles(verb, flags.use_config, flags.config_path, flags.exception_files, policy, config)) return false;
  if (flags.frameworks_given) policy->frameworks = flags.given.frameworks;
  if (flags.pss_given) {
    policy->pss_minor = flags.given.pss_minor;
    policy->pss_latest = flags.given.pss_latest;
  }
  if (flags.k8s_given) {
    policy->k8s_minor = flags.given.k8s_minor;
    policy->k8s_default = false;
  }
  return true;
}

}  // namespace kspm::cli
