#!/bin/bash
# SPDX-License-Identifier: MIT
# On a GPU machine prepared with the device carry folder (.device/, see
# docs/nvidia.md) and a second build of the renderer copied beside the first
# as .device/bin/pearvisor-gpu-before: pv-bench-workload's submission and
# GPU-bound metrics natively, through the build before and through this one,
# in turn, ROUNDS times (default 6), so that the three share the machine's
# state; then one matrix product through each build with --trace into $OUT
# (or /tmp), for the ring's sleeps, wake-ups and notifies.
set -uo pipefail
source .device/env.sh >/dev/null
B=.device/bin
ONLY=${ONLY:-submit_wait,saxpy,matmul}
OUT=${OUT:-/tmp}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
nproc
date -u +%FT%TZ

metrics() { awk '/^metric/ { printf "%s=%s ", $2, $3 } /^check/ && $3 != "ok" { printf "CHECK-%s ", $2 } END { print "" }'; }
native() { VK_DRIVER_FILES=$NVIDIA_ICD VK_ICD_FILENAMES=$NVIDIA_ICD "$@"; }
through() { local bin=$1; shift; "$bin" run --icd "$NVIDIA_ICD" --venus-icd "$VENUS_ICD" "$@"; }

for r in $(seq "${ROUNDS:-6}"); do
  echo "== round $r"
  echo "native:    $(native $B/pv-bench-workload --only "$ONLY" 2>/dev/null | metrics)"
  echo "before:    $(through $B/pearvisor-gpu-before -- $B/pv-bench-workload --only "$ONLY" 2>/dev/null | metrics)"
  echo "after:     $(through $B/pearvisor-gpu -- $B/pv-bench-workload --only "$ONLY" 2>/dev/null | metrics)"
done
for v in before after; do
  bin=$B/pearvisor-gpu; [ $v = before ] && bin=$B/pearvisor-gpu-before
  echo "== traced matrix product, $v: $(through $bin --trace "$OUT/ring-wake-$v.json" -- \
    $B/pv-bench-workload --only matmul 2>/dev/null | metrics)"
done
