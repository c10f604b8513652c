//===- NNIndexingOps.td - nn ops that compare, select and index -*- tablegen -*-===//
//
// Part of Lathe. The nn ops that work with predicates and positions rather
// than plain arithmetic: comparisons and selection (i1 tensors), arg
// reductions, top-k, prefix sums, element and slice gathers and scatters,
// and resizing. Included from NNOps.td; inference lives in
// NNIndexingOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_DIALECTS_NN_NNINDEXINGOPS_TD
#define LATHE_DIALECTS_NN_NNINDEXINGOPS_TD

//===----------------------------------------------------------------------===//
// Predicates
//===----------------------------------------------------------------------===//

def NN_CompareOp : NN_InferOp<"compare"> {
  let summary = "elementwise comparison with numpy broadcasting";
  let description = [{
    Compares `lhs` and `rhs` (same element type; floats, integers or i1)
    elementwise with the predicate `kind` (`eq`, `lt`, `le`, `gt`, `ge`;
    signed for integers, ordered for floats so NaN compares false). The
    shapes broadcast as in numpy; the result is an i1 tensor.

    Example:

    ```mlir
    %m = nn.compare lt %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
    ```
  }];
  let arguments = (ins NN_CompareKind:$kind, NN_Tensor:$lhs, NN_Tensor:$rhs);
  let results = (outs NN_BoolTensor:$result);
  let assemblyFormat = [{
    $kind $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def NN_SelectOp : NN_InferOp<"select"> {
  let summary = "elementwise choice between two tensors by an i1 condition";
  let description = [{
    Takes `on_true` where `condition` holds and `on_false` elsewhere. The
    three shapes broadcast as in numpy; the two values share an element
    type, which the result has.

    Example:

    ```mlir
    %y = nn.select %c, %a, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>)
                                -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_BoolTensor:$condition, NN_Tensor:$on_true,
                       NN_Tensor:$on_false);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Positions
//===----------------------------------------------------------------------===//

def NN_ArgMaxOp : NN_InferOp<"argmax"> {
  let summary = "index of the largest element along an axis";
  let description = [{
    Returns, along `axis`, the i64 index of the largest element (of the
    first one among equals, or the last with `select_last_index`; NaN
    counts as the largest). With `keepdims` the axis stays as size 1.

    Example:

    ```mlir
    %i = nn.argmax %x axis 1 keepdims : tensor<2x5xf32> -> tensor<2x1xi64>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, I64Attr:$axis, UnitAttr:$keepdims,
                       UnitAttr:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $input `axis` $axis (`keepdims` $keepdims^)?
    (`select_last_index` $select_last_index^)? attr-dict `:`
    type($input) `->` type($result)
  }];
}

def NN_TopKOp : NN_InferOp<"topk"> {
  let summary = "the k largest (or smallest) elements along an axis, sorted";
  let description = [{
    Returns the `k` largest elements along `axis` (the smallest without
    `largest`) in order, largest (smallest) first, and their i64 indices;
    among equal values the lower index comes first. The results have the
    input's shape with `k` along `axis`.

    Example:

    ```mlir
    %v, %i = nn.topk %x k 3 axis -1 largest
        : tensor<3x4xf32> -> (tensor<3x3xf32>, tensor<3x3xi64>)
    ```
  }];
  let arguments = (ins NN_Tensor:$input, I64Attr:$k, I64Attr:$axis,
                       UnitAttr:$largest);
  let results = (outs NN_Tensor:$values, RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = [{
    $input `k` $k `axis` $axis (`largest` $largest^)? attr-dict `:`
    type($input) `->` `(` type($values) `,` type($indices) `)`
  }];
}

def NN_CumSumOp : NN_Op<"cumsum", [SameOperandsAndResultType]> {
  let summary = "running sum along an axis";
  let description = [{
    Sums the elements along `axis` up to each position: inclusive, or up to
    the previous one with `exclusive`; from the end with `reverse`.

    Example:

    ```mlir
    %y = nn.cumsum %x axis 0 exclusive : tensor<5xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, I64Attr:$axis, UnitAttr:$exclusive,
                       UnitAttr:$reverse);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis (`exclusive` $exclusive^)? (`reverse` $reverse^)?
    attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

def NN_GatherElementsOp : NN_InferOp<"gather_elements"> {
  let summary = "pick one element of data per index along an axis";
  let description = [{
    `result[i...] = data[i...]` with the `axis` coordinate replaced by
    `indices[i...]` (negative values count from the back). `indices` has
    the rank of `data`; the result has the shape of `indices` and the
    element type of `data`.

    Example:

    ```mlir
    %y = nn.gather_elements %d, %i axis 1
        : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `axis` $axis attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_GatherNDOp : NN_InferOp<"gather_nd"> {
  let summary = "gather slices of data addressed by index tuples";
  let description = [{
    The last dim of `indices` holds tuples of `k` coordinates into the dims
    `batch_dims .. batch_dims + k - 1` of `data` (negative values count
    from the back); the first `batch_dims` dims of `indices` and `data` are
    shared batch dims. The result has the shape
    `indices.shape[:-1] + data.shape[batch_dims + k:]` and the element type
    of `data`.

    Example:

    ```mlir
    %y = nn.gather_nd %d, %i batch_dims 0
        : (tensor<2x2x2xf32>, tensor<2x1x2xi64>) -> tensor<2x1x2xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `batch_dims` $batch_dims attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_ScatterElementsOp : NN_InferOp<"scatter_elements"> {
  let summary = "write (or combine) one update per index along an axis";
  let description = [{
    A copy of `data` where, for every position `i...` of `indices`, the
    element at `i...` with the `axis` coordinate replaced by `indices[i...]`
    (negative values count from the back) becomes `updates[i...]`, or its
    combination with the element already there under `reduction` (`add`,
    `mul`, `max`, `min`), the updates applied in row-major order. `indices`
    and `updates` share a shape of the rank of `data`; the result has the
    type of `data`.

    Example:

    ```mlir
    %y = nn.scatter_elements %d, %i, %u axis 1 reduction add
        : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices,
                       NN_Tensor:$updates, I64Attr:$axis,
                       NN_ScatterReduction:$reduction);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates `axis` $axis `reduction` $reduction
    attr-dict `:` functional-type(operands, results)
  }];
}

def NN_ScatterNDOp : NN_InferOp<"scatter_nd"> {
  let summary = "write (or combine) slices of updates at index tuples";
  let description = [{
    A copy of `data` where the slice `data[t...]` addressed by each tuple
    `t` of the last dim of `indices` (`k` coordinates into the leading dims
    of `data`; negative values count from the back) becomes the matching
    slice of `updates`, or its elementwise combination with what is there
    under `reduction` (`add`, `mul`, `max`, `min`), tuples applied in
    row-major order. `updates` has the shape
    `indices.shape[:-1] + data.shape[k:]`; the result has the type of
    `data`.

    Example:

    ```mlir
    %y = nn.scatter_nd %d, %i, %u reduction none
        : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices,
                       NN_Tensor:$updates, NN_ScatterReduction:$reduction);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates `reduction` $reduction attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Resizing
//===----------------------------------------------------------------------===//

def NN_ResizeOp : NN_InferOp<"resize", [SameOperandsAndResultElementType]> {
  let summary = "nearest, (multi)linear or cubic resampling to a new shape";
  let description = [{
    Resamples `input` to the shape `sizes` (one entry per dim). Output
    coordinate `x` along a dim maps to the input coordinate given by
    `coordinate_mode`, using `scales` (output / input for that dim, as
    ONNX's Resize computes it); `nearest` rounds it with `nearest_mode`,
    `linear` interpolates between the two neighbours on every dim whose
    size or scale changes (clamping at the border), `cubic` between four
    with Keys' kernel of parameter `cubic_coeff_a`; with `exclude_outside`
    the neighbours outside the input get no weight (the others are
    renormalized) instead of repeating the border. `tf_crop_and_resize`
    samples the region `roi` (starts then ends, in fractions of each dim)
    and gives `extrapolation_value` to output elements that fall outside
    the input. With `antialias`, a linear or cubic downsampling (scale < 1)
    stretches its kernel by 1 / scale and normalizes the weights.

    Example:

    ```mlir
    %y = nn.resize %x sizes [1, 1, 8, 8] scales [1.0, 1.0, 2.0, 2.0]
           mode linear coordinate_mode half_pixel
           nearest_mode round_prefer_floor
        : tensor<1x1x4x4xf32> -> tensor<1x1x8x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$sizes,
                       DenseF64ArrayAttr:$scales, NN_ResizeMode:$mode,
                       NN_CoordinateMode:$coordinate_mode,
                       NN_NearestMode:$nearest_mode,
                       DefaultValuedAttr<F64Attr, "-0.75">:$cubic_coeff_a,
                       UnitAttr:$exclude_outside, UnitAttr:$antialias,
                       OptionalAttr<DenseF64ArrayAttr>:$roi,
                       DefaultValuedAttr<F64Attr, "0.0">:$extrapolation_value);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `sizes` $sizes `scales` $scales `mode` $mode
    `coordinate_mode` $coordinate_mode `nearest_mode` $nearest_mode attr-dict
    `:` type($input) `->` type($result)
  }];
}

#endif // LATHE_DIALECTS_NN_NNINDEXINGOPS_TD
