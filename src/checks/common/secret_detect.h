// Recognising credentials in manifest values without ever keeping or returning them.
//
// detectSecret(name, value) says whether `value` (assigned to `name`, which may be empty) holds a
// credential and of which kind; the answer carries the kind and a length, never the value or a
// piece of it, so a finding built from it cannot leak the secret. Two families of rules:
//   - token shapes found anywhere in the value: AWS access key IDs, private key blocks, GitHub,
//     GitLab, Slack, Google API and Stripe live keys, JWTs, and passwords in connection strings
//     (scheme://user:password@host);
//   - name-driven rules: a 40-character AWS secret access key next to an AWS/secret name, and a
//     generic high-entropy literal assigned to a name that says password/secret/token/api key/
//     credential (thresholds below, documented in docs/secrets-and-api-versions.md).
// Placeholders and references ($(VAR), ${VAR}, {{ }}, <...>, example/dummy/xxxx/changeme values)
// and empty values are never secrets. Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kspm::checks {

enum class SecretKind : uint8_t {
  kNone,
  kAwsAccessKeyId,
  kAwsSecretAccessKey,
  kPrivateKey,
  kGitHubToken,
  kGitLabToken,
  kSlackToken,
  kSlackWebhook,
  kJwt,
  kConnectionStringPassword,
  kGoogleApiKey,
  kStripeKey,
  kPassword,       // generic: a literal under a password-like name
  kGenericSecret,  // generic: a high-entropy literal under a secret/token/key-like name
};

/** What was found: the kind and the length of the secret part (never the value itself). */
struct SecretHit {
  SecretKind kind = SecretKind::kNone;
  uint32_t length = 0;  // characters of the credential (the token, the password, the whole key block)
  explicit operator bool() const { return kind != SecretKind::kNone; }
};

/** A hit inside multi-line text, with its 1-based line within that text. */
struct TextSecretHit {
  SecretHit hit;
  uint32_t line = 0;
  explicit operator bool() const { return static_cast<bool>(hit); }
};

// Generic-rule thresholds (bits of Shannon entropy per character, lengths in bytes).
inline constexpr size_t kPasswordMinLength = 8;
inline constexpr double kPasswordMinEntropy = 3.0;
inline constexpr size_t kGenericSecretMinLength = 16;
inline constexpr double kGenericSecretMinEntropy = 3.5;
/** Longest value scanned; longer values are scanned up to this many bytes. */
inline constexpr size_t kMaxScannedBytes = 256 * 1024;
/** Most lines of a file-like value that detectSecretInText looks at. */
inline constexpr uint32_t kMaxScannedLines = 5000;

/** "an AWS access key ID", "a private key", "a password", ... */
std::string_view secretKindName(SecretKind kind);
/** "an AWS secret access key (40 characters, redacted)". */
std::string describeSecret(const SecretHit& hit);

/** Whether `value` assigned to `name` (an env var, key or flag name; may be empty) is a credential. */
SecretHit detectSecret(std::string_view name, std::string_view value);

/**
 * Scans file-like text (application.properties, .env, YAML, JSON, shell) line by line: token shapes
 * anywhere, and `key=value`, `key: value`, `"key": "value"`, `export KEY=value` and `--flag=value`
 * assignments through detectSecret. Returns the first hit. Bounded by kMaxScannedBytes/kMaxScannedLines.
 */
TextSecretHit detectSecretInText(std::string_view text);

/**
 * Scans one command-line item (a container command/args entry, possibly a whole `sh -c` script):
 * token shapes anywhere, `--flag=value` and `NAME=value` words, and `--password value` pairs within
 * the item. `previous_flag` is the item before it when that was a bare flag (`--password`), else "".
 */
SecretHit detectSecretInArgument(std::string_view item, std::string_view previous_flag);

/** Token shapes only (no name-driven rules), anywhere in `text`. */
SecretHit detectSecretToken(std::string_view text);

/** True for names that say password/secret/token/api key/credential (and not "...Name"/"...File"/...). */
bool isSecretLikeName(std::string_view name);
/** True for empty values, references and obvious placeholders. */
bool isPlaceholderValue(std::string_view value);
/**
 * Decodes base64 or base64url (padding optional, whitespace ignored) and appends to `out`; false on
 * a character outside both alphabets.
 */
bool decodeBase64(std::string_view in, std::string* out);
/** Shannon entropy of the bytes of `s`, in bits per byte (0 for an empty string). */
double shannonEntropy(std::string_view s);

}  // namespace kspm::checks
