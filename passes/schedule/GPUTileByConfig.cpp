//===- GPUTileByConfig.cpp - Blocks and threads from #sched.gpu -----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements tileForGPU and `lathe-gpu-tile`: a kernel's root op
// is tiled by its `#sched.gpu` block tiles into an scf.forall mapped to
// #gpu.block, each block's tile by the thread tiles into an scf.forall
// mapped to #gpu.thread, and a thread's reduction loops by the reduction
// steps into scf.for loops; at each level the ops producing the root's
// operands are fused into the tile (upstream's tile-and-fuse on
// TilingInterface), so a kernel becomes one loop nest that
// lathe-map-to-gpu turns into a launch.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/fusion/Fusion.h"
#include "passes/schedule/Schedule.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace lathe {
#define GEN_PASS_DEF_GPUTILEPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::schedule;

#define DEBUG_TYPE "lathe-gpu-tile"

/// The mapping of a forall over `count` loops (outermost first): the
/// innermost loop is x, then y, then z.
template <typename MappingAttr>
static SmallVector<DeviceMappingAttrInterface>
mappingFor(MLIRContext *ctx, int64_t count, ArrayRef<gpu::MappingId> ids) {
  SmallVector<DeviceMappingAttrInterface> mapping;
  for (int64_t i = 0; i < count; ++i)
    mapping.push_back(MappingAttr::get(ctx, ids[count - 1 - i]));
  return mapping;
}

/// Tiles `op` by `sizes` into one scf.forall with `mapping` and fuses the
/// producers of its operands into it; replaces `op`'s uses and returns the
/// tiled op.
static FailureOr<Operation *>
tileAndFuseIntoForall(RewriterBase &rewriter, TilingInterface op,
                      ArrayRef<int64_t> sizes,
                      ArrayRef<DeviceMappingAttrInterface> mapping) {
  scf::SCFTileAndFuseOptions options;
  options.tilingOptions.setTileSizes(
      getAsIndexOpFoldResult(op->getContext(), sizes));
  options.tilingOptions.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  options.tilingOptions.setMapping(mapping);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTileAndFuseResult> tiled =
      scf::tileConsumerAndFuseProducersUsingSCF(rewriter, op, options);
  if (failed(tiled) || tiled->tiledAndFusedOps.empty())
    return failure();
  for (OpResult result : op->getResults())
    if (Value replacement = tiled->replacements.lookup(result))
      rewriter.replaceAllUsesWith(result, replacement);
  if (op->use_empty())
    rewriter.eraseOp(op);
  return tiled->tiledAndFusedOps.front();
}

