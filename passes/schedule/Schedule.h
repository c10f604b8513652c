//===- Schedule.h - Applying #sched.config to kernels -----------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares passes/schedule: the heuristic that gives a kernel's
// anchor op its default `#sched.config`, and the transforms that carry a
// config out on linalg ops on tensors: operand packing (PackByConfig.cpp), multi-level
// tiling with loop interchange (TileByConfig.cpp) and vectorization of the register tile
// into FMA outer products with the accumulators kept in registers across
// the reduction loop (VectorizeByConfig.cpp). The config travels as the
// `sched.config` attribute of the op; nothing about the schedule is a
// constant in these passes.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_PASSES_SCHEDULE_SCHEDULE_H
#define LATHE_PASSES_SCHEDULE_SCHEDULE_H

#include "dialects/sched/SchedAttrs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"

#include <map>
#include <string>

namespace lathe::schedule {

/// The attribute holding an op's schedule.
inline constexpr llvm::StringLiteral kConfigAttrName = "sched.config";
/// Set on the register-tile op lathe-tile produces, so that neither
/// lathe-tile nor the default schedule touch it again.
inline constexpr llvm::StringLiteral kTiledAttrName = "sched.tiled";

/// Set by lathe-vectorize on the loop a config's `unroll` applies to (the
/// innermost loop around the register tile) until it is unrolled.
inline constexpr llvm::StringLiteral kUnrollAttrName = "sched.unroll";

/// The machine facts the default schedule derives tile sizes from (filled
/// in from codegen's target description by the pipelines).
struct ScheduleTarget {
  /// Width of one vector register.
  int64_t vectorBits = 256;
  /// Number of vector registers.
  int64_t vectorRegisters = 16;
  /// Data cache sizes in bytes.
  int64_t l1Bytes = 32 * 1024;
  int64_t l2Bytes = 1024 * 1024;
  /// Cores the threads' tiles are shared among (1: no preference).
  int64_t cores = 1;
};

/// The default config of `op` on `target`, or failure when the heuristic
/// has none for it (today: `linalg.matmul` on static f32 shapes whose sizes
/// the chosen tiles divide). The register tile is MR x NR with NR two
/// vector registers wide and MR as large as the register file allows
/// (MR * NR / lanes accumulators, NR / lanes operand registers and one
/// broadcast); the cache tiles are the largest divisors of the sizes that
/// keep a KC x NR panel of B and an MR x KC panel of A in L1 and an
/// MC x KC block of A in L2. The loops run n, m, k.
mlir::FailureOr<sched::ConfigAttr> defaultConfig(mlir::linalg::LinalgOp op,
                                                 const ScheduleTarget &target);

/// The constant `value` is, looking through reshapes (a 1x1 convolution's
/// weights viewed as a matrix have the constant's row-major data); null if
/// it is not one. Such operands are packed at compile time.
mlir::arith::ConstantOp constantBehindReshapes(mlir::Value value);

/// Packs the operands named by the config's `pack` entries into
/// tile-contiguous layouts (constants at compile time, others by a
/// linalg.transpose before the op) and rewrites `op` as a linalg.generic on
/// them; every other operand indexing a packed loop is reshaped in place,
/// the result reshaped back. The generic carries the config rewritten for
/// its loops (a packed loop d keeps index d and its inner tile loop is
/// appended), without packs. Fails with a diagnostic when a pack tile does
/// not divide its loop or the config's tiles.
mlir::FailureOr<mlir::linalg::GenericOp>
packByConfig(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp op,
             sched::ConfigAttr config);

/// Tiles `op` by `config`: the `outer` tiles of its `parallel` loops into an
/// scf.forall (threads) and the other loops' `outer` tiles into scf.for
/// loops inside it, then its `l2` tiles, in the order of `interchange`, then
/// its `register` tiles inside them. Returns the register-tile op,
/// which carries the config and kTiledAttrName. Fails (changing nothing)
/// when the config has no tiles or `op` cannot be tiled.
mlir::FailureOr<mlir::linalg::LinalgOp>
tileByConfig(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp op,
             sched::ConfigAttr config);

/// Tiles each of `ops` by its `sched.config` (tileByConfig); fails with a
/// diagnostic naming the op and its config at the first that cannot be.
mlir::LogicalResult tileOpsByConfig(mlir::RewriterBase &rewriter,
                                    llvm::ArrayRef<mlir::linalg::LinalgOp> ops);

/// Vectorizes `op`, a register tile of static shape, with the config's
/// `vector` sizes, lowers the contraction to FMA outer products, and
/// hoists the accumulator's reads and writes out of the loops around it.
mlir::LogicalResult vectorizeByConfig(mlir::RewriterBase &rewriter,
                                      mlir::linalg::LinalgOp op,
                                      sched::ConfigAttr config);

/// Whether `op` is an elementwise linalg.generic (all loops parallel, every
/// map a projected permutation, one result) not yet tiled: what a kernel's
/// epilogue lowers to.
bool isElementwiseEpilogue(mlir::Operation *op);

/// Whether `op` is an elementwise epilogue (above) reading the result of a
/// scheduled op with a reduction, or the linalg.fill of such an op's
/// accumulator, possibly through reshapes. lathe-tile leaves such ops to
/// lathe-fuse-epilogue.
bool isFusedIntoScheduledOp(mlir::Operation *op);

/// Adds the patterns of lathe-merge-epilogues: elementwise generics merged
/// into their elementwise consumers (a producer with no other user), and
/// the reshapes between a scheduled op's result and the elementwise op
/// reading it folded into that op.
void populateMergeEpiloguePatterns(mlir::RewritePatternSet &patterns);

/// Applies populateMergeEpiloguePatterns to `root` and drops the configs
/// the rewritten ops carried over from ops of other loop counts.
mlir::LogicalResult mergeEpilogues(mlir::Operation *root);

/// Moves the elementwise `epilogue` into the tiled loop nest (lathe-tile's)
/// whose result it reads: it is applied in place to the innermost tile of
/// that result that is complete where the nest inserts it (no loop around
/// the insertion steps a reduction). At the register tile it is one
/// vector op (marked for lathe-vectorize); in a larger tile it is tiled by
/// its own config's register tiles. The nest's result replaces the
/// epilogue's. Fails, changing nothing, when the epilogue reads no such
/// nest, reads its output, or no complete tile takes it.
mlir::FailureOr<mlir::linalg::GenericOp>
fuseEpilogue(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp epilogue,
             mlir::DominanceInfo &dominance);

/// Moves the linalg.fill that initializes the result of the tiled loop
/// nest `nest` (lathe-tile's, one result) into the nest: the innermost
/// complete tile of the result (as for fuseEpilogue) is filled right before
/// the loop that accumulates into it, and the nest starts from the fill's
/// uninitialized tensor. The tile fill is vectorized in the register tiles
/// of the nest's op. Fails, changing nothing, when the nest's init is not
/// a fill used only there or no complete tile starts from its own slice.
mlir::FailureOr<mlir::linalg::FillOp>
fuseAccumulatorFill(mlir::RewriterBase &rewriter, mlir::Operation *nest);

} // namespace lathe::schedule

