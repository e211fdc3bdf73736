# Common settings for every target of ours.
#
# Build kinds (scripts/build.sh):
#   release   g++, -O2 with line tables (-g1): benchmarks, the release tests.
#   sanitize  clang, every object built once with ASan + UBSan + libFuzzer's coverage instrumentation
#             (-fsanitize=address,undefined,fuzzer-no-link). The unit and integration tests link those
#             objects without libFuzzer, the fuzz targets (tests/fuzz) link them with it: one compilation
#             serves the sanitizer tests and the fuzzers.
if(ISUPGW_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "ISUPGW_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
endif()
if(ISUPGW_SANITIZE OR ISUPGW_FUZZ)
  # Directory-wide, so that every object (generated protobuf code, tools) carries the same instrumentation.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  if(ISUPGW_FUZZ)
    # Coverage instrumentation only; the libFuzzer driver (main) is linked into fuzz_* targets alone.
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
endif()

function(isupgw_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()

# isupgw_library(NAME folder-relative sources... DEPS ...)
function(isupgw_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  isupgw_defaults(${name})
endfunction()
