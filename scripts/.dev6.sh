bash scripts/device-timeline.sh
source .device/env.sh >/dev/null
B=.device/bin
for i in 1 2; do echo "$($B/pearvisor-gpu run --icd $NVIDIA_ICD --venus-icd $VENUS_ICD -- $B/pv-bench-workload --only roundtrip,upload,submit_wait 2>&1 | grep -E 'metric' | tr '\n' ' ')"; done
echo "native: $(VK_DRIVER_FILES=$NVIDIA_ICD $B/pv-bench-workload --only roundtrip,upload,submit_wait 2>&1 | grep metric | tr '\n' ' ')"
