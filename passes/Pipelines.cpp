//===- Pipelines.cpp - Lathe's pass pipelines -----------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the named pipelines of Pipelines.h. Each step says why
// it sits where it does.
//
//===----------------------------------------------------------------------===//

#include "passes/Pipelines.h"
#include "passes/Passes.h"
#include "passes/fusion/Fusion.h"

#include "dialects/nn/NNDialect.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Affine/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/AllInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/SubsetOpInterfaceImpl.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"

using namespace mlir;

/// Copies between buffers as linalg.copy, which lowers to plain loops, rather
/// than memref.copy, which calls into MLIR's runner-utils library that a
/// shipped .so must not depend on.
static LogicalResult copyWithLinalg(OpBuilder &b, Location loc, Value from,
                                    Value to) {
  b.create<linalg::CopyOp>(loc, from, to);
  return success();
}

/// Whether `func` is a kernel outlined by lathe-fuse-kernels (filters for
/// buffer-results-to-out-params, which keeps a reference to them).
static bool isKernel(func::FuncOp *func) {
  return (*func)->hasAttr(lathe::fusion::kKernelAttrName);
}
static bool isNotKernel(func::FuncOp *func) { return !isKernel(func); }

static void buildBufferizationSteps(OpPassManager &pm);
static void buildBuffersToLLVMSteps(OpPassManager &pm,
                                    const lathe::CPUPipelineOptions &options);
static void buildGPUMappingSteps(OpPassManager &pm,
                                 const lathe::GPUPipelineOptions &options);
static void buildGPUDeviceSteps(OpPassManager &pm,
                                const lathe::GPUPipelineOptions &options);

