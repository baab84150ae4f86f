#include "kspm/netpol_sets.h"

#include <algorithm>
#include <cctype>
#include <span>
#include <string>

namespace kspm::netpol {

namespace {

using u128 = unsigned __int128;

// ---- Interval algebra over canonical (sorted, disjoint, non-adjacent) closed ranges. ----
// R is PortRange or IpRange; results copy the non-bound fields (the family) from an operand, so
// IpRange operands must all be of one family.

template <class R>
bool overlapsOrTouches(const R& before, const R& after) {
  // Requires before.lo <= after.lo. Written so that no bound is incremented past its maximum.
  return after.lo <= before.hi || after.lo - before.hi == 1;
}

template <class R>
void appendMerging(std::vector<R>& out, const R& next) {
  if (!out.empty() && overlapsOrTouches(out.back(), next)) {
    if (next.hi > out.back().hi) out.back().hi = next.hi;
  } else {
    out.push_back(next);
  }
}

template <class R>
std::vector<R> uniteRanges(std::span<const R> a, std::span<const R> b) {
  std::vector<R> out;
  out.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].lo <= b[j].lo)) {
      appendMerging(out, a[i++]);
    } else {
      appendMerging(out, b[j++]);
    }
  }
  return out;
}

template <class R>
std::vector<R> intersectRanges(std::span<const R> a, std::span<const R> b) {
  std::vector<R> out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    R piece = a[i];
    piece.lo = std::max(a[i].lo, b[j].lo);
    piece.hi = std::min(a[i].hi, b[j].hi);
    if (piece.lo <= piece.hi) out.push_back(piece);
    if (a[i].hi < b[j].hi) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

template <class R>
std::vector<R> subtractRanges(std::span<const R> a, std::span<const R> b) {
  using Bound = decltype(R::lo);
  std::vector<R> out;
  size_t j = 0;
  for (const R& range : a) {
    while (j < b.size() && b[j].hi < range.lo) ++j;
    Bound rest_lo = range.lo;
    bool exhausted = false;
    for (size_t k = j; k < b.size() && b[k].lo <= range.hi; ++k) {
      if (b[k].lo > rest_lo) {
        R piece = range;
        piece.lo = rest_lo;
        piece.hi = static_cast<Bound>(b[k].lo - 1);
        out.push_back(piece);
      }
      if (b[k].hi >= range.hi) {
        exhausted = true;
        break;
      }
      rest_lo = static_cast<Bound>(b[k].hi + 1);  // b[k].hi < range.hi: no overflow
    }
    if (!exhausted) {
      R piece = range;
      piece.lo = rest_lo;
      out.push_back(piece);
    }
  }
  return out;
}

void setError(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
}

// ---- Addresses. ----

constexpr u128 kV4Max = 0xFFFFFFFFu;
constexpr u128 kV6Max = ~u128{0};

u128 familyMax(IpFamily family) { return family == IpFamily::kV4 ? kV4Max : kV6Max; }
int familyBits(IpFamily family) { return family == IpFamily::kV4 ? 32 : 128; }

/** The mask of the host bits of a /prefix block; prefix in 0..familyBits. */
u128 hostMask(IpFamily family, int prefix) {
  return prefix >= familyBits(family) ? u128{0} : familyMax(family) >> prefix;
}

int countTrailingZeros(u128 value) {
  const auto low = static_cast<uint64_t>(value);
  if (low != 0) return __builtin_ctzll(low);
  const auto high = static_cast<uint64_t>(value >> 64);
  return high != 0 ? 64 + __builtin_ctzll(high) : 128;
}

int floorLog2(u128 value) {  // value > 0
  const auto high = static_cast<uint64_t>(value >> 64);
  if (high != 0) return 127 - __builtin_clzll(high);
  return 63 - __builtin_clzll(static_cast<uint64_t>(value));
}

struct ParsedAddress {
  IpFamily family;
  u128 value;
};

/** Go netip rules: exactly four decimal fields 0..255, no leading zeros, nothing else. */
std::optional<uint32_t> parseIpv4(std::string_view text, std::string* why) {
  uint32_t value = 0;
  int fields = 0;
  size_t pos = 0;
  while (true) {
    size_t start = pos;
    uint32_t octet = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      octet = octet * 10 + static_cast<uint32_t>(text[pos] - '0');
      ++pos;
      if (octet > 255) {
        *why = "IPv4 field has value >255";
        return std::nullopt;
      }
    }
    if (pos == start) {
      *why = "IPv4 field must have at least one digit";
      return std::nullopt;
    }
    if (pos - start > 1 && text[start] == '0') {
      *why = "IPv4 field has octet with leading zero";
      return std::nullopt;
    }
    value = (value << 8) | octet;
    ++fields;
    if (pos == text.size()) break;
    if (text[pos] != '.' || fields == 4) {
      *why = "unexpected character";
      return std::nullopt;
    }
    ++pos;
  }
  if (fields != 4) {
    *why = "IPv4 address too short";
    return std::nullopt;
  }
  return value;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/** RFC 4291 text forms as Go netip accepts them (no zone): 1-4 hex digits a field, one "::"
 *  standing for at least one zero field, an optional trailing embedded IPv4 address. */
std::optional<u128> parseIpv6(std::string_view text, std::string* why) {
  std::array<uint8_t, 16> bytes{};
  int filled = 0;
  int ellipsis = -1;
  std::string_view rest = text;
  if (rest.starts_with("::")) {
    ellipsis = 0;
    rest.remove_prefix(2);
    if (rest.empty()) return u128{0};
  }
  while (filled < 16) {
    size_t digits = 0;
    uint32_t field = 0;
    while (digits < rest.size() && hexValue(rest[digits]) >= 0) {
      field = (field << 4) | static_cast<uint32_t>(hexValue(rest[digits]));
      ++digits;
      if (digits > 4) {
        *why = "each colon-separated field must have at most 4 hex digits";
        return std::nullopt;
      }
    }
    if (digits == 0) {
      *why = "each colon-separated field must have at least one digit";
      return std::nullopt;
    }
    if (digits < rest.size() && rest[digits] == '.') {
      if (ellipsis < 0 && filled != 12) {
        *why = "embedded IPv4 address must replace the final 2 fields of the address";
        return std::nullopt;
      }
      if (filled + 4 > 16) {
        *why = "too many hex fields to fit an embedded IPv4 at the end of the address";
        return std::nullopt;
      }
      auto v4 = parseIpv4(rest, why);
      if (!v4) return std::nullopt;
      for (int k = 0; k < 4; ++k) bytes[filled + k] = static_cast<uint8_t>(*v4 >> (24 - 8 * k));
      filled += 4;
      rest = {};
      break;
    }
    bytes[filled] = static_cast<uint8_t>(field >> 8);
    bytes[filled + 1] = static_cast<uint8_t>(field);
    filled += 2;
    rest.remove_prefix(digits);
    if (rest.empty()) break;
    if (rest[0] != ':') {
      *why = "unexpected character, want colon";
      return std::nullopt;
    }
    if (rest.size() == 1) {
      *why = "colon must be followed by more characters";
      return std::nullopt;
    }
    rest.remove_prefix(1);
    if (rest[0] == ':') {
      if (ellipsis >= 0) {
        *why = "multiple :: in address";
        return std::nullopt;
      }
      ellipsis = filled;
      rest.remove_prefix(1);
      if (rest.empty()) break;
    }
  }
  if (!rest.empty()) {
    *why = "trailing garbage after address";
    return std::nullopt;
  }
  if (filled < 16) {
    if (ellipsis < 0) {
      *why = "address string too short";
      return std::nullopt;
    }
    const int zeros = 16 - filled;
    for (int k = filled - 1; k >= ellipsis; --k) bytes[k + zeros] = bytes[k];
    for (int k = ellipsis; k < ellipsis + zeros; ++k) bytes[k] = 0;
  } else if (ellipsis >= 0) {
    *why = "the :: must expand to at least one field of zeros";
    return std::nullopt;
  }
  u128 value = 0;
  for (uint8_t b : bytes) value = (value << 8) | b;
  return value;
}

/** The family is decided by the first '.' or ':' as Go's netip.ParseAddr does. */
std::optional<ParsedAddress> parseAnyAddress(std::string_view text, std::string* why) {
  for (char c : text) {
    if (c == '.') {
      auto v4 = parseIpv4(text, why);
      if (!v4) return std::nullopt;
      return ParsedAddress{IpFamily::kV4, *v4};
    }
    if (c == ':') {
      auto v6 = parseIpv6(text, why);
      if (!v6) return std::nullopt;
      return ParsedAddress{IpFamily::kV6, *v6};
    }
    if (c == '%') break;
  }
  *why = "unable to parse IP";
  return std::nullopt;
}

std::string formatIpv4(uint32_t value) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += std::to_string((value >> shift) & 0xFF);
    if (shift != 0) out += '.';
  }
  return out;
}

