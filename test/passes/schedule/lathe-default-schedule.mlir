// RUN: lathe-opt %s -split-input-file -lathe-default-schedule="vector-bits=512 vector-registers=32 l1-bytes=49152 l2-bytes=2097152" | FileCheck %s --check-prefix=AVX512
// RUN: lathe-opt %s -split-input-file -lathe-default-schedule | FileCheck %s --check-prefix=AVX2

// AVX-512 (16 lanes, 32 registers): NR = 32 (two registers), MR = 8
// (16 accumulators + 2 + 1 <= 32); KC = 128 (the A and B panels,
// (8 + 32) * 128 * 4 bytes, fit half of L1), MC = 64, NC = 64; loops n, m, k.
// AVX2 (8 lanes, 16 registers, the defaults): NR = 16, MR = 4 (8 rows would
// need 19 registers). B is packed in NR-column panels; A is not (N < 1024).
// AVX512-LABEL: func.func @matmul
// AVX512: linalg.matmul {sched.config = #sched.config<tiles = {l2 = [64, 64, 128], register = [8, 32, 1]}, vector = [8, 32, 1], interchange = [1, 0, 2], pack = [#sched.pack<operand = 1, dims = [1], tiles = [32]>]>}
// AVX2-LABEL: func.func @matmul
// AVX2: linalg.matmul {sched.config = #sched.config<tiles = {l2 = [64, 64, 128], register = [4, 16, 1]}, vector = [4, 16, 1], interchange = [1, 0, 2], pack = [#sched.pack<operand = 1, dims = [1], tiles = [16]>]>}
func.func @matmul(%a: tensor<64x128xf32>, %b: tensor<128x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<64x128xf32>, tensor<128x64xf32>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}

// -----

// A config already there (from the tuner or by hand) is kept.
// AVX512-LABEL: func.func @given
// AVX512: sched.config = #sched.config<tiles = {register = [2, 16, 1]}, vector = [2, 16, 1]>
func.func @given(%a: tensor<64x128xf32>, %b: tensor<128x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {register = [2, 16, 1]}, vector = [2, 16, 1]>}
      ins(%a, %b : tensor<64x128xf32>, tensor<128x64xf32>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}

// -----

// N = 12, which no vector register divides: quarter registers (4 lanes)
// for NR, and, one register per row, MR = 16 rows.
// AVX512-LABEL: func.func @narrow
// AVX512: linalg.matmul {sched.config = #sched.config<tiles = {l2 = [64, 12, 128], register = [16, 4, 1]}, vector = [16, 4, 1], interchange = [1, 0, 2], pack = [#sched.pack<operand = 1, dims = [1], tiles = [4]>]>}
// AVX512: linalg.batch_matmul {sched.config = #sched.config<tiles = {outer = [1, 0, 0, 0], l2 = [1, 8, 12, 12], register = [1, 8, 4, 1]}, vector = [1, 8, 4, 1], parallel = [0], interchange = [0, 2, 1, 3], pack = [#sched.pack<operand = 1, dims = [2], tiles = [4]>]>}
func.func @narrow(%a: tensor<64x128xf32>, %b: tensor<128x12xf32>, %c: tensor<64x12xf32>,
                  %e: tensor<2x8x12xf32>) -> (tensor<64x12xf32>, tensor<2x8x12xf32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<64x128xf32>, tensor<128x12xf32>) outs(%c : tensor<64x12xf32>) -> tensor<64x12xf32>
  %t = tensor.empty() : tensor<2x12x12xf32>
  %1 = linalg.batch_matmul ins(%e, %t : tensor<2x8x12xf32>, tensor<2x12x12xf32>) outs(%e : tensor<2x8x12xf32>) -> tensor<2x8x12xf32>
  return %0, %1 : tensor<64x12xf32>, tensor<2x8x12xf32>
}

// -----

