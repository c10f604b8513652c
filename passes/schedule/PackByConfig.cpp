//===- PackByConfig.cpp - Operand packing by #sched.config ---------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements packByConfig and `lathe-pack`: the `pack` entries
// of an op's `#sched.config` copy operands into tile-contiguous layouts
// before the op runs, so that the register tile reads each operand panel
// as one contiguous stream (no cache-set conflicts between rows a power of
// two apart, no TLB misses across rows, hardware prefetch in one
// direction).
//
// A pack `{operand = i, dims = [d], tiles = [t]}` splits loop d into an
// outer loop d (its range divided by t) and an inner loop of t iterations
// appended after all original loops. The packed operand's layout is: the
// outer loops of its packed dims first, then its other dimensions in their
// order, then the inner loops of its packed dims (B[K][N] packed on n by 16
// is [N/16][K][16]). Every other operand that indexes a split loop has
// that dimension split in place by a reshape, which costs nothing (C[M][N]
// is viewed as [M][N/16][16]). The op becomes a linalg.generic on those
// operands, its result reshaped back, and its config is rewritten for the
// new loops (tiles of a split loop divided by its pack tile, the inner
// loops innermost and whole).
//
// Packed constants are packed here, at compile time; other operands are
// packed at run time by a reshape and a linalg.transpose.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/graph/ConstantData.h"
#include "passes/schedule/Schedule.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace lathe {
#define GEN_PASS_DEF_PACKPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::schedule;

#define DEBUG_TYPE "lathe-pack"

namespace {
/// How one operand's dimensions map to the packed op's: the reassociation
/// of the in-place split (one group per original dimension), and the
/// permutation that then moves packed blocks outermost and innermost
/// (empty when the operand is only reshaped).
struct OperandLayout {
  SmallVector<ReassociationIndices> reassociation;
  SmallVector<int64_t> expandedShape;
  SmallVector<int64_t> permutation;
  SmallVector<AffineExpr> expandedExprs;
};
} // namespace

/// The loop a result of an indexing map is, when it is one plain loop.
static std::optional<int64_t> plainDim(AffineExpr expr) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return dim.getPosition();
  return std::nullopt;
}

/// Rewrites a per-loop array of the config (tiles or vector sizes) for the
/// packed loops: a split loop's entry divided by its pack tile (failure if
/// it is not a multiple), then one entry per inner loop: its whole pack tile
/// for vector sizes (`innerIsVector`), 0 (untiled, so whole) for tiles.
static FailureOr<SmallVector<int64_t>>
remapPerLoop(ArrayRef<int64_t> values, ArrayRef<int64_t> splitTiles,
             ArrayRef<int64_t> splitDims, bool innerIsVector) {
  if (values.empty())
    return SmallVector<int64_t>();
  SmallVector<int64_t> result(values);
  for (auto [d, t] : llvm::zip(splitDims, splitTiles)) {
    if (result[d] % t != 0)
      return failure();
    result[d] /= t;
  }
  for (int64_t t : splitTiles)
    result.push_back(innerIsVector ? t : 0);
  return result;
}

/// `value` (a tensor constant) reshaped by `layout` and permuted, computed
/// now; failure if its data cannot be read.
static FailureOr<Value> packConstant(RewriterBase &rewriter, Location loc,
                                     arith::ConstantOp constant,
                                     const OperandLayout &layout,
                                     RankedTensorType packedType) {
  auto elements = dyn_cast<ElementsAttr>(constant.getValue());
  if (!elements)
    return failure();
  FailureOr<std::vector<char>> bytes = graph::readBytes(elements);
  int64_t width = packedType.getElementTypeBitWidth() / 8;
  if (failed(bytes) || width == 0)
    return failure();
  std::vector<char> packed = graph::transposeBytes(*bytes, layout.expandedShape,
                                                   layout.permutation, width);
  StringRef name = graph::resourceName(elements);
  ElementsAttr attr =
      graph::makeElements(packedType, packed, /*asResource=*/!name.empty(),
                          name.empty() ? StringRef("packed") : name);
  return rewriter
      .create<arith::ConstantOp>(loc, packedType, cast<TypedAttr>(attr))
      .getResult();
}

arith::ConstantOp schedule::constantBehindReshapes(Value value) {
  while (isa_and_nonnull<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
      value.getDefiningOp()))
    value = value.getDefiningOp()->getOperand(0);
  return value.getDefiningOp<arith::ConstantOp>();
}

