// CISA KEV (JSON, streamed) and FIRST EPSS (CSV, plain or gzip via zlib).
//
// KEV: {catalogVersion, dateReleased, count, vulnerabilities: [{cveID, knownRansomwareCampaignUse
//       ("Known" | "Unknown"), ...}]}
// EPSS: "#model_version:v2025.03.14,score_date:2025-03-14T00:00:00+0000" then "cve,epss,percentile"
//       then one row per CVE. Older feeds have no comment line.
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

#include <zlib.h>

#include "engine/vulns/internal.h"

namespace kspm::vulns::internal {

namespace {

struct KevNodes {
  Schema schema;
  int version, released, vulns, item, cve, ransomware;
  KevNodes() {
    version = schema.add(0, "catalogVersion");
    released = schema.add(0, "dateReleased");
    vulns = schema.add(0, "vulnerabilities");
    item = schema.add(vulns, "[]");
    cve = schema.add(item, "cveID");
    ransomware = schema.add(item, "knownRansomwareCampaignUse");
  }
};

class KevEvents : public Events {
 public:
  KevEvents(const KevNodes& nodes, std::unordered_map<std::string, KevEntry>* out, KevInfo* info)
      : n_(nodes), out_(out), info_(info) {}
  void begin(int node, bool array) override {
    if (node == 0 && array) failure = "the document is a list, not a CISA KEV catalog";
    if (node == n_.vulns) {
      if (!array) failure = "vulnerabilities is not a list";
      seen_ = true;
    }
    if (node == n_.item) {
      cve_.clear();
      ransomware_ = false;
    }
  }
  void end(int node) override {
    if (node == n_.item && !cve_.empty()) {
      KevEntry& e = (*out_)[cve_];
      e.ransomware = e.ransomware || ransomware_;
      ++info_->entries;
    }
  }
  void string(int node, std::string_view v) override {
    if (node == n_.cve) {
      cve_ = v;
    } else if (node == n_.ransomware) {
      ransomware_ = v == "Known";
    } else if (node == n_.version) {
      info_->catalog_version = v;
    } else if (node == n_.released) {
      info_->date_released = v;
    }
  }
  bool seen() const { return seen_; }

