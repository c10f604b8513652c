//===- CopyForwardedResults.cpp - Function boundaries for the C ABI -------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the two passes that prepare function boundaries for
// bufferization and the bare-pointer C ABI: `lathe-copy-forwarded-results`
// copies every function result that is an argument or repeats an earlier
// result into a fresh tensor, so that each output of a compiled model is its
// own out-parameter buffer; `lathe-flatten-empty-boundary-tensors` gives
// zero-size arguments and results a 1-D type.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace lathe {
#define GEN_PASS_DEF_COPYFORWARDEDRESULTSPASS
#define GEN_PASS_DEF_FLATTENEMPTYBOUNDARYTENSORSPASS
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
    // Nor may a result become an argument updated in place (a scatter into
    // its data): arguments are the caller's buffers, read-only here.
    getOperation()->walk([](func::FuncOp func) {
      if (func.isExternal())
        return;
      for (auto [i, type] : llvm::enumerate(func.getArgumentTypes()))
        if (isa<TensorType>(type))
          func.setArgAttr(i, "bufferization.writable",
                          BoolAttr::get(func.getContext(), false));
    });
  }
};

/// True for a static tensor type of rank > 1 with no elements.
bool isEmptyBoundary(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() && tensor.getRank() > 1 &&
         tensor.getNumElements() == 0;
}

struct FlattenEmptyBoundaryTensorsPass
    : impl::FlattenEmptyBoundaryTensorsPassBase<
          FlattenEmptyBoundaryTensorsPass> {
  void runOnOperation() override {
    getOperation()->walk([](func::FuncOp func) {
      if (func.isExternal())
        return;
      auto flat = [](Type t) {
        return RankedTensorType::get(
            {0}, cast<RankedTensorType>(t).getElementType());
      };
      Block &entry = func.getBody().front();
      OpBuilder b(&entry, entry.begin());
      for (BlockArgument arg : entry.getArguments()) {
        if (!isEmptyBoundary(arg.getType()))
          continue;
        auto type = cast<RankedTensorType>(arg.getType());
        Value empty = b.create<tensor::EmptyOp>(func.getLoc(), type.getShape(),
                                                type.getElementType());
        arg.replaceAllUsesWith(empty);
        arg.setType(flat(type));
      }
      func.walk([&](func::ReturnOp ret) {
        OpBuilder rb(ret);
        for (OpOperand &operand : ret->getOpOperands())
          if (isEmptyBoundary(operand.get().getType()))
            operand.set(rb.create<tensor::EmptyOp>(
                ret.getLoc(), ArrayRef<int64_t>{0},
                cast<RankedTensorType>(operand.get().getType())
                    .getElementType()));
      });
      SmallVector<Type> results;
      for (Type t : func.getResultTypes())
        results.push_back(isEmptyBoundary(t) ? flat(t) : t);
      func.setFunctionType(
          FunctionType::get(func.getContext(), entry.getArgumentTypes(),
                            results));
    });
  }
};
} // namespace

} // namespace lathe
