//===- GlobalizeConstants.cpp - Tensor constants to globals, in order -----===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-globalize-constants`: upstream's getGlobalFor,
// the function one-shot bufferization uses for constants, called for every
// tensor constant in module order before bufferization runs, so that the
// globals (and their uniqued names) come out the same on every run.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/BufferUtils.h"

namespace lathe {
#define GEN_PASS_DEF_GLOBALIZECONSTANTSPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;

namespace {
struct GlobalizeConstantsPass
    : lathe::impl::GlobalizeConstantsPassBase<GlobalizeConstantsPass> {
  using GlobalizeConstantsPassBase::GlobalizeConstantsPassBase;

  void runOnOperation() override {
    SmallVector<arith::ConstantOp> constants;
    getOperation().walk([&](arith::ConstantOp constant) {
      if (isa<RankedTensorType>(constant.getType()))
        constants.push_back(constant);
    });
    for (arith::ConstantOp constant : constants)
      if (failed(bufferization::getGlobalFor(constant, alignment))) {
        constant.emitError("could not create a global for this constant");
        return signalPassFailure();
      }
  }
};
} // namespace
