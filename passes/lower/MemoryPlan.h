//===- MemoryPlan.h - Static memory planning of intermediates ---*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the static memory planner behind `lathe-plan-memory`:
// after bufferization, the statically shaped buffers a function allocates
// for its intermediates are given offsets in one arena, allocated once per
// call, so that buffers whose live ranges do not overlap share memory.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_PASSES_LOWER_MEMORYPLAN_H
#define LATHE_PASSES_LOWER_MEMORYPLAN_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"

#include <cstdint>

namespace lathe::lower {

/// The function attribute holding the arena's size in bytes (an i64).
inline constexpr llvm::StringLiteral kArenaBytesAttrName = "lathe.arena_bytes";
/// The function attribute holding the sum of the sizes of the buffers
/// planned into the arena (an i64): what they would take without reuse.
inline constexpr llvm::StringLiteral kIntermediateBytesAttrName =
    "lathe.intermediate_bytes";

/// One buffer of a plan: its size, where it lives in the arena and its live
/// range, in positions of the ops of the function's entry block (inclusive).
struct PlannedBuffer {
  int64_t bytes = 0;
  int64_t offset = 0;
  int64_t firstUse = 0;
  int64_t lastUse = 0;
};

/// A plan: the arena size and the buffers in it.
struct ArenaPlan {
  int64_t arenaBytes = 0;
  int64_t intermediateBytes = 0;
  llvm::SmallVector<PlannedBuffer> buffers;
};

/// Gives each buffer an offset (a multiple of `alignment`) such that buffers
/// whose live ranges overlap do not overlap in memory, largest buffers
/// first, each at the lowest offset that fits (greedy by size). Fills in
/// the offsets and returns the arena size.
int64_t assignArenaOffsets(llvm::MutableArrayRef<PlannedBuffer> buffers,
                           int64_t alignment);

/// Plans the `memref.alloc`s of `func`'s entry block that have a static
/// shape, an identity layout and a numeric element type, and that neither
/// they nor any view of them reach a `func.return`, into one arena: a single
/// `memref.alloc` of bytes at the start of the function, with each planned
/// alloc replaced by a `memref.view` into it. A buffer is live from its
/// alloc to the last op of the entry block that uses it or a view of it.
/// Records the plan in the kArenaBytesAttrName and
/// kIntermediateBytesAttrName attributes of `func`. Functions of more than
/// one block are left as they are (a plan of nothing).
mlir::FailureOr<ArenaPlan> planArena(mlir::RewriterBase &rewriter,
                                     mlir::func::FuncOp func,
                                     int64_t alignment);

} // namespace lathe::lower

#endif // LATHE_PASSES_LOWER_MEMORYPLAN_H
