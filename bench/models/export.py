"""Export ResNet-50, MobileNetV2 and BERT-base to ONNX with random weights.

    python bench/models/export.py                  # all three, to bench/build/models
    python bench/models/export.py --models bert_base --seq-len 128
    python bench/models/export.py --setup-only     # only create the venv

The models come from their reference definitions, never from downloaded
weights:
  resnet50      torchvision.models.resnet50(weights=None)        input [1,3,224,224]
  resnet101     torchvision.models.resnet101(weights=None)       input [1,3,224,224]
                (not exported by default: the second model of the tuner's
                database-reuse check, docs/autotune.md, whose kernels are
                ResNet-50's)
  mobilenet_v2  torchvision.models.mobilenet_v2(weights=None)    input [1,3,224,224]
  bert_base     transformers BertModel(BertConfig()) (random init, eager
                attention), inputs input_ids, attention_mask and
                token_type_ids, int64 [1, seq-len]; outputs last_hidden_state
                and pooler_output
The CNNs' BatchNorm statistics are set from one training-mode pass over
random images (--bn-calibration; the weights are untouched), so that their
activations keep a realistic scale. Each model is built after
torch.manual_seed(--seed), put in eval mode and exported with
torch.onnx.export's TorchScript exporter (dynamo=False), opset 17,
static shapes, do_constant_folding=True, to <out-dir>/<name>.onnx.

torch, torchvision and transformers live in their own venv,
bench/.venv-export (git-ignored), never in the project's .venv. Run with
any python 3: when torch is not importable here, the script creates that
venv if needed and runs itself again inside it. The PyPI torch wheel for
Linux is a CUDA build that names a few GB of NVIDIA wheels as dependencies,
and download.pytorch.org's CPU wheels are not reachable, so the venv is set
up like this (docs/bench.md has the details and sizes):
  1. pip install --no-deps torch==TORCH torchvision==TORCHVISION, then the
     small pure-python dependencies, transformers and onnx;
  2. `import torch` still needs the CUDA libraries libtorch_cuda.so links
     against (nothing CUDA runs: they are only loaded). Where a CUDA 13
     toolkit is installed (/usr/local/cuda, as on this project's machines)
     it provides most of them and only the four that it lacks or has too
     old are installed from PyPI (nvidia-cufile, nvidia-cusparselt-cu13,
     nvidia-nvshmem-cu13, nvidia-nccl-cu13; ~520 MB of wheels);
  3. if torch still does not import, the rest of the NVIDIA runtime wheels
     torch's metadata names are installed (several GB) and it is tried again.
"""

import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV = os.path.join(ROOT, "bench", ".venv-export")
OUT_DIR = os.path.join(ROOT, "bench", "build", "models")
MODELS = ("resnet50", "mobilenet_v2", "bert_base")
# Exported only when asked for by --models.
EXTRA_MODELS = ("resnet101",)

# Versions the results in bench/results were exported with.
TORCH = "2.15.0"
TORCHVISION = "0.29.2"
TRANSFORMERS = "5.23.0"
# torch's pure-python dependencies (from its metadata), plus what the
# exporter and transformers need.
PURE_DEPS = ["filelock", "typing-extensions>=4.13.0", "setuptools>=77.0.3",
             "sympy>=1.13.3", "networkx>=2.5.1", "jinja2", "fsspec>=0.8.5",
             "numpy", "pillow", "onnx", f"transformers=={TRANSFORMERS}"]
