//===- KernelSummary.cpp - What an outlined kernel computes ---------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements summarizeKernel: a kernel's anchor, ops and workload
// key from its `lathe.kernel` attribute, its FLOPs from the nn ops in it and
// the bytes it reads and writes from its signature and weights.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/Fusion.h"

#include "dialects/nn/NNFlops.h"
#include "dialects/nn/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;
using namespace lathe;

int64_t fusion::staticSizeInBytes(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape() ||
      !shaped.getElementType().isIntOrFloat())
    return 0;
  int64_t width = std::max<int64_t>(
      1, (shaped.getElementType().getIntOrFloatBitWidth() + 7) / 8);
  return shaped.getNumElements() * width;
}

SmallVector<func::FuncOp> fusion::getCalledKernels(func::FuncOp caller) {
  SmallVector<func::FuncOp> kernels;
  caller.walk([&](func::CallOp call) {
    auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        call, call.getCalleeAttr());
    if (callee && callee->hasAttr(kKernelAttrName))
      kernels.push_back(callee);
  });
  return kernels;
}

OwningOpRef<ModuleOp> fusion::buildKernelModule(func::FuncOp kernel) {
  OpBuilder b(kernel.getContext());
  Location loc = kernel.getLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  auto copy = cast<func::FuncOp>(b.clone(*kernel));
  auto main = b.create<func::FuncOp>(loc, "main", kernel.getFunctionType());
  Block *body = main.addEntryBlock();
  b.setInsertionPointToStart(body);
  auto call = b.create<func::CallOp>(loc, copy, body->getArguments());
  b.create<func::ReturnOp>(loc, call.getResults());
  return module;
}

FailureOr<fusion::KernelSummary> fusion::summarizeKernel(func::FuncOp kernel) {
  auto info = kernel->getAttrOfType<DictionaryAttr>(kKernelAttrName);
  if (!info)
    return failure();
  KernelSummary summary;
  summary.name = kernel.getSymName().str();
  if (auto anchor = info.getAs<StringAttr>("anchor"))
    summary.anchor = anchor.str();
  if (auto workload = info.getAs<StringAttr>("workload"))
    summary.workload = workload.str();
  if (auto ops = info.getAs<ArrayAttr>("ops"))
    for (Attribute op : ops)
      if (auto name = dyn_cast<StringAttr>(op))
        summary.ops.push_back(name.str());
  for (Type type : kernel.getArgumentTypes())
    summary.bytes += staticSizeInBytes(type);
  for (Type type : kernel.getResultTypes())
    summary.bytes += staticSizeInBytes(type);
  kernel.walk([&](Operation *op) {
    if (auto constant = dyn_cast<nn::ConstantOp>(op))
      summary.bytes += staticSizeInBytes(constant.getType());
    else
      summary.flops += nn::estimateFlops(op);
  });
  return summary;
}
