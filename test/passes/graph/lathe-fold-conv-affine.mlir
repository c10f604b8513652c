// RUN: lathe-opt %s -split-input-file -lathe-fold-conv-affine | FileCheck %s

// A frozen batch_norm as mul + add of [1, F, 1, 1] constants: W' = W * [2, 3],
// b' = [1, 1] * [2, 3] + [0.5, -1] = [2.5, 2].
// CHECK-LABEL: func.func @mul_add
// CHECK-DAG: %[[W:.+]] = nn.constant dense_resource<folded_mul> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.+]] = nn.constant dense_resource<{{.+}}_bias> : tensor<2xf32>
// CHECK: %[[C:.+]] = nn.conv2d %arg0, %[[W]], %[[B]]
// CHECK-NOT: nn.mul
// CHECK-NOT: nn.add
// CHECK: return %[[C]]
// CHECK: folded_mul: "0x{{[0-9A-F]+}}000000400000C040"
// CHECK: "0x{{[0-9A-F]+}}0000204000000040"
func.func @mul_add(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.constant dense<1.0> : tensor<2xf32>
  %s = nn.constant dense<[[[[2.0]], [[3.0]]]]> : tensor<1x2x1x1xf32>
  %a = nn.constant dense<[[[0.5]], [[-1.0]]]> : tensor<2x1x1xf32>
  %c = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %m = nn.mul %s, %c : (tensor<1x2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %y = nn.add %m, %a : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A bias outside the conv (a scalar) becomes the conv's bias.
// CHECK-LABEL: func.func @add_scalar
// CHECK: %[[C:.+]] = nn.conv2d %arg0, %{{.+}}, %{{.+}} strides
// CHECK-NEXT: return %[[C]]
func.func @add_scalar(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %a = nn.constant dense<0.5> : tensor<f32>
  %c = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = nn.add %c, %a : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Not per channel (varies along W), a second user of the conv, an operand
// that is not constant: nothing folds.
// CHECK-LABEL: func.func @per_pixel
// CHECK: nn.mul
// CHECK-LABEL: func.func @two_users
// CHECK: nn.add
// CHECK-LABEL: func.func @not_constant
// CHECK: nn.add
func.func @per_pixel(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %s = nn.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %c = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = nn.mul %c, %s : (tensor<1x2x4x4xf32>, tensor<4xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}
func.func @two_users(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %a = nn.constant dense<0.5> : tensor<f32>
  %c = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = nn.add %c, %a : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  return %c, %y : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}
func.func @not_constant(%x: tensor<1x1x4x4xf32>, %a: tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %c = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = nn.add %c, %a : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}
