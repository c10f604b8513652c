//===- FoldBatchNorm.cpp - BatchNormalization into conv and gemm ----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-fold-batch-norm`. Inference BatchNormalization
// is an affine map per channel, y = x * scale + shift with
// scale = gamma / sqrt(var + eps) and shift = beta - mean * scale, so after a
// convolution or a gemm it folds into the producer's weights (each output
// channel's filter times scale[c]) and bias ((b - mean) * scale + beta). The
// new weights are computed in double precision from the constant blobs and
// stay blobs.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/graph/ConstantData.h"
#include "passes/graph/Transforms.h"

#include "dialects/nn/NNDialect.h"
#include "dialects/nn/NNOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lathe {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::graph;

#define DEBUG_TYPE "lathe-fold-batch-norm"

/// The constant elements behind `v`, if `v` is an nn.constant.
static ElementsAttr constantOf(Value v) {
  if (!v)
    return {};
  if (auto c = v.getDefiningOp<nn::ConstantOp>())
    return c.getValue();
  return {};
}

/// A name for the blob of a folded constant derived from `from`.
static std::string foldedName(ElementsAttr from, StringRef suffix) {
  StringRef base = resourceName(from);
  return ((base.empty() ? StringRef("folded") : base) + suffix).str();
}

/// The per-channel scale and shift of `bn` over `channels` channels, with the
/// producer's bias `bias` (empty for none) already in the shift.
static FailureOr<std::pair<std::vector<double>, std::vector<double>>>
statistics(nn::BatchNormOp bn, ArrayRef<double> bias, int64_t channels) {
  std::vector<double> stats[4];
  Value operands[4] = {bn.getScale(), bn.getBias(), bn.getMean(),
                       bn.getVariance()};
  for (auto [i, v] : llvm::enumerate(operands)) {
    ElementsAttr attr = constantOf(v);
    if (!attr)
      return failure();
    FailureOr<std::vector<double>> values = readFloats(attr);
    if (failed(values) || static_cast<int64_t>(values->size()) != channels)
      return failure();
    stats[i] = std::move(*values);
  }
  std::vector<double> scale =
      batchNormScale(stats[0], stats[3], bn.getEpsilon().convertToFloat());
  std::vector<double> shift = batchNormShift(bias, stats[2], scale, stats[1]);
  return std::make_pair(std::move(scale), std::move(shift));
}

static FailureOr<Operation *>
foldIntoConv(RewriterBase &rewriter, nn::BatchNormOp bn, nn::Conv2dOp conv) {
  if (conv.getChannelsLast())
    return rewriter.notifyMatchFailure(conv, "a channels-last conv (the "
                                             "batch_norm is on NCHW data)");
  ElementsAttr weight = constantOf(conv.getWeight());
  if (!weight)
    return rewriter.notifyMatchFailure(bn, "the conv weight is not constant");
  ElementsAttr bias = constantOf(conv.getBias());
  if (conv.getBias() && !bias)
    return rewriter.notifyMatchFailure(bn, "the conv bias is not constant");
  FailureOr<std::vector<double>> w = readFloats(weight);
  if (failed(w))
    return rewriter.notifyMatchFailure(bn, "the weight is not f32 or f64");
  std::vector<double> b;
  if (bias) {
    FailureOr<std::vector<double>> values = readFloats(bias);
    if (failed(values))
      return rewriter.notifyMatchFailure(bn, "the bias is not f32 or f64");
    b = std::move(*values);
  }
  auto weightTy = cast<RankedTensorType>(weight.getType());
  int64_t channels = weightTy.getDimSize(0);
  auto stats = statistics(bn, b, channels);
  if (failed(stats))
    return rewriter.notifyMatchFailure(
        bn, "the statistics are not constants with one entry per channel");
  scaleChannels(*w, stats->first, weightTy.getNumElements() / channels);

  auto biasTy = RankedTensorType::get({channels}, weightTy.getElementType());
  Location loc = conv.getLoc();
  Value newWeight = rewriter.create<nn::ConstantOp>(
      loc, weightTy,
      makeFloatElements(weightTy, *w, /*asResource=*/true,
                        foldedName(weight, "_bn")));
  Value newBias = rewriter.create<nn::ConstantOp>(
      loc, biasTy,
      makeFloatElements(biasTy, stats->second, /*asResource=*/true,
                        foldedName(bias ? bias : weight, "_bn_bias")));
  auto folded = rewriter.create<nn::Conv2dOp>(
      rewriter.getFusedLoc({conv.getLoc(), bn.getLoc()}), bn.getType(),
      conv.getInput(), newWeight, newBias, conv.getStridesAttr(),
      conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupsAttr(),
      /*channels_last=*/UnitAttr());
  // The conv's own annotations (a schedule, a name) stay with it.
  folded->setDiscardableAttrs(conv->getDiscardableAttrDictionary());
  rewriter.replaceOp(bn, folded.getResult());
  rewriter.eraseOp(conv);
  return folded.getOperation();
}

