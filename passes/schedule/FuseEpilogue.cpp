//===- FuseEpilogue.cpp - Epilogues into the tiles of their anchor --------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the two steps that put a kernel's elementwise
// epilogue (a residual add, an activation) into the loop nest of its anchor
// op, so that it runs on each tile of the result while the tile is in
// registers or in cache instead of in passes of its own over the whole
// result:
//
// - mergeEpilogues and `lathe-merge-epilogues` (before lathe-tile) merge
//   chains of elementwise linalg.generic ops into one and fold the reshapes
//   between a scheduled op's result and the elementwise op that consumes it
//   into that op (upstream's elementwise fusion and reshape folding), so the
//   epilogue iterates the anchor's result space, e.g. a packed matmul's
//   [M][N/NR][NR].
// - fuseEpilogue and `lathe-fuse-epilogue` (after lathe-tile) move an
//   elementwise op that consumes a tiled loop nest's result into the nest:
//   the op is applied, in place, to the innermost tile of the result that
//   is complete where it is inserted (no loop around the insertion steps a
//   reduction), which is the register tile when the reduction is not split
//   by cache tiles. Every element of the result is inserted exactly once
//   there, so the nest's result becomes the epilogue's result.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/schedule/Schedule.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lathe {
#define GEN_PASS_DEF_MERGEEPILOGUESPASS
#define GEN_PASS_DEF_FUSEEPILOGUEPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::schedule;

#define DEBUG_TYPE "lathe-fuse-epilogue"

bool schedule::isElementwiseEpilogue(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic->hasAttr(kTiledAttrName) ||
      generic.getNumDpsInits() != 1 || !generic.hasPureTensorSemantics())
    return false;
  if (generic.getNumParallelLoops() != generic.getNumLoops())
    return false;
  return llvm::all_of(generic.getIndexingMapsArray(), [](AffineMap map) {
    return map.isProjectedPermutation();
  });
}

/// Whether `op` is a scheduled linalg op with a reduction (a kernel's
/// anchor).
static bool isScheduledAnchor(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  return linalgOp && linalgOp->hasAttr(kConfigAttrName) &&
         linalgOp.getNumReductionLoops() > 0;
}

/// The result of a scheduled anchor that `value` is, looking through
/// reshapes; null if none.
static Value anchorResult(Value value) {
  while (isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
      value.getDefiningOp()))
    value = value.getDefiningOp()->getOperand(0);
  return isScheduledAnchor(value.getDefiningOp()) ? value : Value();
}

static bool isAnchorResult(Value value) { return bool(anchorResult(value)); }

/// Whether `op` is a linalg.fill whose only use is (through reshapes) the
/// accumulator of a scheduled op with a reduction.
static bool isAccumulatorFill(Operation *op) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op);
  if (!fill || !fill.hasPureTensorSemantics())
    return false;
  Value value = fill.getResult(0);
  while (value.hasOneUse()) {
    Operation *user = *value.getUsers().begin();
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(user)) {
      value = user->getResult(0);
      continue;
    }
    return isScheduledAnchor(user) &&
           cast<linalg::LinalgOp>(user).isDpsInit(&*value.getUses().begin());
  }
  return false;
}

bool schedule::isFusedIntoScheduledOp(Operation *op) {
  if (isAccumulatorFill(op))
    return true;
  if (!isElementwiseEpilogue(op))
    return false;
  return llvm::any_of(cast<linalg::GenericOp>(op).getDpsInputs(),
                      isAnchorResult);
}

