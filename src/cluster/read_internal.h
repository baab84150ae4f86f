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

/** Percent-encodes everything but RFC 3986 unreserved characters, for query values (continue tokens, ...). */
std::string urlEncode(std::string_view s);

}  // namespace kspm::cluster
