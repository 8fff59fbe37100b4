#include "config/argument_parser.hpp"

#include <optional>
#include <regex>

#include <fmt/format.h>

#include "config/config.hpp"
#include "config/text.hpp"
#include "config/value_parser.hpp"
#include "util/python_repr.hpp"

namespace gf::config {
namespace {

enum class Builtin { kNone, kHelp, kVersion };

// An option string the parser knows: a setting's flag or one of -h/--help, -v/--version.
struct Option {
  std::string_view flag;
  const SettingSpec* spec = nullptr;  // nullptr for builtins
  Builtin builtin = Builtin::kNone;
};

// A token recognised as an option, with the text after `=` or after a short flag ("-w4").
struct MatchedOption {
  Option option;
  std::optional<std::string> explicit_value;
};

std::optional<Option> exact_option(std::string_view flag) {
  if (flag == "-h" || flag == "--help") return Option{flag, nullptr, Builtin::kHelp};
  if (flag == "-v" || flag == "--version") return Option{flag, nullptr, Builtin::kVersion};
  if (const SettingSpec* spec = find_setting_by_flag(flag)) return Option{flag, spec};
  return std::nullopt;
}

std::vector<Option> all_options() {
  std::vector<Option> options = {{"-h", nullptr, Builtin::kHelp},
                                 {"--help", nullptr, Builtin::kHelp},
                                 {"-v", nullptr, Builtin::kVersion},
                                 {"--version", nullptr, Builtin::kVersion}};
  for (const SettingSpec& spec : settings_table()) {
    for (std::string_view flag : spec.flags) options.push_back({flag, &spec});
  }
  return options;
}

bool looks_like_negative_number(std::string_view token) {
  static const std::regex kNegativeNumber(R"(^-\d+$|^-\d*\.\d+$)");
  return std::regex_match(token.begin(), token.end(), kNegativeNumber);
}

// argparse's _get_option_tuples: long prefixes ("--bin"), and short flags with an attached
// value ("-w4").
std::vector<MatchedOption> prefix_matches(std::string_view token) {
  std::vector<MatchedOption> matches;
  if (token.starts_with("--")) {
    const auto equals = token.find('=');
    const std::string_view prefix = token.substr(0, equals);
    std::optional<std::string> value;
    if (equals != std::string_view::npos) value = std::string(token.substr(equals + 1));
    for (const Option& option : all_options()) {
      if (option.flag.starts_with(prefix)) matches.push_back({option, value});
    }
    return matches;
  }
  const std::string_view short_flag = token.substr(0, 2);
  for (const Option& option : all_options()) {
    if (option.flag == short_flag) {
      matches.push_back({option, std::string(token.substr(2))});
    } else if (option.flag.starts_with(token)) {
      matches.push_back({option, std::nullopt});
    }
  }
  return matches;
}

// nullopt: the token is a positional (or a value). Unknown options come back with no spec and
// no builtin, to be reported as unrecognized.
std::optional<MatchedOption> classify(std::string_view token) {
  if (!token.starts_with('-') || token.size() == 1) return std::nullopt;
  if (auto option = exact_option(token)) return MatchedOption{*option, std::nullopt};
  if (const auto equals = token.find('='); equals != std::string_view::npos) {
    if (auto option = exact_option(token.substr(0, equals))) {
      return MatchedOption{*option, std::string(token.substr(equals + 1))};
    }
  }
  const std::vector<MatchedOption> matches = prefix_matches(token);
  if (matches.size() > 1) {
    std::vector<std::string_view> flags;
    for (const MatchedOption& match : matches) flags.push_back(match.option.flag);
    throw ConfigError(
        fmt::format("Error: ambiguous option: {} could match {}", token, join(flags, ", ")));
  }
  if (matches.size() == 1) return matches.front();
  if (looks_like_negative_number(token)) return std::nullopt;
  if (token.find(' ') != std::string_view::npos) return std::nullopt;
  return MatchedOption{Option{token}, std::nullopt};
}

bool is_value_token(std::string_view token) {
  return token != "--" && !classify(token).has_value();
}

class Parser {
 public:
  explicit Parser(std::span<const std::string> args) : args_(args) {}

