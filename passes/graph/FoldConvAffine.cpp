//===- FoldConvAffine.cpp - Per-channel mul and add into conv -------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-fold-conv-affine`: an nn.mul or nn.add of a
// convolution's result by a constant that is the same across the batch and
// the image (one value per output channel, or one value) folds into the
// convolution: a multiplier scales the filters and the bias, an addend joins
// the bias. Exporters leave these behind for frozen BatchNormalization (as
// Mul + Add) and for a bias outside the Conv node.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/graph/ConstantData.h"
#include "passes/graph/Transforms.h"

#include "dialects/nn/NNDialect.h"
#include "dialects/nn/NNOps.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lathe {
#define GEN_PASS_DEF_FOLDCONVAFFINEPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::graph;

#define DEBUG_TYPE "lathe-fold-conv-affine"

/// The per-channel values (`channels` of them) of a constant operand that
/// broadcasts against an NCHW result along the channel dimension only.
static FailureOr<std::vector<double>> perChannel(nn::ConstantOp constant,
                                                 int64_t channels) {
  auto type = cast<RankedTensorType>(constant.getType());
  ArrayRef<int64_t> shape = type.getShape();
  // Right-aligned against [N, F, H, W]: every dimension but F must be 1.
  if (shape.size() > 4)
    return failure();
  size_t lead = 4 - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] != 1 && !(lead + i == 1 && shape[i] == channels))
      return failure();
  FailureOr<std::vector<double>> values = readFloats(constant.getValue());
  if (failed(values))
    return failure();
  if (values->size() == 1)
    values->assign(channels, (*values)[0]);
  return values;
}

FailureOr<Operation *> graph::foldAffineIntoConv(RewriterBase &rewriter,
                                                 Operation *op) {
  if (!isa<nn::MulOp, nn::AddOp>(op))
    return rewriter.notifyMatchFailure(op, "not an nn.mul or nn.add");
  nn::Conv2dOp conv;
  nn::ConstantOp constant;
  for (int i = 0; i < 2; ++i) {
    conv = op->getOperand(i).getDefiningOp<nn::Conv2dOp>();
    constant = op->getOperand(1 - i).getDefiningOp<nn::ConstantOp>();
    if (conv && constant)
      break;
  }
  if (!conv || !constant)
    return rewriter.notifyMatchFailure(op, "not a conv2d and a constant");
  if (!conv.getResult().hasOneUse())
    return rewriter.notifyMatchFailure(op, "the conv has other users");
  if (conv.getChannelsLast())
    return rewriter.notifyMatchFailure(op, "the conv is channels-last");
  if (op->getResult(0).getType() != conv.getType())
    return rewriter.notifyMatchFailure(op, "the constant broadcasts the conv");
  auto weight = conv.getWeight().getDefiningOp<nn::ConstantOp>();
  auto bias = conv.getBias() ? conv.getBias().getDefiningOp<nn::ConstantOp>()
                             : nn::ConstantOp();
  if (!weight || (conv.getBias() && !bias))
    return rewriter.notifyMatchFailure(op, "the conv weights are not constant");
  auto weightTy = cast<RankedTensorType>(weight.getType());
  int64_t channels = weightTy.getDimSize(0);
  FailureOr<std::vector<double>> values = perChannel(constant, channels);
  if (failed(values))
    return rewriter.notifyMatchFailure(op, "the constant is not per channel");
  std::vector<double> b(channels, 0.0);
  if (bias) {
    FailureOr<std::vector<double>> read = readFloats(bias.getValue());
    if (failed(read))
      return rewriter.notifyMatchFailure(op, "the bias is not f32 or f64");
    b = std::move(*read);
  }

  StringRef weightName = resourceName(weight.getValue());
  std::string base = weightName.empty() ? "folded" : weightName.str();
  Value newWeight = conv.getWeight();
  if (isa<nn::MulOp>(op)) {
    FailureOr<std::vector<double>> w = readFloats(weight.getValue());
    if (failed(w))
      return rewriter.notifyMatchFailure(op, "the weight is not f32 or f64");
    scaleChannels(*w, *values, weightTy.getNumElements() / channels);
    scaleChannels(b, *values, 1);
    newWeight = rewriter.create<nn::ConstantOp>(
        weight.getLoc(), weightTy,
        makeFloatElements(weightTy, *w, /*asResource=*/true, base + "_mul"));
  } else {
    for (int64_t c = 0; c < channels; ++c)
      b[c] += (*values)[c];
  }
  Value newBias;
  if (bias || isa<nn::AddOp>(op)) {
    auto biasTy = RankedTensorType::get({channels}, weightTy.getElementType());
    newBias = rewriter.create<nn::ConstantOp>(
        conv.getLoc(), biasTy,
        makeFloatElements(biasTy, b, /*asResource=*/true, base + "_bias"));
  }
  auto folded = rewriter.create<nn::Conv2dOp>(
      rewriter.getFusedLoc({conv.getLoc(), op->getLoc()}), conv.getType(),
      conv.getInput(), newWeight, newBias, conv.getStridesAttr(),
      conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupsAttr(),
      /*channels_last=*/UnitAttr());
  // The conv's own annotations (a schedule, a name) stay with it.
  folded->setDiscardableAttrs(conv->getDiscardableAttrDictionary());
  rewriter.replaceOp(op, folded.getResult());
  rewriter.eraseOp(conv);
  return folded.getOperation();
}

namespace {
/// Folds a per-channel nn.mul or nn.add by a constant into its conv2d.
struct FoldConvAffinePattern : RewritePattern {
  FoldConvAffinePattern(MLIRContext *ctx, FoldConvAffineControlFn controlFn)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx),
        controlFn(std::move(controlFn)) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<nn::MulOp, nn::AddOp>(op))
      return rewriter.notifyMatchFailure(op, "not an nn.mul or nn.add");
    if (controlFn && !controlFn(op))
      return rewriter.notifyMatchFailure(op,
                                         "declined by the control function");
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(op);
    return foldAffineIntoConv(rewriter, op);
  }

  FoldConvAffineControlFn controlFn;
};

struct FoldConvAffinePass
    : lathe::impl::FoldConvAffinePassBase<FoldConvAffinePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldConvAffinePatterns(patterns);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void graph::populateFoldConvAffinePatterns(RewritePatternSet &patterns,
                                           FoldConvAffineControlFn controlFn) {
  patterns.add<FoldConvAffinePattern>(patterns.getContext(),
                                      std::move(controlFn));
}
