// Which Pod Security Standards checks upstream Pod Security Admission evaluates for a level and a
// policy version, and parsing of policy versions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "kspm/catalog.h"
#include "kspm/check.h"

namespace kspm::checks::pss {

/**
 * The PSS checks in `catalog` that upstream runs at `level` and policy version v1.<minor>, sorted by
 * catalog ID. Baseline: the baseline checks with pss_min_minor <= minor. Restricted: those plus the
 * restricted checks with pss_min_minor <= minor, minus every baseline check that one of those
 * restricted checks overrides (an override only applies once the overriding check exists).
 * A minor above kPssLatestMinor behaves as kPssLatestMinor. kNone yields nothing.
 */
std::vector<const Check*> pssChecksFor(const Catalog& catalog, PssLevel level, uint32_t minor);

/**
 * Parses a pod-security.kubernetes.io/<mode>-version label value as upstream api.ParseVersion does:
 * "latest" or ^v1\.(0|[1-9][0-9]*)$. `minor` is the number as written (it may be above
 * kPssLatestMinor, which then means the newest policy this build knows); false if invalid.
 */
bool parsePssVersionLabel(std::string_view text, uint64_t* minor, bool* latest);

/** Parses "latest" (kPssLatestMinor), "v1.N" or "1.N" with N in 0..kPssLatestMinor. */
bool parsePssVersion(std::string_view text, uint32_t* minor);

}  // namespace kspm::checks::pss
