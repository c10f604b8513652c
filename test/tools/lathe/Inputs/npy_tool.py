"""numpy and ONNX Runtime helpers for the `lathe run` tests.

    npy_tool.py write FILE --dtype float32 --shape 2x3 [--seed S]
                [--version 1|2|3] [--fortran] [--big-endian]
        writes a random array with numpy (normal floats, integers in
        [-50, 50), booleans); --fortran and --big-endian write the layouts
        Lathe rejects.
    npy_tool.py make-inputs MODEL.onnx DIR [--seed S]
        writes one random normal DIR/<input name>.npy per graph input.
    npy_tool.py same A.npy B.npy [--transpose]
        checks that two files hold the same dtype, shape and values (B may
        be A transposed).
    npy_tool.py compare-ort MODEL.onnx --inputs DIR --outputs DIR
                [--rtol 1e-4] [--atol 1e-5]
        runs ONNX Runtime (one thread) on DIR/<input>.npy and compares each
        output with DIR/<output>.npy; prints one line per output and OK or
        MISMATCH (exit 1).
    npy_tool.py json-fields KEY[.KEY...] ... < out.json
        parses stdin as JSON and prints each dotted path's value as JSON
        (fails when one is missing).
"""

import argparse
import json
import pathlib
import sys

import numpy as np


def cmd_write(args):
    rng = np.random.default_rng(args.seed)
    shape = [int(d) for d in args.shape.split("x")] if args.shape else []
    dtype = np.dtype(args.dtype)
    if dtype.kind == "f":
        a = rng.standard_normal(shape).astype(dtype)
    elif dtype.kind == "b":
        a = rng.integers(0, 2, shape).astype(dtype)
    else:
        a = rng.integers(-50, 50, shape).astype(dtype)
    if args.big_endian:
        a = a.astype(dtype.newbyteorder(">"))
    if args.fortran:
        a = np.asfortranarray(a)
    with open(args.file, "wb") as f:
        np.lib.format.write_array(f, a, version=(args.version, 0))
    return 0


def cmd_make_inputs(args):
    import onnx
    from onnx import helper
    model = onnx.load(args.model)
    inits = {i.name for i in model.graph.initializer}
    rng = np.random.default_rng(args.seed)
    out = pathlib.Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    for i in model.graph.input:
        if i.name in inits:
            continue
        t = i.type.tensor_type
        shape = [d.dim_value for d in t.shape.dim]
        dtype = helper.tensor_dtype_to_np_dtype(t.elem_type)
        np.save(out / (i.name + ".npy"),
                rng.standard_normal(shape).astype(dtype))
    return 0


def cmd_same(args):
    a, b = np.load(args.a), np.load(args.b)
    if args.transpose:
        a = a.T
    if a.dtype != b.dtype or a.shape != b.shape:
        print(f"MISMATCH: {a.dtype}{list(a.shape)} vs {b.dtype}{list(b.shape)}")
        return 1
    if not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
        print("MISMATCH: values differ")
        return 1
    print(f"same {b.dtype} {list(b.shape)}")
    return 0


def cmd_compare_ort(args):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(args.model, options,
                                   providers=["CPUExecutionProvider"])
    inputs = {i.name: np.load(pathlib.Path(args.inputs) / (i.name + ".npy"))
              for i in session.get_inputs()}
    names = [o.name for o in session.get_outputs()]
    ok = True
    for name, ref in zip(names, session.run(None, inputs)):
        got = np.load(pathlib.Path(args.outputs) / (name + ".npy"))
        if got.shape != ref.shape or got.dtype != ref.dtype:
            print(f"{name}: {got.dtype}{list(got.shape)}, expected "
                  f"{ref.dtype}{list(ref.shape)}")
            ok = False
            continue
        err = np.abs(got.astype(np.float64) - ref.astype(np.float64))
        bad = err > args.atol + args.rtol * np.abs(ref.astype(np.float64))
        print(f"{name} {list(ref.shape)}: max abs err {err.max():.3g}, "
              f"{int(bad.sum())} of {ref.size} outside rtol={args.rtol} "
              f"atol={args.atol}")
        ok &= not bad.any()
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


def cmd_json_fields(args):
    data = json.load(sys.stdin)
    for path in args.paths:
        value = data
        for key in path.split("."):
            value = value[int(key)] if isinstance(value, list) else value[key]
        print(f"{path} = {json.dumps(value)}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("write")
    p.add_argument("file")
    p.add_argument("--dtype", required=True)
    p.add_argument("--shape", default="")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--version", type=int, default=1)
    p.add_argument("--fortran", action="store_true")
    p.add_argument("--big-endian", action="store_true")
    p.set_defaults(fn=cmd_write)
    p = sub.add_parser("make-inputs")
    p.add_argument("model")
    p.add_argument("dir")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(fn=cmd_make_inputs)
    p = sub.add_parser("same")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--transpose", action="store_true")
    p.set_defaults(fn=cmd_same)
    p = sub.add_parser("compare-ort")
    p.add_argument("model")
    p.add_argument("--inputs", required=True)
    p.add_argument("--outputs", required=True)
    p.add_argument("--rtol", type=float, default=1e-4)
    p.add_argument("--atol", type=float, default=1e-5)
    p.set_defaults(fn=cmd_compare_ort)
    p = sub.add_parser("json-fields")
    p.add_argument("paths", nargs="+")
    p.set_defaults(fn=cmd_json_fields)
    args = parser.parse_args()
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
