"""Runs ONNX's backend node tests through Lathe's JIT and scores them.

    python run_node_tests.py --lib build/lib/liblathe.so
        [--data DIR] [--jobs 2] [--timeout 60] [--filter REGEX]
        [--report docs/onnx-ops.md] [--baseline test/conformance/baseline.txt]
        [--write-baseline] [--verbose]

Each test of ONNX's node test data (onnx/backend/test/data/node in the
installed onnx package: a model.onnx and test_data_set_*/{input,output}_*.pb)
is first put in or out of scope (see SCOPE below). Each test in scope runs in
a forked child process (a crash or hang is counted, never fatal): the child
compiles model.onnx with the C API of liblathe.so (input shapes taken from
the test data), runs every data set and compares with the expected outputs.
The outcome is one of:

    pass         every output matches: same shape and dtype, floats within
                 |got - want| <= atol + rtol * |want| (NaN matches NaN; the
                 ONNX backend's own test: rtol 1e-3, atol 1e-7, or the
                 test's data.json), integers and booleans exactly
    fail         a wrong answer (value, shape or dtype), or a run error
    unsupported  compilation failed with Lathe's one-line error
                 ("<model>: node 'x' (Op, opset N): ..." or "<model>: ...")
    bad-error    compilation failed with any other message (a lowering or
                 verifier error that does not name the node): a bug
    crash        the child died (signal, abort, exit without a result)
    timeout      the child ran longer than --timeout seconds

The run prints one line per test that does not pass (all with --verbose) and
a summary. With --report it writes the per-operator table (docs/onnx-ops.md).
With --baseline it exits 1 if the pass count is below the number in that
file or if any test crashed or timed out; --write-baseline records the
current pass count instead.
"""

import argparse
import collections
import json
import os
import pathlib
import re
import signal
import sys
import tempfile
import time
import traceback

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "python"))
from lathe_capi import Lathe, LatheError  # noqa: E402

#: The operators named by the coverage issue (#4). They do not limit the
#: scope (every operator counts in the headline); the tests that use only
#: these operators are also scored on their own (the "op-list" line).
COVERED_OPS = frozenset("""
    Conv ConvTranspose BatchNormalization InstanceNormalization
    LayerNormalization Gemm MatMul Einsum Add Sub Mul Div Pow Sqrt Exp Log Neg
    Abs Reciprocal Erf Tanh Sigmoid Relu LeakyRelu Clip HardSigmoid HardSwish
    Gelu Softplus Elu PRelu Max Min Sum Mean Where Equal Less Greater Not And
    MaxPool AveragePool GlobalAveragePool GlobalMaxPool LRN Softmax LogSoftmax
    ReduceSum ReduceMean ReduceMax ReduceMin ReduceProd ReduceL2 ArgMax
    Reshape Flatten Transpose Squeeze Unsqueeze Concat Split Slice Gather
    GatherElements Expand Tile Pad Resize DepthToSpace SpaceToDepth Shape
    Size ConstantOfShape Constant Range Cast Identity Dropout CumSum TopK
""".split())

#: Element types a test's inputs and outputs may have: FLOAT, INT32, INT64,
#: BOOL.
SUPPORTED_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.INT32,
                   onnx.TensorProto.INT64, onnx.TensorProto.BOOL}

#: The default-domain opsets Lathe covers (frontend/onnx/Importer.h).
MIN_OPSET, MAX_OPSET = 7, 24

#: Out-of-scope categories (the first rule that matches wins).
TRAINING_OPS = frozenset("""Adagrad Adam Momentum Gradient
    NegativeLogLikelihoodLoss SoftmaxCrossEntropyLoss""".split())
RANDOM_OPS = frozenset("""RandomNormal RandomNormalLike RandomUniform
    RandomUniformLike Multinomial Bernoulli""".split())
STRING_OPS = frozenset("""StringConcat StringNormalizer StringSplit
    RegexFullMatch TfIdfVectorizer ImageDecoder""".split())

