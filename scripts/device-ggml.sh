#!/bin/bash
# SPDX-License-Identifier: MIT
# On a GPU machine prepared with the device carry folder, with
# test-backend-ops (scripts/ggml-vulkan.sh build) in .device/bin: ggml's
# Vulkan backend per operator natively and through PearVisor, then MUL_MAT
# throughput at a 7B model layer's shapes.  Full outputs go to $1.
# GGML_OPS: the operators to test (all of the list below by default); PERF=0
# skips the MUL_MAT throughput runs; T: seconds a test run may take.
# LOCAL=1: this machine's build (pearvisor-gpu from build/, test-backend-ops
# from GGML_BIN) on lavapipe instead.
set -uo pipefail
if [ -z "${LOCAL:-}" ]; then
   source .device/env.sh >/dev/null
   B=.device/bin
   PV=$B/pearvisor-gpu GGML=$B/test-backend-ops
else
   NVIDIA_ICD=${ICD:-/usr/share/vulkan/icd.d/lvp_icd.json}
   VENUS_ICD=${PV_VENUS_ICD:-/usr/share/vulkan/icd.d/virtio_icd.json}
   PV=build/pearvisor-gpu GGML=${GGML_BIN:?GGML_BIN: the test-backend-ops to run}
   # lavapipe counts as a CPU device, which ggml skips unless named
   export GGML_VK_VISIBLE_DEVICES=0
fi
out=${1:-/tmp/ggml}
mkdir -p "$out"
ops=${GGML_OPS:-ADD MUL SOFT_MAX ROPE RMS_NORM GET_ROWS CPY SWIGLU SILU SET_ROWS CONT MUL_MAT MUL_MAT_ID FLASH_ATTN_EXT}
run() { # mode label args...
   local mode=$1 label=$2
   shift 2
   if [ "$mode" = native ]; then
      VK_DRIVER_FILES=$NVIDIA_ICD VK_ICD_FILENAMES=$NVIDIA_ICD timeout "${T:-60}" "$GGML" "$@"
   else
      timeout "${T:-60}" "$PV" run --icd "$NVIDIA_ICD" --venus-icd "$VENUS_ICD" -- \
         "$GGML" "$@"
   fi >"$out/$label-$mode.txt" 2>&1
   echo "rc=$?" >>"$out/$label-$mode.txt"
}
for mode in native pv; do
   [ "${PERF:-1}" = 0 ] && break
   T=${TPERF:-120} run $mode perf-mul_mat perf -b Vulkan0 -o MUL_MAT -p 'm=4096,n=(1|512),k=14336'
   echo "== MUL_MAT perf $mode"
   grep -E 'MUL_MAT|rc=' "$out/perf-mul_mat-$mode.txt" | head -40
done
for op in $ops; do
   for mode in native pv; do
      t0=$(date +%s%N)
      run $mode "test-$op" test -b Vulkan0 -o "$op"
      t=$(( ($(date +%s%N) - t0) / 1000000 ))
      f=$out/test-$op-$mode.txt
      printf '%-15s %-6s %6d ms %4d ok %d failed %s\n' "$op" "$mode" "$t" \
         "$(grep -c OK "$f")" "$(grep -c FAIL "$f")" "$(tail -1 "$f")"
   done
done
