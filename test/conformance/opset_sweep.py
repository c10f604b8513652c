"""Checks every covered operator in every opset form from 7 to 24.

    python opset_sweep.py --lib build/lib/liblathe.so [--filter REGEX] [-v]

ONNX's node tests mostly store each operator at its newest opset; this
sweep builds one small model per operator and per opset in 7..24 at which
the operator's schema changed (its since_version), in the form that opset
uses (Reduce axes as an attribute or an input, Split sizes, Clip bounds,
Softmax's 2-D coercion before 13, TopK's k, Resize's inputs, ...), compiles
it with liblathe.so and compares with ONNX Runtime and with ONNX's
reference implementation (onnx.reference) at rtol 1e-4, atol 1e-5
(integers and booleans exactly, dtypes equal). A form matches when it
agrees with either: the two disagree on a few old forms (Runtime's
AveragePool-10 counts ceil-mode padding, its Dropout-10 mask is false; the
reference evaluates Softmax-11 with the opset-13 semantics and has no
Resize-10), so each is wrong somewhere. Each model runs in a forked child, so a crash is counted.
Prints one line per form that does not match (all with -v) and
"opset sweep: N forms, N match, N differ, N unsupported, N crash"; exits 1
if any form differs or crashes. Unsupported forms (a clean one-line error)
are listed but do not fail the run.
"""

import argparse
import json
import os
import pathlib
import re
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, defs, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "python"))
from lathe_capi import Lathe, LatheError  # noqa: E402

F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def ints(values):
    return np.array(values, dtype=np.int64)


class Case:
    """One operator form: a node, its graph inputs (arrays) and constant
    inputs (initializers), at an opset."""

    def __init__(self, op, inputs, consts=(), outputs=1, **attrs):
        self.op, self.inputs, self.consts = op, dict(inputs), dict(consts)
        self.outputs, self.attrs = outputs, attrs


def reduce_case(op, since_input):
    def make(opset):
        x = rand(2, 3, 4)
        if opset >= since_input:
            return Case(op, {"x": x}, {"axes": ints([1])}, keepdims=0)
        return Case(op, {"x": x}, axes=[1], keepdims=0)
    return make


def squeeze_case(op):
    def make(opset):
        x = rand(2, 1, 3) if op == "Squeeze" else rand(2, 3)
        if opset >= 13:
            return Case(op, {"x": x}, {"axes": ints([1])})
        return Case(op, {"x": x}, axes=[1])
    return make


def split_case(opset):
    x = rand(2, 6)
    if opset >= 18:
        return Case("Split", {"x": x}, outputs=3, axis=1, num_outputs=3)
    if opset >= 13:
        return Case("Split", {"x": x}, {"split": ints([1, 2, 3])}, outputs=3,
                    axis=1)
    return Case("Split", {"x": x}, outputs=3, axis=1, split=[1, 2, 3])


def slice_case(opset):
    x = rand(4, 6)
    if opset >= 10:
        return Case("Slice", {"x": x}, {"starts": ints([1, 5]),
                                        "ends": ints([3, 0]),
                                        "axes": ints([0, 1]),
                                        "steps": ints([1, -2])})
    return Case("Slice", {"x": x}, starts=[1, 1], ends=[3, 5], axes=[0, 1])


def pad_case(opset):
    x = rand(2, 3)
    if opset >= 11:
        return Case("Pad", {"x": x}, {"pads": ints([0, 1, 1, 0]),
                                      "value": np.array(1.5, np.float32)},
                    mode="constant")
    return Case("Pad", {"x": x}, pads=[0, 1, 1, 0], value=1.5)


def clip_case(opset):
    x = rand(3, 4)
    if opset >= 11:
        return Case("Clip", {"x": x}, {"min": np.array(-0.5, np.float32),
                                       "max": np.array(0.5, np.float32)})
    return Case("Clip", {"x": x}, min=-0.5, max=0.5)


