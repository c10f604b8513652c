#!/usr/bin/env python3
"""Builds the small ONNX models of the importer's lit tests.

Usage: make_models.py <name> <output.onnx>

Each model is made with onnx.helper at test time (no binary files in git).
Models named bad_* are deliberately malformed; they are written without
running the ONNX checker.
"""

import random
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64


def weight(name, shape, seed=0):
    rng = np.random.default_rng(seed)
    return numpy_helper.from_array(
        rng.standard_normal(shape).astype(np.float32), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def model(nodes, inputs, outputs, inits=(), opset=17, name="g"):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def vi(name, shape, elem=F):
    return helper.make_tensor_value_info(name, elem, shape)


# --- Models that import -------------------------------------------------------


def mlp():
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h"], name="fc1"),
        helper.make_node("Add", ["h", "b1"], ["hb"], name="fc1_bias"),
        helper.make_node("Relu", ["hb"], ["r"], name="relu1"),
        helper.make_node("MatMul", ["r", "w2"], ["o"], name="fc2"),
        helper.make_node("Add", ["o", "b2"], ["y"]),  # unnamed: Add_4
    ]
    inits = [weight("w1", [16, 32]), weight("b1", [32], 1),
             weight("w2", [32, 10], 2), weight("b2", [10], 3)]
    return model(nodes, [vi("x", ["batch", 16])], [vi("y", ["batch", 10])],
                 inits, opset=13)


def cnn():
    nodes = [
        helper.make_node("Conv", ["x", "cw", "cb"], ["c"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         strides=[1, 1]),
        helper.make_node("BatchNormalization",
                         ["c", "bn_s", "bn_b", "bn_m", "bn_v"], ["bn"],
                         name="bn1", epsilon=1e-3),
        helper.make_node("Relu", ["bn"], ["r"], name="relu1"),
        helper.make_node("MaxPool", ["r"], ["p"], name="pool1",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "fw", "fb"], ["logits"], name="fc",
                         transB=1),
        helper.make_node("Softmax", ["logits"], ["prob"], name="softmax",
                         axis=1),
    ]
    inits = [weight("cw", [8, 3, 3, 3]), weight("cb", [8], 1),
             weight("bn_s", [8], 2), weight("bn_b", [8], 3),
             weight("bn_m", [8], 4),
             numpy_helper.from_array(np.ones(8, np.float32), "bn_v"),
             weight("fw", [10, 8 * 4 * 4], 5), weight("fb", [10], 6)]
    return model(nodes, [vi("x", [1, 3, 8, 8])], [vi("prob", [1, 10])],
                 inits, opset=11)


def conv_same_upper():
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv_same",
                              kernel_shape=[3, 3], strides=[2, 2],
                              auto_pad="SAME_UPPER")]
    return model(nodes, [vi("x", [1, 2, 7, 8])], [vi("y", None)],
                 [weight("w", [4, 2, 3, 3])], opset=11)


def conv_same_lower():
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv_same",
                              kernel_shape=[2, 2], auto_pad="SAME_LOWER")]
    return model(nodes, [vi("x", [1, 2, 5, 5])], [vi("y", None)],
                 [weight("w", [4, 2, 2, 2])], opset=11)


def clip6():
    """Clip-6 (opsets 6 to 10): bounds are attributes."""
    nodes = [helper.make_node("Clip", ["x"], ["y"], name="relu6", min=0.0,
                              max=6.0),
             helper.make_node("Clip", ["y"], ["z"], name="lower_only",
                              min=1.0)]
    return model(nodes, [vi("x", [2, 3])], [vi("z", [2, 3])], opset=10)


def clip13():
    nodes = [
        helper.make_node("Constant", [], ["lo"], name="c_lo",
                         value=helper.make_tensor("lo", F, [], [0.0])),
        helper.make_node("Clip", ["x", "lo", "hi"], ["y"], name="relu6"),
        helper.make_node("Clip", ["y", "", "hi"], ["z"], name="upper_only"),
    ]
    return model(nodes, [vi("x", [2, 3])], [vi("z", [2, 3])],
                 [numpy_helper.from_array(np.array(6.0, np.float32), "hi")],
                 opset=13)


def reshape():
    nodes = [
        helper.make_node("Reshape", ["x", "s1"], ["a"], name="copy_and_infer"),
        helper.make_node("Reshape", ["a", "s2"], ["y"], name="flat"),
    ]
    return model(nodes, [vi("x", [2, 3, 4])], [vi("y", None)],
                 [ints("s1", [0, -1, 2]), ints("s2", [-1])], opset=13)


