"""Runs a program built from aot_driver.c and compares its outputs with ONNX
Runtime's.

    python run_aot_driver.py MODEL.onnx [--rtol 1e-4] [--atol 1e-5]
        [--seed 0] [--label aot] -- COMMAND [ARGS...]

Inputs are seeded random values of each input's ONNX type (normal floats,
small integers), written raw and in order to a file; COMMAND is run with
ARGS, that file and an output file appended (so COMMAND may be an emulator,
e.g. `qemu-aarch64 -L /usr/aarch64-linux-gnu ./prog`), and the outputs it
writes are read back raw, in order. Prints one line per output and OK, or
MISMATCH and exit status 1.
"""

import argparse
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort

TYPES = {"tensor(float)": np.float32, "tensor(double)": np.float64,
         "tensor(int64)": np.int64, "tensor(int32)": np.int32,
         "tensor(bool)": np.bool_}


def random_input(rng, shape, dtype):
    if np.issubdtype(dtype, np.floating):
        return rng.standard_normal(shape).astype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, shape).astype(dtype)
    return rng.integers(-100, 100, shape).astype(dtype)


def main():
    if "--" not in sys.argv:
        sys.exit("usage: run_aot_driver.py MODEL.onnx [options] -- COMMAND...")
    split = sys.argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", type=pathlib.Path)
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", default="aot")
    args = parser.parse_args(sys.argv[1:split])
    command = sys.argv[split + 1:]

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(args.model), options,
                                   providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(args.seed)
    inputs = {i.name: random_input(rng, i.shape, TYPES[i.type])
              for i in session.get_inputs()}
    expected = session.run(None, inputs)

    with tempfile.TemporaryDirectory() as tmp:
        in_path = pathlib.Path(tmp, "inputs.bin")
        out_path = pathlib.Path(tmp, "outputs.bin")
        in_path.write_bytes(b"".join(np.ascontiguousarray(a).tobytes()
                                     for a in inputs.values()))
        subprocess.run(command + [str(in_path), str(out_path)], check=True)
        data = out_path.read_bytes()

    ok, offset = True, 0
    for spec, ref in zip(session.get_outputs(), expected):
        count = ref.size * ref.itemsize
        got = np.frombuffer(data[offset:offset + count],
                            ref.dtype).reshape(ref.shape)
        offset += count
        err = np.abs(got.astype(np.float64) - ref.astype(np.float64))
        bad = err > args.atol + args.rtol * np.abs(ref.astype(np.float64))
        print(f"{args.label}: {spec.name} {list(ref.shape)}: max abs err "
              f"{err.max() if err.size else 0:.3g}, {int(bad.sum())} of "
              f"{ref.size} outside rtol={args.rtol} atol={args.atol}")
        ok &= not bad.any()
    if offset != len(data):
        print(f"{args.label}: {len(data)} bytes of outputs, expected {offset}")
        ok = False
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