SCOPE = """\
A test is in scope when all of these hold (the first rule that fails names
the exclusion):

1. **external-data**: its model keeps no tensor in an external file;
2. **training**: it is not a training test (a name starting with
   `test_training_`, a training operator such as Adam or
   SoftmaxCrossEntropyLoss, or `training_mode` set);
3. **sequence / optional**: every graph input and output is a tensor (no
   sequence, optional or map types) and no node is a Sequence*/Optional*
   operator;
4. **string**: no string tensor and no string operator;
5. **random**: no random operator (RandomNormal, Bernoulli, ...);
6. **other-domain**: every node is in the default ONNX domain (not
   ai.onnx.ml, ai.onnx.preview.training, ...);
7. **opset**: the model's default-domain opset is one of 7 to 24, the
   range the coverage issue asks for (a few tests are stored at opset 1);
8. **element type**: every graph input and output is FLOAT, INT32, INT64 or
   BOOL (float16, double, bfloat16, float8, int4, 8- and 16-bit and
   unsigned integers are out).

Every operator counts: a test of an operator Lathe does not import stays in
scope and counts as *unsupported*. Integer and boolean tests count (Equal on
int32, ArgMax producing int64, Shape, Range on int64...).

The **op-list** scope is the part of that scope whose graphs use only the
operators named by the coverage issue (those marked in the per-operator
table; the `_expanded` variants of ONNX's function ops count when their
bodies use only listed operators). It is reported on its own line; the
headline and the baseline are the full scope.
"""


def load_model(case):
    return onnx.load(str(case / "model.onnx"), load_external_data=False)


def tensor_type(value_info):
    t = value_info.type
    return t.tensor_type.elem_type if t.HasField("tensor_type") else None


def classify(case):
    """Returns None when `case` is in scope, else the exclusion rule."""
    model = load_model(case)
    graph = model.graph
    tensors = list(graph.initializer)
    for node in graph.node:
        for a in node.attribute:
            if a.HasField("t"):
                tensors.append(a.t)
    if any(t.data_location == onnx.TensorProto.EXTERNAL for t in tensors):
        return "external-data"
    ops = {n.op_type for n in graph.node}
    training_attr = any(a.name == "training_mode" and a.i
                        for n in graph.node for a in n.attribute)
    if (case.name.startswith("test_training_") or ops & TRAINING_OPS
            or training_attr):
        return "training"
    values = list(graph.input) + list(graph.output)
    if (any(tensor_type(v) is None for v in values)
            or any(o.startswith(("Sequence", "Optional", "ConcatFromSequence",
                                 "SplitToSequence")) for o in ops)):
        return "sequence / optional"
    if (ops & STRING_OPS
            or any(tensor_type(v) == onnx.TensorProto.STRING for v in values)
            or any(t.data_type == onnx.TensorProto.STRING for t in tensors)):
        return "string"
    if ops & RANDOM_OPS:
        return "random"
    if any(n.domain not in ("", "ai.onnx") for n in graph.node):
        return "other-domain"
    opset = next((o.version for o in model.opset_import
                  if o.domain in ("", "ai.onnx")), 0)
    if not MIN_OPSET <= opset <= MAX_OPSET:
        return "opset"
    if any(tensor_type(v) not in SUPPORTED_TYPES for v in values):
        return "element type"
    return None


def read_data_sets(case, model):
    """[(inputs {name: array}, outputs {name: array})] of each data set."""
    initializers = {t.name for t in model.graph.initializer}
    input_names = [v.name for v in model.graph.input
                   if v.name not in initializers]
    output_names = [v.name for v in model.graph.output]
    sets = []
    for d in sorted(case.glob("test_data_set_*")):
        def read(prefix, names):
            files = sorted(d.glob(f"{prefix}_*.pb"),
                           key=lambda p: int(p.stem.split("_")[1]))
            arrays = {}
            for name, f in zip(names, files):
                t = onnx.TensorProto()
                t.ParseFromString(f.read_bytes())
                arrays[name] = numpy_helper.to_array(t)
            return arrays
        sets.append((read("input", input_names), read("output", output_names)))
    return sets


def tolerances(case):
    rtol, atol = 1e-3, 1e-7
    data = case / "data.json"
    if data.exists():
        j = json.loads(data.read_text())
        rtol, atol = j.get("rtol", rtol), j.get("atol", atol)
    return rtol, atol


def compare(got, want, rtol, atol):
    """None when `got` matches `want`, else why not."""
    if got.shape != want.shape:
        return f"shape {list(got.shape)}, expected {list(want.shape)}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype}, expected {want.dtype}"
    if np.issubdtype(want.dtype, np.floating):
        g, w = got.astype(np.float64), want.astype(np.float64)
        both_nan = np.isnan(g) & np.isnan(w)
        with np.errstate(invalid="ignore"):
            close = (g == w) | (np.abs(g - w) <= atol + rtol * np.abs(w))
        bad = ~(close | both_nan)
        if bad.any():
            i = np.unravel_index(np.argmax(bad), bad.shape)
            return (f"{int(bad.sum())} of {want.size} values differ, e.g. at "
                    f"{list(i)}: {g[i]!r}, expected {w[i]!r}")
        return None
    bad = got != want
    if bad.any():
        i = np.unravel_index(np.argmax(bad), bad.shape)
        return (f"{int(bad.sum())} of {want.size} values differ, e.g. at "
                f"{list(i)}: {got[i]!r}, expected {want[i]!r}")
    return None


