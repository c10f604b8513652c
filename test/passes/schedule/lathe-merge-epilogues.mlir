// RUN: lathe-opt %s -split-input-file -lathe-merge-epilogues | FileCheck %s

// A packed matmul's epilogue (residual add, then relu) becomes one generic
// that iterates the matmul's packed result space [M][N/NR][NR]: the
// reshapes between them fold into it, the residual is reshaped instead, and
// the result is reshaped back. The stale 2-loop config is dropped.
// CHECK-LABEL: func.func @residual_relu
// CHECK: %[[MM:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction", "parallel"]
// CHECK: %[[RES:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2]] output_shape [16, 2, 16] : tensor<16x32xf32> into tensor<16x2x16xf32>
// CHECK: %[[EPI:.+]] = linalg.generic {{{.+}}iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[MM]], %[[RES]] : tensor<16x2x16xf32>, tensor<16x2x16xf32>)
// CHECK-NOT: sched.config
// CHECK: arith.addf
// CHECK-NEXT: arith.maximumf
// CHECK: %[[BACK:.+]] = tensor.collapse_shape %[[EPI]] {{\[}}[0], [1, 2]]
// CHECK: return %[[BACK]]
#a = affine_map<(d0, d1, d2, d3) -> (d0, d2)>
#b = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @residual_relu(%a: tensor<16x8xf32>, %b: tensor<2x8x16xf32>, %init: tensor<16x32xf32>, %r: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %out = tensor.expand_shape %init [[0], [1, 2]] output_shape [16, 2, 16] : tensor<16x32xf32> into tensor<16x2x16xf32>
  %mm = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<16x8xf32>, tensor<2x8x16xf32>) outs(%out : tensor<16x2x16xf32>)
      attrs = {sched.config = #sched.config<tiles = {register = [4, 1, 1, 0]}, vector = [4, 1, 1, 16]>} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x2x16xf32>
  %flat = tensor.collapse_shape %mm [[0], [1, 2]] : tensor<16x2x16xf32> into tensor<16x32xf32>
  %e = tensor.empty() : tensor<16x32xf32>
  %add = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%flat, %r : tensor<16x32xf32>, tensor<16x32xf32>) outs(%e : tensor<16x32xf32>)
      attrs = {sched.config = #sched.config<tiles = {register = [1, 16]}, vector = [1, 16]>} {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%add : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>)
      attrs = {sched.config = #sched.config<tiles = {register = [1, 16]}, vector = [1, 16]>} {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<16x32xf32>
  return %relu : tensor<16x32xf32>
}

// -----

// Elementwise ops that do not read a scheduled op keep their shapes; an
// elementwise producer with a second user is not merged (it would be
// computed twice).
// CHECK-LABEL: func.func @shared_producer
// CHECK: %[[NEG:.+]] = linalg.generic
// CHECK: arith.negf
// CHECK: linalg.generic {{.+}} ins(%[[NEG]] : tensor<8xf32>)
// CHECK: math.exp
// CHECK: return %[[NEG]], %{{.+}}
#v = affine_map<(d0) -> (d0)>
func.func @shared_producer(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %e = tensor.empty() : tensor<8xf32>
  %n = linalg.generic {indexing_maps = [#v, #v], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.negf %a : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %x2 = linalg.generic {indexing_maps = [#v, #v], iterator_types = ["parallel"]} ins(%n : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  return %n, %x2 : tensor<8xf32>, tensor<8xf32>
}
