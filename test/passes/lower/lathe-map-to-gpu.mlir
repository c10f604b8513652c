// RUN: lathe-opt %s -split-input-file -lathe-map-to-gpu -verify-diagnostics | FileCheck %s

// A kernel's block loop (2 x 4 blocks) around a thread loop of 16 x 8
// threads: a launch whose loops are indexed by the block and thread ids,
// a barrier after the thread loop, and the thread's temporary on its stack.
// CHECK-LABEL: func.func private @k0
// CHECK: gpu.launch blocks(%[[BX:.+]], %[[BY:.+]], %{{.+}}) in (%{{.+}} = %c4, %{{.+}} = %c2, %{{.+}} = %c1) threads(%[[TX:.+]], %[[TY:.+]], %{{.+}}) in (%{{.+}} = %c8, %{{.+}} = %c16, %{{.+}} = %c1{{.*}})
// CHECK-NOT: arith.cmpi
// CHECK: arith.muli %[[BY]]
// CHECK: arith.muli %[[BX]]
// CHECK-NOT: scf.forall
// CHECK: arith.muli %[[TY]]
// CHECK: arith.muli %[[TX]]
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<2x4xf32>
// CHECK-NOT: memref.dealloc
// CHECK: linalg.matmul
// CHECK: gpu.barrier
// CHECK: gpu.terminator
func.func private @k0(%a: memref<64x32xf32>, %b: memref<32x128xf32>, %c: memref<64x128xf32>)
    attributes {lathe.kernel = {anchor = "nn.matmul", ops = ["nn.matmul"], workload = "k0"}} {
  %cst = arith.constant 0.0 : f32
  scf.forall (%i, %j) = (0, 0) to (64, 128) step (32, 32) {
    scf.forall (%ti, %tj) = (0, 0) to (32, 32) step (2, 4) {
      %m = affine.apply affine_map<(d0, d1) -> (d0 + d1)>(%i, %ti)
      %n = affine.apply affine_map<(d0, d1) -> (d0 + d1)>(%j, %tj)
      %sa = memref.subview %a[%m, 0] [2, 32] [1, 1] : memref<64x32xf32> to memref<2x32xf32, strided<[32, 1], offset: ?>>
      %sb = memref.subview %b[0, %n] [32, 4] [1, 1] : memref<32x128xf32> to memref<32x4xf32, strided<[128, 1], offset: ?>>
      %sc = memref.subview %c[%m, %n] [2, 4] [1, 1] : memref<64x128xf32> to memref<2x4xf32, strided<[128, 1], offset: ?>>
      %t = memref.alloc() {alignment = 64 : i64} : memref<2x4xf32>
      linalg.fill ins(%cst : f32) outs(%t : memref<2x4xf32>)
      linalg.matmul ins(%sa, %sb : memref<2x32xf32, strided<[32, 1], offset: ?>>, memref<32x4xf32, strided<[128, 1], offset: ?>>) outs(%t : memref<2x4xf32>)
      linalg.copy ins(%t : memref<2x4xf32>) outs(%sc : memref<2x4xf32, strided<[128, 1], offset: ?>>)
      memref.dealloc %t : memref<2x4xf32>
    } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
  } {mapping = [#gpu.block<y>, #gpu.block<x>]}
  return
}

// -----

// Two thread loops of different sizes in one block: the block is as large
// as the larger (32 threads); the smaller runs on the threads with an
// iteration. A write of the block outside its thread loops runs on thread
// 0, then a barrier. A copy outside any loop (bufferization's) runs in a
// launch of one thread per element, 256 threads a block.
// CHECK-LABEL: func.func private @k1
// CHECK: gpu.launch blocks({{.+}}) in (%{{.+}} = %[[G:.+]], %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) threads(%[[TX:.+]], %[[TY:.+]], %[[TZ:.+]]) in (%{{.+}} = %[[B:.+]], %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}})
// CHECK: %[[X0:.+]] = arith.cmpi eq, %[[TX]], %c0
// CHECK: %[[Y0:.+]] = arith.cmpi eq, %[[TY]], %c0
// CHECK: scf.if
// CHECK-NEXT: linalg.fill
// CHECK: gpu.barrier
// CHECK: %[[IN:.+]] = arith.cmpi ult, %[[TX]], %c16
// CHECK: scf.if %[[IN]]
// CHECK: gpu.barrier
// CHECK-NOT: scf.if
// CHECK: gpu.barrier
// CHECK: gpu.terminator
// CHECK: gpu.launch blocks(%[[CBX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %c1{{.*}}, %{{.+}} = %c1{{.*}}, %{{.+}} = %c1{{.*}}) threads(%[[CTX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %c64{{.*}}, %{{.+}} = %c1{{.*}}, %{{.+}} = %c1{{.*}})
// CHECK: %[[SCALED:.+]] = arith.muli %[[CBX]], %c64
// CHECK: %[[POINT:.+]] = arith.addi %[[SCALED]], %[[CTX]]
// CHECK: %[[INSIDE:.+]] = arith.cmpi ult, %[[POINT]], %c64
// CHECK: scf.if %[[INSIDE]]
// CHECK: %[[I:.+]] = arith.remui %[[POINT]], %c64
// CHECK: memref.subview %{{.+}}[%[[I]]] [1] [1]
// CHECK: linalg.copy ins(%{{.+}} : memref<1xf32, strided<[1], offset: ?>>)
func.func private @k1(%a: memref<64xf32>, %b: memref<64xf32>, %c: memref<64xf32>)
    attributes {lathe.kernel = {anchor = "nn.add", ops = ["nn.add"], workload = "k1"}} {
  %cst = arith.constant 0.0 : f32
  scf.forall (%i) = (0) to (64) step (32) {
    %sb = memref.subview %b[%i] [32] [1] : memref<64xf32> to memref<32xf32, strided<[1], offset: ?>>
    linalg.fill ins(%cst : f32) outs(%sb : memref<32xf32, strided<[1], offset: ?>>)
    scf.forall (%t) in (16) {
      memref.store %cst, %a[%t] : memref<64xf32>
    } {mapping = [#gpu.thread<x>]}
    scf.forall (%t) in (32) {
      memref.store %cst, %b[%t] : memref<64xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  linalg.copy ins(%a : memref<64xf32>) outs(%c : memref<64xf32>)
  return
}

// -----

// A reduction to a scalar has no parallel loop to spread: one thread.
// CHECK-LABEL: func.func private @k4
// CHECK: gpu.launch blocks({{.+}}) in (%{{.+}} = %c1{{.*}}, %{{.+}} = %c1{{.*}}, %{{.+}} = %c1{{.*}}) threads({{.+}}) in (%{{.+}} = %c1{{.*}}, %{{.+}} = %c1{{.*}}, %{{.+}} = %c1{{.*}})
// CHECK-NEXT: linalg.generic
func.func private @k4(%a: memref<64xf32>, %s: memref<f32>)
    attributes {lathe.kernel = {anchor = "nn.reduce_sum", ops = ["nn.reduce_sum"], workload = "k4"}} {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]}
      ins(%a : memref<64xf32>) outs(%s : memref<f32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.addf %x, %o : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// The graph function's copies (an output that is an input) run on the GPU
// too, one thread per element; its calls of kernels stay on the host.
// CHECK-LABEL: func.func @main
// CHECK: call @k5
// CHECK: gpu.launch blocks({{.+}}) threads({{.+}}) in (%{{.+}} = %c64{{.*}}, %{{.+}} = %c1{{.*}}, %{{.+}} = %c1{{.*}})
// CHECK: linalg.copy ins(%{{.+}} : memref<1xf32, strided<[1], offset: ?>>)
func.func private @k5(%a: memref<64xf32>)
func.func @main(%a: memref<64xf32>, %c: memref<64xf32>) {
  call @k5(%a) : (memref<64xf32>) -> ()
  linalg.copy ins(%a : memref<64xf32>) outs(%c : memref<64xf32>)
  return
}

// -----

func.func private @dynamic(%a: memref<?xf32>, %n: index)
    attributes {lathe.kernel = {anchor = "nn.relu", ops = ["nn.relu"], workload = "k2"}} {
  %cst = arith.constant 0.0 : f32
  // expected-error @+1 {{cannot be mapped to GPU blocks: its trip counts must be static and mapped to x, y, z}}
  scf.forall (%i) in (%n) {
    memref.store %cst, %a[%i] : memref<?xf32>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func private @too_many_threads(%a: memref<4096xf32>)
    attributes {lathe.kernel = {anchor = "nn.relu", ops = ["nn.relu"], workload = "k3"}} {
  %cst = arith.constant 0.0 : f32
  // expected-error @+1 {{needs blocks of 2048x1x1 threads; at most 1024 are allowed}}
  scf.forall (%i) in (2) {
    scf.forall (%t) in (2048) {
      memref.store %cst, %a[%t] : memref<4096xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}
