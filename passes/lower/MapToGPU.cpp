//===- MapToGPU.cpp - Kernels' loop nests onto GPU launches ---------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-map-to-gpu`, which runs on buffers after
// lathe-gpu-tile and bufferization. In each kernel function:
//
// - every top-level scf.forall mapped to #gpu.block becomes a gpu.launch:
//   its iterations are the grid, the largest scf.forall mapped to
//   #gpu.thread inside it sets the block size, and both loops are replaced
//   by their bodies indexed by the block and thread ids (threads beyond a
//   smaller forall's trip count are predicated off, and a barrier follows
//   each thread loop);
// - what a block does outside its thread loops and writes memory runs on
//   its first thread, followed by a barrier, so that no two threads race;
// - any other linalg op that writes memory (a fill or copy that
//   bufferization added) runs in a launch of one thread per point of its
//   parallel loops, and any other op that writes memory in a launch of one
//   thread, so that no computation is left on the host;
// - temporaries allocated inside a launch are allocated on the thread's
//   stack (memref.alloca) rather than by a device-side malloc.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/fusion/Fusion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace lathe {
#define GEN_PASS_DEF_MAPTOGPUPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;

#define DEBUG_TYPE "lathe-map-to-gpu"

/// Whether `forall` is mapped to GPU ids of kind `MappingAttr`.
template <typename MappingAttr> static bool isMappedTo(scf::ForallOp forall) {
  std::optional<ArrayAttr> mapping = forall.getMapping();
  return mapping && !mapping->empty() &&
         llvm::all_of(*mapping,
                      [](Attribute a) { return isa<MappingAttr>(a); });
}

/// The trip counts of `forall` along x, y and z (1 where it has no loop),
/// or failure when one is not static.
static FailureOr<SmallVector<int64_t>> tripCountsXYZ(scf::ForallOp forall) {
  SmallVector<int64_t> counts(3, 1);
  std::optional<SmallVector<int64_t>> lbs =
      getConstantIntValues(forall.getMixedLowerBound());
  std::optional<SmallVector<int64_t>> ubs =
      getConstantIntValues(forall.getMixedUpperBound());
  std::optional<SmallVector<int64_t>> steps =
      getConstantIntValues(forall.getMixedStep());
  if (!lbs || !ubs || !steps)
    return failure();
  for (auto [i, attr] : llvm::enumerate(*forall.getMapping())) {
    auto mapping = cast<DeviceMappingAttrInterface>(attr);
    int64_t id = mapping.getMappingId();
    if (id > 2)
      return failure();
    counts[id] = llvm::divideCeil((*ubs)[i] - (*lbs)[i], (*steps)[i]);
  }
  return counts;
}

/// Whether `op` may write memory (itself or an op nested in it).
static bool writesMemory(Operation *op) {
  if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp>(op))
    return false;
  if (auto effects = dyn_cast<MemoryEffectOpInterface>(op)) {
    if (effects.hasEffect<MemoryEffects::Write>() ||
        effects.hasEffect<MemoryEffects::Free>())
      return true;
    if (!op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return false;
  } else if (!op->hasTrait<OpTrait::HasRecursiveMemoryEffects>()) {
    // Unknown effects: assume the worst unless it has no regions and is
    // pure by trait.
    return !isPure(op);
  }
  for (Region &region : op->getRegions())
    for (Operation &nested : region.getOps())
      if (writesMemory(&nested))
        return true;
  return false;
}

/// Creates a gpu.launch of `grid` blocks of `block` threads before `op`,
/// empty but for its terminator.
static gpu::LaunchOp createLaunch(RewriterBase &rewriter, Operation *op,
                                  ArrayRef<int64_t> grid,
                                  ArrayRef<int64_t> block) {
  Location loc = op->getLoc();
  rewriter.setInsertionPoint(op);
  auto c = [&](int64_t v) {
    return rewriter.create<arith::ConstantIndexOp>(loc, v).getResult();
  };
  auto launch =
      rewriter.create<gpu::LaunchOp>(loc, c(grid[0]), c(grid[1]), c(grid[2]),
                                     c(block[0]), c(block[1]), c(block[2]));
  rewriter.setInsertionPointToEnd(&launch.getBody().front());
  rewriter.create<gpu::TerminatorOp>(loc);
  return launch;
}

