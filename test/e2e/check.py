"""Runs an ONNX model through Lathe and ONNX Runtime and compares outputs.

    python check.py MODEL.onnx --lib build/lib/liblathe.so [--so MODEL.so
        [--model-name NAME]] [--rtol 1e-4] [--atol 1e-5] [--seed 0]

Inputs are random normal floats from a fixed seed. The JIT path loads
liblathe.so with ctypes and uses its C API (runtime/lathe.h); --so also runs
an AOT-compiled library's `lathe_<model>_run` (docs/abi.md), <model> being
--model-name or, as `lathe compile` names it, the file's stem made into a C
identifier. Prints one line per path and exits 1 on any mismatch.
"""

import argparse
import ctypes
import pathlib
import re
import sys

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "python"))
from lathe_capi import Lathe  # noqa: E402


def c_identifier(name):
    """`name` made into a C identifier, as `lathe compile` does."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return "_" + ident if not ident or ident[0].isdigit() else ident


def run_aot(so_path, model_name, inputs, input_specs, output_specs):
    """Calls lathe_<model>_run(inputs..., outputs...) of an AOT library."""
    lib = ctypes.CDLL(str(so_path.resolve()))
    fn = getattr(lib, f"lathe_{model_name}_run")
    ins = [np.ascontiguousarray(inputs[n], dtype) for n, _, dtype in input_specs]
    outs = {name: np.empty(shape, dtype) for name, shape, dtype in output_specs}
    fn.restype = None
    fn(*[ctypes.c_void_p(a.ctypes.data) for a in ins],
       *[ctypes.c_void_p(a.ctypes.data) for a in outs.values()])
    return outs


def compare(label, actual, expected, rtol, atol):
    ok = True
    for name, ref in expected.items():
        got = actual[name]
        if got.shape != ref.shape:
            print(f"{label}: {name}: shape {got.shape}, expected {ref.shape}")
            ok = False
            continue
        err = np.abs(got.astype(np.float64) - ref)
        bad = err > atol + rtol * np.abs(ref)
        print(f"{label}: {name} {list(ref.shape)}: max abs err {err.max():.3g}, "
              f"{int(bad.sum())} of {ref.size} outside rtol={rtol} atol={atol}")
        ok &= not bad.any()
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", type=pathlib.Path)
    parser.add_argument("--lib", type=pathlib.Path, required=True,
                        help="path to liblathe.so")
    parser.add_argument("--so", type=pathlib.Path,
                        help="an AOT library of the same model to check too")
    parser.add_argument("--model-name",
                        help="the C name of the model in --so (default: "
                             "the model file's stem made into a C identifier)")
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(args.model), options,
                                   providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(args.seed)
    inputs = {i.name: rng.standard_normal(i.shape).astype(np.float32)
              for i in session.get_inputs()}
    expected = dict(zip([o.name for o in session.get_outputs()],
                        [r.astype(np.float64) for r in session.run(None, inputs)]))

    lathe = Lathe(args.lib)
    model = lathe.compile(args.model)
    try:
        ok = compare("jit", lathe.run(model, inputs), expected, args.rtol,
                     args.atol)
        if args.so:
            name = args.model_name or c_identifier(args.model.stem)
            ok &= compare("aot", run_aot(args.so, name, inputs,
                                         lathe.specs(model, False),
                                         lathe.specs(model, True)),
                          expected, args.rtol, args.atol)
    finally:
        lathe.free(model)
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
