#include "net/inherited_listeners.hpp"

#include <fmt/format.h>

#include <charconv>

namespace gf::net {

std::vector<int> parse_fd_list(std::string_view text, std::string_view variable) {
  std::vector<int> fds;
  std::string_view rest = text;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    // Python's int() accepts surrounding blanks; so do we.
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    int fd = -1;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), fd);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || fd < 0)
      throw BindError(fmt::format("invalid {}: '{}'", variable, text));
    fds.push_back(fd);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return fds;
}

std::vector<Listener> adopt_all(const std::vector<int>& fds, int backlog) {
  std::vector<Listener> out;
  out.reserve(fds.size());
  for (int fd : fds) out.push_back(Listener::adopt(fd, backlog));
  return out;
}

}  // namespace gf::net
