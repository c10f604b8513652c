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
      .Case([](nn::MaxOp) -> BinaryFn {
        return [](double a, double b) { return std::fmax(a, b); };
      })
      .Case([](nn::MinOp) -> BinaryFn {
        return [](double a, double b) { return std::fmin(a, b); };
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

  // Arithmetic on floats.
  if (!elemTy.isF32() && !elemTy.isF64())
    return failure();
  if (std::optional<BinaryFn> fn = binaryFn(op)) {
    FailureOr<std::vector<double>> lhs = readFloats(operands[0]);
    FailureOr<std::vector<double>> rhs = readFloats(operands[1]);
    if (failed(lhs) || failed(rhs))
      return failure();
    std::vector<double> a = broadcastTo(
        *lhs, cast<ShapedType>(operands[0].getType()).getShape(),
        type.getShape());
    std::vector<double> b = broadcastTo(
        *rhs, cast<ShapedType>(operands[1].getType()).getShape(),
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
      return rewriter.notifyMatchFailure(op, "declined by the control function");
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
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void graph::populateFoldConstantsPatterns(RewritePatternSet &patterns,
                                          FoldConstantsControlFn controlFn) {
  patterns.add<FoldConstantOpPattern>(patterns.getContext(),
                                      std::move(controlFn));
}
