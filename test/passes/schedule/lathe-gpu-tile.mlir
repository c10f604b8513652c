// RUN: lathe-opt %s -split-input-file -lathe-gpu-tile -canonicalize -verify-diagnostics | FileCheck %s

// A matmul under its bias + relu epilogue: the epilogue (the root) is tiled
// into 64x64 blocks (n on x) and 4x4 tiles a thread, and the matmul and
// its accumulator's fill are fused into each thread's tile.
// CHECK-LABEL: func.func @matmul_bias_relu
// CHECK: scf.forall (%[[BM:.+]], %[[BN:.+]]) = (0, 0) to (128, 256) step (64, 64)
// CHECK: scf.forall (%[[TM:.+]], %[[TN:.+]]) = (0, 0) to (64, 64) step (4, 4)
// CHECK: linalg.fill {{.+}} -> tensor<4x4xf32>
// CHECK: linalg.matmul ins({{.+}} : tensor<4x64xf32>, tensor<64x4xf32>) outs({{.+}} : tensor<4x4xf32>)
// CHECK: linalg.generic {{.+}} ins({{.+}} : tensor<4x4xf32>, tensor<4xf32>) {{.+}} sched.tiled
// CHECK: } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
// CHECK-NOT: linalg.matmul
#map = affine_map<(d0, d1) -> (d0, d1)>
#bias = affine_map<(d0, d1) -> (d1)>
func.func @matmul_bias_relu(%a: tensor<128x64xf32>, %b: tensor<64x256xf32>, %bias: tensor<256xf32>) -> tensor<128x256xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x256xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<128x256xf32>) -> tensor<128x256xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x256xf32>) outs(%f : tensor<128x256xf32>) -> tensor<128x256xf32>
  %r = linalg.generic {indexing_maps = [#map, #bias, #map], iterator_types = ["parallel", "parallel"],
      sched.config = #sched.config<gpu = #sched.gpu<block = [64, 64], thread = [4, 4]>>}
      ins(%mm, %bias : tensor<128x256xf32>, tensor<256xf32>) outs(%e : tensor<128x256xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %m = arith.maximumf %s, %cst : f32
    linalg.yield %m : f32
  } -> tensor<128x256xf32>
  return %r : tensor<128x256xf32>
}

// -----

// A matmul as the root: its K loop is stepped by the reduction knob inside
// each thread's 2x4 tile; a loop with no block tile (0) is whole in every
// block, and one split across threads only gets the thread mapping.
// CHECK-LABEL: func.func @matmul_k_steps
// CHECK: scf.forall (%{{.+}}) = (0) to (32) step (8)
// CHECK: scf.forall (%{{.+}}, %{{.+}}) = (0, 0) to (16, 8) step (2, 4)
// CHECK: scf.for %{{.+}} = %c0 to %c64 step %c8
// CHECK: linalg.matmul {{.+}} ins({{.+}} : tensor<2x8xf32>, tensor<8x4xf32>) outs({{.+}} : tensor<2x4xf32>)
// CHECK: } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK: } {mapping = [#gpu.block<x>]}
func.func @matmul_k_steps(%a: tensor<16x64xf32>, %b: tensor<64x32xf32>, %c: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %r = linalg.matmul {sched.config = #sched.config<gpu = #sched.gpu<block = [0, 8, 0], thread = [2, 4, 0], reduction = [0, 0, 8]>>}
      ins(%a, %b : tensor<16x64xf32>, tensor<64x32xf32>) outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

// Nothing split: the whole op is one block of one thread.
// CHECK-LABEL: func.func @one_block
// CHECK: scf.forall (%{{.+}}) = (0) to (4) step (4)
// CHECK: } {mapping = [#gpu.block<x>]}
func.func @one_block(%a: tensor<4x8xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
      iterator_types = ["parallel", "reduction"], sched.config = #sched.config<gpu = #sched.gpu<>>}
      ins(%a : tensor<4x8xf32>) outs(%c : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @reduction_across_threads(%a: tensor<16x64xf32>, %b: tensor<64x32xf32>, %c: tensor<16x32xf32>) -> tensor<16x32xf32> {
  // expected-error @+1 {{#sched.gpu splits loop 2 across blocks or threads, but it is a reduction}}
  %r = linalg.matmul {sched.config = #sched.config<gpu = #sched.gpu<block = [16, 32, 0], thread = [1, 1, 8]>>}
      ins(%a, %b : tensor<16x64xf32>, tensor<64x32xf32>) outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

func.func @block_does_not_divide(%a: tensor<16x64xf32>, %b: tensor<64x30xf32>, %c: tensor<16x30xf32>) -> tensor<16x30xf32> {
  // expected-error @+1 {{#sched.gpu block[1] = 8 does not divide the loop's 30 iterations}}
  %r = linalg.matmul {sched.config = #sched.config<gpu = #sched.gpu<block = [16, 8, 0], thread = [1, 1, 0]>>}
      ins(%a, %b : tensor<16x64xf32>, tensor<64x30xf32>) outs(%c : tensor<16x30xf32>) -> tensor<16x30xf32>
  return %r : tensor<16x30xf32>
}

// -----

func.func @too_many_threads(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  // expected-error @+1 {{#sched.gpu gives a block 4096 threads; at most 1024 are allowed}}
  %r = linalg.matmul {sched.config = #sched.config<gpu = #sched.gpu<block = [64, 64, 0], thread = [1, 1, 0]>>}
      ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}

// -----

func.func @four_split_loops(%a: tensor<2x2x2x2xf32>) -> tensor<2x2x2x2xf32> {
  %e = tensor.empty() : tensor<2x2x2x2xf32>
  // expected-error @+1 {{#sched.gpu splits 4 loops across blocks or threads; a GPU has three dimensions}}
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"], sched.config = #sched.config<gpu = #sched.gpu<block = [1, 1, 1, 1]>>}
      ins(%a : tensor<2x2x2x2xf32>) outs(%e : tensor<2x2x2x2xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<2x2x2x2xf32>
  return %r : tensor<2x2x2x2xf32>
}

// -----

func.func @wrong_loop_count(%a: tensor<16x64xf32>, %b: tensor<64x32xf32>, %c: tensor<16x32xf32>) -> tensor<16x32xf32> {
  // expected-error @+1 {{#sched.gpu has 2 entries per loop for an op of 3 loops}}
  %r = linalg.matmul {sched.config = #sched.config<gpu = #sched.gpu<block = [16, 32]>>}
      ins(%a, %b : tensor<16x64xf32>, tensor<64x32xf32>) outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}
