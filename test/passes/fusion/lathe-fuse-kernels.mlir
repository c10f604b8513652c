// RUN: lathe-opt %s -split-input-file -lathe-fuse-kernels | FileCheck %s

// An anchor with its epilogue chain (bias, residual add, relu): one kernel.
// The weight is cloned in (and gone from the graph function); the residual
// is an argument.
// CHECK-LABEL: func.func private @block_k0_conv2d
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
// CHECK-SAME: lathe.kernel = {anchor = "nn.conv2d", ops = ["nn.conv2d", "nn.add", "nn.add", "nn.relu"], workload = "{{[0-9a-f]+}}"}
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK: %[[W:.+]] = nn.constant dense<5.000000e-01> : tensor<2x2x1x1xf32>
// CHECK: %[[B:.+]] = nn.constant dense<1.000000e+00> : tensor<1x2x1x1xf32>
// CHECK: %[[C:.+]] = nn.conv2d %[[X]], %[[W]]
// CHECK: %[[A:.+]] = nn.add %[[C]], %[[B]]
// CHECK: %[[R:.+]] = nn.add %[[A]], %[[X]]
// CHECK: %[[Y:.+]] = nn.relu %[[R]]
// CHECK: return %[[Y]]
// CHECK-LABEL: func.func @block(
// CHECK-NEXT: %[[K:.+]] = call @block_k0_conv2d(%arg0)
// CHECK-NEXT: return %[[K]]
func.func @block(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<0.5> : tensor<2x2x1x1xf32>
  %b = nn.constant dense<1.0> : tensor<1x2x1x1xf32>
  %c = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %a = nn.add %c, %b : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = nn.add %a, %x : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %y = nn.relu %r : tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A pure elementwise chain is one kernel, named after its first op.
// CHECK-LABEL: func.func private @chain_k0_mul
// CHECK-SAME: lathe.kernel = {anchor = "nn.mul", ops = ["nn.mul", "nn.sigmoid", "nn.sub"]
// CHECK-LABEL: func.func @chain(
// CHECK-NEXT: call @chain_k0_mul(%arg0, %arg1)
func.func @chain(%x: tensor<8xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %0 = nn.mul %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.sigmoid %0 : tensor<8xf32>
  %2 = nn.sub %1, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %2 : tensor<8xf32>
}

// -----

// Must not fuse: the matmul result has two users, so it is materialized;
// each user is a kernel of its own.
// CHECK-LABEL: func.func private @shared_k0_matmul
// CHECK-SAME: ops = ["nn.matmul"]
// CHECK-LABEL: func.func private @shared_k1_relu
// CHECK-SAME: ops = ["nn.relu"]
// CHECK-LABEL: func.func private @shared_k2_tanh
// CHECK-SAME: ops = ["nn.tanh"]
// CHECK-LABEL: func.func @shared(
// CHECK: %[[M:.+]] = call @shared_k0_matmul(%arg0, %arg1)
// CHECK: call @shared_k1_relu(%[[M]])
// CHECK: call @shared_k2_tanh(%[[M]])
func.func @shared(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %m = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %r = nn.relu %m : tensor<2x4xf32>
  %t = nn.tanh %m : tensor<2x4xf32>
  return %r, %t : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Must not fuse across a reshape: it stays between the kernels as a view.
// CHECK-LABEL: func.func private @viewed_k0_matmul
// CHECK-SAME: ops = ["nn.matmul"]
// CHECK-LABEL: func.func private @viewed_k1_relu
// CHECK-LABEL: func.func @viewed(
// CHECK: %[[M:.+]] = call @viewed_k0_matmul
// CHECK: %[[R:.+]] = nn.reshape %[[M]] [8]
// CHECK: call @viewed_k1_relu(%[[R]])
func.func @viewed(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<8xf32> {
  %m = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %s = nn.reshape %m [8] : tensor<2x4xf32> -> tensor<8xf32>
  %r = nn.relu %s : tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// A prologue that reads one tensor (a scale by a constant) is recomputed by
// the matmul's kernel; one that reads two tensors is not.
// CHECK-LABEL: func.func private @prologue_k0_matmul
// CHECK-SAME: ops = ["nn.mul", "nn.matmul"]
// CHECK-LABEL: func.func private @prologue_k1_mul
// CHECK-SAME: ops = ["nn.mul"]
// CHECK-LABEL: func.func private @prologue_k2_matmul
// CHECK-SAME: ops = ["nn.matmul"]
func.func @prologue(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<2x3xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %s = nn.constant dense<2.0> : tensor<f32>
  %0 = nn.mul %a, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %1 = nn.matmul %0, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %2 = nn.mul %a, %c : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = nn.matmul %2, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %1, %3 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// An epilogue whose other operand is computed between the anchor and the
// epilogue: the kernel's call goes where its last op was, after the
// kernel computing that operand (k1 is called before k0).
// CHECK-LABEL: func.func @convex(
// CHECK: %[[B:.+]] = call @convex_k1_matmul(%arg0, %arg2)
// CHECK: call @convex_k0_matmul(%arg0, %arg1, %[[B]])
func.func @convex(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = nn.matmul %a, %c : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %2 = nn.add %0, %1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}

// -----

// Ops on zero-size tensors stay where they are.
// CHECK-LABEL: func.func @empty(
// CHECK-NOT: call
// CHECK: nn.relu
func.func @empty(%x: tensor<0x3xf32>) -> tensor<0x3xf32> {
  %0 = nn.relu %x : tensor<0x3xf32>
  return %0 : tensor<0x3xf32>
}

// -----

// Workload keys ignore names and weight values (over 16 elements), not
// shapes or attributes:
// @same's kernel has @first's key, @strided's does not.
// CHECK-LABEL: func.func private @first_k0_conv2d
// CHECK-SAME: workload = "[[KEY:[0-9a-f]+]]"
// CHECK-LABEL: func.func private @same_k0_conv2d
// CHECK-SAME: workload = "[[KEY]]"
// CHECK-LABEL: func.func private @strided_k0_conv2d
// CHECK-NOT: workload = "[[KEY]]"
// CHECK-LABEL: func.func @strided(
func.func @first(%x: tensor<1x4x4x4xf32>) -> tensor<1x5x4x4xf32> {
  %w = nn.constant dense<0.5> : tensor<5x4x1x1xf32>
  %c = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x4x4x4xf32>, tensor<5x4x1x1xf32>) -> tensor<1x5x4x4xf32>
  return %c : tensor<1x5x4x4xf32>
}
func.func @same(%input: tensor<1x4x4x4xf32>) -> tensor<1x5x4x4xf32> {
  %w = nn.constant dense<0.25> : tensor<5x4x1x1xf32>
  %c = nn.conv2d %input, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x4x4x4xf32>, tensor<5x4x1x1xf32>) -> tensor<1x5x4x4xf32>
  return %c : tensor<1x5x4x4xf32>
}
func.func @strided(%x: tensor<1x4x4x4xf32>) -> tensor<1x5x2x2xf32> {
  %w = nn.constant dense<0.5> : tensor<5x4x1x1xf32>
  %c = nn.conv2d %x, %w strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x4x4x4xf32>, tensor<5x4x1x1xf32>) -> tensor<1x5x2x2xf32>
  return %c : tensor<1x5x2x2xf32>
}
