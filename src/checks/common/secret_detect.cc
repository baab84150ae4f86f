#include "checks/common/secret_detect.h"

#include <array>
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

namespace kspm::checks {
namespace {

bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlnum(char c) { return isLower(c) || isUpper(c) || isDigit(c); }
bool isBase64Url(char c) { return isAlnum(c) || c == '-' || c == '_'; }
bool isBase64(char c) { return isAlnum(c) || c == '+' || c == '/' || c == '='; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
char lower(char c) { return isUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

template <typename Pred>
size_t spanFrom(std::string_view text, size_t pos, Pred pred) {
  size_t end = pos;
  while (end < text.size() && pred(text[end])) ++end;
  return end - pos;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

/** Trims spaces, then one pair of matching quotes, then spaces again. */
std::string_view unquote(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    s = trim(s.substr(1, s.size() - 2));
  }
  return s;
}

bool boundaryBefore(std::string_view text, size_t pos) { return pos == 0 || !isAlnum(text[pos - 1]); }

bool containsAny(std::string_view haystack, std::initializer_list<std::string_view> needles) {
  for (std::string_view n : needles) {
    if (haystack.find(n) != std::string_view::npos) return true;
  }
  return false;
}

bool equalsAny(std::string_view s, std::initializer_list<std::string_view> options) {
  for (std::string_view o : options) {
    if (s == o) return true;
  }
  return false;
}

bool endsWithAny(std::string_view s, std::initializer_list<std::string_view> options) {
  for (std::string_view o : options) {
    if (s.ends_with(o)) return true;
  }
  return false;
}

/** A lower-cased copy of a short string without allocating (longer strings go to the heap). */
class Lowered {
 public:
  explicit Lowered(std::string_view s) {
    if (s.size() <= buffer_.size()) {
      for (size_t i = 0; i < s.size(); ++i) buffer_[i] = lower(s[i]);
      view_ = std::string_view(buffer_.data(), s.size());
    } else {
      heap_ = toLower(s);
      view_ = heap_;
    }
  }
  Lowered(const Lowered&) = delete;
  Lowered& operator=(const Lowered&) = delete;
  std::string_view view() const { return view_; }

 private:
  std::array<char, 256> buffer_;
  std::string heap_;
  std::string_view view_;
};

/**
 * Lower-case words of an identifier, split at non-alphanumerics and at camelCase humps, without
 * allocating: the first kMaxNameBytes bytes and kMaxWords words count.
 */
class Words {
 public:
  explicit Words(std::string_view name) {
    size_t used = 0;
    size_t start = 0;
    auto close = [&] {
      if (used > start && count_ < words_.size()) words_[count_++] = std::string_view(buffer_.data() + start, used - start);
      start = used;
    };
    for (size_t i = 0; i < name.size() && i < buffer_.size(); ++i) {
      char c = name[i];
      if (!isAlnum(c)) {
        close();
        continue;
      }
      if (isUpper(c) && used > start && (isLower(name[i - 1]) || isDigit(name[i - 1]))) close();
      buffer_[used++] = lower(c);
    }
    close();
  }
  Words(const Words&) = delete;
  Words& operator=(const Words&) = delete;
  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }
  std::string_view operator[](size_t i) const { return words_[i]; }
  std::string_view front() const { return words_[0]; }
  std::string_view back() const { return words_[count_ - 1]; }
  const std::string_view* begin() const { return words_.data(); }
  const std::string_view* end() const { return words_.data() + count_; }

 private:
  std::array<char, 128> buffer_;
  std::array<std::string_view, 24> words_;
  size_t count_ = 0;
};

bool hasWord(const Words& words, std::string_view w) {
  for (std::string_view x : words) {
    if (x == w) return true;
  }
  return false;
}

bool hasWordContaining(const Words& words, std::initializer_list<std::string_view> parts) {
  for (std::string_view x : words) {
    if (containsAny(x, parts)) return true;
  }
  return false;
}

bool isPasswordName(const Words& words) {
  return hasWordContaining(words, {"password", "passwd", "passphrase"}) || hasWord(words, "pwd") ||
         hasWord(words, "pass");
}

/** Names that hold a reference or a property of a secret rather than the secret itself. */
bool isReferenceName(const Words& words) {
  if (words.empty()) return true;
  if (words.front() == "existing") return true;  // Helm's existingSecret: the name of a Secret
  if (hasWord(words, "from")) return true;        // cert-manager.io/inject-ca-from-secret, valueFrom
  if (hasWordContaining(words, {"checksum", "hash", "digest", "sha1", "sha256", "sha512", "fingerprint"})) return true;
  return endsWithAny(words.back(),
                     {"name", "names", "file", "files", "path", "dir", "ref", "reference", "url", "uri", "endpoint",
                      "host", "type", "mode", "enabled", "enable", "disabled", "length", "size", "ttl", "expiry",
                      "expiration", "timeout", "duration", "period", "interval", "header", "field", "namespace", "id",
                      "policy", "version", "format", "count", "limit", "prefix", "suffix", "location", "source",
                      "store", "provider", "selector", "mount", "volume", "template", "kind", "audience", "issuer",
                      "lifetime", "seconds", "minutes", "hours", "rotation", "env", "key_ref", "required", "regex",
                      "pattern", "algorithm", "method", "strategy", "manager", "class", "label", "annotation"});
}

bool isSecretName(const Words& words) {
  if (isReferenceName(words)) return false;
  if (isPasswordName(words)) return true;
  if (hasWordContaining(words, {"secret", "token", "apikey", "credential", "privatekey", "accesskey"})) return true;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i + 1] != "key") continue;
    if (equalsAny(words[i], {"api", "access", "private", "signing", "encryption", "master", "auth", "client"})) {
      return true;
    }
  }
  return false;
}

