// RUN: lathe-opt %s -split-input-file | FileCheck %s
// Round trip through the generic form too: the custom printer and parser
// must agree with the generic attribute/operand layout.
// RUN: lathe-opt %s -split-input-file -mlir-print-op-generic | lathe-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func @constant
func.func @constant() -> (tensor<2x2xf32>, tensor<2xi64>) {
  // CHECK: nn.constant dense_resource<w0> : tensor<2x2xf32>
  %w = nn.constant dense_resource<w0> : tensor<2x2xf32>
  // CHECK: nn.constant dense<[1, 4]> : tensor<2xi64>
  %s = nn.constant dense<[1, 4]> : tensor<2xi64>
  return %w, %s : tensor<2x2xf32>, tensor<2xi64>
}
{-#
  dialect_resources: {
    builtin: {
      w0: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// CHECK-LABEL: func @matmul
func.func @matmul(%a: tensor<8x1x128x64xf32>, %b: tensor<3x64x32xf32>, %v: tensor<64xf32>)
    -> (tensor<8x3x128x32xf32>, tensor<3x32xf32>) {
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<8x1x128x64xf32>, tensor<3x64x32xf32>) -> tensor<8x3x128x32xf32>
  %0 = nn.matmul %a, %b : (tensor<8x1x128x64xf32>, tensor<3x64x32xf32>) -> tensor<8x3x128x32xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<64xf32>, tensor<3x64x32xf32>) -> tensor<3x32xf32>
  %1 = nn.matmul %v, %b : (tensor<64xf32>, tensor<3x64x32xf32>) -> tensor<3x32xf32>
  return %0, %1 : tensor<8x3x128x32xf32>, tensor<3x32xf32>
}

// -----

// CHECK-LABEL: func @gemm
func.func @gemm(%x: tensor<1x512xf32>, %w: tensor<10x512xf32>, %b: tensor<10xf32>)
    -> (tensor<1x10xf32>, tensor<1x10xf32>) {
  // CHECK: nn.gemm %{{.*}}, %{{.*}}, %{{.*}} transpose_b {alpha = 5.000000e-01 : f32} : (tensor<1x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  %0 = nn.gemm %x, %w, %b transpose_b {alpha = 0.5 : f32} : (tensor<1x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  // Default alpha and beta are not printed.
  // CHECK: nn.gemm %{{.*}}, %{{.*}} transpose_b : (tensor<1x512xf32>, tensor<10x512xf32>) -> tensor<1x10xf32>
  %1 = nn.gemm %x, %w transpose_b {alpha = 1.0 : f32, beta = 1.0 : f32} : (tensor<1x512xf32>, tensor<10x512xf32>) -> tensor<1x10xf32>
  return %0, %1 : tensor<1x10xf32>, tensor<1x10xf32>
}

// -----

// CHECK-LABEL: func @conv2d
func.func @conv2d(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>, %b: tensor<64xf32>,
                  %dx: tensor<1x32x10x10xf32>, %dw: tensor<32x1x3x3xf32>)
    -> (tensor<1x64x112x112xf32>, tensor<1x32x6x6xf32>) {
  // CHECK: nn.conv2d %{{.*}}, %{{.*}}, %{{.*}} strides [2, 2] pads [3, 3, 3, 3] dilations [1, 1] groups 1 : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
  %0 = nn.conv2d %x, %w, %b strides [2, 2] pads [3, 3, 3, 3] dilations [1, 1] groups 1
      : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
  // Depthwise and dilated, no bias.
  // CHECK: nn.conv2d %{{.*}}, %{{.*}} strides [1, 1] pads [0, 0, 0, 0] dilations [2, 2] groups 32 : (tensor<1x32x10x10xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x6x6xf32>
  %1 = nn.conv2d %dx, %dw strides [1, 1] pads [0, 0, 0, 0] dilations [2, 2] groups 32
      : (tensor<1x32x10x10xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x6x6xf32>
  return %0, %1 : tensor<1x64x112x112xf32>, tensor<1x32x6x6xf32>
}

// -----

// Channels-last: NHWC input, HWCF weight, NHWC result.
// CHECK-LABEL: func @conv2d_channels_last
func.func @conv2d_channels_last(%x: tensor<1x224x224x3xf32>, %w: tensor<7x7x3x64xf32>)
    -> tensor<1x112x112x64xf32> {
  // CHECK: nn.conv2d %{{.*}}, %{{.*}} strides [2, 2] pads [3, 3, 3, 3] dilations [1, 1] groups 1 channels_last : (tensor<1x224x224x3xf32>, tensor<7x7x3x64xf32>) -> tensor<1x112x112x64xf32>
  %0 = nn.conv2d %x, %w strides [2, 2] pads [3, 3, 3, 3] dilations [1, 1] groups 1 channels_last
      : (tensor<1x224x224x3xf32>, tensor<7x7x3x64xf32>) -> tensor<1x112x112x64xf32>
  return %0 : tensor<1x112x112x64xf32>
}

// -----

// CHECK-LABEL: func @batch_norm
func.func @batch_norm(%x: tensor<1x64x56x56xf32>, %s: tensor<64xf32>, %b: tensor<64xf32>,
                      %m: tensor<64xf32>, %v: tensor<64xf32>) -> tensor<1x64x56x56xf32> {
  // CHECK: nn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32} : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %0 = nn.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-3 : f32}
      : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// CHECK-LABEL: func @binary
func.func @binary(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1xf32>, %i: tensor<4xi64>) {
  // CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.sub %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = nn.sub %c, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.mul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %2 = nn.mul %a, %c : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  // CHECK: nn.div %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = nn.div %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.pow %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = nn.pow %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.max %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = nn.max %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.min %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %6 = nn.min %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // Integer tensors broadcast the same way.
  // CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %7 = nn.add %i, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return
}

// -----

// CHECK-LABEL: func @bitwise
func.func @bitwise(%a: tensor<2x3xi32>, %b: tensor<3xi32>) {
  // CHECK: nn.bitwise_and %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %0 = nn.bitwise_and %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  // CHECK: nn.bitwise_or %{{.*}}, %{{.*}} : (tensor<3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  %1 = nn.bitwise_or %b, %a : (tensor<3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  // CHECK: nn.bitwise_xor %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  %2 = nn.bitwise_xor %a, %a : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  return
}

// -----

// Dynamic dims propagate.
// CHECK-LABEL: func @dynamic_broadcast
func.func @dynamic_broadcast(%a: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  // CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %0 = nn.add %a, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A dynamic dim fits any broadcast partner.
// CHECK-LABEL: func @dynamic_operands
func.func @dynamic_operands(%x: tensor<2x?x8xf32>, %g: tensor<4x8xf32>,
                            %a: tensor<?x3xf32>, %b: tensor<3x5xf32>, %c: tensor<4x5xf32>) {
  // CHECK: nn.layer_norm %{{.*}}, %{{.*}} axis 1 : (tensor<2x?x8xf32>, tensor<4x8xf32>) -> tensor<2x?x8xf32>
  %0 = nn.layer_norm %x, %g axis 1 : (tensor<2x?x8xf32>, tensor<4x8xf32>) -> tensor<2x?x8xf32>
  // CHECK: nn.gemm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x3xf32>, tensor<3x5xf32>, tensor<4x5xf32>) -> tensor<?x5xf32>
  %1 = nn.gemm %a, %b, %c : (tensor<?x3xf32>, tensor<3x5xf32>, tensor<4x5xf32>) -> tensor<?x5xf32>
  return
}

// -----

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  // CHECK: %[[R:.+]] = nn.relu %{{.*}} : tensor<1x8xf32>
  %0 = nn.relu %x : tensor<1x8xf32>
  // CHECK: %[[S:.+]] = nn.sigmoid %[[R]] : tensor<1x8xf32>
  %1 = nn.sigmoid %0 : tensor<1x8xf32>
  // CHECK: %[[T:.+]] = nn.tanh %[[S]] : tensor<1x8xf32>
  %2 = nn.tanh %1 : tensor<1x8xf32>
  // CHECK: %[[E:.+]] = nn.erf %[[T]] : tensor<1x8xf32>
  %3 = nn.erf %2 : tensor<1x8xf32>
  // CHECK: %[[X:.+]] = nn.exp %[[E]] : tensor<1x8xf32>
  %4 = nn.exp %3 : tensor<1x8xf32>
  // CHECK: %[[Q:.+]] = nn.sqrt %[[X]] : tensor<1x8xf32>
  %5 = nn.sqrt %4 : tensor<1x8xf32>
  // CHECK: %[[C:.+]] = nn.clip %[[Q]] min 0.000000e+00 max 6.000000e+00 : tensor<1x8xf32>
  %6 = nn.clip %5 min 0.0 max 6.0 : tensor<1x8xf32>
  // CHECK: nn.clip %[[C]] max 1.000000e+00 : tensor<1x8xf32>
  %7 = nn.clip %6 max 1.0 : tensor<1x8xf32>
  return %7 : tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func @pooling
func.func @pooling(%x: tensor<1x64x112x112xf32>, %y: tensor<1x1x5x5xf32>)
    -> (tensor<1x64x56x56xf32>, tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1x64x1x1xf32>) {
  // CHECK: nn.maxpool %{{.*}} kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
  %0 = nn.maxpool %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1]
      : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
  // ceil_mode rounds 5 -> (5 - 2) / 2 + 1 = 2.5 up to 3.
  // CHECK: nn.maxpool %{{.*}} kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] ceil_mode : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  %1 = nn.maxpool %y kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] ceil_mode
      : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  // CHECK: nn.avgpool %{{.*}} kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] count_include_pad : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  %2 = nn.avgpool %y kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] count_include_pad
      : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  // Channels-last: [N, H, W, C] in and out.
  // CHECK: nn.maxpool %{{.*}} kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] channels_last : tensor<1x112x112x64xf32> -> tensor<1x56x56x64xf32>
  %nhwc = tensor.empty() : tensor<1x112x112x64xf32>
  %4 = nn.maxpool %nhwc kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] channels_last
      : tensor<1x112x112x64xf32> -> tensor<1x56x56x64xf32>
  // CHECK: nn.global_avgpool %{{.*}} : tensor<1x64x112x112xf32> -> tensor<1x64x1x1xf32>
  %3 = nn.global_avgpool %x : tensor<1x64x112x112xf32> -> tensor<1x64x1x1xf32>
  return %0, %1, %2, %3 : tensor<1x64x56x56xf32>, tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>, tensor<1x64x1x1xf32>
}

// -----

// CHECK-LABEL: func @normalization
func.func @normalization(%x: tensor<1x128x768xf32>, %g: tensor<768xf32>, %b: tensor<768xf32>)
    -> (tensor<1x128x768xf32>, tensor<1x128x768xf32>, tensor<1x128x768xf32>) {
  // CHECK: nn.softmax %{{.*}} axis -1 : tensor<1x128x768xf32>
  %0 = nn.softmax %x axis -1 : tensor<1x128x768xf32>
  // CHECK: nn.layer_norm %{{.*}}, %{{.*}}, %{{.*}} axis -1 {epsilon = 9.99999996E-13 : f32} : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
  %1 = nn.layer_norm %x, %g, %b axis -1 {epsilon = 1.0e-12 : f32}
      : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
  // Without bias, default epsilon.
  // CHECK: nn.layer_norm %{{.*}}, %{{.*}} axis 2 : (tensor<1x128x768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
  %2 = nn.layer_norm %x, %g axis 2 : (tensor<1x128x768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
  return %0, %1, %2 : tensor<1x128x768xf32>, tensor<1x128x768xf32>, tensor<1x128x768xf32>
}

// -----

// CHECK-LABEL: func @reduce
func.func @reduce(%x: tensor<1x64x7x7xf32>) -> (tensor<1x64x1x1xf32>, tensor<1x7x7xf32>, tensor<64x7xf32>) {
  // CHECK: nn.reduce mean %{{.*}} axes [2, 3] keepdims : tensor<1x64x7x7xf32> -> tensor<1x64x1x1xf32>
  %0 = nn.reduce mean %x axes [2, 3] keepdims : tensor<1x64x7x7xf32> -> tensor<1x64x1x1xf32>
  // CHECK: nn.reduce sum %{{.*}} axes [1] : tensor<1x64x7x7xf32> -> tensor<1x7x7xf32>
  %1 = nn.reduce sum %x axes [1] : tensor<1x64x7x7xf32> -> tensor<1x7x7xf32>
  // CHECK: nn.reduce max %{{.*}} axes [0, -1] : tensor<1x64x7x7xf32> -> tensor<64x7xf32>
  %2 = nn.reduce max %x axes [0, -1] : tensor<1x64x7x7xf32> -> tensor<64x7xf32>
  return %0, %1, %2 : tensor<1x64x1x1xf32>, tensor<1x7x7xf32>, tensor<64x7xf32>
}

// -----

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<1x2048x1x1xf32>, %t: tensor<1x128x12x64xf32>,
                         %a: tensor<1x64x28x28xf32>, %b: tensor<1x32x28x28xf32>) {
  // CHECK: nn.reshape %{{.*}} [1, -1] : tensor<1x2048x1x1xf32> -> tensor<1x2048xf32>
  %0 = nn.reshape %x [1, -1] : tensor<1x2048x1x1xf32> -> tensor<1x2048xf32>
  // CHECK: nn.flatten %{{.*}} axis 1 : tensor<1x2048x1x1xf32> -> tensor<1x2048xf32>
  %1 = nn.flatten %x axis 1 : tensor<1x2048x1x1xf32> -> tensor<1x2048xf32>
  // CHECK: nn.transpose %{{.*}} [0, 2, 1, 3] : tensor<1x128x12x64xf32> -> tensor<1x12x128x64xf32>
  %2 = nn.transpose %t [0, 2, 1, 3] : tensor<1x128x12x64xf32> -> tensor<1x12x128x64xf32>
  // CHECK: nn.concat %{{.*}}, %{{.*}} axis 1 : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x96x28x28xf32>
  %3 = nn.concat %a, %b axis 1 : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>) -> tensor<1x96x28x28xf32>
  // CHECK: nn.slice %{{.*}} starts [0, 0, 2, 27] ends [1, 32, 8, -1] steps [1, 1, 3, -1] : tensor<1x32x28x28xf32> -> tensor<1x32x2x28xf32>
  %4 = nn.slice %b starts [0, 0, 2, 27] ends [1, 32, 8, -1] steps [1, 1, 3, -1]
      : tensor<1x32x28x28xf32> -> tensor<1x32x2x28xf32>
  // CHECK: nn.pad %{{.*}} pads [0, 0, 1, 1, 0, 0, 1, 1] : tensor<1x32x28x28xf32> -> tensor<1x32x30x30xf32>
  %5 = nn.pad %b pads [0, 0, 1, 1, 0, 0, 1, 1] : tensor<1x32x28x28xf32> -> tensor<1x32x30x30xf32>
  // CHECK: nn.pad %{{.*}} pads [0, 0, 2, 2, 0, 0, 2, 2] mode reflect : tensor<1x32x28x28xf32> -> tensor<1x32x32x32xf32>
  %6 = nn.pad %b pads [0, 0, 2, 2, 0, 0, 2, 2] mode reflect : tensor<1x32x28x28xf32> -> tensor<1x32x32x32xf32>
  // Negative pads crop; constant value printed when not 0.
  // CHECK: nn.pad %{{.*}} pads [0, 0, -1, 0, 0, 0, 0, 1] value 1.000000e+00 : tensor<1x32x28x28xf32> -> tensor<1x32x27x29xf32>
  %7 = nn.pad %b pads [0, 0, -1, 0, 0, 0, 0, 1] value 1.0 : tensor<1x32x28x28xf32> -> tensor<1x32x27x29xf32>
  return
}

// -----

// CHECK-LABEL: func @gather
func.func @gather(%table: tensor<30522x768xf32>, %ids: tensor<1x128xi64>, %one: tensor<i32>)
    -> (tensor<1x128x768xf32>, tensor<30522xf32>) {
  // CHECK: nn.gather %{{.*}}, %{{.*}} axis 0 : (tensor<30522x768xf32>, tensor<1x128xi64>) -> tensor<1x128x768xf32>
  %0 = nn.gather %table, %ids axis 0 : (tensor<30522x768xf32>, tensor<1x128xi64>) -> tensor<1x128x768xf32>
  // A scalar index removes the axis.
  // CHECK: nn.gather %{{.*}}, %{{.*}} axis -1 : (tensor<30522x768xf32>, tensor<i32>) -> tensor<30522xf32>
  %1 = nn.gather %table, %one axis -1 : (tensor<30522x768xf32>, tensor<i32>) -> tensor<30522xf32>
  return %0, %1 : tensor<1x128x768xf32>, tensor<30522xf32>
}

// -----

// CHECK-LABEL: func @unary_and_cast
func.func @unary_and_cast(%x: tensor<2x3xf32>, %i: tensor<2x3xi64>) {
  // CHECK: nn.log %{{.*}} : tensor<2x3xf32>
  %0 = nn.log %x : tensor<2x3xf32>
  // CHECK: nn.neg %{{.*}} : tensor<2x3xi64>
  %1 = nn.neg %i : tensor<2x3xi64>
  // CHECK: nn.abs %{{.*}} : tensor<2x3xf32>
  %2 = nn.abs %x : tensor<2x3xf32>
  // CHECK: nn.cast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xi1>
  %3 = nn.cast %x : tensor<2x3xf32> -> tensor<2x3xi1>
  // CHECK: nn.reduce prod %{{.*}} axes [1] : tensor<2x3xf32> -> tensor<2xf32>
  %4 = nn.reduce prod %x axes [1] : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

// CHECK-LABEL: func @math
func.func @math(%x: tensor<2x3xf32>) {
  // CHECK: nn.math sin %{{.*}} : tensor<2x3xf32>
  %0 = nn.math sin %x : tensor<2x3xf32>
  // CHECK: nn.math acosh %{{.*}} : tensor<2x3xf32>
  %1 = nn.math acosh %0 : tensor<2x3xf32>
  // CHECK: nn.math round_even %{{.*}} : tensor<2x3xf32>
  %2 = nn.math round_even %1 : tensor<2x3xf32>
  return
}

// -----

// CHECK-LABEL: func @predicates
func.func @predicates(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %s: tensor<f32>)
    -> tensor<2x3xf32> {
  // CHECK: %[[C:.+]] = nn.compare lt %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %c = nn.compare lt %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: nn.select %[[C]], %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %y = nn.select %c, %a, %s : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @indexing
func.func @indexing(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %img: tensor<1x1x4x4xf32>) {
  // CHECK: nn.argmax %{{.*}} axis 1 keepdims select_last_index : tensor<3x4xf32> -> tensor<3x1xi64>
  %0 = nn.argmax %x axis 1 keepdims select_last_index : tensor<3x4xf32> -> tensor<3x1xi64>
  // CHECK: nn.topk %{{.*}} k 2 axis -1 largest : tensor<3x4xf32> -> (tensor<3x2xf32>, tensor<3x2xi64>)
  %1:2 = nn.topk %x k 2 axis -1 largest : tensor<3x4xf32> -> (tensor<3x2xf32>, tensor<3x2xi64>)
  // CHECK: nn.cumsum %{{.*}} axis 0 exclusive reverse : tensor<3x4xf32>
  %2 = nn.cumsum %x axis 0 exclusive reverse : tensor<3x4xf32>
  // CHECK: nn.gather_elements %{{.*}}, %{{.*}} axis 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  %3 = nn.gather_elements %x, %i axis 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  // CHECK: nn.resize %{{.*}} sizes [1, 1, 8, 8] scales [1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00] mode linear coordinate_mode half_pixel nearest_mode round_prefer_floor : tensor<1x1x4x4xf32> -> tensor<1x1x8x8xf32>
  %4 = nn.resize %img sizes [1, 1, 8, 8] scales [1.0, 1.0, 2.0, 2.0] mode linear
         coordinate_mode half_pixel nearest_mode round_prefer_floor
      : tensor<1x1x4x4xf32> -> tensor<1x1x8x8xf32>
  // CHECK: nn.resize %{{.*}} mode cubic {{.*}} {cubic_coeff_a = -5.000000e-01 : f64, exclude_outside}
  %5 = nn.resize %img sizes [1, 1, 8, 8] scales [1.0, 1.0, 2.0, 2.0] mode cubic
         coordinate_mode half_pixel nearest_mode round_prefer_floor
         {cubic_coeff_a = -0.5 : f64, exclude_outside}
      : tensor<1x1x4x4xf32> -> tensor<1x1x8x8xf32>
  // CHECK: nn.resize %{{.*}} coordinate_mode tf_crop_and_resize {{.*}} {extrapolation_value = 1.000000e+01 : f64, roi = array<f64: 0.000000e+00, 0.000000e+00, 4.000000e-01, 6.000000e-01, 1.000000e+00, 1.000000e+00, 6.000000e-01, 8.000000e-01>}
  %6 = nn.resize %img sizes [1, 1, 3, 3] scales [1.0, 1.0, 0.75, 0.75] mode linear
         coordinate_mode tf_crop_and_resize nearest_mode round_prefer_floor
         {roi = array<f64: 0.0, 0.0, 0.4, 0.6, 1.0, 1.0, 0.6, 0.8>, extrapolation_value = 10.0 : f64}
      : tensor<1x1x4x4xf32> -> tensor<1x1x3x3xf32>
  // CHECK: nn.resize %{{.*}} mode linear {{.*}} {antialias}
  %7 = nn.resize %img sizes [1, 1, 2, 2] scales [1.0, 1.0, 0.5, 0.5] mode linear
         coordinate_mode half_pixel nearest_mode round_prefer_floor {antialias}
      : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  return
}

// -----

// CHECK-LABEL: func @gather_scatter
func.func @gather_scatter(%x: tensor<2x3x4xf32>, %i: tensor<2x2xi64>, %e: tensor<2x3x2xi32>,
                          %u: tensor<2x3x2xf32>, %s: tensor<2x4xf32>) {
  // CHECK: nn.gather_nd %{{.*}}, %{{.*}} batch_dims 0 : (tensor<2x3x4xf32>, tensor<2x2xi64>) -> tensor<2x4xf32>
  %0 = nn.gather_nd %x, %i batch_dims 0 : (tensor<2x3x4xf32>, tensor<2x2xi64>) -> tensor<2x4xf32>
  // CHECK: nn.gather_nd %{{.*}}, %{{.*}} batch_dims 1 : (tensor<2x3x4xf32>, tensor<2x2xi64>) -> tensor<2xf32>
  %1 = nn.gather_nd %x, %i batch_dims 1 : (tensor<2x3x4xf32>, tensor<2x2xi64>) -> tensor<2xf32>
  // CHECK: nn.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} axis -1 reduction max : (tensor<2x3x4xf32>, tensor<2x3x2xi32>, tensor<2x3x2xf32>) -> tensor<2x3x4xf32>
  %2 = nn.scatter_elements %x, %e, %u axis -1 reduction max : (tensor<2x3x4xf32>, tensor<2x3x2xi32>, tensor<2x3x2xf32>) -> tensor<2x3x4xf32>
  // CHECK: nn.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} reduction none : (tensor<2x3x4xf32>, tensor<2x2xi64>, tensor<2x4xf32>) -> tensor<2x3x4xf32>
  %3 = nn.scatter_nd %x, %i, %s reduction none : (tensor<2x3x4xf32>, tensor<2x2xi64>, tensor<2x4xf32>) -> tensor<2x3x4xf32>
  return
}
