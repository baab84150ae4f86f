#include "kspm/loader.h"

#include <gtest/gtest.h>

#include <string>

namespace kspm {
namespace {

const Node& root0(const LoadResult& r) {
  EXPECT_EQ(r.errors.size(), 0u) << (r.errors.empty() ? "" : r.errors[0].message);
  EXPECT_GE(r.documents.size(), 1u);
  return *r.documents.at(0).root();
}

TEST(LoadYaml, ResolverInContext) {
  std::string in =
      "a: y\nb: Y\nc: yes\nd: on\ne: ON\nf: off\ng: NO\nh: True\ni: FALSE\nj: \"on\"\nk: 'yes'\n"
      "l: 0o17\nm: 017\nnn: 0x1F\no: 1_000\np: 1:30\nq: =\nr: .inf\ns: ~\nt: null\nu:\nv: 1e3\n"
      "w: 9223372036854775808\nx: !!str 123\nyy: !!binary aGk=\nz: |\n  on\n";
  LoadResult r = loadBuffer("t.yaml", in);
  const Node& n = root0(r);
  for (const char* k : {"a", "b", "c", "d", "e", "h"}) EXPECT_TRUE(n.get(k)->isBool() && n.get(k)->boolean()) << k;
  for (const char* k : {"f", "g", "i"}) EXPECT_TRUE(n.get(k)->isBool() && !n.get(k)->boolean()) << k;
  EXPECT_TRUE(n.get("j")->is("on"));
  EXPECT_TRUE(n.get("k")->is("yes"));
  EXPECT_EQ(n.get("l")->integer(), 15);
  EXPECT_EQ(n.get("m")->integer(), 15);
  EXPECT_EQ(n.get("nn")->integer(), 31);
  EXPECT_EQ(n.get("o")->integer(), 1000);
  EXPECT_TRUE(n.get("p")->is("1:30"));
  EXPECT_TRUE(n.get("q")->is("="));
  EXPECT_TRUE(n.get("r")->isFloat());
  EXPECT_TRUE(n.get("s")->isNull());
  EXPECT_TRUE(n.get("t")->isNull());
  EXPECT_TRUE(n.get("u")->isNull());
  EXPECT_TRUE(n.get("v")->isFloat());
  EXPECT_EQ(n.get("v")->number(), 1000.0);
  EXPECT_TRUE(n.get("w")->isFloat());
  EXPECT_EQ(n.get("w")->number(), 9223372036854775808.0);
  EXPECT_TRUE(n.get("x")->is("123"));
  EXPECT_TRUE(n.get("yy")->is("aGk="));
  EXPECT_TRUE(n.get("z")->is("on\n"));
}

TEST(LoadYaml, StringsPointIntoBufferWhenIdentical) {
  std::string in = "name: web\nq: \"x\\ty\"\n";
  LoadResult r = loadBuffer("t.yaml", in);
  const Node& n = root0(r);
  EXPECT_EQ(n.get("name")->str().data(), in.data() + 6);
  EXPECT_EQ(n.members()[0].key.str().data(), in.data());
  EXPECT_TRUE(n.get("q")->is("x\ty"));
}

TEST(LoadYaml, LinesOfNestedFields) {
  std::string in =
      "apiVersion: v1\n"          // 1
      "kind: Pod\n"               // 2
      "spec:\n"                   // 3
      "  containers:\n"           // 4
      "  - name: a\n"             // 5
      "    securityContext:\n"    // 6
      "      privileged: true\n"  // 7
      "    ports: [1,\n"          // 8
      "      2]\n";               // 9
  LoadResult r = loadBuffer("t.yaml", in);
  const Node& n = root0(r);
  EXPECT_EQ(r.documents[0].line(), 1u);
  const Node* c0 = &n.find({"spec", "containers"})->items()[0];
  EXPECT_EQ(n.get("spec")->line(), 3u);
  EXPECT_EQ(n.find({"spec", "containers"})->line(), 4u);
  EXPECT_EQ(c0->line(), 5u);
  EXPECT_EQ(c0->get("securityContext")->line(), 6u);
  EXPECT_EQ(c0->find({"securityContext", "privileged"})->line(), 7u);
  EXPECT_TRUE(c0->find({"securityContext", "privileged"})->boolean());
  EXPECT_EQ(c0->get("ports")->items()[1].line(), 9u);
}

TEST(LoadYaml, MergeKeys) {
  std::string in =
      "base: &b {a: 1, b: 2}\n"
      "other: &o {b: 20, c: 30}\n"
      "m1:\n  <<: *b\n  x: 9\n"
      "m2:\n  a: 100\n  <<: [*o, *b]\n"
      "m3:\n  <<: {z: 7}\n  <<: *b\n"
      "m4:\n  \"<<\": 5\n"
      "m5:\n  <<: *b\n  a: 100\n";
  LoadResult r = loadBuffer("t.yaml", in);
  const Node& n = root0(r);
  const Node* m1 = n.get("m1");
  EXPECT_EQ(m1->size(), 3u);
  EXPECT_EQ(m1->get("a")->integer(), 1);
  EXPECT_EQ(m1->get("x")->integer(), 9);
  EXPECT_EQ(m1->get("<<"), nullptr);
  const Node* m2 = n.get("m2");
  // go-yaml v2 (kubectl) applies a merge where `<<` stands: it overwrites the explicit a: 100
  // written before it. (go-yaml v3 and the YAML merge spec would keep 100; kubectl does not.)
  EXPECT_EQ(m2->get("a")->integer(), 1);
  EXPECT_EQ(n.get("m5")->get("a")->integer(), 100);  // an explicit key after the merge wins
  EXPECT_TRUE(r.documents[0].keyDiagnostics().empty());  // merges are not duplicate keys
  EXPECT_EQ(m2->get("b")->integer(), 20);   // earlier source in the sequence wins
  EXPECT_EQ(m2->get("c")->integer(), 30);
  EXPECT_EQ(m2->size(), 3u);
  const Node* m3 = n.get("m3");
  EXPECT_EQ(m3->get("z")->integer(), 7);
  EXPECT_EQ(m3->get("b")->integer(), 2);
  EXPECT_EQ(n.get("m4")->get("<<")->integer(), 5);  // quoted: an ordinary key
}

TEST(LoadYaml, InvalidMergeKey) {
  LoadResult r = loadBuffer("t.yaml", "a: &s [1]\nb:\n  <<: *s\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kInvalidMergeKey);
  EXPECT_EQ(r.errors[0].line, 3u);
  LoadResult r2 = loadBuffer("t.yaml", "b:\n  <<: 5\n");
  ASSERT_EQ(r2.errors.size(), 1u);
  EXPECT_EQ(r2.errors[0].code, ErrorCode::kInvalidMergeKey);
}

TEST(LoadYaml, DuplicateKeysLastWins) {
  std::string in = "metadata:\n  labels:\n    app: a\n    tier: x\n    app: b\n";
  LoadResult r = loadBuffer("t.yaml", in);
  const Node& n = root0(r);
  const Node* labels = n.find({"metadata", "labels"});
  ASSERT_EQ(labels->size(), 2u);
  EXPECT_TRUE(labels->get("app")->is("b"));
  EXPECT_EQ(labels->members()[0].key.str(), "app");
  const auto& d = r.documents[0].keyDiagnostics();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].line, 5u);
  EXPECT_EQ(d[0].first_line, 3u);
  EXPECT_EQ(d[0].key, "app");
  EXPECT_EQ(d[0].path, "metadata.labels");
}

TEST(LoadYaml, DuplicateKeyPathInSequence) {
  LoadResult r = loadBuffer("t.yaml", "spec:\n  c:\n  - a: 1\n  - b: 1\n    b: 2\n");
  const auto& d = r.documents.at(0).keyDiagnostics();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].path, "spec.c[1]");
}

