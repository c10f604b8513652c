// RUN: lathe-opt %s -lathe-tile -lathe-vectorize -canonicalize | FileCheck %s

// The 8x32 register tile becomes eight FMAs of 32 lanes per step of k; the
// accumulator is read before the k loop, carried through it as a vector
// and written after it (no transfer of C inside the loop).
// CHECK-LABEL: func.func @matmul
// CHECK: %[[ACC:.+]] = vector.transfer_read %{{.+}} : tensor<{{.+}}>, vector<8x32xf32>
// CHECK: %[[SUM:.+]] = scf.for %{{.+}} iter_args(%[[V:.+]] = %[[ACC]]) -> (vector<8x32xf32>)
// CHECK-NOT: vector.transfer_write
// CHECK-COUNT-8: vector.fma {{.+}} : vector<32xf32>
// CHECK-NOT: vector.transfer_write
// CHECK: scf.yield %{{.+}} : vector<8x32xf32>
// CHECK: vector.transfer_write %[[SUM]]
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<64x128xf32>, %b: tensor<128x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = linalg.matmul {sched.config = #sched.config<tiles = {l2 = [32, 64, 16], register = [8, 32, 1]}, vector = [8, 32, 1], interchange = [1, 0, 2]>}
      ins(%a, %b : tensor<64x128xf32>, tensor<128x64xf32>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}
