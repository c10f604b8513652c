//===- FoldConstants.cpp - Evaluate nn ops on constants -------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-fold-constants`: an nn op whose operands are
// all `nn.constant` becomes the constant it computes. This removes the
// weights-only subgraphs ONNX exporters leave (a transposed or reshaped
// weight, a scaled bias) and what is left of shape arithmetic. Data movement
// copies bytes, so it is exact for every element type; arithmetic runs on f32
// and f64 in double precision and rounds once, which for one IEEE operation
// gives the value the op would compute at run time.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/graph/ConstantData.h"
#include "passes/graph/Transforms.h"

#include "dialects/nn/NNDialect.h"
#include "dialects/nn/NNOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace lathe {
#define GEN_PASS_DEF_FOLDCONSTANTSPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::graph;

#define DEBUG_TYPE "lathe-fold-constants"

graph::FoldConstantsControlFn graph::foldConstantsUpTo(int64_t maxElements) {
  return [maxElements](Operation *op) {
    for (Type t : op->getResultTypes()) {
      auto type = dyn_cast<RankedTensorType>(t);
      if (!type || !type.hasStaticShape() ||
          type.getNumElements() > maxElements)
        return false;
    }
    return true;
  };
}

namespace {
/// The value of a binary op on two doubles.
using BinaryFn = double (*)(double, double);
/// The value of a unary op on a double.
using UnaryFn = double (*)(double);
} // namespace

static std::optional<BinaryFn> binaryFn(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<BinaryFn>>(op)
      .Case([](nn::AddOp) -> BinaryFn {
        return [](double a, double b) { return a + b; };
      })
      .Case([](nn::SubOp) -> BinaryFn {
        return [](double a, double b) { return a - b; };
      })
      .Case([](nn::MulOp) -> BinaryFn {
        return [](double a, double b) { return a * b; };
      })
      .Case([](nn::DivOp) -> BinaryFn {
        return [](double a, double b) { return a / b; };
      })
      // NaN-propagating, as arith.maximumf/minimumf in the lowering.
      .Case([](nn::MaxOp) -> BinaryFn {
        return [](double a, double b) {
          return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
        };
      })
      .Case([](nn::MinOp) -> BinaryFn {
        return [](double a, double b) {
          return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
        };
      })
      .Default([](Operation *) { return std::nullopt; });
}

