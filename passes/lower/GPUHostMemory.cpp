//===- GPUHostMemory.cpp - The host functions' buffers on the GPU ---------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe-gpu-host-memory`, which runs on the host
// functions of the GPU pipeline once their kernels are launches
// (gpu.launch_func): every buffer a launch may touch is put in device
// memory.
//
// - The entry function (the public one, the C ABI's lathe_<model>_run)
//   keeps its arguments, host buffers: each gets a device buffer, the
//   inputs (the first `lathe.num_inputs` arguments) are copied to it on
//   entry and the outputs back from it before returning.
// - Every memref.alloc of a host function (the memory plan's arena) is a
//   gpu.alloc, freed (gpu.dealloc) before the function returns.
// - Every weight (memref.get_global) a host function reads is copied into
//   a device buffer, freed before the function returns (on every call, for
//   now: keeping weights on the device across calls is future work).
//
// The gpu ops are synchronous here; gpu-async-region then chains them.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/fusion/Fusion.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace lathe {
#define GEN_PASS_DEF_GPUHOSTMEMORYPASS
#include "passes/Passes.h.inc"
} // namespace lathe

using namespace mlir;
using namespace lathe;

/// The attribute of the entry function counting its inputs (its other
/// arguments are outputs).
static constexpr llvm::StringLiteral kNumInputsAttr = "lathe.num_inputs";

/// A device buffer like `value`'s, allocated at the builder's position.
static Value allocateLike(OpBuilder &b, Location loc, Value value) {
  auto type = cast<MemRefType>(value.getType());
  return b
      .create<gpu::AllocOp>(loc, type, /*asyncToken=*/Type(),
                            /*asyncDependencies=*/ValueRange(),
                            /*dynamicSizes=*/ValueRange(),
                            /*symbolOperands=*/ValueRange(),
                            /*hostShared=*/false)
      .getMemref();
}

/// Frees `buffers` before every return of `func`.
static void freeBeforeReturns(func::FuncOp func, ArrayRef<Value> buffers) {
  func.walk([&](func::ReturnOp ret) {
    OpBuilder b(ret);
    for (Value buffer : buffers)
      b.create<gpu::DeallocOp>(ret.getLoc(), /*asyncToken=*/Type(),
                               ValueRange(), buffer);
  });
}

/// Checks that `type` can be a device buffer: static shape, identity
/// layout.
static LogicalResult checkBufferType(Operation *op, Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.hasStaticShape() || !memref.getLayout().isIdentity())
    return op->emitOpError("cannot be put in GPU memory: its type ")
           << type << " is not a static buffer with the identity layout";
  return success();
}

/// Replaces the memref.alloc ops of `func` by gpu.alloc ops, freed before
/// its returns, and erases their memref.dealloc ops.
static LogicalResult allocateOnDevice(func::FuncOp func) {
  SmallVector<memref::AllocOp> allocs;
  func.walk([&](memref::AllocOp alloc) {
    if (!alloc->getParentOfType<gpu::LaunchOp>())
      allocs.push_back(alloc);
  });
  SmallVector<Value> buffers;
  for (memref::AllocOp alloc : allocs) {
    if (failed(checkBufferType(alloc, alloc.getType())))
      return failure();
    if (alloc->getParentRegion() != &func.getBody())
      return alloc.emitOpError("cannot be put in GPU memory: it is not at "
                               "the top level of its function");
    OpBuilder b(alloc);
    Value device = allocateLike(b, alloc.getLoc(), alloc.getResult());
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      if (isa<memref::DeallocOp>(user))
        user->erase();
    alloc.getResult().replaceAllUsesWith(device);
    alloc.erase();
    buffers.push_back(device);
  }
  freeBeforeReturns(func, buffers);
  return success();
}

/// Copies the weights `func` reads into device buffers.
static LogicalResult copyWeightsToDevice(func::FuncOp func) {
  SmallVector<memref::GetGlobalOp> globals;
  func.walk([&](memref::GetGlobalOp get) {
    if (!get->getParentOfType<gpu::LaunchOp>())
      globals.push_back(get);
  });
  SmallVector<Value> buffers;
  for (memref::GetGlobalOp get : globals) {
    if (failed(checkBufferType(get, get.getType())))
      return failure();
    OpBuilder b(get);
    b.setInsertionPointAfter(get);
    Value device = allocateLike(b, get.getLoc(), get.getResult());
    get.getResult().replaceAllUsesWith(device);
    b.create<gpu::MemcpyOp>(get.getLoc(), /*asyncToken=*/Type(), ValueRange(),
                            device, get.getResult());
    buffers.push_back(device);
  }
  freeBeforeReturns(func, buffers);
  return success();
}

/// Gives the entry function's arguments device buffers: inputs copied in on
/// entry, outputs copied out before every return.
static LogicalResult bufferEntryArguments(func::FuncOp entry) {
  auto numInputs = entry->getAttrOfType<IntegerAttr>(kNumInputsAttr);
  if (!numInputs)
    return entry.emitOpError("has no '")
           << kNumInputsAttr << "' attribute: which arguments are inputs?";
  Block &body = entry.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&body);
  SmallVector<Value> buffers;
  for (BlockArgument arg : body.getArguments()) {
    if (failed(checkBufferType(entry, arg.getType())))
      return failure();
    Value device = allocateLike(b, entry.getLoc(), arg);
    arg.replaceAllUsesWith(device);
    bool input = arg.getArgNumber() < numInputs.getInt();
    if (input)
      b.create<gpu::MemcpyOp>(entry.getLoc(), /*asyncToken=*/Type(),
                              ValueRange(), device, arg);
    else
      entry.walk([&](func::ReturnOp ret) {
        OpBuilder atReturn(ret);
        atReturn.create<gpu::MemcpyOp>(ret.getLoc(), /*asyncToken=*/Type(),
                                       ValueRange(), arg, device);
      });
    buffers.push_back(device);
  }
  freeBeforeReturns(entry, buffers);
  return success();
}

namespace {
struct GPUHostMemoryPass
    : lathe::impl::GPUHostMemoryPassBase<GPUHostMemoryPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      bool kernel = func->hasAttr(fusion::kKernelAttrName);
      if (failed(allocateOnDevice(func)) || failed(copyWeightsToDevice(func)) ||
          (!kernel && func.isPublic() && failed(bufferEntryArguments(func))))
        return signalPassFailure();
    }
  }
};
} // namespace
