/*===- bench/gemm/halide_call.c - Call an AOT Halide GEMM on bare pointers --===*
 *
 * halide_gemm_call(fn, batch, M, N, K, A, B, C) wraps three dense row-major
 * float arrays in halide_buffer_t descriptors (dimension 0 innermost) and
 * calls the pipeline `fn` (A, B, C) compiled by halide_gemm.cpp; batch 0
 * means plain 2-D matrices. Returns the pipeline's error code (0 = success).
 * Loaded by bench/gemm/measure.py with ctypes, which passes `fn` as a
 * function pointer taken from the same library.
 *===----------------------------------------------------------------------===*/
#include <HalideRuntime.h>
#include <string.h>

typedef int (*gemm_fn)(struct halide_buffer_t *, struct halide_buffer_t *,
                       struct halide_buffer_t *);

static void describe(struct halide_buffer_t *buf, halide_dimension_t *dim,
                     float *data, int batch, int rows, int cols) {
  memset(buf, 0, sizeof *buf);
  memset(dim, 0, 3 * sizeof *dim);
  dim[0].min = 0, dim[0].extent = cols, dim[0].stride = 1;
  dim[1].min = 0, dim[1].extent = rows, dim[1].stride = cols;
  dim[2].min = 0, dim[2].extent = batch, dim[2].stride = rows * cols;
  buf->host = (uint8_t *)data;
  buf->type.code = halide_type_float;
  buf->type.bits = 32;
  buf->type.lanes = 1;
  buf->dimensions = batch > 0 ? 3 : 2;
  buf->dim = dim;
}

int halide_gemm_call(gemm_fn fn, int batch, int m, int n, int k, float *a,
                     float *b, float *c) {
  struct halide_buffer_t ba, bb, bc;
  halide_dimension_t da[3], db[3], dc[3];
  describe(&ba, da, a, batch, m, k);
  describe(&bb, db, b, batch, k, n);
  describe(&bc, dc, c, batch, m, n);
  return fn(&ba, &bb, &bc);
}