/** RFC 5952: lower-case hex without leading zeros, the longest run (first on ties) of two or more
 *  zero fields as "::", and IPv4-mapped addresses (::ffff:0:0/96) in mixed notation. */
std::string formatIpv6(u128 value) {
  std::array<uint16_t, 8> fields;
  for (int k = 0; k < 8; ++k) fields[k] = static_cast<uint16_t>(value >> (112 - 16 * k));
  if ((value >> 32) == u128{0xFFFF}) return "::ffff:" + formatIpv4(static_cast<uint32_t>(value));
  int best_start = -1, best_length = 1;
  for (int k = 0; k < 8;) {
    if (fields[k] != 0) {
      ++k;
      continue;
    }
    int end = k;
    while (end < 8 && fields[end] == 0) ++end;
    if (end - k > best_length) {
      best_start = k;
      best_length = end - k;
    }
    k = end;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int k = 0; k < 8; ++k) {
    if (k == best_start) {
      out += "::";
      k += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    const uint16_t field = fields[k];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const int digit = (field >> shift) & 0xF;
      if (digit != 0 || started || shift == 0) {
        out += kHex[digit];
        started = true;
      }
    }
  }
  return out;
}

std::string formatAddress(IpFamily family, u128 value) {
  return family == IpFamily::kV4 ? formatIpv4(static_cast<uint32_t>(value)) : formatIpv6(value);
}

