//===- ConvertConvLayout.cpp - Convolutions to channels-last --------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-convert-conv-layout`: the convolutions the
// control function picks become channels-last (NHWC activations, HWCF
// weights) between two transposes, and the transposes are then moved past
// elementwise ops until pairs meet and cancel (nn.transpose's folder
// composes them). What remains are the transposes at the boundaries of
// the channels-last region: the graph's input, pooling, flatten. Weight
// transposes are transposes of constants, which lathe-fold-constants
// evaluates at compile time.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/fusion/Fusion.h"
#include "passes/graph/Transforms.h"

#include "dialects/nn/NNDialect.h"
#include "dialects/nn/NNOps.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lathe {
#define GEN_PASS_DEF_CONVERTCONVLAYOUTPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::graph;

#define DEBUG_TYPE "lathe-convert-conv-layout"

FailureOr<Operation *> graph::convertConvToChannelsLast(RewriterBase &rewriter,
                                                        nn::Conv2dOp conv) {
  if (conv.getChannelsLast())
    return rewriter.notifyMatchFailure(conv, "already channels-last");
  auto inputType = cast<RankedTensorType>(conv.getInput().getType());
  auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
  if (!inputType.hasStaticShape() || !weightType.hasStaticShape())
    return rewriter.notifyMatchFailure(conv, "dynamic shapes");
  int64_t groups = conv.getGroups(), channels = inputType.getDimSize(1),
          filters = weightType.getDimSize(0);
  if (groups != 1 && !(groups == channels && filters == channels))
    return rewriter.notifyMatchFailure(
        conv, "grouped (not depthwise) convolution stays NCHW");

  Location loc = conv.getLoc();
  auto input = rewriter.create<nn::TransposeOp>(loc, conv.getInput(),
                                                ArrayRef<int64_t>{0, 2, 3, 1});
  auto weight = rewriter.create<nn::TransposeOp>(loc, conv.getWeight(),
                                                 ArrayRef<int64_t>{2, 3, 1, 0});
  auto nhwc = rewriter.create<nn::Conv2dOp>(
      loc, input, weight, conv.getBias(), conv.getStridesAttr(),
      conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupsAttr(),
      rewriter.getUnitAttr());
  // Discardable attributes (a name) stay with the conv; a schedule does
  // not, as its loops are the NCHW conv's (the default schedule gives the
  // new conv one of its own).
  for (NamedAttribute attr : conv->getDiscardableAttrs())
    if (attr.getName() != "sched.config")
      nhwc->setAttr(attr.getName(), attr.getValue());
  auto result = rewriter.create<nn::TransposeOp>(loc, nhwc.getResult(),
                                                 ArrayRef<int64_t>{0, 3, 1, 2});
  rewriter.replaceOp(conv, result.getResult());
  return result.getOperation();
}

FailureOr<Operation *>
graph::sinkTransposeThroughElementwise(RewriterBase &rewriter, Operation *op) {
  if (fusion::getKernelRole(op) != fusion::KernelRole::Elementwise ||
      op->getNumResults() != 1 || isa<nn::BatchNormOp>(op))
    return rewriter.notifyMatchFailure(op, "not a one-result elementwise op");
  auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!resultType)
    return rewriter.notifyMatchFailure(op, "unranked result");
  int64_t rank = resultType.getRank();

  // The permutation of the transposed operands: all the same, each operand
  // of the full result shape.
  std::optional<SmallVector<int64_t>> perm;
  for (Value operand : op->getOperands()) {
    auto transpose = operand.getDefiningOp<nn::TransposeOp>();
    if (!transpose)
      continue;
    if (cast<ShapedType>(operand.getType()).getShape() != resultType.getShape())
      return rewriter.notifyMatchFailure(op, "a transposed operand broadcasts");
    SmallVector<int64_t> p(transpose.getPerm());
    if (perm && *perm != p)
      return rewriter.notifyMatchFailure(op, "operands transposed differently");
    perm = p;
  }
  if (!perm)
    return rewriter.notifyMatchFailure(op, "no transposed operand");
  SmallVector<int64_t> inverse(rank);
  for (int64_t i = 0; i < rank; ++i)
    inverse[(*perm)[i]] = i;
  // The others must be constants (transposed here, at compile time) or
  // values already transposed back somewhere (a residual input that also
  // feeds a channels-last conv): never a new transpose at run time. (A
  // dead transpose does not count: the one this rewrite leaves behind
  // would otherwise send the op back and forth.)
  auto existingInverse = [&](Value v) -> Value {
    for (Operation *user : v.getUsers())
      if (auto t = dyn_cast<nn::TransposeOp>(user))
        if (t.getPerm() == ArrayRef<int64_t>(inverse) && !t->use_empty() &&
            t->getBlock() == op->getBlock() && t->isBeforeInBlock(op))
          return t.getResult();
    return Value();
  };
  for (Value operand : op->getOperands())
    if (!operand.getDefiningOp<nn::TransposeOp>() &&
        !operand.getDefiningOp<nn::ConstantOp>() && !existingInverse(operand))
      return rewriter.notifyMatchFailure(op, "an operand is neither a "
                                             "transpose nor a constant");

  Location loc = op->getLoc();
  SmallVector<Value> operands;
  for (Value operand : op->getOperands()) {
    if (auto transpose = operand.getDefiningOp<nn::TransposeOp>()) {
      operands.push_back(transpose.getInput());
      continue;
    }
    if (!operand.getDefiningOp<nn::ConstantOp>()) {
      operands.push_back(existingInverse(operand));
      continue;
    }
    // A constant broadcast against the result: first to the full rank
    // (ones in front, as broadcasting aligns from the right), then into
    // the un-transposed order.
    auto type = cast<RankedTensorType>(operand.getType());
    Value value = operand;
    if (type.getRank() < rank) {
      SmallVector<int64_t> shape(rank - type.getRank(), 1);
      llvm::append_range(shape, type.getShape());
      value = rewriter.create<nn::ReshapeOp>(loc, value, shape);
    }
    operands.push_back(rewriter.create<nn::TransposeOp>(loc, value, inverse));
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(resultType.getDimSize(inverse[i]));
  Operation *moved = rewriter.clone(*op);
  moved->setOperands(operands);
  moved->getResult(0).setType(
      RankedTensorType::get(shape, resultType.getElementType()));
  auto result =
      rewriter.create<nn::TransposeOp>(loc, moved->getResult(0), *perm);
  rewriter.replaceOp(op, result.getResult());
  return result.getOperation();
}

