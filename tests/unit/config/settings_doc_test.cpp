#include "config/settings_doc.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "config/settings_table.hpp"

namespace gf::config {
namespace {

std::filesystem::path checked_in_doc() {
  return std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "docs" /
         "settings.md";
}

TEST(SettingsDoc, MentionsEverySetting) {
  const std::string doc = settings_markdown();
  for (const SettingSpec& spec : settings_table()) {
    EXPECT_NE(doc.find("### `" + std::string(spec.name) + "`"), std::string::npos) << spec.name;
  }
  EXPECT_NE(doc.find("- Command line: `-w INT`, `--workers INT`"), std::string::npos);
  EXPECT_NE(doc.find("- Status: not supported yet (TLS comes in a later issue)"),
            std::string::npos);
}

// GF_WRITE_SETTINGS_DOC=1 regenerates docs/settings.md instead of comparing.
TEST(SettingsDoc, CheckedInFileIsCurrent) {
  const std::string expected = settings_markdown();
  const char* write = std::getenv("GF_WRITE_SETTINGS_DOC");
  if (write != nullptr && std::string(write) == "1") {
    std::ofstream(checked_in_doc(), std::ios::binary) << expected;
  }
  std::ifstream file(checked_in_doc(), std::ios::binary);
  ASSERT_TRUE(file) << checked_in_doc();
  std::stringstream actual;
  actual << file.rdbuf();
  EXPECT_TRUE(actual.str() == expected)
      << "docs/settings.md is stale; rerun config_tests with GF_WRITE_SETTINGS_DOC=1";
}

}  // namespace
}  // namespace gf::config
