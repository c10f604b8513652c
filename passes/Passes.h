//===- Passes.h - Lathe's passes --------------------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares Lathe's passes (generated from Passes.td), the pattern
// populators behind them, and the registration of passes and pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_PASSES_PASSES_H
#define LATHE_PASSES_PASSES_H

#include "dialects/sched/SchedDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

#include <map>
#include <memory>
#include <string>

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace lathe {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Adds the patterns that lower every nn op to linalg/tensor/arith/math;
/// channels-last convolutions with at least `im2colMinFilters` filters
/// (0: none) become matmuls on im2col.
void populateNNToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                int64_t im2colMinFilters = 0);

/// lathe-apply-tuned-configs with configs given by workload key (the
/// autotuner's candidates), which win over the database's records
/// (schedule::applyGivenConfigs).
std::unique_ptr<mlir::Pass> createApplyTunedConfigsPass(
    const ApplyTunedConfigsPassOptions &options,
    std::shared_ptr<const std::map<std::string, std::string>> configs);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace lathe

#endif // LATHE_PASSES_PASSES_H