/// Runs `op`, inside a launch, on the block's first thread only, then waits
/// for the block's threads at a barrier.
static void runOnFirstThread(RewriterBase &rewriter, gpu::LaunchOp launch,
                             Operation *op) {
  Location loc = op->getLoc();
  rewriter.setInsertionPoint(op);
  Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  gpu::KernelDim3 tid = launch.getThreadIds();
  Value first;
  for (Value id : {tid.x, tid.y, tid.z}) {
    Value eq =
        rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, id, zero);
    first = first ? rewriter.create<arith::AndIOp>(loc, first, eq) : eq;
  }
  auto ifOp = rewriter.create<scf::IfOp>(loc, first, /*withElse=*/false);
  rewriter.moveOpBefore(op, ifOp.thenBlock()->getTerminator());
  rewriter.setInsertionPointAfter(ifOp);
  rewriter.create<gpu::BarrierOp>(loc);
}

/// Replaces `forall` (static bounds, mapped to x, y, z) by its body for the
/// iteration of the processor whose ids along x, y and z are `ids`; when
/// the processors along a dimension (`available`) outnumber the loop's
/// iterations, the body runs only on those with an iteration.
static void inlineForall(RewriterBase &rewriter, scf::ForallOp forall,
                         ArrayRef<Value> ids, ArrayRef<int64_t> available) {
  Location loc = forall.getLoc();
  rewriter.setInsertionPoint(forall);
  SmallVector<int64_t> lbs = *getConstantIntValues(forall.getMixedLowerBound());
  SmallVector<int64_t> ubs = *getConstantIntValues(forall.getMixedUpperBound());
  SmallVector<int64_t> steps = *getConstantIntValues(forall.getMixedStep());
  Value predicate;
  SmallVector<Value> ivs;
  for (auto [i, attr] : llvm::enumerate(*forall.getMapping())) {
    Value id = ids[cast<DeviceMappingAttrInterface>(attr).getMappingId()];
    int64_t trips = llvm::divideCeil(ubs[i] - lbs[i], steps[i]);
    int64_t procs =
        available[cast<DeviceMappingAttrInterface>(attr).getMappingId()];
    if (trips < procs) {
      Value bound = rewriter.create<arith::ConstantIndexOp>(loc, trips);
      Value inRange = rewriter.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::ult, id, bound);
      predicate = predicate
                      ? rewriter.create<arith::AndIOp>(loc, predicate, inRange)
                      : inRange;
    }
    Value step = rewriter.create<arith::ConstantIndexOp>(loc, steps[i]);
    Value lb = rewriter.create<arith::ConstantIndexOp>(loc, lbs[i]);
    Value scaled = rewriter.create<arith::MulIOp>(loc, id, step);
    ivs.push_back(rewriter.create<arith::AddIOp>(loc, lb, scaled));
  }
  Block *body = forall.getBody();
  rewriter.eraseOp(body->getTerminator());
  if (predicate) {
    auto ifOp = rewriter.create<scf::IfOp>(loc, predicate, /*withElse=*/false);
    rewriter.inlineBlockBefore(body, ifOp.thenBlock()->getTerminator(), ivs);
  } else {
    rewriter.inlineBlockBefore(body, forall, ivs);
  }
  rewriter.eraseOp(forall);
}

