//===- Pipelines.h - Lathe's pass pipelines ---------------------*- C++ -*-===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file declares the named pass pipelines that take a module from one
// stage of the compiler to the next, each with an options struct, and their
// registration for lathe-opt.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_PASSES_PIPELINES_H
#define LATHE_PASSES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include <map>
#include <memory>
#include <string>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace lathe {

/// Options of the graph optimizations on nn functions.
struct GraphPipelineOptions : mlir::PassPipelineOptions<GraphPipelineOptions> {
  Option<int64_t> maxFoldElements{
      *this, "max-fold-elements",
      llvm::cl::desc("Evaluate an nn op on constants at compile time only "
                     "when its result has at most this many elements"),
      llvm::cl::init(int64_t(1) << 24)};
  Option<std::string> convLayout{
      *this, "conv-layout",
      llvm::cl::desc("Layout of convolutions: 'nchw' (as imported) or "
                     "'nhwc' (channels-last, lathe-convert-conv-layout)"),
      llvm::cl::init("nchw")};
};

/// Options of the CPU lowering from nn to the LLVM dialect.
struct CPUPipelineOptions : mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> barePointers{
      *this, "bare-pointers",
      llvm::cl::desc("Pass tensors to the compiled function as bare data "
                     "pointers (the C ABI of Lathe's .so and JIT); otherwise "
                     "as MLIR memref descriptors"),
      llvm::cl::init(true)};
  // The target facts the default schedule derives tile sizes from
  // (lathe-default-schedule); callers fill them in from codegen's
  // TargetSpec.
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Width of a vector register in bits"),
      llvm::cl::init(256)};
  Option<int64_t> vectorRegisters{
      *this, "vector-registers",
      llvm::cl::desc("Number of vector registers"), llvm::cl::init(16)};
  Option<int64_t> l1Bytes{*this, "l1-bytes",
                          llvm::cl::desc("L1 data cache size in bytes"),
                          llvm::cl::init(32768)};
  Option<int64_t> l2Bytes{*this, "l2-bytes",
                          llvm::cl::desc("L2 cache size in bytes"),
                          llvm::cl::init(1048576)};
  Option<int64_t> cores{
      *this, "cores",
      llvm::cl::desc("Cores the thread tiles are shared among (the default "
                     "schedule splits matmuls, and copies and elementwise "
                     "ops of 256 KiB or more, evenly across them)"),
      llvm::cl::init(1)};
  Option<bool> schedule{
      *this, "schedule",
      llvm::cl::desc("Tile and vectorize kernels by their #sched.config, "
                     "giving ops without one the default config"),
      llvm::cl::init(true)};
  // With schedule: the tuning database whose best records give kernels
  // their configs (lathe-apply-tuned-configs) before the default schedule.
  Option<std::string> tuningDB{
      *this, "tuning-db",
      llvm::cl::desc("With schedule: the tuning database (SQLite file) to "
                     "take each kernel's best config from; none: default "
                     "schedules only"),
      llvm::cl::init("")};
  // With schedule: configs given by workload key (`#sched.config` text),
  // which win over the tuning database's (the autotuner's candidates); a
  // config that does not fit its kernel fails the pipeline. Not a textual
  // option: set by code.
  std::shared_ptr<const std::map<std::string, std::string>> givenConfigs;
  Option<std::string> tuningTarget{
      *this, "tuning-target",
      llvm::cl::desc("The target key of the tuning records to use "
                     "(codegen's tuningKey: triple/cpu/vector bits)"),
      llvm::cl::init("")};
  // Which convolutions the scheduled pipeline computes as matmuls on
  // im2col: with 256 filters or more the copy is under 1/512 of the FLOPs,
  // and on ResNet-50 128 measured the same and 64 slower (73-77 vs 87 ms).
  Option<int64_t> im2colMinFilters{
      *this, "im2col-min-filters",
      llvm::cl::desc("With schedule: channels-last convolutions with at "
                     "least this many filters (and a window larger than "
                     "1x1) are lowered to a matmul on im2col; 0 never"),
      llvm::cl::init(256)};
  Option<unsigned> threads{
      *this, "threads",
      llvm::cl::desc("Threads that run the parallel loops of kernels (the "
                     "scf.forall of a #sched.config's outer tiles): 1 runs "
                     "them as sequential loops (no OpenMP runtime needed), "
                     "N > 1 on N OpenMP threads, 0 on as many as the "
                     "OpenMP runtime chooses (OMP_NUM_THREADS, else one per "
                     "core)"),
      llvm::cl::init(0)};
};