TEST(LoadYaml, NonStringKeys) {
  LoadResult r = loadBuffer("t.yaml", "true: a\n1: b\n~: c\n1.5: d\non: e\n0x10: f\n");
  const Node& n = root0(r);
  EXPECT_TRUE(n.get("true")->is("e"));  // `on` is true too: last wins
  EXPECT_TRUE(n.get("1")->is("b"));
  EXPECT_TRUE(n.get("null")->is("c"));
  EXPECT_TRUE(n.get("1.5")->is("d"));
  EXPECT_TRUE(n.get("16")->is("f"));
  for (const Member& m : n.members()) EXPECT_TRUE(m.key.isString());
}

TEST(LoadYaml, BomAndEmptyDocuments) {
  std::string in = "\xEF\xBB\xBF# comment\n---\n# only a comment\n---\n\n---\na: 1\n---\n...\n---\nb: 2\n";
  LoadResult r = loadBuffer("t.yaml", in);
  ASSERT_EQ(r.errors.size(), 0u);
  ASSERT_EQ(r.documents.size(), 2u);
  EXPECT_EQ(r.documents[0].root()->get("a")->integer(), 1);
  EXPECT_EQ(r.documents[0].line(), 7u);
  EXPECT_EQ(r.documents[1].root()->get("b")->integer(), 2);
  EXPECT_EQ(r.documents[1].line(), 11u);
}

