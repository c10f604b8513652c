// RUN: lathe-opt %s -split-input-file -lathe-convert-nn-to-linalg | FileCheck %s
// RUN: lathe-opt %s -split-input-file -lathe-convert-nn-to-linalg=im2col-min-filters=256 | FileCheck %s --check-prefix=IM2COL

// CHECK-LABEL: func @constant
// CHECK: %[[C:.+]] = arith.constant dense_resource<w0> : tensor<2xf32>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = nn.constant dense_resource<w0> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w0: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// Plain matrices use the named op on a zero-filled accumulator.
// CHECK-LABEL: func @matmul_2d
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x5xf32>)
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<2x3xf32>, tensor<3x5xf32>) outs(%[[INIT]] : tensor<2x5xf32>)
func.func @matmul_2d(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Batched and broadcast: one generic; the size-1 batch dim of lhs reads 0.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (0, d2, d4)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @matmul_batched
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @matmul_batched(%a: tensor<1x4x8xf32>, %b: tensor<2x3x8x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<1x4x8xf32>, tensor<2x3x8x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// A vector operand is promoted to a matrix, and the extra dim dropped again.
// CHECK-LABEL: func @matmul_vector
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
// CHECK: linalg.matmul
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1]] : tensor<1x5xf32> into tensor<5xf32>
func.func @matmul_vector(%a: tensor<3xf32>, %b: tensor<3x5xf32>) -> tensor<5xf32> {
  %0 = nn.matmul %a, %b : (tensor<3xf32>, tensor<3x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// gemm with transpose_b, alpha and a broadcast bias.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[BT:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @gemm
// CHECK: %[[ACC:.+]] = linalg.generic {indexing_maps = [#[[A]], #[[BT]], {{.+}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: linalg.generic {indexing_maps = [{{.+}}, #[[C]], {{.+}}], iterator_types = ["parallel", "parallel"]} ins(%[[ACC]], %{{.+}} : tensor<2x4xf32>, tensor<4xf32>)
// CHECK: %[[ALPHA:.+]] = arith.constant 5.000000e-01 : f32
// CHECK: arith.mulf %{{.+}}, %[[ALPHA]]
// CHECK: arith.addf
func.func @gemm(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = nn.gemm %a, %b, %c transpose_b {alpha = 0.5 : f32} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// conv2d: zero padding (a fill of the padded tensor, the input copied into
// its interior), bias broadcast into the accumulator, named conv.
// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @conv2d
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILL:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<1x3x10x10xf32>)
// CHECK: %[[IN:.+]] = tensor.extract_slice %[[FILL]][0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1]
// CHECK: %[[COPY:.+]] = linalg.copy ins(%arg0 : tensor<1x3x8x8xf32>) outs(%[[IN]] : tensor<1x3x8x8xf32>)
// CHECK: %[[PAD:.+]] = tensor.insert_slice %[[COPY]] into %[[FILL]][0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1]
// CHECK: %[[BIAS:.+]] = linalg.generic {indexing_maps = [#[[CH]], {{.+}}]
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %{{.+}} : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[BIAS]] : tensor<1x4x4x4xf32>)
func.func @conv2d(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = nn.conv2d %x, %w, %b strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] groups 1
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Depthwise (groups = channels = filters) and grouped convolutions.
// CHECK-LABEL: func @conv2d_groups
// CHECK: tensor.collapse_shape %{{.+}} : tensor<8x1x3x3xf32> into tensor<8x3x3xf32>
// CHECK: linalg.depthwise_conv_2d_nchw_chw
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 4, 6, 6]
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x4x4xf32> into tensor<1x6x4x4xf32>
func.func @conv2d_groups(%x: tensor<1x8x6x6xf32>, %dw: tensor<8x1x3x3xf32>, %gw: tensor<6x4x3x3xf32>)
    -> (tensor<1x8x4x4xf32>, tensor<1x6x4x4xf32>) {
  %0 = nn.conv2d %x, %dw strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 8
      : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
  %1 = nn.conv2d %x, %gw strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 2
      : (tensor<1x8x6x6xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %0, %1 : tensor<1x8x4x4xf32>, tensor<1x6x4x4xf32>
}

// -----

// Elementwise ops broadcast through their indexing maps.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @elementwise
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[COL]], #[[ROW]], #[[ID]]]
// CHECK: math.powf
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK: linalg.generic
// CHECK: math.tanh
// CHECK: linalg.generic
// CHECK: arith.maxsi
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1xf32>, %i: tensor<4xi64>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<4xi64>) {
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = nn.pow %c, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = nn.relu %0 : tensor<2x3xf32>
  %3 = nn.tanh %2 : tensor<2x3xf32>
  %4 = nn.max %i, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<4xi64>
}

