//===- ImportElementwise.cpp - Import ONNX elementwise ops and reductions -===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file imports the elementwise ONNX operators (unary activations, the
// broadcasting binary ops, variadic Max/Min/Sum as chains of binary ops,
// Clip), and the ops that normalize or reduce along axes: Softmax,
// LayerNormalization and ReduceSum/Mean/Max/Min. Per-opset differences:
//   - Clip takes min/max as attributes before opset 11, as inputs from 11;
//   - Softmax before 13 has axis default 1 and "flatten to 2-D at axis"
//     semantics, imported as flatten + softmax + reshape unless the axis is
//     the last one; from 13 its axis defaults to -1;
//   - the Reduce ops take axes as an attribute, or as an optional input from
//     opset 13 (ReduceSum) and 18 (the others).
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/NodeImporter.h"

#include <cfloat>

using namespace mlir;
using namespace lathe::frontend;
namespace nn = lathe::nn;

namespace {

template <typename OpTy> LogicalResult importUnary(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
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
  auto a = n.input(0);
  auto b = n.input(1);
  if (failed(a) || failed(b))
    return failure();
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
  if (failed(n.expectInputs(1, 1)))
    return failure();
  bool coerce2d = n.opset() < 13;
  auto axis = n.intAttr("axis", coerce2d ? 1 : -1);
  auto x = n.input(0);
  if (failed(axis) || failed(x))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  int64_t rank = xTy.getRank();
  if (*axis < -rank || *axis >= rank)
    return n.fail("axis " + std::to_string(*axis) +
                  " is out of range for an input of rank " +
                  std::to_string(rank));
  int64_t a = *axis < 0 ? *axis + rank : *axis;

  // From opset 13, or on the last axis, softmax is along one axis.
  if (!coerce2d || a == rank - 1) {
    auto y =
        n.create<nn::SoftmaxOp>(*x, {n.i64("axis", coerce2d ? -1 : *axis)});
    if (failed(y))
      return failure();
    return n.setOutput(0, *y);
  }
  // Before 13: softmax over the flattened dims [axis, rank).
  auto flat = n.create<nn::FlattenOp>(*x, {n.i64("axis", a)});
  if (failed(flat))
    return failure();
  auto soft = n.create<nn::SoftmaxOp>(*flat, {n.i64("axis", 1)});
  if (failed(soft))
    return failure();
  auto y = n.reshape(*soft, xTy.getShape());
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
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// ReduceSum/Mean/Max/Min. `axesInputSince` is the opset from which the axes
/// come as an input rather than an attribute.
template <nn::ReduceKind kind, int64_t axesInputSince>
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
    if (*noopEmpty)
      return n.setOutput(0, *x);
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
    if (axes.empty()) // A scalar: nothing to reduce.
      return n.setOutput(0, *x);
  }
  SmallVector<NamedAttribute> attrs = {
      n.namedAttr("kind", nn::ReduceKindAttr::get(&n.ctx(), kind)),
      n.i64Array("axes", axes)};
  if (*keepdims)
    attrs.push_back(n.unit("keepdims"));
  auto y = n.create<nn::ReduceOp>(*x, attrs);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
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
}
