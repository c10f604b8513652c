"""Time one GEMM implementation on a list of cases (a child of run.py).

    measure.py SPEC.json OUT.json

bench/gemm/run.py writes SPEC and starts one measure.py process per
implementation (OpenBLAS, Halide, Lathe), each with its own thread settings
in the environment (OPENBLAS_NUM_THREADS, HL_NUM_THREADS), so thread pools
never share a process and Halide's code never shares one with anything else.

SPEC is a JSON object:
  impl          "openblas", "halide" or "lathe"
  seed          the inputs' seed
  warmup        untimed calls before timing (at least 1)
  repeats       most timed samples per case
  budget_s      stop taking samples once this much time was spent (>= 1 sample)
  sample_s      a sample repeats the call until it lasts about this long, so
                the ctypes call overhead (~1 us) does not count for small cases
  tolerance     largest accepted error against the reference
  refdir        where OpenBLAS's outputs are written (impl "openblas") or read
  lib           the shared library to load (OpenBLAS shim, Halide library)
  cases         [{key, batch, m, n, k, and for lathe "lib" and "symbol", for
                  halide "symbol"}]

Inputs are uniform in [-1, 1), float32, from numpy's default_rng seeded with
(seed, batch, m, n, k): every process builds the same ones. The error is
max|C - C_ref| / max|C_ref| over all elements (a normwise relative error;
elementwise relative errors blow up where C_ref is near zero). C is filled
with NaN before the first call, so elements a kernel never writes show up.
A, B and C start on 64-byte boundaries for every implementation.
OpenBLAS is checked against numpy's float64 product of the same inputs.

OUT gets {"impl", "info", "results": [{key, median_s, min_s, samples,
calls_per_sample, gflops, error, reference, ok, note}]}, rewritten after
each case.
"""

import ctypes
import json
import os
import statistics
import sys
import time

import numpy as np

F32P = ctypes.POINTER(ctypes.c_float)


def aligned(values, align=64):
    """A copy of float32 `values` whose data starts on an `align`-byte boundary.

    Every implementation gets 64-byte aligned arrays: Halide's AVX-512 code
    uses aligned vector loads (vmovaps) and faults on numpy's 16-byte alignment.
    """
    raw = np.empty(values.size * 4 + align, dtype=np.uint8)
    start = -raw.ctypes.data % align
    out = raw[start:start + values.size * 4].view(np.float32).reshape(values.shape)
    out[...] = values
    return out


def inputs(seed, case):
    batch, m, n, k = case["batch"], case["m"], case["n"], case["k"]
    rng = np.random.default_rng([seed, batch, m, n, k])
    lead = (batch,) if batch else ()
    a = aligned(rng.uniform(-1, 1, lead + (m, k)).astype(np.float32))
    b = aligned(rng.uniform(-1, 1, lead + (k, n)).astype(np.float32))
    c = aligned(np.full(lead + (m, n), np.nan, dtype=np.float32))
    return a, b, c


def ptr(array):
    return array.ctypes.data_as(F32P)


def flops(case):
    return 2.0 * max(case["batch"], 1) * case["m"] * case["n"] * case["k"]


def rel_error(c, ref):
    scale = float(np.max(np.abs(ref)))
    err = float(np.max(np.abs(c.astype(np.float64) - ref)))
    if not np.isfinite(err):
        return float("inf")
    return err / scale if scale else err


