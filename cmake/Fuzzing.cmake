# SPDX-License-Identifier: Apache-2.0
# NETTOLL_FUZZ=ON builds the libFuzzer harnesses of tests/fuzz (with clang:
# CC=clang CXX=clang++) in a build directory of their own. Everything is
# compiled with coverage instrumentation and AddressSanitizer + UBSan, so the
# code under test, not only the harness, is explored and checked; the
# harnesses link libFuzzer's main (libclang-rt-14-dev).
option(NETTOLL_FUZZ "Build the libFuzzer harnesses of tests/fuzz (needs clang)" OFF)
if(NETTOLL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "NETTOLL_FUZZ needs clang: configure with CC=clang CXX=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
