"""Convolution layers of ResNet-50 and MobileNetV2: Lathe against ONNX Runtime.

    .venv/bin/python bench/conv/run.py                    # every layer shape, 1 thread
    .venv/bin/python bench/conv/run.py --nets mobilenet_v2 --filter dw --no-save
    .venv/bin/python bench/conv/run.py --list             # print the shapes only

The shapes are the distinct convolutions of torchvision's resnet50 (v1.5:
the stride on the 3x3 of each bottleneck) and mobilenet_v2 (width 1.0) at
batch 1, 224x224, listed from the architectures: ResNet-50's 7x7/2 stem and
its bottlenecks' 1x1, 3x3 (stride 1 and 2) and 1x1 projection shortcuts;
MobileNetV2's 3x3/2 stem, its inverted residuals' 1x1 expansions, 3x3
depthwise convolutions (stride 1 and 2) and 1x1 projections, and the last
1x1 to 1280. When bench/models/export.py's models are in --model-dir, the
list is checked against their Conv nodes (ONNX shape inference) and a
difference is reported in a note.

Each shape becomes a one-node ONNX model, Conv(X, W, B) in NCHW as ONNX has
it (Lathe converts internally), X a graph input, W and B initializers (He-
scaled normal draws, seeded), opset 17, in bench/build/conv/. For each, in
one run:
  - ONNX Runtime (CPUExecutionProvider, ORT_ENABLE_ALL, intra-op threads =
    --threads) runs it on a seeded N(0, 1) input: its output is the
    reference; it is then timed through an IOBinding (inputs and outputs
    bound once, so the Python call costs little): one warm-up, then up to
    --runs calls or --budget seconds, the median;
  - `lathe run MODEL --input X=x.npy --output-dir DIR --bench RUNS --json`
    compiles the model, writes its output (checked against ORT's: |lathe -
    ort| <= atol + rtol * |ort|, --rtol 1e-3, --atol 1e-4) and reports the
    median of RUNS timed runs after one warm-up, on --threads threads.
GFLOP/s = 2 * Cout * Hout * Wout * (Cin / groups) * kH * kW / median time
(the bias is not counted). Lathe's model time includes the layout changes
it puts around the convolution (NCHW to its internal layout and back), which
a whole network pays once; `lathe bench MODEL --json` then times each
kernel alone, and the convolution kernel's own GFLOP/s is reported too. A
shape Lathe fails on gets its error recorded and the run goes on.

Writes bench/results/conv-<host>-<UTC date>.json and .md (-t<N> before the
extension when --threads is not 1) and prints the table. docs/bench.md
explains the columns. The exit status is 1 when a shape failed or was wrong.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import benchlib  # noqa: E402

ROOT = benchlib.ROOT
NETS = ("resnet50", "mobilenet_v2")


class Conv:
    """One convolution: input Cin x H x W (batch 1), Cout k x k filters."""

    def __init__(self, cin, h, w, cout, k, stride, pad, groups=1):
        self.cin, self.h, self.w, self.cout = cin, h, w, cout
        self.k, self.stride, self.pad, self.groups = k, stride, pad, groups

    @property
    def key(self):
        return (self.cin, self.h, self.w, self.cout, self.k, self.stride, self.pad,
                self.groups)

    @property
    def out_hw(self):
        ho = (self.h + 2 * self.pad - self.k) // self.stride + 1
        wo = (self.w + 2 * self.pad - self.k) // self.stride + 1
        return ho, wo

    @property
    def flops(self):
        ho, wo = self.out_hw
        return 2 * self.cout * ho * wo * (self.cin // self.groups) * self.k * self.k

    @property
    def kind(self):
        if self.groups == self.cin == self.cout and self.groups > 1:
            return "dw"
        return f"{self.k}x{self.k}"

    @property
    def dims(self):
        g = f", g{self.groups}" if self.groups > 1 else ""
        return (f"{self.cin}×{self.h}×{self.w} → {self.cout}, {self.k}×{self.k}/"
                f"{self.stride} p{self.pad}{g}")

    @property
    def name(self):
        g = "dw" if self.kind == "dw" else ""
        return (f"c{self.cin}_{self.h}x{self.w}_o{self.cout}_k{self.k}s{self.stride}"
                f"p{self.pad}{'_' + g if g else ''}"
                + (f"_g{self.groups}" if self.groups > 1 and not g else ""))


def resnet50_layers():
    """(layer name, Conv) for every convolution of torchvision's resnet50."""
    out = [("conv1", Conv(3, 224, 224, 64, 7, 2, 3))]
    cin, hw = 64, 56  # after the 3x3/2 max pool
    for stage, (width, blocks, stride) in enumerate(
            [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], start=1):
        for b in range(blocks):
            s = stride if b == 0 else 1
            name = f"layer{stage}.{b}"
            ho = (hw + 2 - 3) // s + 1
            out.append((name + ".conv1", Conv(cin, hw, hw, width, 1, 1, 0)))
            out.append((name + ".conv2", Conv(width, hw, hw, width, 3, s, 1)))
            out.append((name + ".conv3", Conv(width, ho, ho, width * 4, 1, 1, 0)))
            if b == 0:
                out.append((name + ".downsample", Conv(cin, hw, hw, width * 4, 1, s, 0)))
            cin, hw = width * 4, ho
    return out


