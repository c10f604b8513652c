#!/usr/bin/env bash
#===- scripts/demo.sh - Build Lathe and run its main job on an example ----===#
#
# Usage: scripts/demo.sh
#
# Builds Lathe (scripts/build.sh), writes the bundled example model (a small
# CNN, examples/models/make_small_cnn.py) to build/examples/small_cnn.onnx,
# then shows the main job on it:
#   - lathe inspect: ops, shapes, parameters and FLOPs;
#   - lathe compile: a shared library and C header for the host;
#   - lathe run --bench: outputs (written as .npy) and median latency;
#   - ONNX Runtime's median latency on the same model, one thread, as a peer.
#===----------------------------------------------------------------------===#
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LATHE_BUILD_DIR:-$root/build}"
python="$root/.venv/bin/python"
out="$build/examples"

"$root/scripts/build.sh" lathe lathe-opt lathe-runtime host_app

mkdir -p "$out"
model="$out/small_cnn.onnx"
"$python" "$root/examples/models/make_small_cnn.py" "$model"

echo "== lathe --version"
"$build/bin/lathe" --version
echo
echo "== lathe inspect $model"
"$build/bin/lathe" inspect "$model"
echo
echo "== lathe compile $model -o $out/small_cnn.so"
"$build/bin/lathe" compile "$model" -o "$out/small_cnn.so"
ls -l "$out/small_cnn.so" "$out/small_cnn.h"
echo
echo "== lathe run $model --bench 100 --output-dir $out/outputs"
"$build/bin/lathe" run "$model" --bench 100 --output-dir "$out/outputs"
echo
echo "== the same model under ONNX Runtime (1 thread)"
"$python" "$root/bench/ort_latency.py" "$model" --runs 100
