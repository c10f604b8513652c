//===- NNToLinalgElementwise.cpp - Lower nn elementwise ops ---------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file lowers the elementwise nn ops (binary with broadcasting, bitwise
// included, unary, clip, batch_norm) to parallel linalg.generic ops whose
// bodies are arith and math ops on scalars.
//
//===----------------------------------------------------------------------===//

#include "passes/lower/NNToLinalgUtils.h"

#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace lathe;
using namespace lathe::lower;

namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

/// base^exponent on integers by repeated squaring over the exponent's bits
/// (wrapping like numpy; a negative exponent gives 0 unless |base| is 1, as
/// in integer division). The CPU pipeline has no lowering for math.ipowi.
Value integerPower(OpBuilder &b, Location loc, Value base, Value exponent) {
  Type t = base.getType();
  unsigned width = t.getIntOrFloatBitWidth();
  Value zero = scalarConstant(b, loc, t, 0), one = scalarConstant(b, loc, t, 1);
  Value lb = b.create<arith::ConstantIndexOp>(loc, 0);
  Value ub = b.create<arith::ConstantIndexOp>(loc, width - 1);
  Value step = b.create<arith::ConstantIndexOp>(loc, 1);
  auto loop = b.create<scf::ForOp>(
      loc, lb, ub, step, ValueRange{one, base, exponent},
      [&](OpBuilder &nb, Location l, Value, ValueRange acc) {
        Value r = acc[0], sq = acc[1], e = acc[2];
        Value bit = nb.create<arith::AndIOp>(l, e, one);
        Value odd = nb.create<arith::CmpIOp>(l, arith::CmpIPredicate::ne, bit,
                                             zero);
        r = nb.create<arith::SelectOp>(l, odd,
                                       nb.create<arith::MulIOp>(l, r, sq), r);
        sq = nb.create<arith::MulIOp>(l, sq, sq);
        e = nb.create<arith::ShRUIOp>(l, e, one);
        nb.create<scf::YieldOp>(l, ValueRange{r, sq, e});
      });
  Value result = loop.getResult(0);
  // Negative exponents: 1 / base^-e truncates to 0 unless base is 1 or -1.
  Value negative =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, exponent, zero);
  Value minusOne = scalarConstant(b, loc, t, -1);
  Value isOne =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, base, one);
  Value isMinusOne =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, base, minusOne);
  Value oddExp = b.create<arith::CmpIOp>(
      loc, arith::CmpIPredicate::ne, b.create<arith::AndIOp>(loc, exponent, one),
      zero);
  Value negResult = b.create<arith::SelectOp>(
      loc, isOne, one,
      b.create<arith::SelectOp>(
          loc, isMinusOne, b.create<arith::SelectOp>(loc, oddExp, minusOne, one),
          zero));
  return b.create<arith::SelectOp>(loc, negative, negResult, result);
}

/// The scalar computation of each binary op, for float and integer types.
Value binaryScalar(OpBuilder &b, Location loc, Operation *op, Value l,
                   Value r) {
  bool f = isFloat(l);
  if (isa<nn::AddOp>(op))
    return f ? Value(b.create<arith::AddFOp>(loc, l, r))
             : b.create<arith::AddIOp>(loc, l, r);
  if (isa<nn::SubOp>(op))
    return f ? Value(b.create<arith::SubFOp>(loc, l, r))
             : b.create<arith::SubIOp>(loc, l, r);
  if (isa<nn::MulOp>(op))
    return f ? Value(b.create<arith::MulFOp>(loc, l, r))
             : b.create<arith::MulIOp>(loc, l, r);
  if (isa<nn::DivOp>(op))
    return divide(b, loc, l, r);
  if (isa<nn::PowOp>(op))
    return f ? Value(b.create<math::PowFOp>(loc, l, r)) : integerPower(b, loc, l, r);
  if (isa<nn::MaxOp>(op))
    return maximum(b, loc, l, r);
  if (isa<nn::BitwiseAndOp>(op))
    return b.create<arith::AndIOp>(loc, l, r);
  if (isa<nn::BitwiseOrOp>(op))
    return b.create<arith::OrIOp>(loc, l, r);
  if (isa<nn::BitwiseXorOp>(op))
    return b.create<arith::XOrIOp>(loc, l, r);
  assert(isa<nn::MinOp>(op) && "unhandled binary op");
  return minimum(b, loc, l, r);
}

