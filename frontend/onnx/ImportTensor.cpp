//===- ImportTensor.cpp - Import ONNX tensor-building and resampling ops ---===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file imports the ONNX operators that build or rearrange tensors:
//   - folded to constants: Size, Range on constant inputs, and the
//     HannWindow, HammingWindow and BlackmanWindow of a constant size;
//   - decomposed into nn data movement: Expand (a multiply by ones of the
//     broadcast shape), Tile (a broadcast over interleaved unit dims, then a
//     reshape), DepthToSpace and SpaceToDepth (reshape, transpose, reshape);
//   - with an nn op of their own: GatherElements, GatherND, ScatterElements
//     (and the deprecated Scatter, its form without reduction), ScatterND and
//     Resize. Constant indices are checked against data at import; indices
//     computed at run time are clamped by the lowering.
// Resize's per-opset forms: opset 10 takes (X, scales) and maps coordinates
// asymmetrically; 11 adds roi and sizes and coordinate_transformation_mode;
// 13 makes roi and scales optional; 18 adds axes, antialias and
// keep_aspect_ratio_policy; 19 adds half_pixel_symmetric.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/NodeImporter.h"

#include "mlir/Dialect/Traits.h"

#include <cmath>

using namespace mlir;
using namespace lathe::frontend;
namespace nn = lathe::nn;

namespace {

LogicalResult bind(NodeImporter &n, FailureOr<Value> v) {
  if (failed(v))
    return failure();
  return n.setOutput(0, *v);
}

/// A constant of `shape` filled with one of `elementType`.
Value ones(NodeImporter &n, Type elementType, ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, elementType);
  Attribute one = isa<FloatType>(elementType)
                      ? Attribute(FloatAttr::get(elementType, 1.0))
                      : Attribute(IntegerAttr::get(elementType, 1));
  return n.constant(cast<ElementsAttr>(DenseElementsAttr::get(type, one)));
}

LogicalResult importSize(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto ty = n.inputType(0);
  if (failed(ty))
    return failure();
  return n.setConstantOutput(0, makeIntConstant(IntegerType::get(&n.ctx(), 64),
                                                {}, {ty->getNumElements()}));
}

/// Range(start, limit, delta) on constants: max(ceil((limit - start) /
/// delta), 0) values start + i * delta.
LogicalResult importRange(NodeImporter &n) {
  if (failed(n.expectInputs(3, 3)))
    return failure();
  auto ty = n.inputType(0);
  if (failed(ty))
    return failure();
  Type elemTy = ty->getElementType();
  if (isa<IntegerType>(elemTy)) {
    auto start = n.constantInts(0, "start");
    auto limit = n.constantInts(1, "limit");
    auto delta = n.constantInts(2, "delta");
    if (failed(start) || failed(limit) || failed(delta))
      return failure();
    if (start->size() != 1 || limit->size() != 1 || delta->size() != 1 ||
        delta->front() == 0)
      return n.fail("expected scalar start, limit and a non-zero delta");
    int64_t s = start->front(), l = limit->front(), d = delta->front();
    int64_t count = std::max<int64_t>(
        0, static_cast<int64_t>(std::ceil(double(l - s) / double(d))));
    if (count > (int64_t(1) << 24))
      return n.fail("the range has " + std::to_string(count) +
                    " elements, more than Lathe folds");
    SmallVector<int64_t> values;
    for (int64_t i = 0; i < count; ++i)
      values.push_back(s + i * d);
    return n.setConstantOutput(0, makeIntConstant(elemTy, {count}, values));
  }
  auto start = n.constantFloat(0, "start");
  auto limit = n.constantFloat(1, "limit");
  auto delta = n.constantFloat(2, "delta");
  if (failed(start) || failed(limit) || failed(delta))
    return failure();
  if (*delta == 0.0f)
    return n.fail("delta is 0");
  double count = std::ceil((double(*limit) - *start) / *delta);
  if (!(count <= double(int64_t(1) << 24)))
    return n.fail("the range is too long to fold");
  SmallVector<float> values;
  for (int64_t i = 0; i < static_cast<int64_t>(std::max(count, 0.0)); ++i)
    values.push_back(*start + static_cast<float>(i) * *delta);
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    elemTy);
  return n.setConstantOutput(
      0, cast<ElementsAttr>(DenseElementsAttr::get(type, ArrayRef(values))));
}

