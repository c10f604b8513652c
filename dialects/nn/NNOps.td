//===- NNOps.td - Operations of the nn dialect -------------*- tablegen -*-===//
//
// Part of Lathe. Each op has a summary, a description with an example, a
// declarative assembly format and result-type inference; the inference is
// also the verifier: it rejects malformed operands and attributes with a
// message that names the values involved.
//
//===----------------------------------------------------------------------===//

#ifndef LATHE_DIALECTS_NN_NNOPS_TD
#define LATHE_DIALECTS_NN_NNOPS_TD

include "dialects/nn/NNDialect.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def NN_ConstantOp : NN_InferOp<"constant", [ConstantLike]> {
  let summary = "a constant tensor: weights, biases and folded shapes";
  let description = [{
    Holds a constant tensor. Weights imported from ONNX initializers are
    `dense_resource` blobs, which MLIR keeps out of line and never parses
    as text; small constants (folded shapes, scalars) may be `dense`.

    Example:

    ```mlir
    %w = nn.constant dense_resource<conv1_weight> : tensor<64x3x7x7xf32>
    %s = nn.constant dense<[1, 2048]> : tensor<2xi64>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def NN_MatmulOp : NN_InferOp<"matmul", [SameOperandsAndResultElementType]> {
  let summary = "matrix product with numpy semantics (batched, broadcast)";
  let description = [{
    Computes `lhs @ rhs` as numpy.matmul does: the last two dimensions are
    the matrices, leading dimensions are batch dimensions broadcast against
    each other, and a rank-1 operand is promoted to a matrix whose extra
    dimension is removed from the result.

    Example:

    ```mlir
    %y = nn.matmul %a, %b : (tensor<8x128x64xf32>, tensor<64x32xf32>)
                            -> tensor<8x128x32xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$lhs, NN_Tensor:$rhs);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def NN_GemmOp : NN_InferOp<"gemm", [SameOperandsAndResultElementType]> {
  let summary = "general matrix multiply: alpha * op(a) @ op(b) + beta * c";
  let description = [{
    Computes `alpha * op(a) @ op(b) + beta * c` on rank-2 operands, where
    `op` transposes its operand when `transpose_a` / `transpose_b` is set.
    The optional `c` broadcasts (numpy-style, one way) to the `[M, N]`
    result.

    Example:

    ```mlir
    %y = nn.gemm %x, %w, %bias transpose_b {alpha = 1.0 : f32}
        : (tensor<1x512xf32>, tensor<10x512xf32>, tensor<10xf32>)
          -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$a, NN_Tensor:$b, Optional<NN_Tensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                       UnitAttr:$transpose_a, UnitAttr:$transpose_b);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? (`transpose_a` $transpose_a^)?
    (`transpose_b` $transpose_b^)? attr-dict `:` functional-type(operands, results)
  }];
  // A constant `b` with transpose_b becomes a transposed constant (folded
  // by lathe-fold-constants), so the product is a plain matmul.
  let hasCanonicalizeMethod = 1;
}

def NN_Conv2dOp : NN_InferOp<"conv2d", [SameOperandsAndResultElementType]> {
  let summary = "2-D convolution in NCHW with grouped and dilated kernels";
  let description = [{
    Convolves `input` (`[N, C, H, W]`) with `weight` (`[F, C / groups, KH,
    KW]`) and adds the optional `bias` (`[F]`). `pads` is `[top, left,
    bottom, right]`; `strides` and `dilations` are `[h, w]`. Depthwise
    convolution is `groups = C`. The result is `[N, F, OH, OW]` with
    `OH = (H + top + bottom - dilation_h * (KH - 1) - 1) / stride_h + 1`.

    With `channels_last` the layouts are NHWC instead: `input` is
    `[N, H, W, C]`, `weight` `[KH, KW, C / groups, F]` and the result
    `[N, OH, OW, F]` (lathe-convert-conv-layout makes these; the lowering
    takes `groups = 1` and depthwise ones).

    Example:

    ```mlir
    %y = nn.conv2d %x, %w, %b strides [2, 2] pads [3, 3, 3, 3]
           dilations [1, 1] groups 1
        : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>)
          -> tensor<1x64x112x112xf32>
    %z = nn.conv2d %xt, %wt strides [1, 1] pads [0, 0, 0, 0]
           dilations [1, 1] groups 1 channels_last
        : (tensor<1x56x56x64xf32>, tensor<1x1x64x256xf32>)
          -> tensor<1x56x56x256xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, I64Attr:$groups,
                       UnitAttr:$channels_last);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `strides` $strides `pads` $pads
    `dilations` $dilations `groups` $groups (`channels_last` $channels_last^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def NN_BatchNormOp : NN_InferOp<"batch_norm", [SameOperandsAndResultElementType]> {
  let summary = "batch normalization with running statistics (inference)";
  let description = [{
    Computes `scale * (input - mean) / sqrt(variance + epsilon) + bias`
    per channel, the channel being dimension 1 of `input` (rank >= 2). The
    four statistics are rank-1 tensors with one entry per channel.

    Example:

    ```mlir
    %y = nn.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-05 : f32}
        : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>,
           tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       NN_FloatTensor:$bias, NN_FloatTensor:$mean,
                       NN_FloatTensor:$variance,
                       DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops with numpy broadcasting
//===----------------------------------------------------------------------===//

class NN_BinaryOp<string mnemonic, string expr, list<Trait> traits = []>
    : NN_InferOp<mnemonic,
                 !listconcat([SameOperandsAndResultElementType], traits)> {
  let summary = "elementwise " # expr # " with numpy broadcasting";
  let description = [{
    Computes `}] # expr # [{` elementwise. The operand shapes broadcast as in
    numpy: they are aligned on the right, and each pair of dimensions must be
    equal or one of them 1.

    Example:

    ```mlir
    %y = nn.}] # mnemonic # [{ %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$lhs, NN_Tensor:$rhs);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def NN_AddOp : NN_BinaryOp<"add", "lhs + rhs", [Commutative]>;
def NN_SubOp : NN_BinaryOp<"sub", "lhs - rhs">;
def NN_MulOp : NN_BinaryOp<"mul", "lhs * rhs", [Commutative]>;
def NN_DivOp : NN_BinaryOp<"div", "lhs / rhs">;
def NN_PowOp : NN_BinaryOp<"pow", "lhs ^ rhs">;
def NN_MaxOp : NN_BinaryOp<"max", "max(lhs, rhs)", [Commutative]>;
def NN_MinOp : NN_BinaryOp<"min", "min(lhs, rhs)", [Commutative]>;

class NN_BitwiseOp<string mnemonic, string expr>
    : NN_InferOp<mnemonic, [SameOperandsAndResultElementType, Commutative]> {
  let summary = "elementwise bitwise " # expr # " of integers with numpy "
                "broadcasting";
  let description = [{
    Computes `}] # expr # [{` bit by bit, elementwise, on signless integers
    (i1 included). The operand shapes broadcast as in numpy.

    Example:

    ```mlir
    %y = nn.}] # mnemonic # [{ %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
    ```
  }];
  let arguments = (ins NN_IntegerTensor:$lhs, NN_IntegerTensor:$rhs);
  let results = (outs NN_IntegerTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def NN_BitwiseAndOp : NN_BitwiseOp<"bitwise_and", "lhs & rhs">;
def NN_BitwiseOrOp : NN_BitwiseOp<"bitwise_or", "lhs | rhs">;
def NN_BitwiseXorOp : NN_BitwiseOp<"bitwise_xor", "lhs ^ rhs">;

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class NN_UnaryOp<string mnemonic, string expr, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat([SameOperandsAndResultType], traits)> {
  let summary = "elementwise " # expr;
  let description = [{
    Computes `}] # expr # [{` for each element; the result has the type of
    the input.

    Example:

    ```mlir
    %y = nn.}] # mnemonic # [{ %x : tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_ReluOp : NN_UnaryOp<"relu", "max(x, 0)">;
def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def NN_TanhOp : NN_UnaryOp<"tanh", "tanh(x)">;
def NN_ErfOp : NN_UnaryOp<"erf", "erf(x)">;
def NN_ExpOp : NN_UnaryOp<"exp", "exp(x)">;
def NN_SqrtOp : NN_UnaryOp<"sqrt", "sqrt(x)">;

def NN_LogOp : NN_UnaryOp<"log", "log(x)">;

/// Unary ops on floats and signed integers.
class NN_SignedUnaryOp<string mnemonic, string expr>
    : NN_UnaryOp<mnemonic, expr> {
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$result);
}

def NN_NegOp : NN_SignedUnaryOp<"neg", "-x">;
def NN_AbsOp : NN_SignedUnaryOp<"abs", "|x|">;

def NN_MathOp : NN_Op<"math", [SameOperandsAndResultType]> {
  let summary = "elementwise function of the math library";
  let description = [{
    Computes `kind(x)` for each float element: the trigonometric functions
    (`sin`, `cos`, `tan`), their inverses (`asin`, `acos`, `atan`), the
    hyperbolic ones and their inverses (`sinh`, `cosh`, `asinh`, `acosh`,
    `atanh`), and the rounding functions `floor`, `ceil` and `round_even`
    (to the nearest integer, halves to even). Values outside a function's
    domain give NaN, as in C's math library.

    Example:

    ```mlir
    %y = nn.math sin %x : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins NN_MathKind:$kind, NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$kind $input attr-dict `:` type($input)";
}

def NN_CastOp : NN_Op<"cast", [SameOperandsAndResultShape]> {
  let summary = "elementwise conversion to another element type";
  let description = [{
    Converts each element to the result's element type: floats to integers
    truncate toward zero (out-of-range values are undefined, as in ONNX),
    integers to floats round to nearest, integers widen with their sign or
    wrap when narrowed, anything to i1 is `x != 0`, and i1 to numbers is 0
    or 1.

    Example:

    ```mlir
    %y = nn.cast %x : tensor<2x3xf32> -> tensor<2x3xi64>
    ```
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def NN_ClipOp : NN_Op<"clip", [SameOperandsAndResultType]> {
  let summary = "elementwise clamp to [min, max]";
  let description = [{
    Clamps each element to `[min, max]`; a missing bound is unbounded.
    ReLU6 is `clip min 0.0 max 6.0`.

    Example:

    ```mlir
    %y = nn.clip %x min 0.000000e+00 max 6.000000e+00 : tensor<1x32x112x112xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, OptionalAttr<F32Attr>:$min,
                       OptionalAttr<F32Attr>:$max);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`min` $min^)? (`max` $max^)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Pooling and normalization
//===----------------------------------------------------------------------===//

def NN_MaxPoolOp : NN_InferOp<"maxpool", [SameOperandsAndResultElementType]> {
  let summary = "2-D max pooling in NCHW";
  let description = [{
    Takes the maximum over each `kernel` window of `input` (`[N, C, H, W]`).
    `pads` is `[top, left, bottom, right]` (padding never wins the max);
    `strides`, `dilations` and `kernel` are `[h, w]`. With `ceil_mode` the
    output size rounds up, dropping a last window that starts in the padding.
    With `channels_last` the input and result are `[N, H, W, C]` instead
    (the layout lathe-convert-conv-layout gives pools between channels-last
    convolutions).

    Example:

    ```mlir
    %y = nn.maxpool %x kernel [3, 3] strides [2, 2] pads [1, 1, 1, 1]
           dilations [1, 1] : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, UnitAttr:$ceil_mode,
                       UnitAttr:$channels_last);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `kernel` $kernel `strides` $strides `pads` $pads
    `dilations` $dilations (`ceil_mode` $ceil_mode^)?
    (`channels_last` $channels_last^)? attr-dict `:`
    type($input) `->` type($result)
  }];
}

def NN_AvgPoolOp : NN_InferOp<"avgpool", [SameOperandsAndResultElementType]> {
  let summary = "2-D average pooling in NCHW";
  let description = [{
    Averages each `kernel` window of `input` (`[N, C, H, W]`). `pads` is
    `[top, left, bottom, right]`. Padded elements count in the divisor only
    with `count_include_pad`. With `ceil_mode` the output size rounds up,
    dropping a last window that starts in the padding.

    Example:

    ```mlir
    %y = nn.avgpool %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0]
        : tensor<1x64x56x56xf32> -> tensor<1x64x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       UnitAttr:$ceil_mode, UnitAttr:$count_include_pad);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `kernel` $kernel `strides` $strides `pads` $pads
    (`ceil_mode` $ceil_mode^)? (`count_include_pad` $count_include_pad^)?
    attr-dict `:` type($input) `->` type($result)
  }];
}

def NN_GlobalAvgPoolOp : NN_InferOp<"global_avgpool",
                               [SameOperandsAndResultElementType]> {
  let summary = "average over all spatial dimensions";
  let description = [{
    Averages `input` (`[N, C, D1, ..., Dk]`, k >= 1) over its spatial
    dimensions; the result is `[N, C, 1, ..., 1]`.

    Example:

    ```mlir
    %y = nn.global_avgpool %x : tensor<1x2048x7x7xf32> -> tensor<1x2048x1x1xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def NN_SoftmaxOp : NN_Op<"softmax", [SameOperandsAndResultType]> {
  let summary = "softmax along one axis";
  let description = [{
    Computes `exp(x - max(x)) / sum(exp(x - max(x)))` along `axis`
    (negative values count from the back).

    Example:

    ```mlir
    %p = nn.softmax %x axis -1 : tensor<1x12x128x128xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input `axis` $axis attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def NN_LayerNormOp : NN_InferOp<"layer_norm", [SameOperandsAndResultElementType]> {
  let summary = "layer normalization over the trailing dimensions";
  let description = [{
    Normalizes `input` over dimensions `axis` to the last (mean 0, variance
    1, with `epsilon` added to the variance), then multiplies by `scale` and
    adds the optional `bias`. `scale` and `bias` broadcast to the normalized
    shape `input.shape[axis:]`.

    Example:

    ```mlir
    %y = nn.layer_norm %x, %gamma, %beta axis -1 {epsilon = 9.99999996E-13 : f32}
        : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>)
          -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       Optional<NN_FloatTensor>:$bias, I64Attr:$axis,
                       DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? `axis` $axis attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_ReduceOp : NN_InferOp<"reduce", [SameOperandsAndResultElementType]> {
  let summary = "sum, mean, max, min or product over a set of axes";
  let description = [{
    Reduces `input` over `axes` (distinct; negative values count from the
    back). With `keepdims` the reduced dimensions stay as size 1, otherwise
    they are removed.

    Example:

    ```mlir
    %m = nn.reduce mean %x axes [2, 3] keepdims
        : tensor<1x64x56x56xf32> -> tensor<1x64x1x1xf32>
    ```
  }];
  let arguments = (ins NN_ReduceKind:$kind, NN_Tensor:$input,
                       DenseI64ArrayAttr:$axes, UnitAttr:$keepdims);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $kind $input `axes` $axes (`keepdims` $keepdims^)? attr-dict `:`
    type($input) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def NN_ReshapeOp : NN_InferOp<"reshape", [SameOperandsAndResultElementType]> {
  let summary = "reinterpret a tensor with a new shape";
  let description = [{
    Gives `input` the shape `shape`, keeping the row-major order of the
    elements. At most one entry of `shape` may be -1: it is inferred from
    the element count. (ONNX's `0` = "copy this dimension" is resolved by
    the importer.)

    Example:

    ```mlir
    %y = nn.reshape %x [1, -1] : tensor<1x2048x1x1xf32> -> tensor<1x2048xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input $shape attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def NN_FlattenOp : NN_InferOp<"flatten", [SameOperandsAndResultElementType]> {
  let summary = "collapse to a matrix at an axis";
  let description = [{
    Reshapes `input` to `[d0 * ... * d(axis-1), d(axis) * ... * d(n-1)]`.
    `axis` ranges over `[-rank, rank]`.

    Example:

    ```mlir
    %y = nn.flatten %x axis 1 : tensor<1x512x7x7xf32> -> tensor<1x25088xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, I64Attr:$axis);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def NN_TransposeOp : NN_InferOp<"transpose", [SameOperandsAndResultElementType]> {
  let summary = "permute dimensions";
  let description = [{
    Result dimension `i` is input dimension `perm[i]`; `perm` is a
    permutation of `[0, rank)`.

    Example:

    ```mlir
    %y = nn.transpose %x [0, 2, 1, 3] : tensor<1x128x12x64xf32> -> tensor<1x12x128x64xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input $perm attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def NN_ConcatOp : NN_InferOp<"concat", [SameOperandsAndResultElementType]> {
  let summary = "join tensors along an axis";
  let description = [{
    Concatenates `inputs` (one or more, equal rank, equal sizes except along
    `axis`) along `axis` (negative values count from the back).

    Example:

    ```mlir
    %y = nn.concat %a, %b axis 1 : (tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>)
                                   -> tensor<1x96x28x28xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $inputs `axis` $axis attr-dict `:` functional-type($inputs, results)
  }];
  let hasFolder = 1;
}

def NN_SliceOp : NN_InferOp<"slice", [SameOperandsAndResultElementType]> {
  let summary = "strided slice with one start, end and step per dimension";
  let description = [{
    Takes, along each dimension `i`, the elements `starts[i]`,
    `starts[i] + steps[i]`, ... up to but excluding `ends[i]`. The importer
    normalizes ONNX's negative and out-of-range indices, so here, for a
    dimension of size `d`: with `steps[i] > 0`, `0 <= starts[i] <= d` and
    `0 <= ends[i] <= d`; with `steps[i] < 0`, `-1 <= starts[i], ends[i] <= d - 1`
    (an end of -1 runs through element 0).

    Example:

    ```mlir
    %y = nn.slice %x starts [0, 2] ends [4, 8] steps [1, 3]
        : tensor<4x8xf32> -> tensor<4x2xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input `starts` $starts `ends` $ends `steps` $steps attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def NN_GatherOp : NN_InferOp<"gather"> {
  let summary = "gather slices along an axis by index";
  let description = [{
    Selects entries of `data` along `axis` with the integer `indices`
    (negative indices count from the back). The result shape is
    `data.shape[:axis] + indices.shape + data.shape[axis+1:]`; its element
    type is that of `data`.

    Example:

    ```mlir
    %e = nn.gather %table, %ids axis 0 : (tensor<30522x768xf32>, tensor<1x128xi64>)
                                       -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `axis` $axis attr-dict `:` functional-type(operands, results)
  }];
}

def NN_PadOp : NN_InferOp<"pad", [SameOperandsAndResultElementType]> {
  let summary = "pad (or, with negative amounts, crop) each dimension";
  let description = [{
    Adds `pads[i]` elements before and `pads[rank + i]` after dimension `i`
    (ONNX order). Negative amounts remove elements. `mode` says how the new
    elements are filled: `constant` (with `value`), `reflect`, `edge` or
    `wrap`.

    Example:

    ```mlir
    %y = nn.pad %x pads [0, 0, 1, 1, 0, 0, 1, 1] mode reflect
        : tensor<1x3x8x8xf32> -> tensor<1x3x10x10xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<NN_PadMode, "PadMode::constant">:$mode,
                       DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input `pads` $pads (`mode` $mode^)? (`value` $value^)? attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

include "dialects/nn/NNIndexingOps.td"

#endif // LATHE_DIALECTS_NN_NNOPS_TD
