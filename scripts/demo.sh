#!/usr/bin/env bash
#===- scripts/demo.sh - Build Lathe and run its main job on an example ----===#
#
# Usage: scripts/demo.sh
#
# Builds the tools (scripts/build.sh) and shows what this version of Lathe
# does: its version, lathe-opt's registered dialects, and a bundled nn model
# (examples/nn/residual_block.mlir) parsed, shape-checked and printed back.
# Once the ONNX importer and CPU code generation land, this compiles and runs
# a bundled ONNX model instead.
#===----------------------------------------------------------------------===#
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LATHE_BUILD_DIR:-$root/build}"

"$root/scripts/build.sh" lathe lathe-opt

echo "== lathe --version"
"$build/bin/lathe" --version
echo
echo "== lathe --help"
"$build/bin/lathe" --help
echo
echo "== lathe-opt --help (first lines; the full list of passes follows them)"
"$build/bin/lathe-opt" --help | head -n 4
echo
echo "== lathe-opt examples/nn/residual_block.mlir (parsed, verified, printed)"
"$build/bin/lathe-opt" "$root/examples/nn/residual_block.mlir"