TEST(LoadYaml, BrokenDocumentInTheMiddle) {
  std::string in =
      "a: 1\n"           // 1
      "---\n"            // 2
      "b: [1, 2\n"       // 3
      "c: 3\n"           // 4
      "---\n"            // 5
      "d: 4\n";          // 6
  LoadResult r = loadBuffer("f.yaml", in);
  ASSERT_EQ(r.documents.size(), 2u);
  EXPECT_EQ(r.documents[0].root()->get("a")->integer(), 1);
  EXPECT_EQ(r.documents[1].root()->get("d")->integer(), 4);
  EXPECT_EQ(r.documents[1].root()->get("d")->line(), 6u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kYamlSyntax);
  EXPECT_EQ(r.errors[0].file, "f.yaml");
  EXPECT_GE(r.errors[0].line, 3u);
  EXPECT_LE(r.errors[0].line, 5u);
  EXPECT_NE(r.errors[0].message.find("flow sequence"), std::string::npos) << r.errors[0].message;
}

TEST(LoadYaml, SyntaxErrorLine) {
  LoadResult r = loadBuffer("f.yaml", "x: 1\n---\na: 1\nb: : c\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 4u);
  EXPECT_NE(r.errors[0].message.find("mapping values are not allowed"), std::string::npos) << r.errors[0].message;
}

TEST(LoadYaml, TruncatedDocument) {
  LoadResult r = loadBuffer("f.yaml", "a: 1\nb: \"unterminated\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kYamlSyntax);
  EXPECT_EQ(r.documents.size(), 0u);
  EXPECT_NE(r.errors[0].message.find("quoted scalar"), std::string::npos) << r.errors[0].message;
}

TEST(LoadYaml, BinaryGarbage) {
  std::string in("\x7f" "ELF\x02\x01\x01\x00\x00\x00garbage\xff\xfe", 20);
  LoadResult r = loadBuffer("a.out", in);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kBinaryInput);
  EXPECT_NE(r.errors[0].message.find("binary data, not a YAML or JSON manifest"), std::string::npos);
  LoadResult r2 = loadBuffer("bad.yaml", "a: \xff\xfe\n");
  ASSERT_EQ(r2.errors.size(), 1u);
  EXPECT_EQ(r2.errors[0].code, ErrorCode::kBinaryInput);
}

TEST(LoadYaml, DeepFlowNesting) {
  std::string in(10000, '[');
  in += std::string(10000, ']');
  LoadResult r = loadBuffer("deep.yaml", in);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kDepthLimit);
  EXPECT_EQ(r.documents.size(), 0u);
  // JSON-looking input fails over to the depth limit too (not a crash).
  std::string obj;
  for (int i = 0; i < 10000; ++i) obj += "{\"a\":";
  obj += "1";
  obj += std::string(10000, '}');
  LoadResult rj = loadBuffer("deep.json", obj);
  ASSERT_EQ(rj.errors.size(), 1u);
  EXPECT_EQ(rj.errors[0].code, ErrorCode::kDepthLimit);
}

TEST(LoadYaml, DeepBlockNesting) {
  std::string in;
  for (int i = 0; i < 10000; ++i) in += "- ";
  in += "x\n";
  LoadResult r = loadBuffer("deep.yaml", in);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kDepthLimit);
  std::string maps;
  for (int i = 0; i < 10000; ++i) maps += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  LoadResult r2 = loadBuffer("deep2.yaml", maps);
  ASSERT_EQ(r2.errors.size(), 1u);
  EXPECT_EQ(r2.errors[0].code, ErrorCode::kDepthLimit);
  EXPECT_EQ(r2.errors[0].line, 257u);
}

