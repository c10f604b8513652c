//===- bench/gemm/halide_gemm.cpp - Auto-scheduled Halide GEMM, AOT -------===//
//
// Builds the Halide pipeline C(i, j) = sum_k A(i, k) * B(k, j) (row-major,
// optionally batched: C[b] = A[b] * B[b]) for fixed sizes, schedules it with
// one of Halide 14's autoschedulers (loaded as a plugin) for the given target,
// and compiles it ahead of time to an object file and C header. Run by
// bench/gemm/run.py; it never runs the GEMM itself.
//
//   halide_gemm <plugin.so> <Scheduler> <target> <parallelism> <batch> <M> <N>
//               <K> <function name> <output prefix>
//
// Writes <prefix>.o, <prefix>.h and <prefix>.schedule.h (the schedule the
// autoscheduler chose, as Halide source). Exit status 0 on success, 1 with
// a one-line "halide_gemm: ..." message on stderr otherwise (a plugin that
// cannot be loaded, an autoscheduler that fails).
//
// Halide's dimension 0 is the innermost (unit stride), so a row-major M x K
// matrix is a Halide buffer of extents (K, M): A(k, i), B(j, k), C(j, i).
//===----------------------------------------------------------------------===//

#include "Halide.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

using namespace Halide;

namespace {

/// Fixes a buffer's extents and dense row-major strides so the autoscheduler
/// and the compiled code know the exact shape.
void constrain(ImageParam &p, int batch, int rows, int cols) {
  p.dim(0).set_bounds(0, cols).set_stride(1);
  p.dim(1).set_bounds(0, rows).set_stride(cols);
  if (batch > 0)
    p.dim(2).set_bounds(0, batch).set_stride(rows * cols);
}

int run(int argc, char **argv) {
  if (argc != 11) {
    std::fprintf(stderr,
                 "usage: halide_gemm <plugin.so> <Scheduler> <target> "
                 "<parallelism> <batch> <M> <N> <K> <function> <prefix>\n");
    return 2;
  }
  std::string plugin = argv[1], scheduler = argv[2], targetStr = argv[3];
  int parallelism = std::atoi(argv[4]), batch = std::atoi(argv[5]);
  int m = std::atoi(argv[6]), n = std::atoi(argv[7]), k = std::atoi(argv[8]);
  std::string fnName = argv[9], prefix = argv[10];

  int dims = batch > 0 ? 3 : 2;
  ImageParam a(Float(32), dims, "A"), b(Float(32), dims, "B");
  constrain(a, batch, m, k);
  constrain(b, batch, k, n);

  Var i("i"), j("j"), bb("b");
  RDom r(0, k, "k");
  Func c("C");
  if (batch > 0) {
    c(j, i, bb) = 0.0f;
    c(j, i, bb) += a(r, i, bb) * b(j, r, bb);
    c.set_estimates({{0, n}, {0, m}, {0, batch}});
  } else {
    c(j, i) = 0.0f;
    c(j, i) += a(r, i) * b(j, r);
    c.set_estimates({{0, n}, {0, m}});
  }
  a.set_estimates(batch > 0 ? Region{{0, k}, {0, m}, {0, batch}}
                            : Region{{0, k}, {0, m}});
  b.set_estimates(batch > 0 ? Region{{0, n}, {0, k}, {0, batch}}
                            : Region{{0, n}, {0, k}});
  OutputImageParam out = c.output_buffer();
  out.dim(0).set_bounds(0, n).set_stride(1);
  out.dim(1).set_bounds(0, m).set_stride(n);
  if (batch > 0)
    out.dim(2).set_bounds(0, batch).set_stride(m * n);

  Target target(targetStr);
  load_plugin(plugin);
  Pipeline p(c);
  // Last-level cache and balance: the values Halide's own apps use for x86.
  MachineParams params(parallelism, 16 * 1024 * 1024, 40);
  AutoSchedulerResults res = p.auto_schedule(scheduler, target, params);
  std::ofstream(prefix + ".schedule.h") << res.schedule_source;

  std::vector<Argument> args = {a, b};
  p.compile_to_object(prefix + ".o", args, fnName, target);
  p.compile_to_header(prefix + ".h", args, fnName, target);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(argc, argv);
  } catch (const Halide::Error &e) {
    std::string msg = e.what();
    for (char &ch : msg)
      if (ch == '\n')
        ch = ' ';
    std::fprintf(stderr, "halide_gemm: %s\n", msg.c_str());
  } catch (const std::exception &e) {
    std::fprintf(stderr, "halide_gemm: %s\n", e.what());
  }
  return 1;
}
