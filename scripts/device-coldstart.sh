#!/bin/bash
# SPDX-License-Identifier: MIT
# New programs through PearVisor, each a new guest process, on a host driver
# given by its ICD manifest (default: the GPU's, from the device carry folder
# .device/; LOCAL=1 PV_ICD=... on this machine): what the server loads for
# its client processes (the first spare's driver libraries), that loading
# them started no thread and opened no device file in the server, and the
# cost of a new program natively and through PearVisor side by side
# (pv-bench-workload's create and programs metrics).
set -uo pipefail
if [ -z "${LOCAL:-}" ]; then
  source .device/env.sh >/dev/null
  B=.device/bin
  W=$B/pv-bench-workload
  ICD=${PV_ICD:-$NVIDIA_ICD}
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
else
  B=build
  W=build/bench/pv-bench-workload
  ICD=${PV_ICD:-/usr/share/vulkan/icd.d/lvp_icd.json}
  VENUS_ICD=${PV_VENUS_ICD:-/usr/share/vulkan/icd.d/virtio_icd.json}
fi
nproc
date -u +%FT%TZ
dir=$(mktemp -d)
sock=$dir/vtest.sock
PV_DEBUG=info,vtest $B/pearvisor-gpu serve --socket "$sock" --icd "$ICD" 2>"$dir/serve.log" &
server=$!
for _ in $(seq 600); do grep -q 'loaded for later processes' "$dir/serve.log" && break; sleep 0.1; done
echo "== the server after the first spare's ready"
grep -o 'preloaded .*for the client processes' "$dir/serve.log"
grep -o 'host driver librar.*' "$dir/serve.log"
echo "threads: $(ls /proc/$server/task | wc -l)"
echo "descriptors: $(ls -l /proc/$server/fd | awk 'NR>1 {print $NF}' | sort | uniq -c | tr '\n' ';')"
echo "device files open: $(ls -l /proc/$server/fd | grep '/dev/' | grep -vc '/dev/null' || true)"
guest() {
  VK_DRIVER_FILES=$VENUS_ICD VK_ICD_FILENAMES=$VENUS_ICD VN_DEBUG=vtest VTEST_SOCKET_NAME=$sock "$@"
}
echo "== vulkaninfo through it"
guest vulkaninfo --summary 2>&1 | grep -E 'deviceName|apiVersion' | head -2
status=0
for round in 1 2 3; do
  echo "== round $round"
  n=$(VK_DRIVER_FILES=$ICD VK_ICD_FILENAMES=$ICD $W --only create,programs 2>&1)
  v=$(guest $W --only create,programs 2>&1)
  echo "native:    $(grep -E '^metric|FAIL' <<<"$n" | awk '{print $2, $3}' | tr '\n' ' ')"
  echo "PearVisor: $(grep -E '^metric|FAIL' <<<"$v" | awk '{print $2, $3}' | tr '\n' ' ')"
  grep -q 'check programs_ran ok' <<<"$v" || status=1
done
kill $server; wait $server 2>/dev/null
echo "== served: $(grep -c 'served by spare' "$dir/serve.log") by a spare, $(grep -c 'served by pid' "$dir/serve.log") by a new process, $(grep -c 'which served client' "$dir/serve.log") by a lingering one; errors: $(grep -c -E 'error|ended with signal' "$dir/serve.log")"
grep -E 'error|signal' "$dir/serve.log" | head -5
rm -rf "$dir"
exit $status
