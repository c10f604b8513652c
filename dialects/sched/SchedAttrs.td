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
    ArrayRefParameter<"PackAttr">:$packs
  );
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
