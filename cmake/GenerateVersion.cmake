#===- cmake/GenerateVersion.cmake - Write `git describe` into a header -----===#
#
# Run at build time: cmake -DSOURCE_DIR=<repo> -DOUTPUT=<file> -P <this file>.
# The output is rewritten only when the description changes, so a build with
# no new commit recompiles nothing.
#===----------------------------------------------------------------------===#
execute_process(
  COMMAND git describe --tags --always --dirty
  WORKING_DIRECTORY "${SOURCE_DIR}"
  OUTPUT_VARIABLE describe
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR describe STREQUAL "")
  set(describe "unknown")
endif()
set(content "#define LATHE_GIT_DESCRIBE \"${describe}\"\n")
set(old "")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT old STREQUAL content)
  file(WRITE "${OUTPUT}" "${content}")
endif()
