// Helpers for tests: load objects from text, run the kspm binary, locate ../shared.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "kspm/catalog.h"
#include "kspm/engine.h"
#include "kspm/object.h"

namespace kspm::testing {

/** An ObjectSet holding one in-memory file. */
inline ObjectSet loadText(const std::string& text, const std::string& path = "test.yaml") {
  ObjectSet set;
  auto file = std::make_unique<SourceFile>();
  file->path = path;
  file->content = text;
  set.addFile(std::move(file), LoadLimits{});
  return set;
}

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
};

/** Runs a shell command line; stderr goes to the test log. */
inline CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.out.append(buf.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/** `kspm` binary under test, quoted for the shell. */
inline std::string kspm() { return std::string("'") + KSPM_BINARY + "'"; }

inline std::string sourceDir() { return KSPM_SOURCE_DIR; }

/**
 * The folder of a check. IDs are <family>-<rest>: when src/checks/<family>/<rest> exists (dashes as
 * underscores) that is the folder (pss-privileged: src/checks/pss/privileged); otherwise the whole
 * ID names a folder directly under src/checks (psa-namespace-verdict).
 */
inline std::string checkFolder(std::string_view id) {
  std::filesystem::path root = std::filesystem::path(KSPM_SOURCE_DIR) / "src" / "checks";
  std::string name(id);
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  if (size_t cut = name.find('_'); cut != std::string::npos) {
    std::filesystem::path nested = root / name.substr(0, cut) / name.substr(cut + 1);
    if (std::filesystem::is_directory(nested)) return nested.string();
  }
  return (root / name).string();
}

/**
 * Path of a folder of ../shared (beside the repository). When it is missing: fails under CI=true,
 * otherwise skips the test with a message. Use as: auto dir = sharedDir("corpus/pss"); if (dir.empty()) return;
 */
inline std::string sharedDirOrSkip(const std::string& sub, bool* skipped) {
  std::filesystem::path p = std::filesystem::path(KSPM_SOURCE_DIR) / ".." / "shared" / sub;
  *skipped = false;
  if (std::filesystem::is_directory(p)) return std::filesystem::canonical(p).string();
  *skipped = true;
  return {};
}

inline bool inCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

#define KSPM_REQUIRE_SHARED(var, sub)                                                             \
  bool var##_skipped = false;                                                                     \
  std::string var = ::kspm::testing::sharedDirOrSkip(sub, &var##_skipped);                       \
  if (var##_skipped) {                                                                            \
    if (::kspm::testing::inCi()) FAIL() << "../shared/" sub " is missing; CI=true requires it";    \
    GTEST_SKIP() << "../shared/" sub " not found beside the repository; skipping corpus test";     \
  }

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/** A fresh temporary directory, removed at destruction. */
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kspm-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string path(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }
  std::string read(const std::string& name) const { return readFile(path(name)); }
  std::string write(const std::string& name, const std::string& content) const {
    std::filesystem::path p = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  std::string path_;
};

/**
 * Runs one check over every object of `set` the way the Engine does (scan context, resolved pod
 * spec, parameters, target Kubernetes version) and returns its findings, without suppressions.
 */
inline std::vector<Finding> evaluateCheck(const Check& check, const ObjectSet& set,
                                          const ScanPolicy& policy = ScanPolicy()) {
  ScanContext context = buildScanContext(Catalog::builtin(), set, policy.workload_kinds);
  context.vulns = policy.vulns;
  context.cloud_admin_arns = policy.cloud_admin_arns;
  std::vector<Finding> findings;
  FindingSink sink(&findings);
  sink.setCheck(&check.info());
  for (const Object& o : set.objects()) {
    // As the engine: a check with applies_to sees only the objects it applies to.
    if (check.info().applies_to != nullptr && !check.info().applies_to(o)) continue;
    std::optional<checks::PodSpecRef> pod = checks::podSpecOf(o, policy.workload_kinds);
    EvalContext eval;
    eval.objects = &set;
    eval.scan = &context;
    eval.pss_minor = policy.pss_minor;
    eval.pss_latest = policy.pss_latest;
    eval.pod = pod ? &*pod : nullptr;
    eval.params = &policy.parameters;
    eval.k8s_minor = policy.k8s_minor;
    check.evaluate(o, eval, sink);
  }
  return findings;
}

}  // namespace kspm::testing
