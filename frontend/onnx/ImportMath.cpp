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
//     (nn.select), Or (select(a, a, b)), Xor (not a == b), IsNaN (not
//     x == x), IsInf (x == +-inf);
//   - more activations: Selu, Celu, ThresholdedRelu, Softsign, Mish, Swish,
//     Shrink, Sign (selects and exp/tanh/sigmoid);
//   - integer Mod (a - (a / b) * b, adjusted to the divisor's sign unless
//     fmod) and float Mod with fmod (a - trunc(a / b) * b, trunc as floor or
//     ceil by sign); BitwiseNot (x ^ -1); ArgMin (ArgMax of -x, or of -1 - x
//     on integers); Hardmax and OneHot (a compare with a constant iota);
//     Trilu and EyeLike (constant masks);
//   - Sin, Cos, Tan, their inverses and hyperbolic forms, Floor, Ceil and
//     Round (halves to even) as nn.math;
// and the ones with an nn op of their own: Cast, ArgMax, CumSum, TopK and
// BitwiseAnd, BitwiseOr and BitwiseXor.
// The predicates, Where and Mod fold on small integer and boolean constants
// (the shape arithmetic of expanded function bodies, such as Attention's).
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

/// Folds the node when inputs [0, count) are all small integer or boolean
/// constants (shape arithmetic in exported graphs), elementwise with
/// broadcasting of one-element inputs: output 0 becomes the constant of
/// `fn` over each position's values, of element type `resultElt`.
/// std::nullopt when the inputs are not such constants or `fn` declines.
std::optional<LogicalResult>
foldSmallInts(NodeImporter &n, unsigned count, Type resultElt,
              llvm::function_ref<std::optional<int64_t>(ArrayRef<int64_t>)>
                  fn) {
  SmallVector<SmallVector<int64_t>> values;
  SmallVector<int64_t> shape;
  int64_t total = 1, maxRank = 0;
  for (unsigned i = 0; i < count; ++i) {
    if (!n.isConstantInput(i))
      return std::nullopt;
    auto c = n.constantInput(i, "");
    if (failed(c))
      return std::nullopt;
    auto dense = dyn_cast<DenseIntElementsAttr>(*c);
    if (!dense || dense.getNumElements() > 64)
      return std::nullopt;
    bool isBool = dense.getElementType().isInteger(1);
    SmallVector<int64_t> v;
    for (const APInt &x : dense.getValues<APInt>())
      v.push_back(isBool ? int64_t(x.getZExtValue()) : x.getSExtValue());
    auto ty = cast<RankedTensorType>(dense.getType());
    maxRank = std::max(maxRank, ty.getRank());
    if (v.size() > 1) {
      if (total > 1 && ty.getShape() != ArrayRef<int64_t>(shape))
        return std::nullopt;
      shape.assign(ty.getShape().begin(), ty.getShape().end());
      total = v.size();
    } else if (total == 1 && ty.getRank() > int64_t(shape.size())) {
      shape.assign(ty.getShape().begin(), ty.getShape().end());
    }
    values.push_back(std::move(v));
  }
  if (int64_t(shape.size()) != maxRank) // A broadcast that adds dims.
    return std::nullopt;
  SmallVector<int64_t> out;
  for (int64_t k = 0; k < total; ++k) {
    SmallVector<int64_t> args;
    for (auto &v : values)
      args.push_back(v.size() == 1 ? v[0] : v[k]);
    auto r = fn(args);
    if (!r)
      return std::nullopt;
    out.push_back(*r);
  }
  auto type = RankedTensorType::get(shape, resultElt);
  if (resultElt.isInteger(1)) {
    SmallVector<bool> bits(out.begin(), out.end());
    return n.setConstantOutput(0, DenseElementsAttr::get(type, ArrayRef(bits)));
  }
  if (!resultElt.isInteger(32) && !resultElt.isInteger(64))
    return std::nullopt;
  SmallVector<APInt> ints;
  for (int64_t x : out)
    ints.push_back(APInt(resultElt.getIntOrFloatBitWidth(), x, true));
  return n.setConstantOutput(0, DenseElementsAttr::get(type, ints));
}

