// Reading small local files (kubeconfig, CA, certificates, keys, tokens) whole.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace kspm::cluster {

/** The whole file in *out; false when it cannot be opened or read. */
inline bool readWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return false;
  *out = ss.str();
  return true;
}

}  // namespace kspm::cluster
