//===- NNToLinalgContraction.cpp - Lower nn matmul, gemm, conv2d ----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file lowers the contractions: nn.matmul (named linalg.matmul for plain
// matrices, a broadcasting linalg.generic for batches), nn.gemm (contraction
// plus an alpha/beta/bias epilogue) and nn.conv2d (linalg's NCHW convolutions:
// plain, depthwise or grouped, on a zero-padded input, accumulating onto the
// bias).
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

/// acc + l * r for floats or integers.
Value multiplyAccumulate(OpBuilder &b, Location loc, Value l, Value r,
                         Value acc) {
  if (isa<FloatType>(acc.getType()))
    return b.create<arith::AddFOp>(loc, acc,
                                   b.create<arith::MulFOp>(loc, l, r));
  return b.create<arith::AddIOp>(loc, acc, b.create<arith::MulIOp>(loc, l, r));
}

/// A zero-filled accumulator of `type`.
Value zeros(OpBuilder &b, Location loc, RankedTensorType type) {
  return filledTensor(b, loc, type, b.getZeroAttr(type.getElementType()));
}

/// A generic contraction `out[par...] += lhs[lhsMap] * rhs[rhsMap]` over
/// `numLoops` loops, the last `numReductions` of which are reductions.
Value buildContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                       Value init, AffineMap lhsMap, AffineMap rhsMap,
                       AffineMap outMap, unsigned numLoops,
                       unsigned numReductions) {
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  for (unsigned i = numLoops - numReductions; i < numLoops; ++i)
    iterators[i] = utils::IteratorType::reduction;
  auto generic = b.create<linalg::GenericOp>(
      loc, init.getType(), ValueRange{lhs, rhs}, init,
      ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iterators,
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(
            nloc, multiplyAccumulate(nb, nloc, args[0], args[1], args[2]));
      });
  return generic.getResult(0);
}

