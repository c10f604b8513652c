// RUN: lathe-opt %s -lathe-expand-math-for-gpu=libdevice=true | FileCheck %s
// RUN: lathe-opt %s -lathe-expand-math-for-gpu | FileCheck %s --check-prefix=LIBM

// The math ops convert-gpu-to-nvvm cannot lower become ops it can, acos
// and asin libdevice calls; the others (tanh, erf: libdevice) are left
// alone. Without libdevice, acos and asin are left to the CPU's libm.
// CHECK-DAG: llvm.func @__nv_acosf(f32) -> f32
// CHECK-DAG: llvm.func @__nv_asinf(f32) -> f32
// CHECK-LABEL: func.func @expand
// CHECK-NOT: math.sinh
// CHECK-NOT: math.cosh
// CHECK-NOT: math.asinh
// CHECK-NOT: math.acosh
// CHECK-NOT: math.atanh
// CHECK-NOT: math.round
// CHECK-NOT: math.acos
// CHECK-NOT: math.asin
// CHECK-NOT: math.fma
// CHECK-NOT: math.copysign
// CHECK: llvm.call @__nv_acosf(%{{.+}}) : (f32) -> f32
// CHECK: llvm.call @__nv_asinf(%{{.+}}) : (f32) -> f32
// CHECK: math.tanh
// CHECK: math.erf
// CHECK: return
// LIBM-LABEL: func.func @expand
// LIBM-NOT: math.sinh
// LIBM: math.acos
// LIBM: math.asin
// LIBM-NOT: llvm.call
func.func @expand(%x: f32) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
  %0 = math.sinh %x : f32
  %1 = math.cosh %x : f32
  %2 = math.asinh %x : f32
  %3 = math.acosh %x : f32
  %4 = math.atanh %x : f32
  %5 = math.round %x : f32
  %6 = math.roundeven %x : f32
  %7 = math.acos %x : f32
  %8 = math.asin %x : f32
  %9 = math.copysign %x, %0 : f32
  %10 = math.tanh %x : f32
  %11 = math.erf %x : f32
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11 : f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32
}

// copysign on the bits: the magnitude of one, the sign bit of the other.
// CHECK-LABEL: func.func @copysign
// CHECK-DAG: %[[SIGN:.+]] = arith.constant -2147483648 : i32
// CHECK-DAG: %[[MAG:.+]] = arith.constant 2147483647 : i32
// CHECK: %[[A:.+]] = arith.bitcast %{{.+}} : f32 to i32
// CHECK: %[[AM:.+]] = arith.andi %[[A]], %[[MAG]]
// CHECK: %[[B:.+]] = arith.bitcast %{{.+}} : f32 to i32
// CHECK: %[[BS:.+]] = arith.andi %[[B]], %[[SIGN]]
// CHECK: %[[R:.+]] = arith.ori %[[AM]], %[[BS]]
// CHECK: arith.bitcast %[[R]] : i32 to f32
func.func @copysign(%a: f32, %b: f32) -> f32 {
  %0 = math.copysign %a, %b : f32
  return %0 : f32
}