/** The prefix length when lo..hi is exactly one CIDR block of `family`. */
std::optional<int> blockPrefix(IpFamily family, u128 lo, u128 hi) {
  const int bits = familyBits(family);
  if (lo == 0 && hi == familyMax(family)) return 0;
  const u128 size = hi - lo + 1;  // < 2^bits here, so no overflow
  if ((size & (size - 1)) != 0) return std::nullopt;
  const int host_bits = floorLog2(size);
  if (countTrailingZeros(lo) < host_bits) return std::nullopt;
  return bits - host_bits;
}

std::string formatBlock(IpFamily family, u128 lo, int prefix) {
  return formatAddress(family, lo) + "/" + std::to_string(prefix);
}

/** Appends the minimal CIDR cover of lo..hi to `blocks`; false (blocks partly filled) once it
 *  would take more than `limit` blocks. */
bool decomposeIntoBlocks(IpFamily family, u128 lo, u128 hi, size_t limit, std::vector<std::string>* blocks) {
  const int bits = familyBits(family);
  if (lo == 0 && hi == familyMax(family)) {
    blocks->push_back(formatBlock(family, 0, 0));
    return blocks->size() <= limit;
  }
  while (true) {
    const int host_bits = std::min({countTrailingZeros(lo), floorLog2(hi - lo + 1), bits});
    if (blocks->size() == limit) return false;
    blocks->push_back(formatBlock(family, lo, bits - host_bits));
    const u128 block_hi = lo + ((u128{1} << host_bits) - 1);
    if (block_hi >= hi) return true;
    lo = block_hi + 1;
  }
}

std::span<const IpRange> familyRanges(const std::vector<IpRange>& ranges, IpFamily family) {
  auto split = std::partition_point(ranges.begin(), ranges.end(),
                                    [](const IpRange& r) { return r.family == IpFamily::kV4; });
  if (family == IpFamily::kV4) return {ranges.begin(), split};
  return {split, ranges.end()};
}

template <class Op>
std::vector<IpRange> perFamily(const std::vector<IpRange>& a, const std::vector<IpRange>& b, Op op) {
  std::vector<IpRange> out = op(familyRanges(a, IpFamily::kV4), familyRanges(b, IpFamily::kV4));
  std::vector<IpRange> v6 = op(familyRanges(a, IpFamily::kV6), familyRanges(b, IpFamily::kV6));
  out.insert(out.end(), v6.begin(), v6.end());
  return out;
}

}  // namespace

// ---- Protocols and ConnSet. ----

std::string_view protocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kTCP: return "TCP";
    case Protocol::kUDP: return "UDP";
    case Protocol::kSCTP: return "SCTP";
  }
  return "TCP";
}

std::optional<Protocol> parseProtocol(std::string_view text) {
  for (Protocol protocol : kProtocols) {
    const std::string_view name = protocolName(protocol);
    if (name.size() == text.size() &&
        std::equal(name.begin(), name.end(), text.begin(), [](char expected, char got) {
          return expected == std::toupper(static_cast<unsigned char>(got));
        })) {
      return protocol;
    }
  }
  return std::nullopt;
}

ConnSet ConnSet::all() {
  ConnSet set;
  for (auto& ranges : set.by_protocol_) ranges = {PortRange{1, 65535}};
  return set;
}

ConnSet ConnSet::allOf(Protocol protocol) { return ports(protocol, 1, 65535); }

