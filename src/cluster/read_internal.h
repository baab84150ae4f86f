// Helpers shared by discovery, listing and snapshots (not part of the public API).
#pragma once

#include <string>
#include <string_view>

#include "kspm/kube_client.h"
#include "kspm/status.h"

namespace kspm::cluster {

/** "403 Forbidden: <the Status message>" (or the status line alone when the body has no message). */
std::string describeResponse(const HttpResponse& response);

/** The error for a non-200 response to `path`: kClusterAuth for 401, kClusterForbidden for 403, else kClusterResponse. */
InputError responseError(std::string path, const HttpResponse& response);

}  // namespace kspm::cluster
