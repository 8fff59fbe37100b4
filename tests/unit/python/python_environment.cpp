// Starts the embedded interpreter once for the whole python_tests binary; the main thread keeps
// the GIL for every test, as a sync worker's thread does.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "python/embed/interpreter.hpp"

namespace {

class PythonEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    gf::config::Config cfg;
    gf::python::Interpreter::initialize(cfg);
  }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new PythonEnvironment);

}  // namespace