/** Placeholder test on a lower-cased value. */
bool isPlaceholderLower(std::string_view v) {
  if (v.empty()) return true;
  if (containsAny(v, {"$(", "${", "{{", "%(", "%{", "#{", "[["})) return true;
  if (v.front() == '$' || v.front() == '%' || v.front() == '*' || v.front() == '<' || v.back() == '>') return true;
  if (v.size() >= 4 && v.starts_with("__") && v.ends_with("__")) return true;
  if (containsAny(v, {"example", "dummy", "placeholder", "changeme", "change_me", "change-me", "changeit", "xxxx",
                      "****", "....", "redacted", "your_", "your-", "yourpassword", "yoursecret", "yourtoken",
                      "replaceme", "replace_me", "replace-me", "sample", "fake", "notsecret", "not-a-secret"})) {
    return true;
  }
  if (equalsAny(v, {"password", "passwd", "pass", "secret", "token", "none", "null", "nil", "true", "false",
                    "undefined", "default", "admin", "root", "test", "string", "value", "key", "apikey", "api_key",
                    "mypassword", "mysecret", "supersecret", "s3cr3t", "123456", "12345678", "qwerty", "letmein",
                    "guest", "user", "todo", "tbd", "n/a", "-"})) {
    return true;
  }
  bool all_same = true;
  for (char c : v) all_same = all_same && c == v.front();
  return all_same;
}

SecretHit hit(SecretKind kind, size_t length) { return {kind, static_cast<uint32_t>(length)}; }

/** Calls fn(pos) for each occurrence of `needle`; stops at the first hit fn returns. */
template <typename Fn>
SecretHit scanFor(std::string_view text, std::string_view needle, Fn fn) {
  for (size_t pos = text.find(needle); pos != std::string_view::npos; pos = text.find(needle, pos + 1)) {
    if (SecretHit h = fn(pos)) return h;
  }
  return {};
}

