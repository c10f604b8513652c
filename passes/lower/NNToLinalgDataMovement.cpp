//===- NNToLinalgDataMovement.cpp - Lower nn data-movement ops ------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file lowers the nn ops that move data without arithmetic: reshape and
// flatten (collapse/expand_shape), transpose (linalg.transpose), concat
// (insert_slice into an empty tensor), slice (extract_slice, or a gather-like
// generic for negative steps), gather and the non-constant pad modes
// (generics reading the source with tensor.extract), constant pad
// (tensor.pad, after cropping any negative amounts).
//
//===----------------------------------------------------------------------===//

#include "passes/lower/NNToLinalgUtils.h"

#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace lathe;
using namespace lathe::lower;

namespace {

template <typename OpTy>
struct ReshapeLikeLowering : StaticShapeLowering<OpTy> {
  using StaticShapeLowering<OpTy>::StaticShapeLowering;
  LogicalResult lowerStatic(OpTy op,
                            PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    rewriter.replaceOp(op,
                       reshapeTo(rewriter, op.getLoc(), op.getInput(), type));
    return success();
  }
};

struct TransposeLowering : StaticShapeLowering<nn::TransposeOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::TransposeOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Location loc = op.getLoc();
    auto transpose = rewriter.create<linalg::TransposeOp>(
        loc, op.getInput(), emptyTensor(rewriter, loc, type), op.getPerm());
    rewriter.replaceOp(op, transpose.getResult()[0]);
    return success();
  }
};

