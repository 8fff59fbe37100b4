// The files --reload watches: every imported module's source (sys.modules, so imports made
// after boot count too) plus --reload-extra-file entries, glob patterns expanded afresh.
#pragma once

#include <string>
#include <vector>

namespace gf::python {

class ReloadFiles {
 public:
  // Takes the GIL itself (callable from any thread while the interpreter runs). Absolute
  // paths, sorted, without duplicates; compiled .pyc/.pyo names map to their .py source.
  // Patterns with `*`, `?` or `[` are expanded with glob (`**` recursive); others are kept.
  // Returns an empty list when Python raised (the error is cleared).
  static std::vector<std::string> collect(const std::vector<std::string>& extra_patterns);
};

}  // namespace gf::python
