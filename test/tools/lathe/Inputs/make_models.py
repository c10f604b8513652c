"""Small ONNX models for the `lathe run` and `lathe inspect` tests.

    python make_models.py NAME OUT.onnx

dtypes: one input per element type the importer takes (float32, int32,
        int64, bool), each [2, 3] and transposed into an output of the same
        type: the outputs are the inputs, moved.
names:  outputs whose names are not valid file names ("out/0", "OUT:0",
        "out:0", ".hidden", and "*?"), each a different elementwise function
        of the input; "*?" is Sqrt, so NaN for negative inputs.
unsupported: a Unique node named 'hm', which Lathe does not import.
"""

import sys

import onnx
from onnx import TensorProto, helper

OPSET = 17

DTYPES = [("f32", TensorProto.FLOAT), ("i32", TensorProto.INT32),
          ("i64", TensorProto.INT64), ("bool", TensorProto.BOOL)]


def _model(nodes, inputs, outputs, name):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="lathe-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def dtypes():
    nodes, inputs, outputs = [], [], []
    for suffix, elem in DTYPES:
        inputs.append(helper.make_tensor_value_info("x_" + suffix, elem, [2, 3]))
        outputs.append(helper.make_tensor_value_info("y_" + suffix, elem, [3, 2]))
        nodes.append(helper.make_node("Transpose", ["x_" + suffix],
                                      ["y_" + suffix], name="t_" + suffix,
                                      perm=[1, 0]))
    return _model(nodes, inputs, outputs, "dtypes")


def names():
    outs = ["out/0", "OUT:0", "out:0", ".hidden", "*?"]
    ops = ["Relu", "Sigmoid", "Tanh", "Exp", "Sqrt"]
    nodes = [helper.make_node(op, ["x"], [o], name=f"f{i}")
             for i, (op, o) in enumerate(zip(ops, outs))]
    return _model(nodes,
                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                  [helper.make_tensor_value_info(o, TensorProto.FLOAT, [2])
                   for o in outs], "names")


def unsupported():
    return _model(
        [helper.make_node("Unique", ["x"], ["y"], name="hm")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
        "unsupported")


MODELS = {"dtypes": dtypes, "names": names, "unsupported": unsupported}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in MODELS:
        print(f"usage: {sys.argv[0]} ({'|'.join(MODELS)}) OUT.onnx",
              file=sys.stderr)
        sys.exit(2)
    onnx.save(MODELS[sys.argv[1]](), sys.argv[2])
