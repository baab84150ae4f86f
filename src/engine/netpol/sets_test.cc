// ConnSet and IpSet: algebra against examples and a brute-force model, parsing tables, printing,
// and partitionAddressSpace invariants (cover, wholly in/out, coarsest) including max-address edges.
#include "kspm/netpol_sets.h"

#include <bitset>
#include <optional>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

namespace kspm::netpol {
namespace {

using u128 = unsigned __int128;
constexpr u128 kV4Max = 0xFFFFFFFFu;
constexpr u128 kV6Max = ~u128{0};

IpSet cidr(std::string_view text) {
  std::string error;
  auto set = IpSet::parseCidr(text, &error);
  EXPECT_TRUE(set.has_value()) << text << ": " << error;
  return set.value_or(IpSet());
}

IpSet address(std::string_view text) {
  std::string error;
  auto set = IpSet::parseAddress(text, &error);
  EXPECT_TRUE(set.has_value()) << text << ": " << error;
  return set.value_or(IpSet());
}

IpSet unionOf(std::initializer_list<std::string_view> cidrs) {
  IpSet out;
  for (auto text : cidrs) out.unite(cidr(text));
  return out;
}

/** The single range of a one-range set. */
IpRange onlyRange(const IpSet& set) {
  EXPECT_EQ(set.ranges().size(), 1u) << set.toString();
  return set.ranges().empty() ? IpRange{} : set.ranges()[0];
}

// ---------------------------------------------------------------------------------------------
// Protocols and ConnSet.

TEST(NetpolConnSet, ProtocolNamesRoundTripCaseInsensitively) {
  EXPECT_EQ(protocolName(Protocol::kTCP), "TCP");
  EXPECT_EQ(protocolName(Protocol::kUDP), "UDP");
  EXPECT_EQ(protocolName(Protocol::kSCTP), "SCTP");
  EXPECT_EQ(parseProtocol("tcp"), Protocol::kTCP);
  EXPECT_EQ(parseProtocol("Udp"), Protocol::kUDP);
  EXPECT_EQ(parseProtocol("SCTP"), Protocol::kSCTP);
  EXPECT_EQ(parseProtocol("sctP"), Protocol::kSCTP);
  EXPECT_EQ(parseProtocol(""), std::nullopt);
  EXPECT_EQ(parseProtocol("ICMP"), std::nullopt);
  EXPECT_EQ(parseProtocol("TCP "), std::nullopt);
  EXPECT_EQ(parseProtocol("TC"), std::nullopt);
}

TEST(NetpolConnSet, ConstructorsAndPredicates) {
  EXPECT_TRUE(ConnSet().empty());
  EXPECT_FALSE(ConnSet().isAll());
  EXPECT_TRUE(ConnSet::all().isAll());
  EXPECT_FALSE(ConnSet::all().empty());
  EXPECT_FALSE(ConnSet::allOf(Protocol::kUDP).isAll());

  // lo 0 clamps to 1; lo > hi is empty.
  EXPECT_EQ(ConnSet::ports(Protocol::kTCP, 0, 10), ConnSet::ports(Protocol::kTCP, 1, 10));
  EXPECT_EQ(ConnSet::ports(Protocol::kTCP, 0, 65535), ConnSet::allOf(Protocol::kTCP));
  EXPECT_TRUE(ConnSet::ports(Protocol::kTCP, 0, 0).empty());
  EXPECT_TRUE(ConnSet::ports(Protocol::kTCP, 81, 80).empty());
  EXPECT_EQ(ConnSet::ports(Protocol::kUDP, 53, 53).ranges(Protocol::kUDP), (std::vector<PortRange>{{53, 53}}));
  EXPECT_TRUE(ConnSet::ports(Protocol::kUDP, 53, 53).ranges(Protocol::kTCP).empty());

  ConnSet web = ConnSet::ports(Protocol::kTCP, 80, 80).unite(ConnSet::ports(Protocol::kTCP, 8000, 8080));
  EXPECT_TRUE(web.contains(Protocol::kTCP, 80));
  EXPECT_TRUE(web.contains(Protocol::kTCP, 8000));
  EXPECT_TRUE(web.contains(Protocol::kTCP, 8080));
  EXPECT_FALSE(web.contains(Protocol::kTCP, 79));
  EXPECT_FALSE(web.contains(Protocol::kTCP, 81));
  EXPECT_FALSE(web.contains(Protocol::kTCP, 8081));
  EXPECT_FALSE(web.contains(Protocol::kUDP, 80));
  EXPECT_TRUE(ConnSet::all().contains(Protocol::kSCTP, 1));
  EXPECT_TRUE(ConnSet::all().contains(Protocol::kSCTP, 65535));

  EXPECT_TRUE(web.containsAll(ConnSet::ports(Protocol::kTCP, 8010, 8020)));
  EXPECT_TRUE(web.containsAll(ConnSet()));
  EXPECT_FALSE(web.containsAll(ConnSet::ports(Protocol::kTCP, 80, 81)));
  EXPECT_FALSE(web.containsAll(ConnSet::ports(Protocol::kUDP, 80, 80)));
  EXPECT_TRUE(ConnSet::all().containsAll(web));
}

TEST(NetpolConnSet, UnionMergesOverlapAndAdjacency) {
  ConnSet set = ConnSet::ports(Protocol::kTCP, 10, 20);
  set.unite(ConnSet::ports(Protocol::kTCP, 21, 30));  // adjacent
  EXPECT_EQ(set.ranges(Protocol::kTCP), (std::vector<PortRange>{{10, 30}}));
  set.unite(ConnSet::ports(Protocol::kTCP, 32, 40));  // gap of one port stays
  EXPECT_EQ(set.ranges(Protocol::kTCP), (std::vector<PortRange>{{10, 30}, {32, 40}}));
  set.unite(ConnSet::ports(Protocol::kTCP, 31, 31));  // fills the gap: three merge
  EXPECT_EQ(set.ranges(Protocol::kTCP), (std::vector<PortRange>{{10, 40}}));
  set.unite(ConnSet::ports(Protocol::kTCP, 5, 50));  // covers
  EXPECT_EQ(set.ranges(Protocol::kTCP), (std::vector<PortRange>{{5, 50}}));

  // Edges at 1 and 65535.
  ConnSet edges = ConnSet::ports(Protocol::kUDP, 1, 1).unite(ConnSet::ports(Protocol::kUDP, 65535, 65535));
  EXPECT_EQ(edges.ranges(Protocol::kUDP), (std::vector<PortRange>{{1, 1}, {65535, 65535}}));
  edges.unite(ConnSet::ports(Protocol::kUDP, 2, 65534));
  EXPECT_EQ(edges, ConnSet::allOf(Protocol::kUDP));

  // Order of union does not matter; equal sets compare equal.
  ConnSet a = ConnSet::ports(Protocol::kTCP, 100, 200).unite(ConnSet::ports(Protocol::kTCP, 1, 50));
  ConnSet b = ConnSet::ports(Protocol::kTCP, 1, 50).unite(ConnSet::ports(Protocol::kTCP, 100, 200));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_NE(a, ConnSet::ports(Protocol::kUDP, 1, 50).unite(ConnSet::ports(Protocol::kUDP, 100, 200)));

  ConnSet all_protocols;
  for (Protocol p : kProtocols) all_protocols.unite(ConnSet::allOf(p));
  EXPECT_TRUE(all_protocols.isAll());
}

TEST(NetpolConnSet, IntersectAndMinusAtEdges) {
  const ConnSet all_tcp = ConnSet::allOf(Protocol::kTCP);
  EXPECT_EQ(all_tcp.minus(ConnSet::ports(Protocol::kTCP, 1, 1)), ConnSet::ports(Protocol::kTCP, 2, 65535));
  EXPECT_EQ(all_tcp.minus(ConnSet::ports(Protocol::kTCP, 65535, 65535)), ConnSet::ports(Protocol::kTCP, 1, 65534));
  ConnSet holed = all_tcp.minus(ConnSet::ports(Protocol::kTCP, 80, 80));
  EXPECT_EQ(holed.ranges(Protocol::kTCP), (std::vector<PortRange>{{1, 79}, {81, 65535}}));
  EXPECT_TRUE(all_tcp.minus(all_tcp).empty());
  EXPECT_EQ(all_tcp.minus(ConnSet::allOf(Protocol::kUDP)), all_tcp);

  // One subtrahend range spanning two minuend ranges.
  ConnSet two = ConnSet::ports(Protocol::kTCP, 10, 20).unite(ConnSet::ports(Protocol::kTCP, 30, 40));
  EXPECT_EQ(two.minus(ConnSet::ports(Protocol::kTCP, 15, 35)).ranges(Protocol::kTCP),
            (std::vector<PortRange>{{10, 14}, {36, 40}}));
  EXPECT_EQ(two.intersect(ConnSet::ports(Protocol::kTCP, 15, 35)).ranges(Protocol::kTCP),
            (std::vector<PortRange>{{15, 20}, {30, 35}}));
  EXPECT_EQ(two.intersect(ConnSet::ports(Protocol::kTCP, 21, 29)), ConnSet());
  EXPECT_EQ(two.intersect(ConnSet::all()), two);
  EXPECT_EQ(ConnSet::all().intersect(ConnSet::allOf(Protocol::kSCTP)), ConnSet::allOf(Protocol::kSCTP));
  EXPECT_EQ(ConnSet::ports(Protocol::kTCP, 65535, 65535).intersect(ConnSet::ports(Protocol::kTCP, 65000, 65535)),
            ConnSet::ports(Protocol::kTCP, 65535, 65535));
}

TEST(NetpolConnSet, AlgebraMatchesBitsetModel) {
  using Bits = std::bitset<65536>;
  std::mt19937 rng(7);
  auto randomSet = [&](Bits* model) {
    ConnSet set;
    model->reset();
    const int count = static_cast<int>(rng() % 6);
    for (int k = 0; k < count; ++k) {
      // Bias toward the edges and small ranges so adjacency and 1/65535 come up often.
      auto pick = [&]() -> uint16_t {
        switch (rng() % 4) {
          case 0: return static_cast<uint16_t>(rng() % 4);
          case 1: return static_cast<uint16_t>(65535 - rng() % 4);
          case 2: return static_cast<uint16_t>(100 + rng() % 20);
          default: return static_cast<uint16_t>(rng() % 65536);
        }
      };
      uint16_t lo = pick(), hi = pick();
      if (lo > hi) std::swap(lo, hi);
      set.unite(ConnSet::ports(Protocol::kTCP, lo, hi));
      for (uint32_t port = std::max<uint32_t>(lo, 1); port <= hi; ++port) model->set(port);
    }
    return set;
  };
  auto toBits = [](const ConnSet& set) {
    Bits bits;
    const auto& ranges = set.ranges(Protocol::kTCP);
    for (size_t k = 0; k < ranges.size(); ++k) {
      EXPECT_LE(ranges[k].lo, ranges[k].hi);
      EXPECT_GE(ranges[k].lo, 1);
      if (k > 0) {
        EXPECT_GT(ranges[k].lo, ranges[k - 1].hi + 1) << "not canonical";
      }
      for (uint32_t port = ranges[k].lo; port <= ranges[k].hi; ++port) bits.set(port);
    }
    return bits;
  };
  for (int round = 0; round < 300; ++round) {
    Bits ma, mb;
    ConnSet a = randomSet(&ma), b = randomSet(&mb);
    ASSERT_EQ(toBits(a), ma);
    ConnSet u = a;
    u.unite(b);
    EXPECT_EQ(toBits(u), ma | mb);
    EXPECT_EQ(toBits(a.intersect(b)), ma & mb);
    EXPECT_EQ(toBits(a.minus(b)), ma & ~mb);
    EXPECT_EQ(a.containsAll(b), (mb & ~ma).none());
    EXPECT_EQ(a == b, ma == mb);
    // Laws: a = (a - b) + (a & b); (a - b) & b = 0.
    ConnSet rebuilt = a.minus(b);
    rebuilt.unite(a.intersect(b));
    EXPECT_EQ(rebuilt, a);
    EXPECT_TRUE(a.minus(b).intersect(b).empty());
  }
}

TEST(NetpolConnSet, ToStringForms) {
  EXPECT_EQ(ConnSet().toString(), "none");
  EXPECT_EQ(ConnSet::all().toString(), "all");
  EXPECT_EQ(ConnSet::allOf(Protocol::kUDP).toString(), "UDP");
  ConnSet set = ConnSet::ports(Protocol::kTCP, 443, 443);
  set.unite(ConnSet::ports(Protocol::kTCP, 80, 80));
  set.unite(ConnSet::ports(Protocol::kTCP, 8000, 8080));
  set.unite(ConnSet::ports(Protocol::kUDP, 53, 53));
  EXPECT_EQ(set.toString(), "TCP 80,443,8000-8080; UDP 53");
  set.unite(ConnSet::allOf(Protocol::kSCTP));
  EXPECT_EQ(set.toString(), "TCP 80,443,8000-8080; UDP 53; SCTP");
  ConnSet two_full = ConnSet::allOf(Protocol::kTCP).unite(ConnSet::allOf(Protocol::kSCTP));
  EXPECT_EQ(two_full.toString(), "TCP; SCTP");
  EXPECT_EQ(ConnSet::all().minus(ConnSet::ports(Protocol::kUDP, 1, 1)).toString(), "TCP; UDP 2-65535; SCTP");
  EXPECT_EQ(ConnSet::ports(Protocol::kSCTP, 65535, 65535).toString(), "SCTP 65535");
}

TEST(NetpolConnSet, HashFollowsEquality) {
  std::vector<ConnSet> sets = {
      ConnSet(),
      ConnSet::all(),
      ConnSet::allOf(Protocol::kTCP),
      ConnSet::allOf(Protocol::kUDP),
      ConnSet::ports(Protocol::kTCP, 80, 80),
      ConnSet::ports(Protocol::kUDP, 80, 80),
      ConnSet::ports(Protocol::kTCP, 80, 81),
      ConnSet::ports(Protocol::kTCP, 80, 80).unite(ConnSet::ports(Protocol::kTCP, 82, 82)),
  };
  std::unordered_set<uint64_t> hashes;
  for (const ConnSet& set : sets) hashes.insert(set.hash());
  EXPECT_EQ(hashes.size(), sets.size()) << "distinct small sets should not collide";
  // Equal sets built differently hash equally.
  ConnSet built = ConnSet::ports(Protocol::kTCP, 1, 100);
  built.unite(ConnSet::ports(Protocol::kTCP, 101, 65535));
  for (Protocol p : {Protocol::kUDP, Protocol::kSCTP}) built.unite(ConnSet::allOf(p));
  EXPECT_EQ(built, ConnSet::all());
  EXPECT_EQ(built.hash(), ConnSet::all().hash());
}

// ---------------------------------------------------------------------------------------------
// IpSet parsing.

TEST(NetpolIpSet, ParseCidrAcceptsV4AndMasksHostBits) {
  struct Case {
    std::string_view text;
    u128 lo, hi;
  };
  const Case cases[] = {
      {"10.0.0.0/8", 0x0A000000, 0x0AFFFFFF},
      {"10.1.2.3/8", 0x0A000000, 0x0AFFFFFF},  // host bits set: the block
      {"192.168.1.7/32", 0xC0A80107, 0xC0A80107},
      {"0.0.0.0/0", 0, kV4Max},
      {"255.255.255.255/0", 0, kV4Max},
      {"255.255.255.255/32", kV4Max, kV4Max},
      {"172.16.0.0/12", 0xAC100000, 0xAC1FFFFF},
      {"0.0.0.0/32", 0, 0},
      {"100.64.0.0/10", 0x64400000, 0x647FFFFF},
      {"10.0.0.0/08", 0x0A000000, 0x0AFFFFFF},  // Go's ParseCIDR reads the length with leading zeros
  };
  for (const Case& c : cases) {
    std::string error;
    auto set = IpSet::parseCidr(c.text, &error);
    ASSERT_TRUE(set.has_value()) << c.text << ": " << error;
    EXPECT_EQ(onlyRange(*set), (IpRange{IpFamily::kV4, c.lo, c.hi})) << c.text;
  }
}

TEST(NetpolIpSet, ParseCidrAcceptsV6TextForms) {
  auto v6 = [](uint64_t high, uint64_t low) { return (u128{high} << 64) | low; };
  struct Case {
    std::string_view text;
    u128 lo, hi;
  };
  const Case cases[] = {
      {"::/0", 0, kV6Max},
      {"::/128", 0, 0},
      {"::1/128", 1, 1},
      {"2001:db8::/32", v6(0x20010db800000000, 0), v6(0x20010db8ffffffff, ~uint64_t{0})},
      {"2001:DB8::1/32", v6(0x20010db800000000, 0), v6(0x20010db8ffffffff, ~uint64_t{0})},
      {"2001:0db8:0000:0000:0000:0000:0000:0001/128", v6(0x20010db800000000, 1), v6(0x20010db800000000, 1)},
      {"fc00::/7", v6(0xfc00000000000000, 0), v6(0xfdffffffffffffff, ~uint64_t{0})},
      {"::ffff:1.2.3.4/128", v6(0, 0x0000ffff01020304), v6(0, 0x0000ffff01020304)},
      {"::ffff:0.0.0.0/96", v6(0, 0x0000ffff00000000), v6(0, 0x0000ffffffffffff)},
      {"1:2:3:4:5:6:1.2.3.4/128", v6(0x0001000200030004, 0x0005000601020304),
       v6(0x0001000200030004, 0x0005000601020304)},
      {"1:2:3:4:5:6:7::/128", v6(0x0001000200030004, 0x0005000600070000),
       v6(0x0001000200030004, 0x0005000600070000)},
      {"::2:3:4:5:6:7:8/128", v6(0x0000000200030004, 0x0005000600070008),
       v6(0x0000000200030004, 0x0005000600070008)},
      {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", kV6Max, kV6Max},
      {"ffff::/1", v6(0x8000000000000000, 0), kV6Max},
      {"2001:db8:1::ab9:c0a8:102/64", v6(0x20010db800010000, 0), v6(0x20010db800010000, ~uint64_t{0})},
  };
  for (const Case& c : cases) {
    std::string error;
    auto set = IpSet::parseCidr(c.text, &error);
    ASSERT_TRUE(set.has_value()) << c.text << ": " << error;
    EXPECT_EQ(onlyRange(*set), (IpRange{IpFamily::kV6, c.lo, c.hi})) << c.text;
  }
}

TEST(NetpolIpSet, ParseCidrRejects) {
  const std::string_view bad[] = {
      "",
      "10.0.0.0",            // bare address
      "10.0.0.0/",           // empty prefix
      "10.0.0.0/33",         // out of range
      "10.0.0.0/-1",
      "10.0.0.0/+8",
      "10.0.0.0/8x",
      "10.0.0.0/ 8",
      "10.0.0.0/8/8",
      " 10.0.0.0/8",
      "010.0.0.0/8",         // leading zero, rejected by Go since 1.17
      "10.00.0.0/16",
      "10.0.0.256/32",
      "10.0.0/24",
      "10.0.0.0.0/32",
      "10..0.0/16",
      "10.0.0.0./8",
      "a.b.c.d/8",
      "/8",
      "::/129",
      "::1",
      "2001:db8::/1000000000000000000000",
      ":::/0",
      "1::2::3/64",
      "1:2:3:4:5:6:7:8:9/128",
      "1:2:3:4:5:6:7/112",   // too short without ::
      "1:2:3:4:5:6:7:8::/128",  // :: must stand for a zero field
      "12345::/16",          // five hex digits
      "1:/16",
      ":1::/16",
      "1::2:/16",
      "g::/16",
      "fe80::1%eth0/64",     // zones are not CIDRs
      "::ffff:01.2.3.4/128",
      "1:2:3:4:5:1.2.3.4/128",  // embedded IPv4 not in the last two fields
      "1:2:3:4:5:6:7:1.2.3.4/128",
      "::1.2.3.4:5/128",
      "::a.2.3.4/128",
      "10.0.0.0/8 ",
  };
  for (std::string_view text : bad) {
    std::string error;
    EXPECT_FALSE(IpSet::parseCidr(text, &error).has_value()) << text;
    const std::string expected_start = "invalid CIDR \"" + std::string(text) + "\"";
    EXPECT_EQ(error.substr(0, expected_start.size()), expected_start) << text;
  }
  // A null error pointer is allowed.
  EXPECT_FALSE(IpSet::parseCidr("nope", nullptr).has_value());
}

TEST(NetpolIpSet, ParseAddress) {
  EXPECT_EQ(onlyRange(address("203.0.113.7")), (IpRange{IpFamily::kV4, 0xCB007107, 0xCB007107}));
  EXPECT_EQ(onlyRange(address("0.0.0.0")), (IpRange{IpFamily::kV4, 0, 0}));
  EXPECT_EQ(onlyRange(address("2001:db8::1")).lo, (u128{0x20010db800000000} << 64) | 1);
  EXPECT_EQ(onlyRange(address("2001:db8::1")).family, IpFamily::kV6);
  EXPECT_EQ(onlyRange(address("::")), (IpRange{IpFamily::kV6, 0, 0}));
  for (std::string_view text : {"", "10.0.0.0/32", "01.2.3.4", "1.2.3", "::1::", "host", "1.2.3.4 "}) {
    std::string error;
    EXPECT_FALSE(IpSet::parseAddress(text, &error).has_value()) << text;
    std::string quoted(1, '"');
    quoted.append(text).push_back('"');
    EXPECT_NE(error.find(quoted), std::string::npos) << error;
  }
}

// ---------------------------------------------------------------------------------------------
// IpSet algebra and printing.

TEST(NetpolIpSet, OfRange) {
  EXPECT_EQ(IpSet::ofRange({IpFamily::kV4, 0x0A000000, 0x0AFFFFFF}), cidr("10.0.0.0/8"));
  EXPECT_EQ(IpSet::ofRange({IpFamily::kV6, 0, kV6Max}), IpSet::allOf(IpFamily::kV6));
  EXPECT_EQ(IpSet::ofRange({IpFamily::kV4, 5, 5}).ranges(), (std::vector<IpRange>{{IpFamily::kV4, 5, 5}}));
  EXPECT_TRUE(IpSet::ofRange({IpFamily::kV4, 6, 5}).empty());
  // An IPv4 bound past 255.255.255.255 is clamped.
  EXPECT_EQ(IpSet::ofRange({IpFamily::kV4, 0, kV4Max + 7}), IpSet::allOf(IpFamily::kV4));
  EXPECT_TRUE(IpSet::ofRange({IpFamily::kV4, kV4Max + 1, kV4Max + 2}).empty());
}

TEST(NetpolIpSet, AlgebraAcrossFamilies) {
  const IpSet all = IpSet::all();
  EXPECT_TRUE(all.isAll());
  EXPECT_FALSE(IpSet::allOf(IpFamily::kV4).isAll());
  IpSet both = IpSet::allOf(IpFamily::kV6);
  both.unite(IpSet::allOf(IpFamily::kV4));  // v6 first in, v4 still sorts first
  EXPECT_EQ(both, all);
  EXPECT_EQ(both.ranges()[0].family, IpFamily::kV4);

  const IpSet ten = cidr("10.0.0.0/8");
  const IpSet ula = cidr("fc00::/7");
  IpSet mixed = ula;
  mixed.unite(ten);
  EXPECT_EQ(mixed.ranges().size(), 2u);
  EXPECT_EQ(mixed.ranges()[0].family, IpFamily::kV4);
  EXPECT_EQ(mixed.intersect(ten), ten);
  EXPECT_EQ(mixed.minus(ten), ula);
  EXPECT_TRUE(mixed.intersects(ula));
  EXPECT_FALSE(ten.intersects(ula));
  EXPECT_FALSE(ula.intersects(ten));
  // The same numeric values in the other family are different addresses.
  EXPECT_FALSE(cidr("::/96").intersects(cidr("0.0.0.0/0")));
  EXPECT_TRUE(cidr("::/96").intersect(cidr("0.0.0.0/0")).empty());
  EXPECT_TRUE(all.containsAll(mixed));
  EXPECT_FALSE(ten.containsAll(mixed));
  EXPECT_TRUE(cidr("10.0.0.0/8").containsAll(cidr("10.255.0.0/16")));
  EXPECT_FALSE(cidr("10.0.0.0/8").containsAll(cidr("10.0.0.0/7")));

  // Adjacent blocks merge into one range; 10.0.0.0/8 minus its halves is empty.
  EXPECT_EQ(unionOf({"10.0.0.0/9", "10.128.0.0/9"}), ten);
  EXPECT_TRUE(ten.minus(unionOf({"10.128.0.0/9", "10.0.0.0/9"})).empty());
  IpSet holed = ten.minus(cidr("10.1.0.0/16"));
  EXPECT_EQ(holed.ranges().size(), 2u);
  EXPECT_FALSE(holed.intersects(cidr("10.1.2.3/32")));
  EXPECT_TRUE(holed.intersects(cidr("10.2.0.0/32")));
  EXPECT_TRUE(holed.intersects(cidr("10.0.255.255/32")));
  holed.unite(cidr("10.1.0.0/16"));
  EXPECT_EQ(holed, ten);

  // Edges at the top of each family.
  IpSet top = IpSet::all().minus(cidr("255.255.255.255/32")).minus(cidr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"));
  EXPECT_EQ(top.ranges(), (std::vector<IpRange>{{IpFamily::kV4, 0, kV4Max - 1}, {IpFamily::kV6, 0, kV6Max - 1}}));
  top.unite(address("255.255.255.255"));
  top.unite(address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  EXPECT_TRUE(top.isAll());
  EXPECT_EQ(IpSet::all().minus(cidr("0.0.0.0/32")).ranges()[0], (IpRange{IpFamily::kV4, 1, kV4Max}));
}

TEST(NetpolIpSet, RangeToString) {
  EXPECT_EQ((IpRange{IpFamily::kV4, 0x0A000000, 0x0AFFFFFF}).toString(), "10.0.0.0/8");
  EXPECT_EQ((IpRange{IpFamily::kV4, 0x0A000001, 0x0A000001}).toString(), "10.0.0.1/32");
  EXPECT_EQ((IpRange{IpFamily::kV4, 0x0A000000, 0x0A000005}).toString(), "10.0.0.0-10.0.0.5");
  EXPECT_EQ((IpRange{IpFamily::kV4, 0x0A000001, 0x0A000002}).toString(), "10.0.0.1-10.0.0.2");  // size 2, unaligned
  EXPECT_EQ((IpRange{IpFamily::kV4, 0, kV4Max}).toString(), "0.0.0.0/0");
  EXPECT_EQ((IpRange{IpFamily::kV4, kV4Max, kV4Max}).toString(), "255.255.255.255/32");
  EXPECT_EQ((IpRange{IpFamily::kV4, 1, kV4Max}).toString(), "0.0.0.1-255.255.255.255");
  EXPECT_EQ((IpRange{IpFamily::kV6, 0, kV6Max}).toString(), "::/0");
  EXPECT_EQ((IpRange{IpFamily::kV6, 0, 0}).toString(), "::/128");
  EXPECT_EQ((IpRange{IpFamily::kV6, kV6Max, kV6Max}).toString(), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
  EXPECT_EQ((IpRange{IpFamily::kV6, 0, kV6Max - 1}).toString(), "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
  EXPECT_EQ((IpRange{IpFamily::kV6, u128{1} << 127, kV6Max}).toString(), "8000::/1");
}

TEST(NetpolIpSet, Ipv6PrintsInRfc5952Form) {
  auto print = [](std::string_view text) { return onlyRange(address(text)).toString(); };
  EXPECT_EQ(print("2001:0DB8:0000:0000:0000:0000:0000:0001"), "2001:db8::1/128");
  EXPECT_EQ(print("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1/128");  // first of equal runs
  EXPECT_EQ(print("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1/128");        // longest run
  EXPECT_EQ(print("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1/128");  // one zero field stays
  EXPECT_EQ(print("1::"), "1::/128");
  EXPECT_EQ(print("::1"), "::1/128");
  EXPECT_EQ(print("0:0:0:0:0:0:0:0"), "::/128");
  EXPECT_EQ(print("1:0:0:0:0:0:0:0"), "1::/128");
  EXPECT_EQ(print("0:1:0:0:0:0:0:0"), "0:1::/128");
  EXPECT_EQ(print("fe80::abcd:ef"), "fe80::abcd:ef/128");
  EXPECT_EQ(print("::ffff:1.2.3.4"), "::ffff:1.2.3.4/128");  // RFC 5952 section 5
  EXPECT_EQ(print("::ffff:0102:0304"), "::ffff:1.2.3.4/128");
  EXPECT_EQ(print("::1.2.3.4"), "::102:304/128");
}

TEST(NetpolIpSet, SetToString) {
  EXPECT_EQ(IpSet().toString(), "none");
  EXPECT_EQ(IpSet::all().toString(), "0.0.0.0/0,::/0");
  EXPECT_EQ(IpSet::all().minus(cidr("10.0.0.0/8")).minus(cidr("::/1")).toString(),
            "0.0.0.0/5,8.0.0.0/7,11.0.0.0-255.255.255.255,8000::/1");
  // 10.0.0.0-10.0.0.5: /30 + /31 (two blocks).
  IpSet six = address("10.0.0.0");
  for (const char* text : {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"}) six.unite(address(text));
  EXPECT_EQ(six.ranges().size(), 1u);
  EXPECT_EQ(six.toString(), "10.0.0.0/30,10.0.0.4/31");
  // 10.0.0.1-10.0.0.14 needs /32,/31,/30,/30,/31,/32: more than 4 blocks, printed as a range.
  IpSet fourteen = cidr("10.0.0.0/28").minus(address("10.0.0.0")).minus(address("10.0.0.15"));
  EXPECT_EQ(fourteen.toString(), "10.0.0.1-10.0.0.14");
  // Exactly four blocks: 10.0.0.1-10.0.0.7 = /32 + /31 + /30, then add 10.0.0.8 (/32) -> 4.
  IpSet four = cidr("10.0.0.0/29").minus(address("10.0.0.0"));
  four.unite(address("10.0.0.8"));
  EXPECT_EQ(four.toString(), "10.0.0.1/32,10.0.0.2/31,10.0.0.4/30,10.0.0.8/32");
  four.unite(cidr("10.0.0.10/31"));
  EXPECT_EQ(four.toString(), "10.0.0.1/32,10.0.0.2/31,10.0.0.4/30,10.0.0.8/32,10.0.0.10/31");  // two ranges
  four.unite(address("10.0.0.9"));  // .1-.11 is still four blocks
  EXPECT_EQ(four.toString(), "10.0.0.1/32,10.0.0.2/31,10.0.0.4/30,10.0.0.8/30");
  four.unite(address("10.0.0.12"));  // five
  EXPECT_EQ(four.toString(), "10.0.0.1-10.0.0.12");
  // Top of the space.
  EXPECT_EQ(IpSet::allOf(IpFamily::kV4).minus(cidr("0.0.0.0/1")).minus(cidr("255.255.255.255/32")).toString(),
            "128.0.0.0-255.255.255.254");
  EXPECT_EQ(IpSet::allOf(IpFamily::kV6).minus(cidr("::/1")).minus(cidr("8000::/2")).toString(), "c000::/2");
  EXPECT_EQ(IpSet::allOf(IpFamily::kV6).minus(address("::")).toString(), "::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

TEST(NetpolIpSet, DefaultPodNetworks) {
  const IpSet& pods = defaultPodNetworks();
  EXPECT_EQ(&pods, &defaultPodNetworks());
  EXPECT_EQ(pods, unionOf({"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"}));
  EXPECT_EQ(pods.toString(), "10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16,fc00::/7");
  EXPECT_TRUE(pods.intersects(address("172.31.255.255")));
  EXPECT_FALSE(pods.intersects(address("172.32.0.0")));
  EXPECT_TRUE(pods.intersects(address("fdff::1")));
  EXPECT_FALSE(pods.intersects(address("fe00::")));
}

// ---------------------------------------------------------------------------------------------
// partitionAddressSpace.

/** true: range wholly inside set; false: wholly outside; nullopt: straddles. */
std::optional<bool> membership(const IpRange& range, const IpSet& set) {
  for (const IpRange& r : set.ranges()) {
    if (r.family != range.family || r.hi < range.lo || r.lo > range.hi) continue;
    if (r.lo <= range.lo && range.hi <= r.hi) return true;
    return std::nullopt;
  }
  return false;
}

/** Expects cover in IpSet order, each range wholly in or out of each set, and coarseness. */
void expectValidPartition(const std::vector<IpRange>& parts, const std::vector<IpSet>& sets) {
  ASSERT_FALSE(parts.empty());
  // Cover, in order: IPv4 0..max then IPv6 0..max, contiguous.
  EXPECT_EQ(parts.front().family, IpFamily::kV4);
  EXPECT_EQ(parts.front().lo, 0u);
  EXPECT_EQ(parts.back().family, IpFamily::kV6);
  EXPECT_TRUE(parts.back().hi == kV6Max);
  for (size_t k = 0; k < parts.size(); ++k) {
    EXPECT_LE(parts[k].lo, parts[k].hi);
    if (k == 0) continue;
    const IpRange& prev = parts[k - 1];
    if (prev.family == parts[k].family) {
      EXPECT_TRUE(prev.hi + 1 == parts[k].lo) << prev.toString() << " then " << parts[k].toString();
    } else {
      EXPECT_EQ(prev.family, IpFamily::kV4);
      EXPECT_TRUE(prev.hi == kV4Max);
      EXPECT_EQ(parts[k].lo, 0u);
    }
  }
  // Wholly in or out of each set; adjacent ranges differ in some set.
  std::vector<std::vector<bool>> member(parts.size());
  for (size_t k = 0; k < parts.size(); ++k) {
    for (const IpSet& set : sets) {
      auto in = membership(parts[k], set);
      EXPECT_TRUE(in.has_value()) << parts[k].toString() << " straddles " << set.toString();
      member[k].push_back(in.value_or(false));
    }
    if (k > 0 && parts[k - 1].family == parts[k].family) {
      EXPECT_NE(member[k - 1], member[k]) << "not coarsest at " << parts[k].toString();
    }
  }
}

TEST(NetpolIpSet, PartitionWithoutSetsIsTheTwoFamilies) {
  EXPECT_EQ(partitionAddressSpace({}),
            (std::vector<IpRange>{{IpFamily::kV4, 0, kV4Max}, {IpFamily::kV6, 0, kV6Max}}));
  EXPECT_EQ(partitionAddressSpace({IpSet(), IpSet::all()}),
            (std::vector<IpRange>{{IpFamily::kV4, 0, kV4Max}, {IpFamily::kV6, 0, kV6Max}}));
}

TEST(NetpolIpSet, PartitionOverlappingCidrsWithExceptHoles) {
  const std::vector<IpSet> sets = {
      cidr("10.0.0.0/8"),
      cidr("10.1.0.0/16"),
      IpSet::allOf(IpFamily::kV4).minus(cidr("10.0.0.0/8")),  // ipBlock 0.0.0.0/0 except 10.0.0.0/8
      cidr("10.0.0.0/8").minus(cidr("10.1.2.0/24")),          // ipBlock with an except inside
      cidr("2001:db8::/32"),
  };
  const auto parts = partitionAddressSpace(sets);
  expectValidPartition(parts, sets);
  std::vector<std::string> printed;
  for (const IpRange& r : parts) printed.push_back(r.toString());
  EXPECT_EQ(printed, (std::vector<std::string>{
                         "0.0.0.0-9.255.255.255",
                         "10.0.0.0/16",
                         "10.1.0.0/23",
                         "10.1.2.0/24",
                         "10.1.3.0-10.1.255.255",
                         "10.2.0.0-10.255.255.255",
                         "11.0.0.0-255.255.255.255",
                         "::-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
                         "2001:db8::/32",
                         "2001:db9::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                     }));
}

TEST(NetpolIpSet, PartitionAtTheEdgesOfEachFamily) {
  const std::vector<IpSet> sets = {
      cidr("0.0.0.0/32"),
      cidr("255.255.255.255/32"),
      cidr("::/128"),
      cidr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"),
      cidr("128.0.0.0/1"),
  };
  const auto parts = partitionAddressSpace(sets);
  expectValidPartition(parts, sets);
  EXPECT_EQ(parts, (std::vector<IpRange>{
                       {IpFamily::kV4, 0, 0},
                       {IpFamily::kV4, 1, 0x7FFFFFFF},
                       {IpFamily::kV4, 0x80000000, kV4Max - 1},
                       {IpFamily::kV4, kV4Max, kV4Max},
                       {IpFamily::kV6, 0, 0},
                       {IpFamily::kV6, 1, kV6Max - 1},
                       {IpFamily::kV6, kV6Max, kV6Max},
                   }));
  // A set reaching the family maximum adds no cut past it.
  EXPECT_EQ(partitionAddressSpace({IpSet::allOf(IpFamily::kV6)}).size(), 2u);
  EXPECT_EQ(partitionAddressSpace({cidr("::/0"), cidr("0.0.0.0/0")}).size(), 2u);
}

TEST(NetpolIpSet, PartitionOfManyRandomBlocks) {
  std::mt19937_64 rng(42);
  std::vector<IpSet> sets;
  for (int k = 0; k < 3000; ++k) {
    const int prefix = 8 + static_cast<int>(rng() % 25);
    const uint32_t base = 0x0A000000u | static_cast<uint32_t>(rng() & 0x00FFFFFF);
    std::string text = std::to_string(base >> 24) + "." + std::to_string((base >> 16) & 0xFF) + "." +
                       std::to_string((base >> 8) & 0xFF) + "." + std::to_string(base & 0xFF) + "/" +
                       std::to_string(prefix);
    IpSet set = cidr(text);
    if (k % 3 == 0) set = set.minus(cidr("10.128.0.0/9"));  // except-style holes
    if (k % 5 == 0) set.unite(cidr("2001:db8:" + std::to_string(k % 100) + "::/48"));
    sets.push_back(set);
  }
  const auto parts = partitionAddressSpace(sets);
  // Spot-check the invariants on a prefix of the sets (the full check is quadratic).
  std::vector<IpSet> some(sets.begin(), sets.begin() + 200);
  for (size_t k = 0; k < parts.size(); ++k) {
    for (const IpSet& set : sets) ASSERT_TRUE(membership(parts[k], set).has_value()) << parts[k].toString();
    if (k > 500) break;
  }
  // The partition of everything refines the partition of a subset.
  const auto coarse = partitionAddressSpace(some);
  expectValidPartition(coarse, some);
  EXPECT_LT(coarse.size(), parts.size());
  EXPECT_GT(parts.size(), 1000u);
}

}  // namespace
}  // namespace kspm::netpol