/** A private key block; *at = its offset. */
SecretHit privateKeyAt(std::string_view text, size_t* at) {
  return scanFor(text, "-----BEGIN ", [&](size_t pos) -> SecretHit {
    size_t label_start = pos + 11;
    size_t label_end = text.find("-----", label_start);
    if (label_end == std::string_view::npos || label_end - label_start > 64) return {};
    if (text.substr(label_start, label_end - label_start).find("PRIVATE KEY") == std::string_view::npos) return {};
    size_t body = label_end + 5;
    size_t end = text.find("-----END", body);
    size_t body_end = end == std::string_view::npos ? text.size() : end;
    size_t base64 = 0;
    for (size_t i = body; i < body_end; ++i) base64 += isBase64(text[i]) ? 1 : 0;
    if (base64 < 64) return {};
    size_t block_end = body_end;
    if (end != std::string_view::npos) {
      size_t close = text.find("-----", end + 8);
      block_end = close == std::string_view::npos ? text.size() : close + 5;
    }
    *at = pos;
    return hit(SecretKind::kPrivateKey, block_end - pos);
  });
}

SecretHit awsAccessKeyId(std::string_view text) {
  for (std::string_view prefix : {"AKIA", "ASIA"}) {
    SecretHit h = scanFor(text, prefix, [&](size_t pos) -> SecretHit {
      if (!boundaryBefore(text, pos) || pos + 20 > text.size()) return {};
      for (size_t i = pos + 4; i < pos + 20; ++i) {
        if (!isUpper(text[i]) && !isDigit(text[i])) return {};
      }
      if (pos + 20 < text.size() && isAlnum(text[pos + 20])) return {};
      if (text.substr(pos, 20).find("EXAMPLE") != std::string_view::npos) return {};
      return hit(SecretKind::kAwsAccessKeyId, 20);
    });
    if (h) return h;
  }
  return {};
}

/** `prefix` followed by at least `min_tail` characters accepted by `pred`, not a placeholder. */
template <typename Pred>
SecretHit prefixedToken(std::string_view text, std::string_view prefix, size_t min_tail, SecretKind kind, Pred pred) {
  return scanFor(text, prefix, [&](size_t pos) -> SecretHit {
    if (!boundaryBefore(text, pos)) return {};
    size_t tail = spanFrom(text, pos + prefix.size(), pred);
    if (tail < min_tail) return {};
    std::string_view token = text.substr(pos, prefix.size() + tail);
    if (isPlaceholderLower(Lowered(token.substr(prefix.size())).view())) return {};
    return hit(kind, token.size());
  });
}

SecretHit gitHubToken(std::string_view text) {
  for (std::string_view prefix : {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}) {
    if (SecretHit h = prefixedToken(text, prefix, 36, SecretKind::kGitHubToken, isAlnum)) return h;
  }
  return prefixedToken(text, "github_pat_", 60, SecretKind::kGitHubToken,
                       [](char c) { return isAlnum(c) || c == '_'; });
}

SecretHit slackToken(std::string_view text) {
  for (std::string_view prefix : {"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-"}) {
    SecretHit h = scanFor(text, prefix, [&](size_t pos) -> SecretHit {
      if (!boundaryBefore(text, pos)) return {};
      size_t tail = spanFrom(text, pos + prefix.size(), [](char c) { return isAlnum(c) || c == '-'; });
      if (tail < 10) return {};
      std::string_view rest = text.substr(pos + prefix.size(), tail);
      bool digit = false;
      for (char c : rest) digit = digit || isDigit(c);
      if (!digit || isPlaceholderLower(Lowered(rest).view())) return {};
      return hit(SecretKind::kSlackToken, prefix.size() + tail);
    });
    if (h) return h;
  }
  return {};
}

SecretHit slackWebhook(std::string_view text) {
  static constexpr std::string_view kHost = "hooks.slack.com/services/";
  return scanFor(text, kHost, [&](size_t pos) -> SecretHit {
    size_t tail = spanFrom(text, pos + kHost.size(), [](char c) { return isAlnum(c) || c == '/'; });
    std::string_view path = text.substr(pos + kHost.size(), tail);
    size_t slashes = 0;
    for (char c : path) slashes += c == '/' ? 1 : 0;
    if (slashes < 2 || path.size() < 20 || isPlaceholderLower(Lowered(path).view())) return {};
    return hit(SecretKind::kSlackWebhook, kHost.size() + tail);
  });
}

}  // namespace

