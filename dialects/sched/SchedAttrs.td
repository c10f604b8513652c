//===- SchedAttrs.td - Attributes of the sched dialect -----*- tablegen -*-===//
//
// Part of Lathe. #sched.config and #sched.pack: a kernel's schedule knobs.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_DIALECTS_SCHED_SCHEDATTRS_TD
#define LATHE_DIALECTS_SCHED_SCHEDATTRS_TD

include "dialects/sched/SchedDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class Sched_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Sched_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Sched_PackAttr : Sched_Attr<"Pack", "pack"> {
  let summary = "packing of one kernel operand into tile-contiguous blocks";
  let description = [{
    Says that operand `operand` of the kernel is copied, before the main
    loops, into a layout where the iteration dimensions `dims` are split
    into blocks of `tiles` elements that are contiguous in memory (the
    `[N/16][K][16]` panel of a GEMM's B is `dims = [1], tiles = [16]` for the
    loop order (m, n, k)). Constant operands are packed at compile time.

    Example:

    ```mlir
    #sched.pack<operand = 1, dims = [1], tiles = [16]>
    ```
  }];
  let parameters = (ins "int64_t":$operand,
                        ArrayRefParameter<"int64_t">:$dims,
                        ArrayRefParameter<"int64_t">:$tiles);
  let assemblyFormat = [{
    `<` `operand` `=` $operand `,` `dims` `=` `[` $dims `]` `,`
        `tiles` `=` `[` $tiles `]` `>`
  }];
  let genVerifyDecl = 1;
}

def Sched_GPUConfigAttr : Sched_Attr<"GPUConfig", "gpu"> {
  let summary = "the GPU knobs of a kernel's schedule";
  let description = [{
    How a kernel's loop nest maps onto an NVIDIA GPU. The per-loop arrays
    have one entry per loop of the kernel's anchor op, as #sched.config's.

    - `block`: the tile of the iteration space one thread block computes
      (the grid is the loop extents divided by it; 0 leaves a loop whole in
      every block). Only parallel loops are split across blocks.
    - `thread`: the tile one thread computes inside its block (the block's
      threads are `block / thread` along each loop; 0 gives a thread the
      block's whole extent). At most 1024 threads per block.
    - `reduction`: the step of each reduction loop inside a thread (0 runs
      it whole): the K-step of a matmul.

    Example (a 4096x4096x4096 matmul, loops m, n, k: 128x128 tiles per
    block, 8x8 outputs per thread, K in steps of 8):

    ```mlir
    #sched.gpu<block = [128, 128, 0], thread = [8, 8, 0],
               reduction = [0, 0, 8]>
    ```
  }];
  let parameters = (ins
    OptionalArrayRefParameter<"int64_t">:$block,
    OptionalArrayRefParameter<"int64_t">:$thread,
    OptionalArrayRefParameter<"int64_t">:$reduction
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The number of loops the config describes (0 when it names none).
    int64_t getNumLoops() const;
  }];
}

def Sched_ConfigAttr : Sched_Attr<"Config", "config"> {
  let summary = "the schedule of one kernel: the knobs the tuner turns";
  let description = [{
    Describes how a kernel's loop nest (its iteration dimensions, in the
    order of its linalg op) is scheduled. Every field is optional; an
    absent field means "leave as is". All per-dimension arrays have one
    entry per loop.

    - `tiles`: tile sizes per memory level, outermost first:
      `outer` (the tiles handed to threads), `l3`, `l2`, `l1` and
      `register`. 0 leaves a dimension untiled at that level. A tile is no
      larger than the tile of an enclosing level.
    - `vector`: vector sizes of the innermost (register) tile; 0 leaves a
      dimension scalar. A vector size divides the register tile.
    - `unroll`: unroll factor of the innermost non-vector loop (>= 1).
    - `parallel`: loops run in parallel across cores.
    - `interchange`: the loop order, a permutation of the loops.
    - `pack`: operands packed into tile-contiguous layouts (#sched.pack).
    - `gpu`: the kernel's mapping onto a GPU's blocks and threads
      (#sched.gpu); CPU schedules leave it out and GPU ones use only it.

    Example (a 1024x1024x1024 matmul, loops m, n, k):

    ```mlir
    #sched.config<tiles = {outer = [96, 256, 0], l1 = [96, 256, 512],
                           register = [4, 16, 1]},
                  vector = [0, 16, 0], unroll = 4, parallel = [1],
                  interchange = [1, 0, 2],
                  pack = [#sched.pack<operand = 1, dims = [1], tiles = [16]>]>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t">:$outerTiles,
    ArrayRefParameter<"int64_t">:$l3Tiles,
    ArrayRefParameter<"int64_t">:$l2Tiles,
    ArrayRefParameter<"int64_t">:$l1Tiles,
    ArrayRefParameter<"int64_t">:$registerTiles,
    ArrayRefParameter<"int64_t">:$vectorSizes,
    "int64_t":$unroll,
    ArrayRefParameter<"int64_t">:$parallelDims,
    ArrayRefParameter<"int64_t">:$interchange,
    ArrayRefParameter<"PackAttr">:$packs,
    "GPUConfigAttr":$gpu
  );
  let builders = [
    // A CPU schedule (no GPU knobs).
    AttrBuilder<(ins "::llvm::ArrayRef<int64_t>":$outerTiles,
                     "::llvm::ArrayRef<int64_t>":$l3Tiles,
                     "::llvm::ArrayRef<int64_t>":$l2Tiles,
                     "::llvm::ArrayRef<int64_t>":$l1Tiles,
                     "::llvm::ArrayRef<int64_t>":$registerTiles,
                     "::llvm::ArrayRef<int64_t>":$vectorSizes,
                     "int64_t":$unroll,
                     "::llvm::ArrayRef<int64_t>":$parallelDims,
                     "::llvm::ArrayRef<int64_t>":$interchange,
                     "::llvm::ArrayRef<PackAttr>":$packs), [{
      return $_get($_ctxt, outerTiles, l3Tiles, l2Tiles, l1Tiles,
                   registerTiles, vectorSizes, unroll, parallelDims,
                   interchange, packs, GPUConfigAttr());
    }]>
  ];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Tile sizes at `level` (empty when that level is not tiled).
    ::llvm::ArrayRef<int64_t> getTiles(TileLevel level) const;

    /// The number of loops the config describes: the length of its
    /// per-loop arrays, or 0 when it has none.
    int64_t getNumLoops() const;
  }];
}

#endif // LATHE_DIALECTS_SCHED_SCHEDATTRS_TD