TEST(LoadYaml, BillionLaughs) {
  std::string in = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string name(1, c);
    in += name + ": &" + name + " [";
    for (int i = 0; i < 9; ++i) in += (i ? ", *" : "*") + prev;
    in += "]\n";
    prev = name;
  }
  LoadResult r = loadBuffer("lol.yaml", in);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kAliasLimit);
  EXPECT_EQ(r.documents.size(), 0u);
}

TEST(LoadYaml, AliasesShareAndUnknownAlias) {
  LoadResult r = loadBuffer("t.yaml", "l: &l {app: web}\ns: *l\nv: &v 3\nw: *v\n");
  const Node& n = root0(r);
  EXPECT_EQ(n.get("s")->members().data(), n.get("l")->members().data());  // shared, not copied
  EXPECT_EQ(n.get("w")->integer(), 3);
  LoadResult r2 = loadBuffer("t.yaml", "a: 1\nb: *nope\n");
  ASSERT_EQ(r2.errors.size(), 1u);
  EXPECT_EQ(r2.errors[0].code, ErrorCode::kUnknownAlias);
  EXPECT_EQ(r2.errors[0].line, 2u);
  EXPECT_NE(r2.errors[0].message.find("nope"), std::string::npos);
}

TEST(LoadYaml, OversizeDocument) {
  LoadLimits limits;
  limits.max_document_bytes = 100;
  std::string big = "a: " + std::string(500, 'x') + "\n";
  LoadResult r = loadBuffer("t.yaml", "small: 1\n---\n" + big + "---\nz: 2\n", limits);
  ASSERT_EQ(r.documents.size(), 2u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kDocumentTooLarge);
  EXPECT_EQ(r.errors[0].line, 3u);
  EXPECT_NE(r.errors[0].message.find("above the limit of 100 bytes"), std::string::npos);
}

TEST(LoadYaml, HugeSingleLineRejectedQuickly) {
  LoadLimits limits;
  limits.max_document_bytes = 1 << 20;
  std::string big(64u << 20, 'x');
  LoadResult r = loadBuffer("t.yaml", big, limits);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kDocumentTooLarge);
}

TEST(LoadJson, SizeLimitAppliesToEachDocumentOfAStream) {
  // A stream of JSON values (a kspm snapshot: one List per page) may exceed the limit in total;
  // each document must not.
  LoadLimits limits;
  limits.max_document_bytes = 200;
  std::string small = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}})";
  std::string stream = small + "\n" + small + "\n" + small + "\n" + small + "\n";
  ASSERT_GT(stream.size(), 200u);
  LoadResult ok = loadBuffer("s.json", stream, limits);
  EXPECT_TRUE(ok.errors.empty());
  EXPECT_EQ(ok.documents.size(), 4u);

  std::string big = R"({"apiVersion":"v1","kind":"ConfigMap","data":{"k":")" + std::string(500, 'x') + R"("}})";
  LoadResult r = loadBuffer("s.json", small + "\n" + big + "\n" + small + "\n", limits);
  ASSERT_EQ(r.documents.size(), 1u);  // the one before; parsing stops at the oversized one
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, ErrorCode::kDocumentTooLarge);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_NE(r.errors[0].message.find("limit of 200 bytes"), std::string::npos) << r.errors[0].message;
}

TEST(LoadJson, SkipManagedFieldsLeavesOnlyThoseMembersOut) {
  const std::string json = R"({"metadata":{"name":"a","managedFields":[{"manager":"kubectl","fieldsV1":{"f:spec":{"f:x":{}}}}],
    "labels":{"app":"web"}},"spec":{"managedFields":"kept only without the option","n":1}})";
  LoadLimits limits;
  limits.skip_managed_fields = true;
  LoadResult skipped = loadBuffer("s.json", json, limits);
  ASSERT_TRUE(skipped.errors.empty());
  ASSERT_EQ(skipped.documents.size(), 1u);
  const Node* root = skipped.documents[0].root();
  EXPECT_EQ(root->find({"metadata", "managedFields"}), nullptr);
  EXPECT_EQ(root->find({"spec", "managedFields"}), nullptr);  // a scalar value is skipped as well
  EXPECT_EQ(root->find({"metadata", "labels", "app"})->str(), "web");  // what follows is intact
  EXPECT_EQ(root->find({"spec", "n"})->integer(), 1);
  LoadResult kept = loadBuffer("s.json", json);
  ASSERT_TRUE(kept.errors.empty());
  EXPECT_NE(kept.documents[0].root()->find({"metadata", "managedFields"}), nullptr);
}

