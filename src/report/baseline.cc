// Baselines: reading kspm JSON reports (SAX, one pass, only what a baseline needs) and comparing a
// scan's findings with them.
#include "kspm/baseline.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "kspm/report.h"

namespace kspm {
namespace {

InputError baselineError(std::string_view name, uint32_t line, std::string message) {
  return InputError{ErrorCode::kBaseline, std::string(name), line, std::move(message)};
}

/**
 * Collects, per top-level document: schemaVersion, tool.name, cluster.id and
 * findings[].fingerprint. Everything else is skipped (but nesting is bounded).
 */
class ReportHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ReportHandler> {
 public:
  explicit ReportHandler(uint32_t max_depth) : max_depth_(max_depth) {}

  void startDocument() {
    schema_.clear();
    tool_.clear();
    cluster_.clear();
    has_findings_ = false;
    top_is_object_ = false;
    fingerprints_.clear();
    bad_fingerprint_.clear();
    stack_.clear();
    key_.clear();
  }

  bool StartObject() { return open(true); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(false); }
  bool EndArray(rapidjson::SizeType) { return close(); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    key_.assign(s, n);
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    std::string_view v(s, n);
    size_t depth = stack_.size();
    if (depth == 1 && key_ == "schemaVersion") {
      schema_ = v;
    } else if (depth == 2 && stack_[1].key == "tool" && key_ == "name") {
      tool_ = v;
    } else if (depth == 2 && stack_[1].key == "cluster" && key_ == "id") {
      cluster_ = v;
    } else if (depth == 3 && stack_[1].key == "findings" && stack_[2].object && key_ == "fingerprint") {
      uint64_t fp = 0;
      if (parseFingerprint(v, &fp)) {
        fingerprints_.push_back(fp);
      } else if (bad_fingerprint_.empty()) {
        bad_fingerprint_ = v.substr(0, 40);
      }
    }
    return true;
  }
  bool Default() { return true; }  // numbers, booleans, null

  bool depthExceeded() const { return depth_exceeded_; }

  std::string schema_, tool_, cluster_, bad_fingerprint_;
  bool has_findings_ = false;
  bool top_is_object_ = false;
  std::vector<uint64_t> fingerprints_;

 private:
  struct Level {
    std::string key;  // the key this container is the value of ("" in arrays and at the top)
    bool object;
  };
  bool open(bool object) {
    if (stack_.size() >= max_depth_) {
      depth_exceeded_ = true;
      return false;
    }
    if (stack_.empty()) {
      top_is_object_ = object;
    } else if (stack_.size() == 1 && !object && key_ == "findings") {
      has_findings_ = true;
    }
    stack_.push_back({stack_.empty() || !stack_.back().object ? std::string() : key_, object});
    key_.clear();
    return true;
  }
  bool close() {
    stack_.pop_back();
    key_.clear();
    return true;
  }

  uint32_t max_depth_;
  bool depth_exceeded_ = false;
  std::vector<Level> stack_;
  std::string key_;
};

uint32_t lineAt(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  uint32_t line = 1;
  for (size_t i = 0; i < offset; ++i) line += text[i] == '\n';
  return line;
}

size_t skipSpace(std::string_view text, size_t pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\r' || text[pos] == '\t')) ++pos;
  return pos;
}

}  // namespace

bool parseFingerprint(std::string_view text, uint64_t* out) {
  if (text.size() != 16) return false;
  uint64_t v = 0;
  for (char c : text) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

Result<Baseline> parseBaselineJson(std::string_view text, std::string_view name, const BaselineLimits& limits) {
  Baseline baseline;
  baseline.source = std::string(name);
  const std::string_view supported_major = kJsonSchemaVersion.substr(0, kJsonSchemaVersion.find('.'));
  size_t pos = skipSpace(text, 0);
  if (pos == text.size()) return baselineError(name, 0, "empty: expected a `kspm scan -o json` report");
  ReportHandler handler(limits.max_depth);
  while (pos < text.size()) {
    handler.startDocument();
    const size_t doc_start = pos;
    rapidjson::MemoryStream stream(text.data() + pos, text.size() - pos);
    rapidjson::Reader reader;
    rapidjson::ParseResult ok =
        reader.Parse<rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseValidateEncodingFlag>(stream, handler);
    if (!ok) {
      size_t at = pos + ok.Offset();
      if (handler.depthExceeded()) {
        return baselineError(name, lineAt(text, at),
                             "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels: not a kspm report");
      }
      return baselineError(name, lineAt(text, at),
                           std::string("malformed JSON at offset ") + std::to_string(at) + ": " +
                               rapidjson::GetParseError_En(ok.Code()));
    }
    pos = skipSpace(text, pos + stream.Tell());
    if (!handler.top_is_object_ || handler.tool_ != "kspm" || !handler.has_findings_) {
      return baselineError(name, lineAt(text, doc_start),
                           "not a kspm JSON report (expected tool.name \"kspm\" and a findings list, as written by "
                           "`kspm scan -o json`)");
    }
    std::string_view major = std::string_view(handler.schema_).substr(0, handler.schema_.find('.'));
    if (major != supported_major) {
      return baselineError(name, lineAt(text, doc_start),
                           "schemaVersion \"" + handler.schema_ + "\" is not supported (this kspm reads " +
                               std::string(supported_major) + ".x reports)");
    }
    if (!handler.bad_fingerprint_.empty()) {
      return baselineError(name, lineAt(text, doc_start), "fingerprint \"" + handler.bad_fingerprint_ + "\" is not 16 hex digits");
    }
    uint32_t index = static_cast<uint32_t>(baseline.clusters.size());
    baseline.clusters.push_back(handler.cluster_);
    for (uint64_t fp : handler.fingerprints_) baseline.fingerprints.emplace(fp, index);
  }
  return baseline;
}

Result<Baseline> loadBaselineFile(const std::string& path, const BaselineLimits& limits) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return baselineError(path, 0, std::string("cannot read the baseline: ") + std::strerror(errno));
  struct stat st {};
  if (fstat(fileno(file.get()), &st) == 0 && S_ISDIR(st.st_mode)) {
    return baselineError(path, 0, "is a directory, not a baseline report");
  }
  std::string text;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    if (text.size() + n > limits.max_bytes) {
      return baselineError(path, 0, "larger than " + std::to_string(limits.max_bytes) + " bytes");
    }
    text.append(buffer, n);
  }
  if (std::ferror(file.get())) return baselineError(path, 0, std::string("cannot read the baseline: ") + std::strerror(errno));
  return parseBaselineJson(text, path, limits);
}