bool decodeBase64(std::string_view in, std::string* out) {
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (isUpper(c)) v = c - 'A';
    else if (isLower(c)) v = c - 'a' + 26;
    else if (isDigit(c)) v = c - '0' + 52;
    else if (c == '-' || c == '+') v = 62;
    else if (c == '_' || c == '/') v = 63;
    else if (c == '=') break;
    else if (isSpace(c)) continue;
    else return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return true;
}

namespace {

SecretHit jwt(std::string_view text) {
  return scanFor(text, "eyJ", [&](size_t pos) -> SecretHit {
    if (pos > 0 && isBase64Url(text[pos - 1])) return {};
    size_t header = spanFrom(text, pos, isBase64Url);
    size_t dot1 = pos + header;
    if (header < 10 || dot1 >= text.size() || text[dot1] != '.') return {};
    size_t payload = spanFrom(text, dot1 + 1, isBase64Url);
    size_t dot2 = dot1 + 1 + payload;
    if (payload < 10 || text.substr(dot1 + 1, 2) != "ey" || dot2 >= text.size() || text[dot2] != '.') return {};
    size_t signature = spanFrom(text, dot2 + 1, isBase64Url);
    std::string decoded;
    if (header > 2048 || !decodeBase64(text.substr(pos, header), &decoded)) return {};
    if (decoded.empty() || decoded.front() != '{' || decoded.find("\"alg\"") == std::string::npos) return {};
    return hit(SecretKind::kJwt, dot2 + 1 + signature - pos);
  });
}

bool isPlaceholderPassword(std::string_view password) {
  Lowered lowered(password);
  std::string_view p = lowered.view();
  return isPlaceholderLower(p) || p.starts_with("%") || p == "pwd" || p == "pw";
}

SecretHit connectionStringPassword(std::string_view text) {
  return scanFor(text, "://", [&](size_t pos) -> SecretHit {
    size_t start = pos;
    while (start > 0 && (isAlnum(text[start - 1]) || text[start - 1] == '+' || text[start - 1] == '.' ||
                         text[start - 1] == '-')) {
      --start;
    }
    if (pos - start < 2 || isDigit(text[start]) || !isAlnum(text[start])) return {};
    size_t authority_start = pos + 3;
    size_t authority_end = authority_start;
    while (authority_end < text.size()) {
      char c = text[authority_end];
      if (c == '/' || c == '?' || c == '#' || isSpace(c) || c == '"' || c == '\'' || c == '`') break;
      ++authority_end;
    }
    std::string_view authority = text.substr(authority_start, authority_end - authority_start);
    size_t at = authority.rfind('@');
    if (at == std::string_view::npos) return {};
    std::string_view userinfo = authority.substr(0, at);
    size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) return {};
    std::string_view password = userinfo.substr(colon + 1);
    if (password.empty() || at + 1 >= authority.size()) return {};
    if (isPlaceholderPassword(password)) return {};
    return hit(SecretKind::kConnectionStringPassword, password.size());
  });
}

/** Token shapes other than private keys. */
SecretHit lineToken(std::string_view text) {
  if (SecretHit h = awsAccessKeyId(text)) return h;
  if (SecretHit h = gitHubToken(text)) return h;
  if (SecretHit h = prefixedToken(text, "glpat-", 20, SecretKind::kGitLabToken, isBase64Url)) return h;
  if (SecretHit h = slackToken(text)) return h;
  if (SecretHit h = slackWebhook(text)) return h;
  if (SecretHit h = prefixedToken(text, "AIza", 35, SecretKind::kGoogleApiKey, isBase64Url)) return h;
  for (std::string_view prefix : {"sk_live_", "rk_live_"}) {
    if (SecretHit h = prefixedToken(text, prefix, 20, SecretKind::kStripeKey, isAlnum)) return h;
  }
  if (SecretHit h = jwt(text)) return h;
  return connectionStringPassword(text);
}

