#include "loader/scalar.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace kspm::loader {
namespace {

// resolveTable of go-yaml v2: 'S' sign, 'D' digit, 'M' in map, '.' float.
struct HintTable {
  char t[256] = {};
  constexpr HintTable() {
    t[static_cast<unsigned char>('+')] = 'S';
    t[static_cast<unsigned char>('-')] = 'S';
    for (char c = '0'; c <= '9'; ++c) t[static_cast<unsigned char>(c)] = 'D';
    for (char c : std::string_view("yYnNtTfFoO~")) t[static_cast<unsigned char>(c)] = 'M';
    t[static_cast<unsigned char>('.')] = '.';
  }
};
constexpr HintTable kHints;

bool lookupMap(std::string_view in, Scalar* out) {
  auto set_bool = [&](bool v) { out->kind = ScalarKind::kBool; out->boolean = v; return true; };
  auto set_float = [&](double v) { out->kind = ScalarKind::kFloat; out->real = v; return true; };
  switch (in.size()) {
    case 0: out->kind = ScalarKind::kNull; return true;
    case 1:
      if (in == "y" || in == "Y") return set_bool(true);
      if (in == "n" || in == "N") return set_bool(false);
      if (in == "~") { out->kind = ScalarKind::kNull; return true; }
      return false;
    case 2:
      if (in == "on" || in == "On" || in == "ON") return set_bool(true);
      if (in == "no" || in == "No" || in == "NO") return set_bool(false);
      return false;
    case 3:
      if (in == "yes" || in == "Yes" || in == "YES") return set_bool(true);
      if (in == "off" || in == "Off" || in == "OFF") return set_bool(false);
      return false;
    case 4:
      if (in == "true" || in == "True" || in == "TRUE") return set_bool(true);
      if (in == "null" || in == "Null" || in == "NULL") { out->kind = ScalarKind::kNull; return true; }
      if (in == ".nan" || in == ".NaN" || in == ".NAN") return set_float(std::numeric_limits<double>::quiet_NaN());
      if (in == ".inf" || in == ".Inf" || in == ".INF") return set_float(std::numeric_limits<double>::infinity());
      return false;
    case 5:
      if (in == "false" || in == "False" || in == "FALSE") return set_bool(false);
      if (in == "+.inf" || in == "+.Inf" || in == "+.INF") return set_float(std::numeric_limits<double>::infinity());
      if (in == "-.inf" || in == "-.Inf" || in == "-.INF") return set_float(-std::numeric_limits<double>::infinity());
      return false;
    default: return false;
  }
}

enum class ParseStatus { kOk, kSyntax, kRange };

// Go strconv.ParseUint(s, 0, 64) (s already without underscores).
ParseStatus goParseUint(std::string_view s, uint64_t* out) {
  if (s.empty()) return ParseStatus::kSyntax;
  unsigned base = 10;
  if (s[0] == '0') {
    char c1 = s.size() >= 3 ? static_cast<char>(s[1] | 0x20) : 0;
    if (c1 == 'b') { base = 2; s.remove_prefix(2); }
    else if (c1 == 'o') { base = 8; s.remove_prefix(2); }
    else if (c1 == 'x') { base = 16; s.remove_prefix(2); }
    else { base = 8; s.remove_prefix(1); }
  }
  uint64_t n = 0;
  bool range = false;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') d = static_cast<unsigned>((c | 0x20) - 'a' + 10);
    else return ParseStatus::kSyntax;
    if (d >= base) return ParseStatus::kSyntax;
    if (range) continue;
    if (n > (std::numeric_limits<uint64_t>::max() - d) / base) { range = true; continue; }
    n = n * base + d;
  }
  if (range) return ParseStatus::kRange;
  *out = n;
  return ParseStatus::kOk;
}

