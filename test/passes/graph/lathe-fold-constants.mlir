// RUN: lathe-opt %s -split-input-file -lathe-fold-constants | FileCheck %s
// RUN: lathe-opt %s -split-input-file -lathe-fold-constants=max-elements=4 | FileCheck %s --check-prefix=LIMIT

// A transposed weight blob folds to a blob (never text) holding the
// transposed values [[1, 4], [2, 5], [3, 6]].
// CHECK-LABEL: func.func @transpose_weight
// CHECK: %[[W:.+]] = nn.constant dense_resource<w_transpose> : tensor<3x2xf32>
// CHECK-NOT: nn.transpose
// CHECK: nn.matmul %arg0, %[[W]]
// CHECK: w_transpose: "0x{{[0-9A-F]+}}0000803F00008040000000400000A040000040400000C040"
// A 6-element result is over a limit of 4: nothing folds.
// LIMIT-LABEL: func.func @transpose_weight
// LIMIT: nn.transpose
func.func @transpose_weight(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = nn.constant dense_resource<w> : tensor<2x3xf32>
  %t = nn.transpose %w [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %y = nn.matmul %x, %t : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}

// -----

// A bias scaled by a broadcast scalar, and a reshaped weight; dense stays
// dense.
// CHECK-LABEL: func.func @scaled_bias
// CHECK: %[[B:.+]] = nn.constant dense<[1.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK: nn.add %arg0, %[[B]]
// CHECK-LABEL: func.func @reshaped
// CHECK: nn.constant dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi64>
// CHECK-NOT: nn.reshape
func.func @scaled_bias(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %b = nn.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %s = nn.constant dense<0.5> : tensor<f32>
  %sb = nn.mul %b, %s : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %y = nn.add %x, %sb : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}
func.func @reshaped() -> tensor<2x2xi64> {
  %c = nn.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
  %r = nn.reshape %c [2, 2] : tensor<4xi64> -> tensor<2x2xi64>
  return %r : tensor<2x2xi64>
}

// -----

// Slices and concats of constants, and chains: every op folds.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT: %[[C:.+]] = nn.constant dense<[5.000000e+00, 3.000000e+00, 1.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-NEXT: return %[[C]]
func.func @chain() -> tensor<4xf32> {
  %a = nn.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %r = nn.slice %a starts [4] ends [-1] steps [-2] : tensor<5xf32> -> tensor<3xf32>
  %b = nn.constant dense<[-4.0]> : tensor<1xf32>
  %n = nn.abs %b : tensor<1xf32>
  %c = nn.concat %r, %n axis 0 : (tensor<3xf32>, tensor<1xf32>) -> tensor<4xf32>
  return %c : tensor<4xf32>
}

// -----

// An operand that is not a constant: nothing folds.
// CHECK-LABEL: func.func @not_constant
// CHECK: nn.mul
func.func @not_constant(%x: tensor<2xf32>) -> tensor<2xf32> {
  %b = nn.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %y = nn.mul %x, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

// Integer shape arithmetic, with broadcasting and truncating division, and
// casts between integers and floats.
// CHECK-LABEL: func.func @shape_arith
// CHECK-NEXT: %[[S:.+]] = nn.constant dense<[1, 0, 12]> : tensor<3xi64>
// CHECK-NEXT: %[[F:.+]] = nn.constant dense<[1.000000e+00, 0.000000e+00, 1.200000e+01]> : tensor<3xf32>
// CHECK-NEXT: %[[I:.+]] = nn.constant dense<[2, -1]> : tensor<2xi32>
// CHECK-NEXT: return %[[S]], %[[F]], %[[I]]
func.func @shape_arith() -> (tensor<3xi64>, tensor<3xf32>, tensor<2xi32>) {
  %a = nn.constant dense<[3, -5, 24]> : tensor<3xi64>
  %b = nn.constant dense<2> : tensor<1xi64>
  %d = nn.div %a, %b : (tensor<3xi64>, tensor<1xi64>) -> tensor<3xi64>
  %one = nn.constant dense<1> : tensor<i64>
  %m = nn.max %d, %one : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %n = nn.neg %d : tensor<3xi64>
  %s = nn.sub %m, %n : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %q = nn.div %s, %b : (tensor<3xi64>, tensor<1xi64>) -> tensor<3xi64>
  %f = nn.cast %q : tensor<3xi64> -> tensor<3xf32>
  %g = nn.constant dense<[2.9, -1.5]> : tensor<2xf32>
  %i = nn.cast %g : tensor<2xf32> -> tensor<2xi32>
  return %q, %f, %i : tensor<3xi64>, tensor<3xf32>, tensor<2xi32>
}

// -----

// Division by zero is left to run time.
// CHECK-LABEL: func.func @div_by_zero
// CHECK: nn.div
func.func @div_by_zero() -> tensor<2xi64> {
  %a = nn.constant dense<[3, 4]> : tensor<2xi64>
  %b = nn.constant dense<[1, 0]> : tensor<2xi64>
  %d = nn.div %a, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %d : tensor<2xi64>
}

// -----

// A gather from a constant table at constant indices; an out-of-range index
// is left to run time.
// CHECK-LABEL: func.func @gather
// CHECK-NEXT: %[[G:.+]] = nn.constant dense<{{\[}}[3.000000e+00, 1.000000e+00]]> : tensor<1x2xf32>
// CHECK-NEXT: return %[[G]]
// CHECK-LABEL: func.func @gather_out_of_range
// CHECK: nn.gather
func.func @gather() -> tensor<1x2xf32> {
  %t = nn.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %i = nn.constant dense<[[-1, 0]]> : tensor<1x2xi64>
  %g = nn.gather %t, %i axis 0 : (tensor<3xf32>, tensor<1x2xi64>) -> tensor<1x2xf32>
  return %g : tensor<1x2xf32>
}
func.func @gather_out_of_range() -> tensor<1xf32> {
  %t = nn.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %i = nn.constant dense<[3]> : tensor<1xi32>
  %g = nn.gather %t, %i axis 0 : (tensor<3xf32>, tensor<1xi32>) -> tensor<1xf32>
  return %g : tensor<1xf32>
}
