#include "kspm/catalog.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace kspm {

const Catalog& Catalog::builtin() {
  static const Catalog* const kCatalog = [] {
    auto* catalog = new Catalog();
    registerBuiltinChecks(*catalog);
    return catalog;
  }();
  return *kCatalog;
}

void Catalog::add(std::unique_ptr<Check> check) {
  if (find(check->info().id) != nullptr) {
    // Programming error: two checks registered under one ID. Fail loudly at start-up.
    std::fprintf(stderr, "kspm: internal error: duplicate check id %.*s\n",
                 static_cast<int>(check->info().id.size()), check->info().id.data());
    std::abort();
  }
  const Check* raw = check.get();
  owned_.push_back(std::move(check));
  auto pos = std::lower_bound(sorted_.begin(), sorted_.end(), raw, [](const Check* a, const Check* b) {
    return a->info().id < b->info().id;
  });
  sorted_.insert(pos, raw);
}

const Check* Catalog::find(std::string_view id) const {
  auto pos = std::lower_bound(sorted_.begin(), sorted_.end(), id,
                              [](const Check* a, std::string_view key) { return a->info().id < key; });
  return (pos != sorted_.end() && (*pos)->info().id == id) ? *pos : nullptr;
}

}  // namespace kspm
