// Small helpers for the kspm command line: argument scanning and exit codes.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace kspm::cli {

/** Exit codes, documented in docs/exit-codes.md. Precedence when several apply: 2 > 4 > 3 > 1 > 0. */
enum ExitCode : int {
  kExitOk = 0,          // no unsuppressed finding at or above --fail-on, no input error
  kExitFindings = 1,    // unsuppressed findings at or above --fail-on
  kExitUsage = 2,       // bad flags or arguments; nothing was scanned
  kExitInputErrors = 3, // some input could not be read or parsed; the rest was scanned
  kExitOutput = 4,      // the report could not be written
};

/** Walks argv; understands --flag=value, --flag value and -f value. */
class Args {
 public:
  Args(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) args_.emplace_back(argv[i]);
  }
  bool done() const { return pos_ >= args_.size(); }
  const std::string& peek() const { return args_[pos_]; }
  std::string next() { return args_[pos_++]; }
  /** If the current argument is one of the names, consumes it (and its value) into *value. */
  bool flag(std::initializer_list<std::string_view> names, std::string* value, std::string* error) {
    const std::string& a = args_[pos_];
    for (std::string_view n : names) {
      if (a == n) {
        if (pos_ + 1 >= args_.size()) {
          *error = std::string(n) + " needs a value";
          ++pos_;
          return true;
        }
        *value = args_[pos_ + 1];
        pos_ += 2;
        return true;
      }
      if (n.starts_with("--") && a.size() > n.size() && a.compare(0, n.size(), n) == 0 && a[n.size()] == '=') {
        *value = a.substr(n.size() + 1);
        ++pos_;
        return true;
      }
    }
    return false;
  }
  bool boolFlag(std::initializer_list<std::string_view> names) {
    for (std::string_view n : names) {
      if (args_[pos_] == n) {
        ++pos_;
        return true;
      }
    }
    return false;
  }

 private:
  std::vector<std::string> args_;
  size_t pos_ = 0;
};

inline int usageError(const std::string& verb, const std::string& message) {
  std::fprintf(stderr, "kspm %s: %s\nRun 'kspm %s --help' for usage.\n", verb.c_str(), message.c_str(), verb.c_str());
  return kExitUsage;
}

int runScan(int argc, char** argv);
int runChecks(int argc, char** argv);
int runExplain(int argc, char** argv);
int runPssPlan(int argc, char** argv);  // kspm pss plan (and kspm pss --help)
int runRbac(int argc, char** argv);     // kspm rbac who-can / can (and kspm rbac --help)
int runNet(int argc, char** argv);      // kspm net reach / matrix / exposure
int runPaths(int argc, char** argv);    // kspm paths
int runGraph(int argc, char** argv);    // kspm graph export
int runBlastRadius(int argc, char** argv);  // kspm blast-radius
int runSnapshot(int argc, char** argv);     // kspm snapshot
int runWatch(int argc, char** argv);        // kspm watch (apps/kspm/watch_verb.cc)
int runWebhook(int argc, char** argv);      // kspm webhook (the admission webhook server)

}  // namespace kspm::cli
