#include "kspm/cli_common.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "kspm/catalog.h"
#include "kspm/kubeconfig.h"

extern char** environ;

namespace kspm::cli {

bool readWholeFile(const std::string& path, std::string* out) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out->append(buf, n);
  bool ok = std::ferror(f) == 0;
  std::fclose(f);
  if (!ok) errno = EIO;
  return ok;
}

std::string todayUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

bool parseNumber(const std::string& text, uint64_t min, uint64_t max, uint64_t* out, size_t max_digits) {
  if (text.empty() || text.size() > max_digits || text.size() > 19) return false;
  uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n < min || n > max) return false;
  *out = n;
  return true;
}

bool parseCount(const std::string& text, uint64_t max, uint64_t* out) { return parseNumber(text, 1, max, out, 12); }

bool parseDuration(std::string_view text, std::chrono::milliseconds* out) {
  double scale = 1000;
  if (text.ends_with("ms")) {
    scale = 1;
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    text.remove_suffix(1);
  } else if (text.ends_with("m")) {
    scale = 60'000;
    text.remove_suffix(1);
  } else if (text.ends_with("h")) {
    scale = 3'600'000;
    text.remove_suffix(1);
  }
  if (text.empty()) return false;
  std::string number(text);
  char* end = nullptr;
  const double value = std::strtod(number.c_str(), &end);
  if (end == nullptr || *end != '\0' || !(value >= 0) || value * scale > 86'400'000) return false;
  *out = std::chrono::milliseconds(static_cast<int64_t>(value * scale));
  return true;
}

bool loadPolicyFiles(const char* verb, bool use_config, std::string config_path,
                     const std::vector<std::string>& exception_files, ScanPolicy* policy, Config* config) {
  std::vector<ConfigError> errors;
  if (use_config && config_path.empty()) config_path = findConfigFile(".");
  if (use_config && !config_path.empty()) {
    std::string text;
    if (!readWholeFile(config_path, &text)) {
      std::fprintf(stderr, "kspm %s: cannot read config file %s: %s\n", verb, config_path.c_str(), std::strerror(errno));
      return false;
    }
    *config = parseConfig(config_path, text, Catalog::builtin(), &errors);
    if (errors.empty()) applyConfig(*config, policy);
  }
  for (const std::string& file : exception_files) {
    std::string text;
    if (!readWholeFile(file, &text)) {
      std::fprintf(stderr, "kspm %s: cannot read exceptions file %s: %s\n", verb, file.c_str(), std::strerror(errno));
      return false;
    }
    std::vector<PolicyException> list = parseExceptions(file, text, Catalog::builtin(), &errors);
    policy->exceptions.insert(policy->exceptions.end(), list.begin(), list.end());
  }
  for (const ConfigError& e : errors) std::fprintf(stderr, "kspm %s: %s\n", verb, describeConfigError(e).c_str());
  if (!errors.empty()) {
    std::fprintf(stderr, "kspm %s: %zu error(s) in the configuration; nothing was done\n", verb, errors.size());
    return false;
  }
  return true;
}

Result<std::unique_ptr<cluster::KubeClient>> connectToCluster(const ClusterCredentials& credentials,
                                                              cluster::ClientOptions options,
                                                              ResolvedConfig* resolved) {
  const std::string home = env("HOME");
  const bool have_kubeconfig = !credentials.kubeconfig.empty() || !env("KUBECONFIG").empty() ||
                               (!home.empty() && std::filesystem::exists(home + "/.kube/config"));
  const bool in_cluster = credentials.in_cluster || (!have_kubeconfig && !env("KUBERNETES_SERVICE_HOST").empty());
  Result<ResolvedConfig> config = [&]() -> Result<ResolvedConfig> {
    if (in_cluster) {
      InClusterEnv e;
      e.service_host = env("KUBERNETES_SERVICE_HOST");
      e.service_port = env("KUBERNETES_SERVICE_PORT");
      e.pod_namespace = env("POD_NAMESPACE");
      return inClusterConfig(e);
    }
    KubeconfigOptions k;
    k.explicit_path = credentials.kubeconfig;
    k.kubeconfig_env = env("KUBECONFIG");
    k.home_dir = home;
    k.context = credentials.context;
    k.cluster = credentials.cluster_name;
    k.user = credentials.user;
    return loadKubeconfig(k);
  }();
  if (!config.ok()) return config.error();
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) options.exec_environment.emplace_back(*e);
  if (resolved != nullptr) *resolved = config.value();
  return cluster::KubeClient::create(config.value(), std::move(options));
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace kspm::cli
