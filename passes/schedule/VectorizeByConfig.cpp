//===- VectorizeByConfig.cpp - Register tiles to FMA outer products -------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements vectorizeByConfig and `lathe-vectorize`: linalg's
// vectorizer on the register tile (with the config's vector sizes), the
// vector patterns that turn the resulting multi-reduction into a
// contraction and the contraction into outer products of FMAs, and then
// the hoisting of the accumulator's transfer_read / transfer_write out of
// the reduction loops around the tile, so it stays in registers while the
// loop runs.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/schedule/Schedule.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace lathe {
#define GEN_PASS_DEF_VECTORIZEPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::schedule;

#define DEBUG_TYPE "lathe-vectorize"

/// Rewrites the 2-D window op `op` (a tile with one output row and a 1x1
/// window step) into its 1-D form with `downscale` (one of linalg's
/// Downscale* patterns) and vectorizes that.
template <typename OpTy, typename Pattern>
static LogicalResult vectorizeAs1D(RewriterBase &rewriter, OpTy op,
                                   Pattern &&downscale) {
  PatternRewriter patternRewriter(op->getContext());
  patternRewriter.setInsertionPoint(op);
  auto oneD = downscale.returningMatchAndRewrite(op, patternRewriter);
  if (failed(oneD))
    return rewriter.notifyMatchFailure(op, "the tile is not a 1-D window op");
  if (failed(linalg::vectorizeOpPrecondition(*oneD)))
    return rewriter.notifyMatchFailure(op, "cannot be vectorized");
  return linalg::vectorize(rewriter, *oneD);
}

LogicalResult schedule::vectorizeByConfig(RewriterBase &rewriter,
                                          linalg::LinalgOp op,
                                          sched::ConfigAttr config) {
  ArrayRef<int64_t> sizes = config.getVectorSizes();
  if (sizes.empty())
    return rewriter.notifyMatchFailure(op, "the config has no vector sizes");
  if (static_cast<int64_t>(sizes.size()) != op.getNumLoops())
    return op->emitOpError("sched.config vector sizes have ")
           << sizes.size() << " entries for an op of " << op.getNumLoops()
           << " loops";
  // A channels-last convolution, depthwise or max pool tile (one output
  // row, a 1x1 window step) is a 1-D one, which is what linalg vectorizes.
  if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(op.getOperation()))
    return vectorizeAs1D(
        rewriter, conv,
        linalg::DownscaleSizeOneWindowed2DConvolution<linalg::Conv2DNhwcHwcfOp,
                                                      linalg::Conv1DNwcWcfOp>(
            op->getContext()));
  if (auto conv = dyn_cast<linalg::DepthwiseConv2DNhwcHwcOp>(op.getOperation()))
    return vectorizeAs1D(
        rewriter, conv,
        linalg::DownscaleDepthwiseConv2DNhwcHwcOp(op->getContext()));
  if (auto pool = dyn_cast<linalg::PoolingNhwcMaxOp>(op.getOperation()))
    return vectorizeAs1D(
        rewriter, pool,
        linalg::DownscaleSizeOneWindowed2DConvolution<linalg::PoolingNhwcMaxOp,
                                                      linalg::PoolingNwcMaxOp>(
            op->getContext()));
  // A tile whose static shape is the vector shape vectorizes unmasked
  // (linalg's static path, whose multi-reduction becomes a contraction);
  // other sizes take the masked path.
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  ArrayRef<int64_t> inputSizes = sizes;
  if (ArrayRef<int64_t>(ranges) == sizes)
    inputSizes = {};
  if (failed(linalg::vectorizeOpPrecondition(op, inputSizes)))
    return rewriter.notifyMatchFailure(op, "cannot be vectorized");
  return linalg::vectorize(rewriter, op, inputSizes);
}

/// First phase after vectorizing (as linalg's vectorize-children transform):
/// the multi-reduction of the tile becomes a vector.contract and the
/// transfers fold into the tensor slices they read.
static void populateToContractionPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  vector::populateVectorReductionToContractPatterns(patterns);
  vector::populateSinkVectorBroadcastPatterns(patterns);
  vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
  vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
  tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
}

