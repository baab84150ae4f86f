// kspm checks / kspm explain: read the catalog.
#include <cstdio>
#include <string>

#include "kspm/catalog.h"
#include "kspm/catalog_docs.h"
#include "kspm/cli.h"

namespace kspm::cli {

int runChecks(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string format = "table", value, error;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::printf(
          "Usage: kspm checks [-o table|json|markdown]\n\n"
          "Lists every check in the catalog with its ID, severity and title. -o json adds the\n"
          "description, remediation, framework controls and Pod Security metadata; -o markdown\n"
          "prints the reference page kept in docs/checks.md.\n");
      return kExitOk;
    }
    if (args.flag({"-o", "--output"}, &value, &error)) {
      if (!error.empty()) return usageError("checks", error);
      if (value != "table" && value != "json" && value != "markdown") {
        return usageError("checks", "unknown output format \"" + value + "\" (table, json or markdown)");
      }
      format = value;
    } else {
      return usageError("checks", "unexpected argument " + args.peek());
    }
  }
  const Catalog& catalog = Catalog::builtin();
  std::string text = format == "json" ? catalogJson(catalog)
                     : format == "markdown" ? catalogMarkdown(catalog)
                                            : catalogTable(catalog);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

int runExplain(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string id;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::printf("Usage: kspm explain CHECK-ID\n\nPrints what a check looks for, its severity, the framework controls it maps to,\nhow to fix a finding and how to suppress it. 'kspm checks' lists the IDs.\n");
      return kExitOk;
    }
    if (!id.empty()) return usageError("explain", "give exactly one check ID");
    id = args.next();
  }
  if (id.empty()) return usageError("explain", "give a check ID (see 'kspm checks')");
  const Check* check = Catalog::builtin().find(id);
  if (check == nullptr) return usageError("explain", "no check with ID \"" + id + "\" (see 'kspm checks')");
  std::string text = explainCheck(check->info());
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

}  // namespace kspm::cli
