// Python's repr() of text: quote choice, escapes, and where UTF-8 and latin-1 input differ
// (each expected value is what CPython prints for the decoded string).
#include "util/python_repr.hpp"

#include <gtest/gtest.h>

namespace gf::util {
namespace {

TEST(PythonRepr, QuotesLikePython) {
  for (auto repr : {python_repr_utf8, python_repr_latin1}) {
    EXPECT_EQ(repr("GET"), "'GET'");
    EXPECT_EQ(repr(""), "''");
    EXPECT_EQ(repr("it's"), "\"it's\"");
    EXPECT_EQ(repr("a\"b"), "'a\"b'");
    EXPECT_EQ(repr("a'b\"c"), "'a\\'b\"c'");
  }
}

TEST(PythonRepr, EscapesControlCharacters) {
  for (auto repr : {python_repr_utf8, python_repr_latin1}) {
    EXPECT_EQ(repr("a\\b\n\x01"), "'a\\\\b\\n\\x01'");
    EXPECT_EQ(repr("\t\r\x1f\x7f"), "'\\t\\r\\x1f\\x7f'");
    EXPECT_EQ(repr(std::string_view("\0", 1)), "'\\x00'");
  }
}

TEST(PythonRepr, Utf8KeepsNonAsciiBytes) {
  EXPECT_EQ(python_repr_utf8("caf\xc3\xa9"), "'caf\xc3\xa9'");
}

TEST(PythonRepr, Latin1EscapesWhatIsNotPrintable) {
  // repr(b"\x80\x9f\xa0\xad\xa1\xff".decode("latin-1")) == "'\\x80\\x9f\\xa0\\xad¡ÿ'"
  EXPECT_EQ(python_repr_latin1("\x80\x9f\xa0\xad\xa1\xff"), "'\\x80\\x9f\\xa0\\xad\xa1\xff'");
}

}  // namespace
}  // namespace gf::util