/// Expand: x * ones(shape), broadcasting both ways as numpy does.
LogicalResult importExpand(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto shape = n.constantInts(1, "shape");
  auto x = n.input(0);
  if (failed(shape) || failed(x))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  SmallVector<int64_t> out;
  if (!OpTrait::util::getBroadcastedShape(xTy.getShape(), *shape, out))
    return n.fail("shape [" + joinInts(*shape) +
                  "] does not broadcast with the input [" +
                  joinInts(xTy.getShape()) + "]");
  if (ArrayRef<int64_t>(out) == xTy.getShape())
    return n.setOutput(0, *x);
  return bind(n, n.create<nn::MulOp>(
                     ValueRange{*x, ones(n, xTy.getElementType(), out)}));
}

/// Tile: x [d0, d1, ...] seen as [1, d0, 1, d1, ...], broadcast against
/// ones [r0, 1, r1, 1, ...], reshaped to [r0 d0, r1 d1, ...].
LogicalResult importTile(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto repeats = n.constantInts(1, "repeats");
  auto x = n.input(0);
  if (failed(repeats) || failed(x))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  if (static_cast<int64_t>(repeats->size()) != xTy.getRank())
    return n.fail("expected " + std::to_string(xTy.getRank()) +
                  " repeats, got " + std::to_string(repeats->size()));
  SmallVector<int64_t> spread, reps, out;
  for (auto [d, r] : llvm::zip(xTy.getShape(), *repeats)) {
    if (r < 0)
      return n.fail("negative repeats [" + joinInts(*repeats) + "]");
    spread.append({1, d});
    reps.append({r, 1});
    out.push_back(d * r);
  }
  auto wide = n.reshape(*x, spread);
  if (failed(wide))
    return failure();
  auto tiled = n.create<nn::MulOp>(
      ValueRange{*wide, ones(n, xTy.getElementType(), reps)});
  if (failed(tiled))
    return failure();
  return bind(n, n.reshape(*tiled, out));
}

/// reshape(transpose(reshape(x, split), perm), result).
LogicalResult reshuffle(NodeImporter &n, Value x, ArrayRef<int64_t> split,
                        ArrayRef<int64_t> perm, ArrayRef<int64_t> result) {
  auto a = n.reshape(x, split);
  if (failed(a))
    return failure();
  auto t = n.create<nn::TransposeOp>(*a, {n.i64Array("perm", perm)});
  if (failed(t))
    return failure();
  return bind(n, n.reshape(*t, result));
}

/// DepthToSpace and SpaceToDepth on NCHW with a block size b.
template <bool toSpace> LogicalResult importDepthSpace(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto block = n.intAttr("blocksize", 0);
  auto mode = n.stringAttr("mode", "DCR");
  auto x = n.input(0);
  if (failed(block) || failed(mode) || failed(x))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  if (xTy.getRank() != 4)
    return n.fail("expected an NCHW input of rank 4, got rank " +
                  std::to_string(xTy.getRank()));
  int64_t b = *block, N = xTy.getDimSize(0), C = xTy.getDimSize(1),
          H = xTy.getDimSize(2), W = xTy.getDimSize(3);
  if (b < 1)
    return n.unsupportedAttr("blocksize", std::to_string(b));
  if (toSpace) {
    if (C % (b * b))
      return n.fail("channels (" + std::to_string(C) +
                    ") are not divisible by blocksize^2");
    int64_t c = C / (b * b);
    if (*mode == "DCR")
      return reshuffle(n, *x, {N, b, b, c, H, W}, {0, 3, 4, 1, 5, 2},
                       {N, c, H * b, W * b});
    if (*mode == "CRD")
      return reshuffle(n, *x, {N, c, b, b, H, W}, {0, 1, 4, 2, 5, 3},
                       {N, c, H * b, W * b});
    return n.unsupportedAttr("mode", *mode);
  }
  if (H % b || W % b)
    return n.fail("height and width are not divisible by blocksize " +
                  std::to_string(b));
  return reshuffle(n, *x, {N, C, H / b, b, W / b, b}, {0, 3, 5, 1, 2, 4},
                   {N, C * b * b, H / b, W / b});
}