TEST(LoadYaml, HelmSourceComments) {
  std::string in =
      "---\n# Source: chart/templates/a.yaml\napiVersion: v1\nkind: A\n"
      "---\napiVersion: v1\nkind: A2\n"
      "---\n# Source: chart/templates/b.yaml\napiVersion: v1\nkind: B\n";
  LoadResult r = loadBuffer("t.yaml", in);
  ASSERT_EQ(r.documents.size(), 3u);
  EXPECT_EQ(r.documents[0].helmSource(), "chart/templates/a.yaml");
  // A hand-written document appended to helm output is not attributed to the template above it.
  EXPECT_EQ(r.documents[1].helmSource(), "");
  EXPECT_EQ(r.documents[2].helmSource(), "chart/templates/b.yaml");
  EXPECT_EQ(loadBuffer("t.yaml", "a: 1\n").documents.at(0).helmSource(), "");
}

TEST(LoadJson, LinesAndTypes) {
  std::string in =
      "{\n"
      "  \"apiVersion\": \"v1\",\n"
      "  \"spec\": {\n"
      "    \"n\": 5, \"f\": 1.5, \"b\": true, \"z\": null, \"big\": 18446744073709551615,\n"
      "    \"s\": \"a\\nb\", \"on\": \"on\",\n"
      "    \"list\": [\n"
      "      1\n"
      "    ]\n"
      "  },\n"
      "  \"apiVersion\": \"v2\"\n"
      "}\n";
  LoadResult r = loadBuffer("t.json", in);
  const Node& n = root0(r);
  EXPECT_EQ(n.line(), 1u);
  EXPECT_EQ(n.get("spec")->line(), 3u);
  EXPECT_EQ(n.find({"spec", "n"})->integer(), 5);
  EXPECT_EQ(n.find({"spec", "n"})->line(), 4u);
  EXPECT_EQ(n.find({"spec", "f"})->number(), 1.5);
  EXPECT_TRUE(n.find({"spec", "b"})->boolean());
  EXPECT_TRUE(n.find({"spec", "z"})->isNull());
  EXPECT_TRUE(n.find({"spec", "big"})->isFloat());
  EXPECT_TRUE(n.find({"spec", "s"})->is("a\nb"));
  EXPECT_TRUE(n.find({"spec", "on"})->is("on"));
  EXPECT_EQ(n.find({"spec", "list"})->items()[0].line(), 7u);
  EXPECT_TRUE(n.get("apiVersion")->is("v2"));
  ASSERT_EQ(r.documents[0].keyDiagnostics().size(), 1u);
  EXPECT_EQ(r.documents[0].keyDiagnostics()[0].line, 10u);
  EXPECT_EQ(r.documents[0].keyDiagnostics()[0].first_line, 2u);
  EXPECT_EQ(r.documents[0].keyDiagnostics()[0].path, "");
}

TEST(LoadJson, FallsBackToYaml) {
  LoadResult r = loadBuffer("t.json", "{a: on, b: 'x'}\n");
  const Node& n = root0(r);
  EXPECT_TRUE(n.get("a")->isBool());
  EXPECT_TRUE(n.get("b")->is("x"));
  LoadResult r2 = loadBuffer("t.json", "[1, 2]\n---\n{\"c\": 3}\n");
  ASSERT_EQ(r2.documents.size(), 2u);
  EXPECT_EQ(r2.documents[1].root()->get("c")->integer(), 3);
  EXPECT_EQ(r2.documents[1].line(), 3u);
}

TEST(LoadJson, Stream) {
  LoadResult r = loadBuffer("t.json", "{\"a\": 1}\n{\"a\": 2}\n");
  ASSERT_EQ(r.documents.size(), 2u);
  EXPECT_EQ(r.documents[1].root()->get("a")->integer(), 2);
  EXPECT_EQ(r.documents[1].line(), 2u);
}

}  // namespace
}  // namespace kspm
