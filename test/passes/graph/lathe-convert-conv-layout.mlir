// RUN: lathe-opt %s -split-input-file -lathe-convert-conv-layout=layout=nhwc | FileCheck %s
// RUN: lathe-opt %s -split-input-file -lathe-convert-conv-layout | FileCheck %s --check-prefix=NCHW
// RUN: lathe-opt %s -split-input-file -lathe-convert-conv-layout=layout=nhwc -lathe-fold-constants | FileCheck %s --check-prefix=FOLD
// RUN: not lathe-opt %s -lathe-convert-conv-layout=layout=hwcn -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD

// Two convs with relu, a per-channel scale and a residual add between
// them: the transposes between the convs cancel. What is left transposes
// the graph input once (shared by the first conv and the residual add) and
// the result once.
// CHECK-LABEL: func.func @block
// CHECK: %[[XT:.+]] = nn.transpose %arg0 [0, 2, 3, 1] : tensor<1x4x8x8xf32> -> tensor<1x8x8x4xf32>
// CHECK: %[[W1:.+]] = nn.transpose %{{.+}} [2, 3, 1, 0] : tensor<4x4x3x3xf32> -> tensor<3x3x4x4xf32>
// CHECK: %[[C1:.+]] = nn.conv2d %[[XT]], %[[W1]], %{{.+}} strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1 channels_last
// CHECK-SAME: -> tensor<1x8x8x4xf32>
// CHECK: %[[R1:.+]] = nn.relu %[[C1]] : tensor<1x8x8x4xf32>
// CHECK: %[[S:.+]] = nn.reshape %{{.+}} [1, 4, 1, 1] : tensor<4x1x1xf32> -> tensor<1x4x1x1xf32>
// CHECK: %[[ST:.+]] = nn.transpose %[[S]] [0, 2, 3, 1] : tensor<1x4x1x1xf32> -> tensor<1x1x1x4xf32>
// CHECK: %[[M:.+]] = nn.mul %[[R1]], %[[ST]]
// CHECK: %[[A:.+]] = nn.add %[[M]], %[[XT]] : (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>)
// CHECK: %[[C2:.+]] = nn.conv2d %[[A]], %{{.+}} strides [2, 2] {{.+}} channels_last
// CHECK: %[[R2:.+]] = nn.relu %[[C2]] : tensor<1x4x4x8xf32>
// CHECK: %[[Y:.+]] = nn.transpose %[[R2]] [0, 3, 1, 2] : tensor<1x4x4x8xf32> -> tensor<1x8x4x4xf32>
// CHECK: return %[[Y]]
// NCHW-LABEL: func.func @block
// NCHW-NOT: transpose
// NCHW-NOT: channels_last
// The weight and constant transposes are constant expressions.
// FOLD-LABEL: func.func @block
// FOLD-COUNT-2: nn.transpose %
// FOLD-NOT: nn.transpose
// BAD: layout must be 'nhwc' or 'nchw', not 'hwcn'
func.func @block(%x: tensor<1x4x8x8xf32>) -> tensor<1x8x4x4xf32> {
  %w1 = nn.constant dense<0.5> : tensor<4x4x3x3xf32>
  %b1 = nn.constant dense<0.1> : tensor<4xf32>
  %w2 = nn.constant dense<0.25> : tensor<8x4x1x1xf32>
  %s = nn.constant dense<2.0> : tensor<4x1x1xf32>
  %c1 = nn.conv2d %x, %w1, %b1 strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1
      : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %r1 = nn.relu %c1 : tensor<1x4x8x8xf32>
  %m = nn.mul %r1, %s : (tensor<1x4x8x8xf32>, tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %a = nn.add %m, %x : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %c2 = nn.conv2d %a, %w2 strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x4x4xf32>
  %r2 = nn.relu %c2 : tensor<1x8x4x4xf32>
  return %r2 : tensor<1x8x4x4xf32>
}

// -----

// Depthwise convolution converts (weight [C, 1, KH, KW] -> [KH, KW, 1, C]);
// a grouped one does not. The max pool of the channels-last result runs
// channels-last too, and the transpose back to NCHW moves below it, to the
// grouped (NCHW) convolution.
// CHECK-LABEL: func.func @groups
// FOLD-LABEL: func.func @groups
// CHECK: nn.transpose %{{.+}} [2, 3, 1, 0] : tensor<4x1x3x3xf32> -> tensor<3x3x1x4xf32>
// CHECK: %[[DW:.+]] = nn.conv2d {{.+}} groups 4 channels_last
// CHECK: %[[POOL:.+]] = nn.maxpool %[[DW]] kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] channels_last : tensor<1x8x8x4xf32> -> tensor<1x4x4x4xf32>
// CHECK: %[[BACK:.+]] = nn.transpose %[[POOL]] [0, 3, 1, 2]
// CHECK: nn.conv2d %[[BACK]], {{.+}} groups 2 :
func.func @groups(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %dw = nn.constant dense<0.5> : tensor<4x1x3x3xf32>
  %gw = nn.constant dense<0.5> : tensor<4x2x1x1xf32>
  %0 = nn.conv2d %x, %dw strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 4
      : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = nn.maxpool %0 kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1]
      : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %2 = nn.conv2d %1, %gw strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 2
      : (tensor<1x4x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x4x4xf32>
  return %2 : tensor<1x4x4x4xf32>
}
