#!/bin/bash
# SPDX-License-Identifier: MIT
# On a GPU machine prepared with the device carry folder (.device/, see
# docs/nvidia.md) and a Dawn folder (.devdawn/: node.xz, the node binary
# compressed with xz, and webgpu.tar.xz, the npm package "webgpu" as
# scripts/setup-dawn.sh installs it): the Dawn (WebGPU) compute program of
# the third-party test natively on the GPU's Vulkan driver and through
# PearVisor, alternately, at several sizes.  Prints each run's result line
# and its whole time (process start to exit).
set -uo pipefail
source .device/env.sh >/dev/null
B=.device/bin
D=/tmp/dawn
mkdir -p $D
xz -dc .devdawn/node.xz > $D/node && chmod +x $D/node
tar -C $D -xJf .devdawn/webgpu.tar.xz
cp tests/integration/dawn/compute.mjs $D/
ROUNDS=${ROUNDS:-3}
status=0
one() { # label, then the command
  local label=$1; shift
  local t0 t1 out
  t0=$(date +%s%N)
  # dawn.node 0.6.2 can hang, abort or crash in its own event processing
  # when one wait takes long, natively too (docs/nvidia.md): a bounded run
  out=$(timeout 60 "$@" 2>&1)
  local rc=$?
  t1=$(date +%s%N)
  [ $rc = 124 ] && out="$out
timed out after 60 s"
  printf '%-10s %6.1f ms  %s\n' "$label" "$(( (t1 - t0) / 100000 ))e-1" \
    "$(grep -E 'adapter|dawn-compute|timed out|killed|Abort|futex|terminate' <<<"$out" | tr '\n' ' ')"
  grep -q 'dawn-compute: OK' <<<"$out" || { status=1; echo "$out" | tail -15; }
}
for size in ${SIZES:-14 20 24}; do
  echo "== 2^$size values"
  for r in $(seq "$ROUNDS"); do
    one native env VK_DRIVER_FILES="$NVIDIA_ICD" VK_ICD_FILENAMES="$NVIDIA_ICD" \
      $D/node $D/compute.mjs "$size"
    one PearVisor $B/pearvisor-gpu run --icd "$NVIDIA_ICD" --venus-icd "$VENUS_ICD" -- \
      $D/node $D/compute.mjs "$size"
  done
done
exit $status