def reshape_allowzero():
    nodes = [helper.make_node("Reshape", ["x", "s"], ["y"], name="rz",
                              allowzero=1)]
    return model(nodes, [vi("x", [0, 3])], [vi("y", None)],
                 [ints("s", [3, 0])], opset=14)


def slice9():
    nodes = [helper.make_node("Slice", ["x"], ["y"], name="sl", starts=[1, -3],
                              ends=[1000, -1], axes=[0, 1])]
    return model(nodes, [vi("x", [4, 8])], [vi("y", None)], opset=9)


def slice13():
    nodes = [helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"],
                              name="sl")]
    inits = [ints("st", [-1, 0]), ints("en", [-(2**63), 2**63 - 1]),
             ints("ax", [1, 0]), ints("sp", [-2, 3])]
    return model(nodes, [vi("x", [4, 8])], [vi("y", None)], inits, opset=13)


def unsqueeze11():
    nodes = [helper.make_node("Unsqueeze", ["x"], ["y"], name="unsq",
                              axes=[0, -1]),
             helper.make_node("Squeeze", ["y"], ["z"], name="sq", axes=[0])]
    return model(nodes, [vi("x", [3, 4])], [vi("z", None)], opset=11)


def unsqueeze13():
    nodes = [helper.make_node("Unsqueeze", ["x", "ax"], ["y"], name="unsq"),
             helper.make_node("Squeeze", ["y"], ["z"], name="sq")]
    return model(nodes, [vi("x", [3, 4])], [vi("z", None)],
                 [ints("ax", [0, -1])], opset=13)


def init_as_input():
    """Old exporters list weights among the graph inputs."""
    nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="fc",
                              transB=1)]
    inits = [weight("w", [4, 6]), weight("b", [4], 1)]
    return model(nodes, [vi("x", [1, 6]), vi("w", [4, 6]), vi("b", [4])],
                 [vi("y", [1, 4])], inits, opset=7)


def softmax11():
    nodes = [helper.make_node("Softmax", ["x"], ["y"], name="sm")]  # axis 1
    return model(nodes, [vi("x", [2, 3, 4])], [vi("y", None)], opset=11)


def softmax13():
    nodes = [helper.make_node("Softmax", ["x"], ["y"], name="sm")]  # axis -1
    return model(nodes, [vi("x", [2, 3, 4])], [vi("y", None)], opset=13)