/// Maps the block forall `forall` of a kernel onto a gpu.launch.
static LogicalResult mapBlockForall(RewriterBase &rewriter,
                                    scf::ForallOp forall,
                                    int64_t maxThreadsPerBlock) {
  FailureOr<SmallVector<int64_t>> grid = tripCountsXYZ(forall);
  if (failed(grid))
    return forall.emitOpError("cannot be mapped to GPU blocks: its trip "
                              "counts must be static and mapped to x, y, z");
  if ((*grid)[1] > 65535 || (*grid)[2] > 65535)
    return forall.emitOpError("needs a grid of ")
           << (*grid)[0] << "x" << (*grid)[1] << "x" << (*grid)[2]
           << " blocks; y and z may have at most 65535";

  // The block is as large as the largest thread forall inside.
  SmallVector<int64_t> block(3, 1);
  bool failedThreads = false;
  forall.getBody()->walk([&](scf::ForallOp inner) {
    if (!isMappedTo<gpu::GPUThreadMappingAttr>(inner)) {
      inner.emitOpError("inside a GPU block must be mapped to #gpu.thread");
      failedThreads = true;
      return;
    }
    FailureOr<SmallVector<int64_t>> counts = tripCountsXYZ(inner);
    if (failed(counts)) {
      inner.emitOpError("cannot be mapped to GPU threads: its trip counts "
                        "must be static and mapped to x, y, z");
      failedThreads = true;
      return;
    }
    for (int i = 0; i < 3; ++i)
      block[i] = std::max(block[i], (*counts)[i]);
  });
  if (failedThreads)
    return failure();
  if (block[0] * block[1] * block[2] > maxThreadsPerBlock)
    return forall.emitOpError("needs blocks of ")
           << block[0] << "x" << block[1] << "x" << block[2]
           << " threads; at most " << maxThreadsPerBlock << " are allowed";

  // What the block does outside its thread loops and that writes memory.
  SmallVector<Operation *> blockWrites;
  for (Operation &op : forall.getBody()->without_terminator())
    if (!isa<scf::ForallOp>(op) && writesMemory(&op))
      blockWrites.push_back(&op);

  gpu::LaunchOp launch = createLaunch(rewriter, forall, *grid, block);
  rewriter.moveOpBefore(forall, launch.getBody().front().getTerminator());
  gpu::KernelDim3 blockIds = launch.getBlockIds();
  inlineForall(rewriter, forall, {blockIds.x, blockIds.y, blockIds.z}, *grid);
  SmallVector<scf::ForallOp> threadLoops;
  launch.walk([&](scf::ForallOp inner) { threadLoops.push_back(inner); });
  gpu::KernelDim3 threadIds = launch.getThreadIds();
  for (scf::ForallOp inner : threadLoops) {
    Location loc = inner.getLoc();
    rewriter.setInsertionPointAfter(inner);
    rewriter.create<gpu::BarrierOp>(loc);
    inlineForall(rewriter, inner, {threadIds.x, threadIds.y, threadIds.z},
                 block);
  }
  for (Operation *op : blockWrites)
    runOnFirstThread(rewriter, launch, op);
  return success();
}

/// Replaces the allocations inside `launch` by allocations on the thread's
/// stack and drops their deallocations.
static void allocateOnStack(RewriterBase &rewriter, gpu::LaunchOp launch) {
  SmallVector<memref::AllocOp> allocs;
  launch.walk([&](memref::AllocOp alloc) { allocs.push_back(alloc); });
  for (memref::AllocOp alloc : allocs) {
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      if (isa<memref::DeallocOp>(user))
        rewriter.eraseOp(user);
    rewriter.setInsertionPoint(alloc);
    rewriter.replaceOpWithNewOp<memref::AllocaOp>(
        alloc, alloc.getType(), alloc.getDynamicSizes(),
        alloc.getSymbolOperands(), alloc.getAlignmentAttr());
  }
}

