"""Writes the bundled example model: a small CNN classifier for 32x32 RGB.

    python make_small_cnn.py OUT.onnx

conv3x3(16)+BN+ReLU -> maxpool -> conv3x3(32)+BN+ReLU -> a residual block of
two conv3x3(32)+BN -> global average pool -> flatten -> dense(10) -> softmax.
Weights are random from a fixed seed: the model is for showing the compiler,
not for classifying anything. No weights are downloaded.
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build():
    rng = np.random.default_rng(2026)
    inits, nodes = [], []

    def weight(name, shape, scale):
        inits.append(numpy_helper.from_array(
            (rng.standard_normal(shape) * scale).astype(np.float32), name))
        return name

    def conv_bn(x, name, cin, cout, relu=True):
        w = weight(name + "_w", [cout, cin, 3, 3], np.sqrt(2.0 / (cin * 9)))
        nodes.append(helper.make_node("Conv", [x, w], [name + "_c"], name=name,
                                      pads=[1, 1, 1, 1], kernel_shape=[3, 3]))
        for stat, values in (
                ("scale", 1 + 0.1 * rng.standard_normal(cout)),
                ("bias", 0.1 * rng.standard_normal(cout)),
                ("mean", 0.1 * rng.standard_normal(cout)),
                ("var", rng.uniform(0.5, 1.5, cout))):
            inits.append(numpy_helper.from_array(values.astype(np.float32),
                                                 f"{name}_bn_{stat}"))
        stats = [f"{name}_bn_{s}" for s in ("scale", "bias", "mean", "var")]
        nodes.append(helper.make_node(
            "BatchNormalization", [name + "_c"] + stats,
            [name + "_bn"], name=name + "_bn", epsilon=1e-5))
        if not relu:
            return name + "_bn"
        nodes.append(helper.make_node("Relu", [name + "_bn"], [name + "_r"],
                                      name=name + "_relu"))
        return name + "_r"

    x = conv_bn("image", "conv1", 3, 16)
    nodes.append(helper.make_node("MaxPool", [x], ["pool1"], name="pool1",
                                  kernel_shape=[2, 2], strides=[2, 2]))
    x = conv_bn("pool1", "conv2", 16, 32)
    y = conv_bn(x, "res_a", 32, 32)
    y = conv_bn(y, "res_b", 32, 32, relu=False)
    nodes.append(helper.make_node("Add", [y, x], ["res_sum"], name="res_add"))
    nodes.append(helper.make_node("Relu", ["res_sum"], ["res_out"],
                                  name="res_relu"))
    nodes.append(helper.make_node("GlobalAveragePool", ["res_out"], ["gap"],
                                  name="gap"))
    nodes.append(helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"))
    w = weight("fc_w", [10, 32], 0.3)
    b = weight("fc_b", [10], 0.1)
    nodes.append(helper.make_node("Gemm", ["flat", w, b], ["logits"], name="fc",
                                  transB=1))
    nodes.append(helper.make_node("Softmax", ["logits"], ["probs"],
                                  name="softmax", axis=-1))
    graph = helper.make_graph(
        nodes, "small_cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                       [1, 3, 32, 32])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="lathe-examples")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    onnx.save(build(), sys.argv[1])