FailureOr<linalg::GenericOp> schedule::packByConfig(RewriterBase &rewriter,
                                                    linalg::LinalgOp op,
                                                    sched::ConfigAttr config) {
  ArrayRef<sched::PackAttr> packs = config.getPacks();
  if (packs.empty())
    return rewriter.notifyMatchFailure(op, "the config packs nothing");
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1)
    return op->emitOpError("sched.config packs need an op on tensors with "
                           "one result");
  if (op.hasIndexSemantics())
    return op->emitOpError("sched.config packs an op that uses linalg.index");
  int64_t numLoops = op.getNumLoops();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();

  // The split loops and their tiles, in loop order.
  SmallVector<int64_t> tileOf(numLoops, 0);
  for (sched::PackAttr pack : packs) {
    if (pack.getOperand() >= op.getNumDpsInputs())
      return op->emitOpError("sched.config packs operand ")
             << pack.getOperand() << ", which is not an input (the op has "
             << op.getNumDpsInputs() << ")";
    for (auto [d, t] : llvm::zip(pack.getDims(), pack.getTiles())) {
      if (d >= numLoops)
        return op->emitOpError("sched.config packs loop ")
               << d << " of an op of " << numLoops << " loops";
      if (ShapedType::isDynamic(ranges[d]) || ranges[d] % t != 0)
        return op->emitOpError("sched.config pack tile ")
               << t << " does not divide loop " << d << " (size "
               << (ShapedType::isDynamic(ranges[d]) ? std::string("dynamic")
                                                    : std::to_string(ranges[d]))
               << ")";
      if (tileOf[d] != 0 && tileOf[d] != t)
        return op->emitOpError("sched.config packs loop ")
               << d << " by two different tiles, " << tileOf[d] << " and " << t;
      tileOf[d] = t;
    }
  }
  SmallVector<int64_t> splitDims, splitTiles;
  SmallVector<int64_t> innerLoop(numLoops, -1);
  for (int64_t d = 0; d < numLoops; ++d)
    if (tileOf[d] != 0) {
      innerLoop[d] = numLoops + splitDims.size();
      splitDims.push_back(d);
      splitTiles.push_back(tileOf[d]);
    }
  int64_t newNumLoops = numLoops + splitDims.size();
  MLIRContext *ctx = op->getContext();

  // Each operand's layout in the packed op.
  SmallVector<OperandLayout> layouts;
  SmallVector<AffineMap> newMaps;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    auto type = cast<RankedTensorType>(operand.get().getType());
    const sched::PackAttr *pack = nullptr;
    for (const sched::PackAttr &p : packs)
      if (p.getOperand() == operand.getOperandNumber())
        pack = &p;
    OperandLayout layout;
    SmallVector<int64_t> packedPositions, packedInnerPositions;
    for (auto [i, result] : llvm::enumerate(map.getResults())) {
      AffineExpr expr = result;
      std::optional<int64_t> d = plainDim(expr);
      bool usesSplit = llvm::any_of(
          splitDims, [&](int64_t s) { return expr.isFunctionOfDim(s); });
      if (usesSplit && !d)
        return op->emitOpError("sched.config packs a loop that operand ")
               << operand.getOperandNumber()
               << " indexes by a compound expression (result " << i
               << " of its indexing map " << AffineMapAttr::get(map) << ")";
      ReassociationIndices group = {
          static_cast<int64_t>(layout.expandedShape.size())};
      if (d && tileOf[*d] != 0) {
        int64_t t = tileOf[*d];
        if (type.isDynamicDim(i) || type.getDimSize(i) % t != 0)
          return op->emitOpError("sched.config pack tile ")
                 << t << " does not divide dimension " << i << " of operand "
                 << operand.getOperandNumber();
        group.push_back(group.front() + 1);
        layout.expandedShape.push_back(type.getDimSize(i) / t);
        layout.expandedShape.push_back(t);
        layout.expandedExprs.push_back(getAffineDimExpr(*d, ctx));
        layout.expandedExprs.push_back(getAffineDimExpr(innerLoop[*d], ctx));
        if (pack && llvm::is_contained(pack->getDims(), *d)) {
          packedPositions.push_back(group.front());
          packedInnerPositions.push_back(group.front() + 1);
        }
      } else {
        layout.expandedShape.push_back(type.getDimSize(i));
        layout.expandedExprs.push_back(expr);
      }
      layout.reassociation.push_back(group);
    }
    if (pack && packedPositions.size() != pack->getDims().size())
      return op->emitOpError("sched.config packs operand ")
             << operand.getOperandNumber() << " along a loop it does not index";
    SmallVector<AffineExpr> exprs = layout.expandedExprs;
    if (pack) {
      // Outer blocks in the order of the pack's dims, then the rest, then
      // the inner tiles in the same order.
      SmallVector<int64_t> outer, inner;
      for (int64_t d : pack->getDims())
        for (auto [o, in] : llvm::zip(packedPositions, packedInnerPositions))
          if (layout.expandedExprs[o] == getAffineDimExpr(d, ctx)) {
            outer.push_back(o);
            inner.push_back(in);
          }
      layout.permutation = outer;
      for (int64_t p = 0, e = layout.expandedShape.size(); p < e; ++p)
        if (!llvm::is_contained(outer, p) && !llvm::is_contained(inner, p))
          layout.permutation.push_back(p);
      llvm::append_range(layout.permutation, inner);
      exprs.clear();
      for (int64_t p : layout.permutation)
        exprs.push_back(layout.expandedExprs[p]);
    }
    newMaps.push_back(AffineMap::get(newNumLoops, 0, exprs, ctx));
    layouts.push_back(std::move(layout));
  }

  // The new config first, so that a config that cannot be carried over
  // fails before the IR changes.
  auto remap = [&](ArrayRef<int64_t> values, bool innerIsVector = false) {
    return remapPerLoop(values, splitTiles, splitDims, innerIsVector);
  };
  FailureOr<SmallVector<int64_t>> outer = remap(config.getOuterTiles());
  FailureOr<SmallVector<int64_t>> l3 = remap(config.getL3Tiles());
  FailureOr<SmallVector<int64_t>> l2 = remap(config.getL2Tiles());
  FailureOr<SmallVector<int64_t>> l1 = remap(config.getL1Tiles());
  FailureOr<SmallVector<int64_t>> reg = remap(config.getRegisterTiles());
  FailureOr<SmallVector<int64_t>> vector =
      remap(config.getVectorSizes(), /*innerIsVector=*/true);
  if (failed(outer) || failed(l3) || failed(l2) || failed(l1) || failed(reg) ||
      failed(vector))
    return op->emitOpError("sched.config tiles of a packed loop are not "
                           "multiples of its pack tile: ")
           << config;
  SmallVector<int64_t> interchange(config.getInterchange());
  if (!interchange.empty())
    for (int64_t i = numLoops; i < newNumLoops; ++i)
      interchange.push_back(i);
  auto newConfig = sched::ConfigAttr::get(
      ctx, *outer, *l3, *l2, *l1, *reg, *vector, config.getUnroll(),
      config.getParallelDims(), interchange, /*packs=*/{});

  // The operands in their new layouts.
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  SmallVector<Value> newOperands;
  for (auto [operand, layout] : llvm::zip(op->getOpOperands(), layouts)) {
    Value value = operand.get();
    auto type = cast<RankedTensorType>(value.getType());
    if (layout.expandedShape.size() == static_cast<size_t>(type.getRank())) {
      newOperands.push_back(value);
      continue;
    }
    auto expandedType =
        RankedTensorType::get(layout.expandedShape, type.getElementType());
    if (layout.permutation.empty()) {
      newOperands.push_back(rewriter.create<tensor::ExpandShapeOp>(
          loc, expandedType, value, layout.reassociation));
      continue;
    }
    SmallVector<int64_t> packedShape;
    for (int64_t p : layout.permutation)
      packedShape.push_back(layout.expandedShape[p]);
    auto packedType = RankedTensorType::get(packedShape, type.getElementType());
    if (arith::ConstantOp constant = constantBehindReshapes(value)) {
      FailureOr<Value> packed =
          packConstant(rewriter, loc, constant, layout, packedType);
      if (succeeded(packed)) {
        newOperands.push_back(*packed);
        continue;
      }
    }
    Value expanded = rewriter.create<tensor::ExpandShapeOp>(
        loc, expandedType, value, layout.reassociation);
    Value init = rewriter.create<tensor::EmptyOp>(loc, packedShape,
                                                  type.getElementType());
    newOperands.push_back(rewriter
                              .create<linalg::TransposeOp>(loc, expanded, init,
                                                           layout.permutation)
                              ->getResult(0));
  }

  // The op itself, with the body of its generic form.
  FailureOr<linalg::GenericOp> generic =
      linalg::generalizeNamedOp(rewriter, op);
  if (failed(generic))
    return op->emitOpError("cannot be written as a linalg.generic to pack");
  // (`op` is gone: the insertion point moves to its generic form.)
  rewriter.setInsertionPoint(*generic);
  SmallVector<utils::IteratorType> iterators = generic->getIteratorTypesArray();
  for (int64_t d : splitDims)
    iterators.push_back(iterators[d]);
  int64_t numInputs = generic->getNumDpsInputs();
  Value init = newOperands.back();
  auto packedOp = rewriter.create<linalg::GenericOp>(
      loc, TypeRange{init.getType()},
      ValueRange(newOperands).take_front(numInputs), ValueRange{init}, newMaps,
      iterators);
  rewriter.inlineRegionBefore(generic->getRegion(), packedOp.getRegion(),
                              packedOp.getRegion().begin());
  packedOp->setAttr(kConfigAttrName, newConfig);
  Value result = packedOp->getResult(0);
  const OperandLayout &initLayout = layouts.back();
  if (result.getType() != generic->getResult(0).getType())
    result = rewriter.create<tensor::CollapseShapeOp>(
        loc, generic->getResult(0).getType(), result, initLayout.reassociation);
  rewriter.replaceOp(*generic, result);
  return packedOp;
}

namespace {
struct PackPass : lathe::impl::PackPassBase<PackPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      auto config = op->getAttrOfType<sched::ConfigAttr>(kConfigAttrName);
      if (config && !config.getPacks().empty() && !op->hasAttr(kTiledAttrName))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      auto config = op->getAttrOfType<sched::ConfigAttr>(kConfigAttrName);
      if (failed(packByConfig(rewriter, op, config))) {
        op->emitOpError("could not be packed by its sched.config ") << config;
        return signalPassFailure();
      }
    }
  }
};
} // namespace