def mobilenet_v2_layers():
    """(layer name, Conv) for every convolution of torchvision's mobilenet_v2."""
    out = [("features.0", Conv(3, 224, 224, 32, 3, 2, 1))]
    cin, hw, idx = 32, 112, 1
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            name = f"features.{idx}"
            if t != 1:
                out.append((name + ".expand", Conv(cin, hw, hw, hidden, 1, 1, 0)))
            ho = (hw + 2 - 3) // stride + 1
            out.append((name + ".dw", Conv(hidden, hw, hw, hidden, 3, stride, 1, hidden)))
            out.append((name + ".project", Conv(hidden, ho, ho, c, 1, 1, 0)))
            cin, hw, idx = c, ho, idx + 1
    out.append(("features.18", Conv(320, 7, 7, 1280, 1, 1, 0)))
    return out


LAYERS = {"resnet50": resnet50_layers, "mobilenet_v2": mobilenet_v2_layers}


def distinct_shapes(nets):
    """[(net, Conv, [layer names])], the distinct shapes of each net in order."""
    rows = []
    for net in nets:
        seen = {}
        for layer, conv in LAYERS[net]():
            if conv.key in seen:
                seen[conv.key][2].append(layer)
            else:
                seen[conv.key] = (net, conv, [layer])
        rows += list(seen.values())
    return rows


