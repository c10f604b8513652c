"""Median latency of a model under ONNX Runtime, as a peer for `lathe run --bench`.

    python ort_latency.py MODEL.onnx [--runs N] [--threads T] [--seed S]

Inputs are seeded random floats; one warm-up run precedes the N timed runs.
Prints one line: "onnxruntime <version>: median X ms, min Y ms over N runs
(T threads)". Use the same --threads as lathe's run (1 by default).
"""

import argparse
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.runs < 1 or args.threads < 1:
        parser.error("--runs and --threads must be at least 1")

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(args.model, options,
                                   providers=["CPUExecutionProvider"])
    for i in session.get_inputs():
        if i.type != "tensor(float)" or not all(isinstance(d, int) for d in i.shape):
            sys.exit(f"ort_latency.py: input '{i.name}' is {i.type} of shape "
                     f"{i.shape}; only float inputs of static shape are handled")
    rng = np.random.default_rng(args.seed)
    feeds = {i.name: rng.uniform(-1, 1, i.shape).astype(np.float32)
             for i in session.get_inputs()}
    session.run(None, feeds)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        session.run(None, feeds)
        times.append((time.perf_counter() - start) * 1e3)
    print(f"onnxruntime {ort.__version__}: median {statistics.median(times):.3f} ms, "
          f"min {min(times):.3f} ms over {args.runs} runs ({args.threads} "
          f"thread{'s' if args.threads > 1 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
