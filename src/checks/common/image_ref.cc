#include "checks/common/image_ref.h"

#include <cctype>

namespace kspm::checks {

namespace {

constexpr size_t kMaxPathLength = 255;  // reference.RepositoryNameTotalLengthMax

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isWord(char c) { return isAlnum(c) || c == '_'; }
bool isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool isDomainComponent(std::string_view s) {
  if (s.empty() || !isAlnum(s.front()) || !isAlnum(s.back())) return false;
  for (char c : s) {
    if (!isAlnum(c) && c != '-') return false;
  }
  return true;
}

// domain := (domain-name | "[" ipv6 "]") [":" port]
bool isDomain(std::string_view s) {
  std::string_view host = s;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char c : s.substr(1, close - 1)) {
      if (!isHex(c) && c != ':') return false;
    }
    host = {};
    s.remove_prefix(close + 1);
    if (s.empty()) return true;
    if (s.front() != ':') return false;
  } else {
    size_t colon = s.find(':');
    host = s.substr(0, colon);
    s = colon == std::string_view::npos ? std::string_view() : s.substr(colon);
    size_t start = 0;
    while (true) {
      size_t dot = host.find('.', start);
      if (!isDomainComponent(host.substr(start, dot == std::string_view::npos ? dot : dot - start))) return false;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    if (s.empty()) return true;
  }
  // s is ":" port
  std::string_view port = s.substr(1);
  if (port.empty()) return false;
  for (char c : port) {
    if (!isDigit(c)) return false;
  }
  return true;
}

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [._] | "__" | "-"+
bool isPathComponent(std::string_view s) {
  size_t i = 0;
  auto alnumRun = [&]() {
    size_t start = i;
    while (i < s.size() && isLowerAlnum(s[i])) ++i;
    return i > start;
  };
  if (!alnumRun()) return false;
  while (i < s.size()) {
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnumRun()) return false;
  }
  return true;
}

bool isPath(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t slash = s.find('/', start);
    if (!isPathComponent(s.substr(start, slash == std::string_view::npos ? slash : slash - start))) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// tag := [\w][\w.-]{0,127}
bool isTag(std::string_view s) {
  if (s.empty() || s.size() > 128 || !isWord(s.front())) return false;
  for (char c : s) {
    if (!isWord(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// digest := algorithm ":" hex{32,} (reference grammar), then go-digest's Parse: the algorithm must
// be one the runtimes implement and the encoded part its exact lower-case hex length.
bool isDigest(std::string_view s, std::string* reason) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view algorithm = s.substr(0, colon);
  std::string_view hex = s.substr(colon + 1);
  size_t expected = 0;
  if (algorithm == "sha256") {
    expected = 64;
  } else if (algorithm == "sha384") {
    expected = 96;
  } else if (algorithm == "sha512") {
    expected = 128;
  } else {
    *reason = "unsupported digest algorithm " + std::string(algorithm);
    return false;
  }
  if (hex.size() != expected) {
    *reason = "digest " + std::string(algorithm) + " needs " + std::to_string(expected) + " hex digits";
    return false;
  }
  for (char c : hex) {
    if (!isDigit(c) && !(c >= 'a' && c <= 'f')) {
      *reason = "digest must be lower-case hex";
      return false;
    }
  }
  return true;
}

bool isIdentifier(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!isDigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

bool hasUpper(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

ParsedImage invalid(std::string reason) {
  ParsedImage out;
  out.status = ImageRefStatus::kInvalid;
  out.reason = std::move(reason);
  return out;
}

}  // namespace

std::string ImageRef::normalized() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

bool isTemplatedImage(std::string_view text) {
  return text.find("${") != std::string_view::npos || text.find("{{") != std::string_view::npos ||
         text.find("}}") != std::string_view::npos;
}

ParsedImage parseImageRef(std::string_view text) {
  ParsedImage out;
  bool blank = true;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) blank = false;
  }
  if (blank) {
    out.status = ImageRefStatus::kEmpty;
    return out;
  }
  if (isTemplatedImage(text)) {
    out.status = ImageRefStatus::kTemplated;
    return out;
  }
  if (isIdentifier(text)) return invalid("a 64-digit hex image ID is not a repository name");

  // splitDockerDomain: the first component is a registry only if it looks like one.
  ImageRef ref;
  std::string_view remainder;
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    ref.registry = kDockerHubRegistry;
    remainder = text;
  } else {
    std::string_view first = text.substr(0, slash);
    if (first == "localhost" || first.find_first_of(".:") != std::string_view::npos || hasUpper(first)) {
      ref.registry = first == "index.docker.io" ? kDockerHubRegistry : first;
      remainder = text.substr(slash + 1);
    } else {
      ref.registry = kDockerHubRegistry;
      remainder = text;
    }
  }
  if (ref.registry != kDockerHubRegistry && !isDomain(ref.registry)) {
    return invalid("registry " + ref.registry + " is not a valid host name");
  }

  // remainder := path [":" tag] ["@" digest]
  std::string_view name_and_tag = remainder;
  if (size_t at = remainder.find('@'); at != std::string_view::npos) {
    name_and_tag = remainder.substr(0, at);
    std::string reason = "invalid digest";
    if (!isDigest(remainder.substr(at + 1), &reason)) return invalid(reason);
    ref.digest = remainder.substr(at + 1);
  }
  std::string_view path = name_and_tag;
  if (size_t colon = name_and_tag.find(':'); colon != std::string_view::npos) {
    path = name_and_tag.substr(0, colon);
    std::string_view tag = name_and_tag.substr(colon + 1);
    if (!isTag(tag)) return invalid("invalid tag " + std::string(tag));
    ref.tag = tag;
  }
  if (hasUpper(path)) return invalid("repository name must be lowercase");
  if (!isPath(path)) return invalid("invalid repository name " + std::string(path));
  ref.path = path;
  if (ref.registry == kDockerHubRegistry && path.find('/') == std::string_view::npos) {
    ref.path = "library/" + ref.path;
  }
  if (ref.path.size() > kMaxPathLength) return invalid("repository name longer than 255 characters");
  out.status = ImageRefStatus::kOk;
  out.ref = std::move(ref);
  return out;
}

ParsedImage parseImageField(const Node* image) {
  ParsedImage out;
  if (image == nullptr || image->isNull()) {
    out.status = ImageRefStatus::kMissing;
    return out;
  }
  if (!image->isString()) {
    out.status = ImageRefStatus::kNotString;
    return out;
  }
  return parseImageRef(image->str());
}

std::string normalizeRegistry(std::string_view registry) {
  while (!registry.empty() && registry.back() == '/') registry.remove_suffix(1);
  std::string out(registry);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out == "index.docker.io") out = kDockerHubRegistry;
  return out;
}

std::string describeUnassessableImage(const ParsedImage& parsed, const Node* image) {
  std::string written = image != nullptr ? (image->isString() ? std::string(image->str()) : image->scalarText())
                                         : std::string();
  switch (parsed.status) {
    case ImageRefStatus::kOk:
      return "has image \"" + written + "\"";
    case ImageRefStatus::kMissing:
      return "has no image";
    case ImageRefStatus::kNotString:
      return "has an image that is not a string";
    case ImageRefStatus::kEmpty:
      return "has an empty image";
    case ImageRefStatus::kTemplated:
      return "has the unrendered template image \"" + written + "\"";
    case ImageRefStatus::kInvalid:
      return "has the invalid image reference \"" + written + "\" (" + parsed.reason + ")";
  }
  return {};
}

}  // namespace kspm::checks