struct MatmulLowering : StaticShapeLowering<nn::MatmulOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::MatmulOp op,
                            PatternRewriter &rewriter) const override {
    auto resultType = op.getType();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type elementType = resultType.getElementType();

    // Promote vectors to matrices as numpy does; the extra dims are dropped
    // from the result by the final reshape.
    Value lhs = op.getLhs(), rhs = op.getRhs();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    if (lhsType.getRank() == 1) {
      lhsType = RankedTensorType::get({1, lhsType.getDimSize(0)}, elementType);
      lhs = reshapeTo(rewriter, loc, lhs, lhsType);
    }
    if (rhsType.getRank() == 1) {
      rhsType = RankedTensorType::get({rhsType.getDimSize(0), 1}, elementType);
      rhs = reshapeTo(rewriter, loc, rhs, rhsType);
    }
    ArrayRef<int64_t> lhsShape = lhsType.getShape(),
                      rhsShape = rhsType.getShape();
    int64_t m = lhsShape[lhsShape.size() - 2];
    int64_t n = rhsShape.back();

    // The full result shape: broadcast batch dims, then [M, N].
    SmallVector<int64_t> batch;
    ArrayRef<int64_t> lhsBatch = lhsShape.drop_back(2),
                      rhsBatch = rhsShape.drop_back(2);
    int64_t numBatch = std::max(lhsBatch.size(), rhsBatch.size());
    for (int64_t i = 0; i < numBatch; ++i) {
      int64_t l = i - (numBatch - (int64_t)lhsBatch.size());
      int64_t r = i - (numBatch - (int64_t)rhsBatch.size());
      int64_t ls = l >= 0 ? lhsBatch[l] : 1, rs = r >= 0 ? rhsBatch[r] : 1;
      batch.push_back(std::max(ls, rs));
    }
    SmallVector<int64_t> fullShape(batch);
    fullShape.append({m, n});
    auto fullType = RankedTensorType::get(fullShape, elementType);
    Value init = zeros(rewriter, loc, fullType);

    Value result;
    if (numBatch > 0 && rhsBatch.empty()) {
      // [batch..., M, K] x [K, N] (a linear layer on a sequence): one
      // [batch * M, K] x [K, N] matmul, which the schedules know.
      int64_t rows = m;
      for (int64_t d : lhsBatch)
        rows *= d;
      int64_t kDim = lhsShape.back();
      auto flatLhsType = RankedTensorType::get({rows, kDim}, elementType);
      auto flatType = RankedTensorType::get({rows, n}, elementType);
      auto matmul = rewriter.create<linalg::MatmulOp>(
          loc, flatType,
          ValueRange{reshapeTo(rewriter, loc, lhs, flatLhsType), rhs},
          zeros(rewriter, loc, flatType));
      if (Attribute config = op->getAttr("sched.config"))
        matmul->setAttr("sched.config", config);
      result = reshapeTo(rewriter, loc, matmul.getResult(0), fullType);
    } else if (numBatch == 0) {
      auto matmul = rewriter.create<linalg::MatmulOp>(
          loc, fullType, ValueRange{lhs, rhs}, init);
      // A schedule given on the graph op (by the tuner or by hand) goes to
      // the op it is a schedule of.
      if (Attribute config = op->getAttr("sched.config"))
        matmul->setAttr("sched.config", config);
      result = matmul.getResult(0);
    } else if (ArrayRef<int64_t>(lhsBatch) == ArrayRef<int64_t>(rhsBatch)) {
      // The same batch on both sides (attention's per-head products): one
      // linalg.batch_matmul over the flattened batch, which the schedules
      // know.
      int64_t count = 1;
      for (int64_t d : lhsBatch)
        count *= d;
      int64_t kDim = lhsShape.back();
      auto type3 = [&](int64_t r, int64_t c) {
        return RankedTensorType::get({count, r, c}, elementType);
      };
      auto matmul = rewriter.create<linalg::BatchMatmulOp>(
          loc, type3(m, n),
          ValueRange{reshapeTo(rewriter, loc, lhs, type3(m, kDim)),
                     reshapeTo(rewriter, loc, rhs, type3(kDim, n))},
          zeros(rewriter, loc, type3(m, n)));
      if (Attribute config = op->getAttr("sched.config"))
        matmul->setAttr("sched.config", config);
      result = reshapeTo(rewriter, loc, matmul.getResult(0), fullType);
    } else {
      // Loops: batch..., m, n, k.
      unsigned numLoops = numBatch + 3;
      auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
      auto operandMap = [&](ArrayRef<int64_t> operandBatch, AffineExpr row,
                            AffineExpr col) {
        AffineMap b = broadcastMap(ctx, operandBatch, batch);
        SmallVector<AffineExpr> exprs(b.getResults());
        exprs.append({row, col});
        return AffineMap::get(numLoops, 0, exprs, ctx);
      };
      AffineExpr dm = d(numBatch), dn = d(numBatch + 1), dk = d(numBatch + 2);
      SmallVector<AffineExpr> outExprs;
      for (int64_t i = 0; i < numBatch; ++i)
        outExprs.push_back(d(i));
      outExprs.append({dm, dn});
      result = buildContraction(
          rewriter, loc, lhs, rhs, init, operandMap(lhsBatch, dm, dk),
          operandMap(rhsBatch, dk, dn),
          AffineMap::get(numLoops, 0, outExprs, ctx), numLoops, 1);
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, resultType));
    return success();
  }
};