/// The element type of input `i`, or null.
Type inputElementType(NodeImporter &n, unsigned i) {
  auto ty = n.inputType(i);
  return failed(ty) ? Type() : ty->getElementType();
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
  auto operand = softmaxOperand(n);
  if (failed(operand) || failed(expectFloat(n, *n.input(0))))
    return failure();
  auto xTy = cast<RankedTensorType>((*n.input(0)).getType());
  FailureOr<Value> in = operand->value;
  int64_t a = operand->axis;
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
  Type i1 = IntegerType::get(&n.ctx(), 1);
  if (auto folded = foldSmallInts(
          n, 2, i1, [](ArrayRef<int64_t> v) -> std::optional<int64_t> {
            switch (kind) {
            case nn::CompareKind::eq:
              return v[0] == v[1];
            case nn::CompareKind::lt:
              return v[0] < v[1];
            case nn::CompareKind::le:
              return v[0] <= v[1];
            case nn::CompareKind::gt:
              return v[0] > v[1];
            case nn::CompareKind::ge:
              return v[0] >= v[1];
            }
            return std::nullopt;
          }))
    return *folded;
  Builder b{n};
  return bind(n, b.compare(kind, n.input(0), n.input(1)));
}

/// x == false.
LogicalResult importNot(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  if (auto folded =
          foldSmallInts(n, 1, IntegerType::get(&n.ctx(), 1),
                        [](ArrayRef<int64_t> v) -> std::optional<int64_t> {
                          return v[0] == 0;
                        }))
    return *folded;
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
  if (auto folded =
          foldSmallInts(n, 2, IntegerType::get(&n.ctx(), 1),
                        [](ArrayRef<int64_t> v) -> std::optional<int64_t> {
                          return v[0] != 0 && v[1] != 0;
                        }))
    return *folded;
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
  if (Type elt = inputElementType(n, 1))
    if (elt == inputElementType(n, 2))
      if (auto folded = foldSmallInts(
              n, 3, elt, [](ArrayRef<int64_t> v) -> std::optional<int64_t> {
                return v[0] ? v[1] : v[2];
              }))
        return *folded;
  Builder b{n};
  return bind(n, b.select(n.input(0), n.input(1), n.input(2)));
}

/// ArgMax, and ArgMin as the ArgMax of an order-reversing map of x: -x on
/// floats, -1 - x (exact for every value) on integers.
static LogicalResult importArgExtremum(NodeImporter &n, bool minimum) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto axis = n.intAttr("axis", 0);
  auto keepdims = n.intAttr("keepdims", 1);
  auto last = n.intAttr("select_last_index", 0);
  FailureOr<Value> x = n.input(0);
  if (failed(axis) || failed(keepdims) || failed(last) || failed(x))
    return failure();
  if (minimum) {
    Builder b{n};
    x = isa<FloatType>(elementTypeOf(*x))
            ? b.unary<nn::NegOp>(*x)
            : b.binary<nn::SubOp>(b.scalar(*x, -1), *x);
    if (failed(x))
      return failure();
  }
  SmallVector<NamedAttribute> attrs = {n.i64("axis", *axis)};
  if (*keepdims)
    attrs.push_back(n.unit("keepdims"));
  if (*last)
    attrs.push_back(n.unit("select_last_index"));
  return bind(n, n.create<nn::ArgMaxOp>(*x, attrs));
}

