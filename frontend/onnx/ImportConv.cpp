//===- ImportConv.cpp - Import ONNX convolutions, pooling and GEMMs -------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file imports the anchor ops of a network: Conv, MaxPool, AveragePool,
// GlobalAveragePool, GlobalMaxPool, BatchNormalization, Gemm and MatMul.
// Windowed ops share one reader of kernel_shape / strides / dilations / pads
// / auto_pad, which resolves SAME_UPPER and SAME_LOWER to explicit pads from
// the (static) input shape.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/NodeImporter.h"

using namespace mlir;
using namespace lathe::frontend;
namespace nn = lathe::nn;

namespace {

/// The window of a 2-D conv or pool, in nn's conventions: pads are [top,
/// left, bottom, right] (ONNX's begin..., end... order for two dims).
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, pads;
};

/// Reads a two-entry list attribute (default [dflt, dflt]).
FailureOr<SmallVector<int64_t>> pairAttr(NodeImporter &n, StringRef name,
                                         int64_t dflt) {
  auto v = n.intsAttr(name);
  if (failed(v))
    return failure();
  if (!*v)
    return SmallVector<int64_t>{dflt, dflt};
  if ((*v)->size() != 2)
    return n.unsupportedAttr(name, "[" + joinInts(**v) + "]",
                             "expected 2 entries for a 2-D window");
  return **v;
}

/// Reads the window attributes of `n` for an input of type `inTy`. `kernel`
/// is the kernel size from the weight (conv) or empty (pools, which require
/// kernel_shape).
FailureOr<Window> readWindow(NodeImporter &n, RankedTensorType inTy,
                             ArrayRef<int64_t> weightKernel) {
  if (inTy.getRank() != 4)
    return n.fail("only 2-D " + n.opType() + " is supported (NCHW input of " +
                  "rank 4), got an input of rank " +
                  std::to_string(inTy.getRank()));
  Window w;
  auto kernel = n.intsAttr("kernel_shape");
  if (failed(kernel))
    return failure();
  if (*kernel) {
    if ((*kernel)->size() != 2)
      return n.unsupportedAttr("kernel_shape", "[" + joinInts(**kernel) + "]",
                               "expected 2 entries for a 2-D window");
    if (!weightKernel.empty() && ArrayRef<int64_t>(**kernel) != weightKernel)
      return n.fail("kernel_shape [" + joinInts(**kernel) +
                    "] differs from the weight's kernel [" +
                    joinInts(weightKernel) + "]");
    w.kernel = **kernel;
  } else if (!weightKernel.empty()) {
    w.kernel.assign(weightKernel.begin(), weightKernel.end());
  } else {
    return n.fail("missing attribute kernel_shape");
  }

  auto strides = pairAttr(n, "strides", 1);
  auto dilations = pairAttr(n, "dilations", 1);
  auto autoPad = n.stringAttr("auto_pad", "NOTSET");
  if (failed(strides) || failed(dilations) || failed(autoPad))
    return failure();
  w.strides = *strides;
  w.dilations = *dilations;

  if (*autoPad == "NOTSET") {
    auto pads = n.intsAttr("pads");
    if (failed(pads))
      return failure();
    w.pads = *pads ? **pads : SmallVector<int64_t>(4, 0);
    if (w.pads.size() != 4)
      return n.unsupportedAttr("pads", "[" + joinInts(w.pads) + "]",
                               "expected 4 entries for a 2-D window");
    return w;
  }
  if (*autoPad == "VALID") {
    w.pads.assign(4, 0);
    return w;
  }
  if (*autoPad != "SAME_UPPER" && *autoPad != "SAME_LOWER")
    return n.unsupportedAttr("auto_pad", *autoPad);

  // SAME: the output has ceil(size / stride) entries; the padding needed for
  // that is split evenly, the odd one at the end (UPPER) or start (LOWER).
  w.pads.assign(4, 0);
  for (int i = 0; i < 2; ++i) {
    int64_t size = inTy.getDimSize(2 + i);
    if (ShapedType::isDynamic(size))
      return n.unsupportedAttr("auto_pad", *autoPad,
                               "needs static spatial dimensions");
    int64_t stride = w.strides[i];
    if (stride < 1)
      return n.unsupportedAttr("strides", "[" + joinInts(w.strides) + "]");
    int64_t out = (size + stride - 1) / stride;
    int64_t window = w.dilations[i] * (w.kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * stride + window - size);
    int64_t small = total / 2, large = total - small;
    bool upper = *autoPad == "SAME_UPPER";
    w.pads[i] = upper ? small : large;
    w.pads[i + 2] = upper ? large : small;
  }
  return w;
}