void lathe::buildGraphOptimizePipeline(OpPassManager &pm,
                                       const GraphPipelineOptions &options) {
  // The nn folders first: identity reshapes, transposes, pads, slices and
  // clips disappear, so constant chains through them become adjacent.
  pm.addPass(createCanonicalizerPass());
  // Weights-only subgraphs (a transposed weight, a scaled bias) become
  // constants, so that the weights BatchNormalization folds into are
  // constants too.
  FoldConstantsPassOptions fold;
  fold.maxElements = options.maxFoldElements;
  pm.addPass(createFoldConstantsPass(fold));
  pm.addPass(createFoldBatchNormPass());
  // After the batch_norm fold, whose conv + bias it can extend further.
  pm.addPass(createFoldConvAffinePass());
  // Channels-last after the folds into convs (which work on NCHW); the
  // weight transposes it leaves are evaluated right away.
  if (options.convLayout != "nchw") {
    ConvertConvLayoutPassOptions layout;
    layout.layout = options.convLayout;
    pm.addPass(createConvertConvLayoutPass(layout));
    pm.addPass(createFoldConstantsPass(fold));
  }
  // Folding can leave duplicate constants and ops computing the same value.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void lathe::buildNNToLinalgPipeline(OpPassManager &pm,
                                    int64_t im2colMinFilters) {
  // Graph ops to structured ops on tensors; canonicalize folds the reshapes
  // and empty pads the lowering leaves behind.
  ConvertNNToLinalgPassOptions lowering;
  lowering.im2colMinFilters = im2colMinFilters;
  pm.addPass(createConvertNNToLinalgPass(lowering));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void lathe::buildFusionPipeline(OpPassManager &pm) {
  // Kernels are formed on the optimized graph: folding first, so that a
  // folded batch_norm or identity does not split a kernel.
  pm.addPass(createFuseKernelsPass());
}

void lathe::buildCPUGraphPipeline(OpPassManager &pm,
                                  const CPUPipelineOptions &options) {
  // The scheduled convolution is the channels-last one (its register tile
  // reads filters as vectors along F and broadcasts input pixels).
  GraphPipelineOptions graph;
  if (options.schedule)
    graph.convLayout = "nhwc";
  buildGraphOptimizePipeline(pm, graph);
}

void lathe::buildCPUBufferizationPipeline(OpPassManager &pm,
                                          const CPUPipelineOptions &options) {
  // Graph optimizations work on nn ops, so they run before the lowering.
  buildCPUGraphPipeline(pm, options);
  buildFusionPipeline(pm);
  buildCPUKernelLoweringPipeline(pm, options);
}

void lathe::addDefaultSchedulePass(OpPassManager &pm,
                                   const CPUPipelineOptions &options) {
  DefaultSchedulePassOptions target;
  target.vectorBits = options.vectorBits;
  target.vectorRegisters = options.vectorRegisters;
  target.l1Bytes = options.l1Bytes;
  target.l2Bytes = options.l2Bytes;
  target.cores = options.cores;
  pm.addPass(createDefaultSchedulePass(target));
}

void lathe::buildCPUKernelLoweringPipeline(OpPassManager &pm,
                                           const CPUPipelineOptions &options) {
  buildNNToLinalgPipeline(pm, options.schedule ? options.im2colMinFilters : 0);

  // Schedules on tensors: configs for the ops that have none, then tiles
  // and vector FMAs (the accumulators hoisted into registers).
  if (options.schedule) {
    // Tuned configs first: the default schedule keeps the configs it finds.
    if (!options.tuningDB.empty() ||
        (options.givenConfigs && !options.givenConfigs->empty())) {
      ApplyTunedConfigsPassOptions tuned;
      tuned.db = options.tuningDB;
      tuned.target = options.tuningTarget;
      pm.addPass(createApplyTunedConfigsPass(tuned, options.givenConfigs));
    }
    addDefaultSchedulePass(pm, options);
    // Packing adds the run-time copies of non-constant operands, which get
    // their own (default) schedules.
    pm.addNestedPass<func::FuncOp>(createPackPass());
    // Epilogues (residual adds, activations) as one elementwise op in the
    // anchor's result space, applied to its tiles while they are in
    // registers or cache rather than in passes over the whole result.
    pm.addNestedPass<func::FuncOp>(createMergeEpiloguesPass());
    addDefaultSchedulePass(pm, options);
    pm.addNestedPass<func::FuncOp>(createTilePass());
    pm.addNestedPass<func::FuncOp>(createFuseEpiloguePass());
    pm.addNestedPass<func::FuncOp>(createVectorizePass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }

  buildBufferizationSteps(pm);
}

void lathe::buildCPULoweringPipeline(OpPassManager &pm,
                                     const CPUPipelineOptions &options) {
  buildCPUBufferizationPipeline(pm, options);
  buildBuffersToLLVMSteps(pm, options);
}

/// The part of buildCPULoweringPipeline after the memory plan: buffers and
/// loops to the LLVM dialect.
static void buildBuffersToLLVMSteps(OpPassManager &pm,
                                    const lathe::CPUPipelineOptions &options) {
  using namespace lathe;
  // Free the temporaries (the deallocation pipeline needs no results that
  // escape, which the out-parameters guarantee).
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);

  // Thread tiles on buffers: scf.forall to OpenMP (or to plain loops on one
  // thread), before anything lowers the loops inside them.
  buildParallelLoopLowering(pm, options.threads);

  // Loops, then the LLVM dialect. expand-strided-metadata produces affine
  // ops, so it runs before lower-affine; memref lowering runs before scf is
  // flattened to cf.
  // Vector transfers of rank > 1 to loops of 1-D ones first; then, with
  // affine gone, vector ops to LLVM (before memrefs are, as the transfer
  // lowering reads memref descriptors).
  // Fully unrolled: no temporary buffers (allocas inside loops grow the
  // stack with every iteration).
  pm.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // memref before scf -> cf: the memref.alloca_scope that scf-to-openmp
  // wraps loop bodies in must still have one block when it is lowered.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertSCFToCFPass());
  // math: LLVM intrinsics where they exist (exp, sqrt, ...), libm calls for
  // the rest (tanh, erf), outlined implementations for integer powers.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = options.barePointers;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  // The omp ops stay (their regions now LLVM): translation to LLVM IR
  // outlines them into __kmpc_fork_call; this pass gives their operands and
  // regions LLVM types.
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());

  // The next stage translates to LLVM IR: nothing else may remain.
  pm.addPass(createVerifyLLVMLegalPass());
}

