//===- Features.h - Features of a scheduled kernel --------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares KernelFeatures, the fixed-length, versioned feature
// vector the cost models (AnalyticalModel.h, XGBoostModel.h) rank schedules
// by, and extractFeatures, which computes it from a kernel function after
// the CPU schedule and bufferization pipeline: memrefs, scf.for /
// scf.forall / scf.parallel loops with static bounds, vector transfers and
// arithmetic, memref.load/store, and whatever linalg ops are left.
//
// The model of the kernel, in short (docs/cost-model.md has the long form):
//  * Every loop becomes a node of a loop tree; the root is the function body.
//    A linalg op on memrefs is a perfect nest of implicit loops (one per
//    loop dimension, sequential) around scalar accesses of its operands.
//  * Every memory access has a byte address affine in the iteration counters
//    of its enclosing loops (traced through affine.apply, arith.addi/muli,
//    subview offsets, expand/collapse_shape and memref.view), plus, for a
//    vector access, one (stride, count) pair per vector dimension. A counter
//    that enters an address non-affinely counts as touching new data on
//    every iteration.
//  * The footprint of a buffer in a region (one full execution of a loop, or
//    one iteration of its body) is the number of distinct bytes the region's
//    accesses to it touch, estimated from those strides and trip counts (the
//    largest single access pattern; capped by the buffer's size). The
//    working set of the region is the sum over buffers.
//  * Traffic into a cache of capacity C: a region whose working set fits in
//    C loads its footprint once; a loop that does not fit loads what its
//    body loads, once per iteration, except for buffers the loop does not
//    move along when its body fits (they stay cached between iterations).
//    Bytes from L2 = traffic into L1, from L3 = into L2, from DRAM = into L3.
//  * The main nest is the path from the root to the innermost loop that
//    executes the most FLOPs (then the most bytes, then the first in program
//    order); per-level features describe it, outermost first.
//
// The vector is deterministic: the same IR and CacheModel give the same
// floats. Bump KernelFeatures::kVersion whenever a field is added, removed,
// reordered or redefined; saved models record the version they were trained
// on and refuse vectors of another.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_COST_MODEL_FEATURES_H
#define LATHE_COST_MODEL_FEATURES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
class ModuleOp;
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace lathe::cost_model {

/// The machine facts feature extraction depends on. The defaults describe a
/// generic AVX2 desktop core; callers fill them from codegen's TargetSpec
/// (l1Bytes, l2Bytes, l3Bytes, vectorBits, numCores).
struct CacheModel {
  /// L1 data cache of one core, in bytes.
  uint64_t l1Bytes = 32 * 1024;
  /// L2 cache seen by one core, in bytes.
  uint64_t l2Bytes = 1024 * 1024;
  /// L3 cache seen by one core (a shared cache counts whole), in bytes; 0
  /// when there is none (then bytes from DRAM = bytes from L3).
  uint64_t l3Bytes = 32 * 1024 * 1024;
  /// Width of a SIMD register for f32 arithmetic, in bits.
  unsigned vectorBits = 256;
  /// Cores the kernel's parallel loops can run on.
  unsigned cores = 1;
};

/// Features of one level of the main loop nest. A level past the nest's
/// depth is all zeros.
struct LoopLevelFeatures {
  /// Iterations of the loop: ceil((upper - lower) / step).
  double tripCount = 0;
  /// 1 for a parallel loop (scf.forall, scf.parallel), else 0.
  double parallel = 0;
  /// 1 if an op directly in the loop's body (not in a nested loop) has a
  /// vector result, else 0.
  double vectorBody = 0;
  /// Working set of one full execution of the loop (all its iterations,
  /// the enclosing loops fixed): distinct bytes it touches, all buffers.
  double workingSetBytes = 0;
};

/// Features of one buffer (a function argument, a memref.alloc/alloca, or a
/// memref.global) the kernel touches, through any view of it. A slot past
/// the number of buffers keeps the defaults: zeros, and -1 for
/// reuseDistanceBytes.
struct BufferFeatures {
  /// 0 a function argument, 1 a local allocation, 2 a global constant.
  double kind = 0;
  /// Distinct bytes of the buffer the kernel touches.
  double footprintBytes = 0;
  /// Bytes read from the buffer, every execution of every access counted.
  double readBytes = 0;
  /// Bytes written to the buffer, every execution counted.
  double writtenBytes = 0;
  /// Fraction of the accessed bytes whose fastest-varying dimension (the
  /// vector's, else the innermost enclosing loop's) has unit stride.
  double contiguity = 0;
  /// Elements the address advances per iteration of the main nest's
  /// innermost loop (largest over accesses there); 0 if invariant or not
  /// accessed there.
  double innerStrideElements = 0;
  /// Bytes touched by one iteration of the innermost main-nest loop that
  /// re-uses the buffer (whose counter its address does not depend on),
  /// i.e. the data that passes through the caches between two uses; -1 if
  /// no main-nest loop re-uses it.
  double reuseDistanceBytes = -1;
  /// 1 if 0 <= reuseDistanceBytes <= L1 bytes, else 0.
  double reuseFitsL1 = 0;
  /// 1 if 0 <= reuseDistanceBytes <= L2 bytes, else 0.
  double reuseFitsL2 = 0;
  /// 1 if 0 <= reuseDistanceBytes <= L3 bytes, else 0.
  double reuseFitsL3 = 0;
  /// Bytes of this buffer loaded into L1 (from L2 or beyond).
  double bytesFromL2 = 0;
  /// Bytes of this buffer loaded into L2 (from L3 or beyond).
  double bytesFromL3 = 0;
  /// Bytes of this buffer loaded into L3 (from DRAM).
  double bytesFromDRAM = 0;
};

/// The feature vector of one scheduled kernel. toVector() lists the fields in
/// declaration order: the kernel-wide fields, then loops[0..7] (each
/// trip_count, parallel, vector_body, working_set_bytes), then
/// buffers[0..3] (each in BufferFeatures' order); names() gives the name of
/// every position ("flops", "loop2.trip_count", "buf0.bytes_from_dram").
struct KernelFeatures {
  /// Version of the field list; bump it on any change to it.
  static constexpr int kVersion = 1;
  /// Levels of the main nest described; a deeper nest keeps its seven
  /// outermost levels and its innermost loop in the last slot.
  static constexpr int kMaxLoopDepth = 8;
  /// Buffers described, by bytes accessed (read + written), largest first;
  /// ties in order of first access.
  static constexpr int kMaxBuffers = 4;

  /// Loops in the kernel, implicit linalg loops included.
  double numLoops = 0;
  /// Top-level loop nests (outermost loops and linalg ops).
  double numNests = 0;
  /// Depth of the main nest.
  double depth = 0;
  /// Floating-point operations: a (vector) FMA counts 2 per lane, other
  /// float arithmetic and math ops 1 per lane; times the trip counts of the
  /// enclosing loops.
  double flops = 0;
  /// The part of flops done by ops on vectors.
  double vectorFlops = 0;
  /// Machine arithmetic instructions those ops take: ceil(lanes * element
  /// bits / vectorBits) per op execution (1 for a scalar op).
  double arithInstructions = 0;
  /// flops / (arithInstructions * 2 * vectorBits / 32): 1 when every
  /// instruction is a full-width f32 FMA.
  double vectorEfficiency = 0;
  /// Last dimension of the widest float vector op in the main nest's
  /// innermost body (else of its widest vector transfer); 1 if scalar.
  double vectorWidth = 0;
  /// FMA ops (vector.fma, math.fma, vector.outerproduct, vector.contract)
  /// in the innermost body: the unrolled register tile.
  double unroll = 0;
  /// Float arithmetic ops in the innermost body.
  double innermostArithOps = 0;
  /// Bytes read by all accesses, every execution counted (L1 traffic).
  double bytesRead = 0;
  /// Bytes written by all accesses, every execution counted.
  double bytesWritten = 0;
  /// Distinct bytes the kernel touches (sum of the buffers' footprints).
  double footprintBytes = 0;
  /// Bytes loaded into L1 under the cache model (L1 misses).
  double bytesFromL2 = 0;
  /// Bytes loaded into L2 (L2 misses).
  double bytesFromL3 = 0;
  /// Bytes loaded into L3 (L3 misses): the memory traffic.
  double bytesFromDRAM = 0;
  /// flops / max(bytesFromDRAM, 1).
  double arithmeticIntensity = 0;
  /// footprintBytes / L1 bytes.
  double footprintOverL1 = 0;
  /// footprintBytes / L2 bytes.
  double footprintOverL2 = 0;
  /// footprintBytes / L3 bytes (0 without an L3).
  double footprintOverL3 = 0;
  /// Smallest k such that the data touched with the main nest's k outermost
  /// loops fixed fits in L1 (k = depth: one iteration of the innermost
  /// body); depth + 1 if even that does not fit.
  double fitDepthL1 = 0;
  /// Same for L2.
  double fitDepthL2 = 0;
  /// Same for L3.
  double fitDepthL3 = 0;
  /// Parallel loops in the main nest.
  double parallelLoops = 0;
  /// Product of the trip counts of the main nest's parallel loops (1 if
  /// none).
  double parallelExtent = 0;
  /// parallelExtent / (ceil(parallelExtent / cores) * cores): the busy
  /// fraction of the cores.
  double parallelUtilization = 0;
  /// Distinct buffers the kernel touches.
  double numBuffers = 0;

  /// The main nest, outermost level first.
  std::array<LoopLevelFeatures, kMaxLoopDepth> loops{};
  /// The most accessed buffers.
  std::array<BufferFeatures, kMaxBuffers> buffers{};

  /// The fields as floats, in the documented order; size() long.
  std::vector<float> toVector() const;
  /// The names of toVector()'s positions.
  static std::vector<std::string> names();
  /// Length of the vector.
  static size_t size();
  /// Rebuilds features from a vector toVector() made (of this version);
  /// fails if its length is not size().
  static llvm::Expected<KernelFeatures> fromVector(llvm::ArrayRef<float> vec);
};

/// Computes the features of `kernel`, a function on memrefs as the CPU
/// bufferization pipeline leaves it. Fails, naming the kernel and the op,
/// on what the model cannot measure: loops without constant bounds
/// (scf.while, dynamic scf.for), memrefs of dynamic shape or strides,
/// accesses to tensors (IR not bufferized), views it cannot trace to their
/// buffer.
llvm::Expected<KernelFeatures> extractFeatures(mlir::func::FuncOp kernel,
                                               const CacheModel &caches);

/// The features of one kernel of a module.
struct NamedKernelFeatures {
  /// Symbol name of the kernel function.
  std::string kernel;
  /// Its workload key (`lathe.kernel`'s `workload`; empty if none): the
  /// group its schedules are ranked in.
  std::string workload;
  KernelFeatures features;
};

/// extractFeatures on every function of `module` carrying a `lathe.kernel`
/// attribute, in module order.
llvm::Expected<std::vector<NamedKernelFeatures>>
extractModuleFeatures(mlir::ModuleOp module, const CacheModel &caches);

/// Adds the dialects whose ops extractFeatures reads (func, scf, memref,
/// vector, arith, math, affine, linalg), e.g. to parse a kernel from text.
void registerFeatureDialects(mlir::DialectRegistry &registry);

} // namespace lathe::cost_model

#endif // LATHE_COST_MODEL_FEATURES_H
