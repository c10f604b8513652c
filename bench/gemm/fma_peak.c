/*===- bench/gemm/fma_peak.c - Measured FP32 FMA peak of this CPU ---------===*
 *
 * Runs many independent FMA chains in vector registers (no loads or stores in
 * the timed loop) on T threads at once and reports the best GFLOP/s over
 * several repetitions, for 512-bit vectors (when compiled with AVX-512F) and
 * for 256-bit vectors (AVX2+FMA). Built by bench/gemm/run.py with
 * clang-19 -O3 -march=native -pthread.
 *
 *   fma_peak [threads] [repetitions] [seconds per repetition]
 *
 * Prints one JSON object on stdout:
 *   {"threads": T, "avx512": {"gflops": .., "gflops_per_thread": ..},
 *    "avx2": {...}, "peak_gflops": .., "peak_gflops_per_thread": .., "isa": ".."}
 *
 * ACC independent accumulators per thread cover FMA latency (4 cycles) times
 * throughput (2 per cycle) with margin: 8 are enough in theory, 16 hide any
 * scheduling slack and still fit in the 16 (AVX2) / 32 (AVX-512) registers
 * with the two multiplicands. One FMA of a W-lane vector is 2*W FLOPs.
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ACC 12
#define INNER 1000 /* FMAs per accumulator per loop trip */

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Each kernel runs `trips` x INNER x ACC vector FMAs and returns a sum so the
 * compiler cannot drop the chains. The asm barrier keeps the multiplicands
 * opaque so nothing is folded or hoisted. */
#ifdef __AVX512F__
static float kernel512(long trips) {
  __m512 acc[ACC];
  __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < ACC; ++i) acc[i] = _mm512_set1_ps((float)i);
  for (long t = 0; t < trips; ++t) {
    __asm__ volatile("" : "+v"(a), "+v"(b));
    for (int j = 0; j < INNER; ++j) {
#pragma clang loop unroll(full)
      for (int i = 0; i < ACC; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
  }
  __m512 s = acc[0];
  for (int i = 1; i < ACC; ++i) s = _mm512_add_ps(s, acc[i]);
  return _mm512_reduce_add_ps(s);
}
#endif

#ifdef __FMA__
static float kernel256(long trips) {
  __m256 acc[ACC];
  __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < ACC; ++i) acc[i] = _mm256_set1_ps((float)i);
  for (long t = 0; t < trips; ++t) {
    __asm__ volatile("" : "+x"(a), "+x"(b));
    for (int j = 0; j < INNER; ++j) {
#pragma clang loop unroll(full)
      for (int i = 0; i < ACC; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    }
  }
  __m256 s = acc[0];
  for (int i = 1; i < ACC; ++i) s = _mm256_add_ps(s, acc[i]);
  float out[8];
  _mm256_storeu_ps(out, s);
  float r = 0;
  for (int i = 0; i < 8; ++i) r += out[i];
  return r;
}
#endif

typedef float (*kernel_fn)(long);

struct job {
  kernel_fn fn;
  long trips;
  pthread_barrier_t *start;
  volatile float sink;
};

static void *worker(void *p) {
  struct job *j = p;
  pthread_barrier_wait(j->start);
  j->sink = j->fn(j->trips);
  return NULL;
}

/* Wall time of `threads` threads each running fn(trips), started together. */
static double run_threads(kernel_fn fn, long trips, int threads) {
  pthread_t tid[threads];
  struct job jobs[threads];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, threads + 1);
  for (int i = 0; i < threads; ++i) {
    jobs[i] = (struct job){fn, trips, &start, 0};
    pthread_create(&tid[i], NULL, worker, &jobs[i]);
  }
  pthread_barrier_wait(&start);
  double t0 = now();
  for (int i = 0; i < threads; ++i) pthread_join(tid[i], NULL);
  double t = now() - t0;
  pthread_barrier_destroy(&start);
  return t;
}

/* Best GFLOP/s over `reps` repetitions of about `seconds` each. */
static double measure(kernel_fn fn, int lanes, int threads, int reps,
                      double seconds) {
  long trips = 1;
  double t;
  while ((t = run_threads(fn, trips, threads)) < 0.02) trips *= 2; /* warm-up */
  trips = (long)(trips * seconds / t) + 1;
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    t = run_threads(fn, trips, threads);
    double flops = 2.0 * lanes * ACC * (double)INNER * trips * threads;
    if (flops / t / 1e9 > best) best = flops / t / 1e9;
  }
  return best;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  double seconds = argc > 3 ? atof(argv[3]) : 0.2;
  if (threads < 1 || reps < 1 || seconds <= 0) {
    fprintf(stderr, "usage: fma_peak [threads>=1] [repetitions>=1] [seconds>0]\n");
    return 2;
  }
  double g512 = 0, g256 = 0;
  printf("{\"threads\": %d", threads);
#ifdef __AVX512F__
  g512 = measure(kernel512, 16, threads, reps, seconds);
  printf(", \"avx512\": {\"gflops\": %.3f, \"gflops_per_thread\": %.3f}", g512,
         g512 / threads);
#endif
#ifdef __FMA__
  g256 = measure(kernel256, 8, threads, reps, seconds);
  printf(", \"avx2\": {\"gflops\": %.3f, \"gflops_per_thread\": %.3f}", g256,
         g256 / threads);
#endif
  double peak = g512 > g256 ? g512 : g256;
  const char *isa = peak == 0 ? "none" : (g512 >= g256 ? "avx512" : "avx2");
  printf(", \"peak_gflops\": %.3f, \"peak_gflops_per_thread\": %.3f, "
         "\"isa\": \"%s\", \"accumulators\": %d, \"repetitions\": %d}\n",
         peak, peak / threads, isa, ACC, reps);
  return peak > 0 ? 0 : 1;
}
