// Times loading vulnerability reports into kspm::vulns::Database and prints MB/s.
//
//   python3 bench/gen_vulns.py --images 2000 --cves 150 --out /tmp/kspm-vulns
//   ./build/vulns_load /tmp/kspm-vulns [--repeat N] [--kev FILE] [--epss FILE]
//
// Loads every *.json file of the directory (sorted) as a report, N times (best run reported; KEV
// and EPSS, when given, are loaded first and timed apart), then joins every image to its report once by tag and once by digest as a sanity check.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "kspm/vulns.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [--repeat N] [--kev FILE] [--epss FILE]\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  int repeat = 3;
  std::string kev, epss;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--repeat") repeat = std::max(1, std::atoi(argv[i + 1]));
    if (flag == "--kev") kev = argv[i + 1];
    if (flag == "--epss") epss = argv[i + 1];
  }
  std::vector<std::string> files;
  uintmax_t bytes = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") {
      files.push_back(entry.path().string());
      bytes += entry.file_size();
    }
  }
  std::sort(files.begin(), files.end());
  double best = 1e30;
  double feeds_seconds = 0;
  std::map<std::string, std::pair<double, uintmax_t>> per_kind;  // first run: seconds, bytes
  size_t images = 0, vulns = 0, errors = 0;
  for (int run = 0; run < repeat; ++run) {
    kspm::vulns::Database db;
    errors = 0;
    auto feeds_start = std::chrono::steady_clock::now();
    if (!kev.empty() && !db.loadKev(kev).ok()) ++errors;
    if (!epss.empty() && !db.loadEpss(epss).ok()) ++errors;
    feeds_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - feeds_start).count();
    auto start = std::chrono::steady_clock::now();
    for (const std::string& f : files) {
      auto file_start = std::chrono::steady_clock::now();
      auto r = db.loadReport(f);
      if (run == 0) {
        std::string stem = fs::path(f).stem().string();
        std::string kind = stem.substr(stem.rfind('-') + 1);
        per_kind[kind].first += std::chrono::duration<double>(std::chrono::steady_clock::now() - file_start).count();
        per_kind[kind].second += fs::file_size(f);
      }
      if (!r.ok()) {
        ++errors;
        std::fprintf(stderr, "%s\n", kspm::describeInputError(r.error()).c_str());
      }
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, seconds);
    images = db.images().size();
    vulns = 0;
    for (const auto& image : db.images()) vulns += image.vulns.size();
    if (run == repeat - 1) {
      size_t by_tag = 0, by_digest = 0;
      auto t0 = std::chrono::steady_clock::now();
      for (const auto& image : db.images()) {
        if (!image.tags.empty() && db.match(image.tags.front()) == &image) ++by_tag;
        if (!image.repo_digests.empty() && db.match(image.repo_digests.front()) == &image) ++by_digest;
      }
      double match_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (!kev.empty() || !epss.empty()) {
        size_t with_kev = 0, with_epss = 0;
        for (const auto& image : db.images()) {
          for (const auto& v : image.vulns) {
            with_kev += v.kev;
            with_epss += v.epss.has_value();
          }
        }
        std::printf("feeds: %.3f s (KEV %zu entries, EPSS %zu scores, score date %s); %zu vulnerabilities in KEV, %zu with EPSS\n",
                    feeds_seconds, db.kevInfo().entries, db.epssInfo().scores, db.epssInfo().score_date.c_str(),
                    with_kev, with_epss);
      }
      std::printf("join: %zu/%zu by tag, %zu/%zu by digest, %.2f ms for %zu lookups\n", by_tag, images, by_digest, images,
                  match_ms, 2 * images);
    }
  }
  double mb = static_cast<double>(bytes) / 1e6;
  std::printf("files %zu, %.1f MB, images %zu, vulnerabilities %zu, errors %zu\n", files.size(), mb, images, vulns, errors);
  for (const auto& [kind, v] : per_kind) {
    std::printf("  %-6s %8.1f MB %7.0f MB/s (first run)\n", kind.c_str(), v.second / 1e6, v.second / 1e6 / v.first);
  }
  std::printf("load: best of %d %.3f s, %.0f MB/s\n", repeat, best, mb / best);
  return errors == 0 ? 0 : 1;
}
