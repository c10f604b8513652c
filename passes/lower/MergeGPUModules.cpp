//===- MergeGPUModules.cpp - One gpu.module for a model -------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-merge-gpu-modules`: the gpu.module ops that
// gpu-kernel-outlining creates, one per launch, become one, so that a
// model's device code serializes to one PTX module and one cubin.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace lathe {
#define GEN_PASS_DEF_MERGEGPUMODULESPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;

namespace {
struct MergeGPUModulesPass
    : lathe::impl::MergeGPUModulesPassBase<MergeGPUModulesPass> {
  using MergeGPUModulesPassBase::MergeGPUModulesPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> gpuModules(module.getOps<gpu::GPUModuleOp>());
    if (gpuModules.empty())
      return;
    gpu::GPUModuleOp merged = gpuModules.front();
    if (module.lookupSymbol(name) &&
        module.lookupSymbol(name) != merged.getOperation()) {
      module.emitError("lathe-merge-gpu-modules: the symbol @")
          << name.getValue() << " is taken";
      return signalPassFailure();
    }
    SymbolTable moduleSymbols(module);
    if (failed(moduleSymbols.rename(merged, name.getValue())))
      return signalPassFailure();

    // Functions keep their names unless the merged module has one of that
    // name already (two launches of one kernel function): then a suffix.
    SymbolTable mergedSymbols(merged);
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp other : llvm::drop_begin(gpuModules)) {
      for (Operation &op :
           llvm::make_early_inc_range(other.getBody()->getOperations())) {
        if (op.hasTrait<OpTrait::IsTerminator>())
          continue;
        op.moveBefore(merged.getBody()->getTerminator());
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (!symbol)
          continue;
        StringAttr oldName = symbol.getNameAttr();
        StringAttr newName = mergedSymbols.insert(&op);
        if (newName != oldName)
          renamed[{other.getNameAttr(), oldName}] = newName;
      }
    }
    // Every launch names its function in the merged module.
    module.walk([&](gpu::LaunchFuncOp launch) {
      StringAttr function = launch.getKernelName();
      auto it = renamed.find({launch.getKernelModuleName(), function});
      if (it != renamed.end())
        function = it->second;
      launch.setKernelAttr(SymbolRefAttr::get(
          merged.getNameAttr(), {FlatSymbolRefAttr::get(function)}));
    });
    for (gpu::GPUModuleOp other : llvm::drop_begin(gpuModules))
      other.erase();
  }
};
} // namespace