LogicalResult importGatherElements(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto axis = n.intAttr("axis", 0);
  auto data = n.input(0);
  auto idx = n.input(1);
  if (failed(axis) || failed(data) || failed(idx))
    return failure();
  return bind(n, n.create<nn::GatherElementsOp>(ValueRange{*data, *idx},
                                                {n.i64("axis", *axis)}));
}

/// When the indices (input 1) are a constant, fails on the first one outside
/// [-size, size), where `sizeOf(p)` is the size of the data dim that the
/// index at flat position `p` addresses.
LogicalResult
checkConstantIndices(NodeImporter &n,
                     llvm::function_ref<int64_t(int64_t)> sizeOf) {
  if (!n.isConstantInput(1))
    return success();
  auto indices = n.constantInts(1, "indices");
  if (failed(indices))
    return failure();
  for (auto [p, i] : llvm::enumerate(*indices)) {
    int64_t size = sizeOf(p);
    if (ShapedType::isDynamic(size) || (i >= -size && i < size))
      continue;
    return n.fail("index " + std::to_string(i) +
                  " is out of range for a dimension of size " +
                  std::to_string(size));
  }
  return success();
}

LogicalResult importGatherND(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto batch = n.intAttr("batch_dims", 0);
  auto dataTy = n.inputType(0);
  auto idxTy = n.inputType(1);
  if (failed(batch) || failed(dataTy) || failed(idxTy))
    return failure();
  // Shapes are checked by the op; the range check needs a static tuple size.
  int64_t k = idxTy->getRank() ? idxTy->getShape().back() : 0;
  if (k > 0 && !ShapedType::isDynamic(k) && *batch + k <= dataTy->getRank() &&
      *batch >= 0 && failed(checkConstantIndices(n, [&](int64_t p) {
        return dataTy->getDimSize(*batch + p % k);
      })))
    return failure();
  auto data = n.input(0);
  auto idx = n.input(1);
  if (failed(data) || failed(idx))
    return failure();
  return bind(n, n.create<nn::GatherNDOp>(ValueRange{*data, *idx},
                                          {n.i64("batch_dims", *batch)}));
}

/// The `reduction` attribute of ScatterElements and ScatterND (from opset 16;
/// "none" before).
FailureOr<nn::ScatterReduction> scatterReduction(NodeImporter &n) {
  auto name = n.stringAttr("reduction", "none");
  if (failed(name))
    return failure();
  std::optional<nn::ScatterReduction> kind =
      nn::symbolizeScatterReduction(*name);
  if (!kind)
    return n.unsupportedAttr("reduction", *name);
  return *kind;
}

