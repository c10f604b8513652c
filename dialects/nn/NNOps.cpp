//===- NNOps.cpp - Operations of the nn dialect ---------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements result-type inference for every nn op. Inference is
// also the shape verifier: InferTypeOpInterface checks the written result type
// against it, and every malformed operand or attribute is reported here with
// the values involved ("'nn.conv2d' op expected 4 pads, got 2").
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNOps.h"
#include "dialects/nn/NNOpsUtils.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/MathExtras.h"

#include <string>

using namespace mlir;
using namespace lathe::nn;

#include "dialects/nn/NNEnums.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

using namespace lathe::nn::detail;

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  auto value = dyn_cast_or_null<ElementsAttr>(adaptor.getProperties().value);
  if (!value)
    return shapeError<ConstantOp>(loc) << "requires an elements attribute";
  results.push_back(value.getType());
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto lhsTy = rankedType<MatmulOp>(loc, adaptor.getLhs(), "lhs");
  auto rhsTy = rankedType<MatmulOp>(loc, adaptor.getRhs(), "rhs");
  if (failed(lhsTy) || failed(rhsTy))
    return failure();
  ArrayRef<int64_t> lhs = lhsTy->getShape(), rhs = rhsTy->getShape();
  if (lhs.empty() || rhs.empty())
    return shapeError<MatmulOp>(loc)
           << "expected operands of rank >= 1, got lhs rank " << lhs.size()
           << " and rhs rank " << rhs.size();

  // Promote vectors to matrices as numpy does; the added dims are dropped.
  SmallVector<int64_t> a(lhs), b(rhs);
  bool lhsVector = a.size() == 1, rhsVector = b.size() == 1;
  if (lhsVector)
    a.insert(a.begin(), 1);
  if (rhsVector)
    b.push_back(1);

  int64_t m = a[a.size() - 2], k = a.back();
  int64_t kb = b[b.size() - 2], n = b.back();
  if (staticMismatch(k, kb))
    return shapeError<MatmulOp>(loc)
           << "contracting dimensions differ: lhs " << fmtShape(lhs)
           << " has K = " << k << ", rhs " << fmtShape(rhs) << " has K = "
           << kb;

  SmallVector<int64_t> batch;
  ArrayRef<int64_t> aBatch = ArrayRef<int64_t>(a).drop_back(2);
  ArrayRef<int64_t> bBatch = ArrayRef<int64_t>(b).drop_back(2);
  if (!OpTrait::util::getBroadcastedShape(aBatch, bBatch, batch))
    return shapeError<MatmulOp>(loc)
           << "batch dimensions " << fmtShape(aBatch) << " and "
           << fmtShape(bBatch) << " do not broadcast";

  SmallVector<int64_t> shape(batch);
  if (!lhsVector)
    shape.push_back(m);
  if (!rhsVector)
    shape.push_back(n);
  results.push_back(RankedTensorType::get(shape, lhsTy->getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// GemmOp
//===----------------------------------------------------------------------===//

LogicalResult GemmOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto aTy = rankedType<GemmOp>(loc, adaptor.getA(), "a");
  auto bTy = rankedType<GemmOp>(loc, adaptor.getB(), "b");
  if (failed(aTy) || failed(bTy))
    return failure();
  if (aTy->getRank() != 2 || bTy->getRank() != 2)
    return shapeError<GemmOp>(loc)
           << "expected rank-2 a and b, got " << *aTy << " and " << *bTy;
  bool transA = adaptor.getTransposeA(), transB = adaptor.getTransposeB();
  int64_t m = aTy->getDimSize(transA ? 1 : 0);
  int64_t k = aTy->getDimSize(transA ? 0 : 1);
  int64_t kb = bTy->getDimSize(transB ? 1 : 0);
  int64_t n = bTy->getDimSize(transB ? 0 : 1);
  if (staticMismatch(k, kb))
    return shapeError<GemmOp>(loc)
           << "contracting dimensions differ: op(a) is " << fmtShape({m, k})
           << ", op(b) is " << fmtShape({kb, n});
  if (Value c = adaptor.getC()) {
    auto cTy = rankedType<GemmOp>(loc, c, "c");
    if (failed(cTy))
      return failure();
    if (!broadcastsTo(cTy->getShape(), {m, n}))
      return shapeError<GemmOp>(loc)
             << "c of shape " << fmtShape(cTy->getShape())
             << " does not broadcast to the result shape "
             << fmtShape({m, n});
  }
  results.push_back(RankedTensorType::get({m, n}, aTy->getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Conv2dOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2dOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto inTy = rankedType<Conv2dOp>(loc, adaptor.getInput(), "input");
  auto wTy = rankedType<Conv2dOp>(loc, adaptor.getWeight(), "weight");
  if (failed(inTy) || failed(wTy))
    return failure();
  bool channelsLast = adaptor.getChannelsLast();
  if (inTy->getRank() != 4)
    return shapeError<Conv2dOp>(loc)
           << "expected a rank-4 input "
           << (channelsLast ? "[N, H, W, C]" : "[N, C, H, W]") << ", got "
           << *inTy;
  if (wTy->getRank() != 4)
    return shapeError<Conv2dOp>(loc)
           << "expected a rank-4 weight "
           << (channelsLast ? "[KH, KW, C/groups, F]" : "[F, C/groups, KH, KW]")
           << ", got " << *wTy;
  // Channels-last shapes are checked as their NCHW / FCHW equivalents.
  auto permuted = [](RankedTensorType t, ArrayRef<int64_t> perm) {
    SmallVector<int64_t> shape;
    for (int64_t d : perm)
      shape.push_back(t.getDimSize(d));
    return RankedTensorType::get(shape, t.getElementType());
  };
  if (channelsLast) {
    inTy = permuted(*inTy, {0, 3, 1, 2});
    wTy = permuted(*wTy, {3, 2, 0, 1});
  }

  int64_t groups = adaptor.getGroups();
  if (groups < 1)
    return shapeError<Conv2dOp>(loc)
           << "expected groups >= 1, got " << groups;
  int64_t channels = inTy->getDimSize(1), filters = wTy->getDimSize(0);
  if (!ShapedType::isDynamic(channels) && channels % groups != 0)
    return shapeError<Conv2dOp>(loc)
           << "input channels (" << channels << ") are not divisible by groups ("
           << groups << ")";
  if (!ShapedType::isDynamic(filters) && filters % groups != 0)
    return shapeError<Conv2dOp>(loc)
           << "output channels (" << filters << ") are not divisible by groups ("
           << groups << ")";
  if (!ShapedType::isDynamic(channels) &&
      staticMismatch(channels / groups, wTy->getDimSize(1)))
    return shapeError<Conv2dOp>(loc)
           << "weight has " << wTy->getDimSize(1)
           << " input channels per group, expected " << channels << " / "
           << groups << " = " << channels / groups;
  if (Value bias = adaptor.getBias()) {
    auto bTy = rankedType<Conv2dOp>(loc, bias, "bias");
    if (failed(bTy))
      return failure();
    if (bTy->getRank() != 1 || staticMismatch(bTy->getDimSize(0), filters))
      return shapeError<Conv2dOp>(loc)
             << "expected bias of shape [" << filters << "], got "
             << fmtShape(bTy->getShape());
  }

  int64_t kernel[2] = {wTy->getDimSize(2), wTy->getDimSize(3)};
  if (ShapedType::isDynamic(kernel[0]) || ShapedType::isDynamic(kernel[1]))
    return shapeError<Conv2dOp>(loc)
           << "expected a static kernel size, got " << fmtShape(kernel);
  if (kernel[0] < 1 || kernel[1] < 1)
    return shapeError<Conv2dOp>(loc)
           << "expected a kernel of at least 1x1, got " << fmtShape(kernel);
  int64_t out[2];
  if (failed(inferWindow2d<Conv2dOp>(loc, *inTy, kernel, adaptor.getStrides(),
                                     adaptor.getPads(), adaptor.getDilations(),
                                     /*ceilMode=*/false, out)))
    return failure();
  SmallVector<int64_t> shape = {inTy->getDimSize(0), filters, out[0], out[1]};
  if (channelsLast)
    shape = {shape[0], shape[2], shape[3], shape[1]};
  results.push_back(RankedTensorType::get(shape, inTy->getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto inTy = rankedType<BatchNormOp>(loc, adaptor.getInput(), "input");
  if (failed(inTy))
    return failure();
  if (inTy->getRank() < 2)
    return shapeError<BatchNormOp>(loc)
           << "expected input of rank >= 2 with channels in dim 1, got "
           << *inTy;
  int64_t channels = inTy->getDimSize(1);
  std::pair<Value, StringRef> stats[] = {{adaptor.getScale(), "scale"},
                                         {adaptor.getBias(), "bias"},
                                         {adaptor.getMean(), "mean"},
                                         {adaptor.getVariance(), "variance"}};
  for (auto [value, name] : stats) {
    auto ty = rankedType<BatchNormOp>(loc, value, name);
    if (failed(ty))
      return failure();
    if (ty->getRank() != 1 || staticMismatch(ty->getDimSize(0), channels))
      return shapeError<BatchNormOp>(loc)
             << "expected " << name << " of shape [" << channels
             << "] (one per channel), got " << fmtShape(ty->getShape());
  }
  results.push_back(*inTy);
  return success();
}

LogicalResult BatchNormOp::verify() {
  if (!(getEpsilon().convertToFloat() >= 0.0f))
    return emitOpError() << "expected epsilon >= 0, got "
                         << getEpsilon().convertToFloat();
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

/// Numpy broadcasting of two operands; shared by every binary op.
template <typename OpTy>
static LogicalResult inferBroadcast(std::optional<Location> loc, Value lhs,
                                    Value rhs, SmallVectorImpl<Type> &results) {
  auto lhsTy = rankedType<OpTy>(loc, lhs, "lhs");
  auto rhsTy = rankedType<OpTy>(loc, rhs, "rhs");
  if (failed(lhsTy) || failed(rhsTy))
    return failure();
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhsTy->getShape(),
                                          rhsTy->getShape(), shape))
    return shapeError<OpTy>(loc)
           << "operand shapes " << fmtShape(lhsTy->getShape()) << " and "
           << fmtShape(rhsTy->getShape()) << " do not broadcast";
  results.push_back(RankedTensorType::get(shape, lhsTy->getElementType()));
  return success();
}

#define LATHE_NN_BINARY_INFER(OpTy)                                            \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *,                          \
                                       std::optional<Location> loc,            \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &results) {       \
    return inferBroadcast<OpTy>(loc, adaptor.getLhs(), adaptor.getRhs(),       \
                                results);                                      \
  }
LATHE_NN_BINARY_INFER(AddOp)
LATHE_NN_BINARY_INFER(SubOp)
LATHE_NN_BINARY_INFER(MulOp)
LATHE_NN_BINARY_INFER(DivOp)
LATHE_NN_BINARY_INFER(PowOp)
LATHE_NN_BINARY_INFER(MaxOp)
LATHE_NN_BINARY_INFER(MinOp)
LATHE_NN_BINARY_INFER(BitwiseAndOp)
LATHE_NN_BINARY_INFER(BitwiseOrOp)
LATHE_NN_BINARY_INFER(BitwiseXorOp)
#undef LATHE_NN_BINARY_INFER

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

// Unary ops, clip and softmax have SameOperandsAndResultType: ODS generates
// their inference (the result type is the input type).

LogicalResult ClipOp::verify() {
  if ((getMin() && getMin()->isNaN()) || (getMax() && getMax()->isNaN()))
    return emitOpError() << "expected numeric bounds, got NaN";
  if (getMin() && getMax() &&
      getMin()->convertToFloat() > getMax()->convertToFloat())
    return emitOpError() << "expected min <= max, got min = "
                         << getMin()->convertToFloat()
                         << " and max = " << getMax()->convertToFloat();
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

template <typename OpTy>
static LogicalResult
inferPool2d(std::optional<Location> loc, Value input, ArrayRef<int64_t> kernel,
            ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
            ArrayRef<int64_t> dilations, bool ceilMode,
            SmallVectorImpl<Type> &results, bool channelsLast = false) {
  auto inTy = rankedType<OpTy>(loc, input, "input");
  if (failed(inTy))
    return failure();
  if (inTy->getRank() != 4)
    return shapeError<OpTy>(loc)
           << "expected a rank-4 input "
           << (channelsLast ? "[N, H, W, C]" : "[N, C, H, W]") << ", got "
           << *inTy;
  if (channelsLast)
    inTy = RankedTensorType::get({inTy->getDimSize(0), inTy->getDimSize(3),
                                  inTy->getDimSize(1), inTy->getDimSize(2)},
                                 inTy->getElementType());
  if (failed(checkArray<OpTy>(loc, "kernel", kernel, 2, 1)))
    return failure();
  for (int i = 0; i < 2; ++i)
    if (pads[i] >= kernel[i] || pads[i + 2] >= kernel[i])
      return shapeError<OpTy>(loc)
             << "expected pads smaller than the kernel, got pads "
             << fmtShape(pads) << " for kernel " << fmtShape(kernel);
  int64_t out[2];
  if (failed(inferWindow2d<OpTy>(loc, *inTy, kernel, strides, pads, dilations,
                                 ceilMode, out)))
    return failure();
  SmallVector<int64_t> shape = {inTy->getDimSize(0), inTy->getDimSize(1),
                                out[0], out[1]};
  if (channelsLast)
    shape = {shape[0], shape[2], shape[3], shape[1]};
  results.push_back(RankedTensorType::get(shape, inTy->getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  if (adaptor.getPads().size() != 4)
    return checkArray<MaxPoolOp>(loc, "pads", adaptor.getPads(), 4, 0);
  return inferPool2d<MaxPoolOp>(loc, adaptor.getInput(), adaptor.getKernel(),
                                adaptor.getStrides(), adaptor.getPads(),
                                adaptor.getDilations(), adaptor.getCeilMode(),
                                results, adaptor.getChannelsLast());
}

LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  if (adaptor.getPads().size() != 4)
    return checkArray<AvgPoolOp>(loc, "pads", adaptor.getPads(), 4, 0);
  static const int64_t unitDilations[] = {1, 1};
  return inferPool2d<AvgPoolOp>(loc, adaptor.getInput(), adaptor.getKernel(),
                                adaptor.getStrides(), adaptor.getPads(),
                                unitDilations, adaptor.getCeilMode(), results);
}

LogicalResult GlobalAvgPoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  auto inTy = rankedType<GlobalAvgPoolOp>(loc, adaptor.getInput(), "input");
  if (failed(inTy))
    return failure();
  if (inTy->getRank() < 3)
    return shapeError<GlobalAvgPoolOp>(loc)
           << "expected input [N, C, spatial...] of rank >= 3, got " << *inTy;
  SmallVector<int64_t> shape(inTy->getShape());
  std::fill(shape.begin() + 2, shape.end(), 1);
  results.push_back(RankedTensorType::get(shape, inTy->getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalization and reductions
//===----------------------------------------------------------------------===//

// Softmax's inference is generated (SameOperandsAndResultType); its axis is
// checked here.
LogicalResult SoftmaxOp::verify() {
  return checkAxis<SoftmaxOp>(getLoc(), getAxisAttr().getInt(),
                              getInput().getType().getRank());
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto inTy = rankedType<LayerNormOp>(loc, adaptor.getInput(), "input");
  if (failed(inTy))
    return failure();
  auto axis = checkAxis<LayerNormOp>(loc, adaptor.getAxisAttr().getInt(),
                                     inTy->getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> normalized = inTy->getShape().drop_front(*axis);
  std::pair<Value, StringRef> params[] = {{adaptor.getScale(), "scale"},
                                          {adaptor.getBias(), "bias"}};
  for (auto [value, name] : params) {
    if (!value)
      continue;
    auto ty = rankedType<LayerNormOp>(loc, value, name);
    if (failed(ty))
      return failure();
    if (!broadcastsTo(ty->getShape(), normalized))
      return shapeError<LayerNormOp>(loc)
             << name << " of shape " << fmtShape(ty->getShape())
             << " does not broadcast to the normalized shape "
             << fmtShape(normalized);
  }
  results.push_back(*inTy);
  return success();
}

LogicalResult LayerNormOp::verify() {
  if (!(getEpsilon().convertToFloat() >= 0.0f))
    return emitOpError() << "expected epsilon >= 0, got "
                         << getEpsilon().convertToFloat();
  return success();
}

LogicalResult ReduceOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto inTy = rankedType<ReduceOp>(loc, adaptor.getInput(), "input");
  if (failed(inTy))
    return failure();
  int64_t rank = inTy->getRank();
  if (adaptor.getAxes().empty())
    return shapeError<ReduceOp>(loc) << "expected at least one axis";
  llvm::SmallBitVector reduced(rank);
  for (int64_t a : adaptor.getAxes()) {
    auto axis = checkAxis<ReduceOp>(loc, a, rank);
    if (failed(axis))
      return failure();
    if (reduced.test(*axis))
      return shapeError<ReduceOp>(loc)
             << "axes " << fmtShape(adaptor.getAxes()) << " name dim "
             << *axis << " twice";
    reduced.set(*axis);
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced.test(i))
      shape.push_back(inTy->getDimSize(i));
    else if (adaptor.getKeepdims())
      shape.push_back(1);
  }
  results.push_back(RankedTensorType::get(shape, inTy->getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  auto inTy = rankedType<ReshapeOp>(loc, adaptor.getInput(), "input");
  if (failed(inTy))
    return failure();
  SmallVector<int64_t> shape(adaptor.getShape());
  std::optional<size_t> inferred;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == -1 && !inferred) {
      inferred = i;
      continue;
    }
    if (d < 0)
      return shapeError<ReshapeOp>(loc)
             << "expected shape entries >= 0 and at most one -1, got "
             << fmtShape(adaptor.getShape());
  }
  std::optional<int64_t> inCountOr = product(inTy->getShape());
  SmallVector<int64_t> known(shape);
  if (inferred)
    known.erase(known.begin() + *inferred);
  std::optional<int64_t> knownCountOr = product(known);
  if (!inCountOr || !knownCountOr)
    return shapeError<ReshapeOp>(loc)
           << "the element count of " << fmtShape(inTy->getShape()) << " or "
           << fmtShape(adaptor.getShape()) << " overflows a 64-bit integer";
  int64_t inCount = *inCountOr, knownCount = *knownCountOr;
  if (inferred) {
    if (ShapedType::isDynamic(inCount))
      shape[*inferred] = kDynamic;
    else if (knownCount == 0 || inCount % knownCount != 0)
      return shapeError<ReshapeOp>(loc)
             << "cannot reshape " << inCount << " elements "
             << fmtShape(inTy->getShape()) << " into "
             << fmtShape(adaptor.getShape());
    else
      shape[*inferred] = inCount / knownCount;
  } else if (!ShapedType::isDynamic(inCount) && inCount != knownCount) {
    return shapeError<ReshapeOp>(loc)
           << "cannot reshape " << inCount << " elements "
           << fmtShape(inTy->getShape()) << " into " << knownCount
           << " elements " << fmtShape(shape);
  }
  results.push_back(RankedTensorType::get(shape, inTy->getElementType()));
  return success();
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  auto inTy = rankedType<FlattenOp>(loc, adaptor.getInput(), "input");
  if (failed(inTy))
    return failure();
  int64_t rank = inTy->getRank(), axis = adaptor.getAxisAttr().getInt();
  if (axis < -rank || axis > rank)
    return shapeError<FlattenOp>(loc)
           << "axis " << axis << " is out of range for rank " << rank
           << " (expected [" << -rank << ", " << rank << "])";
  if (axis < 0)
    axis += rank;
  ArrayRef<int64_t> shape = inTy->getShape();
  std::optional<int64_t> outer = product(shape.take_front(axis)),
                         inner = product(shape.drop_front(axis));
  if (!outer || !inner)
    return shapeError<FlattenOp>(loc)
           << "the element count of " << fmtShape(shape)
           << " overflows a 64-bit integer";
  results.push_back(
      RankedTensorType::get({*outer, *inner}, inTy->getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto inTy = rankedType<TransposeOp>(loc, adaptor.getInput(), "input");
  if (failed(inTy))
    return failure();
  ArrayRef<int64_t> perm = adaptor.getPerm();
  int64_t rank = inTy->getRank();
  llvm::SmallBitVector seen(rank);
  bool valid = static_cast<int64_t>(perm.size()) == rank;
  for (int64_t p : perm) {
    if (!valid || p < 0 || p >= rank || seen.test(p)) {
      valid = false;
      break;
    }
    seen.set(p);
  }
  if (!valid)
    return shapeError<TransposeOp>(loc)
           << "perm " << fmtShape(perm) << " is not a permutation of [0, "
           << rank << ")";
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(inTy->getDimSize(p));
  results.push_back(RankedTensorType::get(shape, inTy->getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return shapeError<ConcatOp>(loc) << "expected at least one input";
  auto firstTy = rankedType<ConcatOp>(loc, inputs.front(), "inputs");
  if (failed(firstTy))
    return failure();
  int64_t rank = firstTy->getRank();
  auto axis = checkAxis<ConcatOp>(loc, adaptor.getAxisAttr().getInt(), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(firstTy->getShape());
  for (auto [i, v] : llvm::enumerate(inputs.drop_front())) {
    auto ty = rankedType<ConcatOp>(loc, v, "inputs");
    if (failed(ty))
      return failure();
    if (ty->getRank() != rank)
      return shapeError<ConcatOp>(loc)
             << "input " << i + 1 << " has rank " << ty->getRank()
             << ", expected " << rank;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = ty->getDimSize(d);
      if (d == *axis) {
        if (ShapedType::isDynamic(shape[d]) || ShapedType::isDynamic(size))
          shape[d] = kDynamic;
        else if (llvm::AddOverflow(shape[d], size, shape[d]))
          return shapeError<ConcatOp>(loc)
                 << "the concatenated size overflows a 64-bit integer";
      } else if (staticMismatch(shape[d], size)) {
        return shapeError<ConcatOp>(loc)
               << "input " << i + 1 << " has shape "
               << fmtShape(ty->getShape()) << ", which differs from "
               << fmtShape(firstTy->getShape()) << " in dim " << d
               << " (not the concat axis " << *axis << ")";
      }
    }
  }
  results.push_back(RankedTensorType::get(shape, firstTy->getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  auto inTy = rankedType<SliceOp>(loc, adaptor.getInput(), "input");
  if (failed(inTy))
    return failure();
  ArrayRef<int64_t> starts = adaptor.getStarts(), ends = adaptor.getEnds(),
                    steps = adaptor.getSteps();
  size_t rank = inTy->getRank();
  if (starts.size() != rank || ends.size() != rank || steps.size() != rank)
    return shapeError<SliceOp>(loc)
           << "expected " << rank << " starts, ends and steps (one per dim), "
           << "got " << starts.size() << ", " << ends.size() << " and "
           << steps.size();
  SmallVector<int64_t> shape;
  for (size_t i = 0; i < rank; ++i) {
    int64_t d = inTy->getDimSize(i), s = starts[i], e = ends[i],
            step = steps[i];
    if (step == 0)
      return shapeError<SliceOp>(loc) << "steps[" << i << "] is 0";
    if (ShapedType::isDynamic(d)) {
      shape.push_back(kDynamic);
      continue;
    }
    int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? d : d - 1;
    if (s < lo || s > hi || e < lo || e > hi)
      return shapeError<SliceOp>(loc)
             << "dim " << i << " (size " << d << ", step " << step
             << "): expected starts and ends in [" << lo << ", " << hi
             << "], got start " << s << " and end " << e;
    int64_t span = step > 0 ? e - s : s - e;
    int64_t mag = step > 0 ? step : -step;
    shape.push_back(span <= 0 ? 0 : llvm::divideCeil(span, mag));
  }
  results.push_back(RankedTensorType::get(shape, inTy->getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto dataTy = rankedType<GatherOp>(loc, adaptor.getData(), "data");
  auto idxTy = rankedType<GatherOp>(loc, adaptor.getIndices(), "indices");
  if (failed(dataTy) || failed(idxTy))
    return failure();
  auto axis = checkAxis<GatherOp>(loc, adaptor.getAxisAttr().getInt(),
                                  dataTy->getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> data = dataTy->getShape();
  SmallVector<int64_t> shape(data.take_front(*axis));
  llvm::append_range(shape, idxTy->getShape());
  llvm::append_range(shape, data.drop_front(*axis + 1));
  results.push_back(RankedTensorType::get(shape, dataTy->getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  auto inTy = rankedType<PadOp>(loc, adaptor.getInput(), "input");
  if (failed(inTy))
    return failure();
  int64_t rank = inTy->getRank();
  ArrayRef<int64_t> pads = adaptor.getPads();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return shapeError<PadOp>(loc)
           << "expected " << 2 * rank << " pads (begin and end per dim), got "
           << pads.size();
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = inTy->getDimSize(i);
    if (ShapedType::isDynamic(d)) {
      shape.push_back(kDynamic);
      continue;
    }
    int64_t size;
    if (llvm::AddOverflow(d, pads[i], size) ||
        llvm::AddOverflow(size, pads[rank + i], size))
      return shapeError<PadOp>(loc)
             << "pads " << pads[i] << " and " << pads[rank + i]
             << " overflow the size of dim " << i;
    if (size < 0)
      return shapeError<PadOp>(loc)
             << "pads " << pads[i] << " and " << pads[rank + i]
             << " remove more than the " << d << " elements of dim " << i;
    shape.push_back(size);
  }
  results.push_back(RankedTensorType::get(shape, inTy->getElementType()));
  return success();
}

LogicalResult PadOp::verify() {
  // Reflect needs a source element on each side of the mirror; edge and wrap
  // need a non-empty dimension to copy from.
  auto shape = getInput().getType().getShape();
  int64_t rank = shape.size();
  ArrayRef<int64_t> pads = getPads();
  PadMode mode = getMode();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return success(); // Reported by inference.
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = shape[i];
    if (ShapedType::isDynamic(d) || mode == PadMode::constant)
      continue;
    int64_t grow = std::max(pads[i], pads[rank + i]);
    if (grow <= 0)
      continue;
    if (mode == PadMode::reflect && grow >= d)
      return emitOpError() << "reflect padding of " << grow << " on dim " << i
                           << " needs a dimension larger than the pad, got "
                           << d;
    if (d == 0)
      return emitOpError() << stringifyPadMode(mode)
                           << " padding of the empty dim " << i;
  }
  return success();
}

#define GET_OP_CLASSES
#include "dialects/nn/NNOps.cpp.inc"
