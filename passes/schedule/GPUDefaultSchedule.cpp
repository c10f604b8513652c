//===- GPUDefaultSchedule.cpp - Heuristic #sched.gpu per kernel -----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements getGPURoots, defaultGPUConfig and
// `lathe-gpu-default-schedule`, which gives the root op of every kernel (the
// op computing a value the kernel returns) a `#sched.config` holding the
// `#sched.gpu` knobs of the heuristic, unless it has a config already (from
// the tuner or the user). Sizes come from the GPU's warp size and thread
// limit (Schedule.h).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/fusion/Fusion.h"
#include "passes/schedule/Schedule.h"

#include "dialects/sched/SchedDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace lathe {
#define GEN_PASS_DEF_GPUDEFAULTSCHEDULEPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;
using namespace lathe::schedule;

#define DEBUG_TYPE "lathe-gpu-default-schedule"

SmallVector<TilingInterface> schedule::getGPURoots(Operation *kernel) {
  SmallVector<TilingInterface> roots;
  kernel->walk([&](func::ReturnOp ret) {
    for (Value value : ret.getOperands()) {
      Operation *def = value.getDefiningOp();
      // Reshapes are views once bufferized: the root is what they view.
      while (def && isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def))
        def = def->getOperand(0).getDefiningOp();
      auto root = dyn_cast_or_null<TilingInterface>(def);
      if (root && !llvm::is_contained(roots, root))
        roots.push_back(root);
    }
  });
  return roots;
}

/// The largest divisor of `n` that is at most `limit` (at least 1).
static int64_t largestDivisorAtMost(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

FailureOr<sched::GPUConfigAttr>
schedule::defaultGPUConfig(TilingInterface root, bool kernelHasReduction,
                           const GPUScheduleTarget &target) {
  OpBuilder b(root);
  SmallVector<Range> domain = root.getIterationDomain(b);
  SmallVector<utils::IteratorType> iterators = root.getLoopIteratorTypes();
  SmallVector<int64_t> extents;
  for (const Range &r : domain) {
    std::optional<int64_t> size = getConstantIntValue(r.size);
    if (!size)
      return failure();
    extents.push_back(*size);
  }
  int64_t loops = extents.size();

  // Up to three parallel loops with more than one iteration, innermost
  // first: the innermost is x, the one most likely contiguous in memory.
  SmallVector<int64_t> split;
  for (int64_t d = loops - 1; d >= 0 && split.size() < 3; --d)
    if (iterators[d] == utils::IteratorType::parallel && extents[d] > 1)
      split.push_back(d);
  // A reduction to a scalar has nothing to split: no schedule, and
  // lathe-map-to-gpu runs it on one thread.
  if (!llvm::is_contained(iterators, utils::IteratorType::parallel))
    return failure();

  // 256 threads a block (a warp's multiple), within the GPU's limit; with a
  // reduction in the kernel, 4x4 outputs a thread on 16x16 threads, so
  // each operand element a thread loads serves four FMAs.
  int64_t budget = std::min<int64_t>(256, target.maxThreadsPerBlock);
  SmallVector<int64_t> block(loops, 0), thread(loops, 0), reduction;
  for (auto [i, d] : llvm::enumerate(split)) {
    int64_t perThread = (kernelHasReduction || i == 0) ? 4 : 1;
    while (extents[d] % perThread != 0)
      perThread /= 2;
    int64_t cap = budget;
    if (kernelHasReduction && i + 1 < split.size())
      cap = std::min<int64_t>(budget, 16);
    // Whole blocks only: a block's tile divides the loop, so each block
    // runs the same number of threads.
    int64_t threads = largestDivisorAtMost(extents[d] / perThread, cap);
    budget = std::max<int64_t>(1, budget / threads);
    thread[d] = perThread;
    block[d] = perThread * threads;
  }
  return sched::GPUConfigAttr::get(root->getContext(), block, thread,
                                   reduction);
}

namespace {
struct GPUDefaultSchedulePass
    : lathe::impl::GPUDefaultSchedulePassBase<GPUDefaultSchedulePass> {
  using GPUDefaultSchedulePassBase::GPUDefaultSchedulePassBase;

  void runOnOperation() override {
    GPUScheduleTarget target;
    target.warpSize = warpSize;
    target.maxThreadsPerBlock = maxThreadsPerBlock;
    getOperation().walk([&](func::FuncOp kernel) {
      if (!kernel->hasAttr(fusion::kKernelAttrName))
        return;
      bool hasReduction = false;
      kernel.walk([&](TilingInterface op) {
        hasReduction |= llvm::is_contained(op.getLoopIteratorTypes(),
                                           utils::IteratorType::reduction);
      });
      for (TilingInterface root : getGPURoots(kernel)) {
        if (root->hasAttr(kConfigAttrName))
          continue;
        FailureOr<sched::GPUConfigAttr> gpu =
            defaultGPUConfig(root, hasReduction, target);
        if (failed(gpu))
          continue;
        root->setAttr(
            kConfigAttrName,
            sched::ConfigAttr::get(&getContext(), {}, {}, {}, {}, {}, {}, 1, {},
                                   {}, ArrayRef<sched::PackAttr>{}, *gpu));
      }
    });
  }
};
} // namespace
