// RUN: lathe-opt %s -split-input-file -lathe-pack -verify-diagnostics | FileCheck %s
// RUN: lathe-opt %s -split-input-file -lathe-pack -lathe-default-schedule="vector-bits=512 vector-registers=32" -lathe-tile -lathe-vectorize -canonicalize -verify-diagnostics | FileCheck %s --check-prefix=VEC

// A packed in 8-row panels ([M/8][K][8]) and B in 32-column panels
// ([N/32][K][32]) at run time: a reshape and a transpose each. C is only
// reshaped to [M/8][8][N/32][32]. The generic's loops are (m/8, n/32, k,
// m%8, n%32); the config's tiles of m and n are divided by the pack tiles,
// the inner loops come last, whole, in the interchange too.
// CHECK-DAG: #[[$MA:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3)>
// CHECK-DAG: #[[$MB:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d4)>
// CHECK-DAG: #[[$MC:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1, d4)>
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.+]]: tensor<64x128xf32>, %[[B:.+]]: tensor<128x64xf32>, %[[C:.+]]: tensor<64x64xf32>)
// CHECK: %[[AE:.+]] = tensor.expand_shape %[[A]] {{\[}}[0, 1], [2]] output_shape [8, 8, 128]
// CHECK: %[[AP:.+]] = linalg.transpose ins(%[[AE]] : tensor<8x8x128xf32>) outs(%{{.+}} : tensor<8x128x8xf32>) permutation = [0, 2, 1]
// CHECK: %[[BE:.+]] = tensor.expand_shape %[[B]] {{\[}}[0], [1, 2]] output_shape [128, 2, 32]
// CHECK: %[[BP:.+]] = linalg.transpose ins(%[[BE]] : tensor<128x2x32xf32>) outs(%{{.+}} : tensor<2x128x32xf32>) permutation = [1, 0, 2]
// CHECK: %[[CE:.+]] = tensor.expand_shape %[[C]] {{\[}}[0, 1], [2, 3]] output_shape [8, 8, 2, 32]
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[$MA]], #[[$MB]], #[[$MC]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel"]
// CHECK-SAME: ins(%[[AP]], %[[BP]] : tensor<8x128x8xf32>, tensor<2x128x32xf32>) outs(%[[CE]] : tensor<8x8x2x32xf32>)
// CHECK-SAME: sched.config = #sched.config<tiles = {l2 = [4, 2, 16, 0, 0], register = [1, 1, 1, 0, 0]}, vector = [1, 1, 1, 8, 32], interchange = [1, 0, 2, 3, 4]>
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[OUT:.+]] = tensor.collapse_shape %[[R]] {{\[}}[0, 1], [2, 3]] : tensor<8x8x2x32xf32> into tensor<64x64xf32>
// CHECK: return %[[OUT]]

