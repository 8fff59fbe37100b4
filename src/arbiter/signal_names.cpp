#include "arbiter/signal_names.hpp"

#include <string.h>

#include <cctype>

namespace gf::arbiter {

std::string signal_short_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  if (abbrev == nullptr) return std::to_string(sig);
  std::string name(abbrev);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string signal_full_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : std::to_string(sig);
}

}  // namespace gf::arbiter