/// Second phase: contractions to outer products, outer products to FMAs,
/// with canonicalization.
static void populateContractionToFMAPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  vector::populateVectorContractLoweringPatterns(
      patterns, vector::VectorTransformsOptions().setVectorTransformsOptions(
                    vector::VectorContractLowering::OuterProduct));
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  vector::populateVectorOuterProductLoweringPatterns(patterns);
  // A transposed tile (a packing copy) as one shuffle of the flattened
  // vector, which LLVM turns into permutes, not one scalar per element.
  vector::populateVectorTransposeLoweringPatterns(
      patterns, vector::VectorTransformsOptions().setVectorTransposeLowering(
                    vector::VectorTransposeLowering::Shuffle1D));
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName name : ctx->getRegisteredOperations())
    name.getCanonicalizationPatterns(patterns, ctx);
}

namespace {
struct VectorizePass : lathe::impl::VectorizePassBase<VectorizePass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kTiledAttrName) && op->hasAttr(kConfigAttrName))
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      auto config = op->getAttrOfType<sched::ConfigAttr>(kConfigAttrName);
      if (!config || config.getVectorSizes().empty())
        continue;
      // The loop `unroll` applies to: the innermost loop around the
      // register tile (its reduction loop), unrolled once the tile is
      // vectorized and its accumulators hoisted.
      if (config.getUnroll() > 1)
        if (auto loop = op->getParentOfType<scf::ForOp>())
          loop->setAttr(kUnrollAttrName,
                        rewriter.getI64IntegerAttr(config.getUnroll()));
      rewriter.setInsertionPoint(op);
      if (failed(vectorizeByConfig(rewriter, op, config))) {
        op->emitOpError("could not be vectorized by its sched.config ")
            << config;
        return signalPassFailure();
      }
    }
    RewritePatternSet toContraction(&getContext());
    populateToContractionPatterns(toContraction);
    RewritePatternSet toFMA(&getContext());
    populateContractionToFMAPatterns(toFMA);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(toContraction))) ||
        failed(applyPatternsAndFoldGreedily(getOperation(), std::move(toFMA))))
      return signalPassFailure();
    // Math functions on vectors (a vectorized GELU's erf, a softmax's exp)
    // as f32 polynomials; scalar ones keep their libm calls.
    SmallVector<Operation *> vectorMath;
    getOperation().walk([&](Operation *inner) {
      if (isa_and_nonnull<math::MathDialect>(inner->getDialect()) &&
          inner->getNumResults() == 1 &&
          isa<VectorType>(inner->getResult(0).getType()))
        vectorMath.push_back(inner);
    });
    if (!vectorMath.empty()) {
      RewritePatternSet approximations(&getContext());
      populateMathPolynomialApproximationPatterns(approximations);
      GreedyRewriteConfig config;
      config.strictMode = GreedyRewriteStrictness::ExistingAndNewOps;
      if (failed(applyOpPatternsAndFold(vectorMath, std::move(approximations),
                                        config)))
        return signalPassFailure();
    }
    // Accumulators into registers: the transfers of loop-invariant slices
    // move out of the loops, innermost loops first.
    SmallVector<LoopLikeOpInterface> loops;
    getOperation().walk(
        [&](LoopLikeOpInterface loop) { loops.push_back(loop); });
    for (LoopLikeOpInterface loop : loops)
      hoistLoopInvariantSubsets(rewriter, loop);
    // Unroll last: the accumulators are loop-carried vectors by now.
    SmallVector<scf::ForOp> unrolled;
    getOperation().walk([&](scf::ForOp loop) {
      if (loop->hasAttr(kUnrollAttrName))
        unrolled.push_back(loop);
    });
    for (scf::ForOp loop : unrolled) {
      auto factor = loop->getAttrOfType<IntegerAttr>(kUnrollAttrName);
      loop->removeAttr(kUnrollAttrName);
      if (failed(loopUnrollByFactor(loop, factor.getInt()))) {
        loop->emitOpError("could not be unrolled by ") << factor.getInt();
        return signalPassFailure();
      }
    }
  }
};
} // namespace
