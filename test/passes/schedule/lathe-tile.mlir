// RUN: lathe-opt %s -split-input-file -lathe-tile -verify-diagnostics | FileCheck %s

// l2 tiles [32, 64, 16] in the order n, m, k, then register tiles [8, 32, 1]
// inside: the register-tile op keeps the config and is marked sched.tiled.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.for %[[N:.+]] = %{{.+}} to %{{.+}} step %c64
// CHECK: scf.for %[[M:.+]] = %{{.+}} to %{{.+}} step %c32
// CHECK: scf.for %[[K:.+]] = %{{.+}} to %{{.+}} step %c16
// CHECK: scf.for {{.+}} step %c8
// CHECK: scf.for {{.+}} step %c32
// CHECK: scf.for {{.+}} step %c1
// CHECK: linalg.matmul {sched.config = #sched.config<{{.+}}>, sched.tiled} ins(%{{.+}}, %{{.+}} : tensor<8x1xf32>, tensor<1x32xf32>) outs(%{{.+}} : tensor<8x32xf32>)
func.func @matmul(%a: tensor<64x128xf32>, %b: tensor<128x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {l2 = [32, 64, 16], register = [8, 32, 1]}, vector = [8, 32, 1], interchange = [1, 0, 2]>}
      ins(%a, %b : tensor<64x128xf32>, tensor<128x64xf32>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}

// -----

// Ops without a config are left alone.
// CHECK-LABEL: func.func @plain
// CHECK-NOT: scf.for
// CHECK: linalg.matmul ins
func.func @plain(%a: tensor<4x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = linalg.matmul ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// A config that does not fit the op is an error naming both.
func.func @bad(%a: tensor<4x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+2 {{'linalg.matmul' op sched.config tiles have 2 entries for an op of 3 loops}}
  // expected-error @+1 {{could not be tiled by its sched.config}}
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {register = [2, 2]}>}
      ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Thread tiles: the outer tile of the parallel loop n becomes an
// scf.forall over 64-column panels (its loop order set by nothing else),
// and the l2 and register tiles are tiled inside it as before; each panel
// is written back with a parallel_insert_slice.
// CHECK-LABEL: func.func @threads
// CHECK: scf.forall (%[[N:.+]]) = (0) to (128) step (64) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<64x128xf32>)
// CHECK: scf.for {{.+}} step %c64
// CHECK: scf.for {{.+}} step %c32
// CHECK: scf.for {{.+}} step %c16
// CHECK: scf.for {{.+}} step %c4
// CHECK: scf.for {{.+}} step %c16
// CHECK: scf.for {{.+}} step %c1
// CHECK: linalg.matmul {sched.config = #sched.config<{{.+}}>, sched.tiled} ins(%{{.+}}, %{{.+}} : tensor<4x1xf32>, tensor<1x16xf32>) outs(%{{.+}} : tensor<4x16xf32>)
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %{{.+}} into %[[OUT]][0, %[[N]]] [64, 64] [1, 1]
func.func @threads(%a: tensor<64x48xf32>, %b: tensor<48x128xf32>, %c: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {outer = [0, 64, 0], l2 = [32, 64, 16], register = [4, 16, 1]}, vector = [4, 16, 1], parallel = [1], interchange = [1, 0, 2]>}
      ins(%a, %b : tensor<64x48xf32>, tensor<48x128xf32>) outs(%c : tensor<64x128xf32>) -> tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}

// -----

// Outer tiles of loops that are not parallel are sequential loops inside
// each thread's tile: threads take 32-column panels of n, and step through
// them in 32-row (m) and 16-deep (k) blocks.
// CHECK-LABEL: func.func @threads_and_sequential_outer
// CHECK: scf.forall (%{{.+}}) = (0) to (64) step (32)
// CHECK: scf.for {{.+}} step %c32
// CHECK: scf.for {{.+}} step %c16
// CHECK: scf.for {{.+}} step %c4
// CHECK: linalg.matmul {{.+}} outs(%{{.+}} : tensor<4x16xf32>)
func.func @threads_and_sequential_outer(%a: tensor<64x32xf32>, %b: tensor<32x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {outer = [32, 32, 16], register = [4, 16, 1]}, vector = [4, 16, 1], parallel = [1]>}
      ins(%a, %b : tensor<64x32xf32>, tensor<32x64xf32>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}

// -----

// Parallel loops without outer tiles: threads take the parallel loops' l2
// tiles (32 columns of n).
// CHECK-LABEL: func.func @parallel_without_outer
// CHECK: scf.forall (%{{.+}}) = (0) to (64) step (32)
// CHECK: scf.for {{.+}} step %c16
// CHECK: linalg.matmul {{.+}} outs(%{{.+}} : tensor<4x16xf32>)
func.func @parallel_without_outer(%a: tensor<32x16xf32>, %b: tensor<16x64xf32>, %c: tensor<32x64xf32>) -> tensor<32x64xf32> {
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {l2 = [16, 32, 16], register = [4, 16, 1]}, vector = [4, 16, 1], parallel = [1]>}
      ins(%a, %b : tensor<32x16xf32>, tensor<16x64xf32>) outs(%c : tensor<32x64xf32>) -> tensor<32x64xf32>
  return %0 : tensor<32x64xf32>
}

// -----

// Outer tiles without parallel loops are sequential: no scf.forall.
// CHECK-LABEL: func.func @outer_without_parallel
// CHECK-NOT: scf.forall
// CHECK: scf.for {{.+}} step %c32
// CHECK: linalg.matmul {{.+}} outs(%{{.+}} : tensor<4x16xf32>)
func.func @outer_without_parallel(%a: tensor<32x16xf32>, %b: tensor<16x64xf32>, %c: tensor<32x64xf32>) -> tensor<32x64xf32> {
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {outer = [0, 32, 0], register = [4, 16, 1]}, vector = [4, 16, 1]>}
      ins(%a, %b : tensor<32x16xf32>, tensor<16x64xf32>) outs(%c : tensor<32x64xf32>) -> tensor<32x64xf32>
  return %0 : tensor<32x64xf32>
}

// -----

// A reduction loop cannot run on threads (they would race on the output).
func.func @parallel_reduction(%a: tensor<8x16xf32>, %b: tensor<16x8xf32>, %c: tensor<8x8xf32>) -> tensor<8x8xf32> {
  // expected-error @+2 {{'linalg.matmul' op sched.config parallel loop 2 is a reduction loop; only parallel loops can run on threads}}
  // expected-error @+1 {{could not be tiled by its sched.config}}
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {outer = [0, 0, 8], register = [4, 8, 1]}, parallel = [2]>}
      ins(%a, %b : tensor<8x16xf32>, tensor<16x8xf32>) outs(%c : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}