/// The part of buildCPUKernelLoweringPipeline from bufferization to the
/// memory plan, which the GPU pipeline shares.
static void buildBufferizationSteps(OpPassManager &pm) {
  using namespace lathe;
  // Buffers for the whole module at once: function boundaries become
  // memrefs with identity layouts, as the C ABI needs plain arrays.
  bufferization::OneShotBufferizationOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  bufferization.memCpyFn = copyWithLinalg;
  // Each result its own buffer first (an Identity model returns its input),
  // and zero-size boundary tensors a type the bare-pointer ABI takes.
  pm.addPass(createCopyForwardedResultsPass());
  pm.addPass(createFlattenEmptyBoundaryTensorsPass());
  // Globals for the weights in module order: bufferization reuses them,
  // so its own (run-to-run varying) order of functions cannot leak into
  // the output.
  GlobalizeConstantsPassOptions globals;
  globals.alignment = bufferization.bufferAlignment;
  pm.addPass(createGlobalizeConstantsPass(globals));
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  // Loops that wrote a buffer in place return it as a loop result: folded
  // back to the buffer, so that a kernel's result is seen to be its own
  // allocation (computed into the caller's, below) and a slice copied onto
  // itself (a padded interior) is seen to be one and erased.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // Results become out-parameters, so callers own every output buffer; a
  // result computed into a fresh buffer is computed straight into the
  // caller's (hoistStaticAllocs). Kernels first: their results become
  // buffers the caller allocates (which the memory plan then places), so a
  // graph output that a kernel computes is, after the second run, computed
  // by that kernel straight into the caller's buffer.
  bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.hoistStaticAllocs = true;
  outParams.memCpyFn = copyWithLinalg;
  outParams.filterFn = isKernel;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  outParams.filterFn = isNotKernel;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  // Intermediates into one arena per function, before deallocations are
  // placed (the arena is then the only buffer to free).
  pm.addNestedPass<func::FuncOp>(createPlanMemoryPass());
}

