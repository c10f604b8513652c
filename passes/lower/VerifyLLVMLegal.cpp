//===- VerifyLLVMLegal.cpp - Check that only LLVM dialect ops remain ------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-verify-llvm-legal`, the check that ends every
// lowering pipeline to the LLVM dialect. OpenMP dialect ops are legal too:
// they hold LLVM dialect regions, and the translation to LLVM IR turns them
// into calls into libomp.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace lathe {
#define GEN_PASS_DEF_VERIFYLLVMLEGALPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;

namespace lathe {

/// Returns the first op under `module` that is neither the module itself nor
/// an LLVM or OpenMP dialect op, or null.
static Operation *findNonLLVMOp(ModuleOp module) {
  Operation *found = nullptr;
  module.walk([&](Operation *op) {
    if (op == module ||
        isa<LLVM::LLVMDialect, omp::OpenMPDialect>(op->getDialect()))
      return WalkResult::advance();
    found = op;
    return WalkResult::interrupt();
  });
  return found;
}

namespace {
struct VerifyLLVMLegalPass
    : impl::VerifyLLVMLegalPassBase<VerifyLLVMLegalPass> {
  void runOnOperation() override {
    if (Operation *op = findNonLLVMOp(getOperation())) {
      op->emitOpError() << "is left after lowering to the LLVM dialect; the "
                           "lowering pipeline does not handle it";
      signalPassFailure();
    }
  }
};
} // namespace

} // namespace lathe
