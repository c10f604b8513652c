//===- NNToLinalgIndexing.cpp - Lower nn predicates, selections, indexing -===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file lowers the ops of NNIndexingOps.td: compare and select
// (broadcasting elementwise generics on i1), argmax (one reduction carrying
// value and index), topk (a rank per element counted against every other
// element of the axis, then a gather of the elements whose rank is below k:
// O(n^2) along the axis, simple and exact), cumsum (a masked reduction over
// the axis), gather_elements, gather_nd and resize (index-driven generics
// reading the source with tensor.extract), and scatter_elements and
// scatter_nd (an scf.for nest over the updates that carries the result
// tensor, reading and writing one element per iteration with tensor.extract
// and tensor.insert, so duplicate indices apply in order; one-shot
// bufferization copies data first where it cannot be written in place).
//
//===----------------------------------------------------------------------===//

#include "passes/lower/NNToLinalgUtils.h"

#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace lathe;
using namespace lathe::lower;

namespace {

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return b.create<arith::ConstantIndexOp>(loc, v);
}

/// `kind` on two scalars: ordered for floats (NaN compares false), signed for
/// integers, unsigned for i1.
Value compareScalars(OpBuilder &b, Location loc, nn::CompareKind kind, Value l,
                     Value r) {
  if (isa<FloatType>(l.getType())) {
    arith::CmpFPredicate p;
    switch (kind) {
    case nn::CompareKind::eq:
      p = arith::CmpFPredicate::OEQ;
      break;
    case nn::CompareKind::lt:
      p = arith::CmpFPredicate::OLT;
      break;
    case nn::CompareKind::le:
      p = arith::CmpFPredicate::OLE;
      break;
    case nn::CompareKind::gt:
      p = arith::CmpFPredicate::OGT;
      break;
    case nn::CompareKind::ge:
      p = arith::CmpFPredicate::OGE;
      break;
    }
    return b.create<arith::CmpFOp>(loc, p, l, r);
  }
  bool u = l.getType().isInteger(1);
  arith::CmpIPredicate p;
  switch (kind) {
  case nn::CompareKind::eq:
    p = arith::CmpIPredicate::eq;
    break;
  case nn::CompareKind::lt:
    p = u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
    break;
  case nn::CompareKind::le:
    p = u ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
    break;
  case nn::CompareKind::gt:
    p = u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
    break;
  case nn::CompareKind::ge:
    p = u ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
    break;
  }
  return b.create<arith::CmpIOp>(loc, p, l, r);
}

struct CompareLowering : StaticShapeLowering<nn::CompareOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::CompareOp op,
                            PatternRewriter &rewriter) const override {
    nn::CompareKind kind = op.getKind();
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), op.getType(),
                             {op.getLhs(), op.getRhs()},
                             [&](OpBuilder &b, Location l, ValueRange args) {
                               return compareScalars(b, l, kind, args[0],
                                                     args[1]);
                             }));
    return success();
  }
};

struct SelectLowering : StaticShapeLowering<nn::SelectOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::SelectOp op,
                            PatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, op.getLoc(), cast<RankedTensorType>(op.getType()),
                {op.getCondition(), op.getOnTrue(), op.getOnFalse()},
                [](OpBuilder &b, Location l, ValueRange args) {
                  return b.create<arith::SelectOp>(l, args[0], args[1],
                                                   args[2]);
                }));
    return success();
  }
};

