// RUN: lathe-opt %s -split-input-file -lathe-tile -lathe-fuse-epilogue | FileCheck %s

// The reduction is whole in each register tile (no cache tile splits k):
// the epilogue (bias add, relu) runs on the 4x16 register tile right after
// its k loop, in place, before the tile is inserted; the nest's result is
// the function's result.
// CHECK-LABEL: func.func @register_tile
// CHECK: %[[NEST:.+]] = scf.for %{{.+}} step %c4
// CHECK: scf.for %{{.+}} step %c16
// CHECK: %[[ACC:.+]] = scf.for %{{.+}} step %c1
// CHECK: linalg.matmul {{.+}}sched.tiled
// CHECK: %[[BIAS:.+]] = tensor.extract_slice %{{.+}} [16] [1] : tensor<32xf32> to tensor<16xf32>
// CHECK: %[[EPI:.+]] = linalg.generic {{.+}} ins(%[[BIAS]] : tensor<16xf32>) outs(%[[ACC]] : tensor<4x16xf32>) attrs = {sched.config = #sched.config<tiles = {register = [4, 16]}, vector = [4, 16]>, sched.tiled}
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: tensor.insert_slice %[[EPI]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[NEST]]
#bias = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @register_tile(%a: tensor<16x8xf32>, %b: tensor<8x32xf32>, %c: tensor<16x32xf32>, %bias: tensor<32xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %mm = linalg.matmul {sched.config = #sched.config<tiles = {register = [4, 16, 1]}, vector = [4, 16, 1]>}
      ins(%a, %b : tensor<16x8xf32>, tensor<8x32xf32>) outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
  %e = tensor.empty() : tensor<16x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bias : tensor<16x32xf32>, tensor<32xf32>) outs(%e : tensor<16x32xf32>)
      attrs = {sched.config = #sched.config<tiles = {register = [1, 16]}, vector = [1, 16]>} {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

// Cache tiles split k into 4 steps, so no tile inside the threads' loop is
// complete before the k loop ends: the epilogue runs on each thread's 8x32
// tile, after the nest's k loop, tiled by its own register tiles (1x16).
// CHECK-LABEL: func.func @thread_tile
// CHECK: scf.forall (%{{.+}}) = (0) to (16) step (8) shared_outs
// CHECK: %[[BLOCK:.+]] = scf.for %{{.+}} step %c8
// CHECK: linalg.matmul {{.+}}sched.tiled
// CHECK: %[[EPI:.+]] = scf.for %{{.+}} = %c0{{.*}} to %c8{{.*}} step %c1{{.*}} iter_args(%{{.+}} = %[[BLOCK]]) -> (tensor<8x32xf32>)
// CHECK: scf.for
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<1x16xf32>) attrs = {sched.config = #sched.config<tiles = {register = [1, 16]}, vector = [1, 16]>, sched.tiled}
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[EPI]]
#bias = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @thread_tile(%a: tensor<16x32xf32>, %b: tensor<32x32xf32>, %c: tensor<16x32xf32>, %bias: tensor<32xf32>) -> tensor<16x32xf32> {
  %mm = linalg.matmul {sched.config = #sched.config<tiles = {outer = [8, 0, 0], l2 = [8, 32, 8], register = [4, 16, 1]}, vector = [4, 16, 1], parallel = [0]>}
      ins(%a, %b : tensor<16x32xf32>, tensor<32x32xf32>) outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
  %e = tensor.empty() : tensor<16x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bias : tensor<16x32xf32>, tensor<32xf32>) outs(%e : tensor<16x32xf32>)
      attrs = {sched.config = #sched.config<tiles = {register = [1, 16]}, vector = [1, 16]>} {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

// No complete tile (k split, no thread tiles): the epilogue stays after
// the nest, tiled by its own config.
// CHECK-LABEL: func.func @no_complete_tile
// CHECK: %[[NEST:.+]] = scf.for
// CHECK: linalg.matmul {{.+}}sched.tiled
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (tensor<16x32xf32>)
// CHECK: scf.for
// CHECK: tensor.extract_slice %[[NEST]]
// CHECK: linalg.generic {{.+}}sched.tiled
#bias = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @no_complete_tile(%a: tensor<16x32xf32>, %b: tensor<32x32xf32>, %c: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %mm = linalg.matmul {sched.config = #sched.config<tiles = {l2 = [8, 32, 8], register = [4, 16, 1]}, vector = [4, 16, 1]>}
      ins(%a, %b : tensor<16x32xf32>, tensor<32x32xf32>) outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
  %e = tensor.empty() : tensor<16x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>)
      attrs = {sched.config = #sched.config<tiles = {register = [1, 16]}, vector = [1, 16]>} {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

// An epilogue that reads its output cannot overwrite the tile in place: it
// is tiled by its own config after the nest.
// CHECK-LABEL: func.func @reads_output
// CHECK: %[[NEST:.+]] = scf.for
// CHECK: linalg.matmul {{.+}}sched.tiled
// CHECK: tensor.extract_slice %[[NEST]]
// CHECK: linalg.generic {{.+}}sched.tiled
#bias = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @reads_output(%a: tensor<16x8xf32>, %b: tensor<8x32xf32>, %c: tensor<16x32xf32>, %d: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %mm = linalg.matmul {sched.config = #sched.config<tiles = {register = [4, 16, 1]}, vector = [4, 16, 1]>}
      ins(%a, %b : tensor<16x8xf32>, tensor<8x32xf32>) outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm : tensor<16x32xf32>) outs(%d : tensor<16x32xf32>)
      attrs = {sched.config = #sched.config<tiles = {register = [1, 16]}, vector = [1, 16]>} {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %o : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

// The accumulator's fill goes into the nest too: each 4x16 register tile
// is filled (zeros) right before its k loop, which accumulates into it;
// the nest starts from the fill's empty tensor.
// CHECK-LABEL: func.func @accumulator_fill
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<16x32xf32>
// CHECK-NOT: linalg.fill
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[EMPTY]])
// CHECK: scf.for {{.+}} step %c16
// CHECK: %[[SLICE:.+]] = tensor.extract_slice %{{.+}} [4, 16] [1, 1] : tensor<16x32xf32> to tensor<4x16xf32>
// CHECK-NEXT: %[[ZERO:.+]] = linalg.fill {sched.config = #sched.config<tiles = {register = [4, 16]}, vector = [4, 16]>, sched.tiled} ins(%{{.+}} : f32) outs(%[[SLICE]] : tensor<4x16xf32>)
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[ZERO]]) -> (tensor<4x16xf32>)
// CHECK: linalg.matmul {{.+}}sched.tiled
func.func @accumulator_fill(%a: tensor<16x8xf32>, %b: tensor<8x32xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %c = linalg.fill {sched.config = #sched.config<tiles = {register = [1, 32]}, vector = [1, 32]>} ins(%zero : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %mm = linalg.matmul {sched.config = #sched.config<tiles = {register = [4, 16, 1]}, vector = [4, 16, 1]>}
      ins(%a, %b : tensor<16x8xf32>, tensor<8x32xf32>) outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %mm : tensor<16x32xf32>
}
