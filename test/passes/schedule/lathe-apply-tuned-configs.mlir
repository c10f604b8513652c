// RUN: rm -rf %t && mkdir -p %t
// RUN: lathe db import %S/Inputs/tuned-configs.jsonl --db %t/db
// RUN: lathe-opt %s -split-input-file -verify-diagnostics -lathe-apply-tuned-configs="db=%t/db target=test-triple/test-cpu/256" | FileCheck %s
// Without a database, nothing changes; a missing one is an error naming it.
// RUN: lathe-opt %s -split-input-file -lathe-apply-tuned-configs | FileCheck %s --check-prefix=NODB
// RUN: not lathe-opt %s -split-input-file -lathe-apply-tuned-configs="db=%t/missing.db target=test-triple/test-cpu/256" 2>&1 | FileCheck %s --check-prefix=MISSING -DDB=%t/missing.db
// MISSING: error: tuning database '[[DB]]' does not exist

// The record of workload ...aa on the target goes to the kernel's anchor,
// the matmul (the last op with reduction loops), not to the fill before it;
// the kernel is marked sched.tuned. Workload ...bb has a record of another
// target only: its kernel is left alone.
// CHECK-LABEL: func.func private @main_k0_matmul
// CHECK-SAME:    sched.tuned
// CHECK:         linalg.fill ins
// CHECK:         linalg.matmul {sched.config = #sched.config<tiles = {l2 = [4, 32, 16], register = [2, 16, 1]}, vector = [2, 16, 1], interchange = [1, 0, 2]>}
// CHECK-LABEL: func.func private @main_k1_matmul
// CHECK-NOT:     sched.tuned
// CHECK-NOT:     sched.config
// CHECK:         return
// NODB-NOT: sched.config
// NODB-NOT: sched.tuned
func.func private @main_k0_matmul(%a: tensor<8x16xf32>, %b: tensor<16x32xf32>) -> tensor<8x32xf32>
    attributes {lathe.kernel = {anchor = "nn.matmul", ops = ["nn.matmul"], workload = "00000000000000aa"}} {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<8x32xf32>) -> tensor<8x32xf32>
  %c = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x32xf32>) outs(%acc : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}
func.func private @main_k1_matmul(%a: tensor<8x16xf32>, %b: tensor<16x32xf32>) -> tensor<8x32xf32>
    attributes {lathe.kernel = {anchor = "nn.matmul", ops = ["nn.matmul"], workload = "00000000000000bb"}} {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<8x32xf32>) -> tensor<8x32xf32>
  %c = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x32xf32>) outs(%acc : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// -----

// A config with four loops for the three of a matmul, and one that does not
// parse: warnings naming the kernel, the workload and the database, and the
// kernels keep no config (the default schedule gives them one).
// CHECK-LABEL: func.func private @main_k0_matmul
// CHECK-NOT:     sched.tuned
// CHECK-NOT:     sched.config
// CHECK-LABEL: func.func private @main_k1_matmul
// CHECK-NOT:     sched.tuned
// CHECK-NOT:     sched.config
// CHECK:         return
// expected-warning @+1 {{kernel @main_k0_matmul (workload 00000000000000dd): ignoring record 3 of tuning database}}
func.func private @main_k0_matmul(%a: tensor<8x16xf32>, %b: tensor<16x32xf32>) -> tensor<8x32xf32>
    attributes {lathe.kernel = {anchor = "nn.matmul", ops = ["nn.matmul"], workload = "00000000000000dd"}} {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<8x32xf32>) -> tensor<8x32xf32>
  %c = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x32xf32>) outs(%acc : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}
// expected-warning @+1 {{kernel @main_k1_matmul (workload 00000000000000ee): ignoring record 4 of tuning database}}
func.func private @main_k1_matmul(%a: tensor<8x16xf32>, %b: tensor<16x32xf32>) -> tensor<8x32xf32>
    attributes {lathe.kernel = {anchor = "nn.matmul", ops = ["nn.matmul"], workload = "00000000000000ee"}} {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<8x32xf32>) -> tensor<8x32xf32>
  %c = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x32xf32>) outs(%acc : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}
