//===- DefaultSchedule.cpp - Heuristic #sched.config per kernel -----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements defaultConfig and `lathe-default-schedule`, which
// gives every op the heuristic knows (and that has no config yet, from the
// tuner or the user) its default `#sched.config`. Sizes come from the
// target's vector width, register count and cache sizes (Schedule.h).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/schedule/Schedule.h"

#include "dialects/sched/SchedDialect.h"

#include "mlir/Dialect/Math/IR/Math.h"

namespace lathe {
#define GEN_PASS_DEF_DEFAULTSCHEDULEPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::schedule;

#define DEBUG_TYPE "lathe-default-schedule"

/// The largest multiple of `step` that divides `size` and is at most
/// `limit` (at least `step`, which must divide `size`).
static int64_t largestDivisor(int64_t size, int64_t limit, int64_t step) {
  int64_t best = step;
  for (int64_t t = step; t <= std::min(size, limit); t += step)
    if (size % t == 0)
      best = t;
  return best;
}

/// The register-tile width along a vectorized dimension of `size`: two
/// vector registers of `lanes` if they divide it, else one, else the widest
/// narrower vector (half, a quarter, ... of a register) that does.
static int64_t vectorTileWidth(int64_t size, int64_t lanes) {
  for (int64_t width = 2 * lanes; width > 1; width /= 2)
    if (size % width == 0)
      return width;
  return 1;
}

/// Thread tiles of image rows for a convolution whose loop 1 is OH: blocks
/// of about an eighth of the rows (at least one), so that 2 to 8 threads
/// share the work; empty when there is a single row. With one thread the
/// forall is a plain loop (the pipelines' `threads` option).
static SmallVector<int64_t> rowThreadTiles(ArrayRef<int64_t> ranges,
                                           SmallVector<int64_t> &parallel) {
  int64_t oh = ranges[1];
  if (oh < 2)
    return {};
  int64_t rows = 1;
  for (int64_t r = std::max<int64_t>(1, oh / 8); r >= 1; --r)
    if (oh % r == 0) {
      rows = r;
      break;
    }
  SmallVector<int64_t> outer(ranges.size(), 0);
  outer[1] = rows;
  parallel = {1};
  return outer;
}

/// A convolution's config: the register tile `reg` (also its vector
/// sizes) and the row thread tiles of its loop `ranges`.
static FailureOr<sched::ConfigAttr>
registerTileConfig(linalg::LinalgOp op, ArrayRef<int64_t> reg,
                   ArrayRef<int64_t> ranges) {
  SmallVector<int64_t> parallel;
  SmallVector<int64_t> outer = rowThreadTiles(ranges, parallel);
  auto config = sched::ConfigAttr::getChecked(
      [&] { return op->emitError(); }, op->getContext(), outer,
      /*l3=*/{}, /*l2=*/{}, /*l1=*/{}, reg, /*vector=*/reg, /*unroll=*/1,
      parallel, /*interchange=*/{}, /*packs=*/{});
  if (!config)
    return failure();
  return config;
}

/// Channels-last convolution, loops (n, oh, ow, f, kh, kw, c): a register
/// tile of OWr output pixels by NR filters (NR two vectors wide), each step
/// of (kh, kw, c) an FMA of a broadcast input pixel with a vector of filter
/// weights into every accumulator; no cache tiles (an image row of the
/// input and the filters of one NR block are small).
static FailureOr<sched::ConfigAttr> convConfig(linalg::Conv2DNhwcHwcfOp op,
                                               const ScheduleTarget &target) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.size() != 7 || llvm::any_of(ranges, ShapedType::isDynamic) ||
      !cast<ShapedType>(op->getResult(0).getType()).getElementType().isF32())
    return failure();
  int64_t ow = ranges[2], f = ranges[3];
  int64_t lanes = std::max<int64_t>(1, target.vectorBits / 32);
  int64_t nr = 0;
  for (int64_t regs : {2, 1})
    if (f % (regs * lanes) == 0) {
      nr = regs * lanes;
      break;
    }
  if (nr == 0)
    return failure();
  int64_t owr = 0;
  for (int64_t w = 8; w >= 1; --w)
    if (ow % w == 0 &&
        w * (nr / lanes) + nr / lanes + 1 <= target.vectorRegisters) {
      owr = w;
      break;
    }
  if (owr == 0)
    return failure();
  return registerTileConfig(op, {1, 1, owr, nr, 1, 1, 1}, ranges);
}

