#!/bin/bash
# SPDX-License-Identifier: MIT
# On a GPU machine prepared with the device carry folder (.device/, see
# docs/nvidia.md, with pearvisor-gpu, pv-bench-workload and pv-decode-bench
# copied into .device/bin): the bench on the GPU's Vulkan driver, natively and
# through PearVisor, and the decode microbenchmark.
set -uo pipefail
source .device/env.sh >/dev/null
B=.device/bin
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
nproc
date -u +%FT%TZ
$B/pearvisor-gpu bench --rounds "${ROUNDS:-5}" --icd "$NVIDIA_ICD" --venus-icd "$VENUS_ICD"
status=$?
$B/pv-decode-bench --seconds 3 fuzz/corpus/session/* ${PV_DECODE_EXTRA:-}
exit $status