/// Options of the GPU lowering from nn to PTX.
struct GPUPipelineOptions : mlir::PassPipelineOptions<GPUPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("The GPU to generate code for "
                                          "(sm_80, sm_90)"),
                           llvm::cl::init("sm_80")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features (the PTX ISA version, e.g. +ptx78)"),
      llvm::cl::init("+ptx70")};
  Option<int64_t> maxThreadsPerBlock{
      *this, "max-threads-per-block",
      llvm::cl::desc("Most threads in one block"), llvm::cl::init(1024)};
  Option<int64_t> warpSize{*this, "warp-size",
                           llvm::cl::desc("Threads in a warp"),
                           llvm::cl::init(32)};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What gpu-module-to-binary embeds: 'isa' (PTX text), "
                     "'bin' (a cubin, assembled by ptxas) or 'fatbin'"),
      llvm::cl::init("isa")};
  Option<bool> host{
      *this, "host",
      llvm::cl::desc("Also lower the host functions to the LLVM dialect: "
                     "buffers in device memory (lathe-gpu-host-memory), "
                     "launches and copies as calls into the mgpu* runtime "
                     "(gpu-to-llvm), the entry function with bare "
                     "pointers (the C ABI)"),
      llvm::cl::init(false)};
};

/// Optimizes the nn graph: removes identity ops, evaluates constant
/// subgraphs, folds BatchNormalization into the preceding conv or gemm, and
/// merges common subexpressions. Leaves only nn ops.
void buildGraphOptimizePipeline(mlir::OpPassManager &pm,
                                const GraphPipelineOptions &options);

/// Groups the nn ops of every function into kernels, each outlined into a
/// private function with its workload key (lathe-fuse-kernels): what
/// `lathe inspect --kernels` reports.
void buildFusionPipeline(mlir::OpPassManager &pm);

/// Lowers the nn ops of a module to structured ops (linalg, tensor, arith,
/// math) on tensors, then canonicalizes: the first stage of the CPU lowering,
/// and what `lathe compile --emit=linalg` prints. Channels-last
/// convolutions with at least `im2colMinFilters` filters (0: none) become
/// matmuls on im2col (the scheduled CPU pipeline's choice).
void buildNNToLinalgPipeline(mlir::OpPassManager &pm,
                             int64_t im2colMinFilters = 0);

/// The graph optimizations of the CPU pipeline: buildGraphOptimizePipeline
/// with convolutions channels-last when `options.schedule` is set (the
/// layout the convolution schedules are for).
void buildCPUGraphPipeline(mlir::OpPassManager &pm,
                           const CPUPipelineOptions &options);

/// Takes a module of nn functions on static shapes to buffers: graph
/// optimizations, kernel fusion, linalg on tensors, one-shot bufferization
/// with results as caller-owned out-parameters, and the static memory plan
/// of each function's intermediates (lathe-plan-memory). No deallocations
/// yet: the first half of buildCPULoweringPipeline, and what `lathe inspect`
/// reads the arena size from. With `options.schedule`, kernels are tiled
/// and vectorized by their #sched.config (lathe-default-schedule,
/// lathe-tile, lathe-vectorize) before bufferization.
void buildCPUBufferizationPipeline(mlir::OpPassManager &pm,
                                   const CPUPipelineOptions &options);

/// Adds lathe-default-schedule with the target facts of `options` (vector
/// width and registers, cache sizes, cores).
void addDefaultSchedulePass(mlir::OpPassManager &pm,
                            const CPUPipelineOptions &options);