//===----------------------------------------------------------------------===//
// Tuned configs from the tuning database (ApplyTunedConfigs.cpp)
//===----------------------------------------------------------------------===//

namespace lathe::autotune {
class TuningDatabase;
} // namespace lathe::autotune

namespace lathe::schedule {

/// Set (a unit attribute) on a kernel function whose anchor op got its
/// config from the tuning database (lathe-apply-tuned-configs).
inline constexpr llvm::StringLiteral kTunedAttrName = "sched.tuned";

/// The op of a kernel function that a tuned config applies to: the last
/// linalg op in `kernel`'s body with reduction loops (the convolution or
/// matmul; a kernel lowered with im2col has its copy before the matmul,
/// and a padded one its fill and pad first), or null when there is none
/// (an elementwise or data-movement kernel, which is not tuned).
mlir::linalg::LinalgOp getTunableAnchor(mlir::Operation *kernel);

/// Parses `text`, a tuning record's config, as a `#sched.config` for
/// `anchor`. Fails, with why in `reason`, when it does not parse (the
/// parser's message) or does not fit the op: per-loop arrays whose length
/// differs from the op's loop count, a tile that does not divide its loop,
/// or a pack of an operand the op does not have or of a loop it does not
/// have.
mlir::FailureOr<sched::ConfigAttr>
parseTunedConfig(llvm::StringRef text, mlir::linalg::LinalgOp anchor,
                 std::string &reason);

/// Gives every kernel function of `module` (a `lathe.kernel` attribute
/// with a `workload` key) whose workload has an Ok record on `target` in
/// `db` its best record's config (TuningDatabase::best) on its anchor op
/// (getTunableAnchor), and marks the function kTunedAttrName. A record
/// whose config does not fit (parseTunedConfig) is a warning on the kernel
/// naming it, the workload and the database, and the kernel is left as it
/// is. Returns how many kernels got a config; fails, with an error on
/// `module`, only when the database cannot be read.
mlir::FailureOr<unsigned> applyTunedConfigs(mlir::ModuleOp module,
                                            autotune::TuningDatabase &db,
                                            llvm::StringRef target);

/// Gives every kernel function of `module` whose workload key is in
/// `configs` that config (`#sched.config` text) on its anchor op, and marks
/// it kTunedAttrName; applyTunedConfigs then leaves it alone. Unlike a
/// database record, a given config that does not fit its kernel (or a
/// kernel with no anchor) is an error on the kernel. Returns how many
/// kernels got a config.
mlir::FailureOr<unsigned>
applyGivenConfigs(mlir::ModuleOp module,
                  const std::map<std::string, std::string> &configs);

} // namespace lathe::schedule

