// --help output, laid out like Python argparse's (invocation column, help at column 24, 78
// wide), with one group per settings section.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "config/command_line.hpp"
#include "config/setting_text.hpp"
#include "config/settings_table.hpp"
#include "config/text.hpp"

namespace gf::config {
namespace {

constexpr size_t kWidth = 78;       // argparse: $COLUMNS (80) - 2
constexpr size_t kHelpColumn = 24;  // argparse's max_help_position
constexpr size_t kIndent = 2;

std::vector<std::string> wrap(std::string_view text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  for (std::string_view word : split(text, ' ')) {
    if (word.empty()) continue;
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

std::string metavar(const SettingSpec& spec) {
  if (!spec.metavar.empty()) return std::string(spec.metavar);
  std::string upper(spec.name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

std::string invocation(const SettingSpec& spec) {
  std::vector<std::string> forms;
  for (std::string_view flag : spec.flags) {
    switch (cli_action(spec)) {
      case CliAction::kStoreTrue:
      case CliAction::kStoreFalse:
        forms.emplace_back(flag);
        break;
      case CliAction::kOptionalValue:
        forms.push_back(fmt::format("{} [{}]", flag, metavar(spec)));
        break;
      default:
        forms.push_back(fmt::format("{} {}", flag, metavar(spec)));
    }
  }
  return fmt::format("{}", fmt::join(forms, ", "));
}

std::string default_text(const SettingSpec& spec) {
  try {
    return display_value(spec, default_value(spec));
  } catch (const std::exception&) {
    return std::string(spec.default_doc);  // an invalid env var must not break --help
  }
}

void add_entry(std::string& out, std::string_view invocation_text, std::string_view help) {
  const size_t invocation_width = kHelpColumn - kIndent - 2;
  const std::vector<std::string> lines = wrap(help, kWidth - kHelpColumn);
  const std::string pad(kHelpColumn, ' ');
  size_t first = 0;
  if (invocation_text.size() <= invocation_width && !lines.empty()) {
    out += fmt::format("{}{:<{}}  {}\n", std::string(kIndent, ' '), invocation_text,
                       invocation_width, lines[0]);
    first = 1;
  } else {
    out += fmt::format("{}{}\n", std::string(kIndent, ' '), invocation_text);
  }
  for (size_t i = first; i < lines.size(); ++i) out += pad + lines[i] + "\n";
}

}  // namespace

std::string help_text(std::string_view prog) {
  std::string out = fmt::format("usage: {} [OPTIONS] [APP_MODULE]\n\noptions:\n", prog);
  add_entry(out, "-h, --help", "show this help message and exit");
  add_entry(out, "-v, --version", "show program's version number and exit");
  for (std::string_view section : settings_sections()) {
    std::string entries;
    for (const SettingSpec& spec : settings_table()) {
      if (spec.section != section || spec.flags.empty()) continue;
      add_entry(entries, invocation(spec), fmt::format("{} [{}]", spec.help, default_text(spec)));
    }
    if (!entries.empty()) out += fmt::format("\n{}:\n{}", section, entries);
  }
  return out;
}

}  // namespace gf::config
