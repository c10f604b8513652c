// RUN: lathe-opt %s -lathe-globalize-constants | FileCheck %s
// RUN: lathe-opt %s -lathe-globalize-constants=alignment=16 | FileCheck %s --check-prefix=ALIGN

// One global per distinct tensor constant, named and listed in the order
// the module holds them (each new global goes to the top of the module, so
// the last one created comes first); an equal constant in another function
// shares its global. The constants themselves stay for bufferization,
// which finds these globals.
// CHECK: memref.global "private" constant @__constant_2xf32_0 : memref<2xf32> = dense<[3.000000e+00, 4.000000e+00]> {alignment = 64 : i64}
// CHECK-NEXT: memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]> {alignment = 64 : i64}
// CHECK-NOT: memref.global
// CHECK-LABEL: func.func @f
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]>
// CHECK-LABEL: func.func @g
// CHECK: arith.constant dense<[3.000000e+00, 4.000000e+00]>
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]>
// CHECK: arith.constant 5.000000e+00 : f32
// ALIGN: {alignment = 16 : i64}
func.func @f() -> tensor<2xf32> {
  %0 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
func.func @g() -> (tensor<2xf32>, tensor<2xf32>, f32) {
  %0 = arith.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %1 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %2 = arith.constant 5.0 : f32
  return %0, %1, %2 : tensor<2xf32>, tensor<2xf32>, f32
}
