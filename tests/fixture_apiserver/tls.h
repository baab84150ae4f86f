// Certificates for the fixture API server, generated with the OpenSSL C API.
#pragma once

#include <string>

namespace kspm_fixture {

// Writes into `dir` (created if missing), all PEM:
//   ca.crt, ca.key          ECDSA P-256 CA; reused when both files already exist in `dir`
//   server.crt, server.key  serverAuth certificate for 127.0.0.1, ::1 and localhost
//   client.crt, client.key  clientAuth certificate, CN=cert-user, O=cert-group
// Returns an empty string on success, otherwise what went wrong.
std::string writeCertificates(const std::string& dir);

}  // namespace kspm_fixture