static std::optional<UnaryFn> unaryFn(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<UnaryFn>>(op)
      .Case([](nn::NegOp) -> UnaryFn { return [](double x) { return -x; }; })
      .Case([](nn::AbsOp) -> UnaryFn {
        return [](double x) { return std::fabs(x); };
      })
      .Case([](nn::ReluOp) -> UnaryFn {
        return [](double x) { return x > 0 ? x : 0.0; };
      })
      .Case([](nn::SqrtOp) -> UnaryFn {
        return [](double x) { return std::sqrt(x); };
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// `a op b` on signless integers sign-extended to 64 bits; wrapping (the
/// result is truncated to the element width when written). Fails where the
/// op is undefined (division by zero).
static FailureOr<int64_t> integerBinary(Operation *op, int64_t a, int64_t b) {
  auto ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
  if (isa<nn::AddOp>(op))
    return static_cast<int64_t>(ua + ub);
  if (isa<nn::SubOp>(op))
    return static_cast<int64_t>(ua - ub);
  if (isa<nn::MulOp>(op))
    return static_cast<int64_t>(ua * ub);
  if (isa<nn::DivOp>(op)) {
    if (b == 0)
      return failure();
    // Truncating, as arith.divsi; x / -1 wraps instead of overflowing.
    return b == -1 ? static_cast<int64_t>(0 - ua) : a / b;
  }
  if (isa<nn::MaxOp>(op))
    return std::max(a, b);
  if (isa<nn::MinOp>(op))
    return std::min(a, b);
  return failure();
}

/// The values of a cast from `in`'s element type to `type`'s; fails where
/// the cast is undefined or not exact to compute here (a float out of the
/// integer range, an integer beyond 2^53 to a float).
static FailureOr<ElementsAttr> evaluateCast(ElementsAttr in,
                                            RankedTensorType type,
                                            bool asResource, StringRef name) {
  Type to = type.getElementType();
  bool toFloat = to.isF32() || to.isF64();
  auto toInt = dyn_cast<IntegerType>(to);
  if (toInt && (!toInt.isSignless() || toInt.getWidth() % 8))
    return failure();
  if (FailureOr<std::vector<double>> floats = readFloats(in);
      succeeded(floats)) {
    if (toFloat)
      return makeFloatElements(type, *floats, asResource, name);
    if (!toInt)
      return failure();
    double limit = std::ldexp(1.0, toInt.getWidth() - 1);
    std::vector<int64_t> ints;
    for (double x : *floats) {
      double t = std::trunc(x);
      if (std::isnan(t) || t < -limit || t >= limit)
        return failure();
      ints.push_back(static_cast<int64_t>(t));
    }
    return makeIntElements(type, ints, asResource, name);
  }
  FailureOr<std::vector<int64_t>> ints = readInts(in);
  if (failed(ints))
    return failure();
  if (toInt)
    return makeIntElements(type, *ints, asResource, name);
  if (!toFloat)
    return failure();
  std::vector<double> floats;
  for (int64_t v : *ints) {
    if (v > (int64_t(1) << 53) || v < -(int64_t(1) << 53))
      return failure();
    floats.push_back(static_cast<double>(v));
  }
  return makeFloatElements(type, floats, asResource, name);
}

/// The values of `op` computed from the bytes/values of its constant
/// operands, as an elements attribute of its result type; failure for ops
/// this file does not evaluate.
static FailureOr<ElementsAttr> evaluate(Operation *op,
                                        ArrayRef<ElementsAttr> operands,
                                        bool asResource, StringRef name) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Type elemTy = type.getElementType();
  auto width = [&](ElementsAttr a) -> int64_t {
    return a.getElementType().getIntOrFloatBitWidth() / 8;
  };

  // Data movement: bytes in, bytes out.
  if (isa<nn::ReshapeOp, nn::FlattenOp, nn::TransposeOp, nn::SliceOp,
          nn::ConcatOp>(op)) {
    std::vector<char> out;
    for (ElementsAttr in : operands) {
      FailureOr<std::vector<char>> bytes = readBytes(in);
      if (failed(bytes))
        return failure();
      auto inTy = cast<RankedTensorType>(in.getType());
      if (auto t = dyn_cast<nn::TransposeOp>(op)) {
        out = transposeBytes(*bytes, inTy.getShape(), t.getPerm(), width(in));
      } else if (auto s = dyn_cast<nn::SliceOp>(op)) {
        out = sliceBytes(*bytes, inTy.getShape(), s.getStarts(), s.getSteps(),
                         type.getShape(), width(in));
      } else if (isa<nn::ConcatOp>(op)) {
        // Appended along the axis below.
        continue;
      } else {
        out = std::move(*bytes);
      }
    }
    if (auto c = dyn_cast<nn::ConcatOp>(op)) {
      int64_t rank = type.getRank();
      int64_t axis = c.getAxis() < 0 ? c.getAxis() + rank : c.getAxis();
      int64_t outer = 1;
      for (int64_t d = 0; d < axis; ++d)
        outer *= type.getDimSize(d);
      std::vector<std::vector<char>> parts;
      for (ElementsAttr in : operands)
        parts.push_back(*readBytes(in));
      for (int64_t o = 0; o < outer; ++o)
        for (auto [in, bytes] : llvm::zip(operands, parts)) {
          size_t chunk = bytes.size() / std::max<int64_t>(outer, 1);
          out.insert(out.end(), bytes.begin() + o * chunk,
                     bytes.begin() + (o + 1) * chunk);
        }
    }
    return makeElements(type, out, asResource, name);
  }

  if (isa<nn::CastOp>(op))
    return evaluateCast(operands[0], type, asResource, name);
  if (auto gather = dyn_cast<nn::GatherOp>(op)) {
    FailureOr<std::vector<char>> data = readBytes(operands[0]);
    FailureOr<std::vector<int64_t>> indices = readInts(operands[1]);
    if (failed(data) || failed(indices))
      return failure();
    auto dataTy = cast<RankedTensorType>(operands[0].getType());
    int64_t axis = gather.getAxis();
    if (axis < 0)
      axis += dataTy.getRank();
    FailureOr<std::vector<char>> out = gatherBytes(
        *data, dataTy.getShape(), axis, *indices, width(operands[0]));
    if (failed(out))
      return failure();
    return makeElements(type, *out, asResource, name);
  }

  // Arithmetic on integers (shape computations).
  if (isa<IntegerType>(elemTy)) {
    std::vector<std::vector<int64_t>> values;
    for (ElementsAttr in : operands) {
      FailureOr<std::vector<int64_t>> ints = readInts(in);
      if (failed(ints))
        return failure();
      values.push_back(std::move(*ints));
    }
    std::vector<int64_t> out;
    if (isa<nn::NegOp, nn::AbsOp>(op)) {
      for (int64_t v : values[0]) {
        bool negate = isa<nn::NegOp>(op) || v < 0;
        out.push_back(
            negate ? static_cast<int64_t>(0 - static_cast<uint64_t>(v)) : v);
      }
      return makeIntElements(type, out, asResource, name);
    }
    if (!binaryFn(op) || values.size() != 2)
      return failure();
    // Broadcast through doubles would lose bits: index the operands.
    auto shapeOf = [](ElementsAttr a) {
      return cast<ShapedType>(a.getType()).getShape();
    };
    auto indices = [&](ElementsAttr a) {
      std::vector<double> idx(a.getNumElements());
      for (size_t i = 0; i < idx.size(); ++i)
        idx[i] = static_cast<double>(i);
      return broadcastTo(idx, shapeOf(a), type.getShape());
    };
    std::vector<double> li = indices(operands[0]), ri = indices(operands[1]);
    for (size_t i = 0; i < li.size(); ++i) {
      FailureOr<int64_t> v =
          integerBinary(op, values[0][static_cast<size_t>(li[i])],
                        values[1][static_cast<size_t>(ri[i])]);
      if (failed(v))
        return failure();
      out.push_back(*v);
    }
    return makeIntElements(type, out, asResource, name);
  }

  // Arithmetic on floats.
  if (!elemTy.isF32() && !elemTy.isF64())
    return failure();
  if (std::optional<BinaryFn> fn = binaryFn(op)) {
    FailureOr<std::vector<double>> lhs = readFloats(operands[0]);
    FailureOr<std::vector<double>> rhs = readFloats(operands[1]);
    if (failed(lhs) || failed(rhs))
      return failure();
    std::vector<double> a =
        broadcastTo(*lhs, cast<ShapedType>(operands[0].getType()).getShape(),
                    type.getShape());
    std::vector<double> b =
        broadcastTo(*rhs, cast<ShapedType>(operands[1].getType()).getShape(),
                    type.getShape());
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = (*fn)(a[i], b[i]);
    return makeFloatElements(type, a, asResource, name);
  }
  if (std::optional<UnaryFn> fn = unaryFn(op)) {
    FailureOr<std::vector<double>> in = readFloats(operands[0]);
    if (failed(in))
      return failure();
    for (double &x : *in)
      x = (*fn)(x);
    return makeFloatElements(type, *in, asResource, name);
  }
  return failure();
}

FailureOr<Operation *> graph::foldConstantOp(RewriterBase &rewriter,
                                             Operation *op) {
  if (isa<nn::ConstantOp>(op) || op->getNumResults() != 1 ||
      !isa_and_nonnull<nn::NNDialect>(op->getDialect()))
    return failure();
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.hasStaticShape())
    return failure();
  SmallVector<ElementsAttr> operands;
  bool anyResource = false;
  std::string name;
  for (Value v : op->getOperands()) {
    auto constant = v.getDefiningOp<nn::ConstantOp>();
    if (!constant)
      return failure();
    operands.push_back(constant.getValue());
    StringRef blob = resourceName(constant.getValue());
    if (!blob.empty()) {
      anyResource = true;
      if (name.empty())
        name = (blob + "_" + op->getName().stripDialect()).str();
    }
  }
  FailureOr<ElementsAttr> value = evaluate(op, operands, anyResource, name);
  if (failed(value))
    return failure();
  Operation *constant =
      rewriter.replaceOpWithNewOp<nn::ConstantOp>(op, type, *value);
  return constant;
}

namespace {
/// Evaluates any nn op whose operands are all constants.
struct FoldConstantOpPattern : RewritePattern {
  FoldConstantOpPattern(MLIRContext *ctx, FoldConstantsControlFn controlFn)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx),
        controlFn(std::move(controlFn)) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (isa<nn::ConstantOp>(op) ||
        !isa_and_nonnull<nn::NNDialect>(op->getDialect()))
      return rewriter.notifyMatchFailure(op, "not an nn op to evaluate");
    if (op->getNumOperands() == 0 ||
        !llvm::all_of(op->getOperands(), [](Value v) {
          return v.getDefiningOp<nn::ConstantOp>();
        }))
      return rewriter.notifyMatchFailure(op, "an operand is not a constant");
    if (controlFn && !controlFn(op))
      return rewriter.notifyMatchFailure(op,
                                         "declined by the control function");
    if (failed(foldConstantOp(rewriter, op)))
      return rewriter.notifyMatchFailure(op, "cannot evaluate this op");
    return success();
  }

  FoldConstantsControlFn controlFn;
};

struct FoldConstantsPass
    : lathe::impl::FoldConstantsPassBase<FoldConstantsPass> {
  using FoldConstantsPassBase::FoldConstantsPassBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldConstantsPatterns(patterns, foldConstantsUpTo(maxElements));
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void graph::populateFoldConstantsPatterns(RewritePatternSet &patterns,
                                          FoldConstantsControlFn controlFn) {
  patterns.add<FoldConstantOpPattern>(patterns.getContext(),
                                      std::move(controlFn));
}