void schedule::populateMergeEpiloguePatterns(RewritePatternSet &patterns) {
  // Elementwise into elementwise, when the producer has no other user (it
  // would be computed twice otherwise).
  linalg::populateElementwiseOpsFusionPatterns(
      patterns, [](OpOperand *operand) {
        Operation *producer = operand->get().getDefiningOp();
        return isElementwiseEpilogue(producer) && producer->hasOneUse() &&
               isElementwiseEpilogue(operand->getOwner());
      });
  // Reshapes of an anchor's result into the elementwise op reading it.
  // Only that operand: folding the reshapes of the op's other operands
  // would undo this (and the two directions would take turns). Nor an
  // operand already of the anchor's type, or a chain with a reshape next
  // to its inverse: those fold away by themselves, and folding them into
  // the op would go back and forth between the two shapes.
  linalg::ControlFusionFn reshapes = [](OpOperand *operand) {
    if (!isElementwiseEpilogue(operand->getOwner()))
      return false;
    for (Value v = operand->get(); Operation *def = v.getDefiningOp();
         v = def->getOperand(0)) {
      if (!isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def))
        break;
      Operation *inner = def->getOperand(0).getDefiningOp();
      if (isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
              inner) &&
          inner->getOperand(0).getType() == v.getType())
        return false;
    }
    Value anchor = anchorResult(operand->get());
    return anchor && anchor.getType() != operand->get().getType();
  };
  linalg::populateFoldReshapeOpsByCollapsingPatterns(patterns, reshapes);
  linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, reshapes);
}

LogicalResult schedule::mergeEpilogues(Operation *root) {
  RewritePatternSet patterns(root->getContext());
  populateMergeEpiloguePatterns(patterns);
  if (failed(applyPatternsAndFoldGreedily(root, std::move(patterns))))
    return failure();
  // Merged and reshaped ops are new ops: a config they carry over from an
  // op of another loop count no longer describes them (the default
  // schedule gives them a new one).
  root->walk([](linalg::LinalgOp op) {
    auto config = op->getAttrOfType<sched::ConfigAttr>(kConfigAttrName);
    if (config && config.getNumLoops() != 0 &&
        config.getNumLoops() != op.getNumLoops())
      op->removeAttr(kConfigAttrName);
  });
  return success();
}

//===----------------------------------------------------------------------===//
// Fusion into a tiled loop nest
//===----------------------------------------------------------------------===//

namespace {
/// A tensor.insert_slice (or tensor.parallel_insert_slice) through which a
/// tiled loop nest writes a tile of its result into the loop-carried
/// result, with the loops around it, outermost first.
struct TileInsert {
  Operation *insert;
  SmallVector<Operation *> loops;
};
} // namespace

/// Appends the inserts of the result `resultNumber` of the loop nest
/// `loop` to `inserts`, outermost first.
static void collectInserts(Operation *loop, unsigned resultNumber,
                           SmallVector<Operation *> loops,
                           SmallVectorImpl<TileInsert> &inserts) {
  loops.push_back(loop);
  Value yielded;
  Operation *insert = nullptr;
  if (auto forOp = dyn_cast<scf::ForOp>(loop)) {
    yielded = forOp.getYieldedValues()[resultNumber];
    auto slice = yielded.getDefiningOp<tensor::InsertSliceOp>();
    if (slice && slice.getDest() == forOp.getRegionIterArgs()[resultNumber]) {
      insert = slice;
      yielded = slice.getSource();
    }
  } else if (auto forall = dyn_cast<scf::ForallOp>(loop)) {
    BlockArgument out = forall.getRegionIterArgs()[resultNumber];
    for (Operation &op : forall.getTerminator().getYieldingOps()) {
      auto slice = dyn_cast<tensor::ParallelInsertSliceOp>(op);
      if (slice && slice.getDest() == out) {
        insert = slice;
        yielded = slice.getSource();
      }
    }
    if (!insert)
      return;
  } else {
    return;
  }
  if (insert)
    inserts.push_back({insert, loops});
  auto inner = dyn_cast<OpResult>(yielded);
  if (inner && isa<scf::ForOp, scf::ForallOp>(inner.getOwner()) &&
      loop->isProperAncestor(inner.getOwner()))
    collectInserts(inner.getOwner(), inner.getResultNumber(), loops, inserts);
}

