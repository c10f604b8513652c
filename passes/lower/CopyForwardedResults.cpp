//===- CopyForwardedResults.cpp - One tensor per function result ----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-copy-forwarded-results`: before bufferization,
// every function result that is an argument or repeats an earlier result is
// copied into a fresh tensor, so that each output of a compiled model is its
// own out-parameter buffer.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace lathe {
#define GEN_PASS_DEF_COPYFORWARDEDRESULTSPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;

namespace lathe {

/// Copies the results of `ret` that are block arguments or repeat an earlier
/// result; returns the number of copies made.
static unsigned copyForwardedResults(func::ReturnOp ret) {
  OpBuilder b(ret);
  llvm::SmallPtrSet<Value, 4> seen;
  unsigned copies = 0;
  for (OpOperand &operand : ret->getOpOperands()) {
    Value v = operand.get();
    auto type = dyn_cast<RankedTensorType>(v.getType());
    bool fresh = seen.insert(v).second;
    if (!type || !type.hasStaticShape() || (fresh && !isa<BlockArgument>(v)))
      continue;
    Value buffer = b.create<bufferization::AllocTensorOp>(ret.getLoc(), type,
                                                          ValueRange());
    operand.set(b.create<linalg::CopyOp>(ret.getLoc(), v, buffer).getResult(0));
    ++copies;
  }
  return copies;
}

namespace {
struct CopyForwardedResultsPass
    : impl::CopyForwardedResultsPassBase<CopyForwardedResultsPass> {
  void runOnOperation() override {
    getOperation()->walk(
        [](func::ReturnOp ret) { (void)copyForwardedResults(ret); });
  }
};
} // namespace

} // namespace lathe
