// RUN: lathe-opt %s -split-input-file -verify-diagnostics

// Invalid IR for the nn dialect, one bad op per split. Shape errors come from
// result-type inference (which doubles as the verifier), so each of them is
// followed by the generic "failed to infer returned types" error of
// InferTypeOpInterface at the same location.

//===----------------------------------------------------------------------===//
// nn.constant
//===----------------------------------------------------------------------===//

func.func @constant_vector_value() {
  // expected-error @+1 {{'nn.constant' op result #0 must be ranked tensor of floating-point or signless integer values, but got 'vector<4xf32>'}}
  %0 = nn.constant dense<1.0> : vector<4xf32>
  return
}

// -----

func.func @constant_complex_element_type() {
  // expected-error @+1 {{'nn.constant' op result #0 must be ranked tensor of floating-point or signless integer values, but got 'tensor<2xcomplex<f32>>'}}
  %0 = nn.constant dense<(1.0, 2.0)> : tensor<2xcomplex<f32>>
  return
}

//===----------------------------------------------------------------------===//
// nn.matmul
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_rank0(%a: tensor<f32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'nn.matmul' op expected operands of rank >= 1, got lhs rank 0 and rhs rank 1}}
  // expected-error @+1 {{'nn.matmul' op failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<f32>, tensor<3xf32>) -> tensor<f32>
  return
}

// -----

func.func @matmul_contracting(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'nn.matmul' op contracting dimensions differ: lhs [2, 3] has K = 3, rhs [4, 5] has K = 4}}
  // expected-error @+1 {{'nn.matmul' op failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_contracting_vector(%a: tensor<3xf32>, %b: tensor<2x4x5xf32>) {
  // expected-error @+2 {{'nn.matmul' op contracting dimensions differ: lhs [3] has K = 3, rhs [2, 4, 5] has K = 4}}
  // expected-error @+1 {{'nn.matmul' op failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<3xf32>, tensor<2x4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x4x3xf32>, %b: tensor<5x3x6xf32>) {
  // expected-error @+2 {{'nn.matmul' op batch dimensions [2] and [5] do not broadcast}}
  // expected-error @+1 {{'nn.matmul' op failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<2x4x3xf32>, tensor<5x3x6xf32>) -> tensor<2x4x6xf32>
  return
}

// -----