def shapes_in_model(path):
    """The Conv keys of an exported model, with their counts (shape inference)."""
    import onnx
    from onnx import numpy_helper, shape_inference

    m = shape_inference.infer_shapes(onnx.load(path))
    shapes = {vi.name: [d.dim_value for d in vi.type.tensor_type.shape.dim]
              for vi in list(m.graph.value_info) + list(m.graph.input)}
    inits = {i.name: list(i.dims) for i in m.graph.initializer}
    consts = {n.output[0]: list(numpy_helper.to_array(a.t).shape)
              for n in m.graph.node if n.op_type == "Constant"
              for a in n.attribute if a.name == "value"}
    keys = {}
    for n in m.graph.node:
        if n.op_type != "Conv":
            continue
        a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
        x = shapes.get(n.input[0])
        w = inits.get(n.input[1]) or consts.get(n.input[1])
        if not x or not w:
            continue
        pads = list(a.get("pads", [0, 0, 0, 0]))
        key = (x[1], x[2], x[3], w[0], w[2], list(a.get("strides", [1, 1]))[0], pads[0],
               a.get("group", 1))
        keys[key] = keys.get(key, 0) + 1
    return keys


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nets", default=",".join(NETS),
                   help=f"comma-separated subset of {', '.join(NETS)} (default both)")
    p.add_argument("--filter", default="",
                   help="run only shapes whose kind (1x1, 3x3, 7x7, dw), name "
                        "(c<Cin>_<H>x<W>_o<Cout>_k<k>s<s>p<p>) or one of whose layers "
                        "(e.g. layer2.0.conv2, features.18) contains this")
    p.add_argument("--threads", type=int, default=1,
                   help="threads of both: ONNX Runtime's intra-op threads and "
                        "Lathe's --threads (default 1)")
    p.add_argument("--runs", type=int, default=50,
                   help="timed runs for each, after one warm-up (default 50)")
    p.add_argument("--budget", type=float, default=3.0,
                   help="seconds after which ORT stops taking timed runs, once it "
                        "has 3 (default 3)")
    p.add_argument("--rtol", type=float, default=1e-3, help="relative tolerance (1e-3)")
    p.add_argument("--atol", type=float, default=1e-4, help="absolute tolerance (1e-4)")
    p.add_argument("--seed", type=int, default=0, help="weights' and inputs' seed (0)")
    p.add_argument("--lathe", default=benchlib.DEFAULT_LATHE,
                   help="the lathe binary (default build/bin/lathe)")
    p.add_argument("--lathe-timeout", type=float, default=600,
                   help="seconds one `lathe run` may take (default 600)")
    p.add_argument("--model-dir", default=os.path.join(ROOT, "bench", "build", "models"),
                   help="exported models to check the shape list against "
                        "(default bench/build/models; skipped when absent)")
    p.add_argument("--build-dir", default=os.path.join(ROOT, "bench", "build", "conv"),
                   help="models, inputs and outputs (default bench/build/conv)")
    p.add_argument("--out-dir", default=os.path.join(ROOT, "bench", "results"),
                   help="where the .json and .md go (default bench/results)")
    p.add_argument("--list", action="store_true", help="print the shapes and exit")
    p.add_argument("--no-save", action="store_true", help="print the table only")
    args = p.parse_args()
    args.nets = [n.strip() for n in args.nets.split(",") if n.strip()]
    for n in args.nets:
        if n not in NETS:
            p.error(f"--nets: unknown net '{n}' (known: {', '.join(NETS)})")
    if args.threads < 1 or args.runs < 1:
        p.error("--threads and --runs must be at least 1")
    return args


def write_model(path, conv, seed):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng([seed, *conv.key])
    fan_in = conv.cin // conv.groups * conv.k * conv.k
    w = (rng.standard_normal((conv.cout, conv.cin // conv.groups, conv.k, conv.k))
         * np.sqrt(2.0 / fan_in)).astype(np.float32)
    b = (0.1 * rng.standard_normal(conv.cout)).astype(np.float32)
    ho, wo = conv.out_hw
    node = helper.make_node("Conv", ["X", "W", "B"], ["Y"], name="conv",
                            kernel_shape=[conv.k, conv.k], strides=[conv.stride] * 2,
                            pads=[conv.pad] * 4, dilations=[1, 1], group=conv.groups)
    graph = helper.make_graph(
        [node], "conv",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, conv.cin, conv.h,
                                                               conv.w])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, conv.cout, ho, wo])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="bench/conv/run.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def time_ort(session, x, runs, budget):
    import onnxruntime as ort

    binding = session.io_binding()
    binding.bind_ortvalue_input("X", ort.OrtValue.ortvalue_from_numpy(x))
    binding.bind_output("Y")
    session.run_with_iobinding(binding)  # allocates the output once
    out = binding.get_outputs()[0]
    binding.bind_ortvalue_output("Y", out)
    return benchlib.time_calls(lambda: session.run_with_iobinding(binding), runs, budget)


