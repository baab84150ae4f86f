#include "loader/split.h"

#include <cstring>

namespace kspm::loader {

size_t bomLength(std::string_view b) {
  return b.size() >= 3 && static_cast<unsigned char>(b[0]) == 0xEF && static_cast<unsigned char>(b[1]) == 0xBB &&
                 static_cast<unsigned char>(b[2]) == 0xBF
             ? 3
             : 0;
}

namespace {

inline bool isBlankOrComment(std::string_view rest) {
  for (char c : rest) {
    if (c == ' ' || c == '\t' || c == '\r') continue;
    return c == '#';
  }
  return true;
}

inline bool isMarker(std::string_view text, char c) {
  return text.size() >= 3 && text[0] == c && text[1] == c && text[2] == c &&
         (text.size() == 3 || text[3] == ' ' || text[3] == '\t' || text[3] == '\r');
}

}  // namespace

std::vector<Chunk> splitStream(std::string_view buf, size_t start) {
  std::vector<Chunk> chunks;
  const char* data = buf.data();
  const size_t size = buf.size();
  std::string_view helm;
  Chunk cur;
  cur.begin = start;
  cur.line = 1;
  bool has_content = false;
  bool has_directive = false;
  auto finish = [&](size_t end) {
    if (has_content) {
      cur.end = end;
      chunks.push_back(cur);
    }
  };
  size_t pos = start;
  uint32_t line = 1;
  while (pos < size) {
    const char* nl = static_cast<const char*>(std::memchr(data + pos, '\n', size - pos));
    size_t eol = nl ? static_cast<size_t>(nl - data) : size;
    std::string_view text(data + pos, eol - pos);
    if (!text.empty()) {
      char c0 = text[0];
      if (c0 == '-' && isMarker(text, '-')) {
        if (!(has_directive && !has_content)) {
          finish(pos);
          cur = Chunk();
          cur.begin = pos;
          cur.line = line;
          has_content = false;
          helm = {};  // a `# Source:` comment names only the document it heads
        }
        has_directive = false;
        if (!isBlankOrComment(text.substr(3))) {
          has_content = true;
          cur.content_line = line;
          cur.helm_source = helm;
        }
      } else if (c0 == '#') {
        constexpr std::string_view kSource = "# Source: ";
        if (text.substr(0, kSource.size()) == kSource) {
          std::string_view s = text.substr(kSource.size());
          while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
          helm = s;
        }
      } else if (!has_content) {
        if (c0 == '%') {
          has_directive = true;
        } else if (c0 == '.' && isMarker(text, '.')) {
          // document end marker: not content
        } else if (!isBlankOrComment(text)) {
          has_content = true;
          cur.content_line = line;
          cur.helm_source = helm;
        }
      }
    }
    if (nl == nullptr) break;
    pos = eol + 1;
    ++line;
  }
  finish(size);
  return chunks;
}

}  // namespace kspm::loader
