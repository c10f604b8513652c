//===- ImportConv.cpp - Import ONNX convolutions, pooling and GEMMs -------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file imports the anchor ops of a network: Conv, MaxPool, AveragePool,
// GlobalAveragePool, GlobalMaxPool, LpPool (window sums of |x|^p as
// depthwise convolutions with ones), BatchNormalization, Gemm and MatMul.
// Windowed ops share one reader of kernel_shape / strides / dilations / pads
// / auto_pad, which resolves SAME_UPPER and SAME_LOWER to explicit pads from
// the (static) input shape.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/NodeImporter.h"

#include "llvm/Support/MathExtras.h"

#include <type_traits>

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

/// Reads an optional list attribute of `count` entries (default `dflt`).
FailureOr<SmallVector<int64_t>> listAttr(NodeImporter &n, StringRef name,
                                         size_t count, int64_t dflt) {
  auto v = n.intsAttr(name);
  if (failed(v))
    return failure();
  if (!*v)
    return SmallVector<int64_t>(count, dflt);
  if ((*v)->size() != count)
    return n.unsupportedAttr(name, "[" + joinInts(**v) + "]",
                             "expected " + std::to_string(count) + " entries");
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

/// The window of a 1-D pool over [N, C, W], as a 2-D window of unit height
/// over [N, C, 1, W] (auto_pad NOTSET or VALID).
FailureOr<Window> readWindow1d(NodeImporter &n) {
  auto kernel = n.intsAttr("kernel_shape");
  auto strides = n.intsAttr("strides");
  auto dilations = n.intsAttr("dilations");
  auto pads = n.intsAttr("pads");
  auto autoPad = n.stringAttr("auto_pad", "NOTSET");
  if (failed(kernel) || failed(strides) || failed(dilations) ||
      failed(pads) || failed(autoPad))
    return failure();
  if (*autoPad != "NOTSET" && *autoPad != "VALID")
    return n.unsupportedAttr("auto_pad", *autoPad, "for a 1-D window");
  auto one = [&](const std::optional<SmallVector<int64_t>> &v, StringRef name,
                 size_t count, int64_t dflt) -> FailureOr<SmallVector<int64_t>> {
    if (!v)
      return SmallVector<int64_t>(count, dflt);
    if (v->size() != count)
      return n.unsupportedAttr(name, "[" + joinInts(*v) + "]",
                               "expected " + std::to_string(count) +
                                   " entries for a 1-D window");
    return *v;
  };
  if (!*kernel)
    return n.fail("missing attribute kernel_shape");
  auto k = one(*kernel, "kernel_shape", 1, 1);
  auto s = one(*strides, "strides", 1, 1);
  auto d = one(*dilations, "dilations", 1, 1);
  auto p = one(*autoPad == "VALID" ? std::nullopt : *pads, "pads", 2, 0);
  if (failed(k) || failed(s) || failed(d) || failed(p))
    return failure();
  Window w;
  w.kernel = {1, (*k)[0]};
  w.strides = {1, (*s)[0]};
  w.dilations = {1, (*d)[0]};
  w.pads = {0, (*p)[0], 0, (*p)[1]};
  return w;
}

/// Builds a 2-D pool `OpTy` on `x` with `attrs`; a rank-3 input (1-D pool)
/// is pooled as [N, C, 1, W] and reshaped back.
template <typename OpTy>
LogicalResult buildPool(NodeImporter &n, Value x,
                        ArrayRef<NamedAttribute> attrs) {
  auto xTy = cast<RankedTensorType>(x.getType());
  bool oneD = xTy.getRank() == 3;
  FailureOr<Value> in = x;
  if (oneD)
    in = n.reshape(x, {xTy.getDimSize(0), xTy.getDimSize(1), 1,
                       xTy.getDimSize(2)});
  if (failed(in))
    return failure();
  auto y = n.create<OpTy>(*in, attrs);
  if (failed(y))
    return failure();
  if (oneD) {
    auto yTy = cast<RankedTensorType>(y->getType());
    y = n.reshape(*y, {yTy.getDimSize(0), yTy.getDimSize(1),
                       yTy.getDimSize(3)});
    if (failed(y))
      return failure();
  }
  return n.setOutput(0, *y);
}

/// A dilated 2-D average pool on [N, C, H, W] (nn.avgpool has no
/// dilation): the window sums are a depthwise convolution with a dilated
/// kernel of ones, divided by the number of elements each window covers
/// (inside the input, or inside the explicit padding with
/// count_include_pad), a constant since shapes are static. ceil_mode grows
/// the bottom/right padding as nn.avgpool does; that padding never counts.
FailureOr<Value> dilatedAvgPool(NodeImporter &n, Value x,
                                ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> pads,
                                ArrayRef<int64_t> dilations, bool ceilMode,
                                bool countIncludePad) {
  auto xTy = cast<RankedTensorType>(x.getType());
  int64_t C = xTy.getDimSize(1);
  SmallVector<int64_t> out(2), extra(2);
  SmallVector<SmallVector<float>> counts(2);
  for (int i = 0; i < 2; ++i) {
    int64_t size = xTy.getDimSize(2 + i), before = pads[i],
            after = pads[i + 2], stride = strides[i];
    int64_t window = dilations[i] * (kernel[i] - 1) + 1;
    int64_t span = size + before + after - window;
    if (span < 0 || stride < 1)
      return n.fail("the dilated window is larger than the padded input");
    out[i] = (ceilMode ? llvm::divideCeil(span, stride) : span / stride) + 1;
    if (ceilMode && (out[i] - 1) * stride >= size + before)
      --out[i];
    extra[i] = std::max<int64_t>(
        0, (out[i] - 1) * stride + window - (size + before + after));
    int64_t lo = countIncludePad ? -before : 0;
    int64_t hi = countIncludePad ? size + after : size;
    for (int64_t o = 0; o < out[i]; ++o) {
      int64_t count = 0;
      for (int64_t k = 0; k < kernel[i]; ++k) {
        int64_t pos = o * stride - before + k * dilations[i];
        count += pos >= lo && pos < hi;
      }
      counts[i].push_back(static_cast<float>(std::max<int64_t>(count, 1)));
    }
  }
  Type f = xTy.getElementType();
  auto onesType = RankedTensorType::get({C, 1, kernel[0], kernel[1]}, f);
  Value ones = n.constant(cast<ElementsAttr>(
      DenseElementsAttr::get(onesType, FloatAttr::get(f, 1.0))));
  auto sums = n.create<nn::Conv2dOp>(
      ValueRange{x, ones},
      {n.i64Array("strides", strides),
       n.i64Array("pads", {pads[0], pads[1], pads[2] + extra[0],
                           pads[3] + extra[1]}),
       n.i64Array("dilations", dilations), n.i64("groups", C)});
  if (failed(sums))
    return failure();
  SmallVector<float> count;
  for (float ch : counts[0])
    for (float cw : counts[1])
      count.push_back(ch * cw);
  auto countType = RankedTensorType::get({out[0], out[1]}, f);
  Value divisor = n.constant(cast<ElementsAttr>(
      DenseElementsAttr::get(countType, ArrayRef<float>(count))));
  return n.create<nn::DivOp>(ValueRange{*sums, divisor});
}

/// A 3-D pool on [N, C, D, H, W] as two 2-D pools: over (H, W) with D
/// folded into the channels, then over D with H * W as the width. Max and
/// average windows are boxes, so both separate exactly (the average's count
/// is the product of the per-dim counts).
template <typename OpTy>
LogicalResult importPool3d(NodeImporter &n, Value x, bool ceilMode,
                           bool countIncludePad) {
  auto kernel = n.intsAttr("kernel_shape");
  auto autoPad = n.stringAttr("auto_pad", "NOTSET");
  auto strides = listAttr(n, "strides", 3, 1);
  auto dilations = listAttr(n, "dilations", 3, 1);
  auto pads = listAttr(n, "pads", 6, 0);
  if (failed(kernel) || failed(autoPad) || failed(strides) ||
      failed(dilations) || failed(pads))
    return failure();
  if (!*kernel || (*kernel)->size() != 3)
    return n.fail("expected kernel_shape with 3 entries for a 3-D window");
  if (*autoPad != "NOTSET" && *autoPad != "VALID")
    return n.unsupportedAttr("auto_pad", *autoPad, "for a 3-D window");
  if (*autoPad == "VALID")
    pads->assign(6, 0);
  constexpr bool isAvg = std::is_same_v<OpTy, nn::AvgPoolOp>;
  ArrayRef<int64_t> k = **kernel, s = *strides, d = *dilations, p = *pads;
  auto xTy = cast<RankedTensorType>(x.getType());
  int64_t N = xTy.getDimSize(0), C = xTy.getDimSize(1), D = xTy.getDimSize(2),
          H = xTy.getDimSize(3), W = xTy.getDimSize(4);
  auto pool = [&](Value in, ArrayRef<int64_t> kk, ArrayRef<int64_t> ss,
                  ArrayRef<int64_t> pp,
                  ArrayRef<int64_t> dd) -> FailureOr<Value> {
    if (isAvg && (dd[0] != 1 || dd[1] != 1))
      return dilatedAvgPool(n, in, kk, ss, pp, dd, ceilMode, countIncludePad);
    SmallVector<NamedAttribute> attrs = {n.i64Array("kernel", kk),
                                         n.i64Array("strides", ss),
                                         n.i64Array("pads", pp)};
    if (!isAvg)
      attrs.push_back(n.i64Array("dilations", dd));
    if (ceilMode)
      attrs.push_back(n.unit("ceil_mode"));
    if (isAvg && countIncludePad)
      attrs.push_back(n.unit("count_include_pad"));
    return n.create<OpTy>(in, attrs);
  };
  auto planes = n.reshape(x, {N, C * D, H, W});
  if (failed(planes))
    return failure();
  auto hw = pool(*planes, {k[1], k[2]}, {s[1], s[2]}, {p[1], p[2], p[4], p[5]},
                 {d[1], d[2]});
  if (failed(hw))
    return failure();
  auto hwTy = cast<RankedTensorType>(hw->getType());
  int64_t H2 = hwTy.getDimSize(2), W2 = hwTy.getDimSize(3);
  auto columns = n.reshape(*hw, {N, C, D, H2 * W2});
  if (failed(columns))
    return failure();
  auto depth = pool(*columns, {k[0], 1}, {s[0], 1}, {p[0], 0, p[3], 0},
                    {d[0], 1});
  if (failed(depth))
    return failure();
  int64_t D2 = cast<RankedTensorType>(depth->getType()).getDimSize(2);
  auto y = n.reshape(*depth, {N, C, D2, H2, W2});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// The window sums of [N, C, H, W] (zero padding): a depthwise convolution
/// with a kernel of ones.
FailureOr<Value> windowSum(NodeImporter &n, FailureOr<Value> x,
                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> pads,
                           ArrayRef<int64_t> dilations) {
  if (failed(x))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  int64_t C = xTy.getDimSize(1);
  Type f = xTy.getElementType();
  auto onesType = RankedTensorType::get({C, 1, kernel[0], kernel[1]}, f);
  Value ones = n.constant(cast<ElementsAttr>(
      DenseElementsAttr::get(onesType, FloatAttr::get(f, 1.0))));
  return n.create<nn::Conv2dOp>(
      ValueRange{*x, ones},
      {n.i64Array("strides", strides), n.i64Array("pads", pads),
       n.i64Array("dilations", dilations), n.i64("groups", C)});
}

/// (sum over the window of |x|^p)^(1/p): window sums as depthwise
/// convolutions with ones (1-D as [N, C, 1, W]; 3-D as a sum over (H, W)
/// with D folded into the channels, then over D, a box sum separating
/// exactly). ceil_mode is not imported.
LogicalResult importLpPool(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto p = n.intAttr("p", 2);
  auto ceilMode = n.intAttr("ceil_mode", 0);
  auto xTy = n.inputType(0);
  auto x = n.input(0);
  if (failed(p) || failed(ceilMode) || failed(xTy) || failed(x))
    return failure();
  if (*ceilMode)
    return n.unsupportedAttr("ceil_mode", "1");
  if (*p < 1)
    return n.unsupportedAttr("p", std::to_string(*p));
  if (!isa<FloatType>(xTy->getElementType()) || !xTy->hasStaticShape())
    return n.fail("expected a static float input");
  Type f = xTy->getElementType();
  FailureOr<Value> powered =
      *p == 2 ? n.create<nn::MulOp>(ValueRange{*x, *x})
              : n.create<nn::AbsOp>(*x);
  if (succeeded(powered) && *p > 2)
    powered = n.create<nn::PowOp>(ValueRange{*powered, n.scalar(f, *p)});
  if (failed(powered))
    return failure();
  int64_t rank = xTy->getRank();
  FailureOr<Value> sums;
  if (rank == 5) {
    auto kernel = n.intsAttr("kernel_shape");
    auto autoPad = n.stringAttr("auto_pad", "NOTSET");
    auto strides = listAttr(n, "strides", 3, 1);
    auto dilations = listAttr(n, "dilations", 3, 1);
    auto pads = listAttr(n, "pads", 6, 0);
    if (failed(kernel) || failed(autoPad) || failed(strides) ||
        failed(dilations) || failed(pads))
      return failure();
    if (!*kernel || (*kernel)->size() != 3)
      return n.fail("expected kernel_shape with 3 entries for a 3-D window");
    if (*autoPad != "NOTSET" && *autoPad != "VALID")
      return n.unsupportedAttr("auto_pad", *autoPad, "for a 3-D window");
    if (*autoPad == "VALID")
      pads->assign(6, 0);
    ArrayRef<int64_t> k = **kernel, st = *strides, d = *dilations,
                      pd = *pads;
    int64_t N = xTy->getDimSize(0), C = xTy->getDimSize(1),
            D = xTy->getDimSize(2), H = xTy->getDimSize(3),
            W = xTy->getDimSize(4);
    auto hw = windowSum(n, n.reshape(*powered, {N, C * D, H, W}),
                        {k[1], k[2]}, {st[1], st[2]},
                        {pd[1], pd[2], pd[4], pd[5]}, {d[1], d[2]});
    if (failed(hw))
      return failure();
    auto hwTy = cast<RankedTensorType>(hw->getType());
    int64_t H2 = hwTy.getDimSize(2), W2 = hwTy.getDimSize(3);
    auto depth = windowSum(n, n.reshape(*hw, {N, C, D, H2 * W2}), {k[0], 1},
                           {st[0], 1}, {pd[0], 0, pd[3], 0}, {d[0], 1});
    if (failed(depth))
      return failure();
    int64_t D2 = cast<RankedTensorType>(depth->getType()).getDimSize(2);
    sums = n.reshape(*depth, {N, C, D2, H2, W2});
  } else if (rank == 3 || rank == 4) {
    auto window = rank == 3 ? readWindow1d(n) : readWindow(n, *xTy, {});
    if (failed(window))
      return failure();
    FailureOr<Value> in = *powered;
    if (rank == 3)
      in = n.reshape(*powered, {xTy->getDimSize(0), xTy->getDimSize(1), 1,
                                xTy->getDimSize(2)});
    sums = windowSum(n, in, window->kernel, window->strides, window->pads,
                     window->dilations);
    if (succeeded(sums) && rank == 3) {
      auto sTy = cast<RankedTensorType>(sums->getType());
      sums = n.reshape(*sums, {sTy.getDimSize(0), sTy.getDimSize(1),
                               sTy.getDimSize(3)});
    }
  } else {
    return n.fail("expected an input of rank 3, 4 or 5");
  }
  if (failed(sums))
    return failure();
  FailureOr<Value> y = *sums;
  if (*p == 2)
    y = n.create<nn::SqrtOp>(*sums);
  else if (*p > 2)
    y = n.create<nn::PowOp>(ValueRange{*sums, n.scalar(f, 1.0 / *p)});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
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
  if (x->getRank() == 5) {
    auto ceilMode = n.intAttr("ceil_mode", 0);
    auto in = n.input(0);
    if (failed(ceilMode) || failed(in))
      return failure();
    return importPool3d<nn::MaxPoolOp>(n, *in, *ceilMode, false);
  }
  auto window = x->getRank() == 3 ? readWindow1d(n) : readWindow(n, *x, {});
  auto ceilMode = n.intAttr("ceil_mode", 0);
  if (failed(window) || failed(ceilMode))
    return failure();
  SmallVector<NamedAttribute> attrs = {
      n.i64Array("kernel", window->kernel),
      n.i64Array("strides", window->strides), n.i64Array("pads", window->pads),
      n.i64Array("dilations", window->dilations)};
  if (*ceilMode)
    attrs.push_back(n.unit("ceil_mode"));
  auto in = n.input(0);
  if (failed(in))
    return failure();
  return buildPool<nn::MaxPoolOp>(n, *in, attrs);
}

LogicalResult importAveragePool(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto x = n.inputType(0);
  if (failed(x))
    return failure();
  if (x->getRank() == 5) {
    auto ceilMode = n.intAttr("ceil_mode", 0);
    auto countPad = n.intAttr("count_include_pad", 0);
    auto in = n.input(0);
    if (failed(ceilMode) || failed(countPad) || failed(in))
      return failure();
    return importPool3d<nn::AvgPoolOp>(n, *in, *ceilMode, *countPad);
  }
  auto window = x->getRank() == 3 ? readWindow1d(n) : readWindow(n, *x, {});
  auto ceilMode = n.intAttr("ceil_mode", 0);
  auto countPad = n.intAttr("count_include_pad", 0);
  if (failed(window) || failed(ceilMode) || failed(countPad))
    return failure();
  if (window->dilations != SmallVector<int64_t>{1, 1}) {
    if (x->getRank() != 4)
      return n.unsupportedAttr("dilations",
                               "[" + joinInts(window->dilations) + "]",
                               "for a 1-D average pool");
    auto in = n.input(0);
    if (failed(in))
      return failure();
    auto y = dilatedAvgPool(n, *in, window->kernel, window->strides,
                            window->pads, window->dilations, *ceilMode,
                            *countPad);
    if (failed(y))
      return failure();
    return n.setOutput(0, *y);
  }
  SmallVector<NamedAttribute> attrs = {n.i64Array("kernel", window->kernel),
                                       n.i64Array("strides", window->strides),
                                       n.i64Array("pads", window->pads)};
  if (*ceilMode)
    attrs.push_back(n.unit("ceil_mode"));
  if (*countPad)
    attrs.push_back(n.unit("count_include_pad"));
  auto in = n.input(0);
  if (failed(in))
    return failure();
  return buildPool<nn::AvgPoolOp>(n, *in, attrs);
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

/// ConvTranspose (1-D and 2-D) as a convolution: the input gets stride - 1
/// zeros between its elements (reshape, pad, reshape) and (K - 1) * dilation
/// - pad zeros around (negative amounts crop), and is convolved with the
/// spatially flipped kernel whose in/out channels are swapped per group.
/// Every output element sums the same products as the transposed
/// convolution; only the wasted zero products cost extra.
LogicalResult importConvTranspose(NodeImporter &n) {
  if (failed(n.expectInputs(2, 3)))
    return failure();
  auto x = n.input(0);
  auto w = n.input(1);
  if (failed(x) || failed(w))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  auto wTy = cast<RankedTensorType>(w->getType());
  int64_t rank = xTy.getRank();
  if ((rank != 3 && rank != 4) || wTy.getRank() != rank)
    return n.fail("only 1-D and 2-D ConvTranspose are supported, got an "
                  "input of rank " +
                  std::to_string(rank) + " and a weight of rank " +
                  std::to_string(wTy.getRank()));
  size_t dims = rank - 2;
  auto groups = n.intAttr("group", 1);
  auto strides = listAttr(n, "strides", dims, 1);
  auto dilations = listAttr(n, "dilations", dims, 1);
  auto outputPadding = listAttr(n, "output_padding", dims, 0);
  auto padsAttr = n.intsAttr("pads");
  auto outputShape = n.intsAttr("output_shape");
  auto autoPad = n.stringAttr("auto_pad", "NOTSET");
  if (failed(groups) || failed(strides) || failed(dilations) ||
      failed(outputPadding) || failed(padsAttr) || failed(outputShape) ||
      failed(autoPad))
    return failure();
  int64_t g = *groups, c = xTy.getDimSize(1);
  if (g < 1 || c % g || wTy.getDimSize(0) != c)
    return n.fail("weight [" + joinInts(wTy.getShape()) +
                  "] does not match " + std::to_string(c) +
                  " input channels in " + std::to_string(g) + " groups");
  int64_t m = wTy.getDimSize(1) * g;
  SmallVector<int64_t> kernel(wTy.getShape().drop_front(2));
  if (*outputShape && (*outputShape)->size() != dims)
    return n.unsupportedAttr("output_shape",
                             "[" + joinInts(**outputShape) + "]");

  // Pads [begin..., end...], from the attribute, auto_pad or output_shape.
  SmallVector<int64_t> full(dims), begin(dims, 0), end(dims, 0);
  for (size_t i = 0; i < dims; ++i)
    full[i] = (*strides)[i] * (xTy.getDimSize(2 + i) - 1) +
              (*outputPadding)[i] + (kernel[i] - 1) * (*dilations)[i] + 1;
  bool same = *autoPad == "SAME_UPPER" || *autoPad == "SAME_LOWER";
  if (*autoPad != "NOTSET" && *autoPad != "VALID" && !same)
    return n.unsupportedAttr("auto_pad", *autoPad);
  if (*padsAttr && !same) {
    if ((*padsAttr)->size() != 2 * dims)
      return n.unsupportedAttr("pads", "[" + joinInts(**padsAttr) + "]");
    for (size_t i = 0; i < dims; ++i) {
      begin[i] = (**padsAttr)[i];
      end[i] = (**padsAttr)[dims + i];
      if (*outputShape)
        end[i] = full[i] - begin[i] - (**outputShape)[i];
    }
  } else if (same || *outputShape) {
    for (size_t i = 0; i < dims; ++i) {
      int64_t out = *outputShape ? (**outputShape)[i]
                                 : xTy.getDimSize(2 + i) * (*strides)[i];
      // Floor division, as ONNX's reference (a larger output_shape makes
      // the total negative: the extra rows go at the end).
      int64_t total = full[i] - out, half = llvm::divideFloorSigned(total, 2);
      bool upper = *autoPad == "SAME_UPPER";
      begin[i] = upper ? half : total - half;
      end[i] = upper ? total - half : half;
    }
  }
  for (size_t i = 0; i < dims; ++i)
    if ((*strides)[i] < 1 || (*dilations)[i] < 1 || kernel[i] < 1 ||
        full[i] - begin[i] - end[i] < 1)
      return n.fail("the window attributes give no output along dim " +
                    std::to_string(i + 2));

  // Work in 2-D: a 1-D problem gets a unit height.
  auto two = [&](ArrayRef<int64_t> v, int64_t unit) {
    SmallVector<int64_t> r(v);
    if (dims == 1)
      r.insert(r.begin(), unit);
    return r;
  };
  SmallVector<int64_t> s2 = two(*strides, 1), d2 = two(*dilations, 1),
                       k2 = two(kernel, 1), b2 = two(begin, 0),
                       e2 = two(end, 0), op2 = two(*outputPadding, 0);
  int64_t N = xTy.getDimSize(0);
  int64_t H = dims == 1 ? 1 : xTy.getDimSize(2), W = xTy.getDimSize(rank - 1);
  FailureOr<Value> in = n.reshape(*x, {N, c, H, W});
  FailureOr<Value> weight = n.reshape(*w, {c, m / g, k2[0], k2[1]});
  if (failed(in) || failed(weight))
    return failure();

  // Zero insertion: [N, C, H, 1, W, 1] padded to [N, C, H, sh, W, sw].
  if (s2[0] > 1 || s2[1] > 1) {
    auto spread = n.reshape(*in, {N, c, H, 1, W, 1});
    if (failed(spread))
      return failure();
    in = n.create<nn::PadOp>(
        *spread, {n.i64Array("pads", {0, 0, 0, 0, 0, 0, 0, 0, 0, s2[0] - 1, 0,
                                      s2[1] - 1}),
                  n.f32("value", 0.0f)});
    if (failed(in))
      return failure();
    in = n.reshape(*in, {N, c, H * s2[0], W * s2[1]});
    if (failed(in))
      return failure();
  }
  // Full padding (K - 1) * d, less the pads, plus the output padding; the
  // trailing stride - 1 zeros of the insertion come off at the end.
  SmallVector<int64_t> before(2), after(2);
  for (int i = 0; i < 2; ++i) {
    int64_t halo = (k2[i] - 1) * d2[i];
    before[i] = halo - b2[i];
    after[i] = halo - e2[i] + op2[i] - (s2[i] - 1);
  }
  in = n.create<nn::PadOp>(
      *in, {n.i64Array("pads", {0, 0, before[0], before[1], 0, 0, after[0],
                                after[1]}),
            n.f32("value", 0.0f)});
  if (failed(in))
    return failure();

  // Weight [C, M/g, kh, kw] -> [M, C/g, kh, kw], flipped in kh and kw.
  auto grouped = n.reshape(*weight, {g, c / g, m / g, k2[0], k2[1]});
  if (failed(grouped))
    return failure();
  auto swapped =
      n.create<nn::TransposeOp>(*grouped, {n.i64Array("perm", {0, 2, 1, 3, 4})});
  if (failed(swapped))
    return failure();
  auto convWeight = n.reshape(*swapped, {m, c / g, k2[0], k2[1]});
  if (failed(convWeight))
    return failure();
  auto flipped = n.create<nn::SliceOp>(
      *convWeight, {n.i64Array("starts", {0, 0, k2[0] - 1, k2[1] - 1}),
                    n.i64Array("ends", {m, c / g, -1, -1}),
                    n.i64Array("steps", {1, 1, -1, -1})});
  if (failed(flipped))
    return failure();

  SmallVector<Value> operands = {*in, *flipped};
  if (n.hasInput(2)) {
    auto bias = n.input(2);
    if (failed(bias))
      return failure();
    operands.push_back(*bias);
  }
  auto y = n.create<nn::Conv2dOp>(
      operands, {n.i64Array("strides", {1, 1}),
                 n.i64Array("pads", {0, 0, 0, 0}),
                 n.i64Array("dilations", d2), n.i64("groups", g)});
  if (failed(y))
    return failure();
  SmallVector<int64_t> outShape = {N, m};
  for (size_t i = 0; i < dims; ++i)
    outShape.push_back(full[i] - begin[i] - end[i]);
  auto result = n.reshape(*y, outShape);
  if (failed(result))
    return failure();
  return n.setOutput(0, *result);
}

/// InstanceNormalization: layer_norm over the spatial dims with unit scale,
/// then the per-channel scale and bias (broadcast as [C, 1, ...]).
LogicalResult importInstanceNormalization(NodeImporter &n) {
  if (failed(n.expectInputs(3, 3)))
    return failure();
  auto epsilon = n.floatAttr("epsilon", 1e-5f);
  auto x = n.input(0);
  auto scale = n.input(1);
  auto bias = n.input(2);
  if (failed(epsilon) || failed(x) || failed(scale) || failed(bias))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  int64_t rank = xTy.getRank();
  if (rank < 3)
    return n.fail("expected an input [N, C, spatial...] of rank >= 3");
  Type f = xTy.getElementType();
  auto normalized = n.create<nn::LayerNormOp>(
      ValueRange{*x, n.scalar(f, 1.0)},
      {n.i64("axis", 2), n.f32("epsilon", *epsilon)});
  if (failed(normalized))
    return failure();
  SmallVector<int64_t> channelShape(rank - 1, 1);
  channelShape[0] = xTy.getDimSize(1);
  auto s = n.reshape(*scale, channelShape);
  auto b = n.reshape(*bias, channelShape);
  if (failed(s) || failed(b))
    return failure();
  auto scaled = n.create<nn::MulOp>(ValueRange{*normalized, *s});
  if (failed(scaled))
    return failure();
  auto y = n.create<nn::AddOp>(ValueRange{*scaled, *b});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// LRN: x / (bias + alpha / size * sum of x^2 over the channel window)^beta.
/// The window sum is an average pool with count_include_pad over [N, 1, C,
/// H * W] times the window size.
LogicalResult importLRN(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto alpha = n.floatAttr("alpha", 1e-4f);
  auto beta = n.floatAttr("beta", 0.75f);
  auto bias = n.floatAttr("bias", 1.0f);
  auto size = n.intAttr("size", 0);
  auto x = n.input(0);
  if (failed(alpha) || failed(beta) || failed(bias) || failed(size) ||
      failed(x))
    return failure();
  if (!n.attr("size") || *size < 1)
    return n.fail("missing or invalid attribute size");
  auto xTy = cast<RankedTensorType>(x->getType());
  if (xTy.getRank() < 3)
    return n.fail("expected an input [N, C, spatial...] of rank >= 3");
  int64_t N = xTy.getDimSize(0), C = xTy.getDimSize(1);
  int64_t rest = xTy.getNumElements() / std::max<int64_t>(1, N * C);
  Type f = xTy.getElementType();
  auto squares = n.create<nn::MulOp>(ValueRange{*x, *x});
  if (failed(squares))
    return failure();
  auto flat = n.reshape(*squares, {N, 1, C, rest});
  if (failed(flat))
    return failure();
  int64_t lo = (*size - 1) / 2, hi = *size - 1 - lo;
  auto mean = n.create<nn::AvgPoolOp>(
      *flat, {n.i64Array("kernel", {*size, 1}), n.i64Array("strides", {1, 1}),
              n.i64Array("pads", {lo, 0, hi, 0}), n.unit("count_include_pad")});
  if (failed(mean))
    return failure();
  auto sum = n.reshape(*mean, xTy.getShape());
  if (failed(sum))
    return failure();
  // bias + alpha / size * (size * mean) = bias + alpha * mean.
  auto scaled = n.create<nn::MulOp>(ValueRange{*sum, n.scalar(f, *alpha)});
  if (failed(scaled))
    return failure();
  auto shifted = n.create<nn::AddOp>(ValueRange{*scaled, n.scalar(f, *bias)});
  if (failed(shifted))
    return failure();
  auto denom = n.create<nn::PowOp>(ValueRange{*shifted, n.scalar(f, *beta)});
  if (failed(denom))
    return failure();
  auto y = n.create<nn::DivOp>(ValueRange{*x, *denom});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

} // namespace

void lathe::frontend::registerConvOps(OpTable &table) {
  table["ConvTranspose"] = {importConvTranspose};
  table["InstanceNormalization"] = {importInstanceNormalization};
  table["LRN"] = {importLRN};
  table["Conv"] = {importConv};
  table["MaxPool"] = {importMaxPool};
  table["AveragePool"] = {importAveragePool};
  table["LpPool"] = {importLpPool};
  table["GlobalAveragePool"] = {importGlobalAveragePool};
  table["GlobalMaxPool"] = {importGlobalMaxPool};
  table["BatchNormalization"] = {importBatchNormalization};
  table["Gemm"] = {importGemm};
  table["MatMul"] = {importMatMul};
}
