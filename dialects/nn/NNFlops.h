//===- NNFlops.h - Estimated FLOPs of nn ops --------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the FLOP estimate of an nn op, as `lathe inspect`,
// `lathe bench` (GFLOP/s) and the cost model count it. One multiply-add is
// two FLOPs; a transcendental function (exp, tanh, erf, ...) counts as one.
// Per op, with E the number of elements of the result:
//
//   matmul          2 * K * E, K the contracted dimension (batched matmuls
//                   count every batch: E includes the batch dimensions)
//   gemm            2 * K * E, plus E for alpha != 1, E for adding c and E
//                   for beta != 1 (only with c)
//   conv2d          2 * (C / groups) * KH * KW * E, plus E with a bias
//   batch_norm      2 * E (a multiply and an add once the per-channel
//                   statistics are folded into a scale and a shift)
//   add, sub, mul, div, pow, max, min, relu, sigmoid, tanh, erf, exp,
//   sqrt, log, neg, abs, clip, compare, select, cumsum   E
//   maxpool, avgpool  KH * KW * E (kernel size per output element)
//   global_avgpool  the input's element count (one add per input element)
//   reduce, argmax, topk   the input's element count (one comparison or
//                   accumulation per input element)
//   softmax         5 * E (max, subtract, exp, sum, divide)
//   layer_norm      5 * E (accumulate the mean, center, square and
//                   accumulate, multiply by 1 / stddev), plus E for the
//                   scale and E for a bias
//   resize          nearest: 0; linear: 3 * (2^A - 1) * E, A the number of
//                   axes interpolated (whose size or scale changes): one
//                   lerp, 3 FLOPs, per pair of neighbours
//   scatter_elements, scatter_nd   with a reduction, the updates' element
//                   count (one combine per update); without, 0
//   constant, cast, reshape, flatten, transpose, concat, slice, gather,
//   gather_elements, gather_nd, pad, bitwise_and/or/xor (integer)   0
//
// Ops of other dialects, and nn ops whose shapes are not static, count 0.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_DIALECTS_NN_NNFLOPS_H
#define LATHE_DIALECTS_NN_NNFLOPS_H

#include <cstdint>

namespace mlir {
class Operation;
} // namespace mlir

namespace lathe::nn {

/// Estimated floating-point operations of one execution of `op`, by the
/// conventions above (0 for data movement and for ops of other dialects).
int64_t estimateFlops(mlir::Operation *op);

/// The sum of estimateFlops over every op nested in `root` (root included).
int64_t estimateTotalFlops(mlir::Operation *root);

} // namespace lathe::nn

#endif // LATHE_DIALECTS_NN_NNFLOPS_H
