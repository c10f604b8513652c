// RUN: lathe-opt %s -split-input-file -lathe-fold-batch-norm | FileCheck %s

// conv + batch_norm: scale = 4 / sqrt(3 + 1) = 2 and 1 / sqrt(0 + 1) = 1,
// W' = [2, 2], b' = [(1 - 0.5) * 2 + 0, (1 - 1) * 1 + 3] = [1, 3].
// CHECK-LABEL: func.func @conv_bn
// CHECK-DAG: %[[W:.+]] = nn.constant dense_resource<folded_bn> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.+]] = nn.constant dense_resource<folded_bn_bias> : tensor<2xf32>
// CHECK: %[[Y:.+]] = nn.conv2d %arg0, %[[W]], %[[B]]
// CHECK-SAME: {sched.config = #sched.config<tiles = {register = [1, 2, 1, 4, 1, 1, 1]}>}
// CHECK-NOT: nn.batch_norm
// CHECK: nn.relu %[[Y]]
// CHECK: folded_bn: "0x{{[0-9A-F]+}}0000004000000040"
// CHECK: folded_bn_bias: "0x{{[0-9A-F]+}}0000803F00004040"
func.func @conv_bn(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.constant dense<1.0> : tensor<2xf32>
  %gamma = nn.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %beta = nn.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %mean = nn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = nn.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %c = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      {sched.config = #sched.config<tiles = {register = [1, 2, 1, 4, 1, 1, 1]}>}
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %n = nn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = nn.relu %n : tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// gemm (transposed weight [N, K]) + batch_norm on the feature dim: the bias
// becomes [N] and beta 1 (the default, not printed).
// CHECK-LABEL: func.func @gemm_bn
// Rows of W times [2, 1]; b' = (2 * [1, 2] - [0.5, 1]) * [2, 1] + [0.5, 1].
// CHECK: nn.gemm %arg0, %{{.+}}, %{{.+}} transpose_b :
// CHECK-SAME: (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
// CHECK-NOT: nn.batch_norm
// CHECK: folded_bn: "0x{{[0-9A-F]+}}00000040000080400000404000008040"
// CHECK: folded_bn_bias: "0x{{[0-9A-F]+}}0000604000008040"
func.func @gemm_bn(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %c = nn.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %s = nn.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %m = nn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %v = nn.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %g = nn.gemm %x, %w, %c transpose_b {beta = 2.0 : f32}
      : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<3x2xf32>
  %n = nn.batch_norm %g, %s, %m, %m, %v {epsilon = 1.0 : f32}
      : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %n : tensor<3x2xf32>
}

// -----

// The conv result has a second user: folding would change it.
// CHECK-LABEL: func.func @two_users
// CHECK: nn.conv2d
// CHECK: nn.batch_norm
func.func @two_users(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %s = nn.constant dense<1.0> : tensor<2xf32>
  %c = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %n = nn.batch_norm %c, %s, %s, %s, %s
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %c, %n : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// A weight that is not a constant, statistics that are not constants, and a
// producer that is neither conv nor gemm: nothing folds.
// CHECK-LABEL: func.func @not_constant_weight
// CHECK: nn.batch_norm
// CHECK-LABEL: func.func @not_constant_stats
// CHECK: nn.batch_norm
// CHECK-LABEL: func.func @after_relu
// CHECK: nn.batch_norm
func.func @not_constant_weight(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %s = nn.constant dense<1.0> : tensor<2xf32>
  %c = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %n = nn.batch_norm %c, %s, %s, %s, %s
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %n : tensor<1x2x4x4xf32>
}
func.func @not_constant_stats(%x: tensor<1x1x4x4xf32>, %v: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %s = nn.constant dense<1.0> : tensor<2xf32>
  %c = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %n = nn.batch_norm %c, %s, %s, %s, %v
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %n : tensor<1x2x4x4xf32>
}
func.func @after_relu(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %s = nn.constant dense<1.0> : tensor<2xf32>
  %r = nn.relu %x : tensor<1x2x4x4xf32>
  %n = nn.batch_norm %r, %s, %s, %s, %s
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %n : tensor<1x2x4x4xf32>
}

// -----

// A gemm bias that differs by row cannot take the per-column shift.
// CHECK-LABEL: func.func @gemm_row_bias
// CHECK: nn.batch_norm
func.func @gemm_row_bias(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = nn.constant dense<1.0> : tensor<2x2xf32>
  %s = nn.constant dense<1.0> : tensor<2xf32>
  %g = nn.gemm %x, %w, %w : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %n = nn.batch_norm %g, %s, %s, %s, %s
      : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %n : tensor<2x2xf32>
}
