//===- Fusion.h - Grouping nn ops into kernels ------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares passes/fusion: how an nn graph becomes kernels. Each
// kernel is one anchor computation (a conv, matmul, pooling, reduction or
// data-movement op) with the elementwise producers it recomputes cheaply and
// its elementwise epilogue chain, or a chain of elementwise ops alone. A
// kernel is outlined into a private `func.func` carrying a `lathe.kernel`
// dictionary: its anchor op, its fused ops and its workload key, a stable
// hash of the computation that the tuning database looks kernels up by.
//
// Which producer and consumer share a kernel is decided by a control
// function, so that the policy is data, not code in the pass.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_PASSES_FUSION_FUSION_H
#define LATHE_PASSES_FUSION_FUSION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/PatternMatch.h"

#include <functional>
#include <string>

namespace lathe::fusion {

/// The name of the dictionary attribute on an outlined kernel function:
/// `{anchor = "nn.conv2d", ops = ["nn.conv2d", "nn.relu"], workload = "..."}`.
inline constexpr llvm::StringLiteral kKernelAttrName = "lathe.kernel";

/// What an op is to fusion.
enum class KernelRole {
  /// nn.constant: cloned into each kernel that uses it, never a kernel.
  Constant,
  /// A reshape of contiguous data (nn.reshape, nn.flatten): a view after
  /// bufferization, so it stays between kernels and costs nothing.
  View,
  /// One output element from the same position of each operand (with
  /// broadcasting): arithmetic, activations, casts, compares, select, clip
  /// and inference batch_norm. Joins a neighbouring kernel.
  Elementwise,
  /// Everything else (contractions, convolutions, pooling, reductions,
  /// normalizations, data movement): each one anchors a kernel.
  Anchor,
};

/// The role of an nn op (Anchor for ops of other dialects).
KernelRole getKernelRole(mlir::Operation *op);

/// Decides whether `producer` and `consumer` (one of the users of
/// `producer`'s result) go into the same kernel. It is asked only for legal
/// pairs: `consumer` is elementwise and `producer` ends a kernel whose
/// result only `consumer` uses (an epilogue), or `producer` is elementwise,
/// used only by `consumer`, in a kernel of elementwise ops only (a
/// prologue recomputed by the anchor `consumer`).
using FusionControlFn =
    std::function<bool(mlir::Operation *producer, mlir::Operation *consumer)>;

/// The default policy: every epilogue fuses, and so does an elementwise
/// chain; an elementwise prologue fuses into its anchor consumer when it
/// reads one tensor that is not a constant, so recomputing it per use of
/// the anchor costs no more than reading its result.
FusionControlFn defaultFusionControl();

/// A group of ops of one block that becomes one kernel, in block order.
struct KernelGroup {
  llvm::SmallVector<mlir::Operation *> ops;
  /// The op the kernel is named after: its first Anchor op, else its first op.
  mlir::Operation *anchor = nullptr;
};

/// Partitions the nn ops of `func`'s body (Elementwise and Anchor roles)
/// into kernel groups, visiting them in order and asking `controlFn` at
/// each legal fusion. Every group is convex: only its last op's results
/// are used outside it. Ops with a zero-size operand or result stay
/// outside all groups (they hold no data; a zero-size memref of rank > 1 is
/// not a legal bare-pointer kernel argument).
llvm::SmallVector<KernelGroup>
formKernelGroups(mlir::func::FuncOp func, const FusionControlFn &controlFn);

/// Moves `group` into a new private function named `name` (inserted before
/// the function holding the group), with the values the group reads as
/// arguments (constants are cloned in) and the results used after it as
/// results, and replaces the group by a `func.call`. Sets the `lathe.kernel`
/// attribute. Returns the kernel function.
mlir::FailureOr<mlir::func::FuncOp> outlineKernel(mlir::RewriterBase &rewriter,
                                                  const KernelGroup &group,
                                                  llvm::StringRef name);

/// Forms the kernels of `func` with `controlFn` and outlines each (named
/// `<func>_k<index>_<anchor mnemonic>`). Returns them in order.
mlir::FailureOr<llvm::SmallVector<mlir::func::FuncOp>>
fuseKernels(mlir::RewriterBase &rewriter, mlir::func::FuncOp func,
            const FusionControlFn &controlFn);

/// The workload key of a kernel function: 16 hex digits of a hash of its
/// argument and result types and, for each op in order, its name, operands
/// (as positions), result types and attributes. Names, locations and the
/// contents of weights (constants of more than 16 elements; their types
/// count) are left out, so the same layer in two models has the same key.
std::string computeWorkloadKey(mlir::func::FuncOp kernel);

/// What a kernel on nn ops computes, for reports (`lathe inspect
/// --kernels`) and the tuner's task list.
struct KernelSummary {
  std::string name;
  std::string anchor;
  std::string workload;
  /// The fused ops, in order ("nn.conv2d", "nn.add", "nn.relu").
  llvm::SmallVector<std::string> ops;
  /// Estimated FLOPs of all its ops (dialects/nn/NNFlops.h).
  int64_t flops = 0;
  /// Bytes it must move at least: its arguments, results and weights.
  int64_t bytes = 0;
};

/// The kernels `caller` calls, in the order it calls them.
llvm::SmallVector<mlir::func::FuncOp> getCalledKernels(mlir::func::FuncOp caller);

/// A new module holding a copy of `kernel` and an `@main` with the kernel's
/// signature that calls it: one kernel compiled and timed on its own
/// (`lathe bench`, the autotuner).
mlir::OwningOpRef<mlir::ModuleOp> buildKernelModule(mlir::func::FuncOp kernel);

/// Summarizes `kernel`, an outlined kernel still on nn ops (fails for a
/// function without the `lathe.kernel` attribute).
mlir::FailureOr<KernelSummary> summarizeKernel(mlir::func::FuncOp kernel);

/// The bytes of a tensor or memref of static shape (an i1 takes a byte);
/// 0 for any other type.
int64_t staticSizeInBytes(mlir::Type type);

} // namespace lathe::fusion

#endif // LATHE_PASSES_FUSION_FUSION_H
