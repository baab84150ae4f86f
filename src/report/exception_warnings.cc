#include "kspm/report.h"

namespace kspm {

std::vector<std::string> exceptionWarnings(const Engine& engine) {
  std::vector<std::string> out;
  for (const Engine::ExceptionUse& use : engine.exceptionUse()) {
    const PolicyException& e = *use.exception;
    if (use.expired) {
      out.push_back("exception at " + e.source + " expired on " + e.expires + " and no longer applies (" +
                    std::to_string(use.matched) + " finding(s) it covered are reported)");
    } else if (use.matched == 0) {
      out.push_back("exception at " + e.source + " matched no finding; remove it if it is no longer needed");
    }
  }
  return out;
}

}  // namespace kspm