def time_call(call, spec):
    """Median seconds per call: warm-up, then samples of `inner` calls each."""
    start = time.perf_counter()
    last = 0.0
    for i in range(max(spec["warmup"], 1)):
        t0 = time.perf_counter()
        call()
        last = time.perf_counter() - t0
    # Short kernels: keep warming up for 50 ms (caches, thread pools, clocks).
    while time.perf_counter() - start < 0.05 and last < 0.01:
        t0 = time.perf_counter()
        call()
        last = time.perf_counter() - t0
    inner = max(1, int(spec["sample_s"] / max(last, 1e-9)))
    samples = []
    begin = time.perf_counter()
    while len(samples) < spec["repeats"]:
        t0 = time.perf_counter()
        for _ in range(inner):
            call()
        samples.append((time.perf_counter() - t0) / inner)
        if time.perf_counter() - begin >= spec["budget_s"]:
            break
    return statistics.median(samples), min(samples), len(samples), inner


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(sys.argv) == 2 else 2
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    impl = spec["impl"]
    out = {"impl": impl, "info": {}, "results": []}

    lib = None
    if impl in ("openblas", "halide"):
        lib = ctypes.CDLL(spec["lib"])
    if impl == "openblas":
        lib.openblas_info.restype = ctypes.c_char_p
        out["info"]["config"] = lib.openblas_info().decode()
        out["info"]["threads"] = lib.openblas_threads()
        lib.openblas_gemm.restype = None
        lib.openblas_gemm.argtypes = [ctypes.c_int] * 4 + [F32P] * 3
    if impl == "halide":
        lib.halide_gemm_call.restype = ctypes.c_int
        lib.halide_gemm_call.argtypes = [ctypes.c_void_p] + [ctypes.c_int] * 4 + [F32P] * 3

    for case in spec["cases"]:
        res = {"key": case["key"], "ok": False, "note": ""}
        out["results"].append(res)
        try:
            a, b, c = inputs(spec["seed"], case)
            pa, pb, pc = ptr(a), ptr(b), ptr(c)
            bt, m, n, k = case["batch"], case["m"], case["n"], case["k"]
            if impl == "openblas":
                def call():
                    lib.openblas_gemm(bt, m, n, k, pa, pb, pc)
            elif impl == "halide":
                fn = ctypes.cast(getattr(lib, case["symbol"]), ctypes.c_void_p)
                status = []

                def call():
                    status.append(lib.halide_gemm_call(fn, bt, m, n, k, pa, pb, pc))
            else:
                model = ctypes.CDLL(case["lib"])
                fn = getattr(model, case["symbol"])
                fn.restype = None
                fn.argtypes = [F32P] * 3

                def call():
                    fn(pa, pb, pc)
            median, best, count, inner = time_call(call, spec)
            if impl == "halide" and any(status):
                raise RuntimeError(f"the Halide pipeline returned error {max(status)}")
            res.update(median_s=median, min_s=best, samples=count,
                       calls_per_sample=inner, gflops=flops(case) / median / 1e9)
            refpath = os.path.join(spec["refdir"], case["key"] + ".npy")
            if impl == "openblas":
                np.save(refpath, c)
                ref = np.matmul(a.astype(np.float64), b.astype(np.float64))
                res["reference"] = "numpy float64"
            elif os.path.exists(refpath):
                ref = np.load(refpath).astype(np.float64)
                res["reference"] = "OpenBLAS"
            else:
                ref = None
                res["note"] = (f"{res['gflops']:.1f} GFLOP/s, unchecked "
                               "(no OpenBLAS output to compare with)")
            if ref is not None:
                res["error"] = rel_error(c, ref)
                res["ok"] = res["error"] <= spec["tolerance"]
            if ref is not None and not res["ok"]:
                res["note"] = (f"wrong result: error {res['error']:.3g} > "
                               f"tolerance {spec['tolerance']:g}")
        except Exception as e:  # noqa: BLE001 - one bad case must not end the run
            res["note"] = f"{type(e).__name__}: {e}"
        print(f"  {impl:8s} {case['key']:24s} "
              + (f"{res['gflops']:8.2f} GFLOP/s  error {res.get('error', float('nan')):.2e}"
                 if "gflops" in res else "")
              + (f"  {res['note']}" if res["note"] else ""), flush=True)
        # Written after every case, so a crash loses only the case it hit.
        with open(sys.argv[2], "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