func.func @matmul_wrong_result(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+2 {{'nn.matmul' op inferred type(s) 'tensor<2x5xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{'nn.matmul' op failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @matmul_element_type(%a: tensor<2x3xf32>, %b: tensor<3x5xf16>) {
  // expected-error @+1 {{'nn.matmul' op requires the same element type for all operands and results}}
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x5xf16>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_unranked(%a: tensor<*xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+1 {{'nn.matmul' op operand #0 must be ranked tensor of floating-point or signless integer values, but got 'tensor<*xf32>'}}
  %0 = nn.matmul %a, %b : (tensor<*xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  return
}

//===----------------------------------------------------------------------===//
// nn.gemm
//===----------------------------------------------------------------------===//

// -----

func.func @gemm_rank(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'nn.gemm' op expected rank-2 a and b, got 'tensor<2x3x4xf32>' and 'tensor<4x5xf32>'}}
  // expected-error @+1 {{'nn.gemm' op failed to infer returned types}}
  %0 = nn.gemm %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @gemm_contracting(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'nn.gemm' op contracting dimensions differ: op(a) is [2, 3], op(b) is [4, 5]}}
  // expected-error @+1 {{'nn.gemm' op failed to infer returned types}}
  %0 = nn.gemm %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @gemm_contracting_transpose_a(%a: tensor<3x2xf32>, %b: tensor<2x5xf32>) {
  // expected-error @+2 {{'nn.gemm' op contracting dimensions differ: op(a) is [2, 3], op(b) is [2, 5]}}
  // expected-error @+1 {{'nn.gemm' op failed to infer returned types}}
  %0 = nn.gemm %a, %b transpose_a : (tensor<3x2xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @gemm_contracting_transpose_b(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+2 {{'nn.gemm' op contracting dimensions differ: op(a) is [2, 3], op(b) is [5, 3]}}
  // expected-error @+1 {{'nn.gemm' op failed to infer returned types}}
  %0 = nn.gemm %a, %b transpose_b : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @gemm_c_not_broadcast(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %c: tensor<4xf32>) {
  // expected-error @+2 {{'nn.gemm' op c of shape [4] does not broadcast to the result shape [2, 5]}}
  // expected-error @+1 {{'nn.gemm' op failed to infer returned types}}
  %0 = nn.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x5xf32>, tensor<4xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @gemm_c_rank3(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %c: tensor<1x2x5xf32>) {
  // expected-error @+2 {{'nn.gemm' op c of shape [1, 2, 5] does not broadcast to the result shape [2, 5]}}
  // expected-error @+1 {{'nn.gemm' op failed to infer returned types}}
  %0 = nn.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x5xf32>, tensor<1x2x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

// c broadcasts with the result shape, but to a larger shape than it.
func.func @gemm_c_larger(%a: tensor<1x3xf32>, %b: tensor<3x5xf32>, %c: tensor<4x5xf32>) {
  // expected-error @+2 {{'nn.gemm' op c of shape [4, 5] does not broadcast to the result shape [1, 5]}}
  // expected-error @+1 {{'nn.gemm' op failed to infer returned types}}
  %0 = nn.gemm %a, %b, %c : (tensor<1x3xf32>, tensor<3x5xf32>, tensor<4x5xf32>) -> tensor<1x5xf32>
  return
}

// -----

func.func @gemm_c_element_type(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %c: tensor<5xf16>) {
  // expected-error @+1 {{'nn.gemm' op requires the same element type for all operands and results}}
  %0 = nn.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x5xf32>, tensor<5xf16>) -> tensor<2x5xf32>
  return
}

//===----------------------------------------------------------------------===//
// nn.conv2d
//===----------------------------------------------------------------------===//

// -----

func.func @conv2d_input_rank(%x: tensor<4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op expected a rank-4 input [N, C, H, W], got 'tensor<4x8x8xf32>'}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_weight_rank(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op expected a rank-4 weight [F, C/groups, KH, KW], got 'tensor<8x4x3xf32>'}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<8x4x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_groups_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op expected groups >= 1, got 0}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 0 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_input_channels_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op input channels (4) are not divisible by groups (3)}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 3 : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @conv2d_output_channels_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<5x2x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op output channels (5) are not divisible by groups (2)}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 2 : (tensor<1x4x8x8xf32>, tensor<5x2x3x3xf32>) -> tensor<1x5x6x6xf32>
  return
}

// -----

func.func @conv2d_weight_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op weight has 4 input channels per group, expected 4 / 2 = 2}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 2 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_bias_rank(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8x1xf32>) {
  // expected-error @+2 {{'nn.conv2d' op expected bias of shape [8], got [8, 1]}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8x1xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_bias_size(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'nn.conv2d' op expected bias of shape [8], got [4]}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_dynamic_kernel(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x?x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op expected a static kernel size, got [?, 3]}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<8x4x?x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_strides_count(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op expected strides to have 2 entries, got 1}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_strides_value(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op expected strides[1] >= 1, got 0}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 0] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_pads_count(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op expected pads to have 4 entries, got 2}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [1, 1] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv2d_pads_negative(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op expected pads[1] >= 0, got -1}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, -1, 0, 0] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x5xf32>
  return
}

// -----

func.func @conv2d_dilations_count(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op expected dilations to have 2 entries, got 3}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_dilations_value(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op expected dilations[0] >= 1, got 0}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [0, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv2d_window_height(%x: tensor<1x4x2x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op the window (3) is larger than the padded input height (2)}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x4x2x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x1x6xf32>
  return
}

// -----

func.func @conv2d_window_width_dilated(%x: tensor<1x4x8x4xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op the window (5, dilated) is larger than the padded input width (4)}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 2] groups 1 : (tensor<1x4x8x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x1xf32>
  return
}

// -----

func.func @conv2d_wrong_result(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'nn.conv2d' op inferred type(s) 'tensor<1x8x4x4xf32>' are incompatible with return type(s) of operation 'tensor<1x8x8x8xf32>'}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] groups 1 : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv2d_integer_input(%x: tensor<1x4x8x8xi8>, %w: tensor<8x4x3x3xi8>) {
  // expected-error @+1 {{'nn.conv2d' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<1x4x8x8xi8>'}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 : (tensor<1x4x8x8xi8>, tensor<8x4x3x3xi8>) -> tensor<1x8x6x6xi8>
  return
}

//===----------------------------------------------------------------------===//
// nn.batch_norm
//===----------------------------------------------------------------------===//

// -----

func.func @batch_norm_input_rank(%x: tensor<4xf32>, %s: tensor<4xf32>) {
  // expected-error @+2 {{'nn.batch_norm' op expected input of rank >= 2 with channels in dim 1, got 'tensor<4xf32>'}}
  // expected-error @+1 {{'nn.batch_norm' op failed to infer returned types}}
  %0 = nn.batch_norm %x, %s, %s, %s, %s : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @batch_norm_scale(%x: tensor<1x4x8x8xf32>, %s: tensor<4xf32>, %bad: tensor<3xf32>) {
  // expected-error @+2 {{'nn.batch_norm' op expected scale of shape [4] (one per channel), got [3]}}
  // expected-error @+1 {{'nn.batch_norm' op failed to infer returned types}}
  %0 = nn.batch_norm %x, %bad, %s, %s, %s : (tensor<1x4x8x8xf32>, tensor<3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @batch_norm_bias(%x: tensor<1x4x8x8xf32>, %s: tensor<4xf32>, %bad: tensor<4x1xf32>) {
  // expected-error @+2 {{'nn.batch_norm' op expected bias of shape [4] (one per channel), got [4, 1]}}
  // expected-error @+1 {{'nn.batch_norm' op failed to infer returned types}}
  %0 = nn.batch_norm %x, %s, %bad, %s, %s : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @batch_norm_mean(%x: tensor<1x4x8x8xf32>, %s: tensor<4xf32>, %bad: tensor<8xf32>) {
  // expected-error @+2 {{'nn.batch_norm' op expected mean of shape [4] (one per channel), got [8]}}
  // expected-error @+1 {{'nn.batch_norm' op failed to infer returned types}}
  %0 = nn.batch_norm %x, %s, %s, %bad, %s : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @batch_norm_variance(%x: tensor<1x4x8x8xf32>, %s: tensor<4xf32>, %bad: tensor<f32>) {
  // expected-error @+2 {{'nn.batch_norm' op expected variance of shape [4] (one per channel), got []}}
  // expected-error @+1 {{'nn.batch_norm' op failed to infer returned types}}
  %0 = nn.batch_norm %x, %s, %s, %s, %bad : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @batch_norm_epsilon(%x: tensor<1x4x8x8xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'nn.batch_norm' op expected epsilon >= 0, got -1.000000e-05}}
  %0 = nn.batch_norm %x, %s, %s, %s, %s {epsilon = -1.0e-05 : f32} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @batch_norm_element_type(%x: tensor<1x4x8x8xf32>, %s: tensor<4xf32>, %h: tensor<4xf16>) {
  // expected-error @+1 {{'nn.batch_norm' op requires the same element type for all operands and results}}
  %0 = nn.batch_norm %x, %s, %s, %s, %h : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf16>) -> tensor<1x4x8x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// Binary ops: nn.add, nn.sub, nn.mul, nn.div, nn.pow, nn.max, nn.min and
// nn.bitwise_{and,or,xor}
//===----------------------------------------------------------------------===//

// -----

func.func @bitwise_float(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.bitwise_and' op operand #0 must be ranked tensor of signless integer values}}
  %0 = nn.bitwise_and %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @bitwise_broadcast(%a: tensor<2x3xi32>, %b: tensor<2xi32>) {
  // expected-error @+2 {{'nn.bitwise_xor' op operand shapes [2, 3] and [2] do not broadcast}}
  // expected-error @+1 {{'nn.bitwise_xor' op failed to infer returned types}}
  %0 = nn.bitwise_xor %a, %b : (tensor<2x3xi32>, tensor<2xi32>) -> tensor<2x3xi32>
  return
}

// -----

func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'nn.add' op operand shapes [2, 3] and [4] do not broadcast}}
  // expected-error @+1 {{'nn.add' op failed to infer returned types}}
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @add_wrong_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'nn.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{'nn.add' op failed to infer returned types}}
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @add_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xi32>) {
  // expected-error @+1 {{'nn.add' op requires the same element type for all operands and results}}
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @add_result_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.add' op requires the same element type for all operands and results}}
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf16>
  return
}

// -----

func.func @sub_broadcast(%a: tensor<4x1x5xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+2 {{'nn.sub' op operand shapes [4, 1, 5] and [3, 4] do not broadcast}}
  // expected-error @+1 {{'nn.sub' op failed to infer returned types}}
  %0 = nn.sub %a, %b : (tensor<4x1x5xf32>, tensor<3x4xf32>) -> tensor<4x3x5xf32>
  return
}

// -----

func.func @mul_broadcast(%a: tensor<2x3xi32>, %b: tensor<3x2xi32>) {
  // expected-error @+2 {{'nn.mul' op operand shapes [2, 3] and [3, 2] do not broadcast}}
  // expected-error @+1 {{'nn.mul' op failed to infer returned types}}
  %0 = nn.mul %a, %b : (tensor<2x3xi32>, tensor<3x2xi32>) -> tensor<2x3xi32>
  return
}

// -----

func.func @div_broadcast(%a: tensor<8xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{'nn.div' op operand shapes [8] and [2, 4] do not broadcast}}
  // expected-error @+1 {{'nn.div' op failed to infer returned types}}
  %0 = nn.div %a, %b : (tensor<8xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @pow_broadcast(%a: tensor<2x3xf32>, %b: tensor<2x2xf32>) {
  // expected-error @+2 {{'nn.pow' op operand shapes [2, 3] and [2, 2] do not broadcast}}
  // expected-error @+1 {{'nn.pow' op failed to infer returned types}}
  %0 = nn.pow %a, %b : (tensor<2x3xf32>, tensor<2x2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @max_broadcast(%a: tensor<5xf32>, %b: tensor<6xf32>) {
  // expected-error @+2 {{'nn.max' op operand shapes [5] and [6] do not broadcast}}
  // expected-error @+1 {{'nn.max' op failed to infer returned types}}
  %0 = nn.max %a, %b : (tensor<5xf32>, tensor<6xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @min_broadcast(%a: tensor<1x7xf32>, %b: tensor<3x1x6xf32>) {
  // expected-error @+2 {{'nn.min' op operand shapes [1, 7] and [3, 1, 6] do not broadcast}}
  // expected-error @+1 {{'nn.min' op failed to infer returned types}}
  %0 = nn.min %a, %b : (tensor<1x7xf32>, tensor<3x1x6xf32>) -> tensor<3x1x7xf32>
  return
}

//===----------------------------------------------------------------------===//
// Unary ops: nn.relu, nn.sigmoid, nn.tanh, nn.erf, nn.exp, nn.sqrt
//===----------------------------------------------------------------------===//

// -----

func.func @relu_integer(%a: tensor<2x3xi32>) {
  // expected-error @+1 {{'nn.relu' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<2x3xi32>'}}
  %0 = nn.relu %a : tensor<2x3xi32>
  return
}

// -----

// The custom form parses the operand type as a ranked tensor, so an unranked
// one fails in the parser rather than in the verifier.
func.func @sigmoid_unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{custom op 'nn.sigmoid' invalid kind of type specified}}
  %0 = nn.sigmoid %a : tensor<*xf32>
  return
}

// -----

func.func @math_integer(%a: tensor<4xi64>) {
  // expected-error @+1 {{'nn.math' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi64>'}}
  %0 = nn.math floor %a : tensor<4xi64>
  return
}

// -----

func.func @math_unknown_kind(%a: tensor<4xf32>) {
  // expected-error @+1 {{custom op 'nn.math' expected string or keyword containing one of the following enum values for attribute 'kind' [sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, floor, ceil, round_even]}}
  %0 = nn.math round %a : tensor<4xf32>
  return
}

// -----

func.func @tanh_integer(%a: tensor<4xi8>) {
  // expected-error @+1 {{'nn.tanh' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi8>'}}
  %0 = nn.tanh %a : tensor<4xi8>
  return
}

// -----

func.func @sigmoid_bool(%a: tensor<4xi1>) {
  // expected-error @+1 {{'nn.sigmoid' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi1>'}}
  %0 = nn.sigmoid %a : tensor<4xi1>
  return
}

// -----

func.func @erf_complex(%a: tensor<4xcomplex<f32>>) {
  // expected-error @+1 {{'nn.erf' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xcomplex<f32>>'}}
  %0 = nn.erf %a : tensor<4xcomplex<f32>>
  return
}

// -----

func.func @exp_integer(%a: tensor<2x?xi16>) {
  // expected-error @+1 {{'nn.exp' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<2x?xi16>'}}
  %0 = nn.exp %a : tensor<2x?xi16>
  return
}

// -----

func.func @sqrt_index(%a: tensor<4xindex>) {
  // expected-error @+1 {{'nn.sqrt' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xindex>'}}
  %0 = nn.sqrt %a : tensor<4xindex>
  return
}

//===----------------------------------------------------------------------===//
// nn.clip
//===----------------------------------------------------------------------===//

// -----

func.func @clip_min_above_max(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.clip' op expected min <= max, got min = 6.000000e+00 and max = 0.000000e+00}}
  %0 = nn.clip %a min 6.0 max 0.0 : tensor<2x3xf32>
  return
}

// -----

func.func @clip_integer(%a: tensor<2x3xi32>) {
  // expected-error @+1 {{'nn.clip' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<2x3xi32>'}}
  %0 = nn.clip %a min 0.0 max 6.0 : tensor<2x3xi32>
  return
}

//===----------------------------------------------------------------------===//
// nn.maxpool
//===----------------------------------------------------------------------===//

// -----

func.func @maxpool_pads_count(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.maxpool' op expected pads to have 4 entries, got 2}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [3, 3] strides [1, 1] pads [1, 1] dilations [1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @maxpool_input_rank(%x: tensor<4x8x8xf32>) {
  // expected-error @+2 {{'nn.maxpool' op expected a rank-4 input [N, C, H, W], got 'tensor<4x8x8xf32>'}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [3, 3] strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<4x8x8xf32> -> tensor<4x6x6xf32>
  return
}

// -----

func.func @maxpool_kernel_count(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.maxpool' op expected kernel to have 2 entries, got 1}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [3] strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @maxpool_kernel_value(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.maxpool' op expected kernel[1] >= 1, got 0}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [3, 0] strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @maxpool_pads_not_smaller_than_kernel(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.maxpool' op expected pads smaller than the kernel, got pads [0, 0, 0, 2] for kernel [2, 2]}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [2, 2] strides [1, 1] pads [0, 0, 0, 2] dilations [1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x7x9xf32>
  return
}

// -----

func.func @maxpool_strides_count(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.maxpool' op expected strides to have 2 entries, got 3}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [3, 3] strides [1, 1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @maxpool_strides_value(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.maxpool' op expected strides[0] >= 1, got -2}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [3, 3] strides [-2, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @maxpool_pads_negative(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.maxpool' op expected pads[2] >= 0, got -1}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [3, 3] strides [1, 1] pads [0, 0, -1, 0] dilations [1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x5x6xf32>
  return
}

// -----

func.func @maxpool_dilations_count(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.maxpool' op expected dilations to have 2 entries, got 0}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [3, 3] strides [1, 1] pads [0, 0, 0, 0] dilations [] : tensor<1x4x8x8xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @maxpool_dilations_value(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.maxpool' op expected dilations[1] >= 1, got 0}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [3, 3] strides [1, 1] pads [0, 0, 0, 0] dilations [1, 0] : tensor<1x4x8x8xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @maxpool_window_height(%x: tensor<1x4x2x8xf32>) {
  // expected-error @+2 {{'nn.maxpool' op the window (3) is larger than the padded input height (2)}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [3, 3] strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x4x2x8xf32> -> tensor<1x4x1x6xf32>
  return
}

// -----

func.func @maxpool_window_width_dilated(%x: tensor<1x4x8x6xf32>) {
  // expected-error @+2 {{'nn.maxpool' op the window (7, dilated) is larger than the padded input width (6)}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [3, 3] strides [1, 1] pads [0, 0, 0, 0] dilations [1, 3] : tensor<1x4x8x6xf32> -> tensor<1x4x6x1xf32>
  return
}

// -----

func.func @maxpool_wrong_result(%x: tensor<1x4x7x7xf32>) {
  // expected-error @+2 {{'nn.maxpool' op inferred type(s) 'tensor<1x4x3x3xf32>' are incompatible with return type(s) of operation 'tensor<1x4x4x4xf32>'}}
  // expected-error @+1 {{'nn.maxpool' op failed to infer returned types}}
  %0 = nn.maxpool %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x4x7x7xf32> -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @maxpool_integer(%x: tensor<1x4x8x8xi32>) {
  // expected-error @+1 {{'nn.maxpool' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<1x4x8x8xi32>'}}
  %0 = nn.maxpool %x kernel [3, 3] strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x4x8x8xi32> -> tensor<1x4x6x6xi32>
  return
}

//===----------------------------------------------------------------------===//
// nn.avgpool
//===----------------------------------------------------------------------===//

// -----

func.func @avgpool_pads_count(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.avgpool' op expected pads to have 4 entries, got 5}}
  // expected-error @+1 {{'nn.avgpool' op failed to infer returned types}}
  %0 = nn.avgpool %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0, 0] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @avgpool_input_rank(%x: tensor<1x4x8x8x8xf32>) {
  // expected-error @+2 {{'nn.avgpool' op expected a rank-4 input [N, C, H, W], got 'tensor<1x4x8x8x8xf32>'}}
  // expected-error @+1 {{'nn.avgpool' op failed to infer returned types}}
  %0 = nn.avgpool %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] : tensor<1x4x8x8x8xf32> -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @avgpool_kernel_count(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.avgpool' op expected kernel to have 2 entries, got 3}}
  // expected-error @+1 {{'nn.avgpool' op failed to infer returned types}}
  %0 = nn.avgpool %x kernel [2, 2, 2] strides [2, 2] pads [0, 0, 0, 0] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @avgpool_kernel_value(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.avgpool' op expected kernel[0] >= 1, got -1}}
  // expected-error @+1 {{'nn.avgpool' op failed to infer returned types}}
  %0 = nn.avgpool %x kernel [-1, 2] strides [2, 2] pads [0, 0, 0, 0] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @avgpool_pads_not_smaller_than_kernel(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.avgpool' op expected pads smaller than the kernel, got pads [3, 0, 0, 0] for kernel [3, 3]}}
  // expected-error @+1 {{'nn.avgpool' op failed to infer returned types}}
  %0 = nn.avgpool %x kernel [3, 3] strides [1, 1] pads [3, 0, 0, 0] : tensor<1x4x8x8xf32> -> tensor<1x4x9x6xf32>
  return
}

// -----

func.func @avgpool_strides_count(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.avgpool' op expected strides to have 2 entries, got 1}}
  // expected-error @+1 {{'nn.avgpool' op failed to infer returned types}}
  %0 = nn.avgpool %x kernel [2, 2] strides [2] pads [0, 0, 0, 0] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @avgpool_strides_value(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.avgpool' op expected strides[1] >= 1, got 0}}
  // expected-error @+1 {{'nn.avgpool' op failed to infer returned types}}
  %0 = nn.avgpool %x kernel [2, 2] strides [2, 0] pads [0, 0, 0, 0] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @avgpool_pads_negative(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'nn.avgpool' op expected pads[3] >= 0, got -1}}
  // expected-error @+1 {{'nn.avgpool' op failed to infer returned types}}
  %0 = nn.avgpool %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, -1] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @avgpool_window_width(%x: tensor<1x4x8x1xf32>) {
  // expected-error @+2 {{'nn.avgpool' op the window (2) is larger than the padded input width (1)}}
  // expected-error @+1 {{'nn.avgpool' op failed to infer returned types}}
  %0 = nn.avgpool %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] : tensor<1x4x8x1xf32> -> tensor<1x4x4x1xf32>
  return
}

// -----

func.func @avgpool_wrong_result_ceil_mode(%x: tensor<1x4x7x7xf32>) {
  // expected-error @+2 {{'nn.avgpool' op inferred type(s) 'tensor<1x4x4x4xf32>' are incompatible with return type(s) of operation 'tensor<1x4x3x3xf32>'}}
  // expected-error @+1 {{'nn.avgpool' op failed to infer returned types}}
  %0 = nn.avgpool %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] ceil_mode : tensor<1x4x7x7xf32> -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @avgpool_element_type(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'nn.avgpool' op requires the same element type for all operands and results}}
  %0 = nn.avgpool %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf16>
  return
}

//===----------------------------------------------------------------------===//
// nn.global_avgpool
//===----------------------------------------------------------------------===//

// -----

func.func @global_avgpool_rank(%x: tensor<1x4xf32>) {
  // expected-error @+2 {{'nn.global_avgpool' op expected input [N, C, spatial...] of rank >= 3, got 'tensor<1x4xf32>'}}
  // expected-error @+1 {{'nn.global_avgpool' op failed to infer returned types}}
  %0 = nn.global_avgpool %x : tensor<1x4xf32> -> tensor<1x4xf32>
  return
}

// -----

func.func @global_avgpool_wrong_result(%x: tensor<1x4x7x7xf32>) {
  // expected-error @+2 {{'nn.global_avgpool' op inferred type(s) 'tensor<1x4x1x1xf32>' are incompatible with return type(s) of operation 'tensor<1x4xf32>'}}
  // expected-error @+1 {{'nn.global_avgpool' op failed to infer returned types}}
  %0 = nn.global_avgpool %x : tensor<1x4x7x7xf32> -> tensor<1x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// nn.softmax
//===----------------------------------------------------------------------===//

// -----

func.func @softmax_axis_too_large(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.softmax' op axis 2 is out of range for rank 2 (expected [-2, 1])}}
  %0 = nn.softmax %x axis 2 : tensor<2x3xf32>
  return
}

// -----

// The message prints a negative axis as an unsigned 64-bit number
// (I64Attr's getter returns uint64_t), so only the rest is matched here.
func.func @softmax_axis_too_small(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{is out of range for rank 2 (expected [-2, 1])}}
  %0 = nn.softmax %x axis -3 : tensor<2x3xf32>
  return
}

// -----

// A rank-0 tensor has no axis at all; the "expected" range printed for it is
// empty ([0, -1]), so only the first part of the message is matched.
func.func @softmax_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'nn.softmax' op axis 0 given for a rank-0 tensor, which has none}}
  %0 = nn.softmax %x axis 0 : tensor<f32>
  return
}

// -----

func.func @softmax_integer(%x: tensor<2x3xi64>) {
  // expected-error @+1 {{'nn.softmax' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<2x3xi64>'}}
  %0 = nn.softmax %x axis 1 : tensor<2x3xi64>
  return
}

//===----------------------------------------------------------------------===//
// nn.layer_norm
//===----------------------------------------------------------------------===//

// -----

func.func @layer_norm_axis(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+2 {{'nn.layer_norm' op axis 3 is out of range for rank 3 (expected [-3, 2])}}
  // expected-error @+1 {{'nn.layer_norm' op failed to infer returned types}}
  %0 = nn.layer_norm %x, %g axis 3 : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// As for softmax, the negative axis is printed as unsigned; match the rest.
func.func @layer_norm_axis_negative(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+2 {{is out of range for rank 3 (expected [-3, 2])}}
  // expected-error @+1 {{'nn.layer_norm' op failed to infer returned types}}
  %0 = nn.layer_norm %x, %g axis -4 : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<2x4x8xf32>, %g: tensor<4xf32>) {
  // expected-error @+2 {{'nn.layer_norm' op scale of shape [4] does not broadcast to the normalized shape [8]}}
  // expected-error @+1 {{'nn.layer_norm' op failed to infer returned types}}
  %0 = nn.layer_norm %x, %g axis -1 : (tensor<2x4x8xf32>, tensor<4xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @layer_norm_scale_rank(%x: tensor<2x4x8xf32>, %g: tensor<4x8xf32>) {
  // expected-error @+2 {{'nn.layer_norm' op scale of shape [4, 8] does not broadcast to the normalized shape [8]}}
  // expected-error @+1 {{'nn.layer_norm' op failed to infer returned types}}
  %0 = nn.layer_norm %x, %g axis 2 : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// The scale broadcasts with the normalized shape, but to a larger shape.
func.func @layer_norm_scale_larger(%x: tensor<2x1x8xf32>, %g: tensor<3x8xf32>) {
  // expected-error @+2 {{'nn.layer_norm' op scale of shape [3, 8] does not broadcast to the normalized shape [1, 8]}}
  // expected-error @+1 {{'nn.layer_norm' op failed to infer returned types}}
  %0 = nn.layer_norm %x, %g axis 1 : (tensor<2x1x8xf32>, tensor<3x8xf32>) -> tensor<2x1x8xf32>
  return
}

// -----

func.func @layer_norm_bias_shape(%x: tensor<2x4x8xf32>, %g: tensor<4x8xf32>, %b: tensor<3x8xf32>) {
  // expected-error @+2 {{'nn.layer_norm' op bias of shape [3, 8] does not broadcast to the normalized shape [4, 8]}}
  // expected-error @+1 {{'nn.layer_norm' op failed to infer returned types}}
  %0 = nn.layer_norm %x, %g, %b axis 1 : (tensor<2x4x8xf32>, tensor<4x8xf32>, tensor<3x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{'nn.layer_norm' op expected epsilon >= 0, got -1.000000e+00}}
  %0 = nn.layer_norm %x, %g axis -1 {epsilon = -1.0 : f32} : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @layer_norm_element_type(%x: tensor<2x4x8xf32>, %g: tensor<8xbf16>) {
  // expected-error @+1 {{'nn.layer_norm' op requires the same element type for all operands and results}}
  %0 = nn.layer_norm %x, %g axis -1 : (tensor<2x4x8xf32>, tensor<8xbf16>) -> tensor<2x4x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// nn.reduce
//===----------------------------------------------------------------------===//

// -----

func.func @reduce_no_axes(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.reduce' op expected at least one axis}}
  // expected-error @+1 {{'nn.reduce' op failed to infer returned types}}
  %0 = nn.reduce sum %x axes [] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @reduce_axis_too_large(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.reduce' op axis 3 is out of range for rank 3 (expected [-3, 2])}}
  // expected-error @+1 {{'nn.reduce' op failed to infer returned types}}
  %0 = nn.reduce mean %x axes [1, 3] : tensor<2x3x4xf32> -> tensor<2xf32>
  return
}

// -----

func.func @reduce_axis_too_small(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.reduce' op axis -4 is out of range for rank 3 (expected [-3, 2])}}
  // expected-error @+1 {{'nn.reduce' op failed to infer returned types}}
  %0 = nn.reduce max %x axes [-4] : tensor<2x3x4xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @reduce_axis_twice(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.reduce' op axes [1, 1] name dim 1 twice}}
  // expected-error @+1 {{'nn.reduce' op failed to infer returned types}}
  %0 = nn.reduce min %x axes [1, 1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return
}

// -----

// -2 and 1 name the same dimension of a rank-3 input.
func.func @reduce_axis_twice_negative(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.reduce' op axes [1, -2] name dim 1 twice}}
  // expected-error @+1 {{'nn.reduce' op failed to infer returned types}}
  %0 = nn.reduce sum %x axes [1, -2] keepdims : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return
}

// -----

func.func @reduce_wrong_result_keepdims(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.reduce' op inferred type(s) 'tensor<2x1x4xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{'nn.reduce' op failed to infer returned types}}
  %0 = nn.reduce sum %x axes [1] keepdims : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @reduce_bad_kind(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{custom op 'nn.reduce' expected string or keyword containing one of the following enum values for attribute 'kind' [sum, mean, max, min, prod]}}
  %0 = nn.reduce median %x axes [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// nn.reshape
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_negative_entry(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reshape' op expected shape entries >= 0 and at most one -1, got [2, -3]}}
  // expected-error @+1 {{'nn.reshape' op failed to infer returned types}}
  %0 = nn.reshape %x [2, -3] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @reshape_two_inferred(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reshape' op expected shape entries >= 0 and at most one -1, got [-1, -1]}}
  // expected-error @+1 {{'nn.reshape' op failed to infer returned types}}
  %0 = nn.reshape %x [-1, -1] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @reshape_inferred_not_divisible(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reshape' op cannot reshape 6 elements [2, 3] into [-1, 4]}}
  // expected-error @+1 {{'nn.reshape' op failed to infer returned types}}
  %0 = nn.reshape %x [-1, 4] : tensor<2x3xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @reshape_inferred_with_zero(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reshape' op cannot reshape 6 elements [2, 3] into [0, -1]}}
  // expected-error @+1 {{'nn.reshape' op failed to infer returned types}}
  %0 = nn.reshape %x [0, -1] : tensor<2x3xf32> -> tensor<0x6xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reshape' op cannot reshape 6 elements [2, 3] into 8 elements [2, 4]}}
  // expected-error @+1 {{'nn.reshape' op failed to infer returned types}}
  %0 = nn.reshape %x [2, 4] : tensor<2x3xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @reshape_wrong_result(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reshape' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<6xf32>'}}
  // expected-error @+1 {{'nn.reshape' op failed to infer returned types}}
  %0 = nn.reshape %x [3, -1] : tensor<2x3xf32> -> tensor<6xf32>
  return
}

//===----------------------------------------------------------------------===//
// nn.flatten
//===----------------------------------------------------------------------===//

// -----

func.func @flatten_axis_too_large(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.flatten' op axis 4 is out of range for rank 3 (expected [-3, 3])}}
  // expected-error @+1 {{'nn.flatten' op failed to infer returned types}}
  %0 = nn.flatten %x axis 4 : tensor<2x3x4xf32> -> tensor<24x1xf32>
  return
}

// -----

func.func @flatten_axis_too_small(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.flatten' op axis -4 is out of range for rank 3 (expected [-3, 3])}}
  // expected-error @+1 {{'nn.flatten' op failed to infer returned types}}
  %0 = nn.flatten %x axis -4 : tensor<2x3x4xf32> -> tensor<1x24xf32>
  return
}

// -----

func.func @flatten_wrong_result(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.flatten' op inferred type(s) 'tensor<6x4xf32>' are incompatible with return type(s) of operation 'tensor<2x12xf32>'}}
  // expected-error @+1 {{'nn.flatten' op failed to infer returned types}}
  %0 = nn.flatten %x axis -1 : tensor<2x3x4xf32> -> tensor<2x12xf32>
  return
}

//===----------------------------------------------------------------------===//
// nn.transpose
//===----------------------------------------------------------------------===//

// -----

func.func @transpose_perm_length(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.transpose' op perm [1, 0] is not a permutation of [0, 3)}}
  // expected-error @+1 {{'nn.transpose' op failed to infer returned types}}
  %0 = nn.transpose %x [1, 0] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return
}

// -----

func.func @transpose_perm_out_of_range(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.transpose' op perm [0, 3, 1] is not a permutation of [0, 3)}}
  // expected-error @+1 {{'nn.transpose' op failed to infer returned types}}
  %0 = nn.transpose %x [0, 3, 1] : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  return
}

// -----

func.func @transpose_perm_negative(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.transpose' op perm [-1, 0, 1] is not a permutation of [0, 3)}}
  // expected-error @+1 {{'nn.transpose' op failed to infer returned types}}
  %0 = nn.transpose %x [-1, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return
}

// -----

func.func @transpose_perm_repeated(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.transpose' op perm [2, 0, 2] is not a permutation of [0, 3)}}
  // expected-error @+1 {{'nn.transpose' op failed to infer returned types}}
  %0 = nn.transpose %x [2, 0, 2] : tensor<2x3x4xf32> -> tensor<4x2x4xf32>
  return
}

// -----

func.func @transpose_wrong_result(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'nn.transpose' op inferred type(s) 'tensor<4x2x3xf32>' are incompatible with return type(s) of operation 'tensor<4x3x2xf32>'}}
  // expected-error @+1 {{'nn.transpose' op failed to infer returned types}}
  %0 = nn.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
  return
}

//===----------------------------------------------------------------------===//
// nn.concat
//===----------------------------------------------------------------------===//

// -----

// SameOperandsAndResultElementType rejects an empty operand list before
// inference ("expected at least one input") runs.
func.func @concat_no_inputs() {
  // expected-error @+1 {{'nn.concat' op expected 1 or more operands, but found 0}}
  %0 = nn.concat axis 0 : () -> tensor<2xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.concat' op axis 2 is out of range for rank 2 (expected [-2, 1])}}
  // expected-error @+1 {{'nn.concat' op failed to infer returned types}}
  %0 = nn.concat %a, %b axis 2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

// The negative axis is printed as unsigned (see softmax); match the rest.
func.func @concat_axis_negative(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error @+2 {{is out of range for rank 2 (expected [-2, 1])}}
  // expected-error @+1 {{'nn.concat' op failed to infer returned types}}
  %0 = nn.concat %a, %b axis -3 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %c: tensor<3xf32>) {
  // expected-error @+2 {{'nn.concat' op input 2 has rank 1, expected 2}}
  // expected-error @+1 {{'nn.concat' op failed to infer returned types}}
  %0 = nn.concat %a, %b, %c axis 0 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @concat_dim_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x4xf32>) {
  // expected-error @+2 {{'nn.concat' op input 1 has shape [4, 4], which differs from [2, 3] in dim 1 (not the concat axis 0)}}
  // expected-error @+1 {{'nn.concat' op failed to infer returned types}}
  %0 = nn.concat %a, %b axis 0 : (tensor<2x3xf32>, tensor<4x4xf32>) -> tensor<6x3xf32>
  return
}

// -----

func.func @concat_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) {
  // expected-error @+1 {{'nn.concat' op requires the same element type for all operands and results}}
  %0 = nn.concat %a, %b axis 0 : (tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_wrong_result(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) {
  // expected-error @+2 {{'nn.concat' op inferred type(s) 'tensor<2x8xf32>' are incompatible with return type(s) of operation 'tensor<4x3xf32>'}}
  // expected-error @+1 {{'nn.concat' op failed to infer returned types}}
  %0 = nn.concat %a, %b axis -1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<4x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// nn.slice
//===----------------------------------------------------------------------===//

// -----

func.func @slice_counts(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'nn.slice' op expected 2 starts, ends and steps (one per dim), got 1, 2 and 2}}
  // expected-error @+1 {{'nn.slice' op failed to infer returned types}}
  %0 = nn.slice %x starts [0] ends [4, 8] steps [1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_step_zero(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'nn.slice' op steps[1] is 0}}
  // expected-error @+1 {{'nn.slice' op failed to infer returned types}}
  %0 = nn.slice %x starts [0, 0] ends [4, 8] steps [1, 0] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_end_too_large(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'nn.slice' op dim 1 (size 8, step 2): expected starts and ends in [0, 8], got start 0 and end 9}}
  // expected-error @+1 {{'nn.slice' op failed to infer returned types}}
  %0 = nn.slice %x starts [0, 0] ends [4, 9] steps [1, 2] : tensor<4x8xf32> -> tensor<4x5xf32>
  return
}

// -----

func.func @slice_start_negative(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'nn.slice' op dim 0 (size 4, step 1): expected starts and ends in [0, 4], got start -1 and end 4}}
  // expected-error @+1 {{'nn.slice' op failed to infer returned types}}
  %0 = nn.slice %x starts [-1, 0] ends [4, 8] steps [1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_negative_step_start(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'nn.slice' op dim 0 (size 4, step -1): expected starts and ends in [-1, 3], got start 4 and end -1}}
  // expected-error @+1 {{'nn.slice' op failed to infer returned types}}
  %0 = nn.slice %x starts [4, 0] ends [-1, 8] steps [-1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_negative_step_end(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'nn.slice' op dim 1 (size 8, step -2): expected starts and ends in [-1, 7], got start 7 and end -2}}
  // expected-error @+1 {{'nn.slice' op failed to infer returned types}}
  %0 = nn.slice %x starts [0, 7] ends [4, -2] steps [1, -2] : tensor<4x8xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @slice_wrong_result(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'nn.slice' op inferred type(s) 'tensor<4x2xf32>' are incompatible with return type(s) of operation 'tensor<4x3xf32>'}}
  // expected-error @+1 {{'nn.slice' op failed to infer returned types}}
  %0 = nn.slice %x starts [0, 2] ends [4, 8] steps [1, 3] : tensor<4x8xf32> -> tensor<4x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// nn.gather
//===----------------------------------------------------------------------===//

// -----

func.func @gather_axis(%d: tensor<5x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+2 {{'nn.gather' op axis 2 is out of range for rank 2 (expected [-2, 1])}}
  // expected-error @+1 {{'nn.gather' op failed to infer returned types}}
  %0 = nn.gather %d, %i axis 2 : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<5x3xf32>
  return
}

// -----

// The negative axis is printed as unsigned (see softmax); match the rest.
func.func @gather_axis_negative(%d: tensor<5x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+2 {{is out of range for rank 2 (expected [-2, 1])}}
  // expected-error @+1 {{'nn.gather' op failed to infer returned types}}
  %0 = nn.gather %d, %i axis -3 : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return
}

// -----

func.func @gather_float_indices(%d: tensor<5x4xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{'nn.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = nn.gather %d, %i axis 0 : (tensor<5x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @gather_i16_indices(%d: tensor<5x4xf32>, %i: tensor<3xi16>) {
  // expected-error @+1 {{'nn.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xi16>'}}
  %0 = nn.gather %d, %i axis 0 : (tensor<5x4xf32>, tensor<3xi16>) -> tensor<3x4xf32>
  return
}

// -----

// gather has no element-type trait: the result's element type is checked by
// inference.
func.func @gather_wrong_result_element_type(%d: tensor<5x4xf32>, %i: tensor<3xi32>) {
  // expected-error @+2 {{'nn.gather' op inferred type(s) 'tensor<3x4xf32>' are incompatible with return type(s) of operation 'tensor<3x4xf16>'}}
  // expected-error @+1 {{'nn.gather' op failed to infer returned types}}
  %0 = nn.gather %d, %i axis 0 : (tensor<5x4xf32>, tensor<3xi32>) -> tensor<3x4xf16>
  return
}

//===----------------------------------------------------------------------===//
// nn.pad
//===----------------------------------------------------------------------===//

// -----

func.func @pad_count(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.pad' op expected 4 pads (begin and end per dim), got 2}}
  // expected-error @+1 {{'nn.pad' op failed to infer returned types}}
  %0 = nn.pad %x pads [1, 1] : tensor<2x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @pad_crop_too_much(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.pad' op pads -2 and -1 remove more than the 2 elements of dim 0}}
  // expected-error @+1 {{'nn.pad' op failed to infer returned types}}
  %0 = nn.pad %x pads [-2, 0, -1, 0] : tensor<2x3xf32> -> tensor<0x3xf32>
  return
}

// -----

func.func @pad_reflect_too_wide(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.pad' op reflect padding of 3 on dim 1 needs a dimension larger than the pad, got 3}}
  %0 = nn.pad %x pads [0, 0, 0, 3] mode reflect : tensor<2x3xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @pad_edge_empty_dim(%x: tensor<0x3xf32>) {
  // expected-error @+1 {{'nn.pad' op edge padding of the empty dim 0}}
  %0 = nn.pad %x pads [1, 0, 0, 0] mode edge : tensor<0x3xf32> -> tensor<1x3xf32>
  return
}

// -----

func.func @pad_wrap_empty_dim(%x: tensor<3x0xf32>) {
  // expected-error @+1 {{'nn.pad' op wrap padding of the empty dim 1}}
  %0 = nn.pad %x pads [0, 0, 0, 2] mode wrap : tensor<3x0xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @pad_bad_mode(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{custom op 'nn.pad' expected string or keyword containing one of the following enum values for attribute 'mode' [constant, reflect, edge, wrap]}}
  %0 = nn.pad %x pads [0, 0, 1, 1] mode symmetric : tensor<2x3xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @pad_wrong_result(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.pad' op inferred type(s) 'tensor<3x5xf32>' are incompatible with return type(s) of operation 'tensor<4x5xf32>'}}
  // expected-error @+1 {{'nn.pad' op failed to infer returned types}}
  %0 = nn.pad %x pads [0, 1, 1, 1] value 1.0 : tensor<2x3xf32> -> tensor<4x5xf32>
  return
}

// -----

// Negative axes are printed as written.
func.func @softmax_negative_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nn.softmax' op axis -3 is out of range for rank 2 (expected [-2, 1])}}
  %0 = nn.softmax %x axis -3 : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_overflow(%x: tensor<2x3xf32>) -> tensor<0x3xf32> {
  // expected-error @+2 {{'nn.pad' op pads 9223372036854775807 and 9223372036854775807 overflow the size of dim 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.pad %x pads [9223372036854775807, 0, 9223372036854775807, 0] : tensor<2x3xf32> -> tensor<0x3xf32>
  return %0 : tensor<0x3xf32>
}

// -----

func.func @reshape_overflow(%x: tensor<4294967296x4294967296xf32>) -> tensor<0xf32> {
  // expected-error @+2 {{'nn.reshape' op the element count of [4294967296, 4294967296] or [0] overflows a 64-bit integer}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %x [0] : tensor<4294967296x4294967296xf32> -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

func.func @conv_huge_dilation(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x2x3xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+2 {{'nn.conv2d' op dilations [9223372036854775807, 1] exceeds the supported maximum of 1048576}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [9223372036854775807, 1] groups 1
      : (tensor<1x4x8x8xf32>, tensor<8x4x2x3xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

func.func @conv_empty_kernel(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x0x0xf32>) -> tensor<1x8x9x9xf32> {
  // expected-error @+2 {{'nn.conv2d' op expected a kernel of at least 1x1, got [0, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1
      : (tensor<1x4x8x8xf32>, tensor<8x4x0x0xf32>) -> tensor<1x8x9x9xf32>
  return %0 : tensor<1x8x9x9xf32>
}

// -----

func.func @clip_nan(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.clip' op expected numeric bounds, got NaN}}
  %0 = nn.clip %x min 0x7FC00000 max 0.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @compare_mixed_types(%a: tensor<2xf32>, %b: tensor<2xi64>) {
  // expected-error @+2 {{'nn.compare' op expected operands of one element type, got 'f32' and 'i64'}}
  // expected-error @+1 {{'nn.compare' op failed to infer returned types}}
  %0 = nn.compare eq %a, %b : (tensor<2xf32>, tensor<2xi64>) -> tensor<2xi1>
  return
}

// -----

func.func @select_no_broadcast(%c: tensor<2xi1>, %a: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'nn.select' op operand shapes [2], [3], [3] do not broadcast}}
  // expected-error @+1 {{'nn.select' op failed to infer returned types}}
  %0 = nn.select %c, %a, %b : (tensor<2xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @argmax_bad_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.argmax' op axis 2 is out of range for rank 2 (expected [-2, 1])}}
  // expected-error @+1 {{'nn.argmax' op failed to infer returned types}}
  %0 = nn.argmax %x axis 2 : tensor<2x3xf32> -> tensor<2xi64>
  return
}

// -----

func.func @topk_k_too_large(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.topk' op expected 1 <= k <= 3 (the size of dim 1), got k = 4}}
  // expected-error @+1 {{'nn.topk' op failed to infer returned types}}
  %0:2 = nn.topk %x k 4 axis 1 largest : tensor<2x3xf32> -> (tensor<2x4xf32>, tensor<2x4xi64>)
  return
}

// -----

func.func @cumsum_bad_axis(%x: tensor<5xf32>) {
  // expected-error @+1 {{'nn.cumsum' op axis 1 is out of range for rank 1 (expected [-1, 0])}}
  %0 = nn.cumsum %x axis 1 : tensor<5xf32>
  return
}

// -----

func.func @gather_elements_rank(%x: tensor<3x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+2 {{'nn.gather_elements' op expected indices of the rank of data (2), got rank 1}}
  // expected-error @+1 {{'nn.gather_elements' op failed to infer returned types}}
  %0 = nn.gather_elements %x, %i axis 0 : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<3xf32>
  return
}

// -----

func.func @resize_sizes_rank(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+2 {{'nn.resize' op expected 4 sizes and scales (one per dim), got 2 and 2}}
  // expected-error @+1 {{'nn.resize' op failed to infer returned types}}
  %0 = nn.resize %x sizes [8, 8] scales [2.0, 2.0] mode nearest coordinate_mode asymmetric
         nearest_mode floor : tensor<1x1x4x4xf32> -> tensor<1x1x8x8xf32>
  return
}

// -----

func.func @cast_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.cast' op requires the same shape for all operands and results}}
  %0 = nn.cast %x : tensor<2x3xf32> -> tensor<3x2xi64>
  return
}

// -----

func.func @resize_crop_without_roi(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+2 {{'nn.resize' op expected a roi of 8 entries exactly with coordinate_mode tf_crop_and_resize}}
  // expected-error @+1 {{'nn.resize' op failed to infer returned types}}
  %0 = nn.resize %x sizes [1, 1, 2, 2] scales [1.0, 1.0, 0.5, 0.5] mode linear
         coordinate_mode tf_crop_and_resize nearest_mode floor
      : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @gather_nd_tuple(%x: tensor<3x4xf32>, %i: tensor<2x3xi64>) {
  // expected-error @+2 {{'nn.gather_nd' op expected index tuples of 1 to 2 coordinates (the last dim of indices), got 3}}
  // expected-error @+1 {{'nn.gather_nd' op failed to infer returned types}}
  %0 = nn.gather_nd %x, %i batch_dims 0 : (tensor<3x4xf32>, tensor<2x3xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_nd_batch_dims(%x: tensor<3x4xf32>, %i: tensor<2x1xi64>) {
  // expected-error @+2 {{'nn.gather_nd' op batch dim 0 differs: data [3, 4], indices [2, 1]}}
  // expected-error @+1 {{'nn.gather_nd' op failed to infer returned types}}
  %0 = nn.gather_nd %x, %i batch_dims 1 : (tensor<3x4xf32>, tensor<2x1xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_nd_batch_range(%x: tensor<3x4xf32>, %i: tensor<3x1xi64>) {
  // expected-error @+2 {{'nn.gather_nd' op expected 0 <= batch_dims < 2 (the lower rank of data and indices), got 2}}
  // expected-error @+1 {{'nn.gather_nd' op failed to infer returned types}}
  %0 = nn.gather_nd %x, %i batch_dims 2 : (tensor<3x4xf32>, tensor<3x1xi64>) -> tensor<3xf32>
  return
}

// -----

func.func @scatter_elements_updates(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x3xf32>) {
  // expected-error @+2 {{'nn.scatter_elements' op expected updates of shape [3, 2], got [3, 3]}}
  // expected-error @+1 {{'nn.scatter_elements' op failed to infer returned types}}
  %0 = nn.scatter_elements %x, %i, %u axis 1 reduction none : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_elements_type(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xi32>) {
  // expected-error @+2 {{'nn.scatter_elements' op expected updates of the element type of data ('f32'), got 'i32'}}
  // expected-error @+1 {{'nn.scatter_elements' op failed to infer returned types}}
  %0 = nn.scatter_elements %x, %i, %u axis 1 reduction add : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xi32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_elements_axis(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) {
  // expected-error @+2 {{'nn.scatter_elements' op axis 2 is out of range for rank 2 (expected [-2, 1])}}
  // expected-error @+1 {{'nn.scatter_elements' op failed to infer returned types}}
  %0 = nn.scatter_elements %x, %i, %u axis 2 reduction mul : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_nd_updates(%x: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) {
  // expected-error @+2 {{'nn.scatter_nd' op expected updates of shape [2, 3], got [2, 4]}}
  // expected-error @+1 {{'nn.scatter_nd' op failed to infer returned types}}
  %0 = nn.scatter_nd %x, %i, %u reduction min : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @scatter_nd_dynamic_tuple(%x: tensor<4x3xf32>, %i: tensor<2x?xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.scatter_nd' op expected a static last dim of indices, got [2, ?]}}
  // expected-error @+1 {{'nn.scatter_nd' op failed to infer returned types}}
  %0 = nn.scatter_nd %x, %i, %u reduction none : (tensor<4x3xf32>, tensor<2x?xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @conv2d_channels_last_weight(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x2x8xf32>) {
  // expected-error @+2 {{'nn.conv2d' op weight has 2 input channels per group, expected 4 / 1 = 4}}
  // expected-error @+1 {{'nn.conv2d' op failed to infer returned types}}
  %0 = nn.conv2d %x, %w strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 channels_last
      : (tensor<1x8x8x4xf32>, tensor<3x3x2x8xf32>) -> tensor<1x6x6x8xf32>
  return
}
