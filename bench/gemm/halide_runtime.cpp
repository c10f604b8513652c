//===- bench/gemm/halide_runtime.cpp - Halide runtime object + call shim --===//
//
//   halide_runtime <target> <runtime.o>
//
// Writes Halide's standalone runtime for <target> to <runtime.o>, so the
// pipelines (compiled with no_runtime) share one runtime in one shared
// library. run.py links that library from the pipelines' objects, this
// runtime and bench/gemm/halide_call.c.
//===----------------------------------------------------------------------===//

#include "Halide.h"

#include <cstdio>

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: halide_runtime <target> <runtime.o>\n");
    return 2;
  }
  try {
    Halide::compile_standalone_runtime(argv[2], Halide::Target(argv[1]));
  } catch (const Halide::Error &e) {
    std::fprintf(stderr, "halide_runtime: %s\n", e.what());
    return 1;
  }
  return 0;
}
