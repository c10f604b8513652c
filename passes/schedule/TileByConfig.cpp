//===- TileByConfig.cpp - Multi-level tiling from #sched.config -----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements tileByConfig and `lathe-tile`: an op's thread tiles
// (`outer`: an scf.forall over the `parallel` loops, then scf.for loops over
// the other loops with outer tiles), its cache tiles (`l2`, in the loop
// order of `interchange`) and then its register tiles, with upstream's
// TilingInterface tiling into loops on tensors.
//
// Which loops run on threads: the `parallel` loops, each in tiles of its
// `outer` size. A config with `parallel` loops but no `outer` tiles hands
// threads the parallel loops' `l2` tiles (or, without l2 tiles, their
// register tiles): their cache-tile loops become the scf.forall. A config
// with `outer` tiles but no `parallel` loops tiles sequentially (an absent
// field leaves the schedule as is: nothing runs on threads). Parallel
// loops must be parallel iterators of the op (splitting a reduction across
// threads would race on the output).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/schedule/Schedule.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace lathe {
#define GEN_PASS_DEF_TILEPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::schedule;

#define DEBUG_TYPE "lathe-tile"

/// Tiles `op` by `sizes` (0 = untiled) in the order `interchange`, into
/// scf.for loops or one scf.forall (`loopType`); returns the tiled op after
/// replacing `op`.
static FailureOr<Operation *>
tileOnce(RewriterBase &rewriter, Operation *op, ArrayRef<int64_t> sizes,
         ArrayRef<int64_t> interchange,
         scf::SCFTilingOptions::LoopType loopType =
             scf::SCFTilingOptions::LoopType::ForOp) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(op->getContext(), sizes));
  options.setLoopType(loopType);
  if (!interchange.empty())
    options.setInterchange(interchange);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(tiled) || tiled->tiledOps.empty())
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.back();
}

/// The thread tiles of `config` for an op of `loops` loops: the sizes of
/// the scf.forall (the parallel loops' outer tiles) and of the sequential
/// outer loops inside it (the other loops' outer tiles). Both are empty
/// when nothing is tiled at that level.
static std::pair<SmallVector<int64_t>, SmallVector<int64_t>>
threadTiles(sched::ConfigAttr config, int64_t loops) {
  ArrayRef<int64_t> outer = config.getTiles(sched::TileLevel::Outer);
  ArrayRef<int64_t> parallel = config.getParallelDims();
  if (outer.empty() && !parallel.empty()) {
    // Threads take the parallel loops' tiles of the first tiled level.
    outer = config.getTiles(sched::TileLevel::L2);
    if (outer.empty())
      outer = config.getTiles(sched::TileLevel::Register);
  }
  SmallVector<int64_t> forall(loops, 0), sequential(loops, 0);
  if (outer.empty())
    return {};
  bool anyForall = false, anySequential = false;
  for (int64_t d = 0; d < loops; ++d) {
    if (llvm::is_contained(parallel, d)) {
      forall[d] = outer[d];
      anyForall |= outer[d] != 0;
    } else if (!config.getTiles(sched::TileLevel::Outer).empty()) {
      sequential[d] = outer[d];
      anySequential |= outer[d] != 0;
    }
  }
  if (!anyForall)
    forall.clear();
  if (!anySequential)
    sequential.clear();
  return {forall, sequential};
}

