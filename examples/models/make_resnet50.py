"""Writes ResNet-50 (v1.5, torchvision's layout) as ONNX, with random weights.

    python make_resnet50.py OUT.onnx [--image-size 224] [--batch 1]
        [--opset 17] [--seed 0]

The real layer shapes: a 7x7/2 stem conv (64) + BatchNormalization + Relu
and a 3x3/2 max pool, then 3, 4, 6 and 3 bottleneck blocks of widths 64,
128, 256 and 512 (1x1 -> 3x3, stride on the 3x3 -> 1x1 expanding 4x, each
conv followed by BatchNormalization; a 1x1 projection shortcut in the first
block of each stage), the residual Add + Relu, global average pooling,
Flatten and a 1000-way Gemm: 53 convolutions and 53 batch norms, 25.5 M
parameters, as the exported torchvision model has. Weights are He-scaled
normal draws from a fixed seed and the batch norms' statistics are drawn
near the identity, so activations stay in range through all 50 layers;
each residual branch's last batch norm is scaled down (as with
zero-initialised residual gammas). Nothing is downloaded.
"""

import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build(image_size=224, batch=1, opset=17, seed=0):
    rng = np.random.default_rng(seed)
    nodes, inits = [], []

    def tensor(name, values):
        inits.append(numpy_helper.from_array(values.astype(np.float32), name))
        return name

    def conv_bn(x, name, cin, cout, k, stride, relu=True, gamma_scale=1.0):
        w = tensor(name + ".weight", rng.standard_normal((cout, cin, k, k)) *
                   np.sqrt(2.0 / (cin * k * k)))
        nodes.append(helper.make_node(
            "Conv", [x, w], [name + ".conv"], name=name,
            kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4))
        bn = [tensor(name + ".bn." + p, v) for p, v in (
            ("gamma", gamma_scale * (1 + 0.1 * rng.standard_normal(cout))),
            ("beta", 0.1 * rng.standard_normal(cout)),
            ("mean", 0.1 * rng.standard_normal(cout)),
            ("var", 1 + 0.1 * rng.random(cout)))]
        out = name + ".bn"
        nodes.append(helper.make_node("BatchNormalization",
                                      [name + ".conv"] + bn, [out],
                                      name=name + ".bn", epsilon=1e-5))
        if not relu:
            return out
        nodes.append(helper.make_node("Relu", [out], [name + ".relu"],
                                      name=name + ".relu"))
        return name + ".relu"

    x = conv_bn("input", "conv1", 3, 64, 7, 2)
    nodes.append(helper.make_node("MaxPool", [x], ["maxpool"], name="maxpool",
                                  kernel_shape=[3, 3], strides=[2, 2],
                                  pads=[1, 1, 1, 1]))
    x, cin = "maxpool", 64
    for stage, (width, blocks, stride) in enumerate(
            [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], start=1):
        for b in range(blocks):
            name = f"layer{stage}.{b}"
            s = stride if b == 0 else 1
            y = conv_bn(x, name + ".conv1", cin, width, 1, 1)
            y = conv_bn(y, name + ".conv2", width, width, 3, s)
            y = conv_bn(y, name + ".conv3", width, width * 4, 1, 1,
                        relu=False, gamma_scale=0.2)
            shortcut = x
            if b == 0:
                shortcut = conv_bn(x, name + ".downsample", cin, width * 4, 1,
                                   s, relu=False)
            nodes.append(helper.make_node("Add", [y, shortcut], [name + ".add"],
                                          name=name + ".add"))
            nodes.append(helper.make_node("Relu", [name + ".add"],
                                          [name + ".out"], name=name + ".out"))
            x, cin = name + ".out", width * 4
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["avgpool"],
                                  name="avgpool"))
    nodes.append(helper.make_node("Flatten", ["avgpool"], ["flatten"],
                                  name="flatten", axis=1))
    fc_w = tensor("fc.weight", rng.standard_normal((1000, 2048)) * 0.02)
    fc_b = tensor("fc.bias", 0.01 * rng.standard_normal(1000))
    nodes.append(helper.make_node("Gemm", ["flatten", fc_w, fc_b], ["logits"],
                                  name="fc", transB=1))

    graph = helper.make_graph(
        nodes, "resnet50",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                       [batch, 3, image_size, image_size])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                       [batch, 1000])],
        inits)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="lathe make_resnet50.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="where to write the .onnx file")
    parser.add_argument("--image-size", type=int, default=224,
                        help="height and width of the input image (default 224)")
    parser.add_argument("--batch", type=int, default=1,
                        help="batch size (default 1)")
    parser.add_argument("--opset", type=int, default=17,
                        help="ONNX opset to declare (default 17)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the random weights (default 0)")
    args = parser.parse_args()
    if args.image_size < 32 or args.batch < 1:
        parser.error("--image-size must be at least 32 and --batch at least 1")
    model = build(args.image_size, args.batch, args.opset, args.seed)
    onnx.save(model, args.output)
    print(f"{args.output}: {len(model.graph.node)} nodes, "
          f"{sum(np.prod(t.dims) for t in model.graph.initializer):,} parameters")


if __name__ == "__main__":
    main()