/// Channels-last depthwise convolution (or max pool), loops (n, oh, ow, c,
/// kh, kw): a
/// register tile of OWr output pixels by NR channels (two vectors, else
/// one, else the widest narrower vector dividing C), each step of the
/// window an FMA of the input pixels' channel vectors with the window
/// weights' into every accumulator.
static FailureOr<sched::ConfigAttr>
depthwiseConfig(linalg::LinalgOp op, const ScheduleTarget &target) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.size() != 6 || llvm::any_of(ranges, ShapedType::isDynamic) ||
      !cast<ShapedType>(op->getResult(0).getType()).getElementType().isF32())
    return failure();
  int64_t ow = ranges[2], c = ranges[3];
  int64_t lanes = std::max<int64_t>(1, target.vectorBits / 32);
  int64_t nr = vectorTileWidth(c, lanes);
  int64_t nrRegs = (nr + lanes - 1) / lanes;
  // Accumulators, the input pixels and the weights of one window step.
  int64_t owr = 1;
  for (int64_t w = 8; w >= 1; --w)
    if (ow % w == 0 && 2 * w * nrRegs + nrRegs <= target.vectorRegisters) {
      owr = w;
      break;
    }
  return registerTileConfig(op, {1, 1, owr, nr, 1, 1}, ranges);
}

/// The largest divisor of `size` that is at most `limit`.
static int64_t largestDivisorUpTo(int64_t size, int64_t limit) {
  for (int64_t t = std::min(size, limit); t > 1; --t)
    if (size % t == 0)
      return t;
  return 1;
}

/// Thread tiles for a copy or an elementwise op of loops `ranges`, with
/// register tiles `tiles` and cache tiles `l2` (empty if none), whose
/// result is `bytes` large: with several cores and at least 256 KiB to
/// move, its outermost loop that splits into one tile per core (a multiple
/// of the inner tiles) runs on threads. Smaller ops stay on one thread
/// (starting threads would cost more than they save).
static void addThreadTiles(ArrayRef<int64_t> ranges, ArrayRef<int64_t> tiles,
                           ArrayRef<int64_t> l2, int64_t bytes,
                           const ScheduleTarget &target,
                           SmallVector<int64_t> &outer,
                           SmallVector<int64_t> &parallel) {
  if (target.cores <= 1 || bytes < 256 * 1024)
    return;
  for (size_t d = 0; d < ranges.size(); ++d) {
    int64_t step =
        std::max<int64_t>(1, l2.empty() ? tiles[d] : std::max(tiles[d], l2[d]));
    if (ranges[d] % target.cores != 0)
      continue;
    int64_t tile = ranges[d] / target.cores;
    if (tile % step != 0)
      continue;
    outer.assign(ranges.size(), 0);
    outer[d] = tile;
    parallel = {static_cast<int64_t>(d)};
    return;
  }
}