bool isUuid(std::string_view v) {
  if (v.size() != 36) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = lower(v[i]);
    if (dash ? c != '-' : !(isDigit(c) || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

/**
 * Lower-case DNS-style names and paths ("db-credentials", "cert-manager/webhook-ca",
 * "8312341g-5678-abcd"): how references to Secrets, and placeholders shaped like them, look.
 */
bool isNameLike(std::string_view v) {
  bool separator = false;
  for (char c : v) {
    if (c == '-' || c == '.' || c == '/') separator = true;
    else if (!isLower(c) && !isDigit(c)) return false;
  }
  return separator;
}

/** Lower, upper, digit, and symbols other than the separators - _ . count as classes. */
int characterClasses(std::string_view v) {
  bool lo = false, up = false, di = false, sym = false;
  for (char c : v) {
    if (isLower(c)) lo = true;
    else if (isUpper(c)) up = true;
    else if (isDigit(c)) di = true;
    else if (c != '-' && c != '_' && c != '.') sym = true;
  }
  return lo + up + di + sym;
}

bool isAwsSecretShape(std::string_view v) {
  if (v.size() != 40) return false;
  bool lo = false, up = false, di = false;
  for (char c : v) {
    if (!isAlnum(c) && c != '/' && c != '+') return false;
    lo = lo || isLower(c);
    up = up || isUpper(c);
    di = di || isDigit(c);
  }
  return lo && up && di;
}

}  // namespace

std::string_view secretKindName(SecretKind kind) {
  switch (kind) {
    case SecretKind::kNone: return "no secret";
    case SecretKind::kAwsAccessKeyId: return "an AWS access key ID";
    case SecretKind::kAwsSecretAccessKey: return "an AWS secret access key";
    case SecretKind::kPrivateKey: return "a private key";
    case SecretKind::kGitHubToken: return "a GitHub token";
    case SecretKind::kGitLabToken: return "a GitLab personal access token";
    case SecretKind::kSlackToken: return "a Slack token";
    case SecretKind::kSlackWebhook: return "a Slack webhook URL";
    case SecretKind::kJwt: return "a JSON Web Token";
    case SecretKind::kConnectionStringPassword: return "a password in a connection string";
    case SecretKind::kGoogleApiKey: return "a Google API key";
    case SecretKind::kStripeKey: return "a Stripe live key";
    case SecretKind::kPassword: return "a password";
    case SecretKind::kGenericSecret: return "a high-entropy secret";
  }
  return "a secret";
}

std::string describeSecret(const SecretHit& h) {
  return std::string(secretKindName(h.kind)) + " (" + std::to_string(h.length) + " characters, redacted)";
}

double shannonEntropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<uint32_t, 256> counts{};
  for (char c : s) ++counts[static_cast<unsigned char>(c)];
  double entropy = 0;
  const double n = static_cast<double>(s.size());
  for (uint32_t count : counts) {
    if (count == 0) continue;
    double p = count / n;
    entropy -= p * std::log2(p);
  }
  return entropy;
}

bool isPlaceholderValue(std::string_view value) { return isPlaceholderLower(Lowered(unquote(value)).view()); }

bool isSecretLikeName(std::string_view name) { return isSecretName(Words(name)); }

SecretHit detectSecretToken(std::string_view text) {
  text = text.substr(0, kMaxScannedBytes);
  size_t at = 0;
  if (SecretHit h = privateKeyAt(text, &at)) return h;
  return lineToken(text);
}

SecretHit detectSecret(std::string_view name, std::string_view value) {
  value = unquote(value.substr(0, kMaxScannedBytes));
  if (value.empty()) return {};
  if (SecretHit h = detectSecretToken(value)) return h;
  Words words(name);
  if (words.empty()) return {};
  bool aws_name = hasWord(words, "aws") || (hasWordContaining(words, {"secret"}) && hasWord(words, "access"));
  bool aws_secret = aws_name && !isReferenceName(words) && isAwsSecretShape(value);
  if (!aws_secret && !isSecretName(words)) return {};
  if (isPlaceholderValue(value)) return {};
  if (aws_secret) return hit(SecretKind::kAwsSecretAccessKey, value.size());
  for (char c : value) {
    if (isSpace(c)) return {};
  }
  if (value.front() == '/' || value.starts_with("./") || value.starts_with("~/")) return {};
  if (value.find("://") != std::string_view::npos || isUuid(value) || isNameLike(value)) return {};
  if (characterClasses(value) < 2) return {};
  double entropy = shannonEntropy(value);
  if (isPasswordName(words)) {
    if (value.size() >= kPasswordMinLength && entropy >= kPasswordMinEntropy) {
      return hit(SecretKind::kPassword, value.size());
    }
    return {};
  }
  if (value.size() >= kGenericSecretMinLength && entropy >= kGenericSecretMinEntropy) {
    return hit(SecretKind::kGenericSecret, value.size());
  }
  return {};
}

TextSecretHit detectSecretInText(std::string_view text) {
  text = text.substr(0, kMaxScannedBytes);
  auto lineOf = [&](size_t offset) {
    uint32_t line = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n' ? 1 : 0;
    return line;
  };
  size_t at = 0;
  if (SecretHit h = privateKeyAt(text, &at)) return {h, lineOf(at)};
  uint32_t line_number = 0;
  size_t start = 0;
  while (start <= text.size() && line_number < kMaxScannedLines) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++line_number;
    std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty()) continue;
    if (SecretHit h = lineToken(line)) return {h, line_number};
    if (line.starts_with("export ")) line = trim(line.substr(7));
    if (line.starts_with("- ")) line = trim(line.substr(2));
    size_t eq = line.find('=');
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos && line.ends_with(':')) colon = line.size() - 1;
    size_t split = std::min(eq, colon);
    if (split == std::string_view::npos || split == 0) continue;
    std::string_view key = unquote(line.substr(0, split));
    if (key.find(' ') != std::string_view::npos || key.find('\t') != std::string_view::npos) {
      // Several assignments on one line (JAVA_OPTS-style flags, a shell command).
      if (SecretHit h = detectSecretInArgument(line, "")) return {h, line_number};
      continue;
    }
    std::string_view value = line.substr(split + 1);
    value = trim(value);
    while (!value.empty() && (value.back() == ',' || value.back() == ';')) value.remove_suffix(1);
    if (SecretHit h = detectSecret(key, value)) return {h, line_number};
    if (value.find('=') != std::string_view::npos) {
      if (SecretHit h = detectSecretInArgument(value, "")) return {h, line_number};
    }
  }
  return {};
}

