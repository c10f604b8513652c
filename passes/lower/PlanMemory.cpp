//===- PlanMemory.cpp - Intermediates in one arena ------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-plan-memory` (MemoryPlan.h). Live ranges are
// positions in the entry block: a use inside a loop or a kernel call counts
// at the top-level op that holds it, so a buffer stays live for the whole
// loop. Offsets are assigned greedily by size, the strategy of TensorFlow
// Lite's arena planner, which comes within a few percent of the lower bound
// (the largest total of buffers live at once) on convolutional networks.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/lower/MemoryPlan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/STLExtras.h"

namespace lathe {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::lower;

#define DEBUG_TYPE "lathe-plan-memory"

static int64_t alignTo(int64_t n, int64_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}

int64_t lower::assignArenaOffsets(MutableArrayRef<PlannedBuffer> buffers,
                                  int64_t alignment) {
  // Largest first; ties by first use, then by position (a total order,
  // so the plan does not depend on the sort).
  SmallVector<PlannedBuffer *> order;
  for (PlannedBuffer &buffer : buffers)
    order.push_back(&buffer);
  llvm::sort(order, [](PlannedBuffer *a, PlannedBuffer *b) {
    if (a->bytes != b->bytes)
      return a->bytes > b->bytes;
    if (a->firstUse != b->firstUse)
      return a->firstUse < b->firstUse;
    return a < b;
  });

  int64_t arena = 0;
  SmallVector<PlannedBuffer *> placed;
  for (PlannedBuffer *buffer : order) {
    // The placed buffers live at the same time, by offset; take the first
    // gap that holds this one.
    SmallVector<PlannedBuffer *> live;
    for (PlannedBuffer *other : placed)
      if (other->firstUse <= buffer->lastUse &&
          buffer->firstUse <= other->lastUse)
        live.push_back(other);
    llvm::sort(live, [](PlannedBuffer *a, PlannedBuffer *b) {
      return a->offset < b->offset;
    });
    int64_t offset = 0;
    for (PlannedBuffer *other : live) {
      if (offset + buffer->bytes <= other->offset)
        break;
      offset =
          std::max(offset, alignTo(other->offset + other->bytes, alignment));
    }
    buffer->offset = offset;
    arena = std::max(arena, alignTo(offset + buffer->bytes, alignment));
    placed.push_back(buffer);
  }
  return arena;
}

/// The size in bytes of a buffer of `type`, or nullopt if it cannot be
/// planned (dynamic, laid out, in another memory space, not numeric).
static std::optional<int64_t> plannableBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace())
    return std::nullopt;
  Type element = type.getElementType();
  if (!element.isIntOrFloat())
    return std::nullopt;
  int64_t width =
      std::max<int64_t>(1, (element.getIntOrFloatBitWidth() + 7) / 8);
  return type.getNumElements() * width;
}

FailureOr<ArenaPlan> lower::planArena(RewriterBase &rewriter, func::FuncOp func,
                                      int64_t alignment) {
  if (alignment <= 0 || (alignment & (alignment - 1)))
    return func.emitError("arena alignment must be a power of two, not ")
           << alignment;
  ArenaPlan plan;
  auto record = [&] {
    func->setAttr(kArenaBytesAttrName,
                  rewriter.getI64IntegerAttr(plan.arenaBytes));
    func->setAttr(kIntermediateBytesAttrName,
                  rewriter.getI64IntegerAttr(plan.intermediateBytes));
  };
  if (func.isExternal() || !func.getBody().hasOneBlock()) {
    if (!func.isExternal())
      record();
    return plan;
  }
  Block &block = func.getBody().front();
  DenseMap<Operation *, int64_t> position;
  for (auto [i, op] : llvm::enumerate(block))
    position[&op] = i;

  SmallVector<memref::AllocOp> allocs;
  // The deallocations of planned buffers: the arena is freed instead.
  SmallVector<Operation *> deallocs;
  for (auto alloc : block.getOps<memref::AllocOp>()) {
    std::optional<int64_t> bytes = plannableBytes(alloc.getType());
    if (!bytes || *bytes == 0 || !alloc.getDynamicSizes().empty() ||
        !alloc.getSymbolOperands().empty())
      continue;
    // The live range, through every view of the buffer.
    PlannedBuffer buffer;
    buffer.bytes = *bytes;
    buffer.firstUse = buffer.lastUse = position[alloc];
    bool escapes = false;
    SmallVector<Operation *> frees;
    SmallVector<Value> aliases = {alloc.getResult()};
    while (!aliases.empty() && !escapes) {
      Value alias = aliases.pop_back_val();
      for (Operation *user : alias.getUsers()) {
        Operation *top = block.findAncestorOpInBlock(*user);
        if (!top || isa<func::ReturnOp>(user)) {
          escapes = true;
          break;
        }
        if (isa<memref::DeallocOp>(user)) {
          frees.push_back(user);
          continue;
        }
        buffer.lastUse = std::max(buffer.lastUse, position[top]);
        // Anything a user returns as a memref may alias the buffer.
        for (Value result : user->getResults())
          if (isa<BaseMemRefType>(result.getType()))
            aliases.push_back(result);
      }
    }
    if (escapes)
      continue;
    plan.buffers.push_back(buffer);
    deallocs.append(frees);
    plan.intermediateBytes += buffer.bytes;
    allocs.push_back(alloc);
  }
  if (allocs.empty()) {
    record();
    return plan;
  }

  plan.arenaBytes = assignArenaOffsets(plan.buffers, alignment);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(&block);
  auto arenaType =
      MemRefType::get({plan.arenaBytes}, rewriter.getIntegerType(8));
  Value arena = rewriter.create<memref::AllocOp>(
      func.getLoc(), arenaType, rewriter.getI64IntegerAttr(alignment));
  for (auto [alloc, buffer] : llvm::zip_equal(allocs, plan.buffers)) {
    rewriter.setInsertionPoint(alloc);
    Value offset =
        rewriter.create<arith::ConstantIndexOp>(alloc.getLoc(), buffer.offset);
    rewriter.replaceOpWithNewOp<memref::ViewOp>(alloc, alloc.getType(), arena,
                                                offset, ValueRange());
  }
  for (Operation *dealloc : deallocs)
    rewriter.eraseOp(dealloc);
  if (!deallocs.empty()) {
    rewriter.setInsertionPoint(block.getTerminator());
    rewriter.create<memref::DeallocOp>(func.getLoc(), arena);
  }
  record();
  return plan;
}

namespace {
struct PlanMemoryPass : lathe::impl::PlanMemoryPassBase<PlanMemoryPass> {
  using PlanMemoryPassBase::PlanMemoryPassBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    if (failed(planArena(rewriter, getOperation(), alignment)))
      signalPassFailure();
  }
};
} // namespace
