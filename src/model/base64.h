// Base64 encoding (RFC 4648, standard alphabet, padded), for Secret data, credentials and CA bundles.
#pragma once

#include <string>
#include <string_view>

namespace kspm {

/** Standard padded base64. */
std::string encodeBase64(std::string_view data);

}  // namespace kspm
