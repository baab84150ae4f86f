// yaml_tokenize: the "libyaml merely tokenising" baseline for the scan benchmark.
//
// Reads the given files (directories are walked recursively for *.yaml / *.yml) into memory,
// then runs libyaml's yaml_parser_scan over all of them with N threads (default 2) and prints
// bytes, seconds and MB/s. Work is split into pieces: each file, and each big file further cut
// at "---" document-start lines into pieces of about 4 MB, so one big file uses every thread.
// Only the scanning is timed (not reading the files), and nothing is built from the tokens: this
// is the floor for any libyaml-based loader.
//
// Usage: yaml_tokenize [--threads N] PATH...
#include <yaml.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr size_t kPieceBytes = 4u << 20;

void collect(const fs::path& p, std::vector<std::string>* out) {
  if (fs::is_directory(p)) {
    std::vector<std::string> found;
    for (const auto& e : fs::recursive_directory_iterator(p)) {
      if (!e.is_regular_file()) continue;
      std::string ext = e.path().extension().string();
      if (ext == ".yaml" || ext == ".yml") found.push_back(e.path().string());
    }
    std::sort(found.begin(), found.end());
    out->insert(out->end(), found.begin(), found.end());
  } else {
    out->push_back(p.string());
  }
}

// Cuts `text` into pieces of about kPieceBytes, each starting at a "---" line (except the first).
void split(std::string_view text, std::vector<std::string_view>* pieces) {
  size_t start = 0;
  while (start < text.size()) {
    size_t cut = text.size();
    if (text.size() - start > kPieceBytes) {
      size_t pos = start + kPieceBytes;
      for (;;) {
        size_t nl = text.find("\n---", pos);
        if (nl == std::string_view::npos) break;
        size_t after = nl + 4;
        if (after == text.size() || text[after] == '\n' || text[after] == ' ' || text[after] == '\r') {
          cut = nl + 1;
          break;
        }
        pos = nl + 1;
      }
    }
    pieces->push_back(text.substr(start, cut - start));
    start = cut;
  }
}

// Scans every token of `text`; returns the token count or -1 on a scanner error.
long scanAll(std::string_view text) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return -1;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  long tokens = 0;
  for (;;) {
    yaml_token_t token;
    if (!yaml_parser_scan(&parser, &token)) {
      tokens = -1;
      break;
    }
    bool end = token.type == YAML_STREAM_END_TOKEN;
    yaml_token_delete(&token);
    ++tokens;
    if (end) break;
  }
  yaml_parser_delete(&parser);
  return tokens;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned threads = 2;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      threads = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    } else if (a == "-h" || a == "--help") {
      std::puts("Usage: yaml_tokenize [--threads N] PATH...");
      return 0;
    } else {
      collect(a, &files);
    }
  }
  if (files.empty()) {
    std::fputs("yaml_tokenize: no input\n", stderr);
    return 2;
  }

  std::vector<std::string> contents;
  contents.reserve(files.size());
  size_t bytes = 0;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "yaml_tokenize: cannot read %s\n", f.c_str());
      return 2;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    contents.push_back(std::move(ss).str());
    bytes += contents.back().size();
  }
  std::vector<std::string_view> pieces;
  for (const std::string& c : contents) split(c, &pieces);

  std::atomic<size_t> next{0};
  std::atomic<long> tokens{0};
  std::atomic<bool> failed{false};
  auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    long local = 0;
    for (size_t i = next.fetch_add(1); i < pieces.size(); i = next.fetch_add(1)) {
      long n = scanAll(pieces[i]);
      if (n < 0) {
        failed = true;
      } else {
        local += n;
      }
    }
    tokens += local;
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::printf("files=%zu pieces=%zu threads=%u bytes=%zu tokens=%ld seconds=%.3f MB/s=%.1f\n", files.size(),
              pieces.size(), threads, bytes, tokens.load(), seconds, bytes / 1e6 / seconds);
  if (failed) {
    std::fputs("yaml_tokenize: libyaml reported a scanner error in some piece\n", stderr);
    return 1;
  }
  return 0;
}