/// The map from `rank` loops to the dims of a tensor of that rank where the
/// dim `axis` is read at loop `replacement` instead.
AffineMap replaceDim(MLIRContext *ctx, unsigned numLoops, int64_t rank,
                     int64_t axis, unsigned replacement) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    exprs.push_back(getAffineDimExpr(i == axis ? replacement : i, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

/// The map from `numLoops` loops to the first `rank` of them.
AffineMap leadingDims(MLIRContext *ctx, unsigned numLoops, int64_t rank) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

int64_t normalizedAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

/// argmax: one reduction over the axis keeping (best value, its index).
struct ArgMaxLowering : StaticShapeLowering<nn::ArgMaxOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::ArgMaxOp op,
                            PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Type elementType = inType.getElementType();
    int64_t rank = inType.getRank();
    int64_t axis = normalizedAxis(op.getAxisAttr().getInt(), rank);
    bool last = op.getSelectLastIndex();

    SmallVector<int64_t> kept;
    SmallVector<AffineExpr> keptExprs;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t i = 0; i < rank; ++i) {
      if (i == axis) {
        iterators.push_back(utils::IteratorType::reduction);
        continue;
      }
      kept.push_back(inType.getDimSize(i));
      keptExprs.push_back(getAffineDimExpr(i, ctx));
      iterators.push_back(utils::IteratorType::parallel);
    }
    auto valueType = RankedTensorType::get(kept, elementType);
    auto indexType = RankedTensorType::get(kept, rewriter.getI64Type());
    AffineMap keptMap = AffineMap::get(rank, 0, keptExprs, ctx);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{valueType, indexType}, ValueRange{op.getInput()},
        ValueRange{filledTensor(rewriter, loc, valueType,
                                lowestValue(elementType)),
                   filledTensor(rewriter, loc, indexType,
                                rewriter.getI64IntegerAttr(-1))},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank), keptMap,
                            keptMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIdx = args[2];
          Value pos = b.create<arith::IndexCastOp>(
              l, b.getI64Type(), b.create<linalg::IndexOp>(l, axis));
          // The first element always wins; then a larger one (or an equal
          // one with select_last_index); NaN is the largest.
          Value first = b.create<arith::CmpIOp>(
              l, arith::CmpIPredicate::slt, bestIdx,
              b.create<arith::ConstantIntOp>(l, 0, 64));
          Value better = compareScalars(
              b, l, last ? nn::CompareKind::ge : nn::CompareKind::gt, x, best);
          if (isa<FloatType>(elementType)) {
            Value xNaN = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::UNO,
                                                 x, x);
            Value bestNaN = b.create<arith::CmpFOp>(
                l, arith::CmpFPredicate::UNO, best, best);
            Value notBest = b.create<arith::XOrIOp>(
                l, bestNaN, b.create<arith::ConstantIntOp>(l, 1, 1));
            better = b.create<arith::OrIOp>(
                l, b.create<arith::AndIOp>(l, better, notBest),
                b.create<arith::AndIOp>(l, xNaN, notBest));
          }
          Value take = b.create<arith::OrIOp>(l, first, better);
          b.create<linalg::YieldOp>(
              l, ValueRange{b.create<arith::SelectOp>(l, take, x, best),
                            b.create<arith::SelectOp>(l, take, pos, bestIdx)});
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, generic.getResult(1),
                                     op.getType()));
    return success();
  }
};

/// topk: rank[i] = #{j : x[j] beats x[i]} (larger, or equal with j < i, for
/// largest; mirrored otherwise); then output position p takes the element
/// of rank p.
struct TopKLowering : StaticShapeLowering<nn::TopKOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::TopKOp op,
                            PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inType.getRank();
    int64_t axis = normalizedAxis(op.getAxisAttr().getInt(), rank);
    bool largest = op.getLargest();
    unsigned loops = rank + 1, extra = rank;

    // Pass 1: ranks, over (dims..., j) with j reduced.
    auto rankType = RankedTensorType::get(inType.getShape(),
                                          rewriter.getI64Type());
    SmallVector<utils::IteratorType> iterators(loops,
                                               utils::IteratorType::parallel);
    iterators.back() = utils::IteratorType::reduction;
    AffineMap self = leadingDims(ctx, loops, rank);
    AffineMap other = replaceDim(ctx, loops, rank, axis, extra);
    Value ranks =
        rewriter
            .create<linalg::GenericOp>(
                loc, rankType, ValueRange{op.getInput(), op.getInput()},
                ValueRange{filledTensor(rewriter, loc, rankType,
                                        rewriter.getI64IntegerAttr(0))},
                ArrayRef<AffineMap>{self, other, self}, iterators,
                [&](OpBuilder &b, Location l, ValueRange args) {
                  Value x = args[0], y = args[1], count = args[2];
                  Value i = b.create<linalg::IndexOp>(l, axis);
                  Value j = b.create<linalg::IndexOp>(l, extra);
                  Value beats = compareScalars(
                      b, l, largest ? nn::CompareKind::gt : nn::CompareKind::lt,
                      y, x);
                  Value tie = b.create<arith::AndIOp>(
                      l, compareScalars(b, l, nn::CompareKind::eq, y, x),
                      b.create<arith::CmpIOp>(l, arith::CmpIPredicate::ult, j,
                                              i));
                  Value win = b.create<arith::OrIOp>(l, beats, tie);
                  Value next = b.create<arith::AddIOp>(
                      l, count,
                      b.create<arith::ExtUIOp>(l, b.getI64Type(), win));
                  b.create<linalg::YieldOp>(l, next);
                })
            .getResult(0);

    // Pass 2: gather by rank, over (result dims..., j) with j reduced.
    auto valuesType = cast<RankedTensorType>(op.getValues().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    AffineMap out = leadingDims(ctx, loops, rank);
    auto gather = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{valuesType, indicesType}, ValueRange{op.getInput(), ranks},
        ValueRange{filledTensor(rewriter, loc, valuesType,
                                rewriter.getZeroAttr(valuesType.getElementType())),
                   filledTensor(rewriter, loc, indicesType,
                                rewriter.getI64IntegerAttr(0))},
        ArrayRef<AffineMap>{other, other, out, out}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], r = args[1], value = args[2], index = args[3];
          Value p = b.create<arith::IndexCastOp>(
              l, b.getI64Type(), b.create<linalg::IndexOp>(l, axis));
          Value j = b.create<arith::IndexCastOp>(
              l, b.getI64Type(), b.create<linalg::IndexOp>(l, extra));
          Value hit =
              b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, r, p);
          b.create<linalg::YieldOp>(
              l, ValueRange{b.create<arith::SelectOp>(l, hit, x, value),
                            b.create<arith::SelectOp>(l, hit, j, index)});
        });
    rewriter.replaceOp(op, gather.getResults());
    return success();
  }
};

