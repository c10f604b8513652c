"""Runs ONNX's backend node tests through Lathe's GPU lowering.

    python run_gpu_node_tests.py --lathe build/bin/lathe --ptxas PTXAS
        [--data DIR] [--jobs 2] [--timeout 120] [--filter REGEX]
        [--baseline test/conformance/gpu-baseline.txt] [--write-baseline]
        [--verbose]

Each test that run_node_tests.py puts in scope is compiled with the `lathe`
command line for sm_90 twice:

- `--emit=ptx`, and the PTX assembled by ptxas for sm_90: the whole device
  lowering (schedules, launches, NVVM, libdevice) must give PTX that ptxas
  accepts;
- `--emulate-gpu`: the same schedules and launches run on the CPU thread by
  thread, called through the C ABI on the test's first data set and
  compared with its expected outputs (run_node_tests.py's comparison).

Unlike run_node_tests.py, which uses the JIT and can fix shape parameters
given as graph inputs to their test values, the command line compiles the
graph as it is; tests whose graph inputs must be constants are therefore
*unsupported* here. Outcomes: pass, fail (a wrong answer or a run error),
unsupported (Lathe's one-line error), bad-error (any other compiler
message, or PTX that ptxas rejects), crash, timeout. With --baseline it
exits 1 if fewer tests pass than the file says, or if any test fails,
crashes, times out or ends in a bad error.
"""

import argparse
import collections
import ctypes
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run_node_tests import (classify, compare, is_one_line_error,  # noqa: E402
                            load_model, open_dim_inputs, read_data_sets,
                            tolerances)

OUTCOMES = ["pass", "fail", "unsupported", "bad-error", "crash", "timeout"]


def run_library(case, so_path):
    """In a child process: calls lathe_model_run of `so_path` on the first
    data set of `case` and prints 'OK' or why not."""
    model = load_model(case)
    inputs, expected = read_data_sets(case, model)[0]
    rtol, atol = tolerances(case)
    lib = ctypes.CDLL(str(so_path))
    fn = lib.lathe_model_run
    fn.restype = None
    ins = [np.ascontiguousarray(inputs[v.name]) for v in model.graph.input
           if v.name in inputs]
    outs = {name: np.empty(want.shape, want.dtype)
            for name, want in expected.items()}
    fn(*[ctypes.c_void_p(a.ctypes.data) for a in ins],
       *[ctypes.c_void_p(a.ctypes.data) for a in outs.values()])
    for name, want in expected.items():
        why = compare(outs[name], want, rtol, atol)
        if why:
            print(f"output '{name}': {why}")
            return
    print("OK")


def compile_error(result, path):
    """The outcome of a failed `lathe compile`."""
    message = result.stderr.strip()
    if result.returncode < 0 or "Stack dump" in message:
        return "crash", " | ".join(message.splitlines()[-2:])
    if is_one_line_error(message, path) or message.startswith(
            "lathe compile: "):
        return "unsupported", message.splitlines()[0]
    return "bad-error", " | ".join(message.splitlines()[:3])


def run_case(args, case, tmp):
    model = load_model(case)
    sets = read_data_sets(case, model)
    if not sets:
        return "unsupported", "no test data"
    inputs, _ = sets[0]
    path = case / "model.onnx"
    shapes = [f"--input-shape={name}=" + "x".join(map(str, a.shape))
              for name, a in inputs.items()
              if name in open_dim_inputs(model) and a.ndim > 0
              and all(d > 0 for d in a.shape)]
    base = [str(args.lathe), "compile", str(path), "--target=sm_90",
            "--model-name=model"] + shapes
    ptx = tmp / f"{case.name}.ptx"
    so = tmp / f"{case.name}.so"
    try:
        result = subprocess.run(base + ["--emit=ptx", "-o", str(ptx)],
                                capture_output=True, text=True,
                                timeout=args.timeout)
        if result.returncode != 0:
            return compile_error(result, path)
        result = subprocess.run([str(args.ptxas), "-arch=sm_90", str(ptx),
                                 "-o", os.devnull], capture_output=True,
                                text=True, timeout=args.timeout)
        if result.returncode != 0:
            return "bad-error", "ptxas: " + " | ".join(
                result.stderr.strip().splitlines()[:2])
        result = subprocess.run(base + ["--emulate-gpu", "-o", str(so)],
                                capture_output=True, text=True,
                                timeout=args.timeout)
        if result.returncode != 0:
            return compile_error(result, path)
        result = subprocess.run(
            [sys.executable, __file__, "--run-library", str(case), str(so)],
            capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return "timeout", f"over {args.timeout} s"
    finally:
        for f in (ptx, so, so.with_suffix(".h")):
            if f.exists():
                f.unlink()
    if result.returncode < 0:
        return "crash", f"the emulated library died (signal "
        f"{-result.returncode})"
    out = result.stdout.strip()
    if result.returncode != 0 or out != "OK":
        return "fail", out or " | ".join(result.stderr.strip().splitlines()[-1:])
    return "pass", ""


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--run-library":
        run_library(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lathe", type=pathlib.Path, required=True)
    parser.add_argument("--ptxas", type=pathlib.Path, required=True)
    parser.add_argument("--data", type=pathlib.Path,
                        default=pathlib.Path(onnx.__file__).parent /
                        "backend" / "test" / "data" / "node")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--filter")
    parser.add_argument("--baseline", type=pathlib.Path)
    parser.add_argument("--write-baseline", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()

    start = time.monotonic()
    cases = sorted(p for p in args.data.iterdir()
                   if (p / "model.onnx").exists())
    if args.filter:
        cases = [c for c in cases if re.search(args.filter, c.name)]
    in_scope = [c for c in cases if classify(c) is None]

    results = {}
    with tempfile.TemporaryDirectory(prefix="lathe-gpu-conformance-") as d:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(args.jobs) as pool:
            for case, outcome in zip(in_scope, pool.map(
                    lambda c: run_case(args, c, pathlib.Path(d)), in_scope)):
                results[case.name] = outcome
                if args.verbose or outcome[0] not in ("pass", "unsupported"):
                    print(f"{outcome[0].upper():11} {case.name}: {outcome[1]}",
                          flush=True)
    elapsed = time.monotonic() - start
    counts = collections.Counter(r[0] for r in results.values())
    print(f"gpu conformance: {len(cases)} tests, {len(results)} in scope; "
          f"{elapsed:.0f} s")
    print("gpu conformance: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES))

    if args.baseline:
        if args.write_baseline:
            text = args.baseline.read_text() if args.baseline.exists() else ""
            lines = [l for l in text.splitlines() if l.startswith("#")]
            args.baseline.write_text("\n".join(lines + [str(counts["pass"])])
                                     + "\n")
            return 0
        want = int([l for l in args.baseline.read_text().splitlines()
                    if l.strip() and not l.startswith("#")][0])
        broken = sum(counts[o] for o in ("fail", "bad-error", "crash",
                                         "timeout"))
        if counts["pass"] < want or broken:
            print(f"gpu conformance: {counts['pass']} pass (baseline {want}),"
                  f" {broken} failed, bad errors, crashes or timeouts")
            return 1
        print(f"gpu conformance: pass >= baseline ({want})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
