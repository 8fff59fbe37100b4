// --reload: a background thread in the worker watches the code (inotify, or stat() every
// second) and stops the worker gracefully on a change, so the master starts one with fresh code.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "util/unique_fd.hpp"

namespace gf::workers {

class CodeReloader {
 public:
  // nullptr unless --reload. Start it with the GIL released: the thread takes it once a second
  // to list the imported modules.
  // `also_watch`: one more file (not a pattern), e.g. the one whose SyntaxError kept the app
  // from loading and so is not in sys.modules.
  static std::unique_ptr<CodeReloader> start_if_enabled(const config::Config& cfg,
                                                        const std::string& also_watch = {});
  // Stops and joins the thread; call it without holding the GIL (the thread may be waiting
  // for it).
  ~CodeReloader();
  CodeReloader(const CodeReloader&) = delete;
  CodeReloader& operator=(const CodeReloader&) = delete;

 private:
  CodeReloader(std::vector<std::string> extra_patterns, util::UniqueFd inotify_fd);
  void run();
  bool wait(int timeout_ms);  // false when asked to stop
  void changed(const std::string& file);

  std::vector<std::string> extra_patterns_;
  util::UniqueFd inotify_;  // empty: the poll engine
  util::UniqueFd stop_;     // eventfd, written by the destructor
  std::thread thread_;
};

}  // namespace gf::workers