#: Lathe's one-line import errors start with the model path and ": ".
def is_one_line_error(message, model_path):
    first = message.splitlines()[0] if message else ""
    return first.startswith(str(model_path) + ": ")


#: The importer's error for a graph input it needs at compile time.
NEEDS_CONSTANT = re.compile(r"input '([^']+)' \([^)]*\) must be a constant, "
                            r"but it is a graph input")


#: The importer's error for a shape parameter computed by a node (from
#: graph inputs that are not constants).
NEEDS_FOLDED = re.compile(r"must be a constant, but it is computed by node")


def open_dim_inputs(model):
    """Names of graph inputs whose declared shape leaves a dim open."""
    names = set()
    for v in model.graph.input:
        t = v.type.tensor_type
        if not t.HasField("shape") or any(
                not d.HasField("dim_value") for d in t.shape.dim):
            names.add(v.name)
    return names


def compile_case(lathe, path, inputs, open_dims):
    """Compiles `path` for `inputs`. Inputs that the importer needs as
    constants (shape parameters passed as graph inputs) are fixed to their
    test values, one retry per input; when a shape parameter is computed
    from graph inputs, all integer inputs are fixed at once. Returns
    (handle, fixed names) or raises LatheError."""
    shapes = {n: a.shape for n, a in inputs.items() if n in open_dims}
    fixed = {}
    while True:
        try:
            return lathe.compile(path, shapes, fixed), sorted(fixed)
        except LatheError as e:
            m = NEEDS_CONSTANT.search(str(e))
            if m and m.group(1) not in fixed and m.group(1) in inputs:
                names = [m.group(1)]
            elif NEEDS_FOLDED.search(str(e)):
                # A shape parameter computed from graph inputs: fix the
                # integer inputs it may come from, once.
                names = [n for n, a in inputs.items() if n not in fixed
                         and np.issubdtype(a.dtype, np.integer)]
                if not names:
                    raise
            else:
                raise
            for name in names:
                fixed[name] = inputs[name]
                shapes.pop(name, None)


def run_case(lathe, case):
    """Runs one in-scope test in this (child) process: (outcome, detail)."""
    model = load_model(case)
    sets = read_data_sets(case, model)
    rtol, atol = tolerances(case)
    path = case / "model.onnx"
    open_dims = open_dim_inputs(model)
    fixed_any = set()
    for inputs, expected in sets:
        try:
            handle, fixed = compile_case(lathe, path, inputs, open_dims)
        except LatheError as e:
            message = str(e).strip()
            if is_one_line_error(message, path):
                return "unsupported", message.splitlines()[0]
            return "bad-error", " | ".join(message.splitlines()[:3])
        fixed_any.update(fixed)
        try:
            try:
                outputs = lathe.run(handle, {n: a for n, a in inputs.items()
                                             if n not in fixed})
            except LatheError as e:
                return "fail", "run error: " + str(e).splitlines()[0]
            except KeyError as e:
                return "fail", f"no test data for input {e}"
            for name, want in expected.items():
                if name not in outputs:
                    return "fail", f"output '{name}' is missing"
                why = compare(outputs[name], want, rtol, atol)
                if why:
                    return "fail", f"output '{name}': {why}"
        finally:
            lathe.free(handle)
    note = f"inputs fixed at compile time: {', '.join(sorted(fixed_any))}"
    return "pass", note if fixed_any else ""