// No default where the heuristic has none (f64); it keeps its plain loops.
// AVX512-LABEL: func.func @none
// AVX512-NOT: sched.config
// AVX2-LABEL: func.func @none
// AVX2-NOT: sched.config
func.func @none(%d: tensor<8x8xf64>) -> tensor<8x8xf64> {
  %1 = linalg.matmul ins(%d, %d : tensor<8x8xf64>, tensor<8x8xf64>) outs(%d : tensor<8x8xf64>) -> tensor<8x8xf64>
  return %1 : tensor<8x8xf64>
}

// -----

// Channels-last convolution, loops (n, oh, ow, f, kh, kw, c): a register
// tile of 8 output pixels (the largest divisor of OW = 56 up to 8 that
// fits the registers) by 32 filters (NR), a step of 1 in the window and
// the channels. With AVX2, 16 filters and 6 pixels (7 would need 17 registers;
// 6 does not divide 56, so 4). Threads take blocks of 7 output rows (an
// eighth of OH = 56).
// AVX512-LABEL: func.func @conv
// AVX512: linalg.conv_2d_nhwc_hwcf {{.+}}sched.config = #sched.config<tiles = {outer = [0, 7, 0, 0, 0, 0, 0], register = [1, 1, 8, 32, 1, 1, 1]}, vector = [1, 1, 8, 32, 1, 1, 1], parallel = [1]>
// AVX2-LABEL: func.func @conv
// AVX2: linalg.conv_2d_nhwc_hwcf {{.+}}sched.config = #sched.config<tiles = {outer = [0, 7, 0, 0, 0, 0, 0], register = [1, 1, 4, 16, 1, 1, 1]}, vector = [1, 1, 4, 16, 1, 1, 1], parallel = [1]>
func.func @conv(%x: tensor<1x58x58x64xf32>, %w: tensor<3x3x64x64xf32>, %c: tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x58x58x64xf32>, tensor<3x3x64x64xf32>) outs(%c : tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32>
  return %0 : tensor<1x56x56x64xf32>
}

// -----