// -----

// Bitwise ops are integer elementwise generics.
// CHECK-LABEL: func @bitwise
// CHECK: linalg.generic
// CHECK: arith.andi
// CHECK: linalg.generic
// CHECK: arith.ori
// CHECK: linalg.generic
// CHECK: arith.xori
func.func @bitwise(%a: tensor<2x3xi32>, %b: tensor<3xi32>) -> (tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>) {
  %0 = nn.bitwise_and %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %1 = nn.bitwise_or %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %2 = nn.bitwise_xor %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  return %0, %1, %2 : tensor<2x3xi32>, tensor<2x3xi32>, tensor<2x3xi32>
}

// -----

// CHECK-LABEL: func @clip_and_batch_norm
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: linalg.generic
// CHECK: math.rsqrt
func.func @clip_and_batch_norm(%x: tensor<1x2x3x3xf32>, %s: tensor<2xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %0 = nn.clip %x min 0.0 max 6.0 : tensor<1x2x3x3xf32>
  %1 = nn.batch_norm %x, %s, %s, %s, %s : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %0, %1 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// -----

// maxpool pads with -inf (ceil_mode adds one more row and column here).
// CHECK-LABEL: func @maxpool
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.+}} : tensor<1x1x6x6xf32>)
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 0, 0] [1, 1, 5, 5] [1, 1, 1, 1]
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.+}}, %{{.+}} : tensor<1x1x6x6xf32>, tensor<2x2xf32>)
func.func @maxpool(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = nn.maxpool %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] ceil_mode
      : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// A channels-last max pool pads H and W (dims 1 and 2) with -inf and is
// linalg's NHWC pool.
// CHECK-LABEL: func @maxpool_channels_last
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x7x7x8xf32>)
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, 1, 1, 0] [1, 6, 6, 8] [1, 1, 1, 1]
// CHECK: linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.+}}, %{{.+}} : tensor<1x7x7x8xf32>, tensor<3x3xf32>) outs(%{{.+}} : tensor<1x3x3x8xf32>)
func.func @maxpool_channels_last(%x: tensor<1x6x6x8xf32>) -> tensor<1x3x3x8xf32> {
  %0 = nn.maxpool %x kernel [3, 3] strides [2, 2] pads [1, 1, 0, 0] dilations [1, 1] channels_last
      : tensor<1x6x6x8xf32> -> tensor<1x3x3x8xf32>
  return %0 : tensor<1x3x3x8xf32>
}

// -----