def measure(args, net, conv, layers):
    row = {"net": net, "name": conv.name, "kind": conv.kind, "dims": conv.dims,
           "layers": layers, "count": len(layers), "flops": conv.flops,
           "shape": dict(zip(("cin", "h", "w", "cout", "k", "stride", "pad", "groups"),
                             conv.key))}
    work = os.path.join(args.build_dir, conv.name)
    os.makedirs(work, exist_ok=True)
    model = os.path.join(work, "model.onnx")
    write_model(model, conv, args.seed)
    x = np.random.default_rng([args.seed + 1, *conv.key]).standard_normal(
        (1, conv.cin, conv.h, conv.w)).astype(np.float32)
    xpath = os.path.join(work, "X.npy")
    np.save(xpath, x)

    session = benchlib.ort_session(model, args.threads)
    ref = session.run(None, {"X": x})[0]
    med, mn, n = time_ort(session, x, args.runs, args.budget)
    row["ort"] = {"median_ms": med, "min_ms": mn, "runs": n,
                  "gflops": conv.flops / (med * 1e-3) / 1e9}
    del session

    outdir = os.path.join(work, "lathe")
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        os.remove(os.path.join(outdir, f))
    cmd = [args.lathe, "run", model, "--input", f"X={xpath}", "--output-dir", outdir,
           "--bench", str(args.runs), "--threads", str(args.threads), "--json"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=args.lathe_timeout)
    except subprocess.TimeoutExpired:
        row["lathe_error"] = f"lathe run timed out after {args.lathe_timeout:.0f} s"
        return row
    except OSError as e:
        row["lathe_error"] = f"lathe could not be started: {e}"
        return row
    if r.returncode != 0:
        how = f"exit {r.returncode}" if r.returncode > 0 else f"signal {-r.returncode}"
        row["lathe_error"] = f"lathe run failed ({how}): " + (
            benchlib.error_text(r.stderr) or benchlib.tail(r.stdout))
        return row
    try:
        rep = json.loads(r.stdout)
    except json.JSONDecodeError:
        row["lathe_error"] = "lathe run printed no JSON: " + benchlib.tail(r.stdout)
        return row
    bench = rep.get("bench") or {}
    lmed = bench.get("median_ms")
    row["lathe"] = {"median_ms": lmed, "min_ms": bench.get("min_ms"),
                    "runs": bench.get("runs"), "compile_ms": rep.get("compile_ms"),
                    "gflops": conv.flops / (lmed * 1e-3) / 1e9 if lmed else None}
    ypath = os.path.join(outdir, "Y.npy")
    if not os.path.exists(ypath):
        row["check"] = {"ok": False, "error": "lathe wrote no output Y"}
    else:
        y = np.load(ypath)
        if y.shape != ref.shape:
            row["check"] = {"ok": False, "error": f"shape {list(y.shape)}, ORT's is "
                                                  f"{list(ref.shape)}"}
        else:
            diff = np.abs(y.astype(np.float64) - ref)
            row["check"] = {"ok": bool(np.all(np.isfinite(y)) and np.allclose(
                                y, ref, rtol=args.rtol, atol=args.atol)),
                            "max_abs_err": float(diff.max()),
                            "ref_max_abs": float(np.abs(ref).max())}
    if lmed:
        row["ratio"] = row["lathe"]["gflops"] / row["ort"]["gflops"]
    # The model's time includes Lathe's layout changes (NCHW <-> its internal
    # layout) around the convolution; `lathe bench` times each kernel alone.
    try:
        r = subprocess.run([args.lathe, "bench", model, "--runs", str(args.runs),
                            "--threads", str(args.threads), "--json"],
                           capture_output=True, text=True,
                           timeout=args.lathe_timeout)
        kernels = json.loads(r.stdout).get("kernels", []) if r.returncode == 0 else []
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        kernels = []
    row["lathe_kernels"] = [{k: x.get(k) for k in ("name", "ops", "median_us", "gflops")}
                            for x in kernels]
    conv_k = [x for x in kernels if any("conv" in o for o in x.get("ops", []))]
    if conv_k:
        us = sum(x["median_us"] for x in conv_k)
        row["lathe"]["conv_kernel_us"] = us
        row["lathe"]["conv_kernel_gflops"] = conv.flops / (us * 1e-6) / 1e9
    return row