/// The offsets of the tile `site` inserts, in the nest's whole result (the
/// result of `site.loops.front()`): its own offsets plus those of the
/// slices its destination was extracted from. Fails for strided or
/// rank-reducing slices.
static FailureOr<SmallVector<OpFoldResult>>
absoluteOffsets(RewriterBase &rewriter, const TileInsert &site) {
  auto slice = cast<OffsetSizeAndStrideOpInterface>(site.insert);
  if (!slice.hasUnitStride())
    return failure();
  SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
  Operation *top = site.loops.front();
  Value dest = site.insert->getOperand(1);
  Location loc = site.insert->getLoc();
  AffineExpr s0, s1;
  bindSymbols(rewriter.getContext(), s0, s1);
  while (true) {
    if (auto arg = dyn_cast<BlockArgument>(dest)) {
      // The result carried by an scf.for or scf.forall of the nest.
      auto loop = dyn_cast<LoopLikeOpInterface>(arg.getOwner()->getParentOp());
      if (!isa_and_nonnull<scf::ForOp, scf::ForallOp>(loop.getOperation()))
        return failure();
      if (loop.getOperation() == top)
        return offsets;
      OpOperand *init = loop.getTiedLoopInit(arg);
      if (!init)
        return failure();
      dest = init->get();
      continue;
    }
    auto extract = dest.getDefiningOp<tensor::ExtractSliceOp>();
    if (!extract || !extract.hasUnitStride() ||
        extract.getSourceType().getRank() != extract.getType().getRank() ||
        extract.getType().getRank() != static_cast<int64_t>(offsets.size()))
      return failure();
    for (auto [offset, outer] :
         llvm::zip_equal(offsets, extract.getMixedOffsets()))
      offset = affine::makeComposedFoldedAffineApply(rewriter, loc, s0 + s1,
                                                     {offset, outer});
    dest = extract.getSource();
  }
}

/// Adds the block arguments `value` is computed from (through index
/// arithmetic) to `arguments`.
static void collectArguments(Value value, DenseSet<Value> &arguments,
                             int depth = 0) {
  if (isa<BlockArgument>(value)) {
    arguments.insert(value);
    return;
  }
  Operation *def = value.getDefiningOp();
  if (!def || depth > 8 ||
      !isa<affine::AffineDialect, arith::ArithDialect>(def->getDialect()))
    return;
  for (Value operand : def->getOperands())
    collectArguments(operand, arguments, depth + 1);
}

/// Whether every loop around `site` that takes more than one step moves
/// the tile it inserts (its induction variable is in the tile's offsets):
/// then no loop around the insertion steps a reduction, and the tile holds
/// final values.
static bool isComplete(const TileInsert &site, ArrayRef<OpFoldResult> offsets) {
  DenseSet<Value> arguments;
  for (OpFoldResult offset : offsets)
    if (auto value = dyn_cast<Value>(offset))
      collectArguments(value, arguments);
  for (Operation *op : site.loops) {
    auto loop = cast<LoopLikeOpInterface>(op);
    std::optional<SmallVector<Value>> ivs = loop.getLoopInductionVars();
    std::optional<SmallVector<OpFoldResult>> lbs = loop.getLoopLowerBounds(),
                                             ubs = loop.getLoopUpperBounds(),
                                             steps = loop.getLoopSteps();
    if (!ivs || !lbs || !ubs || !steps)
      return false;
    for (auto [iv, lb, ub, step] : llvm::zip_equal(*ivs, *lbs, *ubs, *steps)) {
      std::optional<int64_t> trips = constantTripCount(lb, ub, step);
      if ((!trips || *trips > 1) && !arguments.contains(iv))
        return false;
    }
  }
  return true;
}

/// The config of a register tile of `shape` vectorized whole.
static sched::ConfigAttr wholeTileConfig(MLIRContext *ctx,
                                         ArrayRef<int64_t> shape) {
  return sched::ConfigAttr::get(ctx, {}, {}, {}, {}, shape, shape, 1, {}, {},
                                {});
}