SecretHit detectSecretInArgument(std::string_view item, std::string_view previous_flag) {
  item = item.substr(0, kMaxScannedBytes);
  if (SecretHit h = detectSecretToken(item)) return h;
  auto flagName = [](std::string_view word) {
    while (!word.empty() && word.front() == '-') word.remove_prefix(1);
    return word;
  };
  if (!previous_flag.empty() && !item.starts_with("-")) {
    if (SecretHit h = detectSecret(flagName(previous_flag), item)) return h;
  }
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (pos < item.size() && words.size() < 4096) {
    while (pos < item.size() && isSpace(item[pos])) ++pos;
    size_t end = pos;
    while (end < item.size() && !isSpace(item[end])) ++end;
    if (end > pos) words.push_back(item.substr(pos, end - pos));
    pos = end;
  }
  if (words.size() <= 1 && item.find('=') == std::string_view::npos) return {};
  for (size_t i = 0; i < words.size(); ++i) {
    std::string_view word = unquote(words[i]);
    size_t eq = word.find('=');
    if (eq != std::string_view::npos && eq > 0) {
      if (SecretHit h = detectSecret(flagName(word.substr(0, eq)), word.substr(eq + 1))) return h;
    } else if (word.starts_with("-") && i + 1 < words.size() && !words[i + 1].starts_with("-")) {
      if (SecretHit h = detectSecret(flagName(word), words[i + 1])) return h;
    }
  }
  return {};
}

}  // namespace kspm::checks
