#!/usr/bin/env python3
"""Builds the ONNX models of the code generation lit tests.

Usage: make_models.py <name> <output.onnx>

  names    tensor names that are no C identifiers, collide once made into
           ones, or are C keywords; a scalar input; int64 tensors
"""

import sys

import onnx
from onnx import TensorProto, helper

F, I64 = TensorProto.FLOAT, TensorProto.INT64


def model(nodes, inputs, outputs, name):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def vi(name, shape, elem=F):
    return helper.make_tensor_value_info(name, elem, shape)


def names():
    nodes = [
        helper.make_node("Add", ["x.1", "x_1"], ["s"], name="add1"),
        helper.make_node("Add", ["s", "float"], ["t"], name="add2"),
        helper.make_node("Mul", ["t", "scale"], ["sum:0"], name="scale"),
        helper.make_node("Relu", ["sum:0"], ["out/relu"], name="relu"),
        helper.make_node("Add", ["count", "count"], ["count2"], name="twice"),
    ]
    return model(nodes,
                 [vi("x.1", [2, 3]), vi("x_1", [2, 3]), vi("float", [3]),
                  vi("scale", []), vi("count", [2], I64)],
                 [vi("sum:0", [2, 3]), vi("out/relu", [2, 3]),
                  vi("count2", [2], I64)], "names")


MODELS = {"names": names}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in MODELS:
        sys.exit(f"usage: {sys.argv[0]} ({'|'.join(MODELS)}) OUT.onnx")
    onnx.save(MODELS[sys.argv[1]](), sys.argv[2])