/// The config of the epilogue's tile at `site`: at the register tile, the
/// whole tile as one vector; in a larger tile, the register and vector
/// sizes of the epilogue's own config when they divide the tile. Null if
/// neither applies.
static sched::ConfigAttr tileConfig(linalg::GenericOp epilogue,
                                    ArrayRef<int64_t> shape,
                                    bool registerTile) {
  MLIRContext *ctx = epilogue->getContext();
  if (registerTile)
    return wholeTileConfig(ctx, shape);
  auto config = epilogue->getAttrOfType<sched::ConfigAttr>(kConfigAttrName);
  if (!config)
    return {};
  ArrayRef<int64_t> reg = config.getTiles(sched::TileLevel::Register);
  ArrayRef<int64_t> vector = config.getVectorSizes();
  if (reg.size() != shape.size() || vector.size() != shape.size())
    return {};
  for (auto [tile, size] : llvm::zip_equal(reg, shape))
    if (tile != 0 && size % tile != 0)
      return {};
  return sched::ConfigAttr::get(ctx, {}, {}, {}, {}, reg, vector,
                                config.getUnroll(), {}, {}, {});
}

/// Gives `op`, an epilogue or fill just put into a nest, its `config`:
/// a register tile as it is (marked for lathe-vectorize), a larger tile
/// tiled by the config's register tiles. Returns the register-tile op.
static FailureOr<linalg::LinalgOp> scheduleTile(RewriterBase &rewriter,
                                                linalg::LinalgOp op,
                                                sched::ConfigAttr config,
                                                bool registerTile) {
  op->setAttr(kConfigAttrName, config);
  if (!registerTile)
    return tileByConfig(rewriter, op, config);
  op->setAttr(kTiledAttrName, rewriter.getUnitAttr());
  return op;
}

/// Sets the insertion point of `rewriter` where the tile `site` inserts is
/// complete: before its insert_slice, or before the terminator of the
/// scf.forall whose parallel_insert_slice it is.
static void setInsertionPointAtTile(RewriterBase &rewriter,
                                    const TileInsert &site) {
  if (isa<tensor::ParallelInsertSliceOp>(site.insert))
    rewriter.setInsertionPoint(site.insert->getParentOp());
  else
    rewriter.setInsertionPoint(site.insert);
}

/// The tiled op with a reduction inside the loop nest `top` (lathe-tile's
/// register-tile op), or null.
static linalg::LinalgOp tiledReduction(Operation *top) {
  linalg::LinalgOp tiled;
  top->walk([&](linalg::LinalgOp op) {
    if (op->hasAttr(kTiledAttrName) && op.getNumReductionLoops() > 0)
      tiled = op;
  });
  return tiled;
}

/// The static shape of the tile `site` inserts, if it has one.
static std::optional<SmallVector<int64_t>> tileShape(const TileInsert &site) {
  auto type = dyn_cast<RankedTensorType>(site.insert->getOperand(0).getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  return SmallVector<int64_t>(type.getShape());
}

/// `op` (an elementwise generic) as an update of `tile` in place: its
/// input `index` and its output become `tile`, which the payload reads
/// through the output's block argument (an input and an output on the same
/// tensor would make bufferization copy it). Replaces `op`, erasing the
/// slices it read that have no other use.
static linalg::GenericOp updateInPlace(RewriterBase &rewriter,
                                       linalg::GenericOp op, unsigned index,
                                       Value tile) {
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *input : op.getDpsInputOperands()) {
    if (input->getOperandNumber() == index)
      continue;
    inputs.push_back(input->get());
    maps.push_back(op.getMatchingIndexingMap(input));
  }
  maps.push_back(op.getMatchingIndexingMap(op.getDpsInitOperand(0)));
  auto updated = rewriter.create<linalg::GenericOp>(
      op.getLoc(), TypeRange{tile.getType()}, inputs, ValueRange{tile}, maps,
      op.getIteratorTypesArray());
  updated->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  Block *body = op.getBlock();
  Block *newBody = rewriter.createBlock(&updated.getRegion());
  IRMapping mapping;
  for (BlockArgument arg : body->getArguments()) {
    if (arg.getArgNumber() == body->getNumArguments() - 1)
      continue;
    if (arg.getArgNumber() != index)
      mapping.map(arg, newBody->addArgument(arg.getType(), arg.getLoc()));
  }
  BlockArgument out = body->getArguments().back();
  BlockArgument newOut = newBody->addArgument(out.getType(), out.getLoc());
  mapping.map(body->getArgument(index), newOut);
  mapping.map(out, newOut);
  rewriter.setInsertionPointToStart(newBody);
  for (Operation &inner : body->getOperations())
    rewriter.clone(inner, mapping);
  llvm::SetVector<Operation *> slices;
  for (Value operand : op->getOperands())
    if (Operation *def = operand.getDefiningOp<tensor::ExtractSliceOp>())
      slices.insert(def);
  rewriter.eraseOp(op);
  for (Operation *slice : slices)
    if (slice->use_empty())
      rewriter.eraseOp(slice);
  return updated;
}

