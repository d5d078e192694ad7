# SPDX-License-Identifier: Apache-2.0
# Builds a BPF program (`*.bpf.c`) into an object with clang and embeds it in
# a C header with `bpftool gen skeleton`, the way libbpf-bootstrap does, so
# userspace loads it through typed handles. clang and bpftool run at build
# time only; the product never runs them.
#
#   nettoll_bpf_skeleton(<target> SOURCE <file.bpf.c> NAME <skeleton name>
#                        [INCLUDE_DIRECTORIES <dir>...])
#
# makes <target>, an INTERFACE library: linking it puts <name of the source
# without .bpf.c>.skel.h on the include path and builds it first.

find_program(NETTOLL_BPF_CLANG NAMES clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14 REQUIRED)
find_program(NETTOLL_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin /usr/local/sbin REQUIRED)

# Debian keeps asm/types.h under the multiarch directory, which -target bpf
# does not search.
if(CMAKE_LIBRARY_ARCHITECTURE)
  set(NETTOLL_BPF_SYSTEM_INCLUDES -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
endif()

function(nettoll_bpf_skeleton target)
  cmake_parse_arguments(PARSE_ARGV 1 BPF "" "SOURCE;NAME" "INCLUDE_DIRECTORIES")
  if(NOT BPF_SOURCE OR NOT BPF_NAME)
    message(FATAL_ERROR "nettoll_bpf_skeleton(${target}): SOURCE and NAME are required")
  endif()
  get_filename_component(source ${BPF_SOURCE} ABSOLUTE)
  get_filename_component(stem ${source} NAME_WE)
  set(output_dir ${CMAKE_CURRENT_BINARY_DIR}/bpf)
  set(object ${output_dir}/${stem}.bpf.o)
  set(skeleton ${output_dir}/${stem}.skel.h)
  set(includes)
  foreach(dir IN LISTS BPF_INCLUDE_DIRECTORIES)
    get_filename_component(dir ${dir} ABSOLUTE)
    list(APPEND includes -I${dir})
  endforeach()

  # -g: the object's own BTF, which sk_storage maps need (no kernel BTF is
  # used).
  add_custom_command(
    OUTPUT ${object}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${output_dir}
    COMMAND ${NETTOLL_BPF_CLANG} -O2 -g -Wall -Werror -target bpf ${NETTOLL_BPF_SYSTEM_INCLUDES} ${includes}
            -MD -MF ${object}.d -c ${source} -o ${object}
    DEPENDS ${source}
    DEPFILE ${object}.d
    COMMENT "Compiling BPF object ${stem}.bpf.o"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skeleton}
    COMMAND sh -c "\"$1\" gen skeleton \"$2\" name \"$3\" > \"$4.tmp\" && mv \"$4.tmp\" \"$4\"" sh
            ${NETTOLL_BPFTOOL} ${object} ${BPF_NAME} ${skeleton}
    DEPENDS ${object}
    COMMENT "Generating BPF skeleton ${stem}.skel.h"
    VERBATIM)
  add_custom_target(${target}_generate DEPENDS ${skeleton})
  add_library(${target} INTERFACE)
  target_include_directories(${target} INTERFACE ${output_dir})
  add_dependencies(${target} ${target}_generate)
endfunction()
