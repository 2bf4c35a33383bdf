#!/usr/bin/env bash
# The real-GPU measurement in one command on a GPU machine lent for a few minutes (this project's
# `device` tool; any machine that gets a copy of the repository and the built kit will do). The
# machine needs no npm and no network: the kit brings node, Dawn and the Vulkan loader.
#
# Here, first:   npm run kit            (builds bench-results/gpu-kit, about 44 MiB)
# There, from the repository root, with bench-results/gpu-kit carried along:
#                bash tools/gpu-kit/device-check.sh
#
# 1. A quick check (LayerNorm f32 at 128x768) finds the driver (run.sh auto) and proves the kit
#    runs, so a machine without a usable Vulkan driver costs seconds: it then prints what it found
#    (ICD files, libraries, nvidia-smi) and stops.
# 2. The full default run with --tune into $OUT/gpu (or ./gpu-results without $OUT): bench.json,
#    bench.md, bench.svg, console.txt, environment.txt. It is stopped by SIGTERM before
#    KIT_BUDGET_S seconds (default 480) have passed since the start, and then keeps the cases
#    measured so far, as a partial run.
#
# Its output ends with the report's summary lines, so the tail of the terminal alone says how the
# GPU did. Exit status: the full run's (0: every case within tolerance; 124: stopped by the time
# limit, with what it measured kept).
set -uo pipefail

kit=bench-results/gpu-kit
out=${OUT:-$PWD/gpu-results}/gpu
budget=${KIT_BUDGET_S:-480}
start=$(date +%s)

if [ ! -x "$kit/run.sh" ]; then
  echo "device-check: $kit/run.sh is missing: run \`npm run kit\` first and carry $kit to this machine" >&2
  exit 2
fi

diagnose() {
  echo "== what this machine has"
  for d in /usr/local/nvidia/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d /usr/share/vulkan/icd.d; do
    [ -d "$d" ] && { echo "$d:"; ls -l "$d"; }
  done
  if command -v ldconfig > /dev/null 2>&1; then ldconfig -p | grep -E 'libvulkan|libGLX_nvidia|libnvidia-(glcore|gpucomp|glvkspirv)' || echo "ldconfig: no Vulkan loader or NVIDIA graphics libraries"; fi
  ls /usr/local/nvidia/lib64 2> /dev/null | grep -E 'GLX|vulkan|glcore|gpucomp|glvkspirv' || true
  command -v nvidia-smi > /dev/null 2>&1 && nvidia-smi -L
}

echo "== quick check: LayerNorm f32 128x768"
quick=$(mktemp -d)
timeout -k 10 120 bash "$kit/run.sh" auto "$quick" --ops layerNorm --dtype f32 --shapes 128x768 --reps 5 > "$quick/log.txt" 2>&1
status=$?
tail -n 40 "$quick/log.txt"
if [ "$status" -ne 0 ]; then
  echo "device-check: the quick check failed (status $status)" >&2
  diagnose
  exit "$status"
fi

left=$((budget - ($(date +%s) - start)))
echo
echo "== full run with --tune into $out (stopped after ${left} s at the latest)"
mkdir -p "$out"
timeout -s TERM -k 30 "$left" bash "$kit/run.sh" auto "$out" > "$quick/full.txt" 2>&1
status=$?
# The per-case lines are in console.txt; here the summary: targets, the rule against tune(), timing.
sed -n '/^per op, against the targets:/,$p' "$out/console.txt" 2> /dev/null || tail -n 60 "$quick/full.txt"
echo "device-check: full run status $status; files in $out"
exit "$status"