/// Whether `value` is available before `op`, after moving the side-effect
/// free ops (reshapes, tensor.empty) that compute it from such values up
/// before `op` if need be.
static bool computeBefore(Value value, Operation *op, DominanceInfo &dominance,
                          int depth = 0) {
  if (dominance.properlyDominates(value, op))
    return true;
  Operation *def = value.getDefiningOp();
  if (!def || depth > 4 || def->getNumRegions() != 0 || !isPure(def) ||
      def->getBlock() != op->getBlock())
    return false;
  for (Value operand : def->getOperands())
    if (!computeBefore(operand, op, dominance, depth + 1))
      return false;
  def->moveBefore(op);
  return true;
}

FailureOr<linalg::GenericOp> schedule::fuseEpilogue(RewriterBase &rewriter,
                                                    linalg::GenericOp epilogue,
                                                    DominanceInfo &dominance) {
  if (!isElementwiseEpilogue(epilogue))
    return rewriter.notifyMatchFailure(epilogue, "not an elementwise op");
  // The epilogue writes in place over the tile: its output must not be
  // read, its maps must be the identity on the fused operand and result.
  OpOperand *init = epilogue.getDpsInitOperand(0);
  if (epilogue.payloadUsesValueFromOperand(init) ||
      !epilogue.getMatchingIndexingMap(init).isIdentity())
    return rewriter.notifyMatchFailure(epilogue, "reads its output");

  for (OpOperand *input : epilogue.getDpsInputOperands()) {
    auto nestResult = dyn_cast<OpResult>(input->get());
    if (!nestResult || !nestResult.hasOneUse() ||
        nestResult.getType() != epilogue->getResult(0).getType() ||
        !epilogue.getMatchingIndexingMap(input).isIdentity())
      continue;
    Operation *top = nestResult.getOwner();
    if (!isa<scf::ForOp, scf::ForallOp>(top))
      continue;
    // A nest of lathe-tile's: it holds a tiled op with a reduction.
    linalg::LinalgOp tiled = tiledReduction(top);
    if (!tiled || tiled->getNumResults() != 1)
      continue;
    // The epilogue's other operands are there before the nest (reshapes
    // of them made between the nest and the epilogue move up).
    bool available = llvm::all_of(epilogue->getOperands(), [&](Value v) {
      return v == input->get() || computeBefore(v, top, dominance);
    });
    if (!available)
      continue;

    SmallVector<TileInsert> inserts;
    collectInserts(top, nestResult.getResultNumber(), {}, inserts);
    // The innermost complete tile whose epilogue tile has a config.
    for (TileInsert &site : llvm::reverse(inserts)) {
      OpBuilder::InsertionGuard guard(rewriter);
      setInsertionPointAtTile(rewriter, site);
      FailureOr<SmallVector<OpFoldResult>> offsets =
          absoluteOffsets(rewriter, site);
      if (failed(offsets))
        continue;
      std::optional<SmallVector<int64_t>> shape = tileShape(site);
      bool registerTile =
          site.insert->getOperand(0).getType() == tiled->getResultTypes()[0];
      sched::ConfigAttr config;
      if (shape && isComplete(site, *offsets))
        config = tileConfig(epilogue, *shape, registerTile);
      if (!config) {
        // The offset arithmetic made for this tile goes unused.
        llvm::SetVector<Operation *> applies;
        for (OpFoldResult offset : *offsets)
          if (auto value = dyn_cast<Value>(offset))
            if (auto apply = value.getDefiningOp<affine::AffineApplyOp>())
              applies.insert(apply);
        for (Operation *apply : applies)
          if (apply->use_empty())
            rewriter.eraseOp(apply);
        continue;
      }

      // The epilogue on this tile, in place over it.
      Value tile = site.insert->getOperand(0);
      SmallVector<OpFoldResult> sizes =
          cast<OffsetSizeAndStrideOpInterface>(site.insert).getMixedSizes();
      FailureOr<TilingResult> tiledEpilogue =
          cast<TilingInterface>(epilogue.getOperation())
              .getTiledImplementation(rewriter, *offsets, sizes);
      if (failed(tiledEpilogue) || tiledEpilogue->tiledOps.size() != 1)
        return rewriter.notifyMatchFailure(epilogue, "could not be tiled");
      auto sliced = cast<linalg::GenericOp>(tiledEpilogue->tiledOps.front());
      linalg::GenericOp fused =
          updateInPlace(rewriter, sliced, input->getOperandNumber(), tile);
      rewriter.modifyOpInPlace(site.insert, [&] {
        site.insert->setOperand(0, fused->getResult(0));
      });
      // Every element of the nest's result has had the epilogue now.
      rewriter.replaceOp(epilogue, nestResult);
      FailureOr<linalg::LinalgOp> registerOp =
          scheduleTile(rewriter, fused, config, registerTile);
      if (failed(registerOp))
        return failure();
      return cast<linalg::GenericOp>(registerOp->getOperation());
    }
  }
  return rewriter.notifyMatchFailure(epilogue,
                                     "does not consume a tiled loop nest");
}