// Go strconv.ParseInt(s, 0, 64).
ParseStatus goParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return ParseStatus::kSyntax;
  bool neg = false;
  if (s[0] == '+') s.remove_prefix(1);
  else if (s[0] == '-') { neg = true; s.remove_prefix(1); }
  uint64_t un = 0;
  ParseStatus st = goParseUint(s, &un);
  if (st != ParseStatus::kOk) return st;
  constexpr uint64_t cutoff = uint64_t(1) << 63;
  if (!neg && un >= cutoff) return ParseStatus::kRange;
  if (neg && un > cutoff) return ParseStatus::kRange;
  *out = neg ? static_cast<int64_t>(0 - un) : static_cast<int64_t>(un);
  return ParseStatus::kOk;
}

// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool yamlStyleFloat(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digits = [&]() { size_t b = i; while (i < n && s[i] >= '0' && s[i] <= '9') ++i; return i - b; };
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < n && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < n && s[i] == '.') { ++i; digits(); }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == n;
}

// Go strconv.ParseFloat on text already known to match yamlStyleFloat: fails only on overflow.
bool parseDecimalFloat(std::string_view s, double* out) {
  char small[128];
  std::string big;
  const char* p;
  if (s.size() < sizeof(small)) {
    std::memcpy(small, s.data(), s.size());
    small[s.size()] = '\0';
    p = small;
  } else {
    big.assign(s);
    p = big.c_str();
  }
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(p, &end);
  if (errno == ERANGE && std::isinf(v)) return false;  // Go: ErrRange -> not a float
  *out = v;
  return true;
}

}  // namespace

Scalar resolvePlain(std::string_view in) {
  Scalar out;
  if (in.size() == 2 && in[0] == '<' && in[1] == '<') {
    // Not in the resolve table (it is a string) but go-yaml's decoder treats a plain `<<` as a merge.
    out.kind = ScalarKind::kMerge;
    return out;
  }
  char hint = in.empty() ? 'N' : kHints.t[static_cast<unsigned char>(in[0])];
  if (hint == 0) return out;  // a string for sure
  if (lookupMap(in, &out)) return out;
  switch (hint) {
    case 'M':
    case 'N':
      break;
    case '.': {
      double d;
      if (yamlStyleFloat(in) && parseDecimalFloat(in, &d)) {
        out.kind = ScalarKind::kFloat;
        out.real = d;
        return out;
      }
      break;
    }
    case 'D':
    case 'S': {
      char small[128];
      std::string big;
      std::string_view plain = in;
      if (in.find('_') != std::string_view::npos) {
        char* w;
        if (in.size() < sizeof(small)) {
          w = small;
        } else {
          big.resize(in.size());
          w = big.data();
        }
        size_t k = 0;
        for (char c : in) {
          if (c != '_') w[k++] = c;
        }
        plain = std::string_view(w, k);
      }
      int64_t iv;
      if (goParseInt(plain, &iv) == ParseStatus::kOk) {
        out.kind = ScalarKind::kInt;
        out.integer = iv;
        return out;
      }
      uint64_t uv;
      if (goParseUint(plain, &uv) == ParseStatus::kOk) {
        // go-yaml gives uint64; Node has int64 only, so it is kept as a float (may lose precision).
        out.kind = ScalarKind::kFloat;
        out.real = static_cast<double>(uv);
        return out;
      }
      double d;
      if (yamlStyleFloat(plain) && parseDecimalFloat(plain, &d)) {
        out.kind = ScalarKind::kFloat;
        out.real = d;
        return out;
      }
      break;
    }
    default:
      break;
  }
  out.kind = ScalarKind::kString;
  return out;
}

Tag tagOf(const char* tag) {
  if (tag == nullptr) return Tag::kNone;
  std::string_view t(tag);
  constexpr std::string_view kLong = "tag:yaml.org,2002:";
  if (t.substr(0, kLong.size()) == kLong) t.remove_prefix(kLong.size());
  else if (t.substr(0, 2) == "!!") t.remove_prefix(2);
  else return Tag::kOther;  // "!", "!custom": not resolvable, the value stays a string
  if (t == "str") return Tag::kStr;
  if (t == "binary") return Tag::kBinary;
  if (t == "int") return Tag::kInt;
  if (t == "float") return Tag::kFloat;
  if (t == "bool") return Tag::kBool;
  if (t == "null") return Tag::kNull;
  return Tag::kOther;
}

