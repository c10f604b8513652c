//===- ContractFloatOps.cpp - Allow FMA contraction -----------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-contract-float-ops`: the floating-point
// multiplies, adds and subtracts of LLVM dialect code get the `contract`
// fast-math flag, so that LLVM fuses a multiply feeding an add into one FMA
// (fewer instructions, one rounding), as CUDA compilers do by default. The
// GPU pipeline runs it on its gpu.module after the NVVM conversion; without
// it NVPTX keeps every mul.rn and add.rn apart.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace lathe {
#define GEN_PASS_DEF_CONTRACTFLOATOPSPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;

namespace {
struct ContractFloatOpsPass
    : lathe::impl::ContractFloatOpsPassBase<ContractFloatOpsPass> {
  void runOnOperation() override {
    getOperation()->walk([](Operation *op) {
      if (!isa<LLVM::FMulOp, LLVM::FAddOp, LLVM::FSubOp>(op))
        return;
      auto fastmath = cast<LLVM::FastmathFlagsInterface>(op);
      LLVM::FastmathFlags flags =
          fastmath.getFastmathAttr().getValue() | LLVM::FastmathFlags::contract;
      op->setAttr(fastmath.getFastmathAttrName(),
                  LLVM::FastmathFlagsAttr::get(op->getContext(), flags));
    });
  }
};
} // namespace
