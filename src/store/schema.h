// The history store's schema: one ordered list of migrations shared by both backends. A
// migration's SQL is the same for SQLite and PostgreSQL except for the tokens below.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kspm::store {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;  // may contain {ID} (an auto-increment primary key) and {WITHOUT_ROWID}
};

/** Every migration, oldest first; versions 1, 2, 3 ... */
const std::vector<Migration>& migrations();

/** The SQL of a migration for a dialect ("sqlite" or "postgresql"). */
std::string migrationSql(const Migration& migration, std::string_view dialect);

}  // namespace kspm::store