struct GemmLowering : StaticShapeLowering<nn::GemmOp> {
  using StaticShapeLowering::StaticShapeLowering;
  LogicalResult lowerStatic(nn::GemmOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value init = zeros(rewriter, loc, type);
    Value acc;
    if (!op.getTransposeA() && !op.getTransposeB()) {
      acc = rewriter
                .create<linalg::MatmulOp>(
                    loc, type, ValueRange{op.getA(), op.getB()}, init)
                .getResult(0);
    } else {
      // Loops: m, n, k.
      AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
                 k = getAffineDimExpr(2, ctx);
      auto map = [&](AffineExpr a, AffineExpr b) {
        return AffineMap::get(3, 0, {a, b}, ctx);
      };
      acc = buildContraction(rewriter, loc, op.getA(), op.getB(), init,
                             op.getTransposeA() ? map(k, m) : map(m, k),
                             op.getTransposeB() ? map(n, k) : map(k, n),
                             map(m, n), 3, 1);
    }

    // Epilogue: alpha * acc + beta * c.
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = op.getC();
    if (alpha != 1.0 || (c && beta != 0.0)) {
      SmallVector<Value> inputs = {acc};
      if (c && beta != 0.0)
        inputs.push_back(c);
      acc = buildElementwise(
          rewriter, loc, type, inputs,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Type t = args[0].getType();
            Value v = args[0];
            bool isFloat = isa<FloatType>(t);
            auto mul = [&](Value x, double s) -> Value {
              if (s == 1.0)
                return x;
              Value sc = scalarConstant(b, l, t, s);
              return isFloat ? Value(b.create<arith::MulFOp>(l, x, sc))
                             : b.create<arith::MulIOp>(l, x, sc);
            };
            v = mul(v, alpha);
            if (args.size() > 1) {
              Value cv = mul(args[1], beta);
              v = isFloat ? Value(b.create<arith::AddFOp>(l, v, cv))
                          : b.create<arith::AddIOp>(l, v, cv);
            }
            return v;
          });
    }
    rewriter.replaceOp(op, acc);
    return success();
  }
};

/// A channels-last convolution as a matmul: `pixels` ([N, OH, OW, ...],
/// `depth` values per output pixel) viewed as [N*OH*OW, depth] times
/// `weight` viewed as [depth, F], accumulated into `init` ([N, OH, OW, F])
/// viewed as [N*OH*OW, F]; the product in `init`'s shape.
static Value pixelMatmul(OpBuilder &b, Location loc, Value pixels,
                         int64_t depth, Value weight, Value init) {
  auto type = cast<RankedTensorType>(init.getType());
  int64_t rows = type.getDimSize(0) * type.getDimSize(1) * type.getDimSize(2);
  int64_t filters = type.getDimSize(3);
  auto matrix = [&](int64_t r, int64_t c) {
    return RankedTensorType::get({r, c}, type.getElementType());
  };
  Value product =
      b.create<linalg::MatmulOp>(
           loc, TypeRange{matrix(rows, filters)},
           ValueRange{reshapeTo(b, loc, pixels, matrix(rows, depth)),
                      reshapeTo(b, loc, weight, matrix(depth, filters))},
           ValueRange{reshapeTo(b, loc, init, matrix(rows, filters))})
          .getResult(0);
  return reshapeTo(b, loc, product, type);
}

