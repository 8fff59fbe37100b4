# Writes OUTPUT, a C++ source defining `extern const char NAMESPACE::NAME[]` as the bytes of INPUT
# followed by a NUL, for HEADER (which declares it). Run at build time by greenfork_embed_text()
# so a text file (e.g. Python source) is edited as itself and still ships inside the binary.
# Bytes are written as hex numbers: no file content can end a string literal early.
foreach(var INPUT OUTPUT NAMESPACE NAME HEADER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_text.cmake: ${var} is not set")
  endif()
endforeach()

file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# Sixteen bytes a line keeps the generated file readable in a debugger or a diff.
# (CMake's regular expressions have no {16}: the pattern is spelled out.)
string(REPEAT "0x[0-9a-f][0-9a-f]," 16 sixteen_bytes)
string(REGEX REPLACE "(${sixteen_bytes})" "\\1\n    " bytes "${bytes}")

file(RELATIVE_PATH input_name "${CMAKE_CURRENT_LIST_DIR}/.." "${INPUT}")
set(text "// Generated at build time by cmake/embed_text.cmake from ${input_name}: edit that file.
#include \"${HEADER}\"

namespace ${NAMESPACE} {

extern const char ${NAME}[] = {
    ${bytes}0x00};

}  // namespace ${NAMESPACE}
")
file(WRITE "${OUTPUT}" "${text}")