FailureOr<Operation *> schedule::tileForGPU(RewriterBase &rewriter,
                                            TilingInterface root,
                                            sched::GPUConfigAttr config,
                                            const GPUScheduleTarget &target) {
  OpBuilder b(root);
  SmallVector<Range> domain = root.getIterationDomain(b);
  SmallVector<utils::IteratorType> iterators = root.getLoopIteratorTypes();
  int64_t loops = domain.size();
  SmallVector<int64_t> extents;
  for (const Range &r : domain) {
    std::optional<int64_t> size = getConstantIntValue(r.size);
    if (!size)
      return root->emitOpError("has dynamic loop ranges; GPU schedules need "
                               "static shapes");
    extents.push_back(*size);
  }
  auto perLoop = [&](ArrayRef<int64_t> values) {
    SmallVector<int64_t> out(values);
    out.resize(loops, 0);
    return out;
  };
  for (ArrayRef<int64_t> a :
       {config.getBlock(), config.getThread(), config.getReduction()})
    if (!a.empty() && static_cast<int64_t>(a.size()) != loops)
      return root->emitOpError("#sched.gpu has ")
             << a.size() << " entries per loop for an op of " << loops
             << " loops";
  SmallVector<int64_t> block = perLoop(config.getBlock());
  SmallVector<int64_t> thread = perLoop(config.getThread());
  SmallVector<int64_t> reduction = perLoop(config.getReduction());

  // Blocks and threads split parallel loops only (a split reduction would
  // race on its output), at most three each (x, y, z), evenly.
  int64_t blockLoops = 0, threadLoops = 0, threads = 1;
  for (int64_t d = 0; d < loops; ++d) {
    bool parallel = iterators[d] == utils::IteratorType::parallel;
    if ((block[d] || thread[d]) && !parallel)
      return root->emitOpError("#sched.gpu splits loop ")
             << d << " across blocks or threads, but it is a reduction";
    if (reduction[d] && parallel)
      return root->emitOpError("#sched.gpu gives parallel loop ")
             << d << " a reduction step";
    int64_t blockExtent =
        block[d] ? std::min(block[d], extents[d]) : extents[d];
    if (block[d]) {
      ++blockLoops;
      if (extents[d] % blockExtent != 0)
        return root->emitOpError("#sched.gpu block[")
               << d << "] = " << block[d] << " does not divide the loop's "
               << extents[d] << " iterations";
    }
    if (thread[d]) {
      ++threadLoops;
      if (blockExtent % thread[d] != 0)
        return root->emitOpError("#sched.gpu thread[")
               << d << "] = " << thread[d] << " does not divide the "
               << blockExtent << " iterations of a block";
      threads *= blockExtent / thread[d];
    }
  }
  if (blockLoops > 3 || threadLoops > 3)
    return root->emitOpError("#sched.gpu splits ")
           << std::max(blockLoops, threadLoops)
           << " loops across blocks or threads; a GPU has three dimensions";
  if (threads > target.maxThreadsPerBlock)
    return root->emitOpError("#sched.gpu gives a block ")
           << threads << " threads; at most " << target.maxThreadsPerBlock
           << " are allowed";

  // A kernel is always at least one block of one thread: with no loop to
  // split, the whole op is the tile of one block and one thread.
  MLIRContext *ctx = root->getContext();
  if (blockLoops == 0 && threadLoops == 0) {
    auto first = llvm::find(iterators, utils::IteratorType::parallel);
    if (first == iterators.end())
      return root->emitOpError("has no parallel loop to map onto GPU blocks");
    int64_t d = first - iterators.begin();
    block[d] = extents[d];
    blockLoops = 1;
  }

  Operation *current = root;
  if (blockLoops) {
    FailureOr<Operation *> tiled =
        tileAndFuseIntoForall(rewriter, cast<TilingInterface>(current), block,
                              mappingFor<gpu::GPUBlockMappingAttr>(
                                  ctx, blockLoops,
                                  {gpu::MappingId::DimX, gpu::MappingId::DimY,
                                   gpu::MappingId::DimZ}));
    if (failed(tiled))
      return root->emitOpError("could not be tiled into GPU blocks");
    current = *tiled;
  }
  if (threadLoops) {
    FailureOr<Operation *> tiled =
        tileAndFuseIntoForall(rewriter, cast<TilingInterface>(current), thread,
                              mappingFor<gpu::GPUThreadMappingAttr>(
                                  ctx, threadLoops,
                                  {gpu::MappingId::DimX, gpu::MappingId::DimY,
                                   gpu::MappingId::DimZ}));
    if (failed(tiled))
      return root->emitOpError("could not be tiled into GPU threads");
    current = *tiled;
  }
  if (llvm::any_of(reduction, [](int64_t s) { return s != 0; })) {
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(ctx, reduction));
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(current);
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(current), options);
    if (failed(tiled) || tiled->tiledOps.empty())
      return root->emitOpError("could not be tiled by its reduction steps");
    rewriter.replaceOp(current, tiled->replacements);
    current = tiled->tiledOps.back();
  }
  current->setAttr(kTiledAttrName, rewriter.getUnitAttr());
  return current;
}

namespace {
struct GPUTilePass : lathe::impl::GPUTilePassBase<GPUTilePass> {
  using GPUTilePassBase::GPUTilePassBase;

  void runOnOperation() override {
    GPUScheduleTarget target;
    target.maxThreadsPerBlock = maxThreadsPerBlock;
    SmallVector<TilingInterface> roots;
    getOperation().walk([&](TilingInterface op) {
      auto config = op->getAttrOfType<sched::ConfigAttr>(kConfigAttrName);
      if (config && config.getGpu() && !op->hasAttr(kTiledAttrName))
        roots.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (TilingInterface root : roots) {
      auto config = root->getAttrOfType<sched::ConfigAttr>(kConfigAttrName);
      if (failed(tileForGPU(rewriter, root, config.getGpu(), target)))
        return signalPassFailure();
    }
  }
};
} // namespace