def softmax_case(op):
    return lambda opset: Case(op, {"x": rand(2, 3, 4)}, axis=1)


def topk_case(opset):
    x = rand(3, 5)
    attrs = {"axis": 1}
    if opset >= 11:
        attrs["largest"] = 0
    if opset >= 10:
        return Case("TopK", {"x": x}, {"k": ints([2])}, outputs=2, **attrs)
    return Case("TopK", {"x": x}, outputs=2, k=2, **attrs)


def resize_case(opset):
    x = rand(1, 1, 3, 4)
    scales = np.array([1, 1, 2, 1.5], np.float32)
    if opset < 11:
        return Case("Resize", {"x": x}, {"scales": scales}, mode="nearest")
    roi = np.array([], np.float32)
    if opset >= 18:  # Antialiased cubic downsampling.
        return Case("Resize", {"x": rand(1, 1, 5, 7)},
                    {"roi": roi,
                     "scales": np.array([1, 1, 0.6, 0.7], np.float32)},
                    mode="cubic", antialias=1)
    return Case("Resize", {"x": x}, {"roi": roi, "scales": scales},
                mode="linear")


def dropout_case(opset):
    x = rand(3, 4)
    if opset >= 12:
        return Case("Dropout", {"x": x}, {"ratio": np.array(0.3, np.float32)},
                    outputs=2)
    return Case("Dropout", {"x": x}, outputs=2, ratio=0.3)


def batchnorm_case(opset):
    x = rand(2, 3, 4, 4)
    stats = {"s": rand(3), "b": rand(3), "m": rand(3),
             "v": np.abs(rand(3)) + 0.5}
    return Case("BatchNormalization", {"x": x}, stats, epsilon=1e-3)


def gemm_case(opset):
    return Case("Gemm", {"a": rand(3, 4)}, {"b": rand(5, 4), "c": rand(5)},
                transB=1, alpha=0.5, beta=2.0)


def maxpool_case(opset):
    attrs = {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}
    if opset >= 10:
        attrs["ceil_mode"] = 1
    if opset >= 11:
        attrs["dilations"] = [1, 1]
    return Case("MaxPool", {"x": rand(1, 2, 7, 7)}, **attrs)


def avgpool_case(opset):
    attrs = {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1],
             "count_include_pad": 1}
    if opset >= 10:
        attrs["ceil_mode"] = 1
    if opset >= 19:
        attrs["dilations"] = [2, 1]
    return Case("AveragePool", {"x": rand(1, 2, 7, 6)}, **attrs)


def compare_case(op):
    return lambda opset: Case(op, {"a": rand(2, 3), "b": rand(3)})


def argmax_case(opset):
    attrs = {"axis": -1 if opset >= 11 else 1, "keepdims": 0}
    if opset >= 12:
        attrs["select_last_index"] = 1
    return Case("ArgMax", {"x": rand(3, 4)}, **attrs)


def unary(op, **attrs):
    return lambda opset: Case(op, {"x": rand(2, 3, 4)}, **attrs)


def binary(op):
    return lambda opset: Case(op, {"a": rand(2, 3), "b": rand(3)})


def variadic(op):
    return lambda opset: Case(op, {"a": rand(2, 3), "b": rand(3),
                                   "c": rand(1, 3)})


def pow_case(opset):
    return Case("Pow", {"a": np.abs(rand(2, 3)) + 0.1, "b": rand(3)})


def cast_case(opset):
    return Case("Cast", {"x": rand(3, 4) * 4}, to=TensorProto.INT64)


def where_case(opset):
    return Case("Where", {"c": RNG.random((2, 3)) > 0.5, "a": rand(2, 3),
                          "b": rand(3)})


def logical_case(op):
    def make(opset):
        a = RNG.random((2, 3)) > 0.5
        if op == "Not":
            return Case(op, {"a": a})
        return Case(op, {"a": a, "b": RNG.random((2, 3)) > 0.5})
    return make


