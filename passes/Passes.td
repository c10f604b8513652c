//===- Passes.td - Lathe's passes --------------------------*- tablegen -*-===//
//
// Part of Lathe. Every Lathe pass is declared here and only here; the
// pipelines that chain them are in Pipelines.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_PASSES_PASSES_TD
#define LATHE_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// passes/graph
//===----------------------------------------------------------------------===//

def FoldConstantsPass : Pass<"lathe-fold-constants", "mlir::ModuleOp"> {
  let summary = "Evaluate nn ops whose operands are all constants";
  let description = [{
    Replaces an nn op whose operands are all `nn.constant` by the constant
    it computes: weights-only subgraphs (a transposed, reshaped, sliced,
    gathered or concatenated weight, a scaled bias, shape arithmetic). Data
    movement works on the bytes of any element type; arithmetic (elementwise binary
    ops with broadcasting, unary float ops) on f32 and f64 in double
    precision, rounded once, and on signless integers with wrapping, as
    the lowering computes it; casts where they are exact. A result computed from a `dense_resource` blob
    is a blob, never text. Results over `max-elements` elements stay
    unfolded (the limit is the default control function's; callers of
    populateFoldConstantsPatterns pass their own).
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", /*default=*/"1 << 24",
           "Fold only ops whose result has at most this many elements">,
  ];
}

def FoldBatchNormPass : Pass<"lathe-fold-batch-norm", "mlir::ModuleOp"> {
  let summary = "Fold inference BatchNormalization into the preceding conv or gemm";
  let description = [{
    Rewrites `nn.batch_norm(nn.conv2d(x, W, b))` into `nn.conv2d(x, W', b')`
    and `nn.batch_norm(nn.gemm(x, W, c))` (on the feature dimension) into
    `nn.gemm(x, W', c')`, with `scale = gamma / sqrt(var + eps)`,
    `W' = W * scale` per output channel and `b' = (b - mean) * scale + beta`,
    computed in double precision from the constants. Folds only when the
    weight, bias and statistics are constants and the producer's result
    has no other user.
  }];
}

def FoldConvAffinePass : Pass<"lathe-fold-conv-affine", "mlir::ModuleOp"> {
  let summary = "Fold a per-channel nn.mul or nn.add by a constant into the conv";
  let description = [{
    Rewrites `nn.mul(nn.conv2d(x, W, b), s)` into `nn.conv2d(x, W * s, b * s)`
    and `nn.add(nn.conv2d(x, W, b), a)` into `nn.conv2d(x, W, b + a)` when
    `s` or `a` is a constant with one value per output channel (shape
    `[1, F, 1, 1]`, `[F, 1, 1]`, ...) or a single value, the weights are
    constants and the conv result has no other user: the Mul + Add of a
    frozen BatchNormalization, or a bias outside the Conv node.
  }];
}

def ConvertConvLayoutPass : Pass<"lathe-convert-conv-layout", "mlir::ModuleOp"> {
  let summary = "Switch convolutions to channels-last (NHWC) and cancel transposes";
  let description = [{
    With `layout=nhwc`, rewrites every NCHW `nn.conv2d` with groups = 1 or
    depthwise into a `channels_last` conv2d (NHWC activations, HWCF
    weights) between transposes, then moves transposes below elementwise
    ops (transposing their constant operands instead) until adjacent
    transposes compose away. Transposes remain only where the layout must
    change: at graph inputs and outputs and around ops that work on NCHW
    (pooling, flatten, reshape). Weight transposes are transposes of
    constants: run lathe-fold-constants after this pass to evaluate them.
    Grouped (not depthwise) convolutions stay NCHW. With `layout=nchw`
    (the default) convolutions are left alone. Callers of
    populateConvLayoutPatterns decide conv by conv with a control function.
  }];
  let options = [
    Option<"layout", "layout", "std::string", /*default=*/"\"nchw\"",
           "Convolution layout to switch to: 'nhwc' or 'nchw' (no change)">,
  ];
}

//===----------------------------------------------------------------------===//
// passes/schedule
//===----------------------------------------------------------------------===//

def ApplyTunedConfigsPass : Pass<"lathe-apply-tuned-configs", "mlir::ModuleOp"> {
  let summary = "Give kernels the #sched.config of their best tuning-database record";
  let description = [{
    For every kernel function (one with a `lathe.kernel` attribute holding
    a `workload` key), looks up the fastest successful record of that
    workload on `target` in the tuning database `db` (autotune/Database.h)
    and sets its config as `sched.config` on the kernel's anchor op: the
    last linalg op of the kernel's body that has reduction loops (a kernel
    with none is skipped). The kernel function is marked `sched.tuned`.
    Runs on linalg on tensors, before lathe-default-schedule, which then
    leaves the tuned ops alone.

    A record whose config does not parse as a `#sched.config`, whose
    per-loop arrays do not have one entry per loop of the anchor, or whose
    tiles do not divide their loops (a record of the workload as another
    version of Lathe lowered it), is
    reported as a warning naming the kernel, the workload and the database,
    and the kernel keeps the default schedule. A database that cannot be
    opened (missing, damaged, newer) is an error naming the file. Without
    `db`, the pass changes nothing.

    ```mlir
    // With a record {workload = "00ff...", config = "#sched.config<...>"}:
    func.func private @main_k0_matmul(...) attributes {lathe.kernel = {
        anchor = "nn.matmul", ops = ["nn.matmul"], workload = "00ff..."}} {
      %0 = linalg.matmul {sched.config = #sched.config<...>} ins(...) outs(...)
    ```
  }];
  let options = [
    Option<"db", "db", "std::string", /*default=*/"\"\"",
           "Path of the tuning database (SQLite file); none: no change">,
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "Target key of the records to use (codegen's tuningKey: "
           "triple/cpu/vector bits)">,
  ];
  let dependentDialects = [
    "lathe::sched::SchedDialect",
    "mlir::linalg::LinalgDialect",
  ];
}

