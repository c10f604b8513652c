// RUN: lathe-opt %s -lathe-tile -lathe-vectorize -canonicalize | FileCheck %s

// The 8x32 register tile becomes eight FMAs of 32 lanes per step of k; the
// accumulator is read before the k loop, carried through it as a vector
// and written after it (no transfer of C inside the loop).
// CHECK-LABEL: func.func @matmul
// CHECK: %[[ACC:.+]] = vector.transfer_read %{{.+}} : tensor<{{.+}}>, vector<8x32xf32>
// CHECK: %[[SUM:.+]] = scf.for %{{.+}} iter_args(%[[V:.+]] = %[[ACC]]) -> (vector<8x32xf32>)
// CHECK-NOT: vector.transfer_write
// CHECK-COUNT-8: vector.fma {{.+}} : vector<32xf32>
// CHECK-NOT: vector.transfer_write
// CHECK: scf.yield %{{.+}} : vector<8x32xf32>
// CHECK: vector.transfer_write %[[SUM]]
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<64x128xf32>, %b: tensor<128x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {l2 = [32, 64, 16], register = [8, 32, 1]}, vector = [8, 32, 1], interchange = [1, 0, 2]>}
      ins(%a, %b : tensor<64x128xf32>, tensor<128x64xf32>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}

// A channels-last convolution tile (one output row of 8 pixels by 32
// filters): a 1-D convolution whose accumulator is carried through the
// kh, kw and c loops, eight FMAs per input channel.
// CHECK-LABEL: func.func @conv
// CHECK: %[[ACC:.+]] = vector.transfer_read %{{.+}} vector<1x8x32xf32>
// CHECK: scf.for %{{.+}} iter_args(%{{.+}} = %[[ACC]]) -> (vector<1x8x32xf32>)
// CHECK: scf.for
// CHECK: scf.for
// CHECK-NOT: vector.transfer_write
// CHECK-COUNT-8: vector.fma {{.+}} : vector<32xf32>
// CHECK-NOT: linalg.conv
func.func @conv(%x: tensor<1x10x10x16xf32>, %w: tensor<3x3x16x32xf32>, %c: tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
                                 sched.config = #sched.config<tiles = {register = [1, 1, 8, 32, 1, 1, 1]}, vector = [1, 1, 8, 32, 1, 1, 1]>}
      ins(%x, %w : tensor<1x10x10x16xf32>, tensor<3x3x16x32xf32>) outs(%c : tensor<1x8x8x32xf32>) -> tensor<1x8x8x32xf32>
  return %0 : tensor<1x8x8x32xf32>
}

// A channels-last depthwise tile (7 output pixels of stride 2 by 32
// channels): a 1-D depthwise convolution, the accumulators carried through
// the window loops, one FMA of a channel vector per pixel and window step.
// CHECK-LABEL: func.func @depthwise
// CHECK: %[[ACC:.+]] = vector.transfer_read %{{.+}} vector<1x7x32xf32>
// CHECK: scf.for %{{.+}} iter_args(%{{.+}} = %[[ACC]]) -> (vector<1x7x32xf32>)
// CHECK: scf.for
// CHECK: vector.transfer_read {{.+}} vector<1x13x32xf32>
// CHECK-COUNT-7: vector.fma {{.+}} : vector<1x1x32xf32>
// CHECK-NOT: linalg.depthwise
func.func @depthwise(%x: tensor<1x16x16x32xf32>, %w: tensor<3x3x32xf32>, %c: tensor<1x7x7x32xf32>) -> tensor<1x7x7x32xf32> {
  %0 = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>,
                                          sched.config = #sched.config<tiles = {register = [1, 1, 7, 32, 1, 1]}, vector = [1, 1, 7, 32, 1, 1]>}
      ins(%x, %w : tensor<1x16x16x32xf32>, tensor<3x3x32xf32>) outs(%c : tensor<1x7x7x32xf32>) -> tensor<1x7x7x32xf32>
  return %0 : tensor<1x7x7x32xf32>
}

// A channels-last max pool tile: a 1-D pool, the maxima carried through
// the window loops, one vector max per pixel and window step.
// CHECK-LABEL: func.func @maxpool
// CHECK: %[[ACC:.+]] = vector.transfer_read %{{.+}} vector<1x7x32xf32>
// CHECK: scf.for %{{.+}} iter_args(%{{.+}} = %[[ACC]]) -> (vector<1x7x32xf32>)
// CHECK: scf.for
// CHECK: arith.maximumf {{.+}} : vector<1x1x32xf32>
// CHECK-NOT: linalg.pooling
func.func @maxpool(%x: tensor<1x16x16x32xf32>, %c: tensor<1x7x7x32xf32>) -> tensor<1x7x7x32xf32> {
  %k = tensor.empty() : tensor<3x3xf32>
  %0 = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>,
                                sched.config = #sched.config<tiles = {register = [1, 1, 7, 32, 1, 1]}, vector = [1, 1, 7, 32, 1, 1]>}
      ins(%x, %k : tensor<1x16x16x32xf32>, tensor<3x3xf32>) outs(%c : tensor<1x7x7x32xf32>) -> tensor<1x7x7x32xf32>
  return %0 : tensor<1x7x7x32xf32>
}

// A vectorized math function (GELU's erf) becomes an f32 polynomial on the
// vector: no libm call per element is left.
// CHECK-LABEL: func.func @erf
// CHECK: vector.transfer_read {{.+}} vector<1x16xf32>
// CHECK-NOT: math.erf
// CHECK: arith.select {{.+}} : vector<1x16xi1>, vector<1x16xf32>
// CHECK: math.fma {{.+}} : vector<1x16xf32>
// CHECK-NOT: math.erf
// CHECK: vector.transfer_write
#erfmap = affine_map<(d0, d1) -> (d0, d1)>
func.func @erf(%x: tensor<4x32xf32>, %y: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %0 = linalg.generic {indexing_maps = [#erfmap, #erfmap], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x32xf32>) outs(%y : tensor<4x32xf32>)
      attrs = {sched.config = #sched.config<tiles = {register = [1, 16]}, vector = [1, 16]>} {
  ^bb0(%in: f32, %out: f32):
    %e = math.erf %in : f32
    linalg.yield %e : f32
  } -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}

// `unroll = 4` unrolls the loop around the register tile (the k loop) by
// four once its accumulator is carried in registers: 16 steps become 4,
// each with four rows of eight FMAs.
// CHECK-LABEL: func.func @unrolled
// CHECK: scf.for %{{.+}} = %c0 to %c16 step %c4 iter_args(%{{.+}}) -> (vector<8x32xf32>)
// CHECK-COUNT-32: vector.fma {{.+}} : vector<32xf32>
// CHECK-NOT: vector.fma
// CHECK: scf.yield %{{.+}} : vector<8x32xf32>
// CHECK-NOT: sched.unroll
func.func @unrolled(%a: tensor<64x128xf32>, %b: tensor<128x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {l2 = [32, 64, 16], register = [8, 32, 1]}, vector = [8, 32, 1], unroll = 4, interchange = [1, 0, 2]>}
      ins(%a, %b : tensor<64x128xf32>, tensor<128x64xf32>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}
