#include "python/configuration/paste_config.hpp"
#include "python/embed/interpreter.hpp"

#include <Python.h>
#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "config/command_line.hpp"
#include "config/settings_table.hpp"
#include "python/configuration/config_file.hpp"
#include "python/embed/py_exception.hpp"
#include "python/embed/py_ref.hpp"
#include "python/embed/py_text.hpp"
#include "util/python_repr.hpp"

namespace gf::python {
namespace {

namespace fs = std::filesystem;

// configparser as PasteDeploy sets it up (keys keep their case, `%(here)s` and `%(__file__)s`
// interpolate), rather than PasteDeploy's own loadserver: that would resolve
// `use = egg:gunicorn#main`, an entry point that only exists where Gunicorn is installed.
// A second, non-interpolating parser without a DEFAULT section tells which keys the server
// section sets itself, since [DEFAULT] entries are global_conf, not server settings.
constexpr const char* kReaderSource = R"PY(
import configparser, os.path

APP_PREFIXES = ("app", "application", "composite", "composit", "pipeline", "filter-app")

def server_section(path, app_name):
    here = os.path.dirname(path).replace("%", "%%")
    parser = configparser.ConfigParser(defaults={"here": here, "__file__": path.replace("%", "%%")})
    parser.optionxform = str
    raw = configparser.RawConfigParser(default_section="\0")
    raw.optionxform = str
    with open(path, encoding="utf-8") as f:
        text = f.read()
    parser.read_string(text, path)
    raw.read_string(text, path)
    # The app section #name picks must exist (PasteDeploy's own lookup rules), so a typo stops
    # start-up here instead of every worker failing to boot.
    wanted = [p + ":" + app_name for p in APP_PREFIXES]
    if app_name == "main":
        wanted += list(APP_PREFIXES)
    if not any(raw.has_section(s) for s in wanted):
        raise LookupError("no [app:%s] (or pipeline/composite/filter-app) section" % app_name)
    for name in ("server:main", "server"):
        if raw.has_section(name):
            return [(key, parser.get(name, key)) for key in raw.options(name)]
    return None
)PY";

std::string ini_file(const std::string& paste) {
  const std::string file = paste.substr(0, paste.find('#'));
  std::error_code ec;
  fs::path absolute = fs::absolute(file, ec);
  return ec ? file : absolute.lexically_normal().string();
}

void require_file(const std::string& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw config::ConfigError(fmt::format("Error: {} not found", util::python_repr_utf8(file)));
}

// The [server:main] (or [server]) entries, in file order; nullopt when there is no such section.
std::optional<std::vector<std::pair<std::string, std::string>>> read_server_section(
    const std::string& file, const std::string& app_name) {
  PyRef globals = PyRef::steal(PyDict_New());
  if (globals) PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins());
  PyRef code =
      PyRef::steal(Py_CompileString(kReaderSource, "<greenfork paste reader>", Py_file_input));
  PyRef done =
      code ? PyRef::steal(PyEval_EvalCode(code.get(), globals.get(), globals.get())) : PyRef();
  PyObject* function = done ? PyDict_GetItemString(globals.get(), "server_section") : nullptr;
  PyRef items;
  if (function != nullptr) {
    PyRef argument = PyRef::steal(PyUnicode_DecodeFSDefault(file.c_str()));
    PyRef name = PyRef::steal(PyUnicode_FromString(app_name.c_str()));
    if (argument && name)
      items =
          PyRef::steal(PyObject_CallFunctionObjArgs(function, argument.get(), name.get(), nullptr));
  }
  if (!items) {
    std::string why = PyErr_Occurred() ? PyException::fetch().type_and_message() : "";
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw config::ConfigError(fmt::format("Error: can't read PasteDeploy config {}: {}",
                                          util::python_repr_utf8(file), why));
  }
  if (items.get() == Py_None) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> result;
  const Py_ssize_t n = PyList_Size(items.get());
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* pair = PyList_GetItem(items.get(), i);  // borrowed
    result.emplace_back(to_utf8(PyTuple_GetItem(pair, 0)), to_utf8(PyTuple_GetItem(pair, 1)));
  }
  return result;
}

}  // namespace

void PasteConfig::load_with_config_file(config::Config& config, const config::Config& command_line,
                                        const std::string& location, bool explicitly_given) {
  const std::optional<std::string> paste = command_line.get(config::settings::paste);
  if (!paste || paste->empty()) {
    ConfigFile::load(config, command_line, location, explicitly_given);
    return;
  }
  const std::string file = ini_file(*paste);
  require_file(file);
  Interpreter::initialize(command_line);
  const auto hash = paste->find('#');
  auto section =
      read_server_section(file, hash == std::string::npos ? "main" : paste->substr(hash + 1));
  std::string config_location = location;
  bool config_given = explicitly_given;
  if (section) {
    std::string host, port;
    std::vector<std::pair<std::string, std::string>> settings;
    for (auto& [key, value] : *section) {
      std::string name = key;
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "host") {
        host = value;
      } else if (name == "port") {
        port = value;
      } else if (name == "config") {
        // Names the Gunicorn config file, as in Gunicorn's paste runner; -c still wins.
        if (!explicitly_given) {
          config_location = value;
          config_given = true;
        }
      } else if (name != "use") {
        settings.emplace_back(std::move(name), std::move(value));
      }
    }
    // Without a host Gunicorn's runner drops the port; binding it on Gunicorn's default host is
    // the less surprising reading of `port = 8000`.
    if (!port.empty())
      settings.emplace_back("bind", (host.empty() ? "127.0.0.1" : host) + ":" + port);
    else if (!host.empty())
      settings.emplace_back("bind", host);
    try {
      config::apply_raw_settings(config, settings);
    } catch (const config::ConfigError& e) {
      throw config::ConfigError(fmt::format("Error: {} (in [server:main] of {})", e.what(), file));
    }
  }
  ConfigFile::load(config, command_line, config_location, config_given);
}

bool PasteConfig::choose_app(config::Config& cfg) {
  const std::optional<std::string> paste = cfg.get(config::settings::paste);
  if (!paste || paste->empty()) return false;
  const std::string file = ini_file(*paste);
  require_file(file);
  global_conf(cfg);  // reports a malformed --paste-global before anything starts
  const auto hash = paste->find('#');
  cfg.app_uri = "config:" + file + (hash == std::string::npos ? "" : paste->substr(hash));
  cfg.set_value(config::settings::default_proc_name, file);
  return true;
}

std::map<std::string, std::string> PasteConfig::global_conf(const config::Config& cfg) {
  std::map<std::string, std::string> result;
  for (const std::string& entry : cfg.get(config::settings::raw_paste_global_conf)) {
    size_t split = std::string::npos;
    for (size_t i = 0; i < entry.size(); ++i) {
      if (entry[i] == '=' && (i == 0 || entry[i - 1] != '\\')) {
        split = i;
        break;
      }
    }
    if (split == std::string::npos)
      throw config::ConfigError(
          fmt::format("Error: --paste-global: {} is not KEY=VALUE", util::python_repr_utf8(entry)));
    auto unescape = [](std::string text) {
      for (size_t at = text.find("\\="); at != std::string::npos; at = text.find("\\=", at))
        text.erase(at, 1);
      return text;
    };
    result[unescape(entry.substr(0, split))] = unescape(entry.substr(split + 1));
  }
  return result;
}

}  // namespace gf::python
