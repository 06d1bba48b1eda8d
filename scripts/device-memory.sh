#!/bin/bash
# SPDX-License-Identifier: MIT
# On a GPU machine prepared with the device carry folder (.device/, see
# docs/nvidia.md, with pearvisor-gpu and the samples in .device/bin): the
# memory types the guest is shown next to the host's, and a program's usual
# choice of mappable memory natively and through PearVisor.
set -uo pipefail
source .device/env.sh >/dev/null
B=.device/bin
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
types() { grep -A60 '^VkPhysicalDeviceMemoryProperties' | grep -E 'memoryTypes\[|heapIndex|propertyFlags'; }
echo "== memory types, native"
VK_DRIVER_FILES=$NVIDIA_ICD VK_ICD_FILENAMES=$NVIDIA_ICD vulkaninfo 2>/dev/null | types
echo "== memory types, through PearVisor"
$B/pearvisor-gpu run --icd "$NVIDIA_ICD" --venus-icd "$VENUS_ICD" -- vulkaninfo 2>/tmp/pv.log | types
grep -E 'warn|error' /tmp/pv.log | sort | uniq -c | head
echo "== scene"
for mode in native pv; do
  if [ $mode = native ]; then
    out=$(cd /tmp && VK_DRIVER_FILES=$NVIDIA_ICD VK_ICD_FILENAMES=$NVIDIA_ICD "$OLDPWD/$B/pv-scene" 2>&1)
  else
    out=$(cd /tmp && "$OLDPWD/$B/pearvisor-gpu" run --icd "$NVIDIA_ICD" --venus-icd "$VENUS_ICD" -- "$OLDPWD/$B/pv-scene" 2>&1)
  fi
  echo "$mode: $(grep -E 'hash|OK|FAILED' <<<"$out" | tr '\n' ' ')"
done
