// RUN: lathe-opt %s -lathe-flatten-empty-boundary-tensors -split-input-file | FileCheck %s

// A zero-size argument of rank > 1 becomes tensor<0xT>; inside, an empty
// tensor of its shape stands for it. Other arguments are left alone.
// CHECK-LABEL: func.func @empty_argument
// CHECK-SAME: (%{{.+}}: tensor<0xf32>, %[[B:.+]]: tensor<2xf32>) -> tensor<2x4xf32>
// CHECK: %[[E:.+]] = tensor.empty() : tensor<2x0x4xf32>
// CHECK: nn.reduce sum %[[E]]
func.func @empty_argument(%a: tensor<2x0x4xf32>, %b: tensor<2xf32>) -> tensor<2x4xf32> {
  %0 = nn.reduce sum %a axes [1] : tensor<2x0x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A zero-size result becomes an empty tensor<0xT>.
// CHECK-LABEL: func.func @empty_result
// CHECK-SAME: -> tensor<0xf32>
// CHECK: %[[E:.+]] = tensor.empty() : tensor<0xf32>
// CHECK: return %[[E]] : tensor<0xf32>
func.func @empty_result(%x: tensor<20x10x5xf32>) -> tensor<20x0x5xf32> {
  %0 = nn.slice %x starts [0, 10, 0] ends [20, 10, 5] steps [1, 1, 1]
      : tensor<20x10x5xf32> -> tensor<20x0x5xf32>
  return %0 : tensor<20x0x5xf32>
}
