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
