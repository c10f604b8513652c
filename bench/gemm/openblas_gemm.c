/*===- bench/gemm/openblas_gemm.c - cblas_sgemm over a batch, for ctypes ---===*
 *
 * openblas_gemm(batch, M, N, K, A, B, C) computes C[b] = A[b] * B[b] for
 * dense row-major float matrices with cblas_sgemm, b in [0, max(batch, 1)),
 * so a batched case costs one ctypes call like the other implementations.
 * openblas_info() returns openblas_get_config(). Thread count: the
 * OPENBLAS_NUM_THREADS environment variable, read when the library loads.
 *===----------------------------------------------------------------------===*/
#include <cblas.h>

void openblas_gemm(int batch, int m, int n, int k, const float *a,
                   const float *b, float *c) {
  int count = batch > 0 ? batch : 1;
  for (int i = 0; i < count; ++i)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f,
                a + (long)i * m * k, k, b + (long)i * k * n, n, 0.0f,
                c + (long)i * m * n, n);
}

const char *openblas_info(void) { return openblas_get_config(); }

int openblas_threads(void) { return openblas_get_num_threads(); }
