# -*- Python -*-
# lit configuration for Lathe's FileCheck tests. Test folders mirror the
# source tree (test/dialects/nn tests dialects/nn, ...).

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Lathe"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.lathe_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py", "unit", "Inputs"]

llvm_config.use_default_substitutions()

# No test reads or writes the user's tuning database: the default one
# (TuningDatabase::defaultPath, which lathe compile/run/bench/inspect read
# when it exists) lies under the test tree, and is absent unless a test
# makes it.
config.environment["XDG_CACHE_HOME"] = os.path.join(config.test_exec_root,
                                                    "xdg-cache")
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["lathe-opt", "lathe", "host_app", "npy-copy"],
    [config.lathe_tools_dir, config.llvm_tools_dir])

# %python: the project venv's Python (with onnx), for tests that build their
# inputs at test time (test/frontend/onnx/Inputs/make_models.py). It replaces
# lit's default %python, which is whatever Python runs lit.
config.substitutions = [s for s in config.substitutions if s[0] != "%python"]
config.substitutions.append(("%python", '"%s"' % config.python_executable))

# %lathe_lib: the JIT library (runtime/lathe.h) that test/e2e loads.
config.substitutions.append(
    ("%lathe_lib", os.path.join(config.lathe_obj_root, "lib", "liblathe.so")))
config.excludes += ["models.py", "check.py"]

# aarch64-cross: AArch64 programs can be linked (aarch64-linux-gnu-gcc) and
# run (qemu-aarch64), as scripts/bootstrap.sh installs them.
import shutil
if shutil.which("aarch64-linux-gnu-gcc") and shutil.which("qemu-aarch64"):
    config.available_features.add("aarch64-cross")

# ptxas: the CUDA toolkit's PTX assembler (/usr/local/cuda/bin, as
# scripts/bootstrap.sh expects it, or on PATH), which checks generated PTX.
ptxas = os.path.join(os.environ.get("CUDA_PATH", "/usr/local/cuda"), "bin",
                     "ptxas")
if not os.access(ptxas, os.X_OK):
    ptxas = shutil.which("ptxas")
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))

# cuda-device: an NVIDIA driver (libcuda.so.1) with at least one GPU, on
# which the GPU tests run the compiled models; without one they are
# reported UNSUPPORTED (test/e2e/gpu.test says why).
def _cuda_devices():
    import ctypes
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return 0
    count = ctypes.c_int(0)
    if cuda.cuInit(0) != 0 or cuda.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return 0
    return count.value
if _cuda_devices() > 0:
    config.available_features.add("cuda-device")