ConnSet ConnSet::ports(Protocol protocol, uint16_t lo, uint16_t hi) {
  ConnSet set;
  if (lo == 0) lo = 1;
  if (lo <= hi) set.by_protocol_[static_cast<int>(protocol)] = {PortRange{lo, hi}};
  return set;
}

bool ConnSet::empty() const {
  return std::all_of(by_protocol_.begin(), by_protocol_.end(), [](const auto& r) { return r.empty(); });
}

bool ConnSet::isAll() const { return *this == all(); }

bool ConnSet::contains(Protocol protocol, uint16_t port) const {
  const auto& ranges = this->ranges(protocol);
  auto it = std::partition_point(ranges.begin(), ranges.end(), [port](const PortRange& r) { return r.hi < port; });
  return it != ranges.end() && it->lo <= port;
}

bool ConnSet::containsAll(const ConnSet& other) const { return other.minus(*this).empty(); }

ConnSet& ConnSet::unite(const ConnSet& other) {
  for (size_t p = 0; p < by_protocol_.size(); ++p) {
    by_protocol_[p] = uniteRanges<PortRange>(by_protocol_[p], other.by_protocol_[p]);
  }
  return *this;
}

ConnSet ConnSet::intersect(const ConnSet& other) const {
  ConnSet out;
  for (size_t p = 0; p < by_protocol_.size(); ++p) {
    out.by_protocol_[p] = intersectRanges<PortRange>(by_protocol_[p], other.by_protocol_[p]);
  }
  return out;
}

ConnSet ConnSet::minus(const ConnSet& other) const {
  ConnSet out;
  for (size_t p = 0; p < by_protocol_.size(); ++p) {
    out.by_protocol_[p] = subtractRanges<PortRange>(by_protocol_[p], other.by_protocol_[p]);
  }
  return out;
}

std::string ConnSet::toString() const {
  if (empty()) return "none";
  if (isAll()) return "all";
  std::string out;
  for (Protocol protocol : kProtocols) {
    const auto& ranges = this->ranges(protocol);
    if (ranges.empty()) continue;
    if (!out.empty()) out += "; ";
    out += protocolName(protocol);
    if (ranges.size() == 1 && ranges[0] == PortRange{1, 65535}) continue;
    out += ' ';
    for (size_t k = 0; k < ranges.size(); ++k) {
      if (k != 0) out += ',';
      out += std::to_string(ranges[k].lo);
      if (ranges[k].hi != ranges[k].lo) out += '-' + std::to_string(ranges[k].hi);
    }
  }
  return out;
}

uint64_t ConnSet::hash() const {
  // FNV-1a over (protocol, count, bounds...) for each protocol: a function of the canonical form.
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](uint64_t word) {
    for (int k = 0; k < 8; ++k) {
      h ^= (word >> (8 * k)) & 0xFF;
      h *= 0x100000001b3ull;
    }
  };
  for (size_t p = 0; p < by_protocol_.size(); ++p) {
    mix(p);
    mix(by_protocol_[p].size());
    for (const PortRange& r : by_protocol_[p]) mix((uint64_t{r.lo} << 16) | r.hi);
  }
  return h;
}

// ---- IpRange and IpSet. ----

std::string IpRange::toString() const {
  if (auto prefix = blockPrefix(family, lo, hi)) return formatBlock(family, lo, *prefix);
  return formatAddress(family, lo) + "-" + formatAddress(family, hi);
}

IpSet IpSet::all() {
  IpSet set;
  set.ranges_ = {IpRange{IpFamily::kV4, 0, kV4Max}, IpRange{IpFamily::kV6, 0, kV6Max}};
  return set;
}

IpSet IpSet::allOf(IpFamily family) {
  IpSet set;
  set.ranges_ = {IpRange{family, 0, familyMax(family)}};
  return set;
}

std::optional<IpSet> IpSet::parseCidr(std::string_view text, std::string* error) {
  auto fail = [&](std::string_view why) -> std::optional<IpSet> {
    setError(error, "invalid CIDR \"" + std::string(text) + "\": " + std::string(why));
    return std::nullopt;
  };
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return fail("missing /prefix length");
  std::string why;
  auto address = parseAnyAddress(text.substr(0, slash), &why);
  if (!address) return fail(why);
  // Decimal digits only, as Go's ParseCIDR (leading zeros are accepted there too).
  const std::string_view prefix_text = text.substr(slash + 1);
  int prefix = 0;
  for (char c : prefix_text) {
    if (c < '0' || c > '9') return fail("bad prefix length");
    prefix = std::min(prefix * 10 + (c - '0'), 1000);
  }
  if (prefix_text.empty() || prefix > familyBits(address->family)) return fail("bad prefix length");
  const u128 host = hostMask(address->family, prefix);
  IpSet set;
  set.ranges_ = {IpRange{address->family, address->value & ~host, (address->value & ~host) | host}};
  return set;
}

