#!/usr/bin/env bash
#===- scripts/bootstrap.sh - Install everything Lathe needs -----------------===#
#
# Installs the Debian packages listed in DESIGN.md and creates the Python venv
# (.venv, git-ignored) holding the test references (onnx, onnxruntime, numpy).
#
# Idempotent and quick when everything is present: apt-get runs only when a
# package is missing, pip only when requirements changed.
#
# Usage: scripts/bootstrap.sh [--no-venv]
#   --no-venv   skip the Python venv (the C++ build does not need it)
#
# Environment:
#   LATHE_SKIP_APT=1   never call apt-get (for machines you do not administer);
#                      missing packages are reported and the script fails.
#===----------------------------------------------------------------------===#
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_venv=1
for arg in "$@"; do
  case "$arg" in
    --no-venv) want_venv=0 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bootstrap: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

# Debian packages, grouped by what needs them (see DESIGN.md, Dependencies).
packages=(
  # build
  cmake ninja-build ccache git
  # IR, passes, codegen, JIT: LLVM/MLIR 19
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools clang-19 lld-19 libomp-19-dev
  # ONNX protobuf
  libonnx-dev libprotobuf-dev protobuf-compiler
  # cost model, tuning database, text
  libxgboost-dev libsqlite3-dev libfmt-dev
  # tests
  libgtest-dev libgmock-dev
  # peers to measure against
  libopenblas-dev libhalide14-0-dev
  # ARM cross-compilation and emulation
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user
  # Python venv for test references
  python3-venv
)

missing=()
for p in "${packages[@]}"; do
  [[ "$p" == \#* ]] && continue
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "bootstrap: installing ${#missing[@]} Debian package(s): ${missing[*]}"
  if [[ "${LATHE_SKIP_APT:-0}" == 1 ]]; then
    echo "bootstrap: LATHE_SKIP_APT=1 is set; install them yourself" >&2
    exit 1
  fi
  sudo=""
  if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "bootstrap: all ${#packages[@]} Debian packages present"
fi

if ((want_venv)); then
  venv="$root/.venv"
  req="$root/scripts/requirements.txt"
  stamp="$venv/.lathe-requirements"
  # Debian's python3 (not a pyenv shim): its venv module is python3-venv above.
  py=/usr/bin/python3
  if [[ ! -x "$venv/bin/python" ]]; then
    echo "bootstrap: creating $venv"
    "$py" -m venv "$venv"
  fi
  if ! cmp -s "$req" "$stamp"; then
    echo "bootstrap: installing Python test references from $req"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
    cp "$req" "$stamp"
  else
    echo "bootstrap: venv up to date"
  fi
fi
