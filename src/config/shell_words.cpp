#include "config/shell_words.hpp"

#include <stdexcept>

namespace gf::config {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

std::vector<std::string> split_shell_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // distinguishes an empty quoted word ('') from no word
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i++];
    if (is_space(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\\') {
      if (i == text.size()) throw std::invalid_argument("No escaped character");
      word += text[i++];
      in_word = true;
    } else if (c == '\'') {
      const size_t end = text.find('\'', i);
      if (end == std::string_view::npos) throw std::invalid_argument("No closing quotation");
      word.append(text.substr(i, end - i));
      i = end + 1;
      in_word = true;
    } else if (c == '"') {
      // Inside double quotes a backslash only escapes another backslash or a double quote.
      while (true) {
        if (i == text.size()) throw std::invalid_argument("No closing quotation");
        const char q = text[i++];
        if (q == '"') break;
        if (q == '\\' && i < text.size() && (text[i] == '\\' || text[i] == '"')) {
          word += text[i++];
        } else {
          word += q;
        }
      }
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace gf::config