def markdown(report):
    m = report["machine"]
    lines = [f"# Convolution layers, {m['hostname']}, {report['date']}", "",
             f"- CPU: {m['cpu_model']}, {m['logical_cpus']} logical CPUs; "
             f"flags: {' '.join(m['flags'])}",
             f"- threads: ONNX Runtime {report['threads']}, Lathe {report['threads']}",
             "- versions: " + "; ".join(f"{k} {v}" for k, v in report["versions"].items()),
             f"- timing: median of up to {report['settings']['runs']} runs after one "
             "warm-up; Lathe's from `lathe run --bench`, ORT's from "
             "run_with_iobinding in Python; one-node Conv models with bias, NCHW, "
             "batch 1",
             ]
    lines += [f"- note: {n}" for n in report["notes"]]
    total = {}
    for net in report["settings"]["nets"]:
        rows = [r for r in report["rows"] if r["net"] == net]
        if not rows:
            continue
        lines += ["", f"## {net}", "",
                  "| layer shape (Cin×H×W → Cout, k×k/stride, pad) | kind | × in net | "
                  "MFLOP | Lathe GFLOP/s | ORT GFLOP/s | Lathe / ORT GFLOP/s | Lathe µs | "
                  "ORT µs | Lathe conv kernel alone GFLOP/s | check |",
                  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for r in rows:
            ort = r.get("ort", {})
            ort_g = f"{ort['gflops']:.1f}" if ort else "–"
            ort_us = f"{ort['median_ms'] * 1e3:.0f}" if ort else "–"
            head = (f"| {r['dims']} | {r['kind']} | {r['count']} | "
                    f"{r['flops'] / 1e6:.1f} | ")
            if "lathe_error" in r or "error" in r:
                msg = (r.get("lathe_error") or r.get("error")).replace("\n", " ⏎ ")
                msg = msg.replace("|", "\\|")
                if len(msg) > 300:
                    msg = msg[:300] + " …"
                lines.append(head + f"failed | {ort_g} | – | – | {ort_us} | – | {msg} |")
                continue
            lat = r["lathe"]
            c = r["check"]
            check = "ok" if c["ok"] else "**wrong**: " + c.get(
                "error", f"max abs err {c.get('max_abs_err', 0):.2g}")
            kg = lat.get("conv_kernel_gflops")
            lines.append(head + f"{lat['gflops']:.1f} | {ort_g} | {r['ratio']:.2f}× | "
                         f"{lat['median_ms'] * 1e3:.0f} | {ort_us} | "
                         f"{f'{kg:.1f}' if kg else '–'} | {check} |")
            t = total.setdefault(net, [0.0, 0.0])
            t[0] += lat["median_ms"] * r["count"]
            t[1] += ort["median_ms"] * r["count"]
    if total:
        lines += ["", "Sum over each net's convolutions (median time × occurrences in "
                  "the net, over the shapes Lathe ran; > 1× means Lathe is slower):", ""]
        for net, (lt, ot) in total.items():
            lines.append(f"- {net}: Lathe {lt:.1f} ms, ORT {ot:.1f} ms, Lathe ms / ORT ms "
                         f"{lt / ot:.2f}×")
    return "\n".join(lines) + "\n"


def main():
    args = parse_args()
    rows = distinct_shapes(args.nets)
    if args.filter:
        rows = [r for r in rows if args.filter in r[1].kind or args.filter in r[1].name
                or any(args.filter in layer for layer in r[2])]
        if not rows:
            sys.exit(f"conv/run.py: no shape matches --filter {args.filter!r}")
    notes = []
    for net in args.nets:
        path = os.path.join(args.model_dir, net + ".onnx")
        if not os.path.exists(path):
            notes.append(f"{os.path.relpath(path, ROOT)} absent: the shape list was "
                         "not checked against the exported model")
            continue
        want = {}
        for _, conv in LAYERS[net]():
            want[conv.key] = want.get(conv.key, 0) + 1
        got = shapes_in_model(path)
        if got != want:
            notes.append(f"{net}: the exported model's convolutions differ from the "
                         f"list: only in the model {sorted(set(got) - set(want))}, only "
                         f"in the list {sorted(set(want) - set(got))}, counts differ "
                         f"for {[k for k in want if k in got and got[k] != want[k]]}")
        else:
            print(f"{net}: the shape list matches the exported model's {sum(got.values())}"
                  " convolutions", flush=True)
    if args.list:
        for net, conv, layers in rows:
            print(f"{net:13} {conv.kind:4} {conv.dims:40} ×{len(layers):<2} "
                  f"{conv.flops / 1e6:8.1f} MFLOP  {', '.join(layers)}")
        for n in notes:
            print("note: " + n)
        return 0
    import onnxruntime as ort

    now = benchlib.utc_now()
    report = {"date": now.strftime("%Y-%m-%d"),
              "time_utc": now.isoformat(timespec="seconds"),
              "threads": args.threads, "machine": benchlib.machine_info(),
              "settings": {k: getattr(args, k) for k in (
                  "nets", "filter", "runs", "budget", "rtol", "atol", "seed")},
              "versions": {"lathe": benchlib.lathe_version(args.lathe),
                           "onnxruntime": ort.__version__, "numpy": np.__version__},
              "notes": notes, "rows": []}
    builds = benchlib.builds_running()
    report["load_average"] = {"start": os.getloadavg()}
    cpu_start = benchlib.cpu_seconds()
    for i, (net, conv, layers) in enumerate(rows, start=1):
        print(f"[{i}/{len(rows)}] {net} {conv.dims} ({conv.kind})", flush=True)
        start = time.monotonic()
        try:
            row = measure(args, net, conv, layers)
        except Exception as e:  # ORT or the model: record and go on
            row = {"net": net, "name": conv.name, "kind": conv.kind, "dims": conv.dims,
                   "layers": layers, "count": len(layers), "flops": conv.flops,
                   "error": f"{type(e).__name__}: {e}"}
        if "lathe" in row:
            print(f"    Lathe {row['lathe']['gflops']:.1f} GFLOP/s, ORT "
                  f"{row['ort']['gflops']:.1f} GFLOP/s ({row['ratio']:.2f}×), "
                  f"{'ok' if row['check']['ok'] else 'WRONG'} "
                  f"({time.monotonic() - start:.1f} s)", flush=True)
        else:
            print(f"    FAILED: {row.get('lathe_error') or row.get('error')}", flush=True)
        report["rows"].append(row)
    others = benchlib.other_load(cpu_start, benchlib.cpu_seconds())
    report["other_load_cpus"] = round(others, 2)
    report["load_average"]["end"] = os.getloadavg()
    builds_end = benchlib.builds_running()
    report["builds_running"] = sorted(set(builds + builds_end))
    if builds or builds_end:
        notes.append("a build was running during the run (" + "; ".join(
            report["builds_running"]) + "): timings are noisy")
    if others > 0.2:
        notes.append(f"other processes kept {others:.1f} of the {os.cpu_count()} logical "
                     "CPUs busy on average during the run: expect noisy, slow numbers")
    md = markdown(report)
    print()
    print(md)
    if not args.no_save:
        os.makedirs(args.out_dir, exist_ok=True)
        stem = os.path.join(args.out_dir,
                            benchlib.result_stem("conv", args.threads, report["date"]))
        with open(stem + ".json", "w") as f:
            json.dump(report, f, indent=1)
            f.write("\n")
        with open(stem + ".md", "w") as f:
            f.write(md)
        print(f"wrote {stem}.json and .md")
    bad = [r for r in report["rows"] if "error" in r or "lathe_error" in r or
           not r.get("check", {}).get("ok")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