def reshape_case(opset):
    return Case("Reshape", {"x": rand(2, 3, 4)}, {"shape": ints([0, -1])})


def concat_case(opset):
    return Case("Concat", {"a": rand(2, 3), "b": rand(2, 2)}, axis=1)


def gather_case(opset):
    return Case("Gather", {"x": rand(4, 3)}, {"i": ints([[0, 3], [1, -1]])},
                axis=0)


def gather_elements_case(opset):
    return Case("GatherElements", {"x": rand(3, 4)},
                {"i": ints([[0, 3], [1, -1], [2, 2]])}, axis=1)


def expand_case(opset):
    return Case("Expand", {"x": rand(3, 1)}, {"s": ints([2, 3, 4])})


def tile_case(opset):
    return Case("Tile", {"x": rand(2, 3)}, {"r": ints([2, 1])})


def depth_to_space_case(opset):
    attrs = {"blocksize": 2}
    if opset >= 11:
        attrs["mode"] = "CRD"
    return Case("DepthToSpace", {"x": rand(1, 8, 2, 3)}, **attrs)


def shape_case(opset):
    attrs = {"start": 1} if opset >= 15 else {}
    return Case("Shape", {"x": rand(2, 3, 4)}, **attrs)


def cumsum_case(opset):
    return Case("CumSum", {"x": rand(3, 4)}, {"axis": ints(1)}, exclusive=1,
                reverse=1)


def range_case(opset):
    return Case("Range", {}, {"s": np.array(1.0, np.float32),
                              "l": np.array(4.0, np.float32),
                              "d": np.array(0.5, np.float32)})


def conv_case(opset):
    return Case("Conv", {"x": rand(1, 4, 6, 6)},
                {"w": rand(6, 2, 3, 3), "b": rand(6)}, group=2,
                dilations=[2, 1], auto_pad="SAME_UPPER")


def conv_transpose_case(opset):
    return Case("ConvTranspose", {"x": rand(1, 2, 3, 3)},
                {"w": rand(2, 3, 3, 3)}, strides=[2, 2], pads=[1, 0, 0, 1],
                output_padding=[1, 1])


def layer_norm_case(opset):
    return Case("LayerNormalization", {"x": rand(2, 3, 4)},
                {"s": rand(3, 4), "b": rand(4)}, axis=-2)


def einsum_case(opset):
    return Case("Einsum", {"a": rand(2, 3, 4), "b": rand(2, 4, 5)},
                equation="bij,bjk->bik")


def constant_of_shape_case(opset):
    return Case("ConstantOfShape", {}, {"s": ints([2, 3])},
                value=numpy_helper.from_array(np.array([2], np.float32)))


