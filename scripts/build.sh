#!/usr/bin/env bash
#===- scripts/build.sh - Bootstrap, configure and build Lathe --------------===#
#
# Usage: scripts/build.sh [ninja targets...]
#
# Installs what is missing (scripts/bootstrap.sh), configures build/ with
# clang-19, lld and ccache on first use, then builds the given targets (all
# by default) with ninja -j2.
#
# Environment:
#   LATHE_BUILD_DIR   build tree (default: build/ at the repo root)
#   LATHE_JOBS        parallel jobs (default: 2)
#===----------------------------------------------------------------------===#
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LATHE_BUILD_DIR:-$root/build}"

"$root/scripts/bootstrap.sh"

if [[ ! -f "$build/build.ninja" ]]; then
  # Python of the project venv: lit and the end-to-end tests run on it.
  cmake -G Ninja -S "$root" -B "$build" \
    -DPython3_EXECUTABLE="$root/.venv/bin/python" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DLLVM_USE_LINKER=lld
fi
ninja -C "$build" -j "${LATHE_JOBS:-2}" "$@"
