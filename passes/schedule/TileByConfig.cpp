//===- TileByConfig.cpp - Multi-level tiling from #sched.config -----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements tileByConfig and `lathe-tile`: an op's cache tiles
// (`l2`, in the loop order of `interchange`) and then its register tiles,
// with upstream's TilingInterface tiling into scf.for loops on tensors.
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

/// Tiles `op` by `sizes` (0 = untiled) in the order `interchange`; returns
/// the tiled op after replacing `op`.
static FailureOr<Operation *> tileOnce(RewriterBase &rewriter, Operation *op,
                                       ArrayRef<int64_t> sizes,
                                       ArrayRef<int64_t> interchange) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(op->getContext(), sizes));
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

FailureOr<linalg::LinalgOp> schedule::tileByConfig(RewriterBase &rewriter,
                                                   linalg::LinalgOp op,
                                                   sched::ConfigAttr config) {
  ArrayRef<int64_t> cache = config.getTiles(sched::TileLevel::L2);
  ArrayRef<int64_t> reg = config.getTiles(sched::TileLevel::Register);
  if (cache.empty() && reg.empty())
    return rewriter.notifyMatchFailure(op, "the config has no l2 or register "
                                           "tiles");
  if (!isa<TilingInterface>(op.getOperation()))
    return rewriter.notifyMatchFailure(op, "not tileable");
  int64_t loops = op.getNumLoops();
  if ((!cache.empty() && static_cast<int64_t>(cache.size()) != loops) ||
      (!reg.empty() && static_cast<int64_t>(reg.size()) != loops))
    return op->emitOpError("sched.config tiles have ")
           << (cache.empty() ? reg.size() : cache.size())
           << " entries for an op of " << loops << " loops";
  Operation *current = op.getOperation();
  if (!cache.empty()) {
    FailureOr<Operation *> tiled =
        tileOnce(rewriter, current, cache, config.getInterchange());
    if (failed(tiled))
      return rewriter.notifyMatchFailure(op, "cache tiling failed");
    current = *tiled;
  }
  if (!reg.empty()) {
    FailureOr<Operation *> tiled = tileOnce(rewriter, current, reg, {});
    if (failed(tiled))
      return rewriter.notifyMatchFailure(op, "register tiling failed");
    current = *tiled;
  }
  current->setAttr(kConfigAttrName, config);
  current->setAttr(kTiledAttrName, rewriter.getUnitAttr());
  return cast<linalg::LinalgOp>(current);
}

namespace {
struct TilePass : lathe::impl::TilePassBase<TilePass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kConfigAttrName) && !op->hasAttr(kTiledAttrName))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      auto config = op->getAttrOfType<sched::ConfigAttr>(kConfigAttrName);
      if (!config) {
        op->emitOpError("sched.config is not a #sched.config");
        return signalPassFailure();
      }
      if (failed(tileByConfig(rewriter, op, config))) {
        op->emitOpError("could not be tiled by its sched.config ") << config;
        return signalPassFailure();
      }
    }
  }
};
} // namespace
