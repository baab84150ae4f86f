// Internals of the vulnerability reader: a streaming JSON walker over a small path schema, purl and
// image-key helpers, and the parsed forms the Database keeps. Not part of the public API.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kspm/status.h"
#include "kspm/vulns.h"

namespace kspm::vulns::internal {

// ---- Streaming JSON -------------------------------------------------------------------------

/**
 * A tree (in fact a DAG: a node may have several parents) of the JSON paths a reader wants.
 * Node 0 is the document root. Children are named keys, "*" (any key) or the array item.
 * Everything not in the schema is skipped without events.
 */
class Schema {
 public:
  static constexpr int kSkip = -1;
  Schema() : nodes_(1) {}
  /** A new node reached from `parent` by `key` ("[]" for array items, "*" for any key). */
  int add(int parent, std::string_view key);
  /** Links an existing node under `parent` by `key` too. */
  void link(int parent, std::string_view key, int child);
  int child(int parent, std::string_view key) const {
    const Node& n = nodes_[parent];
    for (const auto& [name, id] : n.children) {
      if (name == key) return id;
    }
    return n.any;
  }
  int item(int parent) const { return nodes_[parent].item; }

 private:
  struct Node {
    std::vector<std::pair<std::string, int>> children;
    int any = kSkip;
    int item = kSkip;
  };
  std::vector<Node> nodes_;
};

/** Receives the events of schema nodes. Set `failure` to stop the parse with kInvalidObject. */
class Events {
 public:
  virtual ~Events() = default;
  virtual void begin(int /*node*/, bool /*array*/) {}
  virtual void end(int /*node*/) {}
  virtual void string(int /*node*/, std::string_view /*value*/) {}
  virtual void number(int /*node*/, double /*value*/) {}
  virtual void boolean(int /*node*/, bool /*value*/) {}
  std::string failure;  // non-empty: stop
};

/**
 * Streams `path` through `schema` into `events`. Returns an error naming the file (and the byte
 * offset for syntax errors), or nullopt.
 */
std::optional<InputError> walkJsonFile(const std::string& path, const Schema& schema, Events& events,
                                       const LoadLimits& limits);

// ---- Names --------------------------------------------------------------------------------

/** Percent-decoding (purl components). Invalid escapes are kept as written. */
std::string percentDecode(std::string_view text);

struct Purl {
  std::string type;       // "oci", "deb", ...
  std::string namespace_; // decoded, "" if none
  std::string name;       // decoded
  std::string version;    // decoded ("sha256:..." for oci)
  std::vector<std::pair<std::string, std::string>> qualifiers;  // decoded values
  std::string qualifier(std::string_view key) const;
};

/** Parses "pkg:type/namespace/name@version?qualifiers#subpath"; nullopt if not a purl. */
std::optional<Purl> parsePurl(std::string_view text);

/** The keys an image can be joined by (all normalised). */
struct ImageKeys {
  std::vector<std::string> repo_digests;  // "docker.io/library/nginx@sha256:..."
  std::vector<std::string> digests;       // "sha256:..."
  std::vector<std::string> tags;          // "docker.io/library/nginx:1.27" (":latest" when none)
  std::vector<std::string> repos;         // "docker.io/library/nginx"
};

/** The keys of an image reference; false if it does not parse. */
bool addReferenceKeys(std::string_view reference, ImageKeys* keys);
/** Normalised repository name of a reference without tag/digest ("index.docker.io/library/x"). */
std::optional<std::string> normalizedRepository(std::string_view repository);

/** True when a package name from a report is the package a purl/name in a VEX document names. */
bool packageMatches(std::string_view report_package, std::string_view vex_name);

// ---- Parsed forms --------------------------------------------------------------------------

/** A report file as parsed, before VEX and enrichment. */
struct ParsedReport {
  std::vector<ImageReport> images;
  std::vector<std::string> bom_serials;  // per image: CycloneDX serialNumber ("" otherwise)
  size_t removed_by_analysis = 0;        // CycloneDX vulnerabilities with analysis.state not_affected...
};

std::optional<InputError> parseReport(const std::string& path, const LoadLimits& limits, ParsedReport* out);

/** Which images a VEX product names. */
struct ProductSelector {
  bool any = false;          // every image (a package-only product)
  std::string digest;        // "sha256:..."
  std::string repo;          // normalised repository
  std::string tag;           // with repo; "" = every tag of repo (when digest is empty too)
  std::string bom_serial;    // CycloneDX BOM-Link serial: images of that BOM
};

struct VexStatement {
  std::vector<std::string> ids;       // vulnerability name and aliases
  ProductSelector product;
  std::vector<std::string> packages;  // subcomponent package names; empty = every package
};

std::optional<InputError> parseVex(const std::string& path, const LoadLimits& limits,
                                   std::vector<VexStatement>* out);

struct KevEntry {
  bool ransomware = false;
};

std::optional<InputError> parseKev(const std::string& path, const LoadLimits& limits,
                                   std::unordered_map<std::string, KevEntry>* out, KevInfo* info);

struct EpssScore {
  double epss = 0;
  double percentile = 0;
};

std::optional<InputError> parseEpss(const std::string& path, const LoadLimits& limits,
                                    std::unordered_map<std::string, EpssScore>* out, EpssInfo* info);

InputError makeError(ErrorCode code, const std::string& file, std::string message, uint32_t line = 0);

}  // namespace kspm::vulns::internal