namespace {
std::string_view kindTagName(ScalarKind k) {
  switch (k) {
    case ScalarKind::kNull: return "!!null";
    case ScalarKind::kBool: return "!!bool";
    case ScalarKind::kInt: return "!!int";
    case ScalarKind::kFloat: return "!!float";
    case ScalarKind::kString: return "!!str";
    case ScalarKind::kMerge: return "!!merge";
  }
  return "!!str";
}
}  // namespace

bool resolveTagged(Tag tag, std::string_view in, Scalar* out, std::string* error) {
  *out = Scalar();
  if (tag == Tag::kStr || tag == Tag::kBinary || tag == Tag::kOther) return true;
  if (tag == Tag::kNone) {
    *out = resolvePlain(in);
    return true;
  }
  Scalar r = resolvePlain(in);
  if (r.kind == ScalarKind::kMerge) r.kind = ScalarKind::kString;
  ScalarKind want = tag == Tag::kInt ? ScalarKind::kInt
                    : tag == Tag::kFloat ? ScalarKind::kFloat
                    : tag == Tag::kBool ? ScalarKind::kBool
                                        : ScalarKind::kNull;
  if (r.kind == want) {
    *out = r;
    return true;
  }
  if (want == ScalarKind::kFloat && r.kind == ScalarKind::kInt) {
    out->kind = ScalarKind::kFloat;
    out->real = static_cast<double>(r.integer);
    return true;
  }
  *error = "cannot decode ";
  error->append(kindTagName(r.kind));
  error->append(" `");
  error->append(in.substr(0, 80));
  error->append("` as a ");
  error->append(kindTagName(want));
  return false;
}

std::string keyText(const Scalar& s) {
  switch (s.kind) {
    case ScalarKind::kNull: return "null";
    case ScalarKind::kBool: return s.boolean ? "true" : "false";
    case ScalarKind::kInt: return std::to_string(s.integer);
    case ScalarKind::kFloat: {
      // strconv.FormatFloat(v, 'g', -1, 32), with go-yaml's spellings of the specials.
      if (std::isnan(s.real)) return ".nan";
      if (std::isinf(s.real)) return s.real > 0 ? ".inf" : "-.inf";
      float f = static_cast<float>(s.real);
      if (std::isinf(f)) return f > 0 ? ".inf" : "-.inf";
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
      std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));  // e.g. "-1.2345e+05"
      bool neg = !sci.empty() && sci[0] == '-';
      if (neg) sci.remove_prefix(1);
      size_t e = sci.find('e');
      std::string digits;
      for (char c : sci.substr(0, e)) {
        if (c != '.') digits.push_back(c);
      }
      int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
      while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
      if (digits == "0") return neg ? "-0" : "0";
      std::string out = neg ? "-" : "";
      if (exp < -4 || exp >= 6) {
        out += digits[0];
        if (digits.size() > 1) { out += '.'; out += digits.substr(1); }
        out += 'e';
        out += exp < 0 ? '-' : '+';
        int ae = exp < 0 ? -exp : exp;
        if (ae < 10) out += '0';
        out += std::to_string(ae);
        return out;
      }
      int dp = exp + 1;  // digits before the decimal point
      if (dp <= 0) {
        out += "0.";
        out.append(static_cast<size_t>(-dp), '0');
        out += digits;
      } else if (static_cast<size_t>(dp) >= digits.size()) {
        out += digits;
        out.append(static_cast<size_t>(dp) - digits.size(), '0');
      } else {
        out += digits.substr(0, static_cast<size_t>(dp));
        out += '.';
        out += digits.substr(static_cast<size_t>(dp));
      }
      return out;
    }
    case ScalarKind::kString:
    case ScalarKind::kMerge: return std::string();
  }
  return std::string();
}

}  // namespace kspm::loader