// avgpool sums, then divides by the per-window count computed from indices.
// CHECK-LABEL: func @avgpool
// CHECK: linalg.pooling_nchw_sum
// CHECK: linalg.generic
// CHECK: linalg.index 2
// CHECK: linalg.index 3
// CHECK: arith.sitofp
// CHECK: arith.divf
func.func @avgpool(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = nn.avgpool %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1]
      : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// CHECK-LABEL: func @softmax
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = nn.softmax %x axis -1 : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func @layer_norm
// CHECK-COUNT-2: iterator_types = ["parallel", "reduction"]
// CHECK: math.rsqrt
func.func @layer_norm(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = nn.layer_norm %x, %g, %b axis 1 : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func @reduce_and_global_pool
// CHECK: iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.divf
// CHECK: tensor.expand_shape {{.+}} : tensor<1x4xf32> into tensor<1x4x1x1xf32>
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: iterator_types = ["reduction", "parallel", "reduction", "parallel"]
// CHECK: arith.maximumf
func.func @reduce_and_global_pool(%x: tensor<1x4x3x3xf32>) -> (tensor<1x4x1x1xf32>, tensor<4x3xf32>) {
  %0 = nn.global_avgpool %x : tensor<1x4x3x3xf32> -> tensor<1x4x1x1xf32>
  %1 = nn.reduce max %x axes [0, 2] : tensor<1x4x3x3xf32> -> tensor<4x3xf32>
  return %0, %1 : tensor<1x4x1x1xf32>, tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func @data_movement
// CHECK: tensor.collapse_shape
// CHECK: linalg.transpose ins(%{{.+}} : tensor<2x3x4xf32>) outs(%{{.+}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK: %[[E:.+]] = tensor.empty() : tensor<2x6x4xf32>
// CHECK: %[[I0:.+]] = tensor.insert_slice %{{.+}} into %[[E]][0, 0, 0] [2, 3, 4] [1, 1, 1]
// CHECK: tensor.insert_slice %{{.+}} into %[[I0]][0, 3, 0] [2, 3, 4] [1, 1, 1]
// CHECK: tensor.extract_slice %{{.+}}[0, 1, 0] [2, 1, 2] [1, 1, 2]
func.func @data_movement(%x: tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2x6x4xf32>, tensor<2x1x2xf32>) {
  %0 = nn.reshape %x [6, 4] : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = nn.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %2 = nn.concat %x, %x axis 1 : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  %3 = nn.slice %x starts [0, 1, 0] ends [2, 2, 4] steps [1, 1, 2] : tensor<2x3x4xf32> -> tensor<2x1x2xf32>
  return %0, %1, %2, %3 : tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2x6x4xf32>, tensor<2x1x2xf32>
}

// -----

// Negative steps and gathers read the source by index.
// CHECK-LABEL: func @indexed
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: tensor.extract
// CHECK: linalg.generic
// CHECK: arith.index_cast
// CHECK: arith.select
// CHECK: tensor.extract
func.func @indexed(%x: tensor<5x4xf32>, %ids: tensor<3xi64>) -> (tensor<5x4xf32>, tensor<3x4xf32>) {
  %0 = nn.slice %x starts [4, 0] ends [-1, 4] steps [-1, 1] : tensor<5x4xf32> -> tensor<5x4xf32>
  %1 = nn.gather %x, %ids axis 0 : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return %0, %1 : tensor<5x4xf32>, tensor<3x4xf32>
}

// -----

// gather_nd reads each coordinate of the index tuple, then the data element.
// CHECK-LABEL: func @gather_nd
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>, %[[I:.+]]: tensor<2x2xi64>)
// CHECK: linalg.generic
// CHECK: %[[R:.+]] = linalg.index 0
// CHECK: %[[S:.+]] = linalg.index 1
// CHECK: tensor.extract %[[I]][%[[R]], %{{.+}}] : tensor<2x2xi64>
// CHECK: %[[T0:.+]] = arith.minsi
// CHECK: tensor.extract %[[I]][%[[R]], %{{.+}}] : tensor<2x2xi64>
// CHECK: %[[T1:.+]] = arith.minsi
// CHECK: tensor.extract %[[X]][%[[T0]], %[[T1]], %[[S]]] : tensor<2x3x4xf32>
func.func @gather_nd(%x: tensor<2x3x4xf32>, %i: tensor<2x2xi64>) -> tensor<2x4xf32> {
  %0 = nn.gather_nd %x, %i batch_dims 0 : (tensor<2x3x4xf32>, tensor<2x2xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// scatter_elements: a loop nest over the indices carrying the result; each
// update is combined with the element it lands on, in order.
// CHECK-LABEL: func @scatter_elements
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>, %[[I:.+]]: tensor<3x2xi64>, %[[U:.+]]: tensor<3x2xf32>)
// CHECK: scf.for %[[P:.+]] = {{.+}} iter_args(%[[A:.+]] = %[[X]]) -> (tensor<3x4xf32>)
// CHECK: scf.for %[[Q:.+]] = {{.+}} iter_args(%[[B:.+]] = %[[A]]) -> (tensor<3x4xf32>)
// CHECK: tensor.extract %[[I]][%[[P]], %[[Q]]]
// CHECK: %[[C:.+]] = arith.minsi
// CHECK: %[[V:.+]] = tensor.extract %[[U]][%[[P]], %[[Q]]]
// CHECK: %[[OLD:.+]] = tensor.extract %[[B]][%[[P]], %[[C]]]
// CHECK: %[[NEW:.+]] = arith.addf %[[OLD]], %[[V]]
// CHECK: %[[INS:.+]] = tensor.insert %[[NEW]] into %[[B]][%[[P]], %[[C]]]
// CHECK: scf.yield %[[INS]]
func.func @scatter_elements(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x4xf32> {
  %0 = nn.scatter_elements %x, %i, %u axis 1 reduction add : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// scatter_nd without reduction: a loop nest over the updates writing each
// one at its row from the index tuple.
// CHECK-LABEL: func @scatter_nd
// CHECK-SAME: (%[[X:.+]]: tensor<4x3xf32>, %[[I:.+]]: tensor<2x1xi64>, %[[U:.+]]: tensor<2x3xf32>)
// CHECK: scf.for %[[P:.+]] = {{.+}} iter_args(%[[A:.+]] = %[[X]]) -> (tensor<4x3xf32>)
// CHECK: scf.for %[[Q:.+]] = {{.+}} iter_args(%[[B:.+]] = %[[A]]) -> (tensor<4x3xf32>)
// CHECK: tensor.extract %[[I]][%[[P]], %{{.+}}]
// CHECK: %[[R:.+]] = arith.minsi
// CHECK: %[[V:.+]] = tensor.extract %[[U]][%[[P]], %[[Q]]]
// CHECK-NOT: tensor.extract
// CHECK: tensor.insert %[[V]] into %[[B]][%[[R]], %[[Q]]]
func.func @scatter_nd(%x: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = nn.scatter_nd %x, %i, %u reduction none : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Constant pads crop negative amounts, then pad (fill, copy into the
// interior); reflect reads by index.
// CHECK-LABEL: func @pad
// CHECK: %[[CROP:.+]] = tensor.extract_slice %{{.+}}[1, 0] [3, 4] [1, 1]
// CHECK: %[[FILLED:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<4x6xf32>)
// CHECK: %[[INNER:.+]] = tensor.extract_slice %[[FILLED]][0, 2] [3, 4] [1, 1]
// CHECK: linalg.copy ins(%[[CROP]] : tensor<3x4xf32>) outs(%[[INNER]] : tensor<3x4xf32>)
// CHECK: tensor.insert_slice %{{.+}} into %[[FILLED]][0, 2] [3, 4] [1, 1]
// CHECK: linalg.generic
// CHECK: arith.cmpi slt
// CHECK: tensor.extract
func.func @pad(%x: tensor<4x4xf32>) -> (tensor<4x6xf32>, tensor<6x4xf32>) {
  %0 = nn.pad %x pads [-1, 2, 1, 0] value 1.0 : tensor<4x4xf32> -> tensor<4x6xf32>
  %1 = nn.pad %x pads [1, 0, 1, 0] mode reflect : tensor<4x4xf32> -> tensor<6x4xf32>
  return %0, %1 : tensor<4x6xf32>, tensor<6x4xf32>
}


// -----

// A rank-0 resource becomes a plain dense scalar (MLIR 19 lowers rank-0
// memref.globals as splats, which resources cannot give).
// CHECK-LABEL: func @scalar_resource
// CHECK: arith.constant dense<4.000000e+00> : tensor<f32>
func.func @scalar_resource() -> tensor<f32> {
  %0 = nn.constant dense_resource<s0> : tensor<f32>
  return %0 : tensor<f32>
}
{-#
  dialect_resources: {
    builtin: {
      s0: "0x0400000000008040"
    }
  }
#-}

// -----

// Comparisons produce i1 through a broadcasting generic; select consumes it.
// CHECK-LABEL: func @compare_select
// CHECK: %[[C:.+]] = linalg.generic
// CHECK: arith.cmpf olt
// CHECK: -> tensor<2x3xi1>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[C]], %{{.+}}, %{{.+}} : tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>)
// CHECK: arith.select
func.func @compare_select(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %s: tensor<f32>)
    -> tensor<2x3xf32> {
  %c = nn.compare lt %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %y = nn.select %c, %a, %s : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Casts truncate floats toward zero; integer pow multiplies by squares.
// CHECK-LABEL: func @cast_and_ipow
// CHECK: arith.fptosi %{{.+}} : f32 to i64
// CHECK: scf.for
// CHECK: arith.muli
func.func @cast_and_ipow(%x: tensor<4xf32>, %e: tensor<4xi64>) -> tensor<4xi64> {
  %i = nn.cast %x : tensor<4xf32> -> tensor<4xi64>
  %y = nn.pow %i, %e : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %y : tensor<4xi64>
}

// -----

// argmax: one reduction carrying (value, index), then the keepdims reshape.
// CHECK-LABEL: func @argmax
// CHECK: %[[R:.+]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<3xf32>, tensor<3xi64>)
// CHECK: tensor.expand_shape %[[R]]#1
func.func @argmax(%x: tensor<3x4xf32>) -> tensor<3x1xi64> {
  %0 = nn.argmax %x axis 1 keepdims : tensor<3x4xf32> -> tensor<3x1xi64>
  return %0 : tensor<3x1xi64>
}

// -----

// cumsum: a reduction over a second copy of the axis, masked by position.
// CHECK-LABEL: func @cumsum
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK: arith.cmpi ult
// CHECK: arith.select
func.func @cumsum(%x: tensor<5xf32>) -> tensor<5xf32> {
  %0 = nn.cumsum %x axis 0 exclusive : tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Nearest resize reads one source element per output element; the unit
// dims are not resampled.
// CHECK-LABEL: func @resize_nearest
// CHECK: linalg.generic
// CHECK: math.floor
// CHECK-COUNT-1: tensor.extract
// CHECK-NOT: tensor.extract
func.func @resize_nearest(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = nn.resize %x sizes [1, 1, 4, 4] scales [1.0, 1.0, 2.0, 2.0] mode nearest
         coordinate_mode asymmetric nearest_mode floor
      : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Linear resize on two dims weights four neighbours.
// CHECK-LABEL: func @resize_linear
// CHECK-COUNT-4: tensor.extract
func.func @resize_linear(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = nn.resize %x sizes [1, 1, 4, 4] scales [1.0, 1.0, 2.0, 2.0] mode linear
         coordinate_mode half_pixel nearest_mode round_prefer_floor
      : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// topk: ranks by a reduction against every element of the axis, then a
// gather of the first k ranks into values and indices.
// CHECK-LABEL: func @topk
// CHECK: %[[RANK:.+]] = linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<3x4xi64>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %[[RANK]] : tensor<3x4xf32>, tensor<3x4xi64>)
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<3x2xf32>, tensor<3x2xi64>)
func.func @topk(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %0:2 = nn.topk %x k 2 axis 1 largest : tensor<3x4xf32> -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %0#0, %0#1 : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

// Cubic resize on two dims weights 4 x 4 neighbours; exclude_outside
// renormalizes the weights of the neighbours inside the input.
// CHECK-LABEL: func @resize_cubic
// CHECK: arith.divf
// CHECK-COUNT-16: tensor.extract
func.func @resize_cubic(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  %0 = nn.resize %x sizes [1, 1, 8, 8] scales [1.0, 1.0, 2.0, 2.0] mode cubic
         coordinate_mode half_pixel nearest_mode round_prefer_floor
         {cubic_coeff_a = -5.000000e-01 : f64, exclude_outside}
      : tensor<1x1x4x4xf32> -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

// CHECK-LABEL: func @math
// CHECK: linalg.generic
// CHECK: math.atanh
// CHECK: linalg.generic
// CHECK: math.roundeven
func.func @math(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.math atanh %x : tensor<2x3xf32>
  %1 = nn.math round_even %0 : tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// Channels-last conv: padding on H and W (dims 1, 2), linalg's NHWC/HWCF
// convolution from zeros, then the bias added along the last dim by an
// elementwise op (the epilogue lathe-fuse-epilogue puts in the tiles).
// CHECK-LABEL: func @conv2d_channels_last
// CHECK: %[[FILL:.+]] = linalg.fill {{.+}} -> tensor<1x10x10x3xf32>
// CHECK: linalg.copy ins(%arg0 : tensor<1x8x8x3xf32>)
// CHECK: %[[PAD:.+]] = tensor.insert_slice %{{.+}} into %[[FILL]][0, 1, 1, 0] [1, 8, 8, 3] [1, 1, 1, 1]
// CHECK: %[[ZERO:.+]] = linalg.fill {{.+}} -> tensor<1x4x4x4xf32>
// CHECK: %[[CONV:.+]] = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %arg1 : tensor<1x10x10x3xf32>, tensor<3x3x3x4xf32>) outs(%[[ZERO]] : tensor<1x4x4x4xf32>)
// CHECK: %[[BIAS:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #[[CH:.+]], #{{.+}}], {{.+}}} ins(%[[CONV]], %arg2 : tensor<1x4x4x4xf32>, tensor<4xf32>)
// CHECK: arith.addf
// CHECK: return %[[BIAS]]
func.func @conv2d_channels_last(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = nn.conv2d %x, %w, %b strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] groups 1 channels_last
      : (tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Channels-last depthwise: weight [KH, KW, 1, C] collapsed to [KH, KW, C].
// With padding, the output is computed in parts, each from zeros into its
// slice of the result: the top and bottom rows, then the left and right
// columns between them, from small padded slices of the input, and last
// the interior from the input as it is (no padded copy of the input).
// CHECK-LABEL: func @depthwise_channels_last
// CHECK: %[[W:.+]] = tensor.collapse_shape %arg1 {{.+}} : tensor<3x3x1x4xf32> into tensor<3x3x4xf32>
// CHECK: tensor.empty() : tensor<1x6x6x4xf32>
// CHECK: tensor.extract_slice %arg0[0, 0, 0, 0] [1, 2, 6, 4]
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.+}} ins(%{{.+}}, %[[W]] : tensor<1x3x8x4xf32>, tensor<3x3x4xf32>) outs(%{{.+}} : tensor<1x1x6x4xf32>)
// CHECK: tensor.insert_slice {{.+}}[0, 0, 0, 0] [1, 1, 6, 4]
// CHECK: tensor.extract_slice %arg0[0, 4, 0, 0] [1, 2, 6, 4]
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.+}} ins(%{{.+}}, %[[W]] : tensor<1x3x8x4xf32>, tensor<3x3x4xf32>) outs(%{{.+}} : tensor<1x1x6x4xf32>)
// CHECK: tensor.insert_slice {{.+}}[0, 5, 0, 0] [1, 1, 6, 4]
// CHECK: tensor.extract_slice %arg0[0, 0, 0, 0] [1, 6, 2, 4]
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.+}} ins(%{{.+}}, %[[W]] : tensor<1x6x3x4xf32>, tensor<3x3x4xf32>) outs(%{{.+}} : tensor<1x4x1x4xf32>)
// CHECK: tensor.insert_slice {{.+}}[0, 1, 0, 0] [1, 4, 1, 4]
// CHECK: tensor.extract_slice %arg0[0, 0, 4, 0] [1, 6, 2, 4]
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.+}} ins(%{{.+}}, %[[W]] : tensor<1x6x3x4xf32>, tensor<3x3x4xf32>) outs(%{{.+}} : tensor<1x4x1x4xf32>)
// CHECK: tensor.insert_slice {{.+}}[0, 1, 5, 0] [1, 4, 1, 4]
// CHECK: %[[IN:.+]] = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 6, 6, 4]
// CHECK: %[[SLOT:.+]] = tensor.extract_slice %{{.+}}[0, 1, 1, 0] [1, 4, 4, 4]
// CHECK: %[[ACC:.+]] = linalg.fill {{.+}} outs(%[[SLOT]] : tensor<1x4x4x4xf32>)
// CHECK: %[[INTERIOR:.+]] = linalg.depthwise_conv_2d_nhwc_hwc {{.+}} ins(%[[IN]], %[[W]] : tensor<1x6x6x4xf32>, tensor<3x3x4xf32>) outs(%[[ACC]] : tensor<1x4x4x4xf32>)
// CHECK: %[[RES:.+]] = tensor.insert_slice %[[INTERIOR]] into %{{.+}}[0, 1, 1, 0] [1, 4, 4, 4]
// CHECK: return %[[RES]]
func.func @depthwise_channels_last(%x: tensor<1x6x6x4xf32>, %w: tensor<3x3x1x4xf32>) -> tensor<1x6x6x4xf32> {
  %0 = nn.conv2d %x, %w strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 4 channels_last
      : (tensor<1x6x6x4xf32>, tensor<3x3x1x4xf32>) -> tensor<1x6x6x4xf32>
  return %0 : tensor<1x6x6x4xf32>
}

// -----

// Stride 2: the last output row and column read inside the input, so
// only a top row and a left column need padding.
// CHECK-LABEL: func @depthwise_channels_last_strided
// CHECK: tensor.extract_slice %arg0[0, 0, 0, 0] [1, 2, 8, 4]
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.+}} outs(%{{.+}} : tensor<1x1x4x4xf32>)
// CHECK: tensor.insert_slice {{.+}}[0, 0, 0, 0] [1, 1, 4, 4]
// CHECK: tensor.extract_slice %arg0[0, 1, 0, 0] [1, 7, 2, 4]
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.+}} outs(%{{.+}} : tensor<1x3x1x4xf32>)
// CHECK: tensor.insert_slice {{.+}}[0, 1, 0, 0] [1, 3, 1, 4]
// CHECK: tensor.extract_slice %arg0[0, 1, 1, 0] [1, 7, 7, 4]
// CHECK-NOT: tensor.pad
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.+}} ins(%{{.+}} : tensor<1x7x7x4xf32>, tensor<3x3x4xf32>) outs(%{{.+}} : tensor<1x3x3x4xf32>)
// CHECK: tensor.insert_slice {{.+}}[0, 1, 1, 0] [1, 3, 3, 4]
// CHECK-NOT: depthwise
func.func @depthwise_channels_last_strided(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x1x4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = nn.conv2d %x, %w strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] groups 4 channels_last
      : (tensor<1x8x8x4xf32>, tensor<3x3x1x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// A channels-last 1x1 convolution without padding is a matmul of the
// pixels by the weights: [N*H*W, C] x [C, F], from zeros, the bias added
// after it. With stride 2, every other pixel is sliced out first.
// CHECK-LABEL: func @conv2d_pointwise
// CHECK: %[[ZERO:.+]] = linalg.fill {{.+}} -> tensor<1x4x4x16xf32>
// CHECK: %[[X:.+]] = tensor.collapse_shape %arg0 {{\[}}[0, 1, 2], [3]] : tensor<1x4x4x8xf32> into tensor<16x8xf32>
// CHECK: %[[W:.+]] = tensor.collapse_shape %arg1 {{\[}}[0, 1, 2], [3]] : tensor<1x1x8x16xf32> into tensor<8x16xf32>
// CHECK: %[[ACC:.+]] = tensor.collapse_shape %[[ZERO]] {{\[}}[0, 1, 2], [3]] : tensor<1x4x4x16xf32> into tensor<16x16xf32>
// CHECK: %[[MM:.+]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<16x8xf32>, tensor<8x16xf32>) outs(%[[ACC]] : tensor<16x16xf32>)
// CHECK: %[[OUT:.+]] = tensor.expand_shape %[[MM]] {{\[}}[0, 1, 2], [3]] output_shape [1, 4, 4, 16]
// CHECK: linalg.generic {{.+}} ins(%[[OUT]], %arg2 : tensor<1x4x4x16xf32>, tensor<16xf32>)
// CHECK-NOT: linalg.conv
// CHECK-LABEL: func @conv2d_pointwise_strided
// CHECK: %[[S:.+]] = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 2, 2, 8] [1, 2, 2, 1] : tensor<1x4x4x8xf32> to tensor<1x2x2x8xf32>
// CHECK: tensor.collapse_shape %[[S]] {{\[}}[0, 1, 2], [3]] : tensor<1x2x2x8xf32> into tensor<4x8xf32>
// CHECK: linalg.matmul {{.+}} -> tensor<4x16xf32>
func.func @conv2d_pointwise(%x: tensor<1x4x4x8xf32>, %w: tensor<1x1x8x16xf32>, %b: tensor<16xf32>) -> tensor<1x4x4x16xf32> {
  %0 = nn.conv2d %x, %w, %b strides [1, 1] pads [0, 0, 0, 0] dilations [1, 1] groups 1 channels_last
      : (tensor<1x4x4x8xf32>, tensor<1x1x8x16xf32>, tensor<16xf32>) -> tensor<1x4x4x16xf32>
  return %0 : tensor<1x4x4x16xf32>
}
func.func @conv2d_pointwise_strided(%x: tensor<1x4x4x8xf32>, %w: tensor<1x1x8x16xf32>) -> tensor<1x2x2x16xf32> {
  %0 = nn.conv2d %x, %w strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] groups 1 channels_last
      : (tensor<1x4x4x8xf32>, tensor<1x1x8x16xf32>) -> tensor<1x2x2x16xf32>
  return %0 : tensor<1x2x2x16xf32>
}