LogicalResult importConv(NodeImporter &n) {
  if (failed(n.expectInputs(2, 3)))
    return failure();
  auto x = n.input(0);
  auto weight = n.input(1);
  if (failed(x) || failed(weight))
    return failure();
  auto inTy = cast<RankedTensorType>(x->getType());
  auto wTy = cast<RankedTensorType>(weight->getType());
  if (wTy.getRank() != 4)
    return n.fail("only 2-D Conv is supported (weight of rank 4), got a "
                  "weight of rank " +
                  std::to_string(wTy.getRank()));
  int64_t weightKernel[2] = {wTy.getDimSize(2), wTy.getDimSize(3)};
  auto window = readWindow(n, inTy, weightKernel);
  auto groups = n.intAttr("group", 1);
  if (failed(window) || failed(groups))
    return failure();
  SmallVector<Value> operands = {*x, *weight};
  if (n.hasInput(2)) {
    auto bias = n.input(2);
    if (failed(bias))
      return failure();
    operands.push_back(*bias);
  }
  auto y = n.create<nn::Conv2dOp>(
      operands,
      {n.i64Array("strides", window->strides), n.i64Array("pads", window->pads),
       n.i64Array("dilations", window->dilations), n.i64("groups", *groups)});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importMaxPool(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto x = n.inputType(0);
  if (failed(x))
    return failure();
  auto window = readWindow(n, *x, {});
  auto ceilMode = n.intAttr("ceil_mode", 0);
  if (failed(window) || failed(ceilMode))
    return failure();
  SmallVector<NamedAttribute> attrs = {
      n.i64Array("kernel", window->kernel),
      n.i64Array("strides", window->strides), n.i64Array("pads", window->pads),
      n.i64Array("dilations", window->dilations)};
  if (*ceilMode)
    attrs.push_back(n.unit("ceil_mode"));
  auto y = n.create<nn::MaxPoolOp>(*n.input(0), attrs);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importAveragePool(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto x = n.inputType(0);
  if (failed(x))
    return failure();
  auto window = readWindow(n, *x, {});
  auto ceilMode = n.intAttr("ceil_mode", 0);
  auto countPad = n.intAttr("count_include_pad", 0);
  if (failed(window) || failed(ceilMode) || failed(countPad))
    return failure();
  if (window->dilations != SmallVector<int64_t>{1, 1})
    return n.unsupportedAttr("dilations",
                             "[" + joinInts(window->dilations) + "]",
                             "nn.avgpool has no dilation");
  SmallVector<NamedAttribute> attrs = {n.i64Array("kernel", window->kernel),
                                       n.i64Array("strides", window->strides),
                                       n.i64Array("pads", window->pads)};
  if (*ceilMode)
    attrs.push_back(n.unit("ceil_mode"));
  if (*countPad)
    attrs.push_back(n.unit("count_include_pad"));
  auto y = n.create<nn::AvgPoolOp>(*n.input(0), attrs);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importGlobalAveragePool(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto x = n.input(0);
  if (failed(x))
    return failure();
  auto y = n.create<nn::GlobalAvgPoolOp>(*x);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importGlobalMaxPool(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto x = n.input(0);
  if (failed(x))
    return failure();
  int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
  if (rank < 3)
    return n.fail("expected an input [N, C, spatial...] of rank >= 3, got "
                  "rank " +
                  std::to_string(rank));
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < rank; ++i)
    axes.push_back(i);
  auto y = n.create<nn::ReduceOp>(
      *x, {n.namedAttr("kind",
                       nn::ReduceKindAttr::get(&n.ctx(), nn::ReduceKind::max)),
           n.i64Array("axes", axes), n.unit("keepdims")});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importBatchNormalization(NodeImporter &n) {
  if (failed(n.expectInputs(5, 5)))
    return failure();
  auto epsilon = n.floatAttr("epsilon", 1e-5f);
  auto spatial = n.intAttr("spatial", 1);
  auto training = n.intAttr("training_mode", 0);
  if (failed(epsilon) || failed(spatial) || failed(training))
    return failure();
  if (*spatial != 1)
    return n.unsupportedAttr("spatial", std::to_string(*spatial),
                             "per-activation statistics");
  if (*training != 0)
    return n.unsupportedAttr("training_mode", std::to_string(*training),
                             "Lathe imports inference graphs");
  SmallVector<Value> operands;
  for (unsigned i = 0; i < 5; ++i) {
    auto v = n.input(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  auto y = n.create<nn::BatchNormOp>(operands, {n.f32("epsilon", *epsilon)});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importGemm(NodeImporter &n) {
  if (failed(n.expectInputs(n.opset() >= 11 ? 2 : 3, 3)))
    return failure();
  auto alpha = n.floatAttr("alpha", 1.0f);
  auto beta = n.floatAttr("beta", 1.0f);
  auto transA = n.intAttr("transA", 0);
  auto transB = n.intAttr("transB", 0);
  if (failed(alpha) || failed(beta) || failed(transA) || failed(transB))
    return failure();
  SmallVector<Value> operands;
  for (unsigned i = 0; i < 3; ++i) {
    if (!n.hasInput(i))
      continue;
    auto v = n.input(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  SmallVector<NamedAttribute> attrs = {n.f32("alpha", *alpha),
                                       n.f32("beta", *beta)};
  if (*transA)
    attrs.push_back(n.unit("transpose_a"));
  if (*transB)
    attrs.push_back(n.unit("transpose_b"));
  auto y = n.create<nn::GemmOp>(operands, attrs);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importMatMul(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto a = n.input(0);
  auto b = n.input(1);
  if (failed(a) || failed(b))
    return failure();
  auto y = n.create<nn::MatmulOp>(ValueRange{*a, *b});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

} // namespace

void lathe::frontend::registerConvOps(OpTable &table) {
  table["Conv"] = {importConv};
  table["MaxPool"] = {importMaxPool};
  table["AveragePool"] = {importAveragePool};
  table["GlobalAveragePool"] = {importGlobalAveragePool};
  table["GlobalMaxPool"] = {importGlobalMaxPool};
  table["BatchNormalization"] = {importBatchNormalization};
  table["Gemm"] = {importGemm};
  table["MatMul"] = {importMatMul};
}
