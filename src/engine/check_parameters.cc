#include "kspm/check.h"

namespace kspm {

void CheckParameters::set(std::string name, std::vector<std::string> values) {
  values_[std::move(name)] = std::move(values);
}

const std::vector<std::string>& CheckParameters::get(std::string_view name) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

}  // namespace kspm