#: Operator -> builder(opset) -> Case.
CASES = {
    "ReduceSum": reduce_case("ReduceSum", 13),
    "ReduceMean": reduce_case("ReduceMean", 18),
    "ReduceMax": reduce_case("ReduceMax", 18),
    "ReduceMin": reduce_case("ReduceMin", 18),
    "ReduceProd": reduce_case("ReduceProd", 18),
    "ReduceL2": reduce_case("ReduceL2", 18),
    "Squeeze": squeeze_case("Squeeze"),
    "Unsqueeze": squeeze_case("Unsqueeze"),
    "Split": split_case, "Slice": slice_case, "Pad": pad_case,
    "Clip": clip_case, "Softmax": softmax_case("Softmax"),
    "LogSoftmax": softmax_case("LogSoftmax"), "TopK": topk_case,
    "Resize": resize_case, "Dropout": dropout_case,
    "BatchNormalization": batchnorm_case, "Gemm": gemm_case,
    "MaxPool": maxpool_case, "AveragePool": avgpool_case,
    "Equal": lambda opset: Case("Equal", {"a": RNG.integers(0, 3, (2, 3)),
                                          "b": RNG.integers(0, 3, (3,))}),
    "Less": compare_case("Less"), "Greater": compare_case("Greater"),
    "ArgMax": argmax_case, "Where": where_case,
    "Not": logical_case("Not"), "And": logical_case("And"),
    "Relu": unary("Relu"), "Sigmoid": unary("Sigmoid"),
    "Tanh": unary("Tanh"), "Exp": unary("Exp"), "Neg": unary("Neg"),
    "Abs": unary("Abs"), "Erf": unary("Erf"), "Reciprocal": unary("Reciprocal"),
    "LeakyRelu": unary("LeakyRelu", alpha=0.2), "Elu": unary("Elu", alpha=0.7),
    "HardSigmoid": unary("HardSigmoid"), "HardSwish": unary("HardSwish"),
    "Softplus": unary("Softplus"), "Gelu": unary("Gelu"),
    "Flatten": unary("Flatten", axis=2), "Transpose": unary("Transpose"),
    "Identity": unary("Identity"), "Size": unary("Size"),
    "GlobalAveragePool": lambda o: Case("GlobalAveragePool",
                                        {"x": rand(1, 3, 4, 5)}),
    "GlobalMaxPool": lambda o: Case("GlobalMaxPool", {"x": rand(1, 3, 4, 5)}),
    "LRN": lambda o: Case("LRN", {"x": rand(1, 5, 3, 3)}, size=3),
    "InstanceNormalization": lambda o: Case(
        "InstanceNormalization", {"x": rand(2, 3, 4)},
        {"s": rand(3), "b": rand(3)}),
    "PRelu": lambda o: Case("PRelu", {"x": rand(2, 3, 4)},
                            {"slope": rand(3, 1)}),
    "Add": binary("Add"), "Sub": binary("Sub"), "Mul": binary("Mul"),
    "Div": binary("Div"), "Pow": pow_case,
    "Sqrt": lambda o: Case("Sqrt", {"x": np.abs(rand(2, 3))}),
    "Log": lambda o: Case("Log", {"x": np.abs(rand(2, 3)) + 0.1}),
    "Max": variadic("Max"), "Min": variadic("Min"), "Sum": variadic("Sum"),
    "Mean": variadic("Mean"),
    "MatMul": lambda o: Case("MatMul", {"a": rand(2, 3, 4), "b": rand(4, 5)}),
    "Cast": cast_case, "Reshape": reshape_case, "Concat": concat_case,
    "Gather": gather_case, "GatherElements": gather_elements_case,
    "Expand": expand_case, "Tile": tile_case,
    "DepthToSpace": depth_to_space_case,
    "SpaceToDepth": lambda o: Case("SpaceToDepth", {"x": rand(1, 2, 4, 6)},
                                   blocksize=2),
    "Shape": shape_case, "CumSum": cumsum_case, "Range": range_case,
    "Conv": conv_case, "ConvTranspose": conv_transpose_case,
    "LayerNormalization": layer_norm_case, "Einsum": einsum_case,
    "ConstantOfShape": constant_of_shape_case,
}

ELEM = {np.dtype(np.float32): F, np.dtype(np.int64): I64,
        np.dtype(np.bool_): B}


def forms(op):
    """The opsets in 7..24 at which `op`'s schema changes."""
    seen, result = set(), []
    for opset in range(7, 25):
        try:
            since = defs.get_schema(op, opset).since_version
        except Exception:  # Not defined yet at this opset.
            continue
        if since not in seen:
            seen.add(since)
            result.append(opset)
    return result


