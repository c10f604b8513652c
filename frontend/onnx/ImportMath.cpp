//===- ImportMath.cpp - Import ONNX activations, predicates and selections -===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file imports the ONNX operators that decompose exactly into a few nn
// ops (no nn op of their own):
//   - activations: Reciprocal (1 / x), LeakyRelu, PRelu and Elu (a select on
//     x < 0), HardSigmoid and HardSwish (clip), Gelu (erf, or tanh when
//     approximate), Softplus (log(exp(x) + 1)), Mean (a sum divided by the
//     count), LogSoftmax (x - max - log(sum(exp(x - max))));
//   - predicates: Equal, Less, Greater, LessOrEqual, GreaterOrEqual
//     (nn.compare), Not (x == false), And (select(a, b, a)), Where
//     (nn.select);
// and the ones with an nn op of their own: Cast, ArgMax, CumSum and TopK.
// Per-opset differences: LogSoftmax before 13 flattens at its axis (default
// 1) like Softmax; TopK takes k as an attribute before 10 and as an input
// from 10 (largest from 11); CumSum's axis is an input.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/NodeImporter.h"

#include <cmath>

using namespace mlir;
using namespace lathe::frontend;
namespace nn = lathe::nn;

namespace {

Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// Binds output 0 to `v` unless it failed.
LogicalResult bind(NodeImporter &n, FailureOr<Value> v) {
  if (failed(v))
    return failure();
  return n.setOutput(0, *v);
}

/// Shorthands for building nn ops at the node.
struct Builder {
  NodeImporter &n;
  template <typename OpTy>
  FailureOr<Value> binary(FailureOr<Value> a, FailureOr<Value> b) {
    if (failed(a) || failed(b))
      return failure();
    return n.create<OpTy>(ValueRange{*a, *b});
  }
  template <typename OpTy> FailureOr<Value> unary(FailureOr<Value> a) {
    if (failed(a))
      return failure();
    return n.create<OpTy>(*a);
  }
  FailureOr<Value> compare(nn::CompareKind kind, FailureOr<Value> a,
                           FailureOr<Value> b) {
    if (failed(a) || failed(b))
      return failure();
    return n.create<nn::CompareOp>(
        ValueRange{*a, *b},
        {n.namedAttr("kind", nn::CompareKindAttr::get(&n.ctx(), kind))});
  }
  FailureOr<Value> select(FailureOr<Value> c, FailureOr<Value> a,
                          FailureOr<Value> b) {
    if (failed(c) || failed(a) || failed(b))
      return failure();
    return n.create<nn::SelectOp>(ValueRange{*c, *a, *b});
  }
  FailureOr<Value> clip(FailureOr<Value> x, float lo, float hi) {
    if (failed(x))
      return failure();
    return n.create<nn::ClipOp>(*x, {n.f32("min", lo), n.f32("max", hi)});
  }
  /// A scalar of `like`'s element type.
  Value scalar(Value like, double v) {
    return n.scalar(elementTypeOf(like), v);
  }
};

/// Fails unless `x` holds floats (the decomposed activations are defined on
/// floats only).
LogicalResult expectFloat(NodeImporter &n, Value x) {
  if (isa<FloatType>(elementTypeOf(x)))
    return success();
  std::string type;
  llvm::raw_string_ostream os(type);
  os << elementTypeOf(x);
  return n.fail("expected a float input, got " + type);
}

/// Reads input 0 (a float tensor) of a one-input activation.
FailureOr<Value> activationInput(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto x = n.input(0);
  if (failed(x) || failed(expectFloat(n, *x)))
    return failure();
  return *x;
}

LogicalResult importReciprocal(NodeImporter &n) {
  auto x = activationInput(n);
  if (failed(x))
    return failure();
  Builder b{n};
  return bind(n, b.binary<nn::DivOp>(b.scalar(*x, 1.0), *x));
}

/// select(x < 0, x * slope, x): LeakyRelu (slope alpha), PRelu (slope input).
LogicalResult importLeakyRelu(NodeImporter &n) {
  auto alpha = n.floatAttr("alpha", 0.01f);
  auto x = activationInput(n);
  if (failed(alpha) || failed(x))
    return failure();
  Builder b{n};
  return bind(n, b.select(b.compare(nn::CompareKind::lt, *x, b.scalar(*x, 0)),
                          b.binary<nn::MulOp>(*x, b.scalar(*x, *alpha)), *x));
}

LogicalResult importPRelu(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto x = n.input(0);
  auto slope = n.input(1);
  if (failed(x) || failed(slope) || failed(expectFloat(n, *x)))
    return failure();
  Builder b{n};
  return bind(n, b.select(b.compare(nn::CompareKind::lt, *x, b.scalar(*x, 0)),
                          b.binary<nn::MulOp>(*x, *slope), *x));
}

/// select(x < 0, alpha * (exp(x) - 1), x).
LogicalResult importElu(NodeImporter &n) {
  auto alpha = n.floatAttr("alpha", 1.0f);
  auto x = activationInput(n);
  if (failed(alpha) || failed(x))
    return failure();
  Builder b{n};
  auto negative = b.binary<nn::MulOp>(
      b.binary<nn::SubOp>(b.unary<nn::ExpOp>(*x), b.scalar(*x, 1.0)),
      b.scalar(*x, *alpha));
  return bind(n, b.select(b.compare(nn::CompareKind::lt, *x, b.scalar(*x, 0)),
                          negative, *x));
}

/// clip(alpha * x + beta, 0, 1), times x for HardSwish.
LogicalResult importHardSigmoid(NodeImporter &n) {
  auto alpha = n.floatAttr("alpha", 0.2f);
  auto beta = n.floatAttr("beta", 0.5f);
  auto x = activationInput(n);
  if (failed(alpha) || failed(beta) || failed(x))
    return failure();
  Builder b{n};
  return bind(n, b.clip(b.binary<nn::AddOp>(
                            b.binary<nn::MulOp>(*x, b.scalar(*x, *alpha)),
                            b.scalar(*x, *beta)),
                        0.0f, 1.0f));
}

LogicalResult importHardSwish(NodeImporter &n) {
  auto x = activationInput(n);
  if (failed(x))
    return failure();
  Builder b{n};
  auto gate = b.clip(
      b.binary<nn::AddOp>(b.binary<nn::MulOp>(*x, b.scalar(*x, 1.0f / 6.0f)),
                          b.scalar(*x, 0.5)),
      0.0f, 1.0f);
  return bind(n, b.binary<nn::MulOp>(*x, gate));
}

/// 0.5 x (1 + erf(x / sqrt(2))), or with approximate = "tanh"
/// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
LogicalResult importGelu(NodeImporter &n) {
  auto approximate = n.stringAttr("approximate", "none");
  auto x = activationInput(n);
  if (failed(approximate) || failed(x))
    return failure();
  Builder b{n};
  FailureOr<Value> inner;
  if (*approximate == "none") {
    inner = b.unary<nn::ErfOp>(
        b.binary<nn::MulOp>(*x, b.scalar(*x, 1.0 / std::sqrt(2.0))));
  } else if (*approximate == "tanh") {
    auto cube = b.binary<nn::MulOp>(b.binary<nn::MulOp>(*x, *x), *x);
    auto sum = b.binary<nn::AddOp>(
        *x, b.binary<nn::MulOp>(cube, b.scalar(*x, 0.044715)));
    inner = b.unary<nn::TanhOp>(b.binary<nn::MulOp>(
        sum, b.scalar(*x, std::sqrt(2.0 / M_PI))));
  } else {
    return n.unsupportedAttr("approximate", *approximate);
  }
  auto half = b.binary<nn::MulOp>(*x, b.scalar(*x, 0.5));
  return bind(n, b.binary<nn::MulOp>(
                     half, b.binary<nn::AddOp>(inner, b.scalar(*x, 1.0))));
}

/// log(exp(x) + 1), as ONNX defines it.
LogicalResult importSoftplus(NodeImporter &n) {
  auto x = activationInput(n);
  if (failed(x))
    return failure();
  Builder b{n};
  return bind(n, b.unary<nn::LogOp>(
                     b.binary<nn::AddOp>(b.unary<nn::ExpOp>(*x),
                                         b.scalar(*x, 1.0))));
}

/// The sum of the inputs (broadcast) divided by their count.
LogicalResult importMean(NodeImporter &n) {
  if (n.numInputs() < 1)
    return n.fail("expected at least one input");
  auto acc = n.input(0);
  if (failed(acc) || failed(expectFloat(n, *acc)))
    return failure();
  Builder b{n};
  for (unsigned i = 1; i < n.numInputs(); ++i)
    acc = b.binary<nn::AddOp>(acc, n.input(i));
  if (failed(acc))
    return failure();
  if (n.numInputs() == 1)
    return n.setOutput(0, *acc);
  return bind(n, b.binary<nn::DivOp>(*acc, b.scalar(*acc, n.numInputs())));
}

/// log(softmax(x)) along one axis, as x - max - log(sum(exp(x - max))); the
/// flattening of opsets before 13 as for Softmax.
LogicalResult importLogSoftmax(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  bool coerce2d = n.opset() < 13;
  auto axis = n.intAttr("axis", coerce2d ? 1 : -1);
  auto x = n.input(0);
  if (failed(axis) || failed(x) || failed(expectFloat(n, *x)))
    return failure();
  auto xTy = cast<RankedTensorType>(x->getType());
  int64_t rank = xTy.getRank();
  if (*axis < -rank || *axis >= rank)
    return n.fail("axis " + std::to_string(*axis) +
                  " is out of range for an input of rank " +
                  std::to_string(rank));
  int64_t a = *axis < 0 ? *axis + rank : *axis;
  FailureOr<Value> in = *x;
  if (coerce2d && a != rank - 1) {
    in = n.create<nn::FlattenOp>(*x, {n.i64("axis", a)});
    a = 1;
  }
  if (failed(in))
    return failure();
  auto reduce = [&](nn::ReduceKind kind, FailureOr<Value> v) {
    if (failed(v))
      return v;
    return n.create<nn::ReduceOp>(
        *v, {n.namedAttr("kind", nn::ReduceKindAttr::get(&n.ctx(), kind)),
             n.i64Array("axes", {a}), n.unit("keepdims")});
  };
  Builder b{n};
  auto shifted = b.binary<nn::SubOp>(*in, reduce(nn::ReduceKind::max, *in));
  auto logSum = b.unary<nn::LogOp>(
      reduce(nn::ReduceKind::sum, b.unary<nn::ExpOp>(shifted)));
  auto y = b.binary<nn::SubOp>(shifted, logSum);
  if (failed(y))
    return failure();
  return bind(n, n.reshape(*y, xTy.getShape()));
}

/// Equal, Less, Greater, LessOrEqual, GreaterOrEqual.
template <nn::CompareKind kind> LogicalResult importCompare(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  Builder b{n};
  return bind(n, b.compare(kind, n.input(0), n.input(1)));
}

/// x == false.
LogicalResult importNot(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto x = n.input(0);
  if (failed(x))
    return failure();
  Builder b{n};
  return bind(n, b.compare(nn::CompareKind::eq, *x, b.scalar(*x, 0)));
}

/// select(a, b, a): b where a holds, else a (false).
LogicalResult importAnd(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto a = n.input(0);
  auto c = n.input(1);
  if (failed(a) || failed(c))
    return failure();
  Builder b{n};
  return bind(n, b.select(*a, *c, *a));
}

LogicalResult importWhere(NodeImporter &n) {
  if (failed(n.expectInputs(3, 3)))
    return failure();
  Builder b{n};
  return bind(n, b.select(n.input(0), n.input(1), n.input(2)));
}

LogicalResult importArgMax(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto axis = n.intAttr("axis", 0);
  auto keepdims = n.intAttr("keepdims", 1);
  auto last = n.intAttr("select_last_index", 0);
  auto x = n.input(0);
  if (failed(axis) || failed(keepdims) || failed(last) || failed(x))
    return failure();
  SmallVector<NamedAttribute> attrs = {n.i64("axis", *axis)};
  if (*keepdims)
    attrs.push_back(n.unit("keepdims"));
  if (*last)
    attrs.push_back(n.unit("select_last_index"));
  return bind(n, n.create<nn::ArgMaxOp>(*x, attrs));
}

LogicalResult importCumSum(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto exclusive = n.intAttr("exclusive", 0);
  auto reverse = n.intAttr("reverse", 0);
  auto axis = n.constantInts(1, "axis");
  auto x = n.input(0);
  if (failed(exclusive) || failed(reverse) || failed(axis) || failed(x))
    return failure();
  if (axis->size() != 1)
    return n.fail("expected one axis, got " + std::to_string(axis->size()));
  SmallVector<NamedAttribute> attrs = {n.i64("axis", axis->front())};
  if (*exclusive)
    attrs.push_back(n.unit("exclusive"));
  if (*reverse)
    attrs.push_back(n.unit("reverse"));
  return bind(n, n.create<nn::CumSumOp>(*x, attrs));
}

LogicalResult importTopK(NodeImporter &n) {
  if (failed(n.rejectMovedAttrs({"k"}, 10)))
    return failure();
  if (failed(n.expectInputs(n.opset() < 10 ? 1 : 2, n.opset() < 10 ? 1 : 2)))
    return failure();
  auto axis = n.intAttr("axis", -1);
  auto largest = n.intAttr("largest", 1);
  auto sorted = n.intAttr("sorted", 1);
  auto x = n.input(0);
  if (failed(axis) || failed(largest) || failed(sorted) || failed(x))
    return failure();
  int64_t k;
  if (n.opset() < 10) {
    auto attr = n.intAttr("k", -1);
    if (failed(attr))
      return failure();
    if (!n.attr("k"))
      return n.fail("missing attribute k");
    k = *attr;
  } else {
    auto in = n.constantInts(1, "K");
    if (failed(in))
      return failure();
    if (in->size() != 1)
      return n.fail("expected one K, got " + std::to_string(in->size()));
    k = in->front();
  }
  // sorted = 0 leaves the order unspecified; sorted order is one of them.
  SmallVector<NamedAttribute> attrs = {n.i64("k", k), n.i64("axis", *axis)};
  if (*largest)
    attrs.push_back(n.unit("largest"));
  auto op = n.createOp<nn::TopKOp>(*x, attrs);
  if (failed(op) || failed(n.setOutput(0, (*op)->getResult(0))))
    return failure();
  return n.setOutput(1, (*op)->getResult(1));
}

} // namespace

void lathe::frontend::registerMathOps(OpTable &table) {
  table["Reciprocal"] = {importReciprocal};
  table["LeakyRelu"] = {importLeakyRelu};
  table["PRelu"] = {importPRelu};
  table["Elu"] = {importElu};
  table["HardSigmoid"] = {importHardSigmoid};
  table["HardSwish"] = {importHardSwish, 14};
  table["Gelu"] = {importGelu, 20};
  table["Softplus"] = {importSoftplus};
  table["Mean"] = {importMean};
  table["LogSoftmax"] = {importLogSoftmax};
  table["Equal"] = {importCompare<nn::CompareKind::eq>};
  table["Less"] = {importCompare<nn::CompareKind::lt>};
  table["Greater"] = {importCompare<nn::CompareKind::gt>};
  table["LessOrEqual"] = {importCompare<nn::CompareKind::le>, 12};
  table["GreaterOrEqual"] = {importCompare<nn::CompareKind::ge>, 12};
  table["Not"] = {importNot};
  table["And"] = {importAnd};
  table["Where"] = {importWhere, 9};
  table["ArgMax"] = {importArgMax};
  table["CumSum"] = {importCumSum, 11};
  table["TopK"] = {importTopK};
}