void lathe::buildGPULoweringPipeline(OpPassManager &pm,
                                     const GPUPipelineOptions &options) {
  buildGPUMappingSteps(pm, options);
  buildGPUDeviceSteps(pm, options);
  if (!options.host)
    return;
  // The host functions: device buffers, the gpu ops chained on a stream,
  // then everything to the LLVM dialect, the launches and copies as calls
  // into the mgpu* runtime (runtime/cuda) and the embedded kernels loaded
  // by a global constructor (gpu.binary's translation).
  pm.addPass(createGPUHostMemoryPass());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  GpuToLLVMConversionPassOptions host;
  host.hostBarePtrCallConv = true;
  pm.addPass(createGpuToLLVMConversionPass(host));
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void lathe::buildGPUEmulationPipeline(OpPassManager &pm,
                                      const GPUPipelineOptions &gpu,
                                      const CPUPipelineOptions &cpu) {
  buildGPUMappingSteps(pm, gpu);
  // Each launch becomes loops over its blocks and threads, run one after
  // another on the CPU; the rest is the CPU's lowering.
  pm.addNestedPass<func::FuncOp>(createEmulateGPULaunchesPass());
  // The math the GPU computes as its expansions, computed the same way.
  pm.addPass(createExpandMathForGPUPass());
  pm.addPass(createCanonicalizerPass());
  buildBuffersToLLVMSteps(pm, cpu);
}

/// The GPU pipeline up to the launches (lathe-map-to-gpu), which the
/// device lowering and the CPU emulation share.
static void buildGPUMappingSteps(OpPassManager &pm,
                                 const lathe::GPUPipelineOptions &options) {
  using namespace lathe;
  // The graph as imported (NCHW: the GPU schedules tile any layout) and
  // its kernels.
  buildGraphOptimizePipeline(pm, GraphPipelineOptions());
  buildFusionPipeline(pm);
  buildNNToLinalgPipeline(pm);

  // Blocks and threads on tensors, where producers fuse into tiles.
  GPUDefaultSchedulePassOptions schedule;
  schedule.warpSize = options.warpSize;
  schedule.maxThreadsPerBlock = options.maxThreadsPerBlock;
  pm.addPass(createGPUDefaultSchedulePass(schedule));
  GPUTilePassOptions tile;
  tile.maxThreadsPerBlock = options.maxThreadsPerBlock;
  pm.addNestedPass<func::FuncOp>(createGPUTilePass(tile));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  buildBufferizationSteps(pm);

  // Launches, then what runs inside them lowered to loops.
  MapToGPUPassOptions map;
  map.maxThreadsPerBlock = options.maxThreadsPerBlock;
  pm.addPass(createMapToGPUPass(map));
  pm.addPass(createCanonicalizerPass());
}

/// The GPU pipeline from the launches on: the kernels outlined into one
/// gpu.module, lowered to NVVM and serialized.
static void buildGPUDeviceSteps(OpPassManager &pm,
                                const lathe::GPUPipelineOptions &options) {
  using namespace lathe;
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Constants and index arithmetic move into the kernels rather than
  // becoming their parameters.
  pm.addNestedPass<func::FuncOp>(createGpuLauchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  MergeGPUModulesPassOptions merge;
  pm.addPass(createMergeGPUModulesPass(merge));
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));

  // The device code to NVVM: loops to branches, memref views to pointer
  // arithmetic, then the NVVM conversion (arith, math through libdevice,
  // memref, cf, gpu ids).
  OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
  device.addPass(createLowerAffinePass());
  device.addPass(memref::createExpandStridedMetadataPass());
  device.addPass(createLowerAffinePass());
  device.addPass(createConvertSCFToCFPass());
  ExpandMathForGPUPassOptions math;
  math.libdevice = true;
  device.addPass(createExpandMathForGPUPass(math));
  device.addPass(createConvertGpuOpsToNVVMOps());
  // Multiply-adds as FMAs, as CUDA compilers do by default.
  device.addPass(createContractFloatOpsPass());
  device.addPass(createCanonicalizerPass());
  device.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  // ptxas (for cubins) and libdevice (for math functions) come from the
  // CUDA toolkit.
  if (llvm::sys::fs::is_directory("/usr/local/cuda"))
    binary.toolkitPath = "/usr/local/cuda";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void lathe::buildParallelLoopLowering(OpPassManager &pm, unsigned threads) {
  if (threads == 1) {
    pm.addNestedPass<func::FuncOp>(createForallToForLoopPass());
    return;
  }
  // scf.forall has no OpenMP lowering of its own: through scf.parallel,
  // which becomes omp.parallel { omp.wsloop { omp.loop_nest } }.
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  ConvertSCFToOpenMPPassOptions openmp;
  openmp.numThreads = threads;
  pm.addPass(createConvertSCFToOpenMPPass(openmp));
}

bool lathe::needsOpenMPRuntime(ModuleOp module) {
  bool found = false;
  module.walk([&](Operation *op) {
    if (isa<omp::OpenMPDialect>(op->getDialect())) {
      found = true;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

void lathe::registerCPULoweringDependencies(DialectRegistry &registry) {
  registry.insert<nn::NNDialect, sched::SchedDialect, affine::AffineDialect,
                  arith::ArithDialect,
                  bufferization::BufferizationDialect,
                  func::FuncDialect, linalg::LinalgDialect, math::MathDialect,
                  memref::MemRefDialect, omp::OpenMPDialect, scf::SCFDialect,
                  tensor::TensorDialect, vector::VectorDialect,
                  LLVM::LLVMDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  vector::registerBufferizableOpInterfaceExternalModels(registry);
  // The schedule passes: tiling (TilingInterface), the loop bounds it
  // reasons about (ValueBoundsOpInterface) and the subsets the accumulator
  // hoisting moves (SubsetOpInterface).
  linalg::registerAllDialectInterfaceImplementations(registry);
  affine::registerValueBoundsOpInterfaceExternalModels(registry);
  arith::registerValueBoundsOpInterfaceExternalModels(registry);
  scf::registerValueBoundsOpInterfaceExternalModels(registry);
  tensor::registerValueBoundsOpInterfaceExternalModels(registry);
  vector::registerValueBoundsOpInterfaceExternalModels(registry);
  tensor::registerSubsetOpInterfaceExternalModels(registry);
  vector::registerSubsetOpInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
}

void lathe::registerGPULoweringDependencies(DialectRegistry &registry) {
  registerCPULoweringDependencies(registry);
  registry.insert<gpu::GPUDialect, NVVM::NVVMDialect, nvgpu::NVGPUDialect>();
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerGPUDialectTranslation(registry);
  // gpu.binary's #gpu.select_object: the kernels embedded in the host code
  // and loaded by a global constructor.
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  registerNVVMDialectTranslation(registry);
}

void lathe::registerLathePipelines() {
  PassPipelineRegistration<GraphPipelineOptions>(
      "lathe-graph-optimize",
      "Remove identity ops, fold constants and BatchNormalization, CSE",
      buildGraphOptimizePipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "lathe-cpu-bufferize",
      "Optimize, fuse into kernels, lower to linalg, bufferize and plan the "
      "memory of nn functions on static shapes",
      buildCPUBufferizationPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "lathe-cpu-lowering",
      "Lower nn functions on static shapes to the LLVM dialect for the CPU",
      buildCPULoweringPipeline);
  PassPipelineRegistration<GPUPipelineOptions>(
      "lathe-gpu-lowering",
      "Lower nn functions on static shapes to kernels for an NVIDIA GPU, "
      "serialized as PTX or a cubin (gpu.binary)",
      buildGPULoweringPipeline);
}