static FailureOr<Operation *>
foldIntoGemm(RewriterBase &rewriter, nn::BatchNormOp bn, nn::GemmOp gemm) {
  auto resultTy = cast<RankedTensorType>(gemm.getType());
  if (resultTy.getRank() != 2 || bn.getType() != resultTy)
    return rewriter.notifyMatchFailure(bn, "not on the gemm's feature dim");
  ElementsAttr weight = constantOf(gemm.getB());
  if (!weight)
    return rewriter.notifyMatchFailure(bn, "the gemm weight is not constant");
  int64_t channels = resultTy.getDimSize(1);
  ElementsAttr c = constantOf(gemm.getC());
  if (gemm.getC() && !c)
    return rewriter.notifyMatchFailure(bn, "the gemm bias is not constant");
  std::vector<double> b;
  if (c) {
    // Only a bias that is the same for every row: [N], [1, N] or a scalar.
    auto cTy = cast<RankedTensorType>(c.getType());
    if (cTy.getNumElements() != 1 &&
        !(cTy.getNumElements() == channels &&
          cTy.getDimSize(cTy.getRank() - 1) == channels))
      return rewriter.notifyMatchFailure(bn, "the gemm bias varies by row");
    FailureOr<std::vector<double>> values = readFloats(c);
    if (failed(values))
      return rewriter.notifyMatchFailure(bn, "the bias is not f32 or f64");
    b.assign(channels, 0.0);
    double beta = gemm.getBeta().convertToFloat();
    for (int64_t n = 0; n < channels; ++n)
      b[n] = beta * (*values)[values->size() == 1 ? 0 : n];
  }
  FailureOr<std::vector<double>> w = readFloats(weight);
  if (failed(w))
    return rewriter.notifyMatchFailure(bn, "the weight is not f32 or f64");
  auto stats = statistics(bn, b, channels);
  if (failed(stats))
    return rewriter.notifyMatchFailure(
        bn, "the statistics are not constants with one entry per channel");
  // op(b) is [K, N]: b itself is [N, K] when transposed (scale rows), else
  // [K, N] (scale columns).
  auto weightTy = cast<RankedTensorType>(weight.getType());
  scaleChannels(*w, stats->first,
                gemm.getTransposeB() ? weightTy.getDimSize(1) : 1);

  auto biasTy = RankedTensorType::get({channels}, weightTy.getElementType());
  Location loc = gemm.getLoc();
  Value newWeight = rewriter.create<nn::ConstantOp>(
      loc, weightTy,
      makeFloatElements(weightTy, *w, /*asResource=*/true,
                        foldedName(weight, "_bn")));
  Value newBias = rewriter.create<nn::ConstantOp>(
      loc, biasTy,
      makeFloatElements(biasTy, stats->second, /*asResource=*/true,
                        foldedName(c ? c : weight, "_bn_bias")));
  auto folded = rewriter.create<nn::GemmOp>(
      rewriter.getFusedLoc({gemm.getLoc(), bn.getLoc()}), resultTy, gemm.getA(),
      newWeight, newBias, gemm.getAlphaAttr(), rewriter.getF32FloatAttr(1.0f),
      gemm.getTransposeAAttr(), gemm.getTransposeBAttr());
  rewriter.replaceOp(bn, folded.getResult());
  rewriter.eraseOp(gemm);
  return folded.getOperation();
}

FailureOr<Operation *> graph::foldBatchNormIntoProducer(RewriterBase &rewriter,
                                                        nn::BatchNormOp bn) {
  Operation *producer = bn.getInput().getDefiningOp();
  if (!producer || !isa<nn::Conv2dOp, nn::GemmOp>(producer))
    return rewriter.notifyMatchFailure(bn, "not after a conv2d or gemm");
  if (!producer->getResult(0).hasOneUse())
    return rewriter.notifyMatchFailure(bn, "the producer has other users");
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(bn);
  if (auto conv = dyn_cast<nn::Conv2dOp>(producer))
    return foldIntoConv(rewriter, bn, conv);
  return foldIntoGemm(rewriter, bn, cast<nn::GemmOp>(producer));
}

namespace {
/// Folds a batch_norm into its conv2d or gemm producer.
struct FoldBatchNormPattern : OpRewritePattern<nn::BatchNormOp> {
  FoldBatchNormPattern(MLIRContext *ctx, FoldBatchNormControlFn controlFn)
      : OpRewritePattern(ctx), controlFn(std::move(controlFn)) {}

  LogicalResult matchAndRewrite(nn::BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *producer = bn.getInput().getDefiningOp();
    if (controlFn && producer && !controlFn(bn, producer))
      return rewriter.notifyMatchFailure(bn,
                                         "declined by the control function");
    return foldBatchNormIntoProducer(rewriter, bn);
  }

  FoldBatchNormControlFn controlFn;
};

struct FoldBatchNormPass
    : lathe::impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void graph::populateFoldBatchNormPatterns(RewritePatternSet &patterns,
                                          FoldBatchNormControlFn controlFn) {
  patterns.add<FoldBatchNormPattern>(patterns.getContext(),
                                     std::move(controlFn));
}