FailureOr<Operation *>
graph::sinkTransposeThroughMaxPool(RewriterBase &rewriter, nn::MaxPoolOp pool) {
  if (pool.getChannelsLast())
    return rewriter.notifyMatchFailure(pool, "already channels-last");
  auto transpose = pool.getInput().getDefiningOp<nn::TransposeOp>();
  if (!transpose || transpose.getPerm() != ArrayRef<int64_t>{0, 3, 1, 2})
    return rewriter.notifyMatchFailure(
        pool, "the input is not a channels-last tensor transposed to NCHW");
  Location loc = pool.getLoc();
  auto nhwc = rewriter.create<nn::MaxPoolOp>(
      loc, transpose.getInput(), pool.getKernelAttr(), pool.getStridesAttr(),
      pool.getPadsAttr(), pool.getDilationsAttr(), pool.getCeilModeAttr(),
      rewriter.getUnitAttr());
  for (NamedAttribute attr : pool->getDiscardableAttrs())
    if (attr.getName() != "sched.config")
      nhwc->setAttr(attr.getName(), attr.getValue());
  auto result = rewriter.create<nn::TransposeOp>(loc, nhwc.getResult(),
                                                 ArrayRef<int64_t>{0, 3, 1, 2});
  rewriter.replaceOp(pool, result.getResult());
  return result.getOperation();
}

namespace {
/// Runs max pools on the channels-last tensors they are given.
struct MaxPoolToChannelsLast : OpRewritePattern<nn::MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MaxPoolOp pool,
                                PatternRewriter &rewriter) const override {
    return sinkTransposeThroughMaxPool(rewriter, pool);
  }
};

/// Switches the convolutions `controlFn` picks to channels-last.
struct ConvToChannelsLast : OpRewritePattern<nn::Conv2dOp> {
  ConvToChannelsLast(MLIRContext *ctx, ConvLayoutControlFn controlFn)
      : OpRewritePattern(ctx), controlFn(std::move(controlFn)) {}

  LogicalResult matchAndRewrite(nn::Conv2dOp conv,
                                PatternRewriter &rewriter) const override {
    if (conv.getChannelsLast())
      return rewriter.notifyMatchFailure(conv, "already channels-last");
    if (controlFn && !controlFn(conv))
      return rewriter.notifyMatchFailure(conv,
                                         "declined by the control function");
    return convertConvToChannelsLast(rewriter, conv);
  }

  ConvLayoutControlFn controlFn;
};

/// Moves transposes below elementwise ops, so that pairs meet.
struct SinkTranspose : RewritePattern {
  SinkTranspose(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    return sinkTransposeThroughElementwise(rewriter, op);
  }
};

struct ConvertConvLayoutPass
    : lathe::impl::ConvertConvLayoutPassBase<ConvertConvLayoutPass> {
  using ConvertConvLayoutPassBase::ConvertConvLayoutPassBase;

  void runOnOperation() override {
    if (layout != "nhwc" && layout != "nchw") {
      getOperation().emitError("lathe-convert-conv-layout: layout must be "
                               "'nhwc' or 'nchw', not '")
          << layout << "'";
      return signalPassFailure();
    }
    bool toChannelsLast = layout == "nhwc";
    RewritePatternSet patterns(&getContext());
    populateConvLayoutPatterns(patterns,
                               [=](nn::Conv2dOp) { return toChannelsLast; });
    nn::TransposeOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void graph::populateConvLayoutPatterns(RewritePatternSet &patterns,
                                       ConvLayoutControlFn controlFn) {
  patterns.add<ConvToChannelsLast>(patterns.getContext(), std::move(controlFn));
  patterns.add<SinkTranspose, MaxPoolToChannelsLast>(patterns.getContext());
}