/// cumsum: out[i] = sum of x[j] for j before i (or up to i, or after).
struct CumSumLowering : StaticShapeLowering<nn::CumSumOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::CumSumOp op,
                            PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    int64_t axis = normalizedAxis(op.getAxisAttr().getInt(), rank);
    unsigned loops = rank + 1, extra = rank;
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    SmallVector<utils::IteratorType> iterators(loops,
                                               utils::IteratorType::parallel);
    iterators.back() = utils::IteratorType::reduction;
    Type elementType = type.getElementType();
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, type, ValueRange{op.getInput()},
        ValueRange{filledTensor(rewriter, loc, type,
                                rewriter.getZeroAttr(elementType))},
        ArrayRef<AffineMap>{replaceDim(ctx, loops, rank, axis, extra),
                            leadingDims(ctx, loops, rank)},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value i = b.create<linalg::IndexOp>(l, axis);
          Value j = b.create<linalg::IndexOp>(l, extra);
          arith::CmpIPredicate p =
              reverse ? (exclusive ? arith::CmpIPredicate::ugt
                                   : arith::CmpIPredicate::uge)
                      : (exclusive ? arith::CmpIPredicate::ult
                                   : arith::CmpIPredicate::ule);
          Value in = b.create<arith::CmpIOp>(l, p, j, i);
          Value sum =
              isa<FloatType>(elementType)
                  ? Value(b.create<arith::AddFOp>(l, args[1], args[0]))
                  : b.create<arith::AddIOp>(l, args[1], args[0]);
          b.create<linalg::YieldOp>(
              l, Value(b.create<arith::SelectOp>(l, in, sum, args[1])));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// An index read from a tensor, wrapped if negative and clamped into
/// [0, size), as an `index`.
Value clampIndex(OpBuilder &b, Location l, Value i, int64_t size) {
  i = b.create<arith::IndexCastOp>(l, b.getIndexType(), i);
  Value zero = indexConst(b, l, 0);
  Value isNeg = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, i, zero);
  i = b.create<arith::SelectOp>(
      l, isNeg, b.create<arith::AddIOp>(l, i, indexConst(b, l, size)), i);
  i = b.create<arith::MaxSIOp>(l, i, zero);
  return b.create<arith::MinSIOp>(l, i, indexConst(b, l, size - 1));
}