FailureOr<linalg::FillOp> schedule::fuseAccumulatorFill(RewriterBase &rewriter,
                                                        Operation *nest) {
  if (!isa<scf::ForOp, scf::ForallOp>(nest) || nest->getNumResults() != 1)
    return failure();
  OpOperand &nestInit = isa<scf::ForOp>(nest)
                            ? cast<scf::ForOp>(nest).getInitArgsMutable()[0]
                            : cast<scf::ForallOp>(nest).getOutputsMutable()[0];
  // The fill, possibly through reshapes.
  Value init = nestInit.get();
  while (init.hasOneUse() &&
         isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
             init.getDefiningOp()))
    init = init.getDefiningOp()->getOperand(0);
  auto fill = init.getDefiningOp<linalg::FillOp>();
  linalg::LinalgOp tiled = tiledReduction(nest);
  if (!fill || !fill->hasOneUse() || !fill.hasPureTensorSemantics() || !tiled ||
      tiled->getNumResults() != 1)
    return failure();

  SmallVector<TileInsert> inserts;
  collectInserts(nest, 0, {}, inserts);
  for (TileInsert &site : llvm::reverse(inserts)) {
    // The tile's value comes from a loop (or the tiled op) that starts
    // from the same slice of the result the tile is inserted into.
    Value tile = site.insert->getOperand(0);
    Operation *producer = tile.getDefiningOp();
    OpOperand *start = nullptr;
    if (auto loop = dyn_cast_or_null<scf::ForOp>(producer))
      start = loop.getTiedLoopInit(cast<OpResult>(tile));
    else if (producer == tiled.getOperation())
      start = tiled.getDpsInitOperand(0);
    if (!start)
      continue;
    auto slice = start->get().getDefiningOp<tensor::ExtractSliceOp>();
    auto insert = cast<OffsetSizeAndStrideOpInterface>(site.insert);
    if (!slice || slice.getSource() != site.insert->getOperand(1) ||
        !slice.isSameAs(insert, [](OpFoldResult a, OpFoldResult b) {
          return isEqualConstantIntOrValue(a, b);
        }))
      continue;
    OpBuilder::InsertionGuard guard(rewriter);
    setInsertionPointAtTile(rewriter, site);
    FailureOr<SmallVector<OpFoldResult>> offsets =
        absoluteOffsets(rewriter, site);
    std::optional<SmallVector<int64_t>> shape = tileShape(site);
    if (failed(offsets) || !shape || !isComplete(site, *offsets))
      continue;
    // Fill the slice before the loop accumulates into it: the accumulator
    // starts from the value in registers or cache, not from memory the fill
    // wrote in a pass of its own.
    rewriter.setInsertionPointAfter(slice);
    auto tileFill = rewriter.create<linalg::FillOp>(
        fill.getLoc(), fill.getInputs(), ValueRange{slice.getResult()});
    rewriter.modifyOpInPlace(start->getOwner(),
                             [&] { start->set(tileFill.getResult(0)); });
    rewriter.replaceOp(fill, fill.getOutputs()[0]);
    // Vectorized in the register tiles of the op it feeds.
    auto registerShape =
        cast<RankedTensorType>(tiled->getResultTypes()[0]).getShape();
    if (registerShape.size() != shape->size())
      return tileFill;
    sched::ConfigAttr config =
        wholeTileConfig(rewriter.getContext(), registerShape);
    FailureOr<linalg::LinalgOp> registerFill = scheduleTile(
        rewriter, tileFill, config, ArrayRef<int64_t>(*shape) == registerShape);
    if (failed(registerFill))
      return failure();
    return cast<linalg::FillOp>(registerFill->getOperation());
  }
  return failure();
}

