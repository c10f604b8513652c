// RUN: lathe-opt %s -split-input-file | FileCheck %s
// RUN: lathe-opt %s -split-input-file | lathe-opt -split-input-file | FileCheck %s

// A full GEMM schedule (loops m, n, k): every field, printed in canonical
// order whatever order it was written in.
// CHECK-LABEL: func @gemm_kernel
// CHECK-SAME: sched.config = #sched.config<tiles = {outer = [96, 256, 0], l2 = [96, 256, 512], l1 = [48, 128, 256], register = [4, 16, 1]}, vector = [0, 16, 0], unroll = 4, parallel = [1], interchange = [1, 0, 2], pack = [#sched.pack<operand = 0, dims = [0], tiles = [4]>, #sched.pack<operand = 1, dims = [1], tiles = [16]>]>
func.func @gemm_kernel() attributes {
  sched.config = #sched.config<pack = [#sched.pack<operand = 0, dims = [0], tiles = [4]>,
                                       #sched.pack<operand = 1, dims = [1], tiles = [16]>],
                               interchange = [1, 0, 2], parallel = [1], unroll = 4,
                               vector = [0, 16, 0],
                               tiles = {register = [4, 16, 1], l1 = [48, 128, 256],
                                        outer = [96, 256, 0], l2 = [96, 256, 512]}>} {
  return
}

// -----

// Empty fields and unroll = 1 are left out; an empty config is valid.
// CHECK-LABEL: func @defaults
// CHECK-SAME: sched.config = #sched.config<>
func.func @defaults() attributes {sched.config = #sched.config<unroll = 1>} {
  return
}

// -----

// Only some levels tiled; 0 leaves a loop untiled at a level, so an inner
// tile may exceed an outer 0.
// CHECK-LABEL: func @partial
// CHECK-SAME: #sched.config<tiles = {l3 = [0, 512], register = [8, 8]}, vector = [8, 8]>
func.func @partial() attributes {
  sched.config = #sched.config<tiles = {l3 = [0, 512], register = [8, 8]}, vector = [8, 8]>} {
  return
}

// -----

// Configs are ordinary attributes: an op can carry one too.
// CHECK-LABEL: func @on_op
// CHECK: nn.matmul {{.*}} {sched.config = #sched.config<tiles = {register = [4, 16, 1]}>}
func.func @on_op(%a: tensor<8x8xf32>, %b: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %0 = nn.matmul %a, %b {sched.config = #sched.config<tiles = {register = [4, 16, 1]}>}
      : (tensor<8x8xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}