struct ConcatLowering : StaticShapeLowering<nn::ConcatOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::ConcatOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Location loc = op.getLoc();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxisAttr().getInt();
    if (axis < 0)
      axis += rank;
    Value result = emptyTensor(rewriter, loc, type);
    int64_t offset = 0;
    for (Value input : op.getInputs()) {
      auto inType = cast<RankedTensorType>(input.getType());
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
      for (int64_t size : inType.getShape())
        sizes.push_back(rewriter.getIndexAttr(size));
      result = rewriter.create<tensor::InsertSliceOp>(loc, input, result,
                                                      offsets, sizes, strides);
      offset += inType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SliceLowering : StaticShapeLowering<nn::SliceOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::SliceOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Location loc = op.getLoc();
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      SmallVector<OpFoldResult> offsets, sizes, strides;
      for (auto [start, size, step] :
           llvm::zip_equal(starts, type.getShape(), steps)) {
        offsets.push_back(rewriter.getIndexAttr(start));
        sizes.push_back(rewriter.getIndexAttr(size));
        strides.push_back(rewriter.getIndexAttr(step));
      }
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, op.getInput(), offsets, sizes, strides);
      return success();
    }
    // Negative steps: out[i] = in[start + i * step], dim by dim.
    Value input = op.getInput();
    Value result = indexGeneric(
        rewriter, loc, type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange, ArrayRef<Value> idx) {
          SmallVector<Value> coords;
          for (auto [i, start, step] : llvm::enumerate(starts, steps)) {
            Value scaled = b.create<arith::MulIOp>(
                l, idx[i], b.create<arith::ConstantIndexOp>(l, step));
            coords.push_back(b.create<arith::AddIOp>(
                l, scaled, b.create<arith::ConstantIndexOp>(l, start)));
          }
          return b.create<tensor::ExtractOp>(l, input, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherLowering : StaticShapeLowering<nn::GatherOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::GatherOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto idxType = cast<RankedTensorType>(op.getIndices().getType());
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    int64_t rank = dataType.getRank();
    int64_t axis = op.getAxisAttr().getInt();
    if (axis < 0)
      axis += rank;
    int64_t idxRank = idxType.getRank();
    int64_t axisSize = dataType.getDimSize(axis);

    // The indices are read at the result dims [axis, axis + idxRank).
    SmallVector<AffineExpr> idxExprs;
    for (int64_t i = 0; i < idxRank; ++i)
      idxExprs.push_back(getAffineDimExpr(axis + i, ctx));
    AffineMap idxMap = AffineMap::get(type.getRank(), 0, idxExprs, ctx);

    Value data = op.getData();
    Value result = indexGeneric(
        rewriter, loc, type, op.getIndices(), idxMap,
        [&](OpBuilder &b, Location l, ValueRange args,
            ArrayRef<Value> idx) {
          // Negative indices count from the back; out-of-range ones are
          // clamped so that a bad index never reads outside the tensor.
          Value i = b.create<arith::IndexCastOp>(l, b.getIndexType(), args[0]);
          Value zero = b.create<arith::ConstantIndexOp>(l, 0);
          Value size = b.create<arith::ConstantIndexOp>(l, axisSize);
          Value isNeg = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt,
                                                i, zero);
          i = b.create<arith::SelectOp>(
              l, isNeg, b.create<arith::AddIOp>(l, i, size), i);
          i = b.create<arith::MaxSIOp>(l, i, zero);
          i = b.create<arith::MinSIOp>(
              l, i, b.create<arith::ConstantIndexOp>(l, axisSize - 1));
          SmallVector<Value> coords(idx.take_front(axis));
          coords.push_back(i);
          llvm::append_range(coords, idx.drop_front(axis + idxRank));
          return b.create<tensor::ExtractOp>(l, data, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PadLowering : StaticShapeLowering<nn::PadOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::PadOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Location loc = op.getLoc();
    Type elementType = type.getElementType();
    int64_t rank = inType.getRank();
    ArrayRef<int64_t> pads = op.getPads();

    // Crop the negative amounts first; what remains only grows.
    SmallVector<int64_t> low, high;
    SmallVector<OpFoldResult> offsets, sizes,
        strides(rank, rewriter.getIndexAttr(1));
    SmallVector<int64_t> croppedShape;
    bool crops = false;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t before = pads[i], after = pads[rank + i];
      int64_t cropBefore = std::max<int64_t>(0, -before);
      int64_t cropAfter = std::max<int64_t>(0, -after);
      crops |= cropBefore > 0 || cropAfter > 0;
      int64_t size = inType.getDimSize(i) - cropBefore - cropAfter;
      offsets.push_back(rewriter.getIndexAttr(cropBefore));
      sizes.push_back(rewriter.getIndexAttr(size));
      croppedShape.push_back(size);
      low.push_back(std::max<int64_t>(0, before));
      high.push_back(std::max<int64_t>(0, after));
    }
    Value input = op.getInput();
    if (crops)
      input = rewriter.create<tensor::ExtractSliceOp>(
          loc, RankedTensorType::get(croppedShape, elementType), input,
          offsets, sizes, strides);

    if (op.getMode() == nn::PadMode::constant) {
      double value = op.getValue().convertToDouble();
      TypedAttr padValue =
          isa<FloatType>(elementType)
              ? TypedAttr(rewriter.getFloatAttr(elementType, value))
              : TypedAttr(rewriter.getIntegerAttr(elementType,
                                                  static_cast<int64_t>(value)));
      rewriter.replaceOp(
          op, padConstant(rewriter, loc, input, low, high, padValue));
      return success();
    }

    // reflect / edge / wrap: each output element reads a source element.
    nn::PadMode mode = op.getMode();
    Value result = indexGeneric(
        rewriter, loc, type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange, ArrayRef<Value> idx) {
          SmallVector<Value> coords;
          for (int64_t i = 0; i < rank; ++i) {
            int64_t d = croppedShape[i];
            auto c = [&](int64_t v) {
              return b.create<arith::ConstantIndexOp>(l, v);
            };
            Value j = b.create<arith::SubIOp>(l, idx[i], c(low[i]));
            Value src;
            switch (mode) {
            case nn::PadMode::edge:
              src = b.create<arith::MinSIOp>(
                  l, b.create<arith::MaxSIOp>(l, j, c(0)), c(d - 1));
              break;
            case nn::PadMode::reflect: {
              // j < 0 -> -j; j >= d -> 2(d - 1) - j. (Pads are < d.)
              Value negJ = b.create<arith::SubIOp>(l, c(0), j);
              Value mirrored = b.create<arith::SubIOp>(l, c(2 * (d - 1)), j);
              Value below = b.create<arith::CmpIOp>(
                  l, arith::CmpIPredicate::slt, j, c(0));
              Value above = b.create<arith::CmpIOp>(
                  l, arith::CmpIPredicate::sge, j, c(d));
              src = b.create<arith::SelectOp>(
                  l, below, negJ,
                  b.create<arith::SelectOp>(l, above, mirrored, j));
              break;
            }
            case nn::PadMode::wrap:
              src = b.create<arith::RemSIOp>(
                  l,
                  b.create<arith::AddIOp>(
                      l, b.create<arith::RemSIOp>(l, j, c(d)), c(d)),
                  c(d));
              break;
            case nn::PadMode::constant:
              llvm_unreachable("handled above");
            }
            coords.push_back(src);
          }
          return b.create<tensor::ExtractOp>(l, input, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void lower::populateDataMovementPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLikeLowering<nn::ReshapeOp>,
               ReshapeLikeLowering<nn::FlattenOp>, TransposeLowering,
               ConcatLowering, SliceLowering, GatherLowering, PadLowering>(
      patterns.getContext());
}