LogicalResult importArgMax(NodeImporter &n) {
  return importArgExtremum(n, /*minimum=*/false);
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

/// select(a, a, b): true where a holds, else b.
LogicalResult importOr(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto a = n.input(0);
  auto c = n.input(1);
  if (failed(a) || failed(c))
    return failure();
  Builder b{n};
  return bind(n, b.select(*a, *a, *c));
}

/// (a == b) == false.
LogicalResult importXor(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto a = n.input(0);
  auto c = n.input(1);
  if (failed(a) || failed(c))
    return failure();
  Builder b{n};
  auto same = b.compare(nn::CompareKind::eq, *a, *c);
  if (failed(same))
    return failure();
  return bind(n, b.compare(nn::CompareKind::eq, *same, b.scalar(*same, 0)));
}

/// (x == x) == false: only NaN differs from itself (nn.compare is ordered).
LogicalResult importIsNaN(NodeImporter &n) {
  auto x = activationInput(n);
  if (failed(x))
    return failure();
  Builder b{n};
  auto self = b.compare(nn::CompareKind::eq, *x, *x);
  if (failed(self))
    return failure();
  return bind(n, b.compare(nn::CompareKind::eq, *self, b.scalar(*self, 0)));
}

/// x == +inf, x == -inf, or either, as detect_positive/detect_negative say.
LogicalResult importIsInf(NodeImporter &n) {
  auto pos = n.intAttr("detect_positive", 1);
  auto neg = n.intAttr("detect_negative", 1);
  auto x = activationInput(n);
  if (failed(pos) || failed(neg) || failed(x))
    return failure();
  Builder b{n};
  auto isPos = b.compare(nn::CompareKind::eq, *x, b.scalar(*x, INFINITY));
  auto isNeg = b.compare(nn::CompareKind::eq, *x, b.scalar(*x, -INFINITY));
  if (failed(isPos) || failed(isNeg))
    return failure();
  if (*pos && *neg)
    return bind(n, b.select(*isPos, *isPos, *isNeg));
  if (*pos)
    return n.setOutput(0, *isPos);
  if (*neg)
    return n.setOutput(0, *isNeg);
  return bind(n, b.compare(nn::CompareKind::eq, *isPos, *isNeg));
}

LogicalResult importArgMin(NodeImporter &n) {
  return importArgExtremum(n, /*minimum=*/true);
}

/// Integer Mod: r = a - (a / b) * b with truncating division (C's %, the
/// fmod = 1 result); with fmod = 0 the result takes the divisor's sign:
/// r + b where r != 0 and r, b differ in sign. Float Mod (only fmod = 1 is
/// defined): a - trunc(a / b) * b.
LogicalResult importMod(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  auto fmod = n.intAttr("fmod", 0);
  auto a = n.input(0);
  auto c = n.input(1);
  if (failed(fmod) || failed(a) || failed(c))
    return failure();
  Type elt = elementTypeOf(*a);
  Builder b{n};
  if (isa<FloatType>(elt)) {
    // ONNX defines float Mod only as C's fmod: a - trunc(a / b) * b.
    if (!*fmod)
      return n.unsupportedAttr("fmod", "0",
                               "ONNX requires fmod=1 for float inputs");
    auto q = b.binary<nn::DivOp>(*a, *c);
    if (failed(q))
      return failure();
    auto math = [&](nn::MathKind kind) -> FailureOr<Value> {
      return n.create<nn::MathOp>(
          *q, {n.namedAttr("kind", nn::MathKindAttr::get(&n.ctx(), kind))});
    };
    auto negative = b.compare(nn::CompareKind::lt, *q, b.scalar(*q, 0));
    auto up = math(nn::MathKind::ceil);
    auto down = math(nn::MathKind::floor);
    auto trunc = b.select(negative, up, down);
    return bind(n, b.binary<nn::SubOp>(*a, b.binary<nn::MulOp>(trunc, *c)));
  }
  if (!isa<IntegerType>(elt) || elt.isInteger(1))
    return n.fail("Lathe imports Mod on integers and floats only");
  bool cStyle = *fmod;
  if (auto folded = foldSmallInts(
          n, 2, elt, [&](ArrayRef<int64_t> v) -> std::optional<int64_t> {
            if (v[1] == 0 || (v[1] == -1 && v[0] == INT64_MIN))
              return std::nullopt;
            int64_t r = v[0] % v[1];
            if (!cStyle && r != 0 && ((r < 0) != (v[1] < 0)))
              r += v[1];
            return r;
          }))
    return *folded;
  auto r = b.binary<nn::SubOp>(
      *a, b.binary<nn::MulOp>(b.binary<nn::DivOp>(*a, *c), *c));
  if (failed(r) || *fmod)
    return bind(n, r);
  auto zero = b.scalar(*r, 0);
  auto rNeg = b.compare(nn::CompareKind::lt, *r, zero);
  auto cNeg = b.compare(nn::CompareKind::lt, *c, zero);
  auto sameSign = b.compare(nn::CompareKind::eq, rNeg, cNeg);
  auto isZero = b.compare(nn::CompareKind::eq, *r, zero);
  // Keep r where it is zero or has the divisor's sign.
  auto keep = b.select(isZero, isZero, sameSign);
  return bind(n, b.select(keep, *r, b.binary<nn::AddOp>(*r, *c)));
}

/// gamma * x for x > 0, gamma * alpha * (exp(x) - 1) otherwise.
LogicalResult importSelu(NodeImporter &n) {
  auto alpha = n.floatAttr("alpha", 1.67326319217681884765625f);
  auto gamma = n.floatAttr("gamma", 1.05070102214813232421875f);
  auto x = activationInput(n);
  if (failed(alpha) || failed(gamma) || failed(x))
    return failure();
  Builder b{n};
  auto negative = b.binary<nn::MulOp>(
      b.binary<nn::SubOp>(b.unary<nn::ExpOp>(*x), b.scalar(*x, 1.0)),
      b.scalar(*x, double(*alpha) * double(*gamma)));
  auto positive = b.binary<nn::MulOp>(*x, b.scalar(*x, *gamma));
  return bind(n, b.select(b.compare(nn::CompareKind::gt, *x, b.scalar(*x, 0)),
                          positive, negative));
}

/// max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).
LogicalResult importCelu(NodeImporter &n) {
  auto alpha = n.floatAttr("alpha", 1.0f);
  auto x = activationInput(n);
  if (failed(alpha) || failed(x))
    return failure();
  Builder b{n};
  auto zero = b.scalar(*x, 0);
  auto elu = b.binary<nn::MulOp>(
      b.binary<nn::SubOp>(
          b.unary<nn::ExpOp>(b.binary<nn::DivOp>(*x, b.scalar(*x, *alpha))),
          b.scalar(*x, 1.0)),
      b.scalar(*x, *alpha));
  return bind(n, b.binary<nn::AddOp>(b.binary<nn::MaxOp>(*x, zero),
                                     b.binary<nn::MinOp>(elu, zero)));
}

/// x where x > alpha, else 0.
LogicalResult importThresholdedRelu(NodeImporter &n) {
  auto alpha = n.floatAttr("alpha", 1.0f);
  auto x = activationInput(n);
  if (failed(alpha) || failed(x))
    return failure();
  Builder b{n};
  return bind(n, b.select(b.compare(nn::CompareKind::gt, *x,
                                    b.scalar(*x, *alpha)),
                          *x, b.scalar(*x, 0)));
}

/// x / (1 + |x|).
LogicalResult importSoftsign(NodeImporter &n) {
  auto x = activationInput(n);
  if (failed(x))
    return failure();
  Builder b{n};
  return bind(n, b.binary<nn::DivOp>(
                     *x, b.binary<nn::AddOp>(b.unary<nn::AbsOp>(*x),
                                             b.scalar(*x, 1.0))));
}

/// x * tanh(softplus(x)), softplus as ONNX defines it (log(exp(x) + 1)).
LogicalResult importMish(NodeImporter &n) {
  auto x = activationInput(n);
  if (failed(x))
    return failure();
  Builder b{n};
  auto softplus = b.unary<nn::LogOp>(
      b.binary<nn::AddOp>(b.unary<nn::ExpOp>(*x), b.scalar(*x, 1.0)));
  return bind(n, b.binary<nn::MulOp>(*x, b.unary<nn::TanhOp>(softplus)));
}

/// x + bias where x < -lambd, x - bias where x > lambd, else 0.
LogicalResult importShrink(NodeImporter &n) {
  auto bias = n.floatAttr("bias", 0.0f);
  auto lambd = n.floatAttr("lambd", 0.5f);
  auto x = activationInput(n);
  if (failed(bias) || failed(lambd) || failed(x))
    return failure();
  Builder b{n};
  auto above = b.select(
      b.compare(nn::CompareKind::gt, *x, b.scalar(*x, *lambd)),
      b.binary<nn::SubOp>(*x, b.scalar(*x, *bias)), b.scalar(*x, 0));
  return bind(n, b.select(
                     b.compare(nn::CompareKind::lt, *x, b.scalar(*x, -*lambd)),
                     b.binary<nn::AddOp>(*x, b.scalar(*x, *bias)), above));
}

/// 1 where the element is the first maximum along the axis, else 0: ArgMax
/// (keepdims) compared with a constant iota along the axis. Before opset
/// 13 the input is flattened to 2-D at the axis (default 1) first.
LogicalResult importHardmax(NodeImporter &n) {
  auto operand = softmaxOperand(n);
  if (failed(operand) || failed(expectFloat(n, *n.input(0))))
    return failure();
  auto xTy = cast<RankedTensorType>((*n.input(0)).getType());
  FailureOr<Value> in = operand->value;
  int64_t a = operand->axis;
  auto inTy = cast<RankedTensorType>(in->getType());
  int64_t extent = inTy.getDimSize(a);
  if (ShapedType::isDynamic(extent))
    return n.fail("expected a static size along the axis");
  SmallVector<int64_t> iotaShape(inTy.getRank(), 1);
  iotaShape[a] = extent;
  auto i64 = IntegerType::get(&n.ctx(), 64);
  SmallVector<int64_t> iota(extent);
  for (int64_t i = 0; i < extent; ++i)
    iota[i] = i;
  Value index = n.constant(
      DenseElementsAttr::get(RankedTensorType::get(iotaShape, i64),
                             ArrayRef<int64_t>(iota)));
  auto argmax = n.create<nn::ArgMaxOp>(
      *in, {n.i64("axis", a), n.unit("keepdims")});
  Builder b{n};
  auto hit = b.compare(nn::CompareKind::eq, argmax, index);
  if (failed(hit))
    return failure();
  auto y = n.castTo(*hit, xTy.getElementType());
  if (failed(y))
    return failure();
  return bind(n, n.reshape(*y, xTy.getShape()));
}

/// The upper (j - i >= k) or lower (j - i <= k) triangle of the last two
/// dims: a select with a constant mask.
LogicalResult importTrilu(NodeImporter &n) {
  if (failed(n.expectInputs(1, 2)))
    return failure();
  auto upper = n.intAttr("upper", 1);
  auto x = n.input(0);
  if (failed(upper) || failed(x))
    return failure();
  int64_t k = 0;
  if (n.hasInput(1)) {
    auto in = n.constantInts(1, "k");
    if (failed(in))
      return failure();
    if (in->size() != 1)
      return n.fail("expected one k, got " + std::to_string(in->size()));
    k = in->front();
  }
  auto xTy = cast<RankedTensorType>(x->getType());
  int64_t rank = xTy.getRank();
  if (rank < 2)
    return n.fail("expected an input of rank 2 or more, got rank " +
                  std::to_string(rank));
  int64_t rows = xTy.getDimSize(rank - 2), cols = xTy.getDimSize(rank - 1);
  if (ShapedType::isDynamic(rows) || ShapedType::isDynamic(cols))
    return n.fail("expected static sizes of the last two dims");
  SmallVector<bool> mask;
  mask.reserve(rows * cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      mask.push_back(*upper ? j - i >= k : j - i <= k);
  Value maskValue = n.constant(DenseElementsAttr::get(
      RankedTensorType::get({rows, cols}, IntegerType::get(&n.ctx(), 1)),
      ArrayRef<bool>(mask)));
  Builder b{n};
  return bind(n, b.select(maskValue, *x, b.scalar(*x, 0)));
}

/// x * sigmoid(alpha * x).
LogicalResult importSwish(NodeImporter &n) {
  auto alpha = n.floatAttr("alpha", 1.0f);
  auto x = activationInput(n);
  if (failed(alpha) || failed(x))
    return failure();
  Builder b{n};
  return bind(n, b.binary<nn::MulOp>(
                     *x, b.unary<nn::SigmoidOp>(b.binary<nn::MulOp>(
                             *x, b.scalar(*x, *alpha)))));
}

/// 1 where x > 0, -1 where x < 0, else x itself (zero, or NaN).
LogicalResult importSign(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto x = n.input(0);
  if (failed(x))
    return failure();
  if (elementTypeOf(*x).isInteger(1))
    return n.fail("expected a numeric input");
  Builder b{n};
  auto zero = b.scalar(*x, 0);
  auto rest = b.select(b.compare(nn::CompareKind::lt, *x, zero),
                       b.scalar(*x, -1), *x);
  return bind(n, b.select(b.compare(nn::CompareKind::gt, *x, zero),
                          b.scalar(*x, 1), rest));
}

/// The elements of a constant of `type` with ones where `one(i)` holds.
DenseElementsAttr indicatorConstant(RankedTensorType type,
                                    llvm::function_ref<bool(int64_t)> one) {
  int64_t count = type.getNumElements();
  Type elt = type.getElementType();
  if (auto f = dyn_cast<FloatType>(elt)) {
    SmallVector<APFloat> values;
    for (int64_t i = 0; i < count; ++i) {
      APFloat v(one(i) ? 1.0 : 0.0);
      bool lost;
      v.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(v);
    }
    return DenseElementsAttr::get(type, values);
  }
  SmallVector<APInt> values;
  for (int64_t i = 0; i < count; ++i)
    values.push_back(APInt(elt.getIntOrFloatBitWidth(), one(i) ? 1 : 0));
  return DenseElementsAttr::get(type, values);
}

/// A constant: ones on the k-th diagonal of the 2-D input's shape.
LogicalResult importEyeLike(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto k = n.intAttr("k", 0);
  auto inTy = n.inputType(0);
  if (failed(k) || failed(inTy))
    return failure();
  Type elt = inTy->getElementType();
  if (n.attr("dtype")) {
    auto dtype = n.intAttr("dtype", 0);
    if (failed(dtype))
      return failure();
    elt = n.state().elementType(*dtype);
    if (!elt)
      return n.unsupportedAttr("dtype", std::to_string(*dtype),
                               "Lathe imports FLOAT, INT32, INT64 and BOOL");
  }
  if (inTy->getRank() != 2 || !inTy->hasStaticShape())
    return n.fail("expected a static 2-D input");
  int64_t cols = inTy->getDimSize(1);
  auto type = RankedTensorType::get(inTy->getShape(), elt);
  return n.setConstantOutput(0, indicatorConstant(type, [&](int64_t i) {
                               return i % cols - i / cols == *k;
                             }));
}

/// The first element of a constant as a double.
FailureOr<double> firstNumber(NodeImporter &n, unsigned i, StringRef role) {
  auto c = n.constantInput(i, role);
  if (failed(c))
    return failure();
  if (c->getNumElements() < 1)
    return n.fail("expected a non-empty " + role.str());
  if (isa<FloatType>(c->getElementType()))
    return (*c->value_begin<APFloat>()).convertToDouble();
  return double((*c->value_begin<APInt>()).getSExtValue());
}

/// values[1] where the (wrapped) index equals a constant iota along the new
/// axis, else values[0]. Indices outside [-depth, depth) give no hot entry.
LogicalResult importOneHot(NodeImporter &n) {
  if (failed(n.expectInputs(3, 3)))
    return failure();
  auto axis = n.intAttr("axis", -1);
  auto depth = firstNumber(n, 1, "depth");
  auto values = n.constantInput(2, "values");
  auto indices = n.input(0);
  if (failed(axis) || failed(depth) || failed(values) || failed(indices))
    return failure();
  auto dense = dyn_cast<DenseElementsAttr>(*values);
  if (!dense || dense.getNumElements() != 2)
    return n.fail("expected two values (off, on)");
  auto inTy = cast<RankedTensorType>(indices->getType());
  int64_t rank = inTy.getRank();
  if (*axis < -rank - 1 || *axis > rank)
    return n.fail("axis out of range");
  int64_t a = *axis < 0 ? *axis + rank + 1 : *axis;
  int64_t d = static_cast<int64_t>(*depth);
  if (d < 1)
    return n.fail("expected a positive depth");
  auto i64 = IntegerType::get(&n.ctx(), 64);
  auto idx = n.castTo(*indices, i64);
  if (failed(idx))
    return failure();
  SmallVector<int64_t> expanded(inTy.getShape());
  expanded.insert(expanded.begin() + a, 1);
  Builder b{n};
  // Negative indices count from the end.
  auto wrapped = b.select(
      b.compare(nn::CompareKind::lt, *idx, b.scalar(*idx, 0)),
      b.binary<nn::AddOp>(*idx, b.scalar(*idx, d)), *idx);
  if (failed(wrapped))
    return failure();
  auto column = n.reshape(*wrapped, expanded);
  SmallVector<int64_t> iotaShape(rank + 1, 1);
  iotaShape[a] = d;
  SmallVector<int64_t> iota(d);
  for (int64_t i = 0; i < d; ++i)
    iota[i] = i;
  Value targets = n.constant(DenseElementsAttr::get(
      RankedTensorType::get(iotaShape, i64), ArrayRef<int64_t>(iota)));
  auto scalarType = RankedTensorType::get({}, values->getElementType());
  auto pick = [&](int64_t i) {
    return n.constant(DenseElementsAttr::get(
        scalarType, dense.getValues<Attribute>()[i]));
  };
  return bind(n, b.select(b.compare(nn::CompareKind::eq, column, targets),
                          pick(1), pick(0)));
}

/// BitwiseAnd, BitwiseOr and BitwiseXor: their nn op on the two integer
/// inputs.
template <typename OpTy> LogicalResult importBitwise(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  Builder b{n};
  return bind(n, b.binary<OpTy>(n.input(0), n.input(1)));
}

/// BitwiseNot: x ^ -1 (all bits set).
LogicalResult importBitwiseNot(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  auto x = n.input(0);
  if (failed(x))
    return failure();
  Builder b{n};
  return bind(n, b.binary<nn::BitwiseXorOp>(*x, b.scalar(*x, -1)));
}

/// nn.math of `kind` on the float input.
template <nn::MathKind kind> LogicalResult importMathFunction(NodeImporter &n) {
  auto x = activationInput(n);
  if (failed(x))
    return failure();
  return bind(n, n.create<nn::MathOp>(
                     *x, {n.namedAttr("kind",
                                      nn::MathKindAttr::get(&n.ctx(), kind))}));
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
  table["Or"] = {importOr};
  table["Xor"] = {importXor};
  table["IsNaN"] = {importIsNaN, 9};
  table["IsInf"] = {importIsInf, 10};
  table["ArgMin"] = {importArgMin};
  table["Mod"] = {importMod, 10};
  table["BitwiseAnd"] = {importBitwise<nn::BitwiseAndOp>, 18};
  table["BitwiseOr"] = {importBitwise<nn::BitwiseOrOp>, 18};
  table["BitwiseXor"] = {importBitwise<nn::BitwiseXorOp>, 18};
  table["BitwiseNot"] = {importBitwiseNot, 18};
  table["Selu"] = {importSelu};
  table["Celu"] = {importCelu, 12};
  table["ThresholdedRelu"] = {importThresholdedRelu, 10};
  table["Softsign"] = {importSoftsign};
  table["Mish"] = {importMish, 18};
  table["Shrink"] = {importShrink, 9};
  table["Hardmax"] = {importHardmax};
  table["Trilu"] = {importTrilu, 14};
  table["Swish"] = {importSwish, 24};
  table["Sign"] = {importSign, 9};
  table["EyeLike"] = {importEyeLike, 9};
  table["OneHot"] = {importOneHot, 9};
  table["Sin"] = {importMathFunction<nn::MathKind::sin>, 7};
  table["Cos"] = {importMathFunction<nn::MathKind::cos>, 7};
  table["Tan"] = {importMathFunction<nn::MathKind::tan>, 7};
  table["Asin"] = {importMathFunction<nn::MathKind::asin>, 7};
  table["Acos"] = {importMathFunction<nn::MathKind::acos>, 7};
  table["Atan"] = {importMathFunction<nn::MathKind::atan>, 7};
  table["Sinh"] = {importMathFunction<nn::MathKind::sinh>, 9};
  table["Cosh"] = {importMathFunction<nn::MathKind::cosh>, 9};
  table["Asinh"] = {importMathFunction<nn::MathKind::asinh>, 9};
  table["Acosh"] = {importMathFunction<nn::MathKind::acosh>, 9};
  table["Atanh"] = {importMathFunction<nn::MathKind::atanh>, 9};
  table["Floor"] = {importMathFunction<nn::MathKind::floor>};
  table["Ceil"] = {importMathFunction<nn::MathKind::ceil>};
  table["Round"] = {importMathFunction<nn::MathKind::round_even>, 11};
}