/// A channels-last depthwise convolution of `input` ([N, IH, IW, C]) by
/// `weight` ([KH, KW, C]) with padding `pads` (top, left, bottom, right),
/// computed without a padded copy of its input: the output pixels whose
/// windows lie inside the input (the interior) read it directly; the border
/// strips around them (top and bottom rows, then the left and right columns
/// between) each read a small padded slice. Each part accumulates from
/// zeros into its slice of the result, the interior last (it is the
/// kernel's anchor, the op a tuned config describes). Null when there is no
/// interior (the caller pads the whole input then).
static Value splitPaddedDepthwise(OpBuilder &b, Location loc, Value input,
                                  Value weight, RankedTensorType type,
                                  ArrayRef<int64_t> pads,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilations) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t n = type.getDimSize(0), oh = type.getDimSize(1),
          ow = type.getDimSize(2), c = type.getDimSize(3);
  int64_t ih = inType.getDimSize(1), iw = inType.getDimSize(2);
  int64_t kh = weightType.getDimSize(0), kw = weightType.getDimSize(1);
  // The outputs [first, end) of one dimension whose windows are inside it:
  // s * o - pad >= 0 and s * o - pad + d * (k - 1) <= size - 1.
  auto interior = [](int64_t size, int64_t out, int64_t k, int64_t s, int64_t d,
                     int64_t pad) -> std::pair<int64_t, int64_t> {
    int64_t first = (pad + s - 1) / s;
    int64_t lastNumerator = size - 1 - d * (k - 1) + pad;
    int64_t end = lastNumerator < 0 ? 0 : lastNumerator / s + 1;
    return {first, std::min(end, out)};
  };
  auto [h0, h1] = interior(ih, oh, kh, strides[0], dilations[0], pads[0]);
  auto [w0, w1] = interior(iw, ow, kw, strides[1], dilations[1], pads[1]);
  if (h0 >= h1 || w0 >= w1)
    return Value();

  Type elementType = type.getElementType();
  Value zero = b.create<arith::ConstantOp>(loc, b.getZeroAttr(elementType));
  auto i64s = [&](ArrayRef<int64_t> v) { return b.getDenseI64ArrayAttr(v); };
  Attribute strideAttr = b.getI64TensorAttr(strides);
  Attribute dilationAttr = b.getI64TensorAttr(dilations);
  Value result = emptyTensor(b, loc, type);
  // Output rows [r0, r1) and columns [c0, c1).
  auto part = [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    if (r0 >= r1 || c0 >= c1)
      return;
    // The input window of the part, [rows0, rows1) x [cols0, cols1), in
    // the coordinates of the unpadded input.
    int64_t rows0 = strides[0] * r0 - pads[0];
    int64_t rows1 =
        strides[0] * (r1 - 1) - pads[0] + dilations[0] * (kh - 1) + 1;
    int64_t cols0 = strides[1] * c0 - pads[1];
    int64_t cols1 =
        strides[1] * (c1 - 1) - pads[1] + dilations[1] * (kw - 1) + 1;
    int64_t top = std::max<int64_t>(0, -rows0),
            left = std::max<int64_t>(0, -cols0);
    int64_t bottom = std::max<int64_t>(0, rows1 - ih);
    int64_t right = std::max<int64_t>(0, cols1 - iw);
    int64_t inRows = std::min(rows1, ih) - std::max<int64_t>(0, rows0);
    int64_t inCols = std::min(cols1, iw) - std::max<int64_t>(0, cols0);
    Value window = b.create<tensor::ExtractSliceOp>(
        loc, RankedTensorType::get({n, inRows, inCols, c}, elementType), input,
        ValueRange{}, ValueRange{}, ValueRange{},
        i64s({0, std::max<int64_t>(0, rows0), std::max<int64_t>(0, cols0), 0}),
        i64s({n, inRows, inCols, c}), i64s({1, 1, 1, 1}));
    if (top || left || bottom || right)
      window = padConstant(b, loc, window, {0, top, left, 0},
                           {0, bottom, right, 0}, b.getZeroAttr(elementType));
    SmallVector<int64_t> offsets = {0, r0, c0, 0},
                         sizes = {n, r1 - r0, c1 - c0, c};
    auto partType = RankedTensorType::get(sizes, elementType);
    Value slot = b.create<tensor::ExtractSliceOp>(
        loc, partType, result, ValueRange{}, ValueRange{}, ValueRange{},
        i64s(offsets), i64s(sizes), i64s({1, 1, 1, 1}));
    Value acc = b.create<linalg::FillOp>(loc, zero, slot).getResult(0);
    Value conv = b.create<linalg::DepthwiseConv2DNhwcHwcOp>(
                      loc, TypeRange{partType}, ValueRange{window, weight},
                      ValueRange{acc}, strideAttr, dilationAttr)
                     .getResult(0);
    result = b.create<tensor::InsertSliceOp>(
        loc, conv, result, ValueRange{}, ValueRange{}, ValueRange{},
        i64s(offsets), i64s(sizes), i64s({1, 1, 1, 1}));
  };
  part(0, h0, 0, ow);
  part(h1, oh, 0, ow);
  part(h0, h1, 0, w0);
  part(h0, h1, w1, ow);
  part(h0, h1, w0, w1);
  return result;
}