/// ScatterElements, and Scatter (opsets 9 and 10), which is the same without
/// reduction.
LogicalResult importScatterElements(NodeImporter &n) {
  if (failed(n.expectInputs(3, 3)))
    return failure();
  auto axis = n.intAttr("axis", 0);
  auto reduction = scatterReduction(n);
  auto dataTy = n.inputType(0);
  if (failed(axis) || failed(reduction) || failed(dataTy))
    return failure();
  int64_t rank = dataTy->getRank();
  if (*axis >= -rank && *axis < rank &&
      failed(checkConstantIndices(n, [&](int64_t) {
        return dataTy->getDimSize(*axis < 0 ? *axis + rank : *axis);
      })))
    return failure();
  auto data = n.input(0);
  auto idx = n.input(1);
  auto updates = n.input(2);
  if (failed(data) || failed(idx) || failed(updates))
    return failure();
  return bind(n, n.create<nn::ScatterElementsOp>(
                     ValueRange{*data, *idx, *updates},
                     {n.i64("axis", *axis),
                      n.namedAttr("reduction", nn::ScatterReductionAttr::get(
                                                   &n.ctx(), *reduction))}));
}

LogicalResult importScatterND(NodeImporter &n) {
  if (failed(n.expectInputs(3, 3)))
    return failure();
  auto reduction = scatterReduction(n);
  auto dataTy = n.inputType(0);
  auto idxTy = n.inputType(1);
  if (failed(reduction) || failed(dataTy) || failed(idxTy))
    return failure();
  int64_t k = idxTy->getRank() ? idxTy->getShape().back() : 0;
  if (k > 0 && !ShapedType::isDynamic(k) && k <= dataTy->getRank() &&
      failed(checkConstantIndices(
          n, [&](int64_t p) { return dataTy->getDimSize(p % k); })))
    return failure();
  auto data = n.input(0);
  auto idx = n.input(1);
  auto updates = n.input(2);
  if (failed(data) || failed(idx) || failed(updates))
    return failure();
  return bind(n, n.create<nn::ScatterNDOp>(
                     ValueRange{*data, *idx, *updates},
                     {n.namedAttr("reduction", nn::ScatterReductionAttr::get(
                                                   &n.ctx(), *reduction))}));
}

/// Reads constant float input `i` (any count); empty when absent.
FailureOr<SmallVector<float>> optionalFloats(NodeImporter &n, unsigned i,
                                             StringRef role) {
  if (!n.hasInput(i))
    return SmallVector<float>();
  auto c = n.constantInput(i, role);
  if (failed(c))
    return failure();
  auto floats = readFloats(*c);
  if (failed(floats))
    return n.fail("input '" + n.node().input(i) + "' (" + role +
                  ") must hold f32 values");
  return *floats;
}

