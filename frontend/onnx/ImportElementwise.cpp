//===- ImportElementwise.cpp - Import ONNX elementwise ops and reductions -===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file imports the elementwise ONNX operators (unary activations, the
// broadcasting binary ops, variadic Max/Min/Sum as chains of binary ops,
// Clip), and the ops that normalize or reduce along axes: Softmax,
// LayerNormalization and ReduceSum/Mean/Max/Min, and the ones built from
// them: ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp,
// RMSNormalization, LpNormalization, MeanVarianceNormalization and
// GroupNormalization. Per-opset differences:
//   - Clip takes min/max as attributes before opset 11, as inputs from 11
//     (constant bounds give nn.clip, others nn.max and nn.min);
//   - Softmax before 13 has axis default 1 and "flatten to 2-D at axis"
//     semantics, imported as flatten + softmax + reshape unless the axis is
//     the last one; from 13 its axis defaults to -1;
//   - the Reduce ops take axes as an attribute, or as an optional input from
//     opset 13 (ReduceSum) and 18 (the others).
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/NodeImporter.h"

#include "mlir/Dialect/Traits.h"
#include "llvm/ADT/SmallBitVector.h"

#include <cfloat>
#include <type_traits>

using namespace mlir;
using namespace lathe::frontend;
namespace nn = lathe::nn;

namespace {

/// The scalar integer function of a binary nn op, for folding, or null.
template <typename OpTy> std::optional<int64_t> foldInt(int64_t a, int64_t b) {
  if constexpr (std::is_same_v<OpTy, nn::AddOp>)
    return a + b;
  if constexpr (std::is_same_v<OpTy, nn::SubOp>)
    return a - b;
  if constexpr (std::is_same_v<OpTy, nn::MulOp>)
    return a * b;
  if constexpr (std::is_same_v<OpTy, nn::DivOp>)
    return b == 0 ? std::nullopt : std::optional<int64_t>(a / b);
  if constexpr (std::is_same_v<OpTy, nn::MaxOp>)
    return std::max(a, b);
  if constexpr (std::is_same_v<OpTy, nn::MinOp>)
    return std::min(a, b);
  return std::nullopt;
}

/// Folds `OpTy` on two small integer constants (shape arithmetic), with
/// numpy broadcasting; std::nullopt when they are not both such constants.
template <typename OpTy>
std::optional<ElementsAttr> foldIntBinary(NodeImporter &n, ElementsAttr a,
                                          ElementsAttr b) {
  auto aDense = dyn_cast<DenseIntElementsAttr>(a);
  auto bDense = dyn_cast<DenseIntElementsAttr>(b);
  if (!aDense || !bDense || a.getElementType() != b.getElementType() ||
      a.getElementType().isInteger(1))
    return std::nullopt;
  auto aTy = cast<RankedTensorType>(a.getType());
  auto bTy = cast<RankedTensorType>(b.getType());
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(aTy.getShape(), bTy.getShape(),
                                          shape))
    return std::nullopt;
  int64_t count = ShapedType::getNumElements(shape);
  if (count > 64)
    return std::nullopt;
  SmallVector<int64_t> av, bv;
  for (const APInt &v : aDense.getValues<APInt>())
    av.push_back(v.getSExtValue());
  for (const APInt &v : bDense.getValues<APInt>())
    bv.push_back(v.getSExtValue());
  // The flat index of `operand` for the output's multi-index.
  auto flatIndex = [&](ArrayRef<int64_t> index, ArrayRef<int64_t> opShape) {
    int64_t flat = 0, offset = shape.size() - opShape.size();
    for (size_t d = 0; d < opShape.size(); ++d)
      flat = flat * opShape[d] + (opShape[d] == 1 ? 0 : index[offset + d]);
    return flat;
  };
  SmallVector<int64_t> out, index(shape.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    for (int64_t r = i, d = shape.size() - 1; d >= 0; --d) {
      index[d] = r % shape[d];
      r /= shape[d];
    }
    auto v = foldInt<OpTy>(av[flatIndex(index, aTy.getShape())],
                           bv[flatIndex(index, bTy.getShape())]);
    if (!v)
      return std::nullopt;
    out.push_back(*v);
  }
  return makeIntConstant(a.getElementType(), shape, out);
}