def build(op, opset):
    case = CASES[op](opset)
    names = list(case.inputs) + list(case.consts)
    outputs = [f"y{i}" for i in range(case.outputs)]
    node = helper.make_node(op, names, outputs, name="n", **case.attrs)
    inputs = [helper.make_tensor_value_info(n, ELEM[a.dtype], a.shape)
              for n, a in case.inputs.items()]
    inits = [numpy_helper.from_array(a, n) for n, a in case.consts.items()]
    graph = helper.make_graph([node], "g", inputs,
                              [helper.make_value_info(o, onnx.TypeProto())
                               for o in outputs], inits)
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", opset)])
    model.ir_version = 8
    model = onnx.shape_inference.infer_shapes(model)
    return model, case.inputs


def references(model, inputs):
    """{name: outputs} of ONNX Runtime and of ONNX's reference
    implementation, for those that take the model."""
    result = {}
    try:
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(model.SerializeToString(), options,
                                       providers=["CPUExecutionProvider"])
        result["onnxruntime"] = session.run(None, inputs)
    except Exception:
        pass
    try:
        result["reference"] = ReferenceEvaluator(model).run(None, inputs)
    except Exception:
        pass
    return result


def mismatch(got, expected):
    """None when `got` ({name: array}) matches `expected` (a list), else
    why not."""
    for i, want in enumerate(expected):
        want = np.asarray(want)
        out = got.get(f"y{i}")
        if out is None or out.shape != want.shape or out.dtype != want.dtype:
            return (f"output {i}: {None if out is None else (out.shape, out.dtype)}"
                    f", expected {(want.shape, want.dtype)}")
        if np.issubdtype(want.dtype, np.floating):
            ok = np.allclose(out, want, rtol=1e-4, atol=1e-5, equal_nan=True)
        else:
            ok = np.array_equal(out, want)
        if not ok:
            return f"output {i} differs"
    return None


def check(lathe, op, opset, path):
    """(outcome, detail) of one form, in this (child) process."""
    model, inputs = build(op, opset)
    onnx.save(model, path)
    expected = references(model, inputs)
    if not expected:
        return "unsupported", "no reference takes this form"
    try:
        handle = lathe.compile(path)
    except LatheError as e:
        first = str(e).splitlines()[0]
        return ("unsupported" if first.startswith(path + ": ") else "differ",
                first.replace(path + ": ", ""))
    try:
        got = lathe.run(handle, inputs)
    finally:
        lathe.free(handle)
    whys = []
    for name, outputs in expected.items():
        why = mismatch(got, outputs)
        if why is None:
            return "match", f"as {name}"
        whys.append(f"{name}: {why}")
    return "differ", "; ".join(whys)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lib", type=pathlib.Path, required=True)
    parser.add_argument("--filter")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    lathe = Lathe(args.lib)
    tmp = tempfile.mkdtemp(prefix="lathe-opsets-")
    counts = {"match": 0, "differ": 0, "unsupported": 0, "crash": 0}
    for op in sorted(CASES):
        if args.filter and not re.search(args.filter, op):
            continue
        for opset in forms(op):
            path = os.path.join(tmp, f"{op}_{opset}.onnx")
            result = os.path.join(tmp, "result.json")
            pid = os.fork()
            if pid == 0:
                os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
                try:
                    outcome = check(lathe, op, opset, path)
                except Exception as e:  # A reference or runner failure.
                    outcome = ("differ", f"error: {e}".splitlines()[0])
                with open(result, "w") as f:
                    json.dump(outcome, f)
                os._exit(0)
            _, status = os.waitpid(pid, 0)
            if os.WIFSIGNALED(status) or not os.path.exists(result):
                outcome = ("crash", f"status {status}")
            else:
                with open(result) as f:
                    outcome = tuple(json.load(f))
                os.unlink(result)
            counts[outcome[0]] += 1
            if args.verbose or outcome[0] != "match":
                print(f"{outcome[0].upper():11} {op} opset {opset}: "
                      f"{outcome[1]}", flush=True)
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    total = sum(counts.values())
    print(f"opset sweep: {total} forms, " +
          ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 1 if counts["differ"] or counts["crash"] else 0


if __name__ == "__main__":
    sys.exit(main())
