"""Compiles every model of test/e2e/models.py for sm_80 and sm_90 with
`lathe compile --emit=ptx` and assembles each PTX module with ptxas for its
chip, printing one line per model and chip:

    <model> <chip>: <N> kernels, ptxas OK

or the compiler's or ptxas's messages and a nonzero exit code.

usage: check_ptx.py LATHE PTXAS MODELS_PY WORKDIR
"""

import re
import subprocess
import sys
from pathlib import Path


def run(args):
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"FAILED: {' '.join(map(str, args))}\n{result.stdout}"
              f"{result.stderr}")
    return result.returncode == 0


def main(argv):
    if len(argv) != 5:
        print(__doc__)
        return 2
    lathe, ptxas, models_py, workdir = argv[1:]
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    names = subprocess.run([sys.executable, models_py, "--list"],
                           capture_output=True, text=True,
                           check=True).stdout.split()
    ok = True
    for name in names:
        onnx = work / f"{name}.onnx"
        if not run([sys.executable, models_py, name, onnx]):
            ok = False
            continue
        for chip in ("sm_80", "sm_90"):
            ptx = work / f"{name}.{chip}.ptx"
            cubin = work / f"{name}.{chip}.cubin"
            if not run([lathe, "compile", onnx, f"--target={chip}",
                        "--emit=ptx", "-o", ptx]):
                ok = False
                continue
            text = ptx.read_text()
            target = re.search(r"^\.target (\S+)", text, re.M)
            if not target or target.group(1) != chip:
                print(f"FAILED: {ptx} targets "
                      f"{target.group(1) if target else 'nothing'}")
                ok = False
                continue
            kernels = len(re.findall(r"^\.visible \.entry ", text, re.M))
            if not run([ptxas, f"-arch={chip}", ptx, "-o", cubin]):
                ok = False
                continue
            print(f"{name} {chip}: {kernels} kernels, ptxas OK")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
