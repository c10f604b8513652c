//===- EmulateGPULaunches.cpp - gpu.launch as loops on the CPU ------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-emulate-gpu-launches`: every gpu.launch
// becomes loops over its blocks and threads that run the launch's body one
// thread after another (a thread's temporaries allocated once, before the
// loops, and reused by each thread), so that the GPU pipeline's kernels can be run, and
// their results checked, on a machine without a GPU.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace lathe {
#define GEN_PASS_DEF_EMULATEGPULAUNCHESPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;

/// Replaces `launch` by loops over its blocks and threads around its body.
static LogicalResult emulate(RewriterBase &rewriter, gpu::LaunchOp launch) {
  if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
      launch.getDynamicSharedMemorySize() || launch.hasClusterSize())
    return launch.emitOpError(
        "cannot be emulated: async, dynamic shared memory or clusters");
  Location loc = launch.getLoc();
  rewriter.setInsertionPoint(launch);
  Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();

  // Blocks z, y, x, then threads z, y, x, innermost last.
  SmallVector<Value> bounds = {grid.z,  grid.y,  grid.x,
                               block.z, block.y, block.x};
  SmallVector<Value> ivs;
  scf::ForOp outermost, innermost;
  for (Value bound : bounds) {
    auto loop = rewriter.create<scf::ForOp>(loc, zero, bound, one);
    if (!outermost)
      outermost = loop;
    innermost = loop;
    ivs.push_back(loop.getInductionVar());
    rewriter.setInsertionPoint(loop.getBody()->getTerminator());
  }

  // The body's arguments: block ids, thread ids, grid and block sizes.
  gpu::KernelDim3 blockIds = launch.getBlockIds();
  gpu::KernelDim3 threadIds = launch.getThreadIds();
  gpu::KernelDim3 gridSizes = launch.getGridSize();
  gpu::KernelDim3 blockSizes = launch.getBlockSize();
  IRMapping mapping;
  mapping.map(blockIds.z, ivs[0]);
  mapping.map(blockIds.y, ivs[1]);
  mapping.map(blockIds.x, ivs[2]);
  mapping.map(threadIds.z, ivs[3]);
  mapping.map(threadIds.y, ivs[4]);
  mapping.map(threadIds.x, ivs[5]);
  mapping.map(gridSizes.x, grid.x);
  mapping.map(gridSizes.y, grid.y);
  mapping.map(gridSizes.z, grid.z);
  mapping.map(blockSizes.x, block.x);
  mapping.map(blockSizes.y, block.y);
  mapping.map(blockSizes.z, block.z);
  Region &body = launch.getBody();
  if (!body.hasOneBlock())
    return launch.emitOpError("cannot be emulated: its body has ")
           << body.getBlocks().size() << " blocks";
  for (Operation &op : body.front().without_terminator())
    rewriter.clone(op, mapping);
  rewriter.eraseOp(launch);

  // Within one thread, a barrier orders nothing.
  SmallVector<gpu::BarrierOp> barriers;
  innermost->walk(
      [&](gpu::BarrierOp barrier) { barriers.push_back(barrier); });
  for (gpu::BarrierOp barrier : barriers)
    rewriter.eraseOp(barrier);

  // A thread's temporaries (static memref.alloca) are allocated once,
  // before the loops, and reused by every thread in turn: allocated in the
  // loops, they would grow the stack with every thread (LLVM frees an
  // alloca only when the function returns).
  SmallVector<memref::AllocaOp> allocas;
  innermost->walk([&](memref::AllocaOp alloca) {
    if (alloca->getNumOperands() == 0)
      allocas.push_back(alloca);
  });
  for (memref::AllocaOp alloca : allocas)
    rewriter.moveOpBefore(alloca, outermost);
  return success();
}

namespace {
struct EmulateGPULaunchesPass
    : lathe::impl::EmulateGPULaunchesPassBase<EmulateGPULaunchesPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp launch) {
      launches.push_back(launch);
      return WalkResult::skip();
    });
    IRRewriter rewriter(&getContext());
    for (gpu::LaunchOp launch : launches)
      if (failed(emulate(rewriter, launch)))
        return signalPassFailure();
  }
};
} // namespace
