//===- lathe-opt.cpp - Lathe's MLIR optimizer driver ----------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements lathe-opt: mlir-opt with Lathe's dialects added to
// the upstream dialects and passes, for lit tests and for replaying any
// schedule from text.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"
#include "dialects/sched/SchedDialect.h"
#include "passes/Passes.h"
#include "passes/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  lathe::registerLathePasses();
  lathe::registerLathePipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<lathe::nn::NNDialect, lathe::sched::SchedDialect>();
  // gpu-module-to-binary translates gpu.module ops to LLVM IR.
  lathe::registerGPULoweringDependencies(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Lathe optimizer driver (nn and sched dialects)\n",
      registry));
}
