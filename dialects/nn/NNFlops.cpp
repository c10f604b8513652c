//===- NNFlops.cpp - Estimated FLOPs of nn ops ----------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the FLOP estimate of nn ops by the conventions in
// NNFlops.h. Products saturate at INT64_MAX rather than overflow.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNFlops.h"
#include "dialects/nn/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace lathe::nn {

namespace {
/// `a * b`, saturating at INT64_MAX (both are non-negative).
int64_t mul(int64_t a, int64_t b) {
  bool overflow = false;
  uint64_t p = llvm::SaturatingMultiply<uint64_t>(a, b, &overflow);
  return overflow || p > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX
                                                          : int64_t(p);
}

/// `a + b`, saturating at INT64_MAX (both are non-negative).
int64_t add(int64_t a, int64_t b) {
  return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/// The static shape of `value`, or none.
std::optional<ArrayRef<int64_t>> staticShape(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  return type.getShape();
}

/// Number of elements of `value`, or none when its shape is not static.
std::optional<int64_t> numElements(Value value) {
  auto shape = staticShape(value);
  if (!shape)
    return std::nullopt;
  int64_t n = 1;
  for (int64_t d : *shape)
    n = mul(n, d);
  return n;
}

/// `perElement` FLOPs for each element of the op's (single) result.
std::optional<int64_t> perResultElement(Operation *op, int64_t perElement) {
  auto n = numElements(op->getResult(0));
  if (!n)
    return std::nullopt;
  return mul(*n, perElement);
}

std::optional<int64_t> flopsOf(MatmulOp op) {
  auto lhs = staticShape(op.getLhs());
  if (!lhs || lhs->empty())
    return std::nullopt;
  return perResultElement(op, mul(2, lhs->back()));
}

std::optional<int64_t> flopsOf(GemmOp op) {
  auto a = staticShape(op.getA());
  auto e = numElements(op.getResult());
  if (!a || a->size() != 2 || !e)
    return std::nullopt;
  int64_t k = op.getTransposeA() ? (*a)[0] : (*a)[1];
  int64_t flops = mul(mul(2, k), *e);
  int64_t epilogue = op.getAlpha().convertToDouble() != 1.0 ? 1 : 0;
  if (op.getC())
    epilogue += op.getBeta().convertToDouble() != 1.0 ? 2 : 1;
  return add(flops, mul(epilogue, *e));
}

std::optional<int64_t> flopsOf(Conv2dOp op) {
  auto weight = staticShape(op.getWeight());
  auto e = numElements(op.getResult());
  if (!weight || weight->size() != 4 || !e)
    return std::nullopt;
  // (C / groups) * KH * KW multiply-adds per output element: the weight's
  // dimensions but F ([F, C/g, KH, KW], or [KH, KW, C/g, F] channels-last).
  ArrayRef<int64_t> w = *weight;
  int64_t window = op.getChannelsLast() ? mul(mul(w[0], w[1]), w[2])
                                        : mul(mul(w[1], w[2]), w[3]);
  return add(mul(mul(2, window), *e), op.getBias() ? *e : 0);
}

std::optional<int64_t> poolFlops(Operation *op, ArrayRef<int64_t> kernel) {
  int64_t window = 1;
  for (int64_t k : kernel)
    window = mul(window, k);
  return perResultElement(op, window);
}

std::optional<int64_t> flopsOf(LayerNormOp op) {
  return perResultElement(op, op.getBias() ? 7 : 6);
}

std::optional<int64_t> flopsOf(ResizeOp op) {
  if (op.getMode() == ResizeMode::nearest)
    return 0;
  auto in = staticShape(op.getInput());
  auto out = staticShape(op.getResult());
  if (!in || !out || in->size() != out->size())
    return std::nullopt;
  // 2^A - 1 lerps per output element, A the number of axes interpolated
  // (those whose size or scale changes).
  ArrayRef<double> scales = op.getScales();
  int64_t lerps = 0;
  for (auto [axis, sizes] : llvm::enumerate(llvm::zip_equal(*in, *out)))
    if (std::get<0>(sizes) != std::get<1>(sizes) ||
        (axis < scales.size() && scales[axis] != 1.0))
      lerps = add(mul(lerps, 2), 1);
  return perResultElement(op, mul(3, lerps));
}
} // namespace

int64_t estimateFlops(Operation *op) {
  std::optional<int64_t> flops =
      llvm::TypeSwitch<Operation *, std::optional<int64_t>>(op)
          .Case<MatmulOp, GemmOp, Conv2dOp, LayerNormOp, ResizeOp>(
              [](auto op) { return flopsOf(op); })
          .Case<BatchNormOp>(
              [](Operation *op) { return perResultElement(op, 2); })
          .Case<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, ReluOp,
                SigmoidOp, TanhOp, ErfOp, ExpOp, SqrtOp, LogOp, NegOp, AbsOp,
                ClipOp, CompareOp, SelectOp, CumSumOp>(
              [](Operation *op) { return perResultElement(op, 1); })
          .Case<MaxPoolOp, AvgPoolOp>(
              [](auto op) { return poolFlops(op, op.getKernel()); })
          .Case<GlobalAvgPoolOp, ReduceOp, ArgMaxOp, TopKOp>(
              [](auto op) { return numElements(op.getInput()); })
          .Case<SoftmaxOp>(
              [](Operation *op) { return perResultElement(op, 5); })
          .Case<ScatterElementsOp, ScatterNDOp>(
              [](auto op) -> std::optional<int64_t> {
                if (op.getReduction() == ScatterReduction::none)
                  return 0;
                return numElements(op.getUpdates());
              })
          .Default([](Operation *) { return 0; });
  return flops.value_or(0);
}

int64_t estimateTotalFlops(Operation *root) {
  int64_t total = 0;
  root->walk([&](Operation *op) { total = add(total, estimateFlops(op)); });
  return total;
}

} // namespace lathe::nn
