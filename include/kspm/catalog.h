// The catalog: every check kspm knows, by stable ID.
//
// Built once at start-up by registerBuiltinChecks (src/checks/all_checks.cc: one explicit line
// per check). Thread safety: immutable after construction; read concurrently.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "kspm/check.h"

namespace kspm {

class Catalog {
 public:
  /** The catalog with every built-in check. */
  static const Catalog& builtin();

  /** Adds a check. A duplicate ID is a programming error and aborts (tested). */
  void add(std::unique_ptr<Check> check);
  /** The check with this ID, or nullptr. */
  const Check* find(std::string_view id) const;
  /** Every check, sorted by ID. */
  const std::vector<const Check*>& all() const { return sorted_; }

 private:
  std::vector<std::unique_ptr<Check>> owned_;
  std::vector<const Check*> sorted_;
};

/** Registers every built-in check; defined in src/checks/all_checks.cc. */
void registerBuiltinChecks(Catalog& catalog);

}  // namespace kspm