def shape_chain():
    """Shape -> Gather -> Unsqueeze -> Concat -> Reshape, as exporters write
    a flatten."""
    nodes = [
        helper.make_node("Shape", ["x"], ["s"], name="shape"),
        helper.make_node("Gather", ["s", "zero"], ["n"], name="batch", axis=0),
        helper.make_node("Unsqueeze", ["n", "ax0"], ["n1"], name="unsq"),
        helper.make_node("Concat", ["n1", "minus1"], ["target"], name="cat",
                         axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"], name="reshape"),
    ]
    inits = [ints("zero", 0), ints("ax0", [0]), ints("minus1", [-1])]
    return model(nodes, [vi("x", [2, 3, 4])], [vi("y", None)], inits,
                 opset=13)


def ops_misc():
    """One each of the remaining ops, to see that they import."""
    nodes = [
        helper.make_node("Transpose", ["x"], ["t"], name="tr"),  # reverse
        helper.make_node("Transpose", ["t"], ["t2"], name="tr2",
                         perm=[2, 1, 0]),
        helper.make_node("Sigmoid", ["t2"], ["a"], name="sig"),
        helper.make_node("Tanh", ["a"], ["b"], name="tanh"),
        helper.make_node("Erf", ["b"], ["c"], name="erf"),
        helper.make_node("Exp", ["c"], ["d"], name="exp"),
        helper.make_node("Sqrt", ["d"], ["e"], name="sqrt"),
        helper.make_node("Sub", ["e", "x"], ["f"], name="sub"),
        helper.make_node("Mul", ["f", "x"], ["g"], name="mul"),
        helper.make_node("Div", ["g", "x"], ["h"], name="div"),
        helper.make_node("Pow", ["h", "x"], ["i"], name="pow"),
        helper.make_node("Max", ["i", "x", "e"], ["j"], name="max3"),
        helper.make_node("Min", ["j"], ["k"], name="min1"),
        helper.make_node("Sum", ["k", "x"], ["l"], name="sum2"),
        helper.make_node("Identity", ["l"], ["m"], name="id"),
        helper.make_node("Dropout", ["m"], ["n", "mask"], name="drop"),
        helper.make_node("Concat", ["n", "x"], ["o"], name="cat", axis=-1),
        helper.make_node("ReduceSum", ["o", "rax"], ["p"], name="rsum",
                         keepdims=0),
        helper.make_node("ReduceMean", ["o"], ["q"], name="rmean", axes=[1]),
        helper.make_node("ReduceMax", ["o"], ["r"], name="rmax"),
        helper.make_node("LayerNormalization", ["o", "ln_s", "ln_b"], ["s"],
                         name="ln", epsilon=1e-6),
        helper.make_node("Gather", ["s", "idx"], ["u"], name="gather",
                         axis=1),
        helper.make_node("Pad", ["u", "pads", "pv"], ["v"], name="pad",
                         mode="constant"),
        helper.make_node("Pad", ["v", "pads"], ["w"], name="pad_reflect",
                         mode="reflect"),
        helper.make_node("GlobalAveragePool", ["x4"], ["gap"], name="gap"),
        helper.make_node("AveragePool", ["x4"], ["ap"], name="ap",
                         kernel_shape=[2, 2], strides=[2, 2],
                         count_include_pad=1),
        helper.make_node("Cast", ["x"], ["xc"], name="cast", to=F),
    ]
    inits = [ints("rax", [0, 2]), weight("ln_s", [8]), weight("ln_b", [8], 1),
             ints("idx", [0, 2]), ints("pads", [0, 0, 0, 1, 0, 1]),
             numpy_helper.from_array(np.array(0.5, np.float32), "pv")]
    outs = [vi(n, None) for n in ["p", "q", "r", "w", "gap", "ap", "xc"]]
    return model(nodes, [vi("x", [2, 3, 4]), vi("x4", [1, 2, 4, 4])], outs,
                 inits, opset=17)


def reduce18():
    nodes = [helper.make_node("ReduceMax", ["x", "ax"], ["y"], name="rmax",
                              keepdims=1),
             helper.make_node("ReduceMin", ["x", ""], ["z"], name="rmin",
                              keepdims=0)]
    return model(nodes, [vi("x", [2, 3])], [vi("y", None), vi("z", None)],
                 [ints("ax", [-1])], opset=18)


def pad_axes():
    nodes = [helper.make_node("Pad", ["x", "pads", "", "axes"], ["y"],
                              name="pad", mode="edge")]
    return model(nodes, [vi("x", [2, 3, 4])], [vi("y", None)],
                 [ints("pads", [1, 2]), ints("axes", [-1])], opset=18)


def pad2():
    nodes = [helper.make_node("Pad", ["x"], ["y"], name="pad",
                              pads=[0, 1, 0, 2], mode="constant", value=1.5)]
    return model(nodes, [vi("x", [2, 3])], [vi("y", None)], opset=7)


def split11():
    nodes = [helper.make_node("Split", ["x"], ["a", "b"], name="split",
                              axis=1, split=[1, 3])]
    return model(nodes, [vi("x", [2, 4])], [vi("a", None), vi("b", None)],
                 opset=11)


def split13():
    nodes = [helper.make_node("Split", ["x", "sizes"], ["a", "b"],
                              name="split", axis=-1)]
    return model(nodes, [vi("x", [2, 4])], [vi("a", None), vi("b", None)],
                 [ints("sizes", [1, 3])], opset=13)


def split18():
    """No sizes: num_outputs parts, the last one smaller."""
    nodes = [helper.make_node("Split", ["x"], ["a", "b", "c"], name="split",
                              axis=0, num_outputs=3)]
    return model(nodes, [vi("x", [5, 2])],
                 [vi("a", None), vi("b", None), vi("c", None)], opset=18)


def symbolic():
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model(nodes, [vi("x", ["batch", "seq", 8])],
                 [vi("y", ["batch", "seq", 8])], opset=13)


def int_input():
    nodes = [helper.make_node("Gather", ["table", "ids"], ["y"], name="emb")]
    return model(nodes, [vi("ids", [1, 5], I64)], [vi("y", None)],
                 [weight("table", [100, 8])], opset=13)


def opset24():
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model(nodes, [vi("x", [2])], [vi("y", [2])], opset=24)


# --- Models that must fail ----------------------------------------------------


def bad_op():
    nodes = [helper.make_node("NonMaxSuppression", ["x", "s"], ["y"],
                              name="nms")]
    return model(nodes, [vi("x", [1, 4, 4]), vi("s", [1, 1, 4])],
                 [vi("y", None, I64)], opset=13)


def bad_domain():
    nodes = [helper.make_node("FusedConv", ["x"], ["y"], name="fused",
                              domain="com.microsoft")]
    m = model(nodes, [vi("x", [1, 4])], [vi("y", None)], opset=13)
    m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return m


def bad_auto_pad():
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv_12",
                              auto_pad="SAME_MIDDLE")]
    return model(nodes, [vi("x", [1, 2, 5, 5])], [vi("y", None)],
                 [weight("w", [4, 2, 3, 3])], opset=11)


