// RUN: lathe-opt %s -lathe-gpu-default-schedule | FileCheck %s
// RUN: lathe-opt %s -lathe-gpu-default-schedule=max-threads-per-block=64 | FileCheck %s --check-prefix=SMALL

// A matmul under its epilogue: the epilogue is the root; 16x16 threads of
// 4x4 outputs, n on x.
// CHECK-LABEL: func.func private @k0_matmul
// CHECK: linalg.matmul ins
// CHECK: linalg.generic {{.+}}sched.config = #sched.config<gpu = #sched.gpu<block = [64, 64], thread = [4, 4]>>
// With at most 64 threads a block: 16 along n, 4 along m.
// SMALL-LABEL: func.func private @k0_matmul
// SMALL: sched.config = #sched.config<gpu = #sched.gpu<block = [16, 64], thread = [4, 4]>>
#map = affine_map<(d0, d1) -> (d0, d1)>
#bias = affine_map<(d0, d1) -> (d1)>
func.func private @k0_matmul(%a: tensor<128x64xf32>, %b: tensor<64x256xf32>, %bias: tensor<256xf32>) -> tensor<128x256xf32>
    attributes {lathe.kernel = {anchor = "nn.matmul", ops = ["nn.matmul", "nn.add"], workload = "k0"}} {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x256xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<128x256xf32>) -> tensor<128x256xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x256xf32>) outs(%f : tensor<128x256xf32>) -> tensor<128x256xf32>
  %r = linalg.generic {indexing_maps = [#map, #bias, #map], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bias : tensor<128x256xf32>, tensor<256xf32>) outs(%e : tensor<128x256xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<128x256xf32>
  return %r : tensor<128x256xf32>
}

// An elementwise kernel on NCHW, seen through the reshape it returns:
// w on x (4 a thread, 14 threads), h on y (14 threads), c on z (one a
// block); the batch loop of 1 is not split.
// CHECK-LABEL: func.func private @k1_relu
// CHECK: linalg.generic {{.+}}sched.config = #sched.config<gpu = #sched.gpu<block = [0, 1, 14, 56], thread = [0, 1, 1, 4]>>
// CHECK: tensor.collapse_shape
func.func private @k1_relu(%a: tensor<1x64x56x56xf32>) -> tensor<64x3136xf32>
    attributes {lathe.kernel = {anchor = "nn.relu", ops = ["nn.relu"], workload = "k1"}} {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x64x56x56xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a : tensor<1x64x56x56xf32>) outs(%e : tensor<1x64x56x56xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %cst : f32
    linalg.yield %m : f32
  } -> tensor<1x64x56x56xf32>
  %c = tensor.collapse_shape %r [[0, 1], [2, 3]] : tensor<1x64x56x56xf32> into tensor<64x3136xf32>
  return %c : tensor<64x3136xf32>
}

// A config already there (the tuner's or the user's) is kept.
// CHECK-LABEL: func.func private @k2_given
// CHECK: sched.config = #sched.config<gpu = #sched.gpu<block = [8]>>
func.func private @k2_given(%a: tensor<16xf32>) -> tensor<16xf32>
    attributes {lathe.kernel = {anchor = "nn.neg", ops = ["nn.neg"], workload = "k2"}} {
  %e = tensor.empty() : tensor<16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"],
      sched.config = #sched.config<gpu = #sched.gpu<block = [8]>>}
      ins(%a : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  } -> tensor<16xf32>
  return %r : tensor<16xf32>
}

// Functions that are not kernels are left alone.
// CHECK-LABEL: func.func @main
// CHECK-NOT: sched.config
func.func @main(%a: tensor<16xf32>) -> tensor<16xf32> {
  %e = tensor.empty() : tensor<16xf32>
  %r = linalg.copy ins(%a : tensor<16xf32>) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  return %r : tensor<16xf32>
}
