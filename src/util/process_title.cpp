#include "util/process_title.hpp"

#include <sys/prctl.h>

#include <cstdlib>
#include <cstring>
#include <string>

extern char** environ;

namespace gf::util {
namespace {
char* title_area = nullptr;
size_t title_capacity = 0;
// The heap copy of environ lives as long as the process; kept here because setenv() may later
// point environ at a new array, which would leave this one unreachable (a leak to LSan).
char** volatile moved_environ = nullptr;
}  // namespace

void init_process_title(int argc, char** argv) {
  if (argc <= 0 || argv == nullptr || argv[0] == nullptr) return;
  // The usable area is every contiguous string of argv and environ; environ is copied to the
  // heap first so that getenv() keeps working once the area is overwritten.
  char* end = argv[0] + std::strlen(argv[0]);
  for (int i = 1; i < argc; ++i)
    if (argv[i] == end + 1) end = argv[i] + std::strlen(argv[i]);
  size_t env_count = 0;
  while (environ[env_count] != nullptr) ++env_count;
  for (size_t i = 0; i < env_count; ++i)
    if (environ[i] == end + 1) end = environ[i] + std::strlen(environ[i]);
  char** moved = static_cast<char**>(std::calloc(env_count + 1, sizeof(char*)));
  if (moved == nullptr) return;
  for (size_t i = 0; i < env_count; ++i) moved[i] = strdup(environ[i]);
  moved_environ = moved;
  environ = moved;
  // The caller keeps using argv: point its entries at copies before the area is overwritten.
  char* start = argv[0];
  for (int i = 0; i < argc; ++i) argv[i] = strdup(argv[i]);
  title_area = start;
  title_capacity = static_cast<size_t>(end - start) + 1;
}

void set_process_title(std::string_view title) {
  prctl(PR_SET_NAME, std::string(title.substr(0, 15)).c_str());
  if (title_area == nullptr || title_capacity == 0) return;
  size_t n = std::min(title.size(), title_capacity - 1);
  std::memcpy(title_area, title.data(), n);
  std::memset(title_area + n, 0, title_capacity - n);
}

}  // namespace gf::util
