#!/bin/bash
# SPDX-License-Identifier: MIT
# Where an empty submit + fence wait spends its time through PearVisor: the
# renderer's own timeline (PV_DEBUG=time: for each batch of ring commands,
# how long after the previous one it arrived (summarised when the ring stops), i.e. the guest's wait and
# work, and how long the renderer ran it, decode and host calls included),
# beside the time the guest measured.  Usage: [LOCAL=1] [ICD=...] [VENUS=...] [ONLY=metric] $0
# (ONLY: the bench metric to take apart, default submit_wait; roundtrip is the other one
# whose time is mostly waiting)
# (LOCAL=1: this machine's build and lavapipe, even where .device exists)
set -uo pipefail
if [ -z "${LOCAL:-}" ] && [ -f .device/env.sh ]; then
   source .device/env.sh >/dev/null
   B=.device/bin
   ICD=${ICD:-$NVIDIA_ICD} VENUS=${VENUS:-$VENUS_ICD}
else
   B=build
   ICD=${ICD:-/usr/share/vulkan/icd.d/lvp_icd.json} VENUS=${VENUS:-}
fi
W=$B/pv-bench-workload
[ -x "$W" ] || W=$B/bench/pv-bench-workload
echo "native:    $(VK_DRIVER_FILES=$ICD VK_ICD_FILENAMES=$ICD "$W" --only "${ONLY:-submit_wait}" | grep metric)"
PV_DEBUG=time "$B/pearvisor-gpu" run --icd "$ICD" ${VENUS:+--venus-icd "$VENUS"} -- "$W" \
   --only "${ONLY:-submit_wait}" >/tmp/pv-timeline.txt 2>&1
echo "PearVisor: $(grep metric /tmp/pv-timeline.txt)"
grep -E 'batches of' /tmp/pv-timeline.txt | sed -E 's/^pearvisor\[[0-9]+\] //'