namespace {
struct MergeEpiloguesPass
    : lathe::impl::MergeEpiloguesPassBase<MergeEpiloguesPass> {
  void runOnOperation() override {
    if (failed(mergeEpilogues(getOperation())))
      return signalPassFailure();
  }
};

struct FuseEpiloguePass : lathe::impl::FuseEpiloguePassBase<FuseEpiloguePass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // The accumulators' fills first, while each nest inserts the value of
    // its reduction loop.
    SmallVector<Operation *> nests;
    for (Operation &op : getOperation().getBody().getOps())
      if (isa<scf::ForOp, scf::ForallOp>(op) && tiledReduction(&op))
        nests.push_back(&op);
    for (Operation *nest : nests)
      (void)fuseAccumulatorFill(rewriter, nest);
    // lathe-tile leaves the epilogues of scheduled ops alone: each one goes
    // into its anchor's nest here, or else is tiled by its own config. An
    // epilogue of an epilogue reads the nest's result once the first one
    // is fused, so it is fused on the next round.
    bool changed = true;
    while (changed) {
      changed = false;
      SmallVector<linalg::GenericOp> epilogues;
      getOperation().walk([&](linalg::GenericOp op) {
        if (isElementwiseEpilogue(op) && op->hasAttr(kConfigAttrName) &&
            !op->getParentOfType<LoopLikeOpInterface>())
          epilogues.push_back(op);
      });
      DominanceInfo dominance(getOperation());
      for (linalg::GenericOp op : epilogues) {
        if (succeeded(fuseEpilogue(rewriter, op, dominance))) {
          changed = true;
          break;
        }
      }
    }
    // What did not go into a nest is tiled by its own config.
    SmallVector<linalg::LinalgOp> unfused;
    getOperation().walk([&](linalg::LinalgOp op) {
      if ((isElementwiseEpilogue(op) || isa<linalg::FillOp>(op)) &&
          op->hasAttr(kConfigAttrName) && !op->hasAttr(kTiledAttrName) &&
          !op->getParentOfType<LoopLikeOpInterface>())
        unfused.push_back(op);
    });
    if (failed(tileOpsByConfig(rewriter, unfused)))
      return signalPassFailure();
  }
};
} // namespace
