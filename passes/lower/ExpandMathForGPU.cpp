//===- ExpandMathForGPU.cpp - Math ops NVVM has no lowering for -----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-expand-math-for-gpu`: the math ops that
// convert-gpu-to-nvvm (MLIR 19) neither maps to libdevice nor to an NVVM
// intrinsic become ops it does map, with upstream's rewrites: sinh, cosh,
// asinh, acosh, atanh and round-half-even by their definitions in exp,
// log, sqrt and floor, round by its expansion; acos and asin as libdevice
// calls (option libdevice, for the gpu.module; the other ops keep their
// libdevice implementations); the math.fma these leave as a multiply and an
// add, and math.copysign as bit operations.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lathe {
#define GEN_PASS_DEF_EXPANDMATHFORGPUPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;

namespace {
/// copysign(a, b) on the bits: a's magnitude, b's sign bit.
struct ExpandCopySign : OpRewritePattern<math::CopySignOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::CopySignOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    auto floatType = dyn_cast<FloatType>(getElementTypeOrSelf(type));
    if (!floatType)
      return failure();
    unsigned width = floatType.getWidth();
    Type intType = rewriter.getIntegerType(width);
    if (auto shaped = dyn_cast<ShapedType>(type))
      intType = shaped.clone(intType);
    Location loc = op.getLoc();
    auto constant = [&](const APInt &value) {
      TypedAttr attr = isa<ShapedType>(intType)
                           ? TypedAttr(DenseElementsAttr::get(
                                 cast<ShapedType>(intType), value))
                           : TypedAttr(rewriter.getIntegerAttr(intType, value));
      return rewriter.create<arith::ConstantOp>(loc, attr);
    };
    APInt signBit = APInt::getSignMask(width);
    Value magnitude = rewriter.create<arith::AndIOp>(
        loc, rewriter.create<arith::BitcastOp>(loc, intType, op.getLhs()),
        constant(~signBit));
    Value sign = rewriter.create<arith::AndIOp>(
        loc, rewriter.create<arith::BitcastOp>(loc, intType, op.getRhs()),
        constant(signBit));
    Value bits = rewriter.create<arith::OrIOp>(loc, magnitude, sign);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, type, bits);
    return success();
  }
};

/// acos and asin on f32 or f64 as calls to libdevice's __nv_acosf,
/// __nv_asinf, __nv_acos and __nv_asin (the NVVM target links libdevice),
/// declared in the op's symbol table (the gpu.module).
template <typename MathOp>
struct InverseTrigToLibdevice : OpRewritePattern<MathOp> {
  InverseTrigToLibdevice(MLIRContext *ctx, StringRef name)
      : OpRewritePattern<MathOp>(ctx), name(name) {}

  LogicalResult matchAndRewrite(MathOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!type.isF32() && !type.isF64())
      return failure();
    Operation *table = SymbolTable::getNearestSymbolTable(op);
    if (!table)
      return failure();
    std::string callee = ("__nv_" + name + (type.isF32() ? "f" : "")).str();
    auto function = dyn_cast_or_null<LLVM::LLVMFuncOp>(
        SymbolTable::lookupSymbolIn(table, callee));
    if (!function) {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(&table->getRegion(0).front());
      function = rewriter.create<LLVM::LLVMFuncOp>(
          op.getLoc(), callee, LLVM::LLVMFunctionType::get(type, {type}));
    }
    rewriter.replaceOpWithNewOp<LLVM::CallOp>(op, function,
                                              ValueRange{op.getOperand()});
    return success();
  }

  StringRef name;
};

struct ExpandMathForGPUPass
    : lathe::impl::ExpandMathForGPUPassBase<ExpandMathForGPUPass> {
  using ExpandMathForGPUPassBase::ExpandMathForGPUPassBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet expansions(ctx);
    populateExpandSinhPattern(expansions);
    populateExpandCoshPattern(expansions);
    populateExpandAsinhPattern(expansions);
    populateExpandAcoshPattern(expansions);
    populateExpandAtanhPattern(expansions);
    populateExpandRoundEvenPattern(expansions);
    populateExpandRoundFPattern(expansions);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(expansions))))
      return signalPassFailure();

    // acos and asin: libdevice's in a gpu.module; the CPU (the emulation)
    // calls libm's.
    if (libdevice) {
      RewritePatternSet calls(ctx);
      calls.add<InverseTrigToLibdevice<math::AcosOp>>(ctx, "acos");
      calls.add<InverseTrigToLibdevice<math::AsinOp>>(ctx, "asin");
      if (failed(
              applyPatternsAndFoldGreedily(getOperation(), std::move(calls))))
        return signalPassFailure();
    }
    expandFma();
  }

  /// The math.fma ops the expansions leave become a
  /// multiply and an add, math.copysign (round's) bit operations.
  void expandFma() {
    RewritePatternSet fma(&getContext());
    populateExpandFmaFPattern(fma);
    fma.add<ExpandCopySign>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(fma))))
      signalPassFailure();
  }
};
} // namespace