struct Conv2dLowering : StaticShapeLowering<nn::Conv2dOp> {
  /// Channels-last convolutions with at least `im2colMinFilters` filters
  /// (0: none) and a window larger than 1x1 lower to a matmul on im2col.
  Conv2dLowering(MLIRContext *ctx, int64_t im2colMinFilters)
      : StaticShapeLowering(ctx), im2colMinFilters(im2colMinFilters) {}
  int64_t im2colMinFilters;
  LogicalResult lowerStatic(nn::Conv2dOp op,
                            PatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type elementType = type.getElementType();

    bool channelsLast = op.getChannelsLast();
    int64_t groups = op.getGroups();
    // Channels-last: groups = 1 and depthwise only (what
    // lathe-convert-conv-layout produces).
    int64_t channels = inputType.getDimSize(channelsLast ? 3 : 1);
    int64_t filters = weightType.getDimSize(channelsLast ? 3 : 0);
    if (channelsLast && groups != 1 &&
        !(groups == channels && filters == channels))
      return op.emitOpError("channels_last lowering supports groups = 1 and "
                            "depthwise convolution, not ")
             << groups << " groups of " << channels << " channels";

    ArrayRef<int64_t> pads = op.getPads();
    SmallVector<int64_t> low = {0, 0, pads[0], pads[1]};
    SmallVector<int64_t> high = {0, 0, pads[2], pads[3]};
    if (channelsLast) {
      low = {0, pads[0], pads[1], 0};
      high = {0, pads[2], pads[3], 0};
    }
    // A padded channels-last depthwise convolution reads its interior from
    // the input as it is (it is memory-bound: a padded copy of its input
    // took twice its time); see splitPaddedDepthwise.
    Value dwWeight, splitResult;
    if (channelsLast && groups != 1) {
      // Depthwise with multiplier 1: weight [KH, KW, 1, C] -> [KH, KW, C].
      auto dwType = RankedTensorType::get(
          {weightType.getDimSize(0), weightType.getDimSize(1), filters},
          elementType);
      dwWeight = reshapeTo(rewriter, loc, op.getWeight(), dwType);
      if (llvm::any_of(pads, [](int64_t p) { return p != 0; }))
        splitResult =
            splitPaddedDepthwise(rewriter, loc, op.getInput(), dwWeight, type,
                                 pads, op.getStrides(), op.getDilations());
    }
    Value input = splitResult
                      ? op.getInput()
                      : padConstant(rewriter, loc, op.getInput(), low, high,
                                    rewriter.getZeroAttr(elementType));

    // The accumulator starts as the bias broadcast over N, OH, OW. A
    // channels-last convolution (the scheduled one) starts from zeros and
    // adds the bias in an elementwise op after it, which lathe-fuse-epilogue
    // applies to each register tile with the rest of the epilogue (and the
    // zeros are filled per tile), rather than in passes of their own over
    // the whole result.
    Value init;
    Value biasEpilogue = channelsLast ? op.getBias() : Value();
    if (Value bias = op.getBias(); bias && !biasEpilogue) {
      AffineMap channel =
          AffineMap::get(4, 0, getAffineDimExpr(channelsLast ? 3 : 1, ctx));
      init = rewriter
                 .create<linalg::GenericOp>(
                     loc, type, bias, emptyTensor(rewriter, loc, type),
                     ArrayRef<AffineMap>{channel,
                                         rewriter.getMultiDimIdentityMap(4)},
                     SmallVector<utils::IteratorType>(
                         4, utils::IteratorType::parallel),
                     [](OpBuilder &b, Location l, ValueRange args) {
                       b.create<linalg::YieldOp>(l, args[0]);
                     })
                 .getResult(0);
    } else if (!splitResult) {
      init = zeros(rewriter, loc, type);
    }

    Attribute strides = rewriter.getI64TensorAttr(op.getStrides());
    Attribute dilations = rewriter.getI64TensorAttr(op.getDilations());
    Value weight = op.getWeight();
    Value result;
    ArrayRef<int64_t> opStrides = op.getStrides();
    bool pointwise = weightType.getDimSize(0) == 1 &&
                     weightType.getDimSize(1) == 1 &&
                     llvm::all_of(pads, [](int64_t p) { return p == 0; });
    if (channelsLast && groups == 1 && pointwise) {
      // A 1x1 convolution is a matmul of the [N*OH*OW, C] pixels (every
      // stride-th one) by the [C, F] weights, which the matmul schedule
      // packs and tiles.
      if (llvm::any_of(opStrides, [](int64_t s) { return s != 1; })) {
        SmallVector<int64_t> sizes = {type.getDimSize(0), type.getDimSize(1),
                                      type.getDimSize(2), channels};
        auto slicedType = RankedTensorType::get(sizes, elementType);
        input = rewriter.create<tensor::ExtractSliceOp>(
            loc, slicedType, input, ValueRange{}, ValueRange{}, ValueRange{},
            rewriter.getDenseI64ArrayAttr({0, 0, 0, 0}),
            rewriter.getDenseI64ArrayAttr(sizes),
            rewriter.getDenseI64ArrayAttr(
                {1, opStrides[0], opStrides[1], 1}));
      }
      result = pixelMatmul(rewriter, loc, input, channels, weight, init);
    } else if (channelsLast && groups == 1 && im2colMinFilters > 0 &&
               filters >= im2colMinFilters) {
      // Wide convolutions as a matmul on im2col: the [N*OH*OW, KH*KW*C]
      // windows (one strided copy of the input per kernel position) by the
      // [KH*KW*C, F] weights, which the matmul schedule packs at compile
      // time. The copy is 1/(2F) of the FLOPs; with F filters 4F bytes
      // apart, the direct convolution's weight rows alias in L1.
      int64_t kh = weightType.getDimSize(0), kw = weightType.getDimSize(1);
      int64_t n = type.getDimSize(0), oh = type.getDimSize(1),
              ow = type.getDimSize(2);
      ArrayRef<int64_t> dilationValues = op.getDilations();
      auto colType =
          RankedTensorType::get({n, oh, ow, kh * kw, channels}, elementType);
      Value col = rewriter.create<tensor::EmptyOp>(loc, colType.getShape(),
                                                   elementType);
      auto windowType =
          RankedTensorType::get({n, oh, ow, channels}, elementType);
      auto i64s = [&](ArrayRef<int64_t> v) {
        return rewriter.getDenseI64ArrayAttr(v);
      };
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j) {
          Value window = rewriter.create<tensor::ExtractSliceOp>(
              loc, windowType, input, ValueRange{}, ValueRange{}, ValueRange{},
              i64s({0, i * dilationValues[0], j * dilationValues[1], 0}),
              i64s({n, oh, ow, channels}),
              i64s({1, opStrides[0], opStrides[1], 1}));
          SmallVector<int64_t> offsets = {0, 0, 0, i * kw + j, 0};
          SmallVector<int64_t> sizes = {n, oh, ow, 1, channels};
          SmallVector<int64_t> ones(5, 1);
          Value slot = rewriter.create<tensor::ExtractSliceOp>(
              loc, windowType, col, ValueRange{}, ValueRange{}, ValueRange{},
              i64s(offsets), i64s(sizes), i64s(ones));
          Value copied =
              rewriter.create<linalg::CopyOp>(loc, window, slot).getResult(0);
          col = rewriter.create<tensor::InsertSliceOp>(
              loc, copied, col, ValueRange{}, ValueRange{}, ValueRange{},
              i64s(offsets), i64s(sizes), i64s(ones));
        }
      result =
          pixelMatmul(rewriter, loc, col, kh * kw * channels, weight, init);
    } else if (channelsLast && groups == 1) {
      result = rewriter
                   .create<linalg::Conv2DNhwcHwcfOp>(
                       loc, TypeRange{type}, ValueRange{input, weight},
                       ValueRange{init}, strides, dilations)
                   .getResult(0);
    } else if (channelsLast) {
      result = splitResult
                   ? splitResult
                   : rewriter
                         .create<linalg::DepthwiseConv2DNhwcHwcOp>(
                             loc, TypeRange{type}, ValueRange{input, dwWeight},
                             ValueRange{init}, strides, dilations)
                         .getResult(0);
    } else if (groups == 1) {
      result = rewriter
                   .create<linalg::Conv2DNchwFchwOp>(
                       loc, TypeRange{type}, ValueRange{input, weight},
                       ValueRange{init}, strides, dilations)
                   .getResult(0);
    } else if (groups == channels && filters == channels) {
      // Depthwise with multiplier 1: weight [C, 1, KH, KW] -> [C, KH, KW].
      auto dwType = RankedTensorType::get(
          {filters, weightType.getDimSize(2), weightType.getDimSize(3)},
          elementType);
      result =
          rewriter
              .create<linalg::DepthwiseConv2DNchwChwOp>(
                  loc, TypeRange{type},
                  ValueRange{input, reshapeTo(rewriter, loc, weight, dwType)},
                  ValueRange{init}, strides, dilations)
              .getResult(0);
    } else {
      // Grouped: split channels into [G, C/G] and filters into [G, F/G].
      auto paddedType = cast<RankedTensorType>(input.getType());
      auto split = [&](RankedTensorType t, int64_t dim) {
        SmallVector<int64_t> shape(t.getShape());
        shape[dim] /= groups;
        shape.insert(shape.begin() + dim, groups);
        return RankedTensorType::get(shape, elementType);
      };
      auto inGType = split(paddedType, 1);
      auto wGType = split(weightType, 0);
      auto outGType = split(type, 1);
      Value inG = rewriter.create<tensor::ExpandShapeOp>(
          loc, inGType, input,
          ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
      Value wG = rewriter.create<tensor::ExpandShapeOp>(
          loc, wGType, weight,
          ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
      Value initG = rewriter.create<tensor::ExpandShapeOp>(
          loc, outGType, init,
          ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
      Value outG = rewriter
                       .create<linalg::Conv2DNgchwGfchwOp>(
                           loc, TypeRange{outGType}, ValueRange{inG, wG},
                           ValueRange{initG}, strides, dilations)
                       .getResult(0);
      result = rewriter.create<tensor::CollapseShapeOp>(
          loc, type, outG,
          ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    }
    if (biasEpilogue) {
      AffineMap identity = rewriter.getMultiDimIdentityMap(4);
      AffineMap channel = AffineMap::get(4, 0, getAffineDimExpr(3, ctx));
      result = rewriter
                   .create<linalg::GenericOp>(
                       loc, type, ValueRange{result, biasEpilogue},
                       emptyTensor(rewriter, loc, type),
                       ArrayRef<AffineMap>{identity, channel, identity},
                       SmallVector<utils::IteratorType>(
                           4, utils::IteratorType::parallel),
                       [](OpBuilder &b, Location l, ValueRange args) {
                         b.create<linalg::YieldOp>(
                             l, b.create<arith::AddFOp>(l, args[0], args[1])
                                    .getResult());
                       })
                   .getResult(0);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void lower::populateContractionPatterns(RewritePatternSet &patterns,
                                        int64_t im2colMinFilters) {
  patterns.add<MatmulLowering, GemmLowering>(patterns.getContext());
  patterns.add<Conv2dLowering>(patterns.getContext(), im2colMinFilters);
}
