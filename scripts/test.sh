#!/usr/bin/env bash
#===- scripts/test.sh - Build Lathe and run the whole test suite -----------===#
#
# Usage: scripts/test.sh
#
# Builds everything (scripts/build.sh), then runs both test runners even if
# the first fails:
#   1. lit: the FileCheck tests under test/ (lathe-opt and lathe),
#   2. ctest: the GoogleTest units under test/unit.
# Each runner prints its own summary; the last line adds them up as
# "lathe: N passed, N failed". Exits non-zero if anything failed.
#===----------------------------------------------------------------------===#
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LATHE_BUILD_DIR:-$root/build}"
lit=/usr/lib/llvm-19/build/utils/lit/lit.py
python="$root/.venv/bin/python"

start=$(date +%s)
if ! "$root/scripts/build.sh"; then
  echo "lathe: the build failed; no tests ran"
  exit 1
fi

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

echo "=== lit: FileCheck tests ==="
"$python" "$lit" -sv "$build/test" 2>&1 | tee "$log/lit.txt"
lit_rc=${PIPESTATUS[0]}

echo "=== ctest: GoogleTest units ==="
ctest --test-dir "$build" --output-on-failure -j "${LATHE_JOBS:-2}" 2>&1 |
  tee "$log/ctest.txt"
ctest_rc=${PIPESTATUS[0]}

# lit: "  Passed: 12 (100.00%)", "  Failed: 1 (...)", padded as "  Passed     :
# 92" when another outcome has a longer name (also Unresolved, XPass
# and Timed Out, which count as failures).
count() { grep -E "^ *$1 *: +[0-9]+" "$2" | awk '{s += $(NF-1)} END {print s+0}'; }
lit_pass=$(( $(count Passed "$log/lit.txt") + $(count "Expectedly Failed" "$log/lit.txt") ))
lit_fail=$(( $(count Failed "$log/lit.txt") + $(count Unresolved "$log/lit.txt") +
             $(count "Unexpectedly Passed" "$log/lit.txt") + $(count "Timed Out" "$log/lit.txt") ))
lit_skip=$(( $(count Unsupported "$log/lit.txt") + $(count Skipped "$log/lit.txt") ))
# ctest: "100% tests passed, 0 tests failed out of 23"
read -r ct_fail ct_total < <(sed -nE \
  's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\1 \2/p' \
  "$log/ctest.txt" | tail -1)
ct_fail=${ct_fail:-0}
ct_total=${ct_total:-0}
ct_skip=$(grep -cE '\*\*\*Skipped| Not Run' "$log/ctest.txt" || true)
ct_pass=$(( ct_total - ct_fail - ct_skip ))

passed=$(( lit_pass + ct_pass ))
failed=$(( lit_fail + ct_fail ))
skipped=$(( lit_skip + ct_skip ))
# A runner that failed without reporting a failed test still fails the run.
if (( lit_rc != 0 || ctest_rc != 0 )) && (( failed == 0 )); then failed=1; fi

echo "=== summary (lit: $lit_pass passed, $lit_fail failed; ctest: $ct_pass passed, $ct_fail failed; $(( $(date +%s) - start )) s) ==="
echo "lathe: $passed passed, $failed failed, $skipped skipped"
(( failed == 0 ))