/// Runs `op`, a linalg op on buffers outside any launch (a fill or copy that
/// bufferization added), in a launch with one thread per point of its
/// parallel loops (`threadsPerBlock` threads a block), each thread
/// computing its point (its reduction loops whole). Fails, changing
/// nothing, when the op has dynamic loop ranges or no parallel loop.
static LogicalResult mapLinalgOpToThreads(RewriterBase &rewriter,
                                          linalg::LinalgOp op,
                                          int64_t threadsPerBlock) {
  if (!op.hasPureBufferSemantics())
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t points = 1;
  bool anyParallel = false;
  for (auto [range, iterator] : llvm::zip_equal(ranges, iterators)) {
    if (ShapedType::isDynamic(range))
      return failure();
    if (iterator == utils::IteratorType::parallel) {
      points *= range;
      anyParallel = true;
    }
  }
  if (!anyParallel || points == 0)
    return failure();
  int64_t threads = std::min(points, threadsPerBlock);
  int64_t blocks = llvm::divideCeil(points, threads);
  if (blocks > std::numeric_limits<int32_t>::max())
    return failure();

  Location loc = op.getLoc();
  gpu::LaunchOp launch =
      createLaunch(rewriter, op, {blocks, 1, 1}, {threads, 1, 1});
  rewriter.setInsertionPoint(launch.getBody().front().getTerminator());
  auto c = [&](int64_t v) {
    return rewriter.create<arith::ConstantIndexOp>(loc, v).getResult();
  };
  Value point = rewriter.create<arith::AddIOp>(
      loc,
      rewriter.create<arith::MulIOp>(loc, launch.getBlockIds().x, c(threads)),
      launch.getThreadIds().x);
  Value inRange = rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult,
                                                 point, c(points));
  auto ifOp = rewriter.create<scf::IfOp>(loc, inRange, /*withElse=*/false);
  rewriter.setInsertionPoint(ifOp.thenBlock()->getTerminator());

  // The point's index along each parallel loop, the last varying fastest.
  SmallVector<OpFoldResult> offsets(ranges.size()), sizes(ranges.size());
  Value rest = point;
  for (int64_t d = ranges.size() - 1; d >= 0; --d) {
    if (iterators[d] != utils::IteratorType::parallel) {
      offsets[d] = rewriter.getIndexAttr(0);
      sizes[d] = rewriter.getIndexAttr(ranges[d]);
      continue;
    }
    offsets[d] =
        rewriter.create<arith::RemUIOp>(loc, rest, c(ranges[d])).getResult();
    rest = rewriter.create<arith::DivUIOp>(loc, rest, c(ranges[d]));
    sizes[d] = rewriter.getIndexAttr(1);
  }
  FailureOr<TilingResult> tiled =
      cast<TilingInterface>(op.getOperation())
          .getTiledImplementation(rewriter, offsets, sizes);
  if (failed(tiled)) {
    rewriter.eraseOp(launch);
    return failure();
  }
  rewriter.eraseOp(op);
  return success();
}

namespace {
struct MapToGPUPass : lathe::impl::MapToGPUPassBase<MapToGPUPass> {
  using MapToGPUPassBase::MapToGPUPassBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    bool failedAny = false;
    getOperation().walk([&](func::FuncOp kernel) {
      if (kernel.isExternal())
        return;
      // The graph function only calls kernels, but may copy a buffer (an
      // output that is an input): its linalg ops run on the GPU too.
      if (!kernel->hasAttr(fusion::kKernelAttrName)) {
        SmallVector<linalg::LinalgOp> copies(
            kernel.getBody().front().getOps<linalg::LinalgOp>());
        for (linalg::LinalgOp op : copies) {
          if (succeeded(mapLinalgOpToThreads(
                  rewriter, op, std::min(threadsPerBlock, maxThreadsPerBlock))))
            continue;
          gpu::LaunchOp launch =
              createLaunch(rewriter, op, {1, 1, 1}, {1, 1, 1});
          rewriter.moveOpBefore(op, launch.getBody().front().getTerminator());
        }
        return;
      }
      Block &body = kernel.getBody().front();
      // The block loops first, then whatever else writes memory.
      SmallVector<scf::ForallOp> blockLoops;
      SmallVector<Operation *> others;
      for (Operation &op : body.without_terminator()) {
        auto forall = dyn_cast<scf::ForallOp>(op);
        if (forall && isMappedTo<gpu::GPUBlockMappingAttr>(forall))
          blockLoops.push_back(forall);
        else if (!isa<gpu::LaunchOp>(op) && writesMemory(&op))
          others.push_back(&op);
      }
      for (scf::ForallOp forall : blockLoops)
        if (failed(mapBlockForall(rewriter, forall, maxThreadsPerBlock)))
          failedAny = true;
      for (Operation *op : others) {
        auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
        if (linalgOp && succeeded(mapLinalgOpToThreads(
                            rewriter, linalgOp,
                            std::min(threadsPerBlock, maxThreadsPerBlock))))
          continue;
        gpu::LaunchOp launch = createLaunch(rewriter, op, {1, 1, 1}, {1, 1, 1});
        rewriter.moveOpBefore(op, launch.getBody().front().getTerminator());
      }
      kernel.walk(
          [&](gpu::LaunchOp launch) { allocateOnStack(rewriter, launch); });
    });
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