// A batch_matmul is scheduled as a matmul per batch: loops (b, m, n, k),
// one batch per tile, the loops in the order b, n, m, k. N is one column
// panel (NC = 128), so threads take the two row blocks of A (MC = 64); in
// @narrow above, with one block of each, they take batches.
// AVX512-LABEL: func.func @batched
// AVX512: linalg.batch_matmul {sched.config = #sched.config<tiles = {outer = [0, 64, 0, 0], l2 = [1, 64, 128, 64], register = [1, 8, 32, 1]}, vector = [1, 8, 32, 1], parallel = [1], interchange = [0, 2, 1, 3], pack = [#sched.pack<operand = 1, dims = [2], tiles = [32]>]>}
func.func @batched(%a: tensor<12x128x64xf32>, %b: tensor<12x64x128xf32>, %c: tensor<12x128x128xf32>) -> tensor<12x128x128xf32> {
  %0 = linalg.batch_matmul ins(%a, %b : tensor<12x128x64xf32>, tensor<12x64x128xf32>) outs(%c : tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
  return %0 : tensor<12x128x128xf32>
}

// -----

// Transposes are vector copies. One that moves the innermost dimension
// copies 16x16 blocks of the dimensions it reads and writes contiguously;
// larger than half of L2 (here 2 MB of 4 MB) the blocks are also its cache
// tiles, smaller (it stays in L2) they are not. One that keeps the innermost
// dimension copies rows of up to four vectors (the largest divisor of 40 up
// to 64 is 40).
// AVX512-LABEL: func.func @transposes
// AVX512: linalg.transpose {{.+}} permutation = [0, 3, 1, 2]  {sched.config = #sched.config<tiles = {l2 = [1, 16, 1, 16], register = [1, 16, 1, 16]}, vector = [1, 16, 1, 16]>}
// AVX512: linalg.transpose {{.+}} permutation = [0, 3, 1, 2]  {sched.config = #sched.config<tiles = {register = [1, 16, 1, 8]}, vector = [1, 16, 1, 8]>}
// AVX512: linalg.transpose {{.+}} permutation = [1, 0, 2]  {sched.config = #sched.config<tiles = {register = [1, 1, 40]}, vector = [1, 1, 40]>}
func.func @transposes(%x: tensor<1x64x64x128xf32>, %y: tensor<1x128x64x64xf32>,
                      %s: tensor<1x8x8x16xf32>, %t: tensor<1x16x8x8xf32>,
                      %u: tensor<3x5x40xf32>, %v: tensor<5x3x40xf32>) -> (tensor<1x128x64x64xf32>, tensor<1x16x8x8xf32>, tensor<5x3x40xf32>) {
  %0 = linalg.transpose ins(%x : tensor<1x64x64x128xf32>) outs(%y : tensor<1x128x64x64xf32>) permutation = [0, 3, 1, 2]
  %1 = linalg.transpose ins(%s : tensor<1x8x8x16xf32>) outs(%t : tensor<1x16x8x8xf32>) permutation = [0, 3, 1, 2]
  %2 = linalg.transpose ins(%u : tensor<3x5x40xf32>) outs(%v : tensor<5x3x40xf32>) permutation = [1, 0, 2]
  return %0, %1, %2 : tensor<1x128x64x64xf32>, tensor<1x16x8x8xf32>, tensor<5x3x40xf32>
}

// -----

// A is packed too where N (1024 here) reuses each of its panels enough to
// pay for the copy, or when it is a constant.
// AVX512-LABEL: func.func @wide
// AVX512: linalg.matmul {sched.config = {{.+}}pack = [#sched.pack<operand = 0, dims = [0], tiles = [8]>, #sched.pack<operand = 1, dims = [1], tiles = [32]>]>}
// AVX512: linalg.matmul {sched.config = {{.+}}pack = [#sched.pack<operand = 0, dims = [0], tiles = [8]>, #sched.pack<operand = 1, dims = [1], tiles = [32]>]>}
func.func @wide(%a: tensor<64x128xf32>, %b: tensor<128x1024xf32>, %c: tensor<64x1024xf32>, %d: tensor<128x64xf32>, %e: tensor<64x64xf32>) -> (tensor<64x1024xf32>, tensor<64x64xf32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<64x128xf32>, tensor<128x1024xf32>) outs(%c : tensor<64x1024xf32>) -> tensor<64x1024xf32>
  %k = arith.constant dense<1.0> : tensor<64x128xf32>
  %1 = linalg.matmul ins(%k, %d : tensor<64x128xf32>, tensor<128x64xf32>) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %0, %1 : tensor<64x1024xf32>, tensor<64x64xf32>
}

// -----

// A copy (im2col's strided windows) is a vector copy of rows of up to four
// vectors: 48 channels in one vector<48xf32> per pixel.
// AVX512-LABEL: func.func @copy
// AVX512: linalg.copy {sched.config = #sched.config<tiles = {register = [1, 1, 1, 48]}, vector = [1, 1, 1, 48]>}
func.func @copy(%x: tensor<1x8x8x48xf32>, %y: tensor<1x4x4x48xf32>) -> tensor<1x4x4x48xf32> {
  %s = tensor.extract_slice %x[0, 0, 0, 0] [1, 4, 4, 48] [1, 2, 2, 1] : tensor<1x8x8x48xf32> to tensor<1x4x4x48xf32>
  %0 = linalg.copy ins(%s : tensor<1x4x4x48xf32>) outs(%y : tensor<1x4x4x48xf32>) -> tensor<1x4x4x48xf32>
  return %0 : tensor<1x4x4x48xf32>
}

// -----