//===----------------------------------------------------------------------===//
// GPU schedules (GPUDefaultSchedule.cpp, GPUTileByConfig.cpp)
//===----------------------------------------------------------------------===//

namespace lathe::schedule {

/// The GPU facts the default GPU schedule derives its tiles from.
struct GPUScheduleTarget {
  /// Threads in a warp.
  int64_t warpSize = 32;
  /// Most threads in one block.
  int64_t maxThreadsPerBlock = 1024;
};

/// The ops of `kernel` (a function outlined by lathe-fuse-kernels, on
/// tensors) whose tiles a GPU schedule maps onto blocks and threads: for
/// each value the kernel returns, the TilingInterface op computing it,
/// looking through reshapes. The other ops are fused into their tiles.
/// Values that no such op computes (a returned argument) have none.
llvm::SmallVector<mlir::TilingInterface> getGPURoots(mlir::Operation *kernel);

/// The default GPU schedule of `root`, a kernel's root op (getGPURoots) on
/// static shapes: up to three of its parallel loops, innermost first,
/// split across blocks and threads, with 256 threads per block (fewer on
/// small loops) and, when the kernel has a reduction (a matmul or
/// convolution fused into the root), 4x4 outputs per thread; reductions
/// of the root run whole in each thread. Fails when `root` has no static
/// loop ranges or no parallel loop (a reduction to a scalar).
mlir::FailureOr<sched::GPUConfigAttr>
defaultGPUConfig(mlir::TilingInterface root, bool kernelHasReduction,
                 const GPUScheduleTarget &target);

/// Tiles `root` and fuses the ops producing its operands into the tiles:
/// its `block` tiles into an scf.forall mapped to #gpu.block (innermost
/// loop to x), the `thread` tiles of each block into an scf.forall mapped
/// to #gpu.thread inside it, and the `reduction` steps of its reduction
/// loops into scf.for loops inside a thread's tile. Ops producing the
/// root's inputs (a matmul under its epilogue, a pad under a convolution)
/// are computed per thread for the slice the thread needs. Returns the
/// innermost tiled root, or fails with a diagnostic on `root` (more than
/// three split loops, more threads than a block may have, a loop split
/// across threads that is a reduction).
mlir::FailureOr<mlir::Operation *> tileForGPU(mlir::RewriterBase &rewriter,
                                              mlir::TilingInterface root,
                                              sched::GPUConfigAttr config,
                                              const GPUScheduleTarget &target);

} // namespace lathe::schedule

#endif // LATHE_PASSES_SCHEDULE_SCHEDULE_H
