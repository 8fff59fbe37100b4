// docs/settings.md, generated from the settings table so the reference can never drift from
// the code. A unit test fails when the checked-in file is stale (GF_WRITE_SETTINGS_DOC=1 rewrites
// it).
#pragma once

#include <string>

namespace gf::config {

std::string settings_markdown();

}  // namespace gf::config
