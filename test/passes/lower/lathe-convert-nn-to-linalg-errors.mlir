// RUN: lathe-opt %s -split-input-file -lathe-convert-nn-to-linalg -verify-diagnostics

// Dynamic shapes are not lowered yet: the conversion fails naming the op.
func.func @dynamic(%a: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{failed to legalize operation 'nn.add'}}
  %0 = nn.add %a, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Channels-last grouped (not depthwise) convolution has no lowering.
func.func @grouped_channels_last(%x: tensor<1x4x4x4xf32>, %w: tensor<1x1x2x4xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+2 {{'nn.conv2d' op channels_last lowering supports groups = 1 and depthwise convolution, not 2 groups of 4 channels}}
  // expected-error @+1 {{failed to legalize operation 'nn.conv2d'}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 2 channels_last
      : (tensor<1x4x4x4xf32>, tensor<1x1x2x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}