/// A copy (im2col's windows) or a transpose (also the run-time copy of a
/// packed operand), `perm` its permutation: vector copies. One that keeps
/// the innermost dimension copies rows of up to four vectors; one that
/// moves it copies square blocks of up to 16 x 16 (a vector transposed in
/// registers), which larger than half of L2 are also the cache tiles, so
/// that the rows a block reads and writes stay in L1.
static FailureOr<sched::ConfigAttr>
copyConfig(linalg::LinalgOp op, ArrayRef<int64_t> perm,
           const ScheduleTarget &target) {
  int64_t rank = perm.size();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto type = cast<ShapedType>(op->getResult(0).getType());
  if (rank < 1 || llvm::any_of(ranges, ShapedType::isDynamic) ||
      !type.getElementType().isIntOrFloat() ||
      type.getElementTypeBitWidth() % 8 != 0)
    return failure();
  int64_t lanes =
      std::max<int64_t>(1, target.vectorBits / type.getElementTypeBitWidth());
  SmallVector<int64_t> tiles(rank, 1);
  SmallVector<int64_t> l2;
  if (perm.back() == rank - 1) {
    tiles[rank - 1] = largestDivisorUpTo(ranges[rank - 1], 4 * lanes);
  } else {
    // Loops are the result's dimensions: the last one writes contiguously,
    // loop perm^-1(rank - 1) reads contiguously.
    int64_t readLoop = llvm::find(perm, rank - 1) - perm.begin();
    int64_t block = 16;
    tiles[rank - 1] = largestDivisorUpTo(ranges[rank - 1], block);
    tiles[readLoop] = largestDivisorUpTo(ranges[readLoop], block);
    if (type.getNumElements() * (type.getElementTypeBitWidth() / 8) >
        target.l2Bytes / 2)
      l2 = tiles;
  }
  SmallVector<int64_t> outer, parallel;
  addThreadTiles(ranges, tiles, l2,
                 type.getNumElements() * (type.getElementTypeBitWidth() / 8),
                 target, outer, parallel);
  auto config = sched::ConfigAttr::getChecked(
      [&] { return op->emitError(); }, op->getContext(), outer,
      /*l3=*/{}, l2, /*l1=*/{}, /*register=*/tiles, /*vector=*/tiles,
      /*unroll=*/1, parallel, /*interchange=*/{}, /*packs=*/{});
  if (!config)
    return failure();
  return config;
}

/// An elementwise op (a fill, a bias broadcast, a fused epilogue: parallel
/// loops only, the result written in loop order, every operand indexed by
/// a projection of the loops): vectors of up to four registers along the
/// innermost loop.
static FailureOr<sched::ConfigAttr>
elementwiseConfig(linalg::LinalgOp op, const ScheduleTarget &target) {
  if (op.getNumLoops() < 1 || op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isProjectedPermutation(); }))
    return failure();
  // Arithmetic in the body, and the math functions that have a vector
  // lowering: LLVM intrinsics (sqrt, fabs, floor, ceil, fma) or, after
  // lathe-vectorize, polynomials (exp, log, erf, tanh, ...); others (a
  // libm call per element) keep their loops.
  auto vectorizable = [](Operation &inner) {
    if (inner.getDialect()->getNamespace() == "arith")
      return true;
    return isa<math::ExpOp, math::ExpM1Op, math::LogOp, math::Log1pOp,
               math::Log2Op, math::ErfOp, math::TanhOp, math::SqrtOp,
               math::AbsFOp, math::FloorOp, math::CeilOp, math::FmaOp>(inner);
  };
  if (op.hasIndexSemantics() ||
      !llvm::all_of(op.getBlock()->without_terminator(), vectorizable))
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto type = cast<ShapedType>(op->getResult(0).getType());
  // Booleans are bytes in memory but bits in an LLVM vector: no vector
  // reads or writes of them.
  auto byteSized = [](Type t) {
    Type element = getElementTypeOrSelf(t);
    return element.isIntOrFloat() && element.getIntOrFloatBitWidth() >= 8;
  };
  if (llvm::any_of(ranges, ShapedType::isDynamic) ||
      !llvm::all_of(op->getOperandTypes(), byteSized))
    return failure();
  int64_t lanes =
      std::max<int64_t>(1, target.vectorBits / type.getElementTypeBitWidth());
  SmallVector<int64_t> tiles(ranges.size(), 1);
  tiles.back() = largestDivisorUpTo(ranges.back(), 4 * lanes);
  SmallVector<int64_t> outer, parallel;
  addThreadTiles(ranges, tiles, /*l2=*/{},
                 type.getNumElements() * (type.getElementTypeBitWidth() / 8),
                 target, outer, parallel);
  auto config = sched::ConfigAttr::getChecked(
      [&] { return op->emitError(); }, op->getContext(), outer,
      /*l3=*/{}, /*l2=*/{}, /*l1=*/{}, /*register=*/tiles, /*vector=*/tiles,
      /*unroll=*/1, parallel, /*interchange=*/{}, /*packs=*/{});
  if (!config)
    return failure();
  return config;
}