def DefaultSchedulePass : Pass<"lathe-default-schedule", "mlir::ModuleOp"> {
  let summary = "Give kernel ops the heuristic #sched.config of the target";
  let description = [{
    Sets `sched.config` on every linalg op the heuristic of
    passes/schedule/Schedule.h knows and that has no config yet, from the
    target's vector width, vector register count, L1/L2 sizes and cores
    given as options (docs/schedule.md lists the rules): matmuls and
    batch matmuls (f32: a register tile of MR x NR, NR two vectors wide, MR
    as large as the registers allow; cache tiles that keep the A and B
    panels in L1 and L2; loops n, m, k; packed panels; thread tiles that
    split evenly across the cores), channels-last convolutions, depthwise
    convolutions and max pools, copies and transposes, and elementwise ops.
    Ops whose sizes the tiles would not divide keep no config (and their
    plain loops).
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"256",
           "Width of a vector register in bits">,
    Option<"vectorRegisters", "vector-registers", "int64_t",
           /*default=*/"16", "Number of vector registers">,
    Option<"l1Bytes", "l1-bytes", "int64_t", /*default=*/"32768",
           "L1 data cache size in bytes">,
    Option<"l2Bytes", "l2-bytes", "int64_t", /*default=*/"1048576",
           "L2 cache size in bytes">,
    Option<"cores", "cores", "int64_t", /*default=*/"1",
           "Cores the thread tiles are shared among: with more than one, "
           "matmuls get thread tiles that split evenly across them, and "
           "copies and elementwise ops of 256 KiB or more one tile per core">,
  ];
  let dependentDialects = ["lathe::sched::SchedDialect"];
}

def PackPass : Pass<"lathe-pack", "mlir::func::FuncOp"> {
  let summary = "Pack operands into tile-contiguous layouts by #sched.config";
  let description = [{
    For every linalg op whose `sched.config` has `pack` entries: copies
    each packed operand into a layout whose packed loops are split into
    blocks of the pack's tiles, contiguous in memory (a GEMM's B[K][N]
    packed on n by 16 becomes [N/16][K][16], its A[M][K] packed on m by 8
    becomes [M/8][K][8]), so that the register tile streams through each
    panel. Constant operands (weights) are packed at compile time; others
    by a reshape and a `linalg.transpose` before the op. The op becomes a
    `linalg.generic` on the packed operands, other operands reshaped in
    place (no copy), and its config is rewritten for the new loops: a
    packed loop d keeps its index with its tiles divided by the pack tile,
    and its inner loop is appended, whole and innermost. Fails, naming the
    op and its config, when a pack tile does not divide its loop or the
    config's tiles of that loop.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def TilePass : Pass<"lathe-tile", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops by the thread, l2 and register tiles of their #sched.config";
  let description = [{
    Tiles every linalg op carrying a `sched.config` (on tensors): first the
    `outer` tiles of its `parallel` loops into one `scf.forall` (threads;
    without `outer` tiles, the parallel loops' first tiled level), the other
    loops' `outer` tiles into scf.for loops inside it, then the `l2` tiles
    in the loop order of its `interchange`, then its `register` tiles. The
    register-tile op keeps the config and is marked `sched.tiled` for
    lathe-vectorize. Elementwise epilogues of scheduled ops are left to
    lathe-fuse-epilogue, which tiles them with their anchor. The register
    tiles of parallel loops are tiled before those of reduction loops, so
    the complete result tile has a place of its own in the nest. Fails, naming the op and its config, if the config
    cannot be applied (a reduction loop listed as parallel, say).
  }];
  let dependentDialects = [
    "mlir::affine::AffineDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def MergeEpiloguesPass : Pass<"lathe-merge-epilogues", "mlir::func::FuncOp"> {
  let summary = "Merge elementwise chains and put a scheduled op's epilogue in its result space";
  let description = [{
    Merges chains of elementwise `linalg.generic` ops into one op (a
    producer with no other user goes into its consumer), and folds the
    reshapes between the result of a scheduled op with a reduction (a
    kernel's anchor) and the elementwise op that reads it into that op:
    the epilogue then iterates the anchor's result space (a packed
    matmul's [M][N/NR][NR]) and its other operands are reshaped instead.
    Upstream's elementwise fusion and reshape folding do the work; only
    the anchor's operand is folded. Configs left on ops whose loop count
    changed are dropped (lathe-default-schedule gives them new ones).
    Runs after lathe-pack, before lathe-tile and lathe-fuse-epilogue.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def FuseEpiloguePass : Pass<"lathe-fuse-epilogue", "mlir::func::FuncOp"> {
  let summary = "Apply elementwise epilogues (and accumulator fills) to the tiles of the loop nests they belong to";
  let description = [{
    For every elementwise `linalg.generic` with a `sched.config` that reads
    the result of a loop nest tiled by lathe-tile (which leaves such
    epilogues alone): applies the op in place to the innermost tile of the
    nest's result that is complete where the nest inserts it, i.e. no loop
    around that insertion steps a reduction. When the reduction is not
    split by cache tiles that is the register tile, and the epilogue
    becomes vector ops on the accumulators before they are stored; else it
    is a cache tile, tiled by the register tiles of the epilogue's config.
    The nest's result then replaces the epilogue's. An epilogue that
    cannot be fused (it reads its output, an operand is defined after the
    nest, no complete tile) is tiled by its own config instead.

    Likewise the `linalg.fill` that initializes the nest's accumulator
    (lathe-tile leaves it alone too): the same complete tile is filled
    right before the loop that accumulates into it, in the register tiles
    of the nest's op, and the nest starts from the fill's empty tensor.
  }];
  let dependentDialects = [
    "mlir::affine::AffineDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def VectorizePass : Pass<"lathe-vectorize", "mlir::func::FuncOp"> {
  let summary = "Vectorize register tiles into FMA outer products";
  let description = [{
    Vectorizes every `sched.tiled` linalg op with the `vector` sizes of its
    `sched.config`, lowers the contraction to outer products of
    `vector.fma` (FMA instructions on AVX2, AVX-512 and NEON), and hoists
    the loop-invariant accumulator reads and writes out of the loops
    around the tile, so the accumulators live in registers across the
    reduction loop. Math functions on vectors (exp, log, erf, tanh, ...)
    become f32 polynomials. Last, the innermost loop around each register
    tile is unrolled by the config's `unroll` factor (when above 1).
  }];
  let dependentDialects = [
    "mlir::vector::VectorDialect",
    "mlir::tensor::TensorDialect",
  ];
}

//===----------------------------------------------------------------------===//
// passes/fusion
//===----------------------------------------------------------------------===//

def FuseKernelsPass : Pass<"lathe-fuse-kernels", "mlir::ModuleOp"> {
  let summary = "Group nn ops into kernels and outline each into a function";
  let description = [{
    Partitions the nn ops of every function (except kernels already
    outlined) into kernels, in one pass over the body in order: an anchor
    op (conv, matmul, gemm, pooling, reduction, normalization, data
    movement) with the elementwise ops that follow it while each result
    has a single user (bias, residual add, activation, clip, scale), and
    the elementwise-only chains that feed only an anchor and read one
    tensor (recomputed by the anchor's kernel); an elementwise chain with
    no anchor is a kernel of its own. Reshapes stay between kernels (they
    are views), constants are cloned into the kernels that use them, and
    ops on zero-size tensors are left alone. Each kernel becomes a private
    function `@<func>_k<i>_<anchor>` called in its place, with a
    `lathe.kernel = {anchor, ops, workload}` attribute whose `workload`
    key hashes the computation without names or weight values. The
    decisions come from the default control function of
    passes/fusion/Fusion.h; callers of fuseKernels pass their own.
  }];
  let dependentDialects = [
    "mlir::func::FuncDialect",
    "mlir::LLVM::LLVMDialect",
  ];
}

//===----------------------------------------------------------------------===//
// passes/lower
//===----------------------------------------------------------------------===//

def ConvertNNToLinalgPass : Pass<"lathe-convert-nn-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower nn graph ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every nn op into value-semantics IR that one-shot bufferization
    understands: named linalg ops where upstream has one (matmul,
    batch_matmul, conv_2d_nchw_fchw, conv_2d_ngchw_fgchw,
    depthwise_conv_2d_nchw_chw, pooling_nchw_max/sum, transpose),
    `linalg.generic` otherwise (broadcasting elementwise ops, reductions,
    normalizations, gathers), and tensor ops for data movement (pad,
    extract_slice, insert_slice, collapse/expand_shape). Weights
    (`nn.constant`) become `arith.constant`, keeping dense resources out of
    line. The pass fails, naming the op, if any nn op is left.

    Channels-last convolutions take the form the CPU schedule runs best:
    1x1 ones without padding are a `linalg.matmul` of the pixels by the
    weights, and those with at least `im2col-min-filters` filters (0: none)
    a `linalg.matmul` on im2col, one strided copy of the input per kernel
    position; the others stay `linalg.conv_2d_nhwc_hwcf`.
  }];
  let options = [
    Option<"im2colMinFilters", "im2col-min-filters", "int64_t", "0",
           "Channels-last convolutions with at least this many filters "
           "(and a window larger than 1x1) lower to a matmul on im2col; "
           "0 never">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def CopyForwardedResultsPass
    : Pass<"lathe-copy-forwarded-results", "mlir::ModuleOp"> {
  let summary = "Give every function result its own tensor before bufferization";
  let description = [{
    Copies each function result that is a function argument (an Identity
    model, or one whose ops all folded away) or repeats an earlier result
    into a fresh `bufferization.alloc_tensor` (which, unlike `tensor.empty`,
    CSE never merges). Results become distinct caller-owned out-parameters
    at the C ABI, and buffer-results-to-out-params can neither hoist an
    argument into one nor one allocation into two. Also marks every tensor
    argument `bufferization.writable = false`: the caller's buffers are
    never updated in place (a scatter copies its data first), so no result
    becomes an argument. Runs on tensors, after the last canonicalization
    before one-shot bufferization.
  }];
  let dependentDialects = [
    "mlir::bufferization::BufferizationDialect",
    "mlir::linalg::LinalgDialect",
  ];
}

def GlobalizeConstantsPass
    : Pass<"lathe-globalize-constants", "mlir::ModuleOp"> {
  let summary = "Create the memref.global of every tensor constant in module order";
  let description = [{
    For each `arith.constant` of tensor type, in the order the module lists
    them, creates (or finds, for an equal constant) the `memref.global`
    that one-shot bufferization will read it from, aligned as bufferization
    aligns them (`alignment`). Bufferization reuses an existing global of
    the same value, so names and order of globals no longer depend on the
    order in which it visits functions (which varies from run to run when a
    module has several), and `lathe compile` writes the same bytes every
    time. Runs on tensors, right before one-shot bufferization.
  }];
  let options = [
    Option<"alignment", "alignment", "uint64_t", /*default=*/"64",
           "Byte alignment of the globals (bufferization's buffer alignment)">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def FlattenEmptyBoundaryTensorsPass
    : Pass<"lathe-flatten-empty-boundary-tensors", "mlir::ModuleOp"> {
  let summary = "Give zero-size function arguments and results a 1-D type";
  let description = [{
    A zero-size tensor of rank > 1 (`tensor<2x0x4xf32>`) at a function
    boundary becomes `tensor<0xf32>`, which bufferizes to a memref that the
    bare-pointer calling convention accepts (a zero-size memref of higher
    rank makes the whole signature fail to convert). Inside the function
    an argument is replaced by a `tensor.empty` of its shape, a result by
    one of the new type: they hold no data, so nothing else changes. Runs
    on tensors, before bufferization.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def PlanMemoryPass : Pass<"lathe-plan-memory", "mlir::func::FuncOp"> {
  let summary = "Place a function's intermediate buffers in one reused arena";
  let description = [{
    After bufferization: the statically shaped `memref.alloc`s of the
    entry block that do not escape through `func.return` (the
    intermediates between kernels, and the scratch buffers inside one)
    become `memref.view`s into a single byte arena allocated at the start
    of the function. A buffer is live from its alloc to the last top-level
    op that uses it or a view of it; buffers whose live ranges do not
    overlap share memory, placed greedily by size at `alignment`-byte
    offsets. The function gets `lathe.arena_bytes` (the arena's size) and
    `lathe.intermediate_bytes` (the planned buffers' total size) i64
    attributes, which `lathe inspect` reports. Weights (memref.global)
    and out-parameters are not touched.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Byte alignment of the arena and of every buffer in it">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::memref::MemRefDialect",
  ];
}

def VerifyLLVMLegalPass : Pass<"lathe-verify-llvm-legal", "mlir::ModuleOp"> {
  let summary = "Check that a module holds only LLVM dialect operations";
  let description = [{
    The last step of every lowering pipeline to LLVM: fails, naming the
    first offending op and its location (the ONNX node it came from), if
    anything but `builtin.module`, LLVM dialect ops and OpenMP dialect ops
    (the parallel loops, which translate to libomp calls) is left. Translation
    to LLVM IR would otherwise fail with a less helpful message.
  }];
}

//===----------------------------------------------------------------------===//
// GPU schedules and mapping
//===----------------------------------------------------------------------===//

def GPUDefaultSchedulePass
    : Pass<"lathe-gpu-default-schedule", "mlir::ModuleOp"> {
  let summary = "Give kernel roots the heuristic #sched.gpu of the GPU";
  let description = [{
    Sets `sched.config = #sched.config<gpu = #sched.gpu<...>>` on the root
    op of every kernel function (the op computing a returned value,
    looking through reshapes) that has no config yet: up to three of its
    parallel loops, innermost first, split across blocks and threads with
    256 threads a block (fewer on small loops), block tiles dividing their
    loops, 4 outputs a thread along the innermost loop and, when the kernel
    has a reduction (a matmul or convolution under an epilogue), 4x4
    outputs a thread on 16x16 threads (docs/gpu.md).
  }];
  let options = [
    Option<"warpSize", "warp-size", "int64_t", /*default=*/"32",
           "Threads in a warp">,
    Option<"maxThreadsPerBlock", "max-threads-per-block", "int64_t",
           /*default=*/"1024", "Most threads in one block">,
  ];
  let dependentDialects = ["lathe::sched::SchedDialect"];
}

def GPUTilePass : Pass<"lathe-gpu-tile", "mlir::func::FuncOp"> {
  let summary = "Tile kernel roots into GPU blocks and threads by #sched.gpu";
  let description = [{
    For every op (on tensors) whose `sched.config` has `gpu` knobs: tiles it
    by the `block` tiles into an `scf.forall` mapped to `#gpu.block` (the
    innermost split loop on x), each block's tile by the `thread` tiles
    into an `scf.forall` mapped to `#gpu.thread`, and a thread's reduction
    loops by the `reduction` steps into scf.for loops. At the block and
    thread levels the ops producing the op's operands (the matmul under an
    epilogue, a convolution's pad and fill) are fused into the tile. Fails,
    naming the op, when the knobs do not fit it: a reduction split across
    threads, a block tile that does not divide its loop, more than three
    split loops or more threads than a block may have.
  }];
  let options = [
    Option<"maxThreadsPerBlock", "max-threads-per-block", "int64_t",
           /*default=*/"1024", "Most threads in one block">,
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect",
    "mlir::gpu::GPUDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def MapToGPUPass : Pass<"lathe-map-to-gpu", "mlir::ModuleOp"> {
  let summary = "Turn kernels' block and thread loops into gpu.launch ops";
  let description = [{
    On buffers, in every kernel function: each top-level `scf.forall`
    mapped to `#gpu.block` becomes a `gpu.launch` whose grid is its
    iterations and whose block is the largest `#gpu.thread` forall inside
    it; the loops are replaced by their bodies indexed by the block and
    thread ids (threads beyond a smaller forall's trip count are predicated
    off, and a barrier follows each thread loop). Memory writes of a block outside its thread loops
    run on the block's first thread, followed by a barrier. Any other linalg
    op of the kernel (a fill or copy added by bufferization) runs in a
    launch of one thread per point of its parallel loops
    (`threads-per-block` a block), and any other op that writes memory in
    a launch of one thread, so no computation is left on the host. The
    graph function's linalg ops (a copy of an input that is an output) run
    one thread per point as well; its calls of kernels stay.
    Allocations inside launches become `memref.alloca` (the thread's
    stack). Fails, naming the loop, on dynamic trip counts, more than
    65535 blocks along y or z, or too many threads in a block.
  }];
  let options = [
    Option<"maxThreadsPerBlock", "max-threads-per-block", "int64_t",
           /*default=*/"1024", "Most threads in one block">,
    Option<"threadsPerBlock", "threads-per-block", "int64_t",
           /*default=*/"256",
           "Threads a block of the launches of linalg ops that no schedule "
           "mapped (one thread per point)">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::gpu::GPUDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
  ];
}

def EmulateGPULaunchesPass
    : Pass<"lathe-emulate-gpu-launches", "mlir::func::FuncOp"> {
  let summary = "Run gpu.launch bodies on the CPU, one thread after another";
  let description = [{
    Replaces every `gpu.launch` by scf.for loops over its blocks (z, y, x)
    and, inside, over its threads (z, y, x), running the body for each
    thread in turn (its static `memref.alloca` temporaries hoisted before
    the loops and reused by each thread, as LLVM frees an alloca only at
    the function's return), with the block and thread ids the loops' indices and
    the grid and block sizes the launch's. `gpu.barrier` ops are dropped:
    running a block's threads one after another keeps the order the
    barriers enforce for the launches lathe-map-to-gpu creates, where the
    only writes a thread reads from other threads are those the first
    thread makes before the block's thread loops. For checking the GPU
    schedules on machines without a GPU; not a way to run fast.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect",
  ];
}

def ExpandMathForGPUPass : Pass<"lathe-expand-math-for-gpu"> {
  let summary = "Rewrite the math ops the NVVM lowering cannot take";
  let description = [{
    convert-gpu-to-nvvm (MLIR 19) lowers most math ops to libdevice calls
    or NVVM intrinsics, but not sinh, cosh, asinh, acosh, atanh, round,
    roundeven, acos, asin, fma or copysign. This pass rewrites the first
    seven by their definitions (exp, log, sqrt, floor: upstream's math
    expansions); acos and asin on f32 and f64 as calls to libdevice's
    `__nv_acosf`/`__nv_asinf` with `libdevice` (without it they are left
    to the CPU's libm); fma as a multiply and an add and
    copysign as bit operations, leaving every other op to its libdevice
    implementation. Runs on the gpu.module of the GPU pipeline, before
    convert-gpu-to-nvvm (with `libdevice`), and on the host functions of the
    GPU emulation (without), so the emulation computes what the GPU does.
  }];
  let options = [
    Option<"libdevice", "libdevice", "bool", /*default=*/"false",
           "Call libdevice's acos and asin (in a gpu.module that the NVVM "
           "target links libdevice into)">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::LLVM::LLVMDialect",
    "mlir::math::MathDialect",
    "mlir::vector::VectorDialect",
  ];
}

def ContractFloatOpsPass : Pass<"lathe-contract-float-ops"> {
  let summary = "Let LLVM fuse floating-point multiplies and adds into FMAs";
  let description = [{
    Adds the `contract` fast-math flag to every `llvm.fmul`, `llvm.fadd` and
    `llvm.fsub`, so that LLVM contracts a multiply feeding an add into one
    fused multiply-add (one instruction and one rounding), as CUDA
    compilers do by default. The GPU pipeline runs it on its gpu.module
    after convert-gpu-to-nvvm: without it NVPTX keeps every `mul.rn.f32`
    and `add.rn.f32` apart.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def GPUHostMemoryPass : Pass<"lathe-gpu-host-memory", "mlir::ModuleOp"> {
  let summary = "Put the buffers the GPU kernels use in device memory";
  let description = [{
    On the host functions of the GPU pipeline, whose kernels are
    `gpu.launch_func` ops: the entry function (the public one) gets a
    device buffer for each argument, the inputs (the first
    `lathe.num_inputs`) copied in on entry and the outputs copied back
    before it returns; every `memref.alloc` outside launches (the memory
    plan's arena) becomes a `gpu.alloc`, and every weight
    (`memref.get_global`) is copied into a device buffer; all are freed
    (`gpu.dealloc`) before the function returns. The ops are synchronous;
    gpu-async-region chains them. Fails, naming the op, on a buffer with a
    dynamic shape or a non-identity layout.
  }];
  let dependentDialects = [
    "mlir::gpu::GPUDialect",
    "mlir::memref::MemRefDialect",
  ];
}

def MergeGPUModulesPass : Pass<"lathe-merge-gpu-modules", "mlir::ModuleOp"> {
  let summary = "Merge the outlined gpu.module ops into one";
  let description = [{
    gpu-kernel-outlining gives every launch its own `gpu.module`; this pass
    moves all their functions into the first (renamed `name`) and points
    every `gpu.launch_func` at it, so the model's device code is one PTX
    module and one cubin, loaded once. A function whose name the merged
    module has already (two launches outlined from one kernel function)
    gets a numeric suffix.
  }];
  let options = [
    Option<"name", "name", "std::string", /*default=*/"\"lathe_kernels\"",
           "Name of the merged gpu.module">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

#endif // LATHE_PASSES_PASSES_TD
