// JSON string escaping for the few places that write JSON text by hand (not through RapidJSON).
#pragma once

#include <string>
#include <string_view>

namespace kspm {

/**
 * Appends `s` escaped for the inside of a JSON string (no quotes): quote, backslash, \n, \r and \t
 * by name, other control characters as \u00XX; other bytes, UTF-8 included, as they are.
 */
void appendJsonEscaped(std::string_view s, std::string* out);

/** `s` escaped as appendJsonEscaped does. */
std::string jsonEscape(std::string_view s);

}  // namespace kspm