def bad_shapes():
    nodes = [helper.make_node("Add", ["a", "b"], ["y"], name="add_bad")]
    return model(nodes, [vi("a", [2, 3]), vi("b", [4, 5])], [vi("y", None)],
                 opset=13)


def bad_undefined():
    nodes = [helper.make_node("Relu", ["nowhere"], ["y"], name="relu")]
    return model(nodes, [vi("x", [2])], [vi("y", None)], opset=13)


def bad_output():
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model(nodes, [vi("x", [2])], [vi("missing", None)], opset=13)


def bad_reshape():
    nodes = [helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape_dyn")]
    return model(nodes, [vi("x", [2, 3]), vi("s", [2], I64)], [vi("y", None)],
                 opset=13)


def bad_dtype():
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model(nodes, [vi("x", [2], TensorProto.FLOAT16)],
                 [vi("y", None, TensorProto.FLOAT16)], opset=13)


def bad_init_dtype():
    nodes = [helper.make_node("Add", ["x", "w"], ["y"], name="add")]
    w = numpy_helper.from_array(np.ones(2, np.float64), "w")
    return model(nodes, [vi("x", [2])], [vi("y", None)], [w], opset=13)


def bad_indices():
    nodes = [helper.make_node("MaxPool", ["x"], ["y", "idx"], name="pool",
                              kernel_shape=[2, 2]),
             helper.make_node("Cast", ["idx"], ["m"], name="cast", to=F)]
    return model(nodes, [vi("x", [1, 1, 4, 4])],
                 [vi("y", None), vi("m", None)], opset=13)


def bad_opset():
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model(nodes, [vi("x", [2])], [vi("y", None)], opset=5)


def bad_symbolic():
    return symbolic()


def clip_min_above_max():
    nodes = [helper.make_node("Clip", ["x"], ["y"], name="clip", min=6.0,
                              max=0.0)]
    return model(nodes, [vi("x", [2, 3])], [vi("y", [2, 3])], opset=9)


def bad_bn_epsilon():
    nodes = [helper.make_node("BatchNormalization",
                              ["x", "s", "b", "m", "v"], ["y"], name="bn",
                              epsilon=-1.0)]
    stats = [vi(name, [2]) for name in "sbmv"]
    return model(nodes, [vi("x", [1, 2, 3, 3])] + stats,
                 [vi("y", [1, 2, 3, 3])], opset=15)


def decompositions():
    """Operators that import as a few existing nn ops."""
    nodes = [
        helper.make_node("LeakyRelu", ["x"], ["a"], name="leaky", alpha=0.1),
        helper.make_node("Gelu", ["a"], ["b"], name="gelu"),
        helper.make_node("HardSwish", ["b"], ["c"], name="hswish"),
        helper.make_node("Less", ["c", "x"], ["m"], name="less"),
        helper.make_node("Where", ["m", "c", "x"], ["d"], name="where"),
        helper.make_node("Shape", ["d"], ["s"], name="shape"),
        helper.make_node("Neg", ["s"], ["ns"], name="neg"),
        helper.make_node("Abs", ["ns"], ["as"], name="abs"),
        helper.make_node("Expand", ["d", "as"], ["e"], name="expand"),
        helper.make_node("LogSoftmax", ["e"], ["y"], name="logsoftmax"),
    ]
    return model(nodes, [vi("x", [2, 3])], [vi("y", [2, 3])], opset=20)


def bitwise_fmod():
    """BitwiseAnd (an nn op), BitwiseNot (a xor with -1) and float Mod with
    fmod=1 (a - trunc(a / b) * b)."""
    I32 = TensorProto.INT32
    nodes = [
        helper.make_node("BitwiseAnd", ["i", "j"], ["k"], name="and"),
        helper.make_node("BitwiseNot", ["k"], ["n"], name="not"),
        helper.make_node("Mod", ["x", "z"], ["m"], name="fmod", fmod=1),
    ]
    return model(nodes, [vi("i", [2, 3], I32), vi("j", [3], I32),
                         vi("x", [2, 3]), vi("z", [2, 3])],
                 [vi("n", [2, 3], I32), vi("m", [2, 3])], opset=18)


def conv_transpose():
    nodes = [helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up",
                              strides=[2, 2], pads=[1, 1, 0, 0])]
    return model(nodes, [vi("x", [1, 2, 3, 3])], [vi("y", [1, 4, 6, 6])],
                 [weight("w", [2, 4, 3, 3])], opset=11)