/// The constant of input `i`, if it is one.
std::optional<ElementsAttr> constantOf(NodeImporter &n, unsigned i) {
  if (!n.isConstantInput(i))
    return std::nullopt;
  auto c = n.constantInput(i, "");
  if (failed(c))
    return std::nullopt;
  return *c;
}

template <typename OpTy> LogicalResult importUnary(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  // Neg and Abs of small integer constants (shape arithmetic) fold.
  if constexpr (std::is_same_v<OpTy, nn::NegOp> ||
                std::is_same_v<OpTy, nn::AbsOp>) {
    if (auto c = constantOf(n, 0)) {
      auto dense = dyn_cast<DenseIntElementsAttr>(*c);
      if (dense && !dense.getElementType().isInteger(1)) {
        SmallVector<int64_t> values;
        for (const APInt &v : dense.getValues<APInt>()) {
          int64_t i = v.getSExtValue();
          values.push_back(std::is_same_v<OpTy, nn::NegOp> ? -i
                                                           : std::abs(i));
        }
        return n.setConstantOutput(
            0, makeIntConstant(dense.getElementType(),
                               dense.getType().getShape(), values));
      }
    }
  }
  auto x = n.input(0);
  if (failed(x))
    return failure();
  auto y = n.create<OpTy>(*x);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

template <typename OpTy> LogicalResult importBinary(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  if (auto ca = constantOf(n, 0))
    if (auto cb = constantOf(n, 1))
      if (auto folded = foldIntBinary<OpTy>(n, *ca, *cb))
        return n.setConstantOutput(0, *folded);
  auto a = n.input(0);
  auto b = n.input(1);
  if (failed(a) || failed(b))
    return failure();
  // Pow allows an exponent of another type: compute in the float type of
  // the two and give the result the base's type.
  Type baseTy = cast<RankedTensorType>(a->getType()).getElementType();
  Type expTy = cast<RankedTensorType>(b->getType()).getElementType();
  if (std::is_same_v<OpTy, nn::PowOp> && baseTy != expTy) {
    Type common = isa<FloatType>(baseTy) ? baseTy : expTy;
    if (!isa<FloatType>(common))
      common = baseTy;
    a = n.castTo(*a, common);
    b = n.castTo(*b, common);
    if (failed(a) || failed(b))
      return failure();
    auto y = n.create<OpTy>(ValueRange{*a, *b});
    if (failed(y))
      return failure();
    y = n.castTo(*y, baseTy);
    if (failed(y))
      return failure();
    return n.setOutput(0, *y);
  }
  auto y = n.create<OpTy>(ValueRange{*a, *b});
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// Max, Min and Sum take one or more inputs: a left-to-right chain of
/// binary ops.
template <typename OpTy> LogicalResult importVariadic(NodeImporter &n) {
  if (n.numInputs() < 1)
    return n.fail("expected at least one input");
  // Shape arithmetic on small integer constants folds.
  if (std::optional<ElementsAttr> folded = constantOf(n, 0)) {
    for (unsigned i = 1; folded && i < n.numInputs(); ++i) {
      std::optional<ElementsAttr> next = constantOf(n, i);
      folded = next ? foldIntBinary<OpTy>(n, *folded, *next) : std::nullopt;
    }
    if (folded && n.numInputs() > 1)
      return n.setConstantOutput(0, *folded);
  }
  auto acc = n.input(0);
  if (failed(acc))
    return failure();
  for (unsigned i = 1; i < n.numInputs(); ++i) {
    auto next = n.input(i);
    if (failed(next))
      return failure();
    acc = n.create<OpTy>(ValueRange{*acc, *next});
    if (failed(acc))
      return failure();
  }
  return n.setOutput(0, *acc);
}

LogicalResult importClip(NodeImporter &n) {
  std::optional<float> lo, hi;
  if (failed(n.rejectMovedAttrs({"min", "max"}, 11)))
    return failure();
  if (n.opset() < 11) {
    if (failed(n.expectInputs(1, 1)))
      return failure();
    // The defaults are the float range, which means unbounded.
    auto min = n.floatAttr("min", -FLT_MAX);
    auto max = n.floatAttr("max", FLT_MAX);
    if (failed(min) || failed(max))
      return failure();
    if (*min > -FLT_MAX)
      lo = *min;
    if (*max < FLT_MAX)
      hi = *max;
  } else {
    if (failed(n.expectInputs(1, 3)))
      return failure();
    // Bounds computed at run time (or not f32): max, then min, with the
    // scalar bounds broadcast.
    bool dynamic = false;
    for (unsigned i = 1; i < 3; ++i)
      if (n.hasInput(i)) {
        auto ty = n.inputType(i);
        if (failed(ty))
          return failure();
        dynamic |= !n.isConstantInput(i) || !ty->getElementType().isF32();
      }
    if (dynamic) {
      auto y = n.input(0);
      if (failed(y))
        return failure();
      if (n.hasInput(1)) {
        auto lower = n.input(1);
        if (failed(lower))
          return failure();
        y = n.create<nn::MaxOp>(ValueRange{*y, *lower});
        if (failed(y))
          return failure();
      }
      if (n.hasInput(2)) {
        auto upper = n.input(2);
        if (failed(upper))
          return failure();
        y = n.create<nn::MinOp>(ValueRange{*y, *upper});
        if (failed(y))
          return failure();
      }
      return n.setOutput(0, *y);
    }
    if (n.hasInput(1)) {
      auto min = n.constantFloat(1, "min");
      if (failed(min))
        return failure();
      lo = *min;
    }
    if (n.hasInput(2)) {
      auto max = n.constantFloat(2, "max");
      if (failed(max))
        return failure();
      hi = *max;
    }
  }
  auto x = n.input(0);
  if (failed(x))
    return failure();
  // min > max clamps everything to max, as min(max(x, min), max) does.
  if (lo && hi && *lo > *hi)
    lo = hi;
  SmallVector<NamedAttribute> attrs;
  if (lo)
    attrs.push_back(n.f32("min", *lo));
  if (hi)
    attrs.push_back(n.f32("max", *hi));
  auto y = n.create<nn::ClipOp>(*x, attrs);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importSoftmax(NodeImporter &n) {
  auto operand = softmaxOperand(n);
  if (failed(operand))
    return failure();
  // From opset 13, or on the last axis, softmax is along one axis.
  if (!operand->flattened) {
    auto y = n.create<nn::SoftmaxOp>(
        operand->value,
        {n.i64("axis", n.opset() < 13 ? -1 : operand->givenAxis)});
    if (failed(y))
      return failure();
    return n.setOutput(0, *y);
  }
  // Before 13: softmax over the flattened dims [axis, rank).
  auto soft = n.create<nn::SoftmaxOp>(operand->value, {n.i64("axis", 1)});
  if (failed(soft))
    return failure();
  auto y = n.reshape(
      *soft, cast<RankedTensorType>((*n.input(0)).getType()).getShape());
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importLayerNormalization(NodeImporter &n) {
  if (failed(n.expectInputs(2, 3)))
    return failure();
  auto axis = n.intAttr("axis", -1);
  auto epsilon = n.floatAttr("epsilon", 1e-5f);
  if (failed(axis) || failed(epsilon))
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
  auto y = n.create<nn::LayerNormOp>(
      operands, {n.i64("axis", *axis), n.f32("epsilon", *epsilon)});
  if (failed(y) || failed(n.setOutput(0, *y)))
    return failure();
  if (!n.state().consumed.contains(n.node().output_size() > 1
                                       ? n.node().output(1)
                                       : std::string()) &&
      !n.state().consumed.contains(
          n.node().output_size() > 2 ? n.node().output(2) : std::string()))
    return success();
  // The statistics outputs (Mean, InvStdDev), computed apart: mean and
  // 1 / sqrt(var + epsilon) over the normalized dims, kept as size 1.
  Value x = operands.front();
  auto xTy = cast<RankedTensorType>(x.getType());
  int64_t rank = xTy.getRank();
  if (*axis < -rank || *axis >= rank)
    return n.fail("axis out of range");
  SmallVector<int64_t> axes;
  for (int64_t i = *axis < 0 ? *axis + rank : *axis; i < rank; ++i)
    axes.push_back(i);
  auto mean = [&](Value v) {
    return n.create<nn::ReduceOp>(
        v, {n.namedAttr("kind", nn::ReduceKindAttr::get(
                                    &n.ctx(), nn::ReduceKind::mean)),
            n.i64Array("axes", axes), n.unit("keepdims")});
  };
  auto mu = mean(x);
  if (failed(mu))
    return failure();
  auto centered = n.create<nn::SubOp>(ValueRange{x, *mu});
  if (failed(centered))
    return failure();
  auto squares = n.create<nn::MulOp>(ValueRange{*centered, *centered});
  if (failed(squares))
    return failure();
  auto var = mean(*squares);
  if (failed(var))
    return failure();
  Type f = xTy.getElementType();
  auto shifted = n.create<nn::AddOp>(ValueRange{*var, n.scalar(f, *epsilon)});
  if (failed(shifted))
    return failure();
  auto std = n.create<nn::SqrtOp>(*shifted);
  if (failed(std))
    return failure();
  auto inv = n.create<nn::DivOp>(ValueRange{n.scalar(f, 1.0), *std});
  if (failed(inv) || failed(n.setOutput(1, *mu)))
    return failure();
  return n.setOutput(2, *inv);
}

/// ReduceSum/Mean/Max/Min. `axesInputSince` is the opset from which the axes
/// come as an input rather than an attribute.
template <nn::ReduceKind kind, int64_t axesInputSince, bool l2 = false>
LogicalResult importReduce(NodeImporter &n) {
  bool axesAsInput = n.opset() >= axesInputSince;
  if (failed(n.expectInputs(1, axesAsInput ? 2 : 1)))
    return failure();
  auto keepdims = n.intAttr("keepdims", 1);
  auto noopEmpty = n.intAttr("noop_with_empty_axes", 0);
  auto x = n.input(0);
  if (failed(keepdims) || failed(noopEmpty) || failed(x))
    return failure();
  SmallVector<int64_t> axes;
  if (failed(n.rejectMovedAttrs({"axes"}, axesInputSince)))
    return failure();
  if (axesAsInput) {
    if (n.hasInput(1)) {
      auto in = n.constantInts(1, "axes");
      if (failed(in))
        return failure();
      axes = *in;
    }
  } else {
    auto attr = n.intsAttr("axes");
    if (failed(attr))
      return failure();
    if (*attr)
      axes = **attr;
  }
  int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
  if (axes.empty()) {
    if (*noopEmpty && !l2)
      return n.setOutput(0, *x);
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
    if (axes.empty() && !l2) // A scalar: nothing to reduce.
      return n.setOutput(0, *x);
    if (axes.empty()) { // |x| of a scalar.
      auto y = n.create<nn::AbsOp>(*x);
      if (failed(y))
        return failure();
      return n.setOutput(0, *y);
    }
  }
  SmallVector<NamedAttribute> attrs = {
      n.namedAttr("kind", nn::ReduceKindAttr::get(&n.ctx(), kind)),
      n.i64Array("axes", axes)};
  if (*keepdims)
    attrs.push_back(n.unit("keepdims"));
  // ReduceL2 is sqrt(sum(x * x)).
  Value in = *x;
  if (l2) {
    auto squares = n.create<nn::MulOp>(ValueRange{in, in});
    if (failed(squares))
      return failure();
    in = *squares;
  }
  auto y = n.create<nn::ReduceOp>(in, attrs);
  if (succeeded(y) && l2)
    y = n.create<nn::SqrtOp>(*y);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// nn.reduce of `kind` over `axes` (kept as size 1 with `keepdims`).
FailureOr<Value> reduceAxes(NodeImporter &n, nn::ReduceKind kind,
                            FailureOr<Value> v, ArrayRef<int64_t> axes,
                            bool keepdims = true) {
  if (failed(v))
    return failure();
  SmallVector<NamedAttribute> attrs = {
      n.namedAttr("kind", nn::ReduceKindAttr::get(&n.ctx(), kind)),
      n.i64Array("axes", axes)};
  if (keepdims)
    attrs.push_back(n.unit("keepdims"));
  return n.create<nn::ReduceOp>(*v, attrs);
}

/// Builds the binary `OpTy` unless an operand failed.
template <typename OpTy>
FailureOr<Value> binaryOf(NodeImporter &n, FailureOr<Value> a,
                          FailureOr<Value> b) {
  if (failed(a) || failed(b))
    return failure();
  return n.create<OpTy>(ValueRange{*a, *b});
}

template <typename OpTy>
FailureOr<Value> unaryOf(NodeImporter &n, FailureOr<Value> a) {
  if (failed(a))
    return failure();
  return n.create<OpTy>(*a);
}

/// The reductions built from nn.reduce and elementwise ops.
enum class ReduceVariant { sumSquare, l1, logSum, logSumExp };

/// ReduceSumSquare (sum(x * x)), ReduceL1 (sum(|x|)), ReduceLogSum
/// (log(sum(x))) and ReduceLogSumExp (max + log(sum(exp(x - max))), which
/// does not overflow). Axes come as an input from opset 18. With
/// noop_with_empty_axes and no axes the result is x (x * x for
/// ReduceSumSquare), as in ONNX's reference.
template <ReduceVariant variant>
LogicalResult importReduceVariant(NodeImporter &n) {
  bool axesAsInput = n.opset() >= 18;
  if (failed(n.expectInputs(1, axesAsInput ? 2 : 1)) ||
      failed(n.rejectMovedAttrs({"axes"}, 18)))
    return failure();
  auto keepdims = n.intAttr("keepdims", 1);
  auto noopEmpty = n.intAttr("noop_with_empty_axes", 0);
  auto x = n.input(0);
  if (failed(keepdims) || failed(noopEmpty) || failed(x))
    return failure();
  if (!isa<FloatType>(cast<RankedTensorType>(x->getType()).getElementType()) &&
      variant != ReduceVariant::sumSquare && variant != ReduceVariant::l1)
    return n.fail("expected a float input");
  SmallVector<int64_t> axes;
  if (axesAsInput) {
    if (n.hasInput(1)) {
      auto in = n.constantInts(1, "axes");
      if (failed(in))
        return failure();
      axes = *in;
    }
  } else {
    auto attr = n.intsAttr("axes");
    if (failed(attr))
      return failure();
    if (*attr)
      axes = **attr;
  }
  auto xTy = cast<RankedTensorType>(x->getType());
  int64_t rank = xTy.getRank();
  if (axes.empty() && *noopEmpty) {
    if (variant != ReduceVariant::sumSquare)
      return n.setOutput(0, *x);
    auto squares = binaryOf<nn::MulOp>(n, *x, *x);
    if (failed(squares))
      return failure();
    return n.setOutput(0, *squares);
  }
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  llvm::SmallBitVector reduced(rank);
  for (int64_t &a : axes) {
    if (a < -rank || a >= rank)
      return n.fail("axis " + std::to_string(a) +
                    " is out of range for an input of rank " +
                    std::to_string(rank));
    a = a < 0 ? a + rank : a;
    reduced.set(a);
  }
  SmallVector<int64_t> outShape;
  for (int64_t i = 0; i < rank; ++i)
    if (!reduced.test(i))
      outShape.push_back(xTy.getDimSize(i));
    else if (*keepdims)
      outShape.push_back(1);
  // A scalar (nothing to reduce): the elementwise part only.
  auto sum = [&](FailureOr<Value> v) -> FailureOr<Value> {
    if (axes.empty())
      return v;
    return reduceAxes(n, nn::ReduceKind::sum, v, axes, *keepdims);
  };
  FailureOr<Value> y;
  switch (variant) {
  case ReduceVariant::sumSquare:
    y = sum(binaryOf<nn::MulOp>(n, *x, *x));
    break;
  case ReduceVariant::l1:
    y = sum(unaryOf<nn::AbsOp>(n, *x));
    break;
  case ReduceVariant::logSum:
    y = unaryOf<nn::LogOp>(n, sum(*x));
    break;
  case ReduceVariant::logSumExp: {
    if (axes.empty())
      return n.setOutput(0, *x);
    auto max = reduceAxes(n, nn::ReduceKind::max, *x, axes);
    auto sums = reduceAxes(
        n, nn::ReduceKind::sum,
        unaryOf<nn::ExpOp>(n, binaryOf<nn::SubOp>(n, *x, max)), axes);
    y = binaryOf<nn::AddOp>(n, unaryOf<nn::LogOp>(n, sums), max);
    if (succeeded(y))
      y = n.reshape(*y, outShape);
    break;
  }
  }
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// The axes from `axis` (negative counts from the end) to the last one.
FailureOr<SmallVector<int64_t>> trailingAxes(NodeImporter &n, int64_t axis,
                                             int64_t rank) {
  if (axis < -rank || axis >= rank)
    return n.fail("axis " + std::to_string(axis) +
                  " is out of range for an input of rank " +
                  std::to_string(rank));
  SmallVector<int64_t> axes;
  for (int64_t i = axis < 0 ? axis + rank : axis; i < rank; ++i)
    axes.push_back(i);
  return axes;
}

/// x / sqrt(mean(x * x) + epsilon) * scale, the mean over the dims from
/// `axis` on.
LogicalResult importRMSNormalization(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto axis = n.intAttr("axis", -1);
  auto epsilon = n.floatAttr("epsilon", 1e-5f);
  auto x = n.input(0);
  auto scale = n.input(1);
  if (failed(axis) || failed(epsilon) || failed(x) || failed(scale))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  if (!isa<FloatType>(xTy.getElementType()))
    return n.fail("expected a float input");
  auto axes = trailingAxes(n, *axis, xTy.getRank());
  if (failed(axes))
    return failure();
  Type f = xTy.getElementType();
  auto meanSquare = reduceAxes(n, nn::ReduceKind::mean,
                               binaryOf<nn::MulOp>(n, *x, *x), *axes);
  auto rms = unaryOf<nn::SqrtOp>(
      n, binaryOf<nn::AddOp>(n, meanSquare, n.scalar(f, *epsilon)));
  auto y = binaryOf<nn::MulOp>(n, binaryOf<nn::DivOp>(n, *x, rms), *scale);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// x divided by its L1 (sum |x|) or L2 (sqrt(sum x * x)) norm along `axis`.
LogicalResult importLpNormalization(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto axis = n.intAttr("axis", -1);
  auto p = n.intAttr("p", 2);
  auto x = n.input(0);
  if (failed(axis) || failed(p) || failed(x))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  int64_t rank = xTy.getRank();
  if (!isa<FloatType>(xTy.getElementType()))
    return n.fail("expected a float input");
  if (*axis < -rank || *axis >= rank)
    return n.fail("axis out of range");
  int64_t a = *axis < 0 ? *axis + rank : *axis;
  FailureOr<Value> norm;
  if (*p == 1)
    norm = reduceAxes(n, nn::ReduceKind::sum, unaryOf<nn::AbsOp>(n, *x), {a});
  else if (*p == 2)
    norm = unaryOf<nn::SqrtOp>(
        n, reduceAxes(n, nn::ReduceKind::sum, binaryOf<nn::MulOp>(n, *x, *x),
                      {a}));
  else
    return n.unsupportedAttr("p", std::to_string(*p));
  auto y = binaryOf<nn::DivOp>(n, *x, norm);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// (x - mean) / (sqrt(mean(x * x) - mean * mean) + 1e-9) over `axes`
/// (default 0, 2, 3), ONNX's function body.
LogicalResult importMeanVarianceNormalization(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto attr = n.intsAttr("axes");
  auto x = n.input(0);
  if (failed(attr) || failed(x))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  if (!isa<FloatType>(xTy.getElementType()))
    return n.fail("expected a float input");
  SmallVector<int64_t> axes = {0, 2, 3};
  if (*attr)
    axes = **attr;
  int64_t rank = xTy.getRank();
  for (int64_t &a : axes) {
    if (a < -rank || a >= rank)
      return n.fail("axis out of range");
    a = a < 0 ? a + rank : a;
  }
  Type f = xTy.getElementType();
  auto mean = reduceAxes(n, nn::ReduceKind::mean, *x, axes);
  auto meanOfSquares = reduceAxes(n, nn::ReduceKind::mean,
                                  binaryOf<nn::MulOp>(n, *x, *x), axes);
  auto std = unaryOf<nn::SqrtOp>(
      n, binaryOf<nn::SubOp>(n, meanOfSquares,
                             binaryOf<nn::MulOp>(n, mean, mean)));
  auto y = binaryOf<nn::DivOp>(
      n, binaryOf<nn::SubOp>(n, *x, mean),
      binaryOf<nn::AddOp>(n, std, n.scalar(f, 1e-9)));
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// Over [N, G, C / G * spatial]: (x - mean) / sqrt(var + epsilon), then
/// scale and bias per group (opset 18) or per channel (from 21).
LogicalResult importGroupNormalization(NodeImporter &n) {
  if (failed(n.expectInputs(3, 3)))
    return failure();
  auto epsilon = n.floatAttr("epsilon", 1e-5f);
  auto groups = n.intAttr("num_groups", 0);
  auto x = n.input(0);
  auto scale = n.input(1);
  auto bias = n.input(2);
  if (failed(epsilon) || failed(groups) || failed(x) || failed(scale) ||
      failed(bias))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  if (!isa<FloatType>(xTy.getElementType()) || !xTy.hasStaticShape() ||
      xTy.getRank() < 2)
    return n.fail("expected a static float input of rank 2 or more");
  int64_t N = xTy.getDimSize(0), C = xTy.getDimSize(1), G = *groups;
  if (G < 1 || C % G != 0)
    return n.fail("num_groups " + std::to_string(G) +
                  " does not divide the channel count " + std::to_string(C));
  int64_t S = xTy.getNumElements() / std::max<int64_t>(1, N * C);
  Type f = xTy.getElementType();
  auto grouped = n.reshape(*x, {N, G, C / G * S});
  auto mean = reduceAxes(n, nn::ReduceKind::mean, grouped, {2});
  auto centered = binaryOf<nn::SubOp>(n, grouped, mean);
  auto var = reduceAxes(n, nn::ReduceKind::mean,
                        binaryOf<nn::MulOp>(n, centered, centered), {2});
  FailureOr<Value> y = binaryOf<nn::DivOp>(
      n, centered,
      unaryOf<nn::SqrtOp>(
          n, binaryOf<nn::AddOp>(n, var, n.scalar(f, *epsilon))));
  bool perGroup = n.opset() < 21;
  int64_t affine = perGroup ? G : C;
  if (failed(y))
    return failure();
  if (!perGroup)
    y = n.reshape(*y, {N, C, S});
  auto s2 = n.reshape(*scale, {affine, 1});
  auto b2 = n.reshape(*bias, {affine, 1});
  y = binaryOf<nn::AddOp>(n, binaryOf<nn::MulOp>(n, y, s2), b2);
  if (failed(y))
    return failure();
  auto out = n.reshape(*y, xTy.getShape());
  if (failed(out))
    return failure();
  return n.setOutput(0, *out);
}

} // namespace

void lathe::frontend::registerElementwiseOps(OpTable &table) {
  table["Relu"] = {importUnary<nn::ReluOp>};
  table["Sigmoid"] = {importUnary<nn::SigmoidOp>};
  table["Tanh"] = {importUnary<nn::TanhOp>};
  table["Erf"] = {importUnary<nn::ErfOp>, 9};
  table["Exp"] = {importUnary<nn::ExpOp>};
  table["Sqrt"] = {importUnary<nn::SqrtOp>};
  table["Add"] = {importBinary<nn::AddOp>};
  table["Sub"] = {importBinary<nn::SubOp>};
  table["Mul"] = {importBinary<nn::MulOp>};
  table["Div"] = {importBinary<nn::DivOp>};
  table["Pow"] = {importBinary<nn::PowOp>};
  table["Max"] = {importVariadic<nn::MaxOp>};
  table["Min"] = {importVariadic<nn::MinOp>};
  table["Sum"] = {importVariadic<nn::AddOp>};
  table["Clip"] = {importClip};
  table["Softmax"] = {importSoftmax};
  table["LayerNormalization"] = {importLayerNormalization, 17};
  table["ReduceSum"] = {importReduce<nn::ReduceKind::sum, 13>};
  table["ReduceMean"] = {importReduce<nn::ReduceKind::mean, 18>};
  table["ReduceMax"] = {importReduce<nn::ReduceKind::max, 18>};
  table["ReduceMin"] = {importReduce<nn::ReduceKind::min, 18>};
  table["ReduceProd"] = {importReduce<nn::ReduceKind::prod, 18>};
  table["ReduceL2"] = {importReduce<nn::ReduceKind::sum, 18, /*l2=*/true>};
  table["Log"] = {importUnary<nn::LogOp>};
  table["Neg"] = {importUnary<nn::NegOp>};
  table["Abs"] = {importUnary<nn::AbsOp>};
  table["ReduceSumSquare"] = {importReduceVariant<ReduceVariant::sumSquare>};
  table["ReduceL1"] = {importReduceVariant<ReduceVariant::l1>};
  table["ReduceLogSum"] = {importReduceVariant<ReduceVariant::logSum>};
  table["ReduceLogSumExp"] = {importReduceVariant<ReduceVariant::logSumExp>};
  table["RMSNormalization"] = {importRMSNormalization, 23};
  table["LpNormalization"] = {importLpNormalization};
  table["MeanVarianceNormalization"] = {importMeanVarianceNormalization, 9};
  table["GroupNormalization"] = {importGroupNormalization, 18};
}