  ParsedArguments run() {
    while (next_ < args_.size() && !stopped()) {
      const std::string& token = args_[next_++];
      if (token == "--") {
        only_positionals_ = true;
        continue;
      }
      std::optional<MatchedOption> match;
      if (!only_positionals_) match = classify(token);
      if (match) {
        if (!result_.positionals.empty()) positional_run_closed_ = true;
        take_option(*match, token);
      } else {
        take_positional(token);
      }
    }
    if (!stopped() && !unrecognized_.empty()) {
      std::vector<std::string_view> words(unrecognized_.begin(), unrecognized_.end());
      throw ConfigError(fmt::format("Error: unrecognized arguments: {}", join(words, " ")));
    }
    return std::move(result_);
  }

 private:
  bool stopped() const { return result_.show_help || result_.show_version; }

  // argparse gives APP_MODULE the first run of positionals; later ones are unrecognized.
  void take_positional(const std::string& token) {
    if (positional_run_closed_) {
      unrecognized_.push_back(token);
    } else {
      result_.positionals.push_back(token);
    }
  }

  void take_option(const MatchedOption& match, const std::string& token) {
    const Option& option = match.option;
    if (option.builtin == Builtin::kHelp) {
      result_.show_help = true;
      return;
    }
    if (option.builtin == Builtin::kVersion) {
      result_.show_version = true;
      return;
    }
    if (option.spec == nullptr) {
      unrecognized_.push_back(token);
      return;
    }
    switch (cli_action(*option.spec)) {
      case CliAction::kStoreTrue:
      case CliAction::kStoreFalse:
        take_flag(match);
        return;
      case CliAction::kOptionalValue: {
        std::string raw(option.spec->optional_value);
        if (match.explicit_value) {
          raw = *match.explicit_value;
        } else if (next_ < args_.size() && is_value_token(args_[next_])) {
          raw = args_[next_++];
        }
        store(option, parsed(option, raw));
        return;
      }
      case CliAction::kAppend:
        append(option, std::string(strip(required_value(match))));
        return;
      case CliAction::kStore:
      case CliAction::kByType:
        store(option, parsed(option, required_value(match)));
        return;
    }
  }

  // A store_true/store_false flag; "-DR" continues with "-R".
  void take_flag(const MatchedOption& match) {
    const Option& option = match.option;
    store(option, cli_action(*option.spec) == CliAction::kStoreTrue);
    if (!match.explicit_value) return;
    const std::string& rest = *match.explicit_value;
    const bool is_short = option.flag.size() == 2;
    if (is_short && !rest.empty()) {
      if (auto next = exact_option("-" + rest.substr(0, 1))) {
        take_option(
            MatchedOption{*next, rest.size() > 1 ? std::optional(rest.substr(1)) : std::nullopt},
            "-" + rest);
        return;
      }
    }
    throw ConfigError(fmt::format("Error: argument {}: ignored explicit argument {}", option.flag,
                                  util::python_repr_utf8(rest)));
  }

  std::string required_value(const MatchedOption& match) {
    if (match.explicit_value) return *match.explicit_value;
    if (next_ < args_.size() && is_value_token(args_[next_])) return args_[next_++];
    throw ConfigError(fmt::format("Error: argument {}: expected one argument", match.option.flag));
  }

  static Value parsed(const Option& option, std::string_view raw) {
    try {
      return parse_value(*option.spec, raw);
    } catch (const InvalidValue& e) {
      throw ConfigError(
          fmt::format("Error: {}: {}, got {}", option.flag, e.what(), util::python_repr_utf8(raw)));
    }
  }

  Value* slot(const SettingSpec* spec) {
    for (auto& [known, value] : result_.settings) {
      if (known == spec) return &value;
    }
    return nullptr;
  }

  void store(const Option& option, Value value) {
    if (Value* existing = slot(option.spec)) {
      *existing = std::move(value);
    } else {
      result_.settings.emplace_back(option.spec, std::move(value));
    }
  }

  void append(const Option& option, std::string item) {
    if (Value* existing = slot(option.spec)) {
      std::get<StringList>(*existing).push_back(std::move(item));
    } else {
      result_.settings.emplace_back(option.spec, StringList{std::move(item)});
    }
  }

  std::span<const std::string> args_;
  size_t next_ = 0;
  bool only_positionals_ = false;
  bool positional_run_closed_ = false;
  std::vector<std::string> unrecognized_;
  ParsedArguments result_;
};

}  // namespace

ParsedArguments parse_arguments(std::span<const std::string> args) {
  return Parser(args).run();
}

}  // namespace gf::config
