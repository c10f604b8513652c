// RUN: lathe-opt %s -split-input-file -lathe-convert-nn-to-linalg -verify-diagnostics

// Dynamic shapes are not lowered yet: the conversion fails naming the op.
func.func @dynamic(%a: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{failed to legalize operation 'nn.add'}}
  %0 = nn.add %a, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
