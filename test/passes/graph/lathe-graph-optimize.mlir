// RUN: lathe-opt %s -split-input-file -lathe-graph-optimize=conv-layout=nhwc | FileCheck %s --check-prefix=LAYOUT
// RUN: lathe-opt %s -split-input-file -lathe-graph-optimize | FileCheck %s
// RUN: lathe-opt %s -split-input-file -lathe-graph-optimize=max-fold-elements=2 | FileCheck %s --check-prefix=LIMIT

// Identity ops fold away (the nn folders, run by canonicalize).
// CHECK-LABEL: func.func @identities
// CHECK-NEXT: %[[R:.+]] = nn.relu %arg0
// CHECK-NEXT: return %[[R]]
func.func @identities(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = nn.reshape %x [2, 3] : tensor<2x3xf32> -> tensor<2x3xf32>
  %b = nn.transpose %a [0, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  %c = nn.pad %b pads [0, 0, 0, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  %d = nn.slice %c starts [0, 0] ends [2, 3] steps [1, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  %e = nn.clip %d : tensor<2x3xf32>
  %f = nn.transpose %e [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %g = nn.transpose %f [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  %h = nn.reshape %g [6] : tensor<2x3xf32> -> tensor<6xf32>
  %i = nn.reshape %h [2, 3] : tensor<6xf32> -> tensor<2x3xf32>
  %j = nn.flatten %i axis 1 : tensor<2x3xf32> -> tensor<2x3xf32>
  %k = nn.cast %j : tensor<2x3xf32> -> tensor<2x3xf32>
  %l = nn.concat %k axis 0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %m = nn.clip %l min 0xFF800000 max 0x7F800000 : tensor<2x3xf32>
  %r = nn.relu %m : tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

// Chains collapse into one op.
// CHECK-LABEL: func.func @chains
// CHECK-NEXT: %[[R:.+]] = nn.reshape %arg0 [6] : tensor<2x3xf32> -> tensor<6xf32>
// CHECK-NEXT: %[[T:.+]] = nn.transpose %arg1 [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[R]], %[[T]]
func.func @chains(%x: tensor<2x3xf32>, %y: tensor<2x3x4xf32>) -> (tensor<6xf32>, tensor<4x2x3xf32>) {
  %a = nn.reshape %x [3, 2] : tensor<2x3xf32> -> tensor<3x2xf32>
  %b = nn.reshape %a [6] : tensor<3x2xf32> -> tensor<6xf32>
  %c = nn.transpose %y [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %d = nn.transpose %c [2, 1, 0] : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
  return %b, %d : tensor<6xf32>, tensor<4x2x3xf32>
}

// -----

// Ops that keep the shape but are not the identity stay.
// CHECK-LABEL: func.func @not_identities
// CHECK: nn.slice
// CHECK: nn.pad
// CHECK: nn.clip
// CHECK: nn.transpose
// CHECK: nn.cast
// CHECK: nn.clip
func.func @not_identities(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %a = nn.slice %x starts [2, 0] ends [-1, 3] steps [-1, 1] : tensor<3x3xf32> -> tensor<3x3xf32>
  %b = nn.pad %a pads [1, 0, -1, 0] : tensor<3x3xf32> -> tensor<3x3xf32>
  %c = nn.clip %b min 0.000000e+00 : tensor<3x3xf32>
  %d = nn.transpose %c [1, 0] : tensor<3x3xf32> -> tensor<3x3xf32>
  %e = nn.cast %d : tensor<3x3xf32> -> tensor<3x3xf64>
  %f = nn.cast %e : tensor<3x3xf64> -> tensor<3x3xf32>
  %g = nn.clip %f min 1.000000e+00 max 0x7F800000 : tensor<3x3xf32>
  return %g : tensor<3x3xf32>
}

// -----

// The whole graph optimization: a transposed weight folds into a constant,
// the batch_norm into the conv, and the two identical relus are one.
// CHECK-LABEL: func.func @conv_bn_relu
// CHECK-NOT: nn.transpose
// CHECK-NOT: nn.batch_norm
// CHECK: %[[C:.+]] = nn.conv2d %arg0
// CHECK-NEXT: %[[R:.+]] = nn.relu %[[C]]
// CHECK-NEXT: return %[[R]], %[[R]]
// With a limit of 2 elements the 4-element weight stays a transpose, so the
// batch_norm has no constant weight to fold into.
// LIMIT-LABEL: func.func @conv_bn_relu
// LIMIT: nn.transpose
// LIMIT: nn.conv2d
// LIMIT: nn.batch_norm
func.func @conv_bn_relu(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = nn.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %wt = nn.transpose %w [1, 0, 2, 3] : tensor<2x2x1x1xf32> -> tensor<2x2x1x1xf32>
  %s = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %c = nn.conv2d %x, %wt strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %n = nn.batch_norm %c, %s, %s, %s, %s
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r1 = nn.relu %n : tensor<1x2x4x4xf32>
  %r2 = nn.relu %n : tensor<1x2x4x4xf32>
  return %r1, %r2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// conv-layout=nhwc: after the batch_norm fold, the conv becomes
// channels-last and its weight transpose is evaluated at compile time; the
// relu runs on NHWC data and one transpose brings the result back.
// LAYOUT-LABEL: func.func @layout
// LAYOUT: %[[W:.+]] = nn.constant dense_resource<{{.+}}> : tensor<1x1x2x2xf32>
// LAYOUT: %[[X:.+]] = nn.transpose %arg0 [0, 2, 3, 1]
// LAYOUT: %[[C:.+]] = nn.conv2d %[[X]], %[[W]], %{{.+}} {{.+}} channels_last
// LAYOUT: %[[R:.+]] = nn.relu %[[C]] : tensor<1x4x4x2xf32>
// LAYOUT: nn.transpose %[[R]] [0, 3, 1, 2]
// LAYOUT-NOT: nn.batch_norm
func.func @layout(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %gamma = nn.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %beta = nn.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %mean = nn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = nn.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %c = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %n = nn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = nn.relu %n : tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// A gemm with a constant transposed weight (a PyTorch Linear layer) gets
// the weight transposed at compile time: a plain [K, N] product.
// CHECK-LABEL: func.func @linear
// CHECK: %[[W:.+]] = nn.constant dense<{{.+}}> : tensor<3x2xf32>
// CHECK: nn.gemm %arg0, %[[W]] : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
// CHECK-NOT: transpose
func.func @linear(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = nn.gemm %x, %w transpose_b : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}
