//===- NNToLinalgNormalization.cpp - Lower nn pools, norms, reductions ----===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file lowers the nn ops that reduce: pooling (linalg's NCHW pooling ops
// on a padded input; average pooling divides by the per-window count), the
// global average pool, nn.reduce, softmax (max-subtracted) and layer_norm
// (two-pass mean and variance).
//
//===----------------------------------------------------------------------===//

#include "passes/lower/NNToLinalgUtils.h"

#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace lathe;
using namespace lathe::lower;

namespace {

using CombineFn =
    llvm::function_ref<Value(OpBuilder &, Location, Value acc, Value x)>;

/// The map from a rank-`rank` iteration space to the dims not in `reduced`.
AffineMap keptDimsMap(MLIRContext *ctx, const llvm::SmallBitVector &reduced) {
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i < reduced.size(); ++i)
    if (!reduced.test(i))
      exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(reduced.size(), 0, exprs, ctx);
}

/// Reduces `input` over the dims set in `reduced`, starting from `identity`;
/// the result keeps only the other dims.
Value reduceDims(OpBuilder &b, Location loc, Value input,
                 const llvm::SmallBitVector &reduced, TypedAttr identity,
                 CombineFn combine) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> kept;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (reduced.test(i)) {
      iterators.push_back(utils::IteratorType::reduction);
    } else {
      kept.push_back(type.getDimSize(i));
      iterators.push_back(utils::IteratorType::parallel);
    }
  }
  auto outType = RankedTensorType::get(kept, type.getElementType());
  Value init = filledTensor(b, loc, outType, identity);
  auto generic = b.create<linalg::GenericOp>(
      loc, outType, input, init,
      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(type.getRank()),
                          keptDimsMap(b.getContext(), reduced)},
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, combine(nb, nloc, args[1], args[0]));
      });
  return generic.getResult(0);
}

Value add(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::AddFOp>(loc, x, y);
  return b.create<arith::AddIOp>(loc, x, y);
}
Value maximum(OpBuilder &b, Location loc, Value x, Value y) {
  return lower::maximum(b, loc, x, y);
}
Value minimum(OpBuilder &b, Location loc, Value x, Value y) {
  return lower::minimum(b, loc, x, y);
}

