"""Checks host_app's printed outputs against ONNX Runtime.

    python check_host_app.py MODEL.onnx HOST_APP_OUTPUT

host_app feeds sin(i) to element i of every input and prints, per output,
its shape, sum and first four values; this recomputes them with ONNX Runtime
and fails on any difference beyond rtol 1e-4 / atol 1e-5.
"""

import re
import sys

import numpy as np
import onnxruntime as ort


def main(model, printed):
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    feeds = {}
    for i in session.get_inputs():
        n = int(np.prod(i.shape))
        feeds[i.name] = np.sin(np.arange(n, dtype=np.float32)).reshape(i.shape)
    expected = dict(zip([o.name for o in session.get_outputs()],
                        session.run(None, feeds)))
    lines = [l for l in open(printed) if l.startswith("output ")]
    if len(lines) != len(expected):
        print(f"expected {len(expected)} outputs, host_app printed {len(lines)}")
        return 1
    ok = True
    for line in lines:
        m = re.match(r"output '(.+)' shape \[(.*)\] sum (\S+) first (.*)", line)
        name, shape = m.group(1), [int(d) for d in m.group(2).split(", ") if d]
        ref = expected[name]
        first = np.array([float(v) for v in m.group(4).split()])
        good = (list(ref.shape) == shape and
                np.allclose(float(m.group(3)), ref.sum(dtype=np.float64),
                            rtol=1e-4, atol=1e-4) and
                np.allclose(first, ref.reshape(-1)[:len(first)], rtol=1e-4,
                            atol=1e-5))
        print(f"{name}: {'OK' if good else 'MISMATCH'}")
        ok &= good
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