LogicalResult importResize(NodeImporter &n) {
  int64_t opset = n.opset();
  if (failed(n.expectInputs(opset < 11 ? 2 : 1, opset < 11 ? 2 : 4)))
    return failure();
  auto mode = n.stringAttr("mode", "nearest");
  auto coord = n.stringAttr("coordinate_transformation_mode",
                            opset < 11 ? "asymmetric" : "half_pixel");
  // Resize-10 rounds down like Upsample (as ONNX Runtime does).
  auto nearest = n.stringAttr("nearest_mode",
                              opset < 11 ? "floor" : "round_prefer_floor");
  auto antialias = n.intAttr("antialias", 0);
  auto policy = n.stringAttr("keep_aspect_ratio_policy", "stretch");
  auto axesAttr = n.intsAttr("axes");
  auto cubicA = n.floatAttr("cubic_coeff_a", -0.75f);
  auto excludeOutside = n.intAttr("exclude_outside", 0);
  if (failed(cubicA) || failed(excludeOutside))
    return failure();
  auto x = n.input(0);
  if (failed(mode) || failed(coord) || failed(nearest) || failed(antialias) ||
      failed(policy) || failed(axesAttr) || failed(x))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  int64_t rank = xTy.getRank();
  ArrayRef<int64_t> in = xTy.getShape();

  std::optional<nn::ResizeMode> resizeMode = nn::symbolizeResizeMode(*mode);
  if (!resizeMode)
    return n.unsupportedAttr("mode", *mode);
  std::optional<nn::CoordinateMode> coordMode =
      nn::symbolizeCoordinateMode(*coord);
  if (!coordMode)
    return n.unsupportedAttr("coordinate_transformation_mode", *coord);
  std::optional<nn::NearestMode> nearestMode =
      nn::symbolizeNearestMode(*nearest);
  if (!nearestMode)
    return n.unsupportedAttr("nearest_mode", *nearest);
  if (*antialias && *resizeMode == nn::ResizeMode::nearest)
    return n.unsupportedAttr("antialias", std::to_string(*antialias),
                             "with mode nearest");
  auto extrapolation = n.floatAttr("extrapolation_value", 0.0f);
  if (failed(extrapolation))
    return failure();

  // Scales and sizes, over `axes` (all dims by default).
  SmallVector<int64_t> axes;
  if (*axesAttr) {
    for (int64_t a : **axesAttr) {
      if (a < -rank || a >= rank)
        return n.fail("axis " + std::to_string(a) + " is out of range");
      axes.push_back(a < 0 ? a + rank : a);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  auto givenScales = optionalFloats(n, opset < 11 ? 1 : 2, "scales");
  if (failed(givenScales))
    return failure();
  SmallVector<int64_t> givenSizes;
  if (opset >= 11 && n.hasInput(3)) {
    auto s = n.constantInts(3, "sizes");
    if (failed(s))
      return failure();
    givenSizes = *s;
  }
  SmallVector<double> scales(rank, 1.0);
  SmallVector<int64_t> sizes(in);
  size_t naxes = axes.size();
  if (!givenSizes.empty()) {
    if (!givenScales->empty())
      return n.fail("both scales and sizes are given");
    if (givenSizes.size() != naxes)
      return n.fail("expected " + std::to_string(naxes) + " sizes, got " +
                    std::to_string(givenSizes.size()));
    for (auto [k, a] : llvm::enumerate(axes)) {
      sizes[a] = givenSizes[k];
      scales[a] = double(givenSizes[k]) / double(in[a]);
    }
    if (*policy != "stretch") {
      if (*policy != "not_larger" && *policy != "not_smaller")
        return n.unsupportedAttr("keep_aspect_ratio_policy", *policy);
      double scale = scales[axes.front()];
      for (int64_t a : axes)
        scale = *policy == "not_larger" ? std::min(scale, scales[a])
                                        : std::max(scale, scales[a]);
      for (int64_t a : axes) {
        scales[a] = scale;
        sizes[a] = static_cast<int64_t>(scale * double(in[a]) + 0.5);
      }
    }
  } else {
    if (givenScales->size() != naxes)
      return n.fail("expected " + std::to_string(naxes) +
                    " scales (or sizes), got " +
                    std::to_string(givenScales->size()));
    for (auto [k, a] : llvm::enumerate(axes)) {
      if (!((*givenScales)[k] > 0.0f))
        return n.fail("expected positive scales");
      scales[a] = (*givenScales)[k];
      sizes[a] = static_cast<int64_t>(scales[a] * double(in[a]));
    }
  }
  SmallVector<NamedAttribute> attrs = {
      n.i64Array("sizes", sizes),
      n.namedAttr("scales", n.builder().getDenseF64ArrayAttr(scales)),
      n.namedAttr("mode", nn::ResizeModeAttr::get(&n.ctx(), *resizeMode)),
      n.namedAttr("coordinate_mode",
                  nn::CoordinateModeAttr::get(&n.ctx(), *coordMode)),
      n.namedAttr("nearest_mode",
                  nn::NearestModeAttr::get(&n.ctx(), *nearestMode))};
  if (*coordMode == nn::CoordinateMode::tf_crop_and_resize) {
    // roi: starts then ends over `axes`; the other dims keep [0, 1].
    auto givenRoi = optionalFloats(n, 1, "roi");
    if (failed(givenRoi))
      return failure();
    if (givenRoi->size() != 2 * naxes)
      return n.fail("expected a roi of " + std::to_string(2 * naxes) +
                    " values for tf_crop_and_resize, got " +
                    std::to_string(givenRoi->size()));
    SmallVector<double> roi(rank, 0.0);
    roi.append(rank, 1.0);
    for (auto [k, a] : llvm::enumerate(axes)) {
      roi[a] = (*givenRoi)[k];
      roi[rank + a] = (*givenRoi)[naxes + k];
    }
    attrs.push_back(n.namedAttr("roi", n.builder().getDenseF64ArrayAttr(roi)));
    attrs.push_back(n.namedAttr(
        "extrapolation_value", n.builder().getF64FloatAttr(*extrapolation)));
  }
  if (*antialias)
    attrs.push_back(n.unit("antialias"));
  if (*resizeMode == nn::ResizeMode::cubic) {
    attrs.push_back(
        n.namedAttr("cubic_coeff_a", n.builder().getF64FloatAttr(*cubicA)));
    if (*excludeOutside)
      attrs.push_back(n.unit("exclude_outside"));
  }
  return bind(n, n.create<nn::ResizeOp>(*x, attrs));
}

/// The window functions (opset 17) of a constant size, folded to constants
/// computed in double: Hann (sin^2(pi n / N)), Hamming (25/46 - 21/46
/// cos(2 pi n / N)) and Blackman (0.42 - 0.5 cos(2 pi n / N) + 0.08
/// cos(4 pi n / N)), N being the size when periodic, else size - 1.
template <int kind> LogicalResult importWindow(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto periodic = n.intAttr("periodic", 1);
  auto dtype = n.intAttr("output_datatype", 1);
  auto size = n.constantInts(0, "size");
  if (failed(periodic) || failed(dtype) || failed(size))
    return failure();
  if (size->size() != 1 || size->front() < 0)
    return n.fail("expected one non-negative size");
  Type elt = n.state().elementType(*dtype);
  if (!elt || !isa<FloatType>(elt))
    return n.unsupportedAttr("output_datatype", std::to_string(*dtype),
                             "Lathe imports float windows");
  int64_t count = size->front();
  double N = *periodic ? double(count) : double(count - 1);
  SmallVector<APFloat> values;
  for (int64_t i = 0; i < count; ++i) {
    double t = double(i) * M_PI / N, v;
    if (kind == 0)
      v = std::sin(t) * std::sin(t);
    else if (kind == 1)
      v = 25.0 / 46.0 - std::cos(2 * t) * (1 - 25.0 / 46.0);
    else
      v = 0.42 - 0.5 * std::cos(2 * t) + 0.08 * std::cos(4 * t);
    APFloat f(v);
    bool lost;
    f.convert(cast<FloatType>(elt).getFloatSemantics(),
              APFloat::rmNearestTiesToEven, &lost);
    values.push_back(f);
  }
  return n.setConstantOutput(
      0, DenseElementsAttr::get(RankedTensorType::get({count}, elt), values));
}

} // namespace

void lathe::frontend::registerTensorOps(OpTable &table) {
  table["Size"] = {importSize};
  table["Range"] = {importRange, 11};
  table["HannWindow"] = {importWindow<0>, 17};
  table["HammingWindow"] = {importWindow<1>, 17};
  table["BlackmanWindow"] = {importWindow<2>, 17};
  table["Expand"] = {importExpand, 8};
  table["Tile"] = {importTile};
  table["DepthToSpace"] = {importDepthSpace</*toSpace=*/true>};
  table["SpaceToDepth"] = {importDepthSpace</*toSpace=*/false>};
  table["GatherElements"] = {importGatherElements, 11};
  table["GatherND"] = {importGatherND, 11};
  table["Scatter"] = {importScatterElements, 9};
  table["ScatterElements"] = {importScatterElements, 11};
  table["ScatterND"] = {importScatterND, 11};
  table["Resize"] = {importResize, 10};
}