/// A parallel generic over `type` whose inputs are read through `maps`.
Value mapGeneric(OpBuilder &b, Location loc, RankedTensorType type,
                 ValueRange inputs, ArrayRef<AffineMap> maps, ScalarFn body) {
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  auto generic = b.create<linalg::GenericOp>(
      loc, type, inputs, emptyTensor(b, loc, type), allMaps,
      SmallVector<utils::IteratorType>(type.getRank(),
                                       utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

/// Bottom/right padding that ceil_mode needs beyond the explicit pads so that
/// the last window of the result fits.
int64_t ceilExtra(int64_t size, int64_t padSum, int64_t out, int64_t kernel,
                  int64_t stride, int64_t dilation) {
  int64_t needed = (out - 1) * stride + (kernel - 1) * dilation + 1;
  return std::max<int64_t>(0, needed - (size + padSum));
}

struct MaxPoolLowering : StaticShapeLowering<nn::MaxPoolOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::MaxPoolOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Location loc = op.getLoc();
    ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides(),
                      p = op.getPads(), d = op.getDilations();
    // The spatial dims: 2, 3 in NCHW, 1, 2 channels-last.
    bool channelsLast = op.getChannelsLast();
    int64_t h = channelsLast ? 1 : 2, w = h + 1;
    int64_t extraH = ceilExtra(inType.getDimSize(h), p[0] + p[2],
                               type.getDimSize(h), k[0], s[0], d[0]);
    int64_t extraW = ceilExtra(inType.getDimSize(w), p[1] + p[3],
                               type.getDimSize(w), k[1], s[1], d[1]);
    TypedAttr lowest = lowestValue(type.getElementType());
    SmallVector<int64_t> low(4, 0), high(4, 0);
    low[h] = p[0];
    low[w] = p[1];
    high[h] = p[2] + extraH;
    high[w] = p[3] + extraW;
    Value padded = padConstant(rewriter, loc, op.getInput(), low, high, lowest);
    Value window = rewriter.create<tensor::EmptyOp>(
        loc, ArrayRef<int64_t>{k[0], k[1]}, type.getElementType());
    Value init = filledTensor(rewriter, loc, type, lowest);
    auto pool = [&](auto tag) {
      using PoolOp = decltype(tag);
      return rewriter
          .create<PoolOp>(loc, TypeRange{type}, ValueRange{padded, window},
                          ValueRange{init}, rewriter.getI64TensorAttr(s),
                          rewriter.getI64TensorAttr(d))
          .getResult(0);
    };
    rewriter.replaceOp(op, channelsLast ? pool(linalg::PoolingNhwcMaxOp())
                                        : pool(linalg::PoolingNchwMaxOp()));
    return success();
  }
};

struct AvgPoolLowering : StaticShapeLowering<nn::AvgPoolOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::AvgPoolOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Location loc = op.getLoc();
    Type elementType = type.getElementType();
    ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides(), p = op.getPads();
    int64_t h = inType.getDimSize(2), w = inType.getDimSize(3);
    int64_t extraH =
        ceilExtra(h, p[0] + p[2], type.getDimSize(2), k[0], s[0], 1);
    int64_t extraW =
        ceilExtra(w, p[1] + p[3], type.getDimSize(3), k[1], s[1], 1);
    Value padded = padConstant(rewriter, loc, op.getInput(), {0, 0, p[0], p[1]},
                               {0, 0, p[2] + extraH, p[3] + extraW},
                               rewriter.getZeroAttr(elementType));
    Value window =
        rewriter.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{k[0], k[1]},
                                         elementType);
    Value sums =
        rewriter
            .create<linalg::PoolingNchwSumOp>(
                loc, TypeRange{type}, ValueRange{padded, window},
                ValueRange{filledTensor(rewriter, loc, type,
                                        rewriter.getZeroAttr(elementType))},
                rewriter.getI64TensorAttr(s),
                rewriter.getI64TensorAttr({1, 1}))
            .getResult(0);

    // Divide each window by the number of elements it covers: inside the
    // input, or inside the explicitly padded input with count_include_pad
    // (the extra ceil_mode padding never counts).
    bool includePad = op.getCountIncludePad();
    AffineMap identity = rewriter.getMultiDimIdentityMap(4);
    Value result = mapGeneric(
        rewriter, loc, type, sums, identity,
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto extent = [&](unsigned dim, int64_t size, int64_t padLo,
                            int64_t padHi, int64_t kernel, int64_t stride) {
            Value idx = b.create<linalg::IndexOp>(l, dim);
            auto c = [&](int64_t v) {
              return b.create<arith::ConstantIndexOp>(l, v);
            };
            Value start = b.create<arith::SubIOp>(
                l, b.create<arith::MulIOp>(l, idx, c(stride)), c(padLo));
            Value end = b.create<arith::AddIOp>(l, start, c(kernel));
            int64_t lo = includePad ? -padLo : 0;
            int64_t hi = includePad ? size + padHi : size;
            Value first = b.create<arith::MaxSIOp>(l, start, c(lo));
            Value last = b.create<arith::MinSIOp>(l, end, c(hi));
            return b.create<arith::SubIOp>(l, last, first);
          };
          Value count = b.create<arith::MulIOp>(
              l, extent(2, h, p[0], p[2], k[0], s[0]),
              extent(3, w, p[1], p[3], k[1], s[1]));
          Value countI64 =
              b.create<arith::IndexCastOp>(l, b.getI64Type(), count);
          Value countF =
              b.create<arith::SIToFPOp>(l, elementType, countI64);
          return b.create<arith::DivFOp>(l, args[0], countF);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Mean over all dims but the first two, as [N, C, 1, ..., 1].
struct GlobalAvgPoolLowering : StaticShapeLowering<nn::GlobalAvgPoolOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::GlobalAvgPoolOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Location loc = op.getLoc();
    llvm::SmallBitVector reduced(inType.getRank(), true);
    reduced.reset(0);
    reduced.reset(1);
    int64_t count = 1;
    for (int64_t i = 2; i < inType.getRank(); ++i)
      count *= inType.getDimSize(i);
    Value sums = reduceDims(rewriter, loc, op.getInput(), reduced,
                            rewriter.getZeroAttr(type.getElementType()), add);
    auto sumsType = cast<RankedTensorType>(sums.getType());
    Value mean = buildElementwise(
        rewriter, loc, sumsType, sums,
        [&](OpBuilder &b, Location l, ValueRange args) {
          return divide(b, l, args[0],
                        scalarConstant(b, l, args[0].getType(), count));
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, mean, type));
    return success();
  }
};

