# Common settings for every target of ours.
function(isupgw_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
  if(ISUPGW_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(ISUPGW_FUZZ)
    # Coverage instrumentation for libFuzzer; the driver is linked only into fuzz targets.
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# isupgw_library(NAME folder-relative sources... DEPS ...)
function(isupgw_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  isupgw_defaults(${name})
endfunction()
