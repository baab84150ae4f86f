#include "kspm/object.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "kspm/ingest.h"

namespace kspm {
namespace {

ObjectSet loadOne(const std::string& text) {
  ObjectSet set;
  auto f = std::make_unique<SourceFile>();
  f->path = "in.yaml";
  f->content = text;
  set.addFile(std::move(f), LoadLimits());
  return set;
}

TEST(ObjectSet, FieldsAndGroup) {
  ObjectSet set = loadOne("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\n---\n"
                          "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n");
  ASSERT_EQ(set.objects().size(), 2u);
  const Object& d = set.objects()[0];
  EXPECT_EQ(d.api_version, "apps/v1");
  EXPECT_EQ(d.kind, "Deployment");
  EXPECT_EQ(d.name, "web");
  EXPECT_EQ(d.namespace_, "prod");
  EXPECT_EQ(d.group(), "apps");
  EXPECT_EQ(d.line, 1u);
  EXPECT_EQ(d.list_index, -1);
  EXPECT_EQ(set.objects()[1].group(), "");
  EXPECT_EQ(set.objects()[1].line, 7u);
  EXPECT_EQ(set.objects()[1].namespace_, "");
  EXPECT_EQ(set.documentCount(), 2u);
  EXPECT_EQ(set.pathOf(d), "in.yaml");
}

TEST(ObjectSet, ListExpansion) {
  ObjectSet set = loadOne(
      "apiVersion: v1\n"       // 1
      "kind: List\n"           // 2
      "items:\n"               // 3
      "- apiVersion: v1\n"     // 4
      "  kind: Service\n"      // 5
      "  metadata: {name: a}\n"
      "- just a string\n"      // 7
      "- apiVersion: v1\n"     // 8
      "  kind: ConfigMap\n"
      "---\n"
      "apiVersion: v1\nkind: PodList\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p}}\n");
  ASSERT_EQ(set.objects().size(), 3u);
  EXPECT_EQ(set.objects()[0].kind, "Service");
  EXPECT_EQ(set.objects()[0].name, "a");
  EXPECT_EQ(set.objects()[0].line, 4u);
  EXPECT_EQ(set.objects()[0].list_index, 0);
  EXPECT_EQ(set.objects()[1].kind, "ConfigMap");
  EXPECT_EQ(set.objects()[1].list_index, 2);
  EXPECT_EQ(set.objects()[1].line, 8u);
  EXPECT_EQ(set.objects()[2].kind, "Pod");
  EXPECT_EQ(set.objects()[2].list_index, 0);
  ASSERT_EQ(set.errors().size(), 1u);
  EXPECT_EQ(set.errors()[0].code, ErrorCode::kInvalidListItems);
  EXPECT_EQ(set.errors()[0].line, 7u);
  EXPECT_NE(set.errors()[0].message.find("item 1"), std::string::npos) << set.errors()[0].message;
  EXPECT_EQ(set.documentCount(), 2u);
}

TEST(ObjectSet, MissingKindAndNotAnObject) {
  ObjectSet set = loadOne("apiVersion: v1\nkind: Pod\n---\n# c\n\nmetadata:\n  name: x\n---\n- a\n- b\n---\n"
                          "apiVersion: v1\nkind: Pod\n");
  ASSERT_EQ(set.objects().size(), 2u);
  ASSERT_EQ(set.errors().size(), 2u);
  EXPECT_EQ(set.errors()[0].code, ErrorCode::kMissingKind);
  EXPECT_EQ(set.errors()[0].line, 6u);
  EXPECT_EQ(set.errors()[0].message, "document at line 6 has no apiVersion and no kind: not a Kubernetes object");
  EXPECT_EQ(set.errors()[1].code, ErrorCode::kNotAnObject);
  EXPECT_EQ(set.errors()[1].line, 9u);
  EXPECT_EQ(set.documentCount(), 4u);
  ObjectSet k = loadOne("apiVersion: v1\nmetadata: {}\n");
  ASSERT_EQ(k.errors().size(), 1u);
  EXPECT_EQ(k.errors()[0].message, "document at line 1 has no kind: not a Kubernetes object");
}

TEST(ObjectSet, UnknownKindsKept) {
  ObjectSet set = loadOne("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
  ASSERT_EQ(set.objects().size(), 1u);
  EXPECT_EQ(set.objects()[0].group(), "example.com");
}

std::string testdata() { return std::string(KSPM_SOURCE_DIR) + "/src/loader/testdata"; }

TEST(Ingest, DirectoryTree) {
  IngestOptions opt;
  opt.threads = 1;
  opt.default_namespace = "dflt";
  std::string notes = testdata() + "/tree/notes.txt";
  ObjectSet set = ingestPaths({testdata() + "/tree", notes, testdata() + "/missing.yaml"}, opt);
  // a.yaml: Deployment + List(Service, ConfigMap); sub/b.yml: Widget; sub/c.json: Pod; notes.txt named explicitly.
  ASSERT_EQ(set.objects().size(), 6u);
  EXPECT_EQ(set.objects()[0].kind, "Deployment");
  EXPECT_EQ(set.objects()[0].document->helmSource(), "chart/templates/deploy.yaml");
  EXPECT_EQ(set.objects()[0].root->find({"spec", "template", "spec", "containers"})->items()[0]
                .find({"securityContext", "privileged"})->line(),
            13u);
  EXPECT_EQ(set.objects()[1].kind, "Service");
  EXPECT_EQ(set.objects()[2].kind, "ConfigMap");
  EXPECT_EQ(set.objects()[3].kind, "Widget");
  EXPECT_EQ(set.objects()[4].kind, "Pod");
  EXPECT_EQ(set.objects()[5].kind, "Secret");
  EXPECT_EQ(set.namespaceOf(set.objects()[0]), "prod");
  EXPECT_EQ(set.namespaceOf(set.objects()[4]), "dflt");
  EXPECT_EQ(set.files().size(), 4u);
  EXPECT_EQ(set.pathOf(set.objects()[5]), notes);
  ASSERT_EQ(set.errors().size(), 1u);
  EXPECT_EQ(set.errors()[0].code, ErrorCode::kIoError);
  EXPECT_NE(set.errors()[0].message.find("missing.yaml"), std::string::npos);
}

// Many files and one big multi-range file, with errors sprinkled in.
TEST(Ingest, ParallelEqualsSerial) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("kspm_ingest_" + std::to_string(::getpid()));
  fs::create_directories(dir / "d");
  for (int f = 0; f < 12; ++f) {
    std::ofstream out(dir / "d" / ("f" + std::to_string(f) + ".yaml"));
    for (int i = 0; i < 50; ++i) {
      out << "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-" << f << "-" << i << "\n";
      if (i % 17 == 3) out << "data: [broken\n";
      if (i % 13 == 5) out << "data:\n  k: a\n  k: b\n";
    }
  }
  {
    std::ofstream out(dir / "big.yaml");
    std::string pad(2000, 'x');
    for (int i = 0; i < 6000; ++i) {
      out << "---\n# Source: c/t" << i / 100 << ".yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d" << i
          << "\n  annotations: {a: " << pad << "}\nspec:\n  replicas: " << i << "\n";
      if (i % 1000 == 7) out << "  bad: *nope\n";
    }
  }
  std::vector<std::string> paths = {(dir / "d").string(), (dir / "big.yaml").string()};
  IngestOptions serial;
  serial.threads = 1;
  IngestOptions parallel;
  parallel.threads = 4;
  ObjectSet a = ingestPaths(paths, serial);
  ObjectSet b = ingestPaths(paths, parallel);
  ASSERT_GT(a.objects().size(), 6000u);
  ASSERT_EQ(a.objects().size(), b.objects().size());
  ASSERT_EQ(a.errors().size(), b.errors().size());
  EXPECT_EQ(a.documentCount(), b.documentCount());
  for (size_t i = 0; i < a.objects().size(); ++i) {
    const Object& x = a.objects()[i];
    const Object& y = b.objects()[i];
    ASSERT_EQ(x.name, y.name) << i;
    ASSERT_EQ(x.kind, y.kind);
    ASSERT_EQ(x.line, y.line);
    ASSERT_EQ(x.file, y.file);
    ASSERT_EQ(x.document->helmSource(), y.document->helmSource());
    ASSERT_EQ(x.document->keyDiagnostics().size(), y.document->keyDiagnostics().size());
    ASSERT_EQ(x.root->size(), y.root->size());
  }
  for (size_t i = 0; i < a.errors().size(); ++i) {
    EXPECT_EQ(a.errors()[i].file, b.errors()[i].file);
    EXPECT_EQ(a.errors()[i].line, b.errors()[i].line);
    EXPECT_EQ(a.errors()[i].message, b.errors()[i].message);
  }
  EXPECT_EQ(a.objects().back().name, "d5999");
  EXPECT_EQ(a.objects().back().document->helmSource(), "c/t59.yaml");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kspm
