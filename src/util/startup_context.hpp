// What the process looked like when it started (argv, environment, cwd, executable path), kept
// so that a USR2 binary upgrade can start the new binary exactly the way the operator did.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gf::util {

struct StartupContext {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "NAME=value", before the server changed anything
  std::string cwd;               // $PWD when it names the cwd (keeps symlinked deploy paths)
  std::string executable;        // path to exec on re-exec; see resolve_executable()

  // Call at the top of main(), before --chdir or anything else changes the process.
  static StartupContext capture(int argc, char** argv);

  // env with every NAME in `remove` dropped and `set` ("NAME=value") appended.
  std::vector<std::string> environment_with(const std::vector<std::string>& remove,
                                            const std::vector<std::string>& set) const;
};

// The path the operator's argv[0] names, found the way the shell found it: a name with a '/'
// is taken relative to cwd, a bare name is looked up in PATH. Symlinks are deliberately NOT
// resolved: deploys that flip a `current -> releases/N` link must get the new binary on USR2.
// Returns "" when nothing executable matches.
std::string resolve_executable(std::string_view argv0, std::string_view cwd,
                               std::string_view path_env);

}  // namespace gf::util