// Elementwise ops (a fill, an arith epilogue, a math function with a vector
// lowering) are vectors of up to four registers along the innermost loop
// (the bias broadcast along it too). Not ones on booleans (bits in a
// vector, bytes in memory) nor ones calling math functions without a
// vector lowering, which keep their loops.
// AVX512-LABEL: func.func @elementwise
// AVX512: linalg.fill {sched.config = #sched.config<tiles = {register = [1, 1, 1, 64]}, vector = [1, 1, 1, 64]>}
// AVX512: linalg.generic {{.+}}sched.config = #sched.config<tiles = {register = [1, 1, 1, 64]}, vector = [1, 1, 1, 64]>
// AVX512: arith.addf
// AVX512: arith.maximumf
// AVX512: linalg.generic {{.+}}sched.config = #sched.config<tiles = {register = [1, 1, 1, 64]}, vector = [1, 1, 1, 64]>
// AVX512: math.exp
// AVX512: linalg.generic
// AVX512-NOT: sched.config
// AVX512: math.sin
// AVX512: linalg.generic
// AVX512-NOT: sched.config
// AVX512: arith.cmpf
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d3)>
func.func @elementwise(%x: tensor<1x4x4x128xf32>, %b: tensor<128xf32>) -> (tensor<1x4x4x128xf32>, tensor<1x4x4x128xf32>, tensor<1x4x4x128xi1>, tensor<1x4x4x128xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x128xf32>) -> tensor<1x4x4x128xf32>
  %0 = linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %b : tensor<1x4x4x128xf32>, tensor<128xf32>) outs(%f : tensor<1x4x4x128xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x128xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x4x128xf32>) outs(%e : tensor<1x4x4x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x128xf32>
  %3 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x4x128xf32>) outs(%e : tensor<1x4x4x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.sin %in : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x128xf32>
  %eb = tensor.empty() : tensor<1x4x4x128xi1>
  %2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x4x128xf32>) outs(%eb : tensor<1x4x4x128xi1>) {
  ^bb0(%in: f32, %out: i1):
    %r = arith.cmpf olt, %in, %zero : f32
    linalg.yield %r : i1
  } -> tensor<1x4x4x128xi1>
  return %0, %1, %2, %3 : tensor<1x4x4x128xf32>, tensor<1x4x4x128xf32>, tensor<1x4x4x128xi1>, tensor<1x4x4x128xf32>
}

// -----

// Channels-last depthwise, loops (n, oh, ow, c, kh, kw): OWr = 7 pixels
// (8 would need 2 * 8 * 2 + 2 = 34 registers) by 32 channels (NR).
// AVX512-LABEL: func.func @depthwise
// AVX512: linalg.depthwise_conv_2d_nhwc_hwc {{.+}}sched.config = #sched.config<tiles = {outer = [0, 7, 0, 0, 0, 0], register = [1, 1, 7, 32, 1, 1]}, vector = [1, 1, 7, 32, 1, 1], parallel = [1]>
func.func @depthwise(%x: tensor<1x114x114x96xf32>, %w: tensor<3x3x96xf32>, %c: tensor<1x56x56x96xf32>) -> tensor<1x56x56x96xf32> {
  %0 = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : tensor<1x114x114x96xf32>, tensor<3x3x96xf32>) outs(%c : tensor<1x56x56x96xf32>) -> tensor<1x56x56x96xf32>
  return %0 : tensor<1x56x56x96xf32>
}

// A channels-last max pool has the depthwise loops (n, oh, ow, c, kh, kw)
// and tiles the same way: 7 pixels by 32 channels.
// AVX512-LABEL: func.func @maxpool
// AVX512: linalg.pooling_nhwc_max {{.+}}sched.config = #sched.config<tiles = {outer = [0, 7, 0, 0, 0, 0], register = [1, 1, 7, 32, 1, 1]}, vector = [1, 1, 7, 32, 1, 1], parallel = [1]>
func.func @maxpool(%x: tensor<1x114x114x64xf32>, %c: tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32> {
  %k = tensor.empty() : tensor<3x3xf32>
  %0 = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %k : tensor<1x114x114x64xf32>, tensor<3x3xf32>) outs(%c : tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32>
  return %0 : tensor<1x56x56x64xf32>
}