Baseline baselineFromRecords(std::span<const FindingRecord> records, std::string_view cluster, std::string source) {
  Baseline baseline;
  baseline.source = std::move(source);
  baseline.clusters.emplace_back(cluster);
  for (const FindingRecord& r : records) {
    uint64_t fp = 0;
    if (parseFingerprint(r.fingerprint, &fp)) baseline.fingerprints.emplace(fp, 0);
  }
  return baseline;
}

BaselineComparison::BaselineComparison(const Baseline& baseline, std::string cluster)
    : baseline_(baseline), cluster_(std::move(cluster)) {
  bool any = false;
  for (const std::string& c : baseline_.clusters) {
    same_cluster_.push_back(c == cluster_);
    any = any || c == cluster_;
  }
  if (!any) same_cluster_.assign(same_cluster_.size(), true);
}

bool BaselineComparison::contains(const Finding& finding, const Object& object, std::string_view ns) const {
  char text[17];
  fingerprintInto(finding, object, ns, text, cluster_);
  uint64_t fp = 0;
  parseFingerprint(std::string_view(text, 16), &fp);
  return baseline_.fingerprints.count(fp) != 0;
}

bool BaselineComparison::clusterMismatch(std::string* message) const {
  if (baseline_.clusters.empty()) return false;
  std::string ids;
  for (const std::string& c : baseline_.clusters) {
    if (c == cluster_) return false;
    std::string shown = c.empty() ? "manifests (no cluster ID)" : "cluster \"" + c + "\"";
    if (ids.find(shown) == std::string::npos) ids += (ids.empty() ? "" : ", ") + shown;
  }
  if (message != nullptr) {
    *message = "the baseline " + baseline_.source + " is from " + ids + ", this scan is of " +
               (cluster_.empty() ? std::string("manifests (no cluster ID)") : "cluster \"" + cluster_ + "\"") +
               ": fingerprints include the cluster ID, so every finding will be new (see --cluster-id)";
  }
  return true;
}

void BaselineComparison::record(std::span<const ObjectFindings> batch, const ObjectSet& objects) {
  for (const ObjectFindings& r : batch) {
    for (const Finding& f : r.findings) {
      char text[17];
      fingerprintInto(f, *r.object, objects.namespaceOf(*r.object), text, cluster_);
      uint64_t fp = 0;
      parseFingerprint(std::string_view(text, 16), &fp);
      bool in_baseline = baseline_.fingerprints.count(fp) != 0;
      if (in_baseline) seen_.insert(fp);
      if (f.suppressed) continue;
      if (in_baseline) {
        ++existing_;
      } else {
        ++new_;
        ++new_by_severity_[static_cast<size_t>(f.severity)];
      }
    }
  }
}

uint64_t BaselineComparison::fixed() const {
  uint64_t n = 0;
  for (const auto& [fp, index] : baseline_.fingerprints) {
    if (same_cluster_[index] && seen_.count(fp) == 0) ++n;
  }
  return n;
}

}  // namespace kspm