// The packed op still becomes the 8x32 register tile of FMAs, reading A's
// 8 values as one vector and B's 32 as one, the accumulator carried
// through the k loop.
// VEC-LABEL: func.func @matmul
// VEC: scf.for {{.+}} -> (vector<1x8x1x32xf32>)
// VEC: vector.transfer_read {{.+}} : tensor<8x128x8xf32>, vector<1x1x8xf32>
// VEC: vector.transfer_read {{.+}} : tensor<2x128x32xf32>, vector<1x1x32xf32>
// VEC-COUNT-8: vector.fma {{.+}} : vector<32xf32>
// VEC-NOT: linalg.generic
func.func @matmul(%a: tensor<64x128xf32>, %b: tensor<128x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {l2 = [32, 64, 16], register = [8, 32, 1]}, vector = [8, 32, 1], interchange = [1, 0, 2],
                                                   pack = [#sched.pack<operand = 0, dims = [0], tiles = [8]>, #sched.pack<operand = 1, dims = [1], tiles = [32]>]>}
      ins(%a, %b : tensor<64x128xf32>, tensor<128x64xf32>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}

// -----

// A constant B (a weight) is packed now, at compile time: B[k][n] becomes
// Bp[n/2][k][n%2]; no transpose is left to run.
// CHECK-LABEL: func.func @weights
// CHECK: arith.constant dense<{{\[}}{{\[}}[0.000000e+00, 1.000000e+00], [4.000000e+00, 5.000000e+00]], {{\[}}[2.000000e+00, 3.000000e+00], [6.000000e+00, 7.000000e+00]]]> : tensor<2x2x2xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic
// CHECK-SAME: sched.config = #sched.config<tiles = {register = [1, 1, 1, 0]}, vector = [1, 1, 1, 2]>
func.func @weights(%a: tensor<3x2xf32>, %c: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %b = arith.constant dense<[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]> : tensor<2x4xf32>
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {register = [1, 2, 1]}, vector = [1, 2, 1], pack = [#sched.pack<operand = 1, dims = [1], tiles = [2]>]>}
      ins(%a, %b : tensor<3x2xf32>, tensor<2x4xf32>) outs(%c : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// A batch_matmul packs per batch: B[b][k][n] becomes [b][n/4][k][4] (the
// batch stays outermost only as one of the "other" dims: packed blocks
// first), C[b][m][n] is viewed as [b][m][n/4][4].
// CHECK-LABEL: func.func @batched
// CHECK: linalg.transpose ins(%{{.+}} : tensor<2x3x2x4xf32>) outs(%{{.+}} : tensor<2x2x3x4xf32>) permutation = [2, 0, 1, 3]
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<2x5x2x4xf32>)
func.func @batched(%a: tensor<2x5x3xf32>, %b: tensor<2x3x8xf32>, %c: tensor<2x5x8xf32>) -> tensor<2x5x8xf32> {
  %0 = linalg.batch_matmul {sched.config = #sched.config<tiles = {register = [1, 1, 4, 1]}, vector = [1, 1, 4, 1], pack = [#sched.pack<operand = 1, dims = [2], tiles = [4]>]>}
      ins(%a, %b : tensor<2x5x3xf32>, tensor<2x3x8xf32>) outs(%c : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  return %0 : tensor<2x5x8xf32>
}

// -----

// A pack tile that does not divide its loop is an error naming both.
func.func @uneven(%a: tensor<6x4xf32>, %b: tensor<4x4xf32>, %c: tensor<6x4xf32>) -> tensor<6x4xf32> {
  // expected-error @+2 {{sched.config pack tile 4 does not divide loop 0 (size 6)}}
  // expected-error @+1 {{could not be packed by its sched.config}}
  %0 = linalg.matmul {sched.config = #sched.config<pack = [#sched.pack<operand = 0, dims = [0], tiles = [4]>]>}
      ins(%a, %b : tensor<6x4xf32>, tensor<4x4xf32>) outs(%c : tensor<6x4xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Packing the result is not supported (it would need an unpack).
func.func @result(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+2 {{sched.config packs operand 2, which is not an input (the op has 2)}}
  // expected-error @+1 {{could not be packed by its sched.config}}
  %0 = linalg.matmul {sched.config = #sched.config<pack = [#sched.pack<operand = 2, dims = [0], tiles = [2]>]>}
      ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// A tile of a packed loop that is not a multiple of its pack tile.
func.func @tiles(%a: tensor<8x4xf32>, %b: tensor<4x8xf32>, %c: tensor<8x8xf32>) -> tensor<8x8xf32> {
  // expected-error @+2 {{sched.config tiles of a packed loop are not multiples of its pack tile}}
  // expected-error @+1 {{could not be packed by its sched.config}}
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {register = [2, 2, 1]}, pack = [#sched.pack<operand = 1, dims = [1], tiles = [4]>]>}
      ins(%a, %b : tensor<8x4xf32>, tensor<4x8xf32>) outs(%c : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}

// -----

// A convolution's input is indexed by ow + kw: packing ow is refused.
func.func @conv(%x: tensor<1x6x6x4xf32>, %w: tensor<3x3x4x4xf32>, %c: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{could not be packed by its sched.config}}
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
      // expected-error @-1 {{sched.config packs a loop that operand 0 indexes by a compound expression (result 2 of its indexing map}}
      sched.config = #sched.config<pack = [#sched.pack<operand = 0, dims = [2], tiles = [2]>]>}
      ins(%x, %w : tensor<1x6x6x4xf32>, tensor<3x3x4x4xf32>) outs(%c : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}
