// kspm checks / kspm explain: read the catalog.
#include <algorithm>
#include <cstdio>
#include <string>

#include "kspm/catalog.h"
#include "kspm/catalog_docs.h"
#include "kspm/cli.h"
#include "kspm/engine.h"

namespace kspm::cli {

int runChecks(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string format = "table", value, error;
  std::vector<Framework> frameworks;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::printf(
          "Usage: kspm checks [-o table|json|markdown] [--framework cis|nsa|pss-baseline|pss-restricted,...]\n\n"
          "Lists every check in the catalog with its ID, severity and title. -o json adds the\n"
          "description, remediation, framework controls, parameters and Pod Security metadata;\n"
          "-o markdown prints the reference page kept in docs/checks.md.\n"
          "With --framework: each control of the framework with the checks that assess it, or why\n"
          "kspm cannot assess it (with -o markdown: the page kept in docs/frameworks.md).\n");
      return kExitOk;
    }
    if (args.flag({"-o", "--output"}, &value, &error)) {
      if (!error.empty()) return usageError("checks", error);
      if (value != "table" && value != "json" && value != "markdown") {
        return usageError("checks", "unknown output format \"" + value + "\" (table, json or markdown)");
      }
      format = value;
    } else if (args.flag({"--framework"}, &value, &error)) {
      std::string bad;
      if (!error.empty()) return usageError("checks", error);
      if (!parseFrameworkList(value, &frameworks, &bad) ||
          std::find(frameworks.begin(), frameworks.end(), Framework::kAll) != frameworks.end()) {
        return usageError("checks", "unknown framework \"" + (bad.empty() ? value : bad) +
                                        "\" (cis, nsa, pss-baseline or pss-restricted)");
      }
    } else {
      return usageError("checks", "unexpected argument " + args.peek());
    }
  }
  const Catalog& catalog = Catalog::builtin();
  if (!frameworks.empty()) {
    std::string text;
    if (format == "markdown") {
      text = frameworkMappingMarkdown(catalog);
    } else if (format == "json") {
      return usageError("checks", "--framework lists mappings as table or markdown; -o json already includes controls");
    } else {
      for (Framework f : frameworks) text += (text.empty() ? "" : "\n") + frameworkMappingTable(catalog, f);
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
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
