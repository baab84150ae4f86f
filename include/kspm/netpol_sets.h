// Value types for NetworkPolicy reachability: sets of connections (protocol x port) and sets of IP
// addresses, both kept as sorted, disjoint, non-adjacent closed intervals so that union,
// intersection and difference are linear merges and equal sets compare equal.
//
// Thread safety: plain values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kspm::netpol {

/** The protocols of networking.k8s.io/v1 NetworkPolicyPort (default TCP). */
enum class Protocol : uint8_t { kTCP = 0, kUDP = 1, kSCTP = 2 };
inline constexpr std::array<Protocol, 3> kProtocols = {Protocol::kTCP, Protocol::kUDP, Protocol::kSCTP};
/** "TCP", "UDP", "SCTP". */
std::string_view protocolName(Protocol protocol);
/** Parses "TCP", "UDP" or "SCTP" (case-insensitive); nullopt otherwise. */
std::optional<Protocol> parseProtocol(std::string_view text);

/** A closed range of ports, 1 <= lo <= hi <= 65535. */
struct PortRange {
  uint16_t lo = 1;
  uint16_t hi = 65535;
  bool operator==(const PortRange&) const = default;
};

/**
 * A set of connections: for each protocol, a set of ports in 1..65535. Canonical (sorted, disjoint,
 * adjacent ranges merged), so operator== is set equality.
 */
class ConnSet {
 public:
  /** The empty set. */
  ConnSet() = default;
  /** Every port of every protocol. */
  static ConnSet all();
  /** Every port of `protocol`. */
  static ConnSet allOf(Protocol protocol);
  /** Ports lo..hi of `protocol`; empty when lo > hi or lo == 0 is clamped to 1. */
  static ConnSet ports(Protocol protocol, uint16_t lo, uint16_t hi);

  bool empty() const;
  bool isAll() const;
  bool contains(Protocol protocol, uint16_t port) const;
  /** True when every connection of `other` is in this set. */
  bool containsAll(const ConnSet& other) const;

  ConnSet& unite(const ConnSet& other);
  ConnSet intersect(const ConnSet& other) const;
  ConnSet minus(const ConnSet& other) const;

  const std::vector<PortRange>& ranges(Protocol protocol) const { return by_protocol_[static_cast<int>(protocol)]; }

  /**
   * "all", "none", or per protocol in TCP, UDP, SCTP order, protocols separated by "; ":
   * "TCP 80,443,8000-8080; UDP 53"; a protocol with every port prints as just "UDP".
   */
  std::string toString() const;

  bool operator==(const ConnSet&) const = default;
  /** A hash consistent with operator==. */
  uint64_t hash() const;

 private:
  std::array<std::vector<PortRange>, 3> by_protocol_;
};

/** An IP address family. */
enum class IpFamily : uint8_t { kV4 = 0, kV6 = 1 };

/** A closed range of addresses of one family. IPv4 addresses use the low 32 bits. */
struct IpRange {
  IpFamily family = IpFamily::kV4;
  unsigned __int128 lo = 0;
  unsigned __int128 hi = 0;
  bool operator==(const IpRange&) const = default;
  /** "10.0.0.0/8" when the range is exactly one CIDR block, else "10.0.0.0-10.0.0.5"; IPv6 in RFC 5952 form. */
  std::string toString() const;
};

/** A set of IPv4 and IPv6 addresses, canonical like ConnSet. */
class IpSet {
 public:
  IpSet() = default;
  /** Every IPv4 and IPv6 address. */
  static IpSet all();
  /** Every address of one family. */
  static IpSet allOf(IpFamily family);
  /**
   * Parses a CIDR as the API server accepts it in ipBlock.cidr/except ("10.0.0.0/8", "2001:db8::/32",
   * also a CIDR with host bits set, which denotes its block). A bare address is not a CIDR.
   * nullopt with *error set ("invalid CIDR \"...\"") otherwise.
   */
  static std::optional<IpSet> parseCidr(std::string_view text, std::string* error);
  /** The addresses of one range. */
  static IpSet ofRange(const IpRange& range);
  /** Parses one address ("203.0.113.7", "2001:db8::1"); nullopt with *error set otherwise. */
  static std::optional<IpSet> parseAddress(std::string_view text, std::string* error);

  bool empty() const { return ranges_.empty(); }
  bool isAll() const;
  bool intersects(const IpSet& other) const;
  bool containsAll(const IpSet& other) const;

  IpSet& unite(const IpSet& other);
  IpSet intersect(const IpSet& other) const;
  IpSet minus(const IpSet& other) const;

  /** Ranges, IPv4 first, each family ascending. */
  const std::vector<IpRange>& ranges() const { return ranges_; }
  /** The ranges as CIDR blocks where they split exactly into few (at most 4) blocks, else as a-b; comma-separated. */
  std::string toString() const;

  bool operator==(const IpSet&) const = default;

 private:
  std::vector<IpRange> ranges_;
};

/**
 * Splits the address space into the coarsest disjoint ranges such that each range lies wholly
 * inside or wholly outside every set of `sets`; the ranges cover every IPv4 and IPv6 address, in
 * the order of IpSet::ranges(). With no sets: the two whole families.
 */
std::vector<IpRange> partitionAddressSpace(const std::vector<IpSet>& sets);

/**
 * The address ranges pod IPs are usually allocated from, when the user does not give the cluster's
 * pod CIDRs: RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 6598 shared space (100.64/10) and IPv6
 * unique local addresses (fc00::/7).
 */
const IpSet& defaultPodNetworks();

}  // namespace kspm::netpol
