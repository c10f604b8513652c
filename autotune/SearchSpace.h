//===- SearchSpace.h - The configs the tuner may try ------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares SearchSpace: the `#sched.config` knobs of one kernel's
// anchor op that the autotuner turns, the validity constraints every
// candidate meets, and the moves of the evolutionary search (random points,
// mutation, crossover). docs/autotune.md lists the knobs for users.
//
// The space is shaped by the anchor's default config (lathe-default-
// schedule): the tile levels, vector dimensions, packed operands and loop
// order it uses are the ones the tuner varies, each within its
// constraints:
//  * every tile divides its loop, and every tile is a multiple of the tile
//    of the next inner level that tiles that loop (outer, then l2, then
//    register), so that tiles neither pad nor leave remainders;
//  * the vector sizes are the register tile on the default's vector
//    dimensions; along the lane dimension (the innermost vectorized
//    parallel loop) the register tile is 1, 2 or 4 whole vector registers,
//    or a power-of-two fraction of one where the loop is not a multiple of
//    a register;
//  * the register tile fits the register file: its accumulators, the
//    operand registers of one step and a broadcast (for a depthwise
//    convolution or a pool: the input vectors too) are at most the
//    target's vector registers;
//  * reduction loops are never tiled in registers beyond the default, and
//    only parallel loops run on threads;
//  * a packed operand's tiles are the register tiles of its loops (a pack
//    whose register tile is 1 is dropped).
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_AUTOTUNE_SEARCHSPACE_H
#define LATHE_AUTOTUNE_SEARCHSPACE_H

#include "dialects/sched/SchedAttrs.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace mlir::linalg {
class LinalgOp;
} // namespace mlir::linalg

namespace lathe::autotune {

/// What the search space knows of a kernel's anchor op.
struct AnchorInfo {
  /// The op's name, e.g. "linalg.matmul".
  std::string opName;
  /// Static trip counts of its loops.
  llvm::SmallVector<int64_t> ranges;
  /// Per loop: whether it is a reduction.
  llvm::SmallVector<bool> reduction;
  /// Number of operands (inputs and outputs).
  int64_t numOperands = 0;

  /// The facts of `op`; none when a loop is dynamic.
  static std::optional<AnchorInfo> of(mlir::linalg::LinalgOp op);
};

/// The machine facts the constraints depend on.
struct SpaceTarget {
  /// Width of a vector register in bits.
  int64_t vectorBits = 256;
  /// Number of vector registers.
  int64_t vectorRegisters = 16;
  /// Cores the threads' tiles are shared among.
  int64_t cores = 1;
};

/// The configs the tuner may try for one anchor op.
class SearchSpace {
public:
  /// The space around `defaultConfig`, the anchor's heuristic config, which
  /// must itself be in the space (check it with `check`).
  SearchSpace(AnchorInfo anchor, sched::ConfigAttr defaultConfig,
              SpaceTarget target);

  /// Why `config` is not in the space, or none when it is.
  std::optional<std::string> check(sched::ConfigAttr config) const;

  /// A config that differs from `config` in one knob, or `config` itself
  /// when no knob can change.
  sched::ConfigAttr mutate(sched::ConfigAttr config,
                           std::mt19937_64 &rng) const;

  /// A config taking each knob group (thread tiles, cache tiles, register
  /// tiles, unroll, loop order, packing) from `a` or `b` at random, repaired
  /// to meet the nesting constraints.
  sched::ConfigAttr crossover(sched::ConfigAttr a, sched::ConfigAttr b,
                              std::mt19937_64 &rng) const;

  /// A random config of the space: the default after a few mutations.
  sched::ConfigAttr sample(std::mt19937_64 &rng) const;

  /// The default config the space was built around.
  sched::ConfigAttr getDefault() const { return defaultConfig; }

  /// The number of knobs that can change (0: nothing to tune).
  int64_t numKnobs() const;

  const AnchorInfo &getAnchor() const { return anchor; }

private:
  struct Knobs;
  Knobs decode(sched::ConfigAttr config) const;
  sched::ConfigAttr encode(const Knobs &knobs) const;
  void repair(Knobs &knobs) const;
  bool mutateOnce(Knobs &knobs, std::mt19937_64 &rng) const;
  int64_t registerCost(llvm::ArrayRef<int64_t> reg) const;
  llvm::SmallVector<int64_t> laneWidths() const;

  AnchorInfo anchor;
  sched::ConfigAttr defaultConfig;
  SpaceTarget target;
  int64_t lanes = 1;
  /// The innermost vectorized parallel loop, or -1.
  int64_t laneDim = -1;
  /// Parallel loops with a register tile other than the lane loop.
  llvm::SmallVector<int64_t> rowDims;
  /// Loops with an l2 tile (resp. outer tile) in the default.
  llvm::SmallVector<int64_t> cacheDims, outerDims;
  /// Whether the anchor's input vectors take registers too (depthwise, pool).
  bool inputRegisters = false;
  /// Operand 0 may be packed along the first row loop (matmul-like ops
  /// whose default packs operand 1).
  bool packableA = false;
  /// The loops `interchange` may permute (the default's, less a leading
  /// batch loop that stays first).
  llvm::SmallVector<int64_t> permutable;
};

} // namespace lathe::autotune

#endif // LATHE_AUTOTUNE_SEARCHSPACE_H