def pool3d():
    nodes = [helper.make_node("MaxPool", ["x"], ["y"], name="pool",
                              kernel_shape=[2, 2, 2], strides=[2, 2, 2])]
    return model(nodes, [vi("x", [1, 3, 4, 4, 4])],
                 [vi("y", [1, 3, 2, 2, 2])], opset=12)


def avgpool_dilated():
    nodes = [helper.make_node("AveragePool", ["x"], ["y"], name="pool",
                              kernel_shape=[2, 2], dilations=[2, 2],
                              pads=[1, 0, 1, 0], ceil_mode=1)]
    return model(nodes, [vi("x", [1, 2, 5, 5])], [vi("y", None)], opset=19)


def resize_linear():
    nodes = [helper.make_node("Resize", ["x", "", "scales"], ["y"],
                              name="resize", mode="linear")]
    scales = numpy_helper.from_array(
        np.array([1, 1, 2, 2], dtype=np.float32), "scales")
    return model(nodes, [vi("x", [1, 1, 2, 3])], [vi("y", [1, 1, 4, 6])],
                 [scales], opset=13)


def einsum():
    nodes = [helper.make_node("Einsum", ["q", "k"], ["y"], name="scores",
                              equation="bhqd,bhkd->bhqk")]
    return model(nodes, [vi("q", [1, 2, 3, 4]), vi("k", [1, 2, 5, 4])],
                 [vi("y", [1, 2, 3, 5])], opset=12)


def gather_scatter():
    """GatherND, ScatterElements and ScatterND with their attributes."""
    nodes = [
        helper.make_node("GatherND", ["x", "gi"], ["g"], name="gnd",
                         batch_dims=1),
        helper.make_node("ScatterElements", ["x", "si", "su"], ["s"],
                         name="se", axis=-1, reduction="add"),
        helper.make_node("ScatterND", ["x", "ni", "nu"], ["n"], name="snd",
                         reduction="max"),
    ]
    gi = ints("gi", [[[1], [-1]], [[0], [2]]])
    si = ints("si", [[[0, -1]] * 3] * 2)
    ni = ints("ni", [[1, 2], [-1, 0]])
    return model(nodes, [vi("x", [2, 3, 4]), vi("su", [2, 3, 2]),
                         vi("nu", [2, 4])],
                 [vi("g", [2, 2, 4]), vi("s", [2, 3, 4]), vi("n", [2, 3, 4])],
                 [gi, si, ni], opset=18)


def scatter10():
    """The deprecated Scatter: ScatterElements without reduction."""
    nodes = [helper.make_node("Scatter", ["x", "i", "u"], ["y"], name="sc",
                              axis=1)]
    return model(nodes, [vi("x", [3, 3]), vi("i", [2, 3], I64),
                         vi("u", [2, 3])], [vi("y", [3, 3])], opset=10)


def bad_scatter_indices():
    nodes = [helper.make_node("ScatterND", ["x", "i", "u"], ["y"], name="snd")]
    return model(nodes, [vi("x", [4, 3]), vi("u", [2, 3])], [vi("y", [4, 3])],
                 [ints("i", [[1], [-5]])], opset=18)


MODELS = {f.__name__: f for f in [
    gather_scatter, scatter10, bad_scatter_indices, bitwise_fmod,
    einsum, avgpool_dilated, decompositions, conv_transpose, pool3d, resize_linear,
    mlp, cnn, conv_same_upper, conv_same_lower, clip6, clip13,
    reshape, reshape_allowzero, slice9, slice13, unsqueeze11, unsqueeze13,
    init_as_input, softmax11, softmax13, shape_chain, ops_misc, reduce18,
    pad_axes, pad2, split11, split13, split18, symbolic, int_input, opset24, bad_op, bad_domain,
    bad_auto_pad, bad_shapes, bad_undefined, bad_output, bad_reshape,
    bad_dtype, bad_init_dtype, bad_indices, bad_opset, bad_symbolic,
    clip_min_above_max, bad_bn_epsilon]}


def main():
    name, out = sys.argv[1], sys.argv[2]
    if name == "truncated":
        data = mlp().SerializeToString()
        data = data[: len(data) * 2 // 3]  # cuts through a weight
    elif name == "random":
        # Random bytes behind a field tag of wire type 7, which protobuf
        # rejects, so the bytes never parse by chance.
        data = b"\x0f" + random.Random(0).randbytes(255)
    else:
        data = MODELS[name]().SerializeToString()
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
