// Every typed setting key names a setting of the table, with a C++ type that every value the
// setting's validator can produce converts to: a wrong key is a failing test here.
#include "config/setting_keys.hpp"

#include <gtest/gtest.h>

#include <set>
#include <type_traits>

#include "config/config.hpp"
#include "config/settings_table.hpp"

namespace gf::config {
namespace {

bool is_string_type(ValueType type) {
  switch (type) {
    case ValueType::kString:
    case ValueType::kOptionalString:
    case ValueType::kChoice:
    case ValueType::kDirectory:
    case ValueType::kHook:
    case ValueType::kPythonDict:
      return true;
    default:
      return false;
  }
}

template <class T>
bool type_fits(const SettingSpec& spec) {
  const bool default_is_none =
      std::holds_alternative<std::monostate>(spec.default_value) && spec.dynamic_default == nullptr;
  if constexpr (std::is_same_v<T, bool>) {
    return spec.type == ValueType::kBool && !default_is_none;  // None would not fit
  } else if constexpr (std::is_same_v<T, std::optional<bool>>) {
    return spec.type == ValueType::kBool;
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return spec.type == ValueType::kPositiveInt || spec.type == ValueType::kOctalInt ||
           spec.type == ValueType::kUser || spec.type == ValueType::kGroup;
  } else if constexpr (std::is_same_v<T, std::string> ||
                       std::is_same_v<T, std::optional<std::string>>) {
    return is_string_type(spec.type);
  } else if constexpr (std::is_same_v<T, StringList>) {
    return spec.type == ValueType::kStringList || spec.type == ValueType::kCommaList ||
           spec.type == ValueType::kAddressList;
  } else if constexpr (std::is_same_v<T, StringMap>) {
    return spec.type == ValueType::kStringMap;
  } else {
    static_assert(sizeof(T) == 0, "a key type Config::get does not return");
  }
}

TEST(SettingKeys, EveryKeyNamesASettingOfItsType) {
  std::set<std::string_view> seen;
  int keys = 0;
  for_each_setting_key([&](auto key) {
    using T = typename decltype(key)::value_type;
    ++keys;
    EXPECT_TRUE(seen.insert(key.name).second) << key.name << " has two keys";
    const SettingSpec* spec = find_setting(key.name);
    ASSERT_NE(spec, nullptr) << key.name << " is not a setting";
    EXPECT_TRUE(type_fits<T>(*spec)) << key.name << ": the key's type does not fit the setting";
  });
  EXPECT_GT(keys, 0);
}

TEST(SettingKeys, DefaultsReadThroughTheKeys) {
  const Config cfg;
  for_each_setting_key([&](auto key) { EXPECT_NO_THROW(cfg.get(key)) << key.name; });
  EXPECT_EQ(cfg.get(settings::timeout), 30);
  EXPECT_EQ(cfg.get(settings::sendfile), std::nullopt);
  EXPECT_EQ(cfg.get(settings::pidfile), std::nullopt);
  EXPECT_EQ(cfg.get(settings::errorlog), std::optional<std::string>("-"));
  EXPECT_FALSE(cfg.get(settings::reload));
}

TEST(SettingKeys, SetAndExplicitnessThroughTheKeys) {
  Config cfg;
  EXPECT_FALSE(cfg.is_set_explicitly(settings::workers));
  cfg.set(settings::workers, "3");
  EXPECT_EQ(cfg.get(settings::workers), 3);
  EXPECT_TRUE(cfg.is_set_explicitly(settings::workers));
  cfg.set_value(settings::raw_env, StringList{"A=1"});
  EXPECT_EQ(cfg.get(settings::raw_env), StringList{"A=1"});
}

}  // namespace
}  // namespace gf::config
