// RUN: lathe-opt %s -lathe-copy-forwarded-results -split-input-file | FileCheck %s

// An argument returned as a result is copied into its own tensor; every
// tensor argument is read-only for bufferization (never updated in place).
// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32> {bufferization.writable = false})
// CHECK: %[[BUF:.+]] = bufferization.alloc_tensor() : tensor<2x3xf32>
// CHECK: %[[COPY:.+]] = linalg.copy ins(%[[X]] : tensor<2x3xf32>) outs(%[[BUF]] : tensor<2x3xf32>)
// CHECK: return %[[COPY]]
func.func @identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}

// -----

// A value returned twice: the second result is a copy; a computed result
// that appears once is left alone.
// CHECK-LABEL: func.func @twice
// CHECK: %[[Y:.+]] = nn.relu
// CHECK: %[[BUF:.+]] = bufferization.alloc_tensor()
// CHECK: %[[COPY:.+]] = linalg.copy ins(%[[Y]] : tensor<4xf32>) outs(%[[BUF]] : tensor<4xf32>)
// CHECK: return %[[Y]], %[[COPY]]
func.func @twice(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %y = nn.relu %x : tensor<4xf32>
  return %y, %y : tensor<4xf32>, tensor<4xf32>
}