# NVIDIA wheels (names as in torch's metadata) that a CUDA 13.0 toolkit in
# /usr/local/cuda does not provide or provides too old (libnccl lacks
# ncclCommResume): enough to load torch next to such a toolkit.
LOAD_MINIMAL = ["nvidia-cufile", "nvidia-cusparselt-cu13", "nvidia-nvshmem-cu13",
                "nvidia-nccl-cu13"]


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(MODELS),
                   help=f"comma-separated subset of {', '.join(MODELS + EXTRA_MODELS)} "
                        f"(default {', '.join(MODELS)})")
    p.add_argument("--out-dir", default=OUT_DIR,
                   help="where the .onnx files go (default bench/build/models)")
    p.add_argument("--seed", type=int, default=0,
                   help="torch.manual_seed before building each model (default 0)")
    p.add_argument("--opset", type=int, default=17, help="ONNX opset (default 17)")
    p.add_argument("--seq-len", type=int, default=128,
                   help="BERT's sequence length (default 128)")
    p.add_argument("--bn-calibration", type=int, default=8, metavar="N",
                   help="set the CNNs' BatchNorm statistics from one training-mode "
                        "pass over N random images, so activations keep their scale "
                        "(default 8; 0 keeps torchvision's init: mean 0, var 1)")
    p.add_argument("--venv", default=VENV,
                   help="the export venv (default bench/.venv-export)")
    p.add_argument("--setup-only", action="store_true",
                   help="create or complete the venv, export nothing")
    args = p.parse_args()
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    for m in args.models:
        if m not in MODELS + EXTRA_MODELS:
            p.error(f"--models: unknown model '{m}' (known: "
                    f"{', '.join(MODELS + EXTRA_MODELS)})")
    if args.seq_len < 1:
        p.error("--seq-len must be at least 1")
    return args


# --- the venv ---------------------------------------------------------------

def run(cmd, **kw):
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, **kw)


def pip(venv, *args):
    r = run([os.path.join(venv, "bin", "python"), "-m", "pip", "install",
             "--disable-pip-version-check", "-q"] + list(args))
    if r.returncode != 0:
        sys.exit(f"export.py: pip install {' '.join(args)} failed (exit {r.returncode})")


def torch_import_error(venv):
    """None when `import torch, torchvision, transformers` works in the venv,
    else the error's last line."""
    r = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                        "import torch, torchvision, transformers"],
                       capture_output=True, text=True)
    if r.returncode == 0:
        return None
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    return lines[-1] if lines else f"exit {r.returncode}"


def torch_nvidia_requirements(venv):
    """The NVIDIA requirements in the installed torch's metadata, as pip specs."""
    code = ("import importlib.metadata as m\n"
            "for r in m.requires('torch') or []: print(r)")
    out = subprocess.run([os.path.join(venv, "bin", "python"), "-c", code],
                         capture_output=True, text=True, check=True).stdout
    specs = []
    for line in out.splitlines():
        req, _, marker = line.partition(";")
        if "extra ==" in marker:
            continue
        name = re.match(r"[A-Za-z0-9_.\-]+", req.strip()).group(0)
        if name.startswith("nvidia-") or name == "cuda-toolkit":
            specs.append(req.strip().replace(" ", ""))
    return specs


def ensure_venv(venv):
    start = time.monotonic()
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        r = run([sys.executable, "-m", "venv", venv])
        if r.returncode != 0:
            sys.exit(f"export.py: could not create the venv {venv}")
    err = torch_import_error(venv)
    if err is None:
        return
    print(f"export.py: setting up {venv} ({err})", flush=True)
    pip(venv, "--no-deps", f"torch=={TORCH}", f"torchvision=={TORCHVISION}")
    pip(venv, *PURE_DEPS)
    nvidia = torch_nvidia_requirements(venv)
    pinned = {re.match(r"[A-Za-z0-9_.\-]+", s).group(0): s for s in nvidia}
    err = torch_import_error(venv)
    if err is not None:
        # torch's metadata pins three of the four; nvidia-cufile comes
        # through cuda-toolkit's extras and is taken unpinned.
        minimal = [pinned.get(n, n) for n in LOAD_MINIMAL]
        print(f"export.py: torch does not import yet ({err}); installing "
              f"{', '.join(minimal)}", flush=True)
        pip(venv, "--no-deps", *minimal)
        err = torch_import_error(venv)
    if err is not None:
        print(f"export.py: torch still does not import ({err}); installing all "
              f"NVIDIA runtime wheels torch names: {', '.join(nvidia)}", flush=True)
        pip(venv, *nvidia)
        err = torch_import_error(venv)
    if err is not None:
        sys.exit(f"export.py: torch does not import in {venv}: {err}")
    print(f"export.py: venv ready in {time.monotonic() - start:.0f} s", flush=True)