def run_all(lathe, cases, jobs, timeout, verbose):
    """Runs `cases` in forked children, `jobs` at a time: {name: (outcome,
    detail)}."""
    results = {}
    tmp = tempfile.mkdtemp(prefix="lathe-conformance-")
    pending = list(cases)
    running = {}  # pid -> (case, deadline, result file)
    sys.stdout.flush()
    sys.stderr.flush()
    while pending or running:
        while pending and len(running) < jobs:
            case = pending.pop(0)
            out = os.path.join(tmp, case.name + ".json")
            pid = os.fork()
            if pid == 0:  # Child: run, write the outcome, leave at once.
                code = 0
                try:
                    devnull = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(devnull, 1)
                    os.dup2(devnull, 2)
                    outcome = run_case(lathe, case)
                except Exception:  # A runner bug: report it as a failure.
                    outcome = ("fail", "runner error: " +
                               traceback.format_exc().splitlines()[-1])
                try:
                    with open(out, "w") as f:
                        json.dump(outcome, f)
                except Exception:
                    code = 3
                os._exit(code)
            running[pid] = (case, time.monotonic() + timeout, out)
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            now = time.monotonic()
            for p, (case, deadline, _) in running.items():
                if now > deadline:
                    os.kill(p, signal.SIGKILL)
                    running[p] = (case, -1, None)
            time.sleep(0.005)
            continue
        case, deadline, out = running.pop(pid)
        if deadline == -1:
            result = ("timeout", f"killed after {timeout} s")
        elif os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            result = ("crash", f"killed by {signal.Signals(sig).name}")
        elif out and os.path.exists(out):
            with open(out) as f:
                result = tuple(json.load(f))
        else:
            result = ("crash", f"exited with status "
                               f"{os.WEXITSTATUS(status)} and no result")
        results[case.name] = result
        if verbose or result[0] != "pass":
            print(f"{result[0].upper():11} {case.name}: {result[1]}",
                  flush=True)
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    return results


OUTCOMES = ["pass", "fail", "unsupported", "bad-error", "crash", "timeout"]