/// The part of buildCPUBufferizationPipeline after graph optimization and
/// fusion: linalg, schedules, bufferization and the memory plan, for a
/// module whose kernels are formed already.
void buildCPUKernelLoweringPipeline(mlir::OpPassManager &pm,
                                    const CPUPipelineOptions &options);

/// Lowers a module of nn functions on static shapes to the LLVM dialect for
/// the CPU: buildCPUBufferizationPipeline, deallocation, loops, LLVM. That
/// is nn -> kernels -> linalg on tensors -> buffers (results become caller-owned
/// out-parameters) -> loops -> LLVM. The scf.forall loops of thread tiles
/// become OpenMP parallel loops (`omp.parallel` + `omp.wsloop`, calls into
/// libomp) unless `options.threads` is 1 (see buildParallelLoopLowering).
/// Ends by checking that only LLVM (and OpenMP) dialect ops remain.
void buildCPULoweringPipeline(mlir::OpPassManager &pm,
                              const CPUPipelineOptions &options);

/// Lowers a module of nn functions on static shapes for an NVIDIA GPU:
/// graph optimizations, kernel fusion and linalg on tensors as for the CPU
/// (NCHW), then every kernel's root op gets a #sched.gpu schedule
/// (lathe-gpu-default-schedule, unless it has one) and is tiled into
/// blocks and threads with its producers fused (lathe-gpu-tile);
/// bufferization and the memory plan as for the CPU; the block loops
/// become gpu.launch ops (lathe-map-to-gpu), which are outlined into one
/// gpu.module (lathe-merge-gpu-modules), lowered to NVVM and serialized by
/// gpu-module-to-binary into a gpu.binary of `options.format`. The host
/// functions, which call the kernels, are left on buffers.
void buildGPULoweringPipeline(mlir::OpPassManager &pm,
                              const GPUPipelineOptions &options);

/// The GPU pipeline's schedules, tiles and launches (as in
/// buildGPULoweringPipeline up to lathe-map-to-gpu), with every launch then
/// run on the CPU as loops over its blocks and threads, one thread after
/// another (lathe-emulate-gpu-launches), and the rest lowered as for the
/// CPU (`cpu`, from deallocation on): a host program that computes what the
/// GPU kernels compute, to check the GPU schedules' arithmetic where there
/// is no GPU.
void buildGPUEmulationPipeline(mlir::OpPassManager &pm,
                               const GPUPipelineOptions &gpu,
                               const CPUPipelineOptions &cpu);

/// Adds to `registry` what buildGPULoweringPipeline needs beyond
/// registerCPULoweringDependencies: the gpu, nvvm and nvgpu dialects, the
/// NVVM target's serialization and the translation of NVVM to LLVM IR.
void registerGPULoweringDependencies(mlir::DialectRegistry &registry);

/// Lowers the scf.forall loops of a bufferized module: with `threads` 1 to
/// sequential scf.for loops; otherwise to scf.parallel and then to OpenMP
/// (`omp.parallel` holding an `omp.wsloop`), with a `num_threads` clause
/// when `threads` > 1. Changes nothing in a module without scf.forall. Part
/// of buildCPULoweringPipeline; OpenMP ops are lowered to the LLVM dialect
/// later in that pipeline (convert-openmp-to-llvm).
void buildParallelLoopLowering(mlir::OpPassManager &pm, unsigned threads);

/// Whether `module` (e.g. the CPU pipeline's output) holds OpenMP dialect
/// ops, whose translation to LLVM IR calls into the OpenMP runtime: the
/// code must then be linked with (or run in a process holding) libomp.
bool needsOpenMPRuntime(mlir::ModuleOp module);

/// Adds to `registry` the dialects and external interface models (e.g. the
/// bufferization models of arith, linalg and tensor) that the CPU lowering
/// pipeline and the translation to LLVM IR need.
void registerCPULoweringDependencies(mlir::DialectRegistry &registry);

/// Registers the pipelines above with the pass registry (for lathe-opt).
void registerLathePipelines();

} // namespace lathe

#endif // LATHE_PASSES_PIPELINES_H
