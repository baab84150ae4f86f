// Internals of the history store that tests reach: opening at an older schema version, running
// raw SQL, and a pause inside recordScan's transaction (crash-safety tests kill the process there).
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "kspm/store.h"

namespace kspm::store {

/** The newest schema version this build knows. */
int latestSchemaVersion();

/** Store::open, migrating no further than `max_version`. */
Result<std::unique_ptr<Store>> openAtVersion(std::string_view location, int max_version);

/** Runs statements on the store's connection (tests only). */
Result<bool> executeForTesting(Store& store, std::string_view sql);

/**
 * Called inside recordScan after every row is written and before COMMIT (tests only; null: none).
 * Also KSPM_STORE_TEST_PAUSE_IN_RECORD=FILE in the environment: creates FILE there and sleeps
 * until killed (crash-safety tests of the kspm binary).
 */
void setRecordPauseHookForTesting(std::function<void()> hook);

}  // namespace kspm::store
