#!/usr/bin/env bash
# webgpu-norm GPU measurement kit: runs the benchmark (Node, Dawn/Vulkan) against one Vulkan ICD
# and writes the results into an output folder. Needs only bash, gzip and tar (plus xz where the
# machine has no Vulkan loader of its own); no npm, no network.
#
#   ./run.sh <icd.json|auto> <out-dir> [bench options]
#   ./run.sh auto results                       # finds the GPU's driver (software ones passed over)
#   ./run.sh /usr/share/vulkan/icd.d/nvidia_icd.json results
#   ./run.sh auto results --ops layerNorm --shapes 128x768 --reps 5   # a quick check
#
# Writes <out-dir>/bench.json (every figure), bench.md (the report with its table), bench.svg
# (the chart), console.txt (what the terminal showed) and environment.txt (machine, driver, kit).
# Runs with --tune (KIT_TUNE=0 leaves it out). Ctrl-C or SIGTERM (a time limit) stops the run and
# keeps the cases measured so far.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
icd=$1
out=$2
shift 2
kit=$(cd "$(dirname "$0")" && pwd)
if [ "$icd" != auto ]; then
  [ -f "$icd" ] || { echo "run.sh: no ICD file $icd (look in /usr/share/vulkan/icd.d/ or /etc/vulkan/icd.d/, or pass auto)" >&2; exit 2; }
  icd=$(cd "$(dirname "$icd")" && pwd)/$(basename "$icd")
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Unpacked into a temporary folder: the kit folder may be read-only, and stays as it was shipped.
work=$(mktemp -d "${TMPDIR:-/tmp}/webgpu-norm-kit.XXXXXX")
trap 'rm -rf "$work"' EXIT
gzip -dc "$kit/node.gz" > "$work/node"
chmod +x "$work/node"
cp -R "$kit/app" "$kit/dist" "$kit/copy.wgsl" "$work/"
gzip -d "$work/app/node_modules/webgpu/dist/linux-x64/dawn.node.gz"

# The Vulkan loader: the machine's own if it has one, else Debian's libvulkan1 from the kit.
has_loader() {
  [ "${KIT_USE_BUNDLED_LOADER:-0}" = 1 ] && return 1
  if command -v ldconfig > /dev/null 2>&1 && ldconfig -p 2> /dev/null | grep -q 'libvulkan\.so\.1 '; then return 0; fi
  for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib /lib/x86_64-linux-gnu; do
    [ -e "$d/libvulkan.so.1" ] && return 0
  done
  return 1
}
loader="the machine's libvulkan.so.1"
if ! has_loader; then
  mkdir -p "$work/vulkan"
  "$work/node" "$work/app/unpack-deb.mjs" "$kit/libvulkan1.deb" "$work/vulkan"
  export LD_LIBRARY_PATH="$work/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  loader="libvulkan1 from the kit ($(cat "$kit/VERSION" | sed -n 's/.*Vulkan loader //p'))"
fi

# auto: the GPU's driver, found where the Vulkan loader looks and tried with Dawn (after the
# loader is in place; app/find-icd.mjs says how).
icd_found=""
if [ "$icd" = auto ]; then
  if ! icd=$("$work/node" "$work/app/find-icd.mjs" "$work" 2> "$work/find-icd.txt"); then
    cat "$work/find-icd.txt" >&2
    exit 2
  fi
  icd_found=" (auto; what it looked at:"$'\n'"$(cat "$work/find-icd.txt"))"
fi

# Both names: newer loaders read VK_DRIVER_FILES first, and a machine may have it set already.
export VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd"

{
  echo "date       $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "kit        $(cat "$kit/VERSION")"
  echo "icd        $icd$icd_found"
  echo "loader     $loader"
  echo "machine    $(uname -srm); $(nproc 2> /dev/null || echo '?') CPUs; load $(cut -d' ' -f1-3 /proc/loadavg 2> /dev/null || echo '?')"
  if command -v nvidia-smi > /dev/null 2>&1; then echo "nvidia-smi $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2> /dev/null | head -1)"; fi
  if command -v vulkaninfo > /dev/null 2>&1; then echo "vulkaninfo $(vulkaninfo --summary 2> /dev/null | grep -E 'deviceName|driverInfo' | head -2 | tr -s ' ' | tr '\n' ';')"; fi
} > "$out/environment.txt"
cat "$out/environment.txt"
echo

cd "$work"
# The selection rule against norm.tune() (the benchmark's --tune) unless KIT_TUNE=0: on a GPU the
# rule's branch is reasoned, not measured, and this is where it gets measured.
tune=(--tune)
[ "${KIT_TUNE:-1}" = 0 ] && tune=()
status=0
# Ctrl-C, or the SIGTERM of a time limit, reaches every process of the group: only the benchmark
# acts on it (it stops and writes what it measured); tee and this script carry on to the end.
trap '' INT TERM
"$work/node" "$work/app/bench.mjs" --runtime node ${tune[@]+"${tune[@]}"} --json "$out/bench.json" --markdown "$out/bench.md" --chart "$out/bench.svg" "$@" 2>&1 | tee "$out/console.txt" || status=$?
echo
echo "run.sh: results in $out (send the whole folder back)"
exit "$status"