// -----

// With im2col-min-filters=256 (the scheduled CPU pipeline's setting), a
// channels-last convolution with 256 filters or more is a matmul on im2col:
// one strided copy of the padded input per kernel position into [N, OH, OW,
// KH*KW, C], viewed as [N*OH*OW, KH*KW*C], times the weights viewed as
// [KH*KW*C, F].
// IM2COL-LABEL: func @conv2d_im2col
// IM2COL: %[[FILL:.+]] = linalg.fill {{.+}} -> tensor<1x6x6x4xf32>
// IM2COL: %[[PAD:.+]] = tensor.insert_slice %{{.+}} into %[[FILL]][0, 1, 1, 0] [1, 4, 4, 4] [1, 1, 1, 1]
// IM2COL: %[[COL:.+]] = tensor.empty() : tensor<1x2x2x9x4xf32>
// IM2COL: %[[W0:.+]] = tensor.extract_slice %[[PAD]][0, 0, 0, 0] [1, 2, 2, 4] [1, 2, 2, 1] : tensor<1x6x6x4xf32> to tensor<1x2x2x4xf32>
// IM2COL: %[[SLOT0:.+]] = tensor.extract_slice %[[COL]][0, 0, 0, 0, 0] [1, 2, 2, 1, 4] [1, 1, 1, 1, 1] : tensor<1x2x2x9x4xf32> to tensor<1x2x2x4xf32>
// IM2COL: %[[C0:.+]] = linalg.copy ins(%[[W0]] : tensor<1x2x2x4xf32>) outs(%[[SLOT0]] : tensor<1x2x2x4xf32>)
// IM2COL: tensor.insert_slice %[[C0]] into %[[COL]][0, 0, 0, 0, 0] [1, 2, 2, 1, 4] [1, 1, 1, 1, 1]
// IM2COL-COUNT-7: tensor.insert_slice
// IM2COL: tensor.extract_slice %[[PAD]][0, 2, 2, 0] [1, 2, 2, 4] [1, 2, 2, 1]
// IM2COL: tensor.insert_slice
// IM2COL: %[[A:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1, 2], [3, 4]] : tensor<1x2x2x9x4xf32> into tensor<4x36xf32>
// IM2COL: %[[B:.+]] = tensor.collapse_shape %arg1 {{\[}}[0, 1, 2], [3]] : tensor<3x3x4x256xf32> into tensor<36x256xf32>
// IM2COL: linalg.matmul ins(%[[A]], %[[B]] : tensor<4x36xf32>, tensor<36x256xf32>)
// IM2COL-NOT: linalg.conv
// Without the option it stays a direct convolution.
// CHECK-LABEL: func @conv2d_im2col
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: linalg.matmul
func.func @conv2d_im2col(%x: tensor<1x4x4x4xf32>, %w: tensor<3x3x4x256xf32>) -> tensor<1x2x2x256xf32> {
  %0 = nn.conv2d %x, %w strides [2, 2] pads [1, 1, 1, 1] dilations [1, 1] groups 1 channels_last
      : (tensor<1x4x4x4xf32>, tensor<3x3x4x256xf32>) -> tensor<1x2x2x256xf32>
  return %0 : tensor<1x2x2x256xf32>
}