/// Lowers any binary nn op: a generic over the broadcast result shape.
template <typename OpTy>
struct BinaryLowering : StaticShapeLowering<OpTy> {
  using StaticShapeLowering<OpTy>::StaticShapeLowering;
  LogicalResult lowerStatic(OpTy op,
                            PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, {op.getLhs(), op.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return binaryScalar(b, loc, op, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The scalar computation of each unary op (float only).
Value unaryScalar(OpBuilder &b, Location loc, Operation *op, Value x) {
  Type t = x.getType();
  if (isa<nn::ReluOp>(op))
    return b.create<arith::MaximumFOp>(loc, x, scalarConstant(b, loc, t, 0.0));
  if (isa<nn::SigmoidOp>(op)) {
    // 1 / (1 + exp(-x)): exp overflows to inf for very negative x, giving 0.
    Value e = b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, x));
    Value one = scalarConstant(b, loc, t, 1.0);
    return b.create<arith::DivFOp>(loc, one,
                                   b.create<arith::AddFOp>(loc, one, e));
  }
  if (isa<nn::TanhOp>(op))
    return b.create<math::TanhOp>(loc, x);
  if (isa<nn::ErfOp>(op))
    return b.create<math::ErfOp>(loc, x);
  if (isa<nn::ExpOp>(op))
    return b.create<math::ExpOp>(loc, x);
  if (isa<nn::LogOp>(op))
    return b.create<math::LogOp>(loc, x);
  if (isa<nn::NegOp>(op))
    return isa<FloatType>(t)
               ? Value(b.create<arith::NegFOp>(loc, x))
               : b.create<arith::SubIOp>(loc, scalarConstant(b, loc, t, 0), x);
  if (isa<nn::AbsOp>(op))
    return isa<FloatType>(t) ? Value(b.create<math::AbsFOp>(loc, x))
                             : b.create<math::AbsIOp>(loc, x);
  assert(isa<nn::SqrtOp>(op) && "unhandled unary op");
  return b.create<math::SqrtOp>(loc, x);
}

/// The scalar computation of nn.math.
Value mathScalar(OpBuilder &b, Location loc, nn::MathKind kind, Value x) {
  switch (kind) {
  case nn::MathKind::sin:
    return b.create<math::SinOp>(loc, x);
  case nn::MathKind::cos:
    return b.create<math::CosOp>(loc, x);
  case nn::MathKind::tan:
    return b.create<math::TanOp>(loc, x);
  case nn::MathKind::asin:
    return b.create<math::AsinOp>(loc, x);
  case nn::MathKind::acos:
    return b.create<math::AcosOp>(loc, x);
  case nn::MathKind::atan:
    return b.create<math::AtanOp>(loc, x);
  case nn::MathKind::sinh:
    return b.create<math::SinhOp>(loc, x);
  case nn::MathKind::cosh:
    return b.create<math::CoshOp>(loc, x);
  case nn::MathKind::asinh:
    return b.create<math::AsinhOp>(loc, x);
  case nn::MathKind::acosh:
    return b.create<math::AcoshOp>(loc, x);
  case nn::MathKind::atanh:
    return b.create<math::AtanhOp>(loc, x);
  case nn::MathKind::floor:
    return b.create<math::FloorOp>(loc, x);
  case nn::MathKind::ceil:
    return b.create<math::CeilOp>(loc, x);
  case nn::MathKind::round_even:
    return b.create<math::RoundEvenOp>(loc, x);
  }
  llvm_unreachable("unhandled nn.math kind");
}

struct MathLowering : StaticShapeLowering<nn::MathOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::MathOp op,
                            PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, {op.getInput()},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return mathScalar(b, loc, op.getKind(), args[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Converts the scalar `x` to `to` as nn.cast defines it.
Value castScalar(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  if (to.isInteger(1)) {
    if (isa<FloatType>(from))
      return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x,
                                     scalarConstant(b, loc, from, 0));
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, x,
                                   scalarConstant(b, loc, from, 0));
  }
  bool fromFloat = isa<FloatType>(from), toFloat = isa<FloatType>(to);
  if (fromFloat && toFloat)
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? Value(b.create<arith::ExtFOp>(loc, to, x))
               : b.create<arith::TruncFOp>(loc, to, x);
  if (fromFloat)
    return b.create<arith::FPToSIOp>(loc, to, x);
  if (toFloat)
    return from.isInteger(1) ? Value(b.create<arith::UIToFPOp>(loc, to, x))
                             : b.create<arith::SIToFPOp>(loc, to, x);
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw < tw)
    return from.isInteger(1) ? Value(b.create<arith::ExtUIOp>(loc, to, x))
                             : b.create<arith::ExtSIOp>(loc, to, x);
  return b.create<arith::TruncIOp>(loc, to, x);
}

struct CastLowering : StaticShapeLowering<nn::CastOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::CastOp op,
                            PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, {op.getInput()},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return castScalar(b, loc, args[0], type.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename OpTy>
struct UnaryLowering : StaticShapeLowering<OpTy> {
  using StaticShapeLowering<OpTy>::StaticShapeLowering;
  LogicalResult lowerStatic(OpTy op,
                            PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, {op.getInput()},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return unaryScalar(b, loc, op, args[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ClipLowering : StaticShapeLowering<nn::ClipOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::ClipOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    std::optional<APFloat> lo = op.getMin(), hi = op.getMax();
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, {op.getInput()},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value x = args[0];
          Type t = x.getType();
          if (lo)
            x = b.create<arith::MaximumFOp>(
                loc, x,
                scalarConstant(b, loc, t, lo->convertToDouble()));
          if (hi)
            x = b.create<arith::MinimumFOp>(
                loc, x,
                scalarConstant(b, loc, t, hi->convertToDouble()));
          return x;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// y = (x - mean) * scale / sqrt(var + eps) + bias, per channel (dim 1).
struct BatchNormLowering : StaticShapeLowering<nn::BatchNormOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::BatchNormOp op,
                            PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    int64_t rank = type.getRank();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx));
    SmallVector<AffineMap> maps = {identity, channel, channel,
                                   channel,  channel, identity};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    double eps = op.getEpsilon().convertToDouble();
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, type,
        ValueRange{op.getInput(), op.getScale(), op.getBias(), op.getMean(),
                   op.getVariance()},
        emptyTensor(rewriter, loc, type), maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], scale = args[1], bias = args[2], mean = args[3],
                var = args[4];
          Value t = b.create<arith::AddFOp>(
              l, var, scalarConstant(b, l, var.getType(), eps));
          Value inv = b.create<math::RsqrtOp>(l, t);
          Value centered = b.create<arith::SubFOp>(l, x, mean);
          Value scaled = b.create<arith::MulFOp>(
              l, centered, b.create<arith::MulFOp>(l, inv, scale));
          b.create<linalg::YieldOp>(l,
                                    Value(b.create<arith::AddFOp>(l, scaled,
                                                                  bias)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void lower::populateElementwisePatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<BinaryLowering<nn::AddOp>, BinaryLowering<nn::SubOp>,
               BinaryLowering<nn::MulOp>, BinaryLowering<nn::DivOp>,
               BinaryLowering<nn::PowOp>, BinaryLowering<nn::MaxOp>,
               BinaryLowering<nn::MinOp>>(ctx);
  patterns
      .add<BinaryLowering<nn::BitwiseAndOp>, BinaryLowering<nn::BitwiseOrOp>,
           BinaryLowering<nn::BitwiseXorOp>>(ctx);
  patterns.add<UnaryLowering<nn::ReluOp>, UnaryLowering<nn::SigmoidOp>,
               UnaryLowering<nn::TanhOp>, UnaryLowering<nn::ErfOp>,
               UnaryLowering<nn::ExpOp>, UnaryLowering<nn::SqrtOp>,
               UnaryLowering<nn::LogOp>, UnaryLowering<nn::NegOp>,
               UnaryLowering<nn::AbsOp>>(ctx);
  patterns.add<ClipLowering, BatchNormLowering, CastLowering, MathLowering>(
      ctx);
}