FailureOr<linalg::LinalgOp> schedule::tileByConfig(RewriterBase &rewriter,
                                                   linalg::LinalgOp op,
                                                   sched::ConfigAttr config) {
  ArrayRef<int64_t> outer = config.getTiles(sched::TileLevel::Outer);
  ArrayRef<int64_t> cache = config.getTiles(sched::TileLevel::L2);
  ArrayRef<int64_t> reg = config.getTiles(sched::TileLevel::Register);
  if (outer.empty() && cache.empty() && reg.empty())
    return rewriter.notifyMatchFailure(op, "the config has no outer, l2 or "
                                           "register tiles");
  if (!isa<TilingInterface>(op.getOperation()))
    return rewriter.notifyMatchFailure(op, "not tileable");
  int64_t loops = op.getNumLoops();
  for (ArrayRef<int64_t> level : {outer, cache, reg})
    if (!level.empty() && static_cast<int64_t>(level.size()) != loops)
      return op->emitOpError("sched.config tiles have ")
             << level.size() << " entries for an op of " << loops << " loops";
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (int64_t d : config.getParallelDims()) {
    if (d >= loops)
      return op->emitOpError("sched.config parallel loop ")
             << d << " is out of range for an op of " << loops << " loops";
    if (iterators[d] != utils::IteratorType::parallel)
      return op->emitOpError("sched.config parallel loop ")
             << d << " is a reduction loop; only parallel loops can run on "
                     "threads";
  }

  Operation *current = op.getOperation();
  auto [forall, sequential] = threadTiles(config, loops);
  if (!forall.empty()) {
    FailureOr<Operation *> tiled =
        tileOnce(rewriter, current, forall, {},
                 scf::SCFTilingOptions::LoopType::ForallOp);
    if (failed(tiled))
      return rewriter.notifyMatchFailure(op, "thread tiling failed");
    current = *tiled;
  }
  if (!sequential.empty()) {
    FailureOr<Operation *> tiled =
        tileOnce(rewriter, current, sequential, config.getInterchange());
    if (failed(tiled))
      return rewriter.notifyMatchFailure(op, "outer tiling failed");
    current = *tiled;
  }
  if (!cache.empty()) {
    FailureOr<Operation *> tiled =
        tileOnce(rewriter, current, cache, config.getInterchange());
    if (failed(tiled))
      return rewriter.notifyMatchFailure(op, "cache tiling failed");
    current = *tiled;
  }
  if (!reg.empty()) {
    // The register tile's parallel loops first, then its reduction loops
    // inside them: the tile of the result is complete where the parallel
    // loops insert it, which is where lathe-fuse-epilogue applies the
    // epilogue. (Linalg ops list their parallel loops first, so this is the
    // loop order of tiling all at once.)
    SmallVector<int64_t> parallelTiles(reg), reductionTiles(loops, 0);
    bool anyParallel = false, anyReduction = false;
    for (int64_t d = 0; d < loops; ++d) {
      if (iterators[d] == utils::IteratorType::reduction && reg[d] != 0) {
        reductionTiles[d] = reg[d];
        parallelTiles[d] = 0;
        anyReduction = true;
      } else {
        anyParallel |= reg[d] != 0;
      }
    }
    SmallVector<SmallVector<int64_t>> steps;
    if (anyParallel && anyReduction)
      steps = {parallelTiles, reductionTiles};
    else
      steps = {SmallVector<int64_t>(reg)};
    for (ArrayRef<int64_t> sizes : steps) {
      FailureOr<Operation *> tiled = tileOnce(rewriter, current, sizes, {});
      if (failed(tiled))
        return rewriter.notifyMatchFailure(op, "register tiling failed");
      current = *tiled;
    }
  }
  current->setAttr(kConfigAttrName, config);
  current->setAttr(kTiledAttrName, rewriter.getUnitAttr());
  return cast<linalg::LinalgOp>(current);
}

LogicalResult schedule::tileOpsByConfig(RewriterBase &rewriter,
                                        ArrayRef<linalg::LinalgOp> ops) {
  for (linalg::LinalgOp op : ops) {
    auto config = op->getAttrOfType<sched::ConfigAttr>(kConfigAttrName);
    if (!config)
      return op->emitOpError("sched.config is not a #sched.config");
    if (failed(tileByConfig(rewriter, op, config)))
      return op->emitOpError("could not be tiled by its sched.config ")
             << config;
  }
  return success();
}

namespace {
struct TilePass : lathe::impl::TilePassBase<TilePass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kConfigAttrName) && !op->hasAttr(kTiledAttrName) &&
          !isFusedIntoScheduledOp(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    if (failed(tileOpsByConfig(rewriter, ops)))
      return signalPassFailure();
  }
};
} // namespace