struct ReduceLowering : StaticShapeLowering<nn::ReduceOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::ReduceOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Location loc = op.getLoc();
    Type elementType = type.getElementType();
    int64_t rank = inType.getRank();
    llvm::SmallBitVector reduced(rank);
    int64_t count = 1;
    for (int64_t axis : op.getAxes()) {
      int64_t a = axis < 0 ? axis + rank : axis;
      reduced.set(a);
      count *= inType.getDimSize(a);
    }
    Value result;
    switch (op.getKind()) {
    case nn::ReduceKind::sum:
    case nn::ReduceKind::mean:
      result = reduceDims(rewriter, loc, op.getInput(), reduced,
                          rewriter.getZeroAttr(elementType), add);
      break;
    case nn::ReduceKind::max:
      result = reduceDims(rewriter, loc, op.getInput(), reduced,
                          lowestValue(elementType), maximum);
      break;
    case nn::ReduceKind::min:
      result = reduceDims(rewriter, loc, op.getInput(), reduced,
                          highestValue(elementType), minimum);
      break;
    case nn::ReduceKind::prod:
      result = reduceDims(
          rewriter, loc, op.getInput(), reduced,
          isa<FloatType>(elementType)
              ? TypedAttr(rewriter.getFloatAttr(elementType, 1.0))
              : TypedAttr(rewriter.getIntegerAttr(elementType, 1)),
          [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
            if (isa<FloatType>(x.getType()))
              return b.create<arith::MulFOp>(l, acc, x);
            return b.create<arith::MulIOp>(l, acc, x);
          });
      break;
    }
    if (op.getKind() == nn::ReduceKind::mean) {
      auto resultType = cast<RankedTensorType>(result.getType());
      result = buildElementwise(
          rewriter, loc, resultType, result,
          [&](OpBuilder &b, Location l, ValueRange args) {
            return divide(b, l, args[0],
                          scalarConstant(b, l, args[0].getType(), count));
          });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, type));
    return success();
  }
};

/// softmax(x) = exp(x - max) / sum(exp(x - max)) along one axis.
struct SoftmaxLowering : StaticShapeLowering<nn::SoftmaxOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::SoftmaxOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxisAttr().getInt();
    if (axis < 0)
      axis += rank;
    llvm::SmallBitVector reduced(rank);
    reduced.set(axis);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap kept = keptDimsMap(ctx, reduced);

    Value max = reduceDims(rewriter, loc, op.getInput(), reduced,
                           lowestValue(type.getElementType()), maximum);
    Value exps = mapGeneric(rewriter, loc, type, {op.getInput(), max},
                            {identity, kept},
                            [](OpBuilder &b, Location l, ValueRange args) {
                              return b.create<math::ExpOp>(
                                  l, b.create<arith::SubFOp>(l, args[0],
                                                             args[1]));
                            });
    Value sums = reduceDims(rewriter, loc, exps, reduced,
                            rewriter.getZeroAttr(type.getElementType()), add);
    Value result = mapGeneric(rewriter, loc, type, {exps, sums},
                              {identity, kept},
                              [](OpBuilder &b, Location l, ValueRange args) {
                                return b.create<arith::DivFOp>(l, args[0],
                                                               args[1]);
                              });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// y = (x - mean) / sqrt(var + eps) * scale + bias over dims [axis, rank).
