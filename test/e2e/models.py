"""Small ONNX models for Lathe's end-to-end tests, built with onnx.helper.

Each builder returns an onnx.ModelProto with seeded random weights, so a
model is the same on every machine. `python models.py NAME OUT.onnx` writes
one; `python models.py --list` names them.
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8


def _weights(rng, name, shape, scale=0.5):
    return numpy_helper.from_array(
        (rng.standard_normal(shape) * scale).astype(np.float32), name)


def _model(nodes, inputs, outputs, inits, name):
    graph = helper.make_graph(nodes, name, inputs, outputs, inits)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="lathe-tests")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def _io(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def mlp():
    """MatMul + Add + Relu, twice."""
    rng = np.random.default_rng(1)
    inits = [_weights(rng, "w1", [16, 32]), _weights(rng, "b1", [32]),
             _weights(rng, "w2", [32, 10]), _weights(rng, "b2", [10])]
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h0"], name="fc1"),
        helper.make_node("Add", ["h0", "b1"], ["h1"], name="fc1_bias"),
        helper.make_node("Relu", ["h1"], ["h2"], name="relu1"),
        helper.make_node("MatMul", ["h2", "w2"], ["h3"], name="fc2"),
        helper.make_node("Add", ["h3", "b2"], ["logits"], name="fc2_bias"),
    ]
    return _model(nodes, [_io("x", [4, 16])], [_io("logits", [4, 10])],
                  inits, "mlp")


def _batch_norm(rng, prefix, channels, x, y):
    inits = [
        numpy_helper.from_array(
            (1 + 0.1 * rng.standard_normal(channels)).astype(np.float32),
            prefix + "_scale"),
        _weights(rng, prefix + "_bias", [channels], 0.1),
        _weights(rng, prefix + "_mean", [channels], 0.1),
        numpy_helper.from_array(
            rng.uniform(0.5, 1.5, channels).astype(np.float32),
            prefix + "_var"),
    ]
    node = helper.make_node(
        "BatchNormalization",
        [x, prefix + "_scale", prefix + "_bias", prefix + "_mean",
         prefix + "_var"], [y], name=prefix, epsilon=1e-5)
    return node, inits


def cnn():
    """Conv + BatchNormalization + Relu + MaxPool + Flatten + Gemm + Softmax."""
    rng = np.random.default_rng(2)
    bn, bn_inits = _batch_norm(rng, "bn1", 8, "c1", "b1")
    inits = [_weights(rng, "conv1_w", [8, 3, 3, 3]),
             _weights(rng, "conv1_b", [8], 0.1),
             _weights(rng, "fc_w", [10, 8 * 8 * 8], 0.1),
             _weights(rng, "fc_b", [10], 0.1)] + bn_inits
    nodes = [
        helper.make_node("Conv", ["input", "conv1_w", "conv1_b"], ["c1"],
                         name="conv1", pads=[1, 1, 1, 1], strides=[1, 1],
                         kernel_shape=[3, 3]),
        bn,
        helper.make_node("Relu", ["b1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p1"], ["f1"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f1", "fc_w", "fc_b"], ["g1"], name="fc",
                         transB=1),
        helper.make_node("Softmax", ["g1"], ["probs"], name="softmax",
                         axis=-1),
    ]
    return _model(nodes, [_io("input", [1, 3, 16, 16])],
                  [_io("probs", [1, 10])], inits, "cnn")


def residual():
    """A ResNet basic block: conv-bn-relu, conv-bn, add the input, relu."""
    rng = np.random.default_rng(3)
    bn1, i1 = _batch_norm(rng, "bn1", 8, "c1", "b1")
    bn2, i2 = _batch_norm(rng, "bn2", 8, "c2", "b2")
    inits = [_weights(rng, "conv1_w", [8, 8, 3, 3], 0.2),
             _weights(rng, "conv2_w", [8, 8, 3, 3], 0.2)] + i1 + i2
    conv = dict(pads=[1, 1, 1, 1], kernel_shape=[3, 3])
    nodes = [
        helper.make_node("Conv", ["x", "conv1_w"], ["c1"], name="conv1",
                         **conv),
        bn1,
        helper.make_node("Relu", ["b1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "conv2_w"], ["c2"], name="conv2",
                         **conv),
        bn2,
        helper.make_node("Add", ["b2", "x"], ["s"], name="residual_add"),
        helper.make_node("Relu", ["s"], ["y"], name="relu2"),
    ]
    return _model(nodes, [_io("x", [1, 8, 8, 8])], [_io("y", [1, 8, 8, 8])],
                  inits, "residual")


def attention():
    """Single-head self-attention with a residual and LayerNormalization."""
    rng = np.random.default_rng(4)
    d = 16
    inits = [_weights(rng, n, [d, d], 0.3) for n in ("wq", "wk", "wv", "wo")]
    inits += [numpy_helper.from_array(np.array(np.sqrt(d), np.float32),
                                      "scale"),
              _weights(rng, "gamma", [d], 0.5), _weights(rng, "beta", [d], 0.1)]
    nodes = [
        helper.make_node("MatMul", ["x", "wq"], ["q"], name="q_proj"),
        helper.make_node("MatMul", ["x", "wk"], ["k"], name="k_proj"),
        helper.make_node("MatMul", ["x", "wv"], ["v"], name="v_proj"),
        helper.make_node("Transpose", ["k"], ["kt"], name="k_t",
                         perm=[0, 2, 1]),
        helper.make_node("MatMul", ["q", "kt"], ["qk"], name="scores"),
        helper.make_node("Div", ["qk", "scale"], ["qks"], name="scale"),
        helper.make_node("Softmax", ["qks"], ["p"], name="softmax", axis=-1),
        helper.make_node("MatMul", ["p", "v"], ["ctx"], name="context"),
        helper.make_node("MatMul", ["ctx", "wo"], ["o"], name="out_proj"),
        helper.make_node("Add", ["o", "x"], ["res"], name="residual_add"),
        helper.make_node("LayerNormalization", ["res", "gamma", "beta"],
                         ["y"], name="layer_norm", axis=-1, epsilon=1e-5),
    ]
    return _model(nodes, [_io("x", [2, 8, d])], [_io("y", [2, 8, d])], inits,
                  "attention")


def folding():
    """Weights-only subgraphs and affine ops the graph passes fold away: a
    transposed conv weight, a bias-free Conv then Mul + Add per channel (a
    frozen BatchNormalization), a scaled Gemm bias, BatchNormalization after
    the Gemm."""
    rng = np.random.default_rng(5)
    bn, bn_inits = _batch_norm(rng, "bn_fc", 10, "g1", "y")
    inits = [_weights(rng, "conv_w_t", [3, 8, 3, 3]),
             _weights(rng, "ch_scale", [1, 8, 1, 1]),
             _weights(rng, "ch_shift", [1, 8, 1, 1], 0.1),
             _weights(rng, "fc_w", [10, 8 * 8 * 8], 0.1),
             _weights(rng, "fc_b", [10], 0.1),
             numpy_helper.from_array(np.array([0.5], np.float32),
                                     "half")] + bn_inits
    nodes = [
        helper.make_node("Transpose", ["conv_w_t"], ["conv_w"],
                         name="weight_t", perm=[1, 0, 2, 3]),
        helper.make_node("Conv", ["input", "conv_w"], ["c1"], name="conv1",
                         pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Mul", ["c1", "ch_scale"], ["m1"], name="scale"),
        helper.make_node("Add", ["m1", "ch_shift"], ["a1"], name="shift"),
        helper.make_node("Relu", ["a1"], ["r1"], name="relu1"),
        helper.make_node("Flatten", ["r1"], ["f1"], name="flatten", axis=1),
        helper.make_node("Mul", ["fc_b", "half"], ["fc_b2"], name="bias_s"),
        helper.make_node("Gemm", ["f1", "fc_w", "fc_b2"], ["g1"], name="fc",
                         transB=1),
        bn,
    ]
    return _model(nodes, [_io("input", [1, 3, 8, 8])], [_io("y", [1, 10])],
                  inits, "folding")


def gemms():
    """MatMuls whose shapes exercise the GEMM schedule: packed panels of A
    and B (B an input, packed at run time, or a weight, packed at compile
    time), a prime K, a batched product, tiles larger than the matrix,
    an N that takes half or quarter vectors, a single row and prime sizes
    (scalar register tiles)."""
    rng = np.random.default_rng(6)
    # (name, A shape, B shape, B is a weight)
    cases = [("square", [64, 128], [128, 96], False),
             ("weight", [64, 128], [128, 96], True),
             ("prime_k", [48, 37], [37, 80], True),
             ("small", [8, 3], [3, 16], False),
             ("batched", [3, 24, 16], [3, 16, 40], False),
             ("wide", [16, 32], [32, 1024], False),
             ("masked", [5, 24], [24, 40], True),
             ("gemv", [1, 64], [64, 100], True),
             ("primes", [7, 13], [13, 5], True)]
    nodes, inputs, outputs, inits = [], [], [], []
    for name, a, b, weight in cases:
        inputs.append(_io(f"{name}_a", a))
        if weight:
            inits.append(_weights(rng, f"{name}_b", b))
        else:
            inputs.append(_io(f"{name}_b", b))
        nodes.append(helper.make_node("MatMul", [f"{name}_a", f"{name}_b"],
                                      [f"{name}_c"], name=name))
        outputs.append(_io(f"{name}_c", a[:-1] + b[-1:]))
    return _model(nodes, inputs, outputs, inits, "gemms")


def depthwise():
    """MobileNetV2's inverted residual blocks: 1x1 expand, Clip(0, 6), 3x3
    depthwise (stride 1 then 2, padded), Clip, 1x1 project, residual add;
    and a 5x5 depthwise with asymmetric padding on an odd-sized image and a
    7x7 one larger than the padded image's interior (no interior at all)."""
    rng = np.random.default_rng(7)
    inits = [numpy_helper.from_array(np.array(0, np.float32), "lo"),
             numpy_helper.from_array(np.array(6, np.float32), "hi")]
    nodes = []

    def conv(name, x, y, shape, **attrs):
        inits.append(_weights(rng, name + "_w", shape, 0.3))
        inits.append(_weights(rng, name + "_b", [shape[0]], 0.1))
        nodes.append(helper.make_node("Conv", [x, name + "_w", name + "_b"],
                                      [y], name=name,
                                      kernel_shape=shape[2:], **attrs))

    def clip(x, y):
        nodes.append(helper.make_node("Clip", [x, "lo", "hi"], [y],
                                      name=y + "_clip"))

    # Block 1 (stride 1, residual): 16 -> 48 -> 16 channels on 12x12.
    conv("e1", "x", "e1c", [48, 16, 1, 1])
    clip("e1c", "e1r")
    conv("d1", "e1r", "d1c", [48, 1, 3, 3], group=48, pads=[1, 1, 1, 1])
    clip("d1c", "d1r")
    conv("p1", "d1r", "p1c", [16, 48, 1, 1])
    nodes.append(helper.make_node("Add", ["p1c", "x"], ["a1"], name="add1"))
    # Block 2 (stride 2): 16 -> 32 channels, 12x12 -> 6x6.
    conv("e2", "a1", "e2c", [32, 16, 1, 1])
    clip("e2c", "e2r")
    conv("d2", "e2r", "d2c", [32, 1, 3, 3], group=32, pads=[1, 1, 1, 1],
         strides=[2, 2])
    clip("d2c", "d2r")
    # 5x5, asymmetric padding, stride 2 on the odd 6x6 -> 3x3... then 7x7
    # with padding 3 on 3x3: every output's window reaches out of the image.
    conv("d3", "d2r", "d3c", [32, 1, 5, 5], group=32, pads=[2, 1, 1, 2],
         strides=[2, 2])
    conv("d4", "d3c", "y", [32, 1, 7, 7], group=32, pads=[3, 3, 3, 3])
    return _model(nodes, [_io("x", [1, 16, 12, 12])], [_io("y", [1, 32, 3, 3])],
                  inits, "depthwise")


MODELS = {"mlp": mlp, "cnn": cnn, "residual": residual,
          "depthwise": depthwise,
          "attention": attention, "folding": folding, "gemms": gemms}


def main(argv):
    if len(argv) == 2 and argv[1] == "--list":
        print("\n".join(MODELS))
        return 0
    if len(argv) != 3 or argv[1] not in MODELS:
        print(f"usage: {argv[0]} ({'|'.join(MODELS)}) OUT.onnx | --list",
              file=sys.stderr)
        return 2
    onnx.save(MODELS[argv[1]](), argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