def write_report(path, data_dir, results, excluded, ops_of, opset_of,
                 elapsed):
    """Writes the per-operator table of the run (docs/onnx-ops.md)."""
    counts = collections.Counter(r[0] for r in results.values())
    total = len(results)
    per_op = collections.defaultdict(lambda: collections.Counter())
    opsets = collections.defaultdict(set)
    for name, (outcome, _) in results.items():
        for op in ops_of[name]:
            per_op[op][outcome] += 1
            opsets[op].add(opset_of[name])
    listed = {n for n in results if not ops_of[n] - COVERED_OPS}
    lcounts = collections.Counter(results[n][0] for n in listed)
    lines = [
        "# ONNX operator coverage",
        "",
        "Generated by `test/conformance/run_node_tests.py --report` from a run of",
        f"ONNX's backend node tests (onnx {onnx.__version__}, "
        f"{len(results) + sum(len(v) for v in excluded.values())} tests in",
        "`onnx/backend/test/data/node`) through Lathe's JIT. Do not edit by hand;",
        "rerun the script (see test/conformance/README.md). Every covered",
        "operator is also checked in each opset form from 7 to 24 against",
        "ONNX Runtime by `test/conformance/opset_sweep.py`.",
        "",
        f"**{counts['pass']} of {total} tests in scope pass "
        f"({100.0 * counts['pass'] / max(1, total):.1f}%)**: "
        + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES[1:]) + ".",
        "",
        f"Op-list scope (tests whose operators are all on the coverage "
        f"issue's list): {lcounts['pass']} of {len(listed)} pass "
        f"({100.0 * lcounts['pass'] / max(1, len(listed)):.1f}%).",
        "",
        "Outcomes: *pass* (every output matches: floats within "
        "|got - want| <= atol + rtol·|want|, rtol 1e-3 and atol 1e-7 as in "
        "ONNX's backend runner unless the test's data.json says otherwise, "
        "NaN matching NaN; integers and booleans exactly), *fail* (a wrong "
        "value, shape or dtype, or a run error), *unsupported* (a clean "
        "one-line error naming the node, op and opset), *bad-error* "
        "(compilation failed without that line), *crash*, *timeout*.",
        "",
        "## Per operator",
        "",
        "A test counts for every operator its graph uses (an `_expanded` "
        "test counts for the operators of its function body). Operators "
        "on the coverage issue's list are marked \\*; every operator "
        "of a test in scope is listed.",
        "",
        "| operator | opsets tested | tests | pass | fail | unsupported | other |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for op in sorted(COVERED_OPS | set(per_op)):
        c = per_op.get(op, collections.Counter())
        n = sum(c.values())
        other = c["bad-error"] + c["crash"] + c["timeout"]
        sets = ", ".join(str(o) for o in sorted(opsets[op])) or "-"
        name = f"{op} \\*" if op in COVERED_OPS else op
        lines.append(f"| {name} | {sets} | {n} | {c['pass']} | {c['fail']} | "
                     f"{c['unsupported']} | {other} |")
    fixed = sorted((name, detail) for name, (outcome, detail)
                   in results.items() if outcome == "pass" and detail)
    lines += ["", "## Inputs fixed at compile time", "",
              f"{len(fixed)} of the passing tests take shape parameters "
              "(axes, shapes, pads, bounds...) as graph inputs; Lathe needs "
              "them when compiling, so the runner gives their test values "
              "through `lathe_compile_options.input_values` (they become "
              "constants of the compiled model):", ""]
    lines += [", ".join(f"{name} ({detail.split(': ', 1)[-1]})"
                        for name, detail in fixed) or "None."]
    lines += ["", "## Tests in scope that do not pass", ""]
    failing = [(n, r) for n, r in sorted(results.items()) if r[0] != "pass"]
    if not failing:
        lines.append("None.")
    else:
        lines += ["| test | outcome | detail |", "| --- | --- | --- |"]
        for name, (outcome, detail) in failing:
            detail = detail.replace("|", "\\|")
            detail = re.sub(r"^\S*model\.onnx: ", "", detail)
            if len(detail) > 160:
                detail = detail[:157] + "..."
            lines.append(f"| {name} | {outcome} | {detail} |")
    lines += ["", "## Exclusions", "", SCOPE]
    lines += ["| rule | tests |", "| --- | ---: |"]
    for rule, names in sorted(excluded.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"| {rule} | {len(names)} |")
    lines += ["", "Excluded tests:", ""]
    for rule, names in sorted(excluded.items()):
        lines.append(f"- **{rule}**: " + ", ".join(sorted(names)))
    lines.append("")
    pathlib.Path(path).write_text("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lib", type=pathlib.Path, required=True,
                        help="path to liblathe.so")
    parser.add_argument("--data", type=pathlib.Path,
                        default=pathlib.Path(onnx.__file__).parent /
                        "backend" / "test" / "data" / "node",
                        help="ONNX's node test data (default: the installed "
                        "onnx package's)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds per test")
    parser.add_argument("--filter", help="run only tests matching this regex")
    parser.add_argument("--report", type=pathlib.Path,
                        help="write the per-operator table here")
    parser.add_argument("--baseline", type=pathlib.Path,
                        help="fail if fewer tests pass than this file says")
    parser.add_argument("--write-baseline", action="store_true",
                        help="record the pass count in --baseline")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()

    start = time.monotonic()
    cases = sorted(p for p in args.data.iterdir()
                   if (p / "model.onnx").exists())
    if args.filter:
        cases = [c for c in cases if re.search(args.filter, c.name)]
    in_scope, excluded = [], collections.defaultdict(list)
    ops_of, opset_of = {}, {}
    for case in cases:
        model = load_model(case)
        ops_of[case.name] = {n.op_type for n in model.graph.node}
        opset_of[case.name] = next(
            (o.version for o in model.opset_import
             if o.domain in ("", "ai.onnx")), 0)
        rule = classify(case)
        if rule:
            excluded[rule].append(case.name)
        else:
            in_scope.append(case)

    lathe = Lathe(args.lib)
    results = run_all(lathe, in_scope, args.jobs, args.timeout, args.verbose)
    elapsed = time.monotonic() - start

    counts = collections.Counter(r[0] for r in results.values())
    total = len(results)
    print(f"conformance: {len(cases)} tests, {total} in scope, "
          f"{len(cases) - total} excluded; {elapsed:.0f} s")
    print("conformance: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES)
          + f" ({100.0 * counts['pass'] / max(1, total):.1f}% pass)")
    listed = [n for n in results if not ops_of[n] - COVERED_OPS]
    lpass = sum(results[n][0] == "pass" for n in listed)
    print(f"conformance: op-list scope (the coverage issue's operators): "
          f"{lpass} of {len(listed)} pass "
          f"({100.0 * lpass / max(1, len(listed)):.1f}%)")
    if args.report:
        write_report(args.report, args.data, results, excluded, ops_of,
                     opset_of, elapsed)

    rc = 0
    if counts["crash"] or counts["timeout"]:
        print(f"conformance: FAILED: {counts['crash']} crashes and "
              f"{counts['timeout']} timeouts (expected none)")
        rc = 1
    if args.baseline:
        if args.write_baseline:
            args.baseline.write_text(
                "# Passing ONNX node tests (test/conformance/run_node_tests.py);"
                "\n# CI fails below this number. Raise it as coverage grows.\n"
                f"{counts['pass']}\n")
            print(f"conformance: baseline {counts['pass']} written to "
                  f"{args.baseline}")
        else:
            baseline = int(next(
                line for line in args.baseline.read_text().splitlines()
                if line.strip() and not line.startswith("#")).split()[0])
            if counts["pass"] < baseline:
                print(f"conformance: FAILED: {counts['pass']} pass, below the "
                      f"baseline of {baseline} ({args.baseline})")
                rc = 1
            else:
                print(f"conformance: {counts['pass']} pass >= baseline "
                      f"{baseline}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
