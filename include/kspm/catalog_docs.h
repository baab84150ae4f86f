// Listings of the catalog: the source of `kspm checks`, `kspm explain` and docs/checks.md.
#pragma once

#include <string>

#include "kspm/catalog.h"
#include "kspm/engine.h"

namespace kspm {

std::string catalogTable(const Catalog& catalog);
std::string catalogJson(const Catalog& catalog);
/** The generated reference page; docs/checks.md must equal this (a test keeps it current). */
std::string catalogMarkdown(const Catalog& catalog);
/** Everything about one check, for `kspm explain`. */
std::string explainCheck(const CheckInfo& info);
/** `kspm checks --framework X`: each control of X with the checks mapped to it or why it is not assessable. */
std::string frameworkMappingTable(const Catalog& catalog, Framework framework);
/** docs/frameworks.md: the CIS and NSA mappings as Markdown. */
std::string frameworkMappingMarkdown(const Catalog& catalog);

}  // namespace kspm
