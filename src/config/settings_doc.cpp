#include "config/settings_doc.hpp"

#include <fmt/format.h>

#include "config/python_repr.hpp"
#include "config/settings_table.hpp"

namespace gf::config {
namespace {

std::string flags_markdown(const SettingSpec& spec) {
  if (spec.flags.empty()) return "config file only";
  std::string out;
  for (std::string_view flag : spec.flags) {
    if (!out.empty()) out += ", ";
    const CliAction action = cli_action(spec);
    if (action == CliAction::kStoreTrue || action == CliAction::kStoreFalse) {
      out += fmt::format("`{}`", flag);
    } else if (action == CliAction::kOptionalValue) {
      out += fmt::format("`{} [{}]`", flag, spec.metavar);
    } else {
      out += fmt::format("`{} {}`", flag, spec.metavar);
    }
  }
  return out;
}

// Dynamic defaults are described, not evaluated, so the file does not depend on who builds it.
std::string default_markdown(const SettingSpec& spec) {
  if (!spec.default_doc.empty()) return std::string(spec.default_doc);
  if (spec.type == ValueType::kHook) return "no-op";
  return fmt::format("`{}`", python_repr(spec.default_value));
}

std::string support_markdown(const SettingSpec& spec) {
  if (spec.support == Support::kNotYetSupported) {
    return fmt::format("not supported yet ({})", spec.unsupported_reason);
  }
  if (spec.support == Support::kRefusedUntilSupported) {
    return fmt::format("not supported yet ({}); greenfork refuses to start when it is set",
                       spec.unsupported_reason);
  }
  if (!spec.supported_choices.empty()) {
    return fmt::format("supported for {} only", fmt::join(spec.supported_choices, ", "));
  }
  return "supported";
}

}  // namespace

std::string settings_markdown() {
  std::string out =
      "# Settings\n\n"
      "<!-- Generated from src/config/settings_*.cpp by gf::config::settings_markdown(); do not\n"
      "     edit. Regenerate: GF_WRITE_SETTINGS_DOC=1 build-*/tests/unit/config_tests -->\n\n"
      "greenfork reads the same settings as Gunicorn 26.1.0, with the same names, flags and\n"
      "defaults, from a Python config file (`-c`, or `gunicorn.conf.py` when present: every\n"
      "module-level name that is a setting), GUNICORN_CMD_ARGS (shell-split) and the command\n"
      "line, each overriding the one before. Settings marked \"not supported yet\" are accepted\n"
      "and validated but have no effect yet; greenfork reports them at start-up.\n";
  for (std::string_view section : settings_sections()) {
    out += fmt::format("\n## {}\n", section);
    for (const SettingSpec& spec : settings_table()) {
      if (spec.section != section) continue;
      out += fmt::format("\n### `{}`\n\n", spec.name);
      out += fmt::format("- Command line: {}\n", flags_markdown(spec));
      out += fmt::format("- Default: {}\n", default_markdown(spec));
      out += fmt::format("- Status: {}\n\n", support_markdown(spec));
      out += fmt::format("{}\n\n{}\n", spec.help, spec.doc);
    }
  }
  return out;
}

}  // namespace gf::config