 private:
  const KevNodes& n_;
  std::unordered_map<std::string, KevEntry>* out_;
  KevInfo* info_;
  std::string cve_;
  bool ransomware_ = false;
  bool seen_ = false;
};

}  // namespace

std::optional<InputError> parseKev(const std::string& path, const LoadLimits& limits,
                                   std::unordered_map<std::string, KevEntry>* out, KevInfo* info) {
  static const KevNodes nodes;
  KevEvents events(nodes, out, info);
  if (auto error = walkJsonFile(path, nodes.schema, events, limits)) return error;
  if (!events.seen()) return makeError(ErrorCode::kInvalidObject, path, "not a CISA KEV catalog (no vulnerabilities)");
  return std::nullopt;
}

namespace {

struct GzCloser {
  void operator()(gzFile f) const {
    if (f) gzclose(f);
  }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

bool parseDouble(std::string_view s, double* out) {
  s = trim(s);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Splits a CSV line on commas (the EPSS feed has no quoting).
void splitCsv(std::string_view line, std::vector<std::string_view>* cells) {
  cells->clear();
  while (true) {
    size_t comma = line.find(',');
    cells->push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    line.remove_prefix(comma + 1);
  }
}

class EpssParser {
 public:
  EpssParser(const std::string& path, std::unordered_map<std::string, EpssScore>* out, EpssInfo* info)
      : path_(path), out_(out), info_(info) {}

  std::optional<InputError> line(std::string_view text, uint32_t number) {
    if (number == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    text = trim(text);
    if (text.empty()) return std::nullopt;
    if (text.front() == '#') {
      comment(text.substr(1));
      return std::nullopt;
    }
    splitCsv(text, &cells_);
    if (cve_col_ < 0) {
      for (size_t i = 0; i < cells_.size(); ++i) {
        if (cells_[i] == "cve") cve_col_ = static_cast<int>(i);
        if (cells_[i] == "epss") epss_col_ = static_cast<int>(i);
        if (cells_[i] == "percentile") pct_col_ = static_cast<int>(i);
      }
      if (cve_col_ < 0 || epss_col_ < 0) {
        return makeError(ErrorCode::kInvalidObject, path_, "not an EPSS CSV: the header has no cve and epss columns",
                         number);
      }
      width_ = cells_.size();
      return std::nullopt;
    }
    if (cells_.size() < width_) {
      return makeError(ErrorCode::kInvalidObject, path_,
                       "row has " + std::to_string(cells_.size()) + " cells, the header " + std::to_string(width_),
                       number);
    }
    EpssScore score;
    if (!parseDouble(cells_[epss_col_], &score.epss) || score.epss < 0 || score.epss > 1) {
      return makeError(ErrorCode::kInvalidObject, path_, "epss \"" + std::string(cells_[epss_col_]) + "\" is not a number in [0,1]",
                       number);
    }
    if (pct_col_ >= 0 && (!parseDouble(cells_[pct_col_], &score.percentile) || score.percentile < 0 ||
                          score.percentile > 1)) {
      return makeError(ErrorCode::kInvalidObject, path_,
                       "percentile \"" + std::string(cells_[pct_col_]) + "\" is not a number in [0,1]", number);
    }
    (*out_)[std::string(cells_[cve_col_])] = score;
    ++info_->scores;
    return std::nullopt;
  }

  std::optional<InputError> finish() {
    if (cve_col_ < 0) return makeError(ErrorCode::kInvalidObject, path_, "not an EPSS CSV: no header row");
    return std::nullopt;
  }

 private:
  // "model_version:v2025.03.14,score_date:2025-03-14T00:00:00+0000"
  void comment(std::string_view text) {
    std::vector<std::string_view> parts;
    splitCsv(text, &parts);
    for (std::string_view p : parts) {
      size_t colon = p.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view key = trim(p.substr(0, colon));
      std::string_view value = trim(p.substr(colon + 1));
      if (key == "model_version") info_->model_version = value;
      if (key == "score_date") info_->score_date = value;
    }
  }

  const std::string& path_;
  std::unordered_map<std::string, EpssScore>* out_;
  EpssInfo* info_;
  std::vector<std::string_view> cells_;
  int cve_col_ = -1, epss_col_ = -1, pct_col_ = -1;
  size_t width_ = 0;
};

}  // namespace

std::optional<InputError> parseEpss(const std::string& path, const LoadLimits& limits,
                                    std::unordered_map<std::string, EpssScore>* out, EpssInfo* info) {
  // gzopen reads plain files as they are; the magic bytes only tell which one this is for messages.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> probe(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!probe) return makeError(ErrorCode::kIoError, path, std::string("cannot open: ") + std::strerror(errno));
  unsigned char magic[2] = {0, 0};
  bool gzipped = std::fread(magic, 1, 2, probe.get()) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  probe.reset();
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) return makeError(ErrorCode::kIoError, path, "cannot open");
  gzbuffer(file.get(), 1 << 17);
  EpssParser parser(path, out, info);
  std::string pending;
  std::vector<char> buffer(1 << 17);
  uint32_t number = 0;
  while (true) {
    int n = gzread(file.get(), buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n < 0) {
      int code = 0;
      const char* message = gzerror(file.get(), &code);
      return makeError(ErrorCode::kIoError, path,
                       std::string(gzipped ? "bad gzip data: " : "read error: ") + (message ? message : ""), number + 1);
    }
    if (n == 0) break;
    std::string_view chunk(buffer.data(), static_cast<size_t>(n));
    while (!chunk.empty()) {
      size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        pending.append(chunk);
        if (pending.size() > limits.max_string_bytes) {
          return makeError(ErrorCode::kDocumentTooLarge, path,
                           "a line longer than " + std::to_string(limits.max_string_bytes) + " bytes", number + 1);
        }
        break;
      }
      ++number;
      std::optional<InputError> error;
      if (pending.empty()) {
        error = parser.line(chunk.substr(0, nl), number);
      } else {
        pending.append(chunk.substr(0, nl));
        error = parser.line(pending, number);
        pending.clear();
      }
      if (error) return error;
      chunk.remove_prefix(nl + 1);
    }
  }
  if (gzipped) {
    int code = 0;
    gzerror(file.get(), &code);
    if (code != Z_OK) return makeError(ErrorCode::kIoError, path, "truncated or bad gzip data");
  }
  if (!pending.empty()) {
    if (auto error = parser.line(pending, ++number)) return error;
  }
  return parser.finish();
}

}  // namespace kspm::vulns::internal
