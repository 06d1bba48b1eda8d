#!/bin/bash
# SPDX-License-Identifier: MIT
# On a GPU machine prepared with the device carry folder (.device/, see
# docs/nvidia.md): the samples natively on the GPU's Vulkan driver and
# through PearVisor (Mesa Venus -> PearVisor -> the same driver), side by side.
set -uo pipefail
source .device/env.sh >/dev/null
B=.device/bin
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
echo "== native"
VK_DRIVER_FILES=$NVIDIA_ICD VK_ICD_FILENAMES=$NVIDIA_ICD vulkaninfo --summary 2>/dev/null |
  grep -E 'deviceName|apiVersion|driverName' | head -3
echo "== through PearVisor"
PV_DEBUG=info $B/pearvisor-gpu run --icd "$NVIDIA_ICD" --venus-icd "$VENUS_ICD" -- \
  vulkaninfo --summary 2>&1 | grep -E 'deviceName|apiVersion|driverName|shared as|error' | head -8
status=0
for s in saxpy reduction image-filter coherence; do
  n=$(VK_DRIVER_FILES=$NVIDIA_ICD VK_ICD_FILENAMES=$NVIDIA_ICD $B/pv-$s 2>&1)
  v=$($B/pearvisor-gpu run --icd "$NVIDIA_ICD" --venus-icd "$VENUS_ICD" -- $B/pv-$s 2>&1)
  nh=$(grep -o 'output hash [0-9a-f]*' <<<"$n")
  vh=$(grep -o 'output hash [0-9a-f]*' <<<"$v")
  echo "== $s"
  echo "native:    $(grep -E '^device|OK|FAILED' <<<"$n" | tr '\n' ' ') $nh"
  echo "PearVisor: $(grep -E '^device|OK|FAILED' <<<"$v" | tr '\n' ' ') $vh"
  if [ -n "$nh" ] && [ "$nh" = "$vh" ] && grep -q ': OK' <<<"$v"; then
    echo "identical: yes"
  else
    echo "identical: NO"; status=1
    echo "$v" | tail -20
  fi
done
exit $status
