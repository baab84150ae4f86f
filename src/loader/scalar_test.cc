#include "loader/scalar.h"

#include <gtest/gtest.h>

#include <cmath>

#include "kspm/loader.h"

namespace kspm::loader {
namespace {

TEST(ResolvePlain, Bools) {
  for (const char* t : {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"}) {
    Scalar s = resolvePlain(t);
    EXPECT_EQ(s.kind, ScalarKind::kBool) << t;
    EXPECT_TRUE(s.boolean) << t;
  }
  for (const char* t : {"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"}) {
    Scalar s = resolvePlain(t);
    EXPECT_EQ(s.kind, ScalarKind::kBool) << t;
    EXPECT_FALSE(s.boolean) << t;
  }
  for (const char* t : {"yES", "oN", "tRUE", "nO", "yess", "Of"}) EXPECT_EQ(resolvePlain(t).kind, ScalarKind::kString) << t;
}

TEST(ResolvePlain, Nulls) {
  for (const char* t : {"", "~", "null", "Null", "NULL"}) EXPECT_EQ(resolvePlain(t).kind, ScalarKind::kNull) << t;
  EXPECT_EQ(resolvePlain("nULL").kind, ScalarKind::kString);
}

TEST(ResolvePlain, Ints) {
  struct { const char* in; int64_t want; } cases[] = {
      {"0", 0}, {"42", 42}, {"-7", -7}, {"+7", 7}, {"0o17", 15}, {"0O17", 15}, {"017", 15}, {"0x1F", 31},
      {"0X1f", 31}, {"-0x1F", -31}, {"0b101", 5}, {"-0b101", -5}, {"1_000", 1000}, {"0x_1F", 31},
      {"9223372036854775807", INT64_MAX}, {"-9223372036854775808", INT64_MIN},
  };
  for (const auto& c : cases) {
    Scalar s = resolvePlain(c.in);
    EXPECT_EQ(s.kind, ScalarKind::kInt) << c.in;
    EXPECT_EQ(s.integer, c.want) << c.in;
  }
}

TEST(ResolvePlain, Floats) {
  struct { const char* in; double want; } cases[] = {
      {"1e3", 1000}, {"1.5", 1.5}, {"-1.5", -1.5}, {".5", 0.5}, {"+.5e1", 5}, {"1.", 1}, {"08", 8}, {"09.5", 9.5},
      {"1_000.5", 1000.5},
      // Above int64 but within uint64: go-yaml gives uint64; kept as a float here.
      {"18446744073709551615", 18446744073709551615.0}, {"9223372036854775808", 9223372036854775808.0},
      // Beyond uint64: yamlStyleFloat.
      {"1234567890123456789012345678901", 1234567890123456789012345678901.0},
  };
  for (const auto& c : cases) {
    Scalar s = resolvePlain(c.in);
    EXPECT_EQ(s.kind, ScalarKind::kFloat) << c.in;
    EXPECT_DOUBLE_EQ(s.real, c.want) << c.in;
  }
  Scalar inf = resolvePlain(".inf");
  EXPECT_EQ(inf.kind, ScalarKind::kFloat);
  EXPECT_TRUE(std::isinf(inf.real) && inf.real > 0);
  EXPECT_TRUE(std::isinf(resolvePlain("-.INF").real) && resolvePlain("-.INF").real < 0);
  EXPECT_TRUE(std::isinf(resolvePlain("+.Inf").real));
  EXPECT_TRUE(std::isnan(resolvePlain(".NaN").real));
  EXPECT_EQ(resolvePlain("1e400").kind, ScalarKind::kString);  // Go: ErrRange -> string
}

TEST(ResolvePlain, Strings) {
  for (const char* t : {"1:30", "=", "abc", "0x", "0xZZ", "1.2.3", "+", "-", "2001-12-14", "12:30:00", ".", "._5",
                        "1e", "0b2", "e3", "inf", "nan", ".inf.", "<<<", "1__0x"}) {
    EXPECT_EQ(resolvePlain(t).kind, ScalarKind::kString) << t;
  }
  EXPECT_EQ(resolvePlain("<<").kind, ScalarKind::kMerge);
}

TEST(ResolveTagged, Tags) {
  Scalar s;
  std::string err;
  EXPECT_EQ(tagOf("tag:yaml.org,2002:str"), Tag::kStr);
  EXPECT_EQ(tagOf("!!int"), Tag::kInt);
  EXPECT_EQ(tagOf("!custom"), Tag::kOther);
  ASSERT_TRUE(resolveTagged(Tag::kStr, "123", &s, &err));
  EXPECT_EQ(s.kind, ScalarKind::kString);
  ASSERT_TRUE(resolveTagged(Tag::kBinary, "aGVsbG8=", &s, &err));
  EXPECT_EQ(s.kind, ScalarKind::kString);
  ASSERT_TRUE(resolveTagged(Tag::kInt, "0x10", &s, &err));
  EXPECT_EQ(s.kind, ScalarKind::kInt);
  EXPECT_EQ(s.integer, 16);
  ASSERT_TRUE(resolveTagged(Tag::kFloat, "3", &s, &err));
  EXPECT_EQ(s.kind, ScalarKind::kFloat);
  EXPECT_EQ(s.real, 3.0);
  EXPECT_FALSE(resolveTagged(Tag::kInt, "abc", &s, &err));
  EXPECT_EQ(err, "cannot decode !!str `abc` as a !!int");
}

TEST(KeyText, SigsYamlConversion) {
  EXPECT_EQ(keyText(resolvePlain("true")), "true");
  EXPECT_EQ(keyText(resolvePlain("on")), "true");
  EXPECT_EQ(keyText(resolvePlain("no")), "false");
  EXPECT_EQ(keyText(resolvePlain("1")), "1");
  EXPECT_EQ(keyText(resolvePlain("0x10")), "16");
  EXPECT_EQ(keyText(resolvePlain("~")), "null");
  EXPECT_EQ(keyText(resolvePlain("1.5")), "1.5");
  EXPECT_EQ(keyText(resolvePlain("1e3")), "1000");
  EXPECT_EQ(keyText(resolvePlain("1e6")), "1e+06");
  EXPECT_EQ(keyText(resolvePlain("0.0001")), "0.0001");
  EXPECT_EQ(keyText(resolvePlain("0.00001")), "1e-05");
  EXPECT_EQ(keyText(resolvePlain("0.1")), "0.1");  // float32 shortest, as FormatFloat(v,'g',-1,32)
  EXPECT_EQ(keyText(resolvePlain(".inf")), ".inf");
  EXPECT_EQ(keyText(resolvePlain("-.inf")), "-.inf");
}

}  // namespace
}  // namespace kspm::loader