IpSet IpSet::ofRange(const IpRange& range) {
  // An inverted range is empty; a bound past the family's last address is clamped to it.
  IpSet set;
  const u128 hi = std::min(range.hi, familyMax(range.family));
  if (range.lo <= hi) set.ranges_ = {IpRange{range.family, range.lo, hi}};
  return set;
}

std::optional<IpSet> IpSet::parseAddress(std::string_view text, std::string* error) {
  std::string why;
  auto address = parseAnyAddress(text, &why);
  if (!address) {
    setError(error, "invalid IP address \"" + std::string(text) + "\": " + why);
    return std::nullopt;
  }
  IpSet set;
  set.ranges_ = {IpRange{address->family, address->value, address->value}};
  return set;
}

bool IpSet::isAll() const { return *this == all(); }

bool IpSet::intersects(const IpSet& other) const {
  size_t i = 0, j = 0;
  while (i < ranges_.size() && j < other.ranges_.size()) {
    const IpRange& a = ranges_[i];
    const IpRange& b = other.ranges_[j];
    if (a.family != b.family) {
      // IPv4 sorts first: skip the side still in IPv4.
      if (a.family == IpFamily::kV4) ++i; else ++j;
      continue;
    }
    if (a.lo <= b.hi && b.lo <= a.hi) return true;
    if (a.hi < b.hi) ++i; else ++j;
  }
  return false;
}

bool IpSet::containsAll(const IpSet& other) const { return other.minus(*this).empty(); }

IpSet& IpSet::unite(const IpSet& other) {
  ranges_ = perFamily(ranges_, other.ranges_, uniteRanges<IpRange>);
  return *this;
}

IpSet IpSet::intersect(const IpSet& other) const {
  IpSet out;
  out.ranges_ = perFamily(ranges_, other.ranges_, intersectRanges<IpRange>);
  return out;
}

IpSet IpSet::minus(const IpSet& other) const {
  IpSet out;
  out.ranges_ = perFamily(ranges_, other.ranges_, subtractRanges<IpRange>);
  return out;
}

std::string IpSet::toString() const {
  if (ranges_.empty()) return "none";
  constexpr size_t kMaxBlocksPerRange = 4;
  std::string out;
  for (const IpRange& range : ranges_) {
    if (!out.empty()) out += ',';
    std::vector<std::string> blocks;
    if (decomposeIntoBlocks(range.family, range.lo, range.hi, kMaxBlocksPerRange, &blocks)) {
      for (size_t k = 0; k < blocks.size(); ++k) {
        if (k != 0) out += ',';
        out += blocks[k];
      }
    } else {
      out += formatAddress(range.family, range.lo) + "-" + formatAddress(range.family, range.hi);
    }
  }
  return out;
}

// ---- Partition. ----

std::vector<IpRange> partitionAddressSpace(const std::vector<IpSet>& sets) {
  // Every cut is the first address of a range or the address after one. In canonical sets each
  // such cut changes that set's membership, so the elementary ranges between cuts are coarsest.
  std::array<std::vector<u128>, 2> cuts;
  for (auto& family_cuts : cuts) family_cuts.push_back(0);
  for (const IpSet& set : sets) {
    for (const IpRange& range : set.ranges()) {
      auto& family_cuts = cuts[static_cast<int>(range.family)];
      family_cuts.push_back(range.lo);
      if (range.hi != familyMax(range.family)) family_cuts.push_back(range.hi + 1);
    }
  }
  std::vector<IpRange> out;
  for (IpFamily family : {IpFamily::kV4, IpFamily::kV6}) {
    auto& family_cuts = cuts[static_cast<int>(family)];
    std::sort(family_cuts.begin(), family_cuts.end());
    family_cuts.erase(std::unique(family_cuts.begin(), family_cuts.end()), family_cuts.end());
    for (size_t k = 0; k < family_cuts.size(); ++k) {
      const u128 hi = k + 1 < family_cuts.size() ? family_cuts[k + 1] - 1 : familyMax(family);
      out.push_back(IpRange{family, family_cuts[k], hi});
    }
  }
  return out;
}

const IpSet& defaultPodNetworks() {
  static const IpSet kNetworks = [] {
    IpSet set;
    for (std::string_view cidr : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"}) {
      set.unite(*IpSet::parseCidr(cidr, nullptr));
    }
    return set;
  }();
  return kNetworks;
}

}  // namespace kspm::netpol