struct GatherElementsLowering : StaticShapeLowering<nn::GatherElementsOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::GatherElementsOp op,
                            PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    int64_t rank = type.getRank();
    int64_t axis = normalizedAxis(op.getAxisAttr().getInt(), rank);
    Value data = op.getData();
    Value result = indexGeneric(
        rewriter, op.getLoc(), type, op.getIndices(),
        rewriter.getMultiDimIdentityMap(rank),
        [&](OpBuilder &b, Location l, ValueRange args, ArrayRef<Value> idx) {
          SmallVector<Value> coords(idx);
          coords[axis] = clampIndex(b, l, args[0], dataType.getDimSize(axis));
          return b.create<tensor::ExtractOp>(l, data, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// gather_nd: result[b..., i..., s...] = data[b..., t..., s...] where t is
/// the tuple indices[b..., i..., :], each coordinate wrapped and clamped.
struct GatherNDLowering : StaticShapeLowering<nn::GatherNDOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::GatherNDOp op,
                            PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto idxType = cast<RankedTensorType>(op.getIndices().getType());
    int64_t batch = op.getBatchDims(), tupleRank = idxType.getRank() - 1;
    int64_t k = idxType.getShape().back();
    Value data = op.getData(), indices = op.getIndices();
    Value result = indexGeneric(
        rewriter, op.getLoc(), type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange, ArrayRef<Value> idx) {
          SmallVector<Value> coords(idx.take_front(batch));
          SmallVector<Value> at(idx.take_front(tupleRank));
          at.push_back(Value());
          for (int64_t j = 0; j < k; ++j) {
            at.back() = indexConst(b, l, j);
            Value i = b.create<tensor::ExtractOp>(l, indices, at);
            coords.push_back(
                clampIndex(b, l, i, dataType.getDimSize(batch + j)));
          }
          llvm::append_range(coords, idx.drop_front(tupleRank));
          return b.create<tensor::ExtractOp>(l, data, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// `update` combined with `old` under `reduction`.
Value combineScatter(OpBuilder &b, Location l, nn::ScatterReduction reduction,
                     Value old, Value update) {
  bool isFloat = isa<FloatType>(old.getType());
  switch (reduction) {
  case nn::ScatterReduction::none:
    return update;
  case nn::ScatterReduction::add:
    if (old.getType().isInteger(1))
      return b.create<arith::OrIOp>(l, old, update);
    return isFloat ? Value(b.create<arith::AddFOp>(l, old, update))
                   : b.create<arith::AddIOp>(l, old, update);
  case nn::ScatterReduction::mul:
    if (old.getType().isInteger(1))
      return b.create<arith::AndIOp>(l, old, update);
    return isFloat ? Value(b.create<arith::MulFOp>(l, old, update))
                   : b.create<arith::MulIOp>(l, old, update);
  case nn::ScatterReduction::max:
    return maximum(b, l, old, update);
  case nn::ScatterReduction::min:
    return minimum(b, l, old, update);
  }
  llvm_unreachable("unknown scatter reduction");
}

/// An scf.for nest over the static `shape` (row-major order) that carries
/// `init` and replaces it by `body(ivs, current)` at each point.
Value scatterLoops(
    OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Value init,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body) {
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t size : shape) {
    lbs.push_back(indexConst(b, loc, 0));
    ubs.push_back(indexConst(b, loc, size));
    steps.push_back(indexConst(b, loc, 1));
  }
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{init},
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange args) {
        return scf::ValueVector{body(nb, l, ivs, args[0])};
      });
  return nest.results.front();
}

/// One step of a scatter: `updates[ivs]` (combined with `acc[coords]` by
/// `reduction`, unless it is none) written to `acc[coords]`.
Value scatterOne(OpBuilder &b, Location l, nn::ScatterReduction reduction,
                 Value updates, ValueRange ivs, Value acc, ValueRange coords) {
  Value update = b.create<tensor::ExtractOp>(l, updates, ivs);
  if (reduction != nn::ScatterReduction::none)
    update = combineScatter(b, l, reduction,
                            b.create<tensor::ExtractOp>(l, acc, coords), update);
  return b.create<tensor::InsertOp>(l, update, acc, coords);
}

/// scatter_elements: for every position p of indices, in order,
/// out[p with p[axis] = indices[p]] = combine(that element, updates[p]).
struct ScatterElementsLowering : StaticShapeLowering<nn::ScatterElementsOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::ScatterElementsOp op,
                            PatternRewriter &rewriter) const override {
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto idxType = cast<RankedTensorType>(op.getIndices().getType());
    int64_t axis =
        normalizedAxis(op.getAxisAttr().getInt(), dataType.getRank());
    nn::ScatterReduction reduction = op.getReduction();
    Value indices = op.getIndices(), updates = op.getUpdates();
    Value result = scatterLoops(
        rewriter, op.getLoc(), idxType.getShape(), op.getData(),
        [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) -> Value {
          SmallVector<Value> coords = llvm::to_vector(ivs);
          coords[axis] =
              clampIndex(b, l, b.create<tensor::ExtractOp>(l, indices, ivs),
                         dataType.getDimSize(axis));
          return scatterOne(b, l, reduction, updates, ivs, acc, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// scatter_nd: for every position (i..., s...) of updates, in order,
/// out[t..., s...] = combine(that element, updates[i..., s...]) where t is
/// the tuple indices[i..., :].
struct ScatterNDLowering : StaticShapeLowering<nn::ScatterNDOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::ScatterNDOp op,
                            PatternRewriter &rewriter) const override {
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto idxType = cast<RankedTensorType>(op.getIndices().getType());
    auto updType = cast<RankedTensorType>(op.getUpdates().getType());
    int64_t tupleRank = idxType.getRank() - 1;
    int64_t k = idxType.getShape().back();
    nn::ScatterReduction reduction = op.getReduction();
    Value indices = op.getIndices(), updates = op.getUpdates();
    Value result = scatterLoops(
        rewriter, op.getLoc(), updType.getShape(), op.getData(),
        [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) -> Value {
          SmallVector<Value> coords;
          SmallVector<Value> at = llvm::to_vector(ivs.take_front(tupleRank));
          at.push_back(Value());
          for (int64_t j = 0; j < k; ++j) {
            at.back() = indexConst(b, l, j);
            coords.push_back(
                clampIndex(b, l, b.create<tensor::ExtractOp>(l, indices, at),
                           dataType.getDimSize(j)));
          }
          llvm::append_range(coords, ivs.drop_front(tupleRank));
          return scatterOne(b, l, reduction, updates, ivs, acc, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// resize: per resized dim, the source coordinate of the output index (in
/// f64, as ONNX's reference computes it), then one read (nearest) or the
/// weighted sum of the 2^k neighbours (linear).
struct ResizeLowering : StaticShapeLowering<nn::ResizeOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::ResizeOp op,
                            PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = type.getRank();
    ArrayRef<double> scales = op.getScales();
    nn::CoordinateMode coord = op.getCoordinateMode();
    nn::NearestMode nearest = op.getNearestMode();
    nn::ResizeMode mode = op.getMode();
    double a = op.getCubicCoeffA().convertToDouble();
    bool excludeOutside = op.getExcludeOutside();
    bool antialias = op.getAntialias();
    Value input = op.getInput();

    std::optional<ArrayRef<double>> roi = op.getRoi();
    double extrapolation = op.getExtrapolationValue().convertToDouble();
    SmallVector<int64_t> resized;
    for (int64_t d = 0; d < rank; ++d)
      if (scales[d] != 1.0 || inType.getDimSize(d) != type.getDimSize(d) ||
          (roi && ((*roi)[d] != 0.0 || (*roi)[rank + d] != 1.0)))
        resized.push_back(d);

    Value result = indexGeneric(
        rewriter, op.getLoc(), type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange, ArrayRef<Value> idx) {
          Type f64 = b.getF64Type();
          auto f = [&](double v) { return scalarConstant(b, l, f64, v); };
          // Per resized dim, the (index, weight) pairs it reads.
          SmallVector<SmallVector<std::pair<Value, Value>>> taps;
          // tf_crop_and_resize: whether the element samples outside.
          Value outside;
          auto finish = [&](Value v) {
            if (!outside)
              return v;
            return b
                .create<arith::SelectOp>(
                    l, outside,
                    scalarConstant(b, l, v.getType(), extrapolation), v)
                .getResult();
          };
          for (int64_t d : resized) {
            int64_t in = inType.getDimSize(d), outInt = type.getDimSize(d);
            double scale = scales[d], outWidth = scale * double(in);
            Value x = b.create<arith::SIToFPOp>(
                l, f64,
                b.create<arith::IndexCastOp>(l, b.getI64Type(), idx[d]));
            Value xo;
            Value halfPixel = b.create<arith::SubFOp>(
                l, b.create<arith::DivFOp>(
                       l, b.create<arith::AddFOp>(l, x, f(0.5)), f(scale)),
                f(0.5));
            switch (coord) {
            case nn::CoordinateMode::half_pixel:
              xo = halfPixel;
              break;
            case nn::CoordinateMode::pytorch_half_pixel:
              xo = outWidth == 1.0 ? f(-0.5) : halfPixel;
              break;
            case nn::CoordinateMode::half_pixel_symmetric: {
              double adjustment = double(outInt) / outWidth;
              double offset = double(in) / 2.0 * (1.0 - adjustment);
              xo = b.create<arith::AddFOp>(l, halfPixel, f(offset));
              break;
            }
            case nn::CoordinateMode::align_corners:
              xo = outWidth == 1.0
                       ? f(0.0)
                       : b.create<arith::DivFOp>(
                             l, b.create<arith::MulFOp>(l, x, f(in - 1)),
                             f(outWidth - 1.0));
              break;
            case nn::CoordinateMode::asymmetric:
              xo = b.create<arith::DivFOp>(l, x, f(scale));
              break;
            case nn::CoordinateMode::tf_crop_and_resize: {
              double start = (*roi)[d], end = (*roi)[rank + d];
              double span = (end - start) * double(in - 1);
              xo = outWidth == 1.0
                       ? f(span / 2.0)
                       : b.create<arith::DivFOp>(
                             l, b.create<arith::MulFOp>(l, x, f(span)),
                             f(outWidth - 1.0));
              xo = b.create<arith::AddFOp>(l, xo, f(start * double(in - 1)));
              Value out = b.create<arith::OrIOp>(
                  l,
                  b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OLT, xo,
                                          f(0.0)),
                  b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, xo,
                                          f(double(in - 1))));
              outside = outside ? b.create<arith::OrIOp>(l, outside, out)
                                : out;
              break;
            }
            }
            Value fl = b.create<math::FloorOp>(l, xo);
            Value frac = b.create<arith::SubFOp>(l, xo, fl);
            auto toIndex = [&](Value v) {
              Value i = b.create<arith::FPToSIOp>(l, b.getI64Type(), v);
              i = b.create<arith::MaxSIOp>(
                  l, i, b.create<arith::ConstantIntOp>(l, 0, 64));
              i = b.create<arith::MinSIOp>(
                  l, i, b.create<arith::ConstantIntOp>(l, in - 1, 64));
              return b.create<arith::IndexCastOp>(l, b.getIndexType(), i);
            };
            Value up = b.create<arith::AddFOp>(l, fl, f(1.0));
            if (mode == nn::ResizeMode::nearest) {
              Value pick;
              switch (nearest) {
              case nn::NearestMode::round_prefer_floor:
                pick = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT,
                                               frac, f(0.5));
                break;
              case nn::NearestMode::round_prefer_ceil:
                pick = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGE,
                                               frac, f(0.5));
                break;
              case nn::NearestMode::floor:
                pick = b.create<arith::ConstantIntOp>(l, 0, 1);
                break;
              case nn::NearestMode::ceil:
                pick = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT,
                                               frac, f(0.0));
                break;
              }
              taps.push_back(
                  {{toIndex(b.create<arith::SelectOp>(l, pick, up, fl)),
                    f(1.0)}});
              continue;
            }
            // Keys' cubic kernel (A = cubic_coeff_a) near and far from 0.
            auto keysNear = [&](Value x) { // |x| <= 1
              // ((A + 2) x - (A + 3)) x x + 1
              Value v = b.create<arith::SubFOp>(
                  l, b.create<arith::MulFOp>(l, f(a + 2), x), f(a + 3));
              v = b.create<arith::MulFOp>(
                  l, b.create<arith::MulFOp>(l, v, x), x);
              return b.create<arith::AddFOp>(l, v, f(1.0)).getResult();
            };
            auto keysFar = [&](Value x) { // 1 < |x| < 2
              // ((A x - 5 A) x + 8 A) x - 4 A
              Value v = b.create<arith::SubFOp>(
                  l, b.create<arith::MulFOp>(l, f(a), x), f(5 * a));
              v = b.create<arith::AddFOp>(
                  l, b.create<arith::MulFOp>(l, v, x), f(8 * a));
              return b.create<arith::SubFOp>(
                         l, b.create<arith::MulFOp>(l, v, x), f(4 * a))
                  .getResult();
            };
            auto insideInput = [&](Value pos) {
              return b.create<arith::AndIOp>(
                  l,
                  b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGE, pos,
                                          f(0.0)),
                  b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OLE, pos,
                                          f(in - 1)));
            };
            if (antialias && scale < 1.0) {
              // Downsampling with antialiasing: the kernel stretched by
              // 1 / scale, over the taps floor + start .. floor - start + 1,
              // weights normalized to sum to 1.
              double reach = mode == nn::ResizeMode::linear ? 1.0 : 2.0;
              int64_t start = static_cast<int64_t>(std::floor(-reach / scale)) + 1;
              SmallVector<std::pair<Value, Value>> dimTaps;
              Value total = f(0.0);
              for (int64_t j = start; j <= 1 - start; ++j) {
                Value pos = b.create<arith::AddFOp>(l, fl, f(double(j)));
                Value arg = b.create<math::AbsFOp>(
                    l, b.create<arith::MulFOp>(
                           l, b.create<arith::SubFOp>(l, f(double(j)), frac),
                           f(scale)));
                Value w;
                if (mode == nn::ResizeMode::linear) {
                  w = b.create<arith::MaximumFOp>(
                      l, b.create<arith::SubFOp>(l, f(1.0), arg), f(0.0));
                } else {
                  Value near = b.create<arith::CmpFOp>(
                      l, arith::CmpFPredicate::OLE, arg, f(1.0));
                  Value far = b.create<arith::CmpFOp>(
                      l, arith::CmpFPredicate::OLT, arg, f(2.0));
                  w = b.create<arith::SelectOp>(
                      l, near, keysNear(arg),
                      b.create<arith::SelectOp>(l, far, keysFar(arg), f(0.0)));
                }
                if (excludeOutside)
                  w = b.create<arith::SelectOp>(l, insideInput(pos), w, f(0.0));
                total = b.create<arith::AddFOp>(l, total, w);
                dimTaps.push_back({toIndex(pos), w});
              }
              for (auto &tap : dimTaps)
                tap.second = b.create<arith::DivFOp>(l, tap.second, total);
              taps.push_back(dimTaps);
              continue;
            }
            if (mode == nn::ResizeMode::linear) {
              taps.push_back({{toIndex(fl), b.create<arith::SubFOp>(
                                                l, f(1.0), frac)},
                              {toIndex(up), frac}});
              continue;
            }
            // Cubic: neighbours floor - 1 .. floor + 2 with Keys' weights
            // for distances 1 + t, t, 1 - t, 2 - t.
            Value oneMinus = b.create<arith::SubFOp>(l, f(1.0), frac);
            Value w[4] = {keysFar(b.create<arith::AddFOp>(l, frac, f(1.0))),
                          keysNear(frac), keysNear(oneMinus),
                          keysFar(b.create<arith::AddFOp>(l, oneMinus,
                                                          f(1.0)))};
            SmallVector<std::pair<Value, Value>> dimTaps;
            Value total = f(0.0);
            for (int t = 0; t < 4; ++t) {
              Value pos = b.create<arith::AddFOp>(l, fl, f(t - 1));
              if (excludeOutside) {
                w[t] = b.create<arith::SelectOp>(l, insideInput(pos), w[t],
                                                 f(0.0));
                total = b.create<arith::AddFOp>(l, total, w[t]);
              }
              dimTaps.push_back({toIndex(pos), w[t]});
            }
            if (excludeOutside)
              for (auto &tap : dimTaps)
                tap.second = b.create<arith::DivFOp>(l, tap.second, total);
            taps.push_back(dimTaps);
          }
          // Sum over every combination of taps, weights in f64.
          unsigned k = resized.size();
          Value acc;
          SmallVector<unsigned> choice(k, 0);
          while (true) {
            SmallVector<Value> coords(idx);
            Value w;
            for (unsigned t = 0; t < k; ++t) {
              auto [index, weight] = taps[t][choice[t]];
              coords[resized[t]] = index;
              w = w ? Value(b.create<arith::MulFOp>(l, w, weight)) : weight;
            }
            Value v = b.create<tensor::ExtractOp>(l, input, coords);
            if (k == 0 || mode == nn::ResizeMode::nearest)
              return finish(v);
            Value term = b.create<arith::MulFOp>(
                l, w, b.create<arith::ExtFOp>(l, f64, v));
            acc = acc ? Value(b.create<arith::AddFOp>(l, acc, term)) : term;
            unsigned t = 0;
            while (t < k && ++choice[t] == taps[t].size())
              choice[t++] = 0;
            if (t == k)
              break;
          }
          return finish(
              b.create<arith::TruncFOp>(l, type.getElementType(), acc));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void lower::populateIndexingPatterns(RewritePatternSet &patterns) {
  patterns.add<CompareLowering, SelectLowering, ArgMaxLowering, TopKLowering,
               CumSumLowering, GatherElementsLowering, GatherNDLowering,
               ScatterElementsLowering, ScatterNDLowering, ResizeLowering>(
      patterns.getContext());
}