# --- the export -------------------------------------------------------------

def calibrate_batch_norms(model, batch):
    """Sets every BatchNorm's running mean and variance to the statistics of
    one forward pass in training mode over `batch` N(0, 1) images. The weights
    stay torchvision's random init; only the normalisation changes, so that
    activations keep a trained network's scale instead of shrinking
    layer by layer (MobileNetV2's depthwise convs, initialised with
    fan_out = 9 * channels, would otherwise take its logits to ~1e-10, where
    Relu6's clipping is never reached and a numerical check proves little).
    The BatchNorms fold into the convolutions at export either way."""
    import torch

    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None  # a cumulative average: one batch sets the stats
    model.train()
    with torch.no_grad():
        model(torch.randn(batch, 3, 224, 224))


def export(name, args):
    import torch

    torch.manual_seed(args.seed)
    if name in ("resnet50", "resnet101", "mobilenet_v2"):
        import torchvision

        model = getattr(torchvision.models, name)(weights=None)
        if args.bn_calibration:
            calibrate_batch_norms(model, args.bn_calibration)
        model.eval()
        inputs = (torch.randn(1, 3, 224, 224),)
        input_names, output_names = ["input"], ["logits"]
    else:
        import transformers

        config = transformers.BertConfig()  # BERT-base: 12 layers, 768 wide, 12 heads
        config._attn_implementation = "eager"
        bert = transformers.BertModel(config).eval()

        class Bert(torch.nn.Module):
            """BertModel returning a plain tuple, for the exporter."""

            def __init__(self, bert):
                super().__init__()
                self.bert = bert

            def forward(self, input_ids, attention_mask, token_type_ids):
                out = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids, return_dict=True)
                return out.last_hidden_state, out.pooler_output

        model = Bert(bert).eval()
        shape = (1, args.seq_len)
        inputs = (torch.randint(0, config.vocab_size, shape, dtype=torch.int64),
                  torch.ones(shape, dtype=torch.int64),
                  torch.zeros(shape, dtype=torch.int64))
        input_names = ["input_ids", "attention_mask", "token_type_ids"]
        output_names = ["last_hidden_state", "pooler_output"]

    path = os.path.join(args.out_dir, name + ".onnx")
    start = time.monotonic()
    with torch.no_grad():
        torch.onnx.export(model, inputs, path, dynamo=False, opset_version=args.opset,
                          do_constant_folding=True, input_names=input_names,
                          output_names=output_names)
    import onnx

    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = {}
    for node in m.graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    print(f"{name}: {path} ({os.path.getsize(path) / 1e6:.1f} MB, "
          f"{len(m.graph.node)} nodes, {time.monotonic() - start:.1f} s); ops: "
          + ", ".join(f"{k} {v}" for k, v in sorted(ops.items())), flush=True)


def main():
    args = parse_args()
    venv = os.path.abspath(args.venv)
    inside = os.path.realpath(sys.prefix) == os.path.realpath(venv)
    if not inside:
        ensure_venv(venv)
        if args.setup_only:
            return 0
        os.execv(os.path.join(venv, "bin", "python"),
                 [os.path.join(venv, "bin", "python"), os.path.abspath(__file__)]
                 + sys.argv[1:])
    if args.setup_only:
        ensure_venv(venv)
        return 0
    import torch
    import torchvision
    import transformers

    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"transformers {transformers.__version__}", flush=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    os.makedirs(args.out_dir, exist_ok=True)
    for name in args.models:
        export(name, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
