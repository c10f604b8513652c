//===- Transforms.h - Graph-level transforms on nn ops ----------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the graph transforms of passes/graph: each as a function
// that rewrites one op and returns what it built (or failure, with the
// reason as a match-failure note), and a populate…Patterns entry point that
// takes the control function deciding where the transform applies.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_PASSES_GRAPH_TRANSFORMS_H
#define LATHE_PASSES_GRAPH_TRANSFORMS_H

#include "mlir/IR/PatternMatch.h"

#include <cstdint>
#include <functional>

namespace lathe::nn {
class BatchNormOp;
class Conv2dOp;
class MaxPoolOp;
} // namespace lathe::nn

namespace lathe::graph {

//===----------------------------------------------------------------------===//
// Constant folding (FoldConstants.cpp)
//===----------------------------------------------------------------------===//

/// Decides whether an nn op whose operands are all constants is evaluated
/// at compile time (e.g. a limit on the size of the constant it creates).
using FoldConstantsControlFn = std::function<bool(mlir::Operation *)>;

/// A control function that folds ops whose result has at most
/// `maxElements` elements.
FoldConstantsControlFn foldConstantsUpTo(int64_t maxElements);

/// Replaces `op` (an nn op whose operands are all `nn.constant`) by an
/// `nn.constant` holding its value; returns the new constant. Fails for ops
/// it cannot evaluate.
mlir::FailureOr<mlir::Operation *> foldConstantOp(mlir::RewriterBase &rewriter,
                                                  mlir::Operation *op);

/// Adds the pattern that applies foldConstantOp where `controlFn` agrees.
void populateFoldConstantsPatterns(mlir::RewritePatternSet &patterns,
                                   FoldConstantsControlFn controlFn);

//===----------------------------------------------------------------------===//
// BatchNormalization folding (FoldBatchNorm.cpp)
//===----------------------------------------------------------------------===//

/// Decides whether a batch_norm is folded into its producer (passed as the
/// second argument).
using FoldBatchNormControlFn =
    std::function<bool(nn::BatchNormOp, mlir::Operation *)>;

/// Folds `bn` into the nn.conv2d or nn.gemm that produces its input; returns
/// the new producer, which replaces `bn`.
mlir::FailureOr<mlir::Operation *>
foldBatchNormIntoProducer(mlir::RewriterBase &rewriter, nn::BatchNormOp bn);

/// Adds the pattern that applies foldBatchNormIntoProducer where
/// `controlFn` agrees (always when it is null).
void populateFoldBatchNormPatterns(mlir::RewritePatternSet &patterns,
                                   FoldBatchNormControlFn controlFn = nullptr);

//===----------------------------------------------------------------------===//
// Per-channel mul and add into conv (FoldConvAffine.cpp)
//===----------------------------------------------------------------------===//

/// Decides whether an nn.mul or nn.add is folded into its conv2d operand.
using FoldConvAffineControlFn = std::function<bool(mlir::Operation *)>;

/// Folds `op`, an nn.mul or nn.add of a conv2d result (with constant weights
/// and no other user) by a per-channel constant, into the conv; returns the
/// new conv, which replaces `op`.
mlir::FailureOr<mlir::Operation *>
foldAffineIntoConv(mlir::RewriterBase &rewriter, mlir::Operation *op);

/// Adds the pattern that applies foldAffineIntoConv where `controlFn` agrees
/// (always when it is null).
void populateFoldConvAffinePatterns(
    mlir::RewritePatternSet &patterns,
    FoldConvAffineControlFn controlFn = nullptr);

//===----------------------------------------------------------------------===//
// Channels-last convolutions (ConvertConvLayout.cpp)
//===----------------------------------------------------------------------===//

/// Decides whether an NCHW conv2d becomes channels-last.
using ConvLayoutControlFn = std::function<bool(nn::Conv2dOp)>;

/// Rewrites `conv` (NCHW, groups = 1 or depthwise, static shapes) into a
/// channels_last conv2d of transposed operands (input to NHWC, weight to
/// HWCF) followed by a transpose of its result back to NCHW, which it
/// returns.
mlir::FailureOr<mlir::Operation *>
convertConvToChannelsLast(mlir::RewriterBase &rewriter, nn::Conv2dOp conv);

/// Rewrites `op(transpose(x, p), ..., c)`, an elementwise op whose operands
/// are full-shape transposes by the same `p`, constants, or values with an
/// earlier transpose by the inverse of `p` (which is used), into
/// `transpose(op(x, ..., c'), p)` where `c'` is `c` brought to the result's
/// rank and transposed back (a constant expression). Returns the new
/// transpose.
mlir::FailureOr<mlir::Operation *>
sinkTransposeThroughElementwise(mlir::RewriterBase &rewriter,
                                mlir::Operation *op);

/// Rewrites `maxpool(transpose(x, [0, 3, 1, 2]))`, an NCHW max pool of a
/// channels-last tensor, into `transpose(maxpool(x) channels_last, [0, 3,
/// 1, 2])`: the pool runs on the channels-last tensor, and the transpose
/// moves on towards the next channels-last convolution, where the pair
/// cancels. Returns the new transpose.
mlir::FailureOr<mlir::Operation *>
sinkTransposeThroughMaxPool(mlir::RewriterBase &rewriter, nn::MaxPoolOp pool);

/// Adds the patterns of lathe-convert-conv-layout: convertConvToChannelsLast
/// where `controlFn` agrees (always when it is null), and
/// sinkTransposeThroughElementwise and sinkTransposeThroughMaxPool
/// everywhere.
void populateConvLayoutPatterns(mlir::RewritePatternSet &patterns,
                                ConvLayoutControlFn controlFn = nullptr);

} // namespace lathe::graph

#endif // LATHE_PASSES_GRAPH_TRANSFORMS_H