struct LayerNormLowering : StaticShapeLowering<nn::LayerNormOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::LayerNormOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type elementType = type.getElementType();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxisAttr().getInt();
    if (axis < 0)
      axis += rank;
    llvm::SmallBitVector reduced(rank);
    int64_t count = 1;
    for (int64_t i = axis; i < rank; ++i) {
      reduced.set(i);
      count *= type.getDimSize(i);
    }
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap kept = keptDimsMap(ctx, reduced);
    double eps = op.getEpsilon().convertToDouble();

    // Pass 1: the mean.
    Value sums = reduceDims(rewriter, loc, op.getInput(), reduced,
                            rewriter.getZeroAttr(elementType), add);
    auto statsType = cast<RankedTensorType>(sums.getType());
    Value mean = buildElementwise(
        rewriter, loc, statsType, sums,
        [&](OpBuilder &b, Location l, ValueRange args) {
          return divide(b, l, args[0], scalarConstant(b, l, elementType, count));
        });

    // Pass 2: the variance, sum((x - mean)^2) / count.
    SmallVector<utils::IteratorType> iterators;
    for (int64_t i = 0; i < rank; ++i)
      iterators.push_back(reduced.test(i) ? utils::IteratorType::reduction
                                          : utils::IteratorType::parallel);
    Value squares =
        rewriter
            .create<linalg::GenericOp>(
                loc, statsType, ValueRange{op.getInput(), mean},
                filledTensor(rewriter, loc, statsType,
                             rewriter.getZeroAttr(elementType)),
                ArrayRef<AffineMap>{identity, kept, kept}, iterators,
                [](OpBuilder &b, Location l, ValueRange args) {
                  Value c = b.create<arith::SubFOp>(l, args[0], args[1]);
                  b.create<linalg::YieldOp>(
                      l, Value(b.create<arith::AddFOp>(
                             l, args[2], b.create<arith::MulFOp>(l, c, c))));
                })
            .getResult(0);

    // Pass 3: normalize, scale, shift.
    SmallVector<Value> inputs = {op.getInput(), mean, squares, op.getScale()};
    SmallVector<AffineMap> maps = {
        identity, kept, kept,
        broadcastMap(ctx,
                     cast<RankedTensorType>(op.getScale().getType()).getShape(),
                     type.getShape())};
    if (Value bias = op.getBias()) {
      inputs.push_back(bias);
      maps.push_back(broadcastMap(
          ctx, cast<RankedTensorType>(bias.getType()).getShape(),
          type.getShape()));
    }
    Value result = mapGeneric(
        rewriter, loc, type, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value var = b.create<arith::DivFOp>(
              l, args[2], scalarConstant(b, l, elementType, count));
          Value inv = b.create<math::RsqrtOp>(
              l, b.create<arith::AddFOp>(
                     l, var, scalarConstant(b, l, elementType, eps)));
          Value y = b.create<arith::MulFOp>(
              l, b.create<arith::MulFOp>(
                     l, b.create<arith::SubFOp>(l, args[0], args[1]), inv),
              args[3]);
          if (args.size() > 4)
            y = b.create<arith::AddFOp>(l, y, args[4]);
          return y;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void lower::populateNormalizationPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, AvgPoolLowering, GlobalAvgPoolLowering,
               ReduceLowering, SoftmaxLowering, LayerNormLowering>(
      patterns.getContext());
}