FailureOr<sched::ConfigAttr>
schedule::defaultConfig(linalg::LinalgOp op, const ScheduleTarget &target) {
  if (!op.hasPureTensorSemantics())
    return failure();
  if (auto transpose = dyn_cast<linalg::TransposeOp>(op.getOperation()))
    return copyConfig(op, transpose.getPermutation(), target);
  if (isa<linalg::CopyOp>(op.getOperation()))
    return copyConfig(
        op, llvm::to_vector(llvm::seq<int64_t>(0, op.getNumLoops())), target);
  if (isa<linalg::FillOp, linalg::GenericOp, linalg::MapOp>(op.getOperation()))
    return elementwiseConfig(op, target);
  if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(op.getOperation()))
    return convConfig(conv, target);
  if (isa<linalg::DepthwiseConv2DNhwcHwcOp, linalg::PoolingNhwcMaxOp>(
          op.getOperation()))
    return depthwiseConfig(op, target);
  // A batch_matmul is a matmul per batch: loops (b, m, n, k), one batch
  // at a time.
  bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
  if (!batched && !isa<linalg::MatmulOp>(op.getOperation()))
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  if (batched)
    ranges.erase(ranges.begin());
  if (ranges.size() != 3)
    return failure();
  if (!llvm::all_of(op->getOperandTypes(), [](Type t) {
        return cast<ShapedType>(t).getElementType().isF32();
      }))
    return failure();
  int64_t m = ranges[0], n = ranges[1], k = ranges[2];
  int64_t lanes = std::max<int64_t>(1, target.vectorBits / 32);

  // Register tile: NR two registers wide, else one, else the widest
  // narrower vector (half, a quarter, ... of a register) that divides N.
  // MR is the largest divisor of M whose MR x NR accumulators, the B
  // registers and one broadcast fit the register file.
  int64_t nr = vectorTileWidth(n, lanes);
  int64_t nrRegs = (nr + lanes - 1) / lanes;
  int64_t mr = 0;
  for (int64_t rows = std::min<int64_t>(m, 16); rows >= 1; --rows)
    if (m % rows == 0 &&
        rows * nrRegs + nrRegs + 1 <= target.vectorRegisters) {
      mr = rows;
      break;
    }
  if (mr == 0)
    return failure();

  // Cache tiles: an MR x KC panel of A and a KC x NR panel of B in half of
  // L1 (the other half for the streaming accumulators and C), an MC x KC
  // block of A in half of L2, NC so the B block stays in L2 too.
  int64_t kcLimit = std::max<int64_t>(1, target.l1Bytes / 2 / 4 / (mr + nr));
  int64_t kc = largestDivisor(k, std::min<int64_t>(kcLimit, 256), 1);
  int64_t mcLimit = std::max<int64_t>(mr, target.l2Bytes / 2 / 4 / kc);
  int64_t mc = largestDivisor(m, std::min<int64_t>(mcLimit, 64), mr);
  int64_t nc = largestDivisor(n, 256, nr);

  // With several cores, thread tiles that split evenly across them: where
  // the panels of B (or else the blocks of A) do not, the widest panel (or
  // block) that does, if it is still at least two register tiles wide (BERT's
  // N = 768: four panels of 192, not three of 256). A batch_matmul's
  // batches are threads' work already.
  bool nThreads = n / nc >= 2, mThreads = !nThreads && m / mc >= 2;
  auto balanced = [&](int64_t tiles) {
    return target.cores <= 1 || tiles % target.cores == 0;
  };
  if (!batched && target.cores > 1 &&
      !(nThreads ? balanced(n / nc) : mThreads && balanced(m / mc))) {
    auto evenTile = [&](int64_t size, int64_t limit, int64_t step) {
      for (int64_t t = std::min(size, limit) / step * step; t >= 2 * step;
           t -= step)
        if (size % t == 0 && size / t >= 2 && balanced(size / t))
          return t;
      return int64_t(0);
    };
    if (int64_t even = evenTile(n, 256, nr)) {
      nc = even;
      nThreads = true;
      mThreads = false;
    } else if (int64_t even = evenTile(m, std::min<int64_t>(mcLimit, 64), mr)) {
      mc = even;
      nThreads = false;
      mThreads = true;
    }
  }

  SmallVector<int64_t> l2 = {mc, nc, kc}, reg = {mr, nr, 1};
  SmallVector<int64_t> interchange = {1, 0, 2};
  int64_t mLoop = 0, nLoop = 1;
  if (batched) {
    l2.insert(l2.begin(), 1);
    reg.insert(reg.begin(), 1);
    interchange = {0, 2, 1, 3};
    mLoop = 1;
    nLoop = 2;
  }
  // The k loop around the register tile is not unrolled: by 4 it gained
  // 2-5% on a lone 1024^3 GEMM but cost ResNet-50 35-55% (77 -> 105-122
  // ms); LLVM unrolls it as it sees fit. `unroll` is the tuner's knob.
  int64_t unroll = 1;
  // Threads take column panels of B (N / NC of them), else row blocks of A,
  // else (a batch_matmul) batches; a single thread runs them as loops.
  SmallVector<int64_t> outer, parallel;
  if (nThreads) {
    outer.assign(l2.size(), 0);
    outer[nLoop] = nc;
    parallel = {nLoop};
  } else if (mThreads) {
    outer.assign(l2.size(), 0);
    outer[mLoop] = mc;
    parallel = {mLoop};
  } else if (batched && op.getStaticLoopRanges()[0] >= 2) {
    outer.assign(l2.size(), 0);
    outer[0] = 1;
    parallel = {0};
  }
  // B in NR-column panels ([N/NR][K][NR]), A in MR-row panels
  // ([M/MR][K][MR]): the register tile reads both as contiguous streams,
  // whatever the row strides (a power-of-two stride maps every row of an
  // unpacked panel to the same few L1 sets). B is most often a weight,
  // packed at compile time. A is packed at run time only where each panel
  // is reused across enough of N (at least 1024 columns) to pay for the
  // copy (measured on ResNet-50's 1x1 convolutions, N = 64 to 2048: the
  // copy costs more than it saves), or when it is a constant.
  MLIRContext *ctx = op->getContext();
  SmallVector<sched::PackAttr> packs;
  bool constantA =
      bool(constantBehindReshapes(op.getDpsInputOperand(0)->get()));
  if (mr > 1 && (n >= 1024 || constantA))
    packs.push_back(sched::PackAttr::get(ctx, /*operand=*/0, {mLoop}, {mr}));
  packs.push_back(sched::PackAttr::get(ctx, /*operand=*/1, {nLoop}, {nr}));
  auto config = sched::ConfigAttr::getChecked(
      [&] { return op->emitError(); }, ctx, outer,
      /*l3=*/{}, l2, /*l1=*/{}, reg, /*vector=*/reg, unroll,
      parallel, interchange, packs);
  if (!config)
    return failure();
  return config;
}

namespace {
struct DefaultSchedulePass
    : lathe::impl::DefaultSchedulePassBase<DefaultSchedulePass> {
  using DefaultSchedulePassBase::DefaultSchedulePassBase;

  void runOnOperation() override {
    ScheduleTarget target;
    target.vectorBits = vectorBits;
    target.vectorRegisters = vectorRegisters;
    target.l1Bytes = l1Bytes;
    target.l2Bytes = l2Bytes;
    target.cores = cores;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kConfigAttrName) || op->hasAttr(kTiledAttrName))
        return;
      if (FailureOr<sched::ConfigAttr> config = defaultConfig(op, target);
          succeeded(config))
        op->setAttr(kConfigAttrName, *config);
    });
  }
};
} // namespace
