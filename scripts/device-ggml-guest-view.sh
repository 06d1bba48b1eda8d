#!/bin/bash
# SPDX-License-Identifier: MIT
# ggml's MUL_MAT at a 7B layer's matrix-vector shape (m=4096 n=1 k=14336)
# three ways: natively, natively with the guest's device extension list
# (VK_LAYER_PEARVISOR_guest_view hiding what the native driver lists and a
# guest on PearVisor is not shown), and through PearVisor.  ggml picks its
# kernels from that list (docs/nvidia.md): native against guest view is what
# the guest driver's extension set costs, guest view against PearVisor is
# the renderer's cost.
#
# On a GPU machine prepared with the device carry folder (.device/, see
# docs/nvidia.md), with pearvisor-gpu, vulkaninfo and test-backend-ops
# (scripts/ggml-vulkan.sh build) in .device/bin, and the layer copied from a
# build into .device/layer beforehand:
#    mkdir -p .device/layer
#    cp build/bench/libpv_guest_view_layer.so build/bench/pv_guest_view_layer.json .device/layer/
# (GUEST_VIEW_LAYER=DIR: the layer's two files elsewhere.)  Then, from the
# repository root:
#    bash scripts/device-ggml-guest-view.sh OUT
#
# (a) vulkaninfo natively and through PearVisor; the device extensions the
#     first lists and the second does not are hidden (HIDE=EXT,EXT: those
#     instead), and vulkaninfo through the layer must show the native list
#     less exactly those;
# (b) test-backend-ops perf -b Vulkan0 -o MUL_MAT, ROUNDS rounds (default 2)
#     of native, guest view, PearVisor in turn, T seconds at most a run
#     (default 300); TYPES='q4_0 q8_0' restricts the weight types;
# (c) a table per weight type: µs/run of each (the mean over the rounds),
#     native/pv and view/pv (µs over µs: PearVisor's throughput relative to
#     that mode, 1.00 as fast), then each round's values.
# Raw outputs go to OUT.  A second call with the same OUT adds its rounds to
# those there and tabulates them all (two calls of ROUNDS=1 make two rounds).
# LOCAL=1: this machine's build (pearvisor-gpu and the layer from build/,
# test-backend-ops from GGML_BIN) on lavapipe instead.
set -uo pipefail
if [ -z "${LOCAL:-}" ]; then
   source .device/env.sh >/dev/null
   B=.device/bin
   PV=$B/pearvisor-gpu GGML=$B/test-backend-ops
   layer=${GUEST_VIEW_LAYER:-.device/layer}
else
   NVIDIA_ICD=${ICD:-/usr/share/vulkan/icd.d/lvp_icd.json}
   VENUS_ICD=${PV_VENUS_ICD:-/usr/share/vulkan/icd.d/virtio_icd.json}
   PV=build/pearvisor-gpu GGML=${GGML_BIN:?GGML_BIN: the test-backend-ops to run}
   layer=${GUEST_VIEW_LAYER:-build/bench}
   # lavapipe counts as a CPU device, which ggml skips unless named
   export GGML_VK_VISIBLE_DEVICES=0
fi
if [ ! -f "$layer/pv_guest_view_layer.json" ] || [ ! -f "$layer/libpv_guest_view_layer.so" ]; then
   echo "no pv_guest_view_layer.json and libpv_guest_view_layer.so in $layer" >&2
   exit 2
fi
layer=$(cd "$layer" && pwd)
out=${1:-/tmp/ggml-guest-view}
mkdir -p "$out"
rounds=${ROUNDS:-2}

native() { VK_DRIVER_FILES=$NVIDIA_ICD VK_ICD_FILENAMES=$NVIDIA_ICD "$@"; }
guest_view() {
   VK_LAYER_PATH=$layer VK_INSTANCE_LAYERS=VK_LAYER_PEARVISOR_guest_view \
      PV_HIDE_DEVICE_EXTENSIONS=$hide native "$@"
}
pv() { "$PV" run --icd "$NVIDIA_ICD" --venus-icd "$VENUS_ICD" -- "$@"; }

# vulkaninfo's text output -> its first device's extension names, sorted
device_extensions() {
   awk '/^Device Extensions: count/ { listing = 1; next }
        listing && /^[[:space:]]*$/ { exit }
        listing && $1 ~ /^VK_/ { print $1 }' "$1" | sort -u
}

# (a) what the guest is not shown
native vulkaninfo >"$out/vulkaninfo-native.txt" 2>&1
pv vulkaninfo >"$out/vulkaninfo-pv.txt" 2>&1
device_extensions "$out/vulkaninfo-native.txt" >"$out/extensions-native.txt"
device_extensions "$out/vulkaninfo-pv.txt" >"$out/extensions-pv.txt"
if [ ! -s "$out/extensions-native.txt" ] || [ ! -s "$out/extensions-pv.txt" ]; then
   echo "vulkaninfo listed no device extension natively or through PearVisor: see $out/vulkaninfo-*.txt" >&2
   exit 1
fi
comm -23 "$out/extensions-native.txt" "$out/extensions-pv.txt" >"$out/extensions-not-in-guest.txt"
if [ -n "${HIDE:-}" ]; then
   tr -s ', ' '\n\n' <<<"$HIDE" | sed '/^$/d' | sort -u >"$out/extensions-hidden.txt"
else
   cp "$out/extensions-not-in-guest.txt" "$out/extensions-hidden.txt"
fi
hide=$(paste -sd, "$out/extensions-hidden.txt")
guest_view vulkaninfo >"$out/vulkaninfo-guest-view.txt" 2>&1
device_extensions "$out/vulkaninfo-guest-view.txt" >"$out/extensions-guest-view.txt"
echo "== device extensions: native $(wc -l <"$out/extensions-native.txt"), through PearVisor" \
   "$(wc -l <"$out/extensions-pv.txt"); the native driver lists" \
   "$(wc -l <"$out/extensions-not-in-guest.txt") the guest is not shown:"
sed 's/^/   /' "$out/extensions-not-in-guest.txt"
echo "   the guest is shown $(comm -13 "$out/extensions-native.txt" "$out/extensions-pv.txt" | wc -l)" \
   "the native driver does not list: $(comm -13 "$out/extensions-native.txt" \
   "$out/extensions-pv.txt" | paste -sd' ')"
[ -n "${HIDE:-}" ] && echo "   hidden instead (HIDE): $hide"
# the layer must take away exactly the hidden ones that the driver lists
expected=$(comm -23 "$out/extensions-native.txt" "$out/extensions-hidden.txt")
if [ "$expected" != "$(cat "$out/extensions-guest-view.txt")" ]; then
   echo "natively through the layer vulkaninfo lists $(wc -l <"$out/extensions-guest-view.txt")" \
      "device extensions, not the $(wc -l <<<"$expected") expected: is the layer in $layer" \
      "loaded? see $out/vulkaninfo-guest-view.txt" >&2
   exit 1
fi
echo "   natively through the layer: $(wc -l <"$out/extensions-guest-view.txt"), the native list less those"

# (b) the three ways in turn, round after round
filter='m=4096,n=1,k=14336'
if [ -n "${TYPES:-}" ]; then
   filter="type_a=($(tr -s ', ' '\n\n' <<<"$TYPES" | sed '/^$/d' | paste -sd'|')),type_b=f32,$filter"
fi
run_perf() { # mode round
   local f=$out/perf-$1-$2.txt t0=$(date +%s)
   case $1 in
   native) native timeout "${T:-300}" "$GGML" perf -b Vulkan0 -o MUL_MAT -p "$filter" ;;
   guest-view) guest_view timeout "${T:-300}" "$GGML" perf -b Vulkan0 -o MUL_MAT -p "$filter" ;;
   pv) timeout "${T:-300}" "$PV" run --icd "$NVIDIA_ICD" --venus-icd "$VENUS_ICD" -- \
          "$GGML" perf -b Vulkan0 -o MUL_MAT -p "$filter" ;;
   esac >"$f" 2>&1
   echo "rc=$?" >>"$f"
   printf '   round %d %-10s %3d cases %4d s %s\n' "$2" "$1" "$(grep -c 'us/run' "$f")" \
      $(($(date +%s) - t0)) "$(tail -1 "$f")"
}
first=1
while [ -e "$out/perf-native-$first.txt" ]; do
   first=$((first + 1))
done
echo "== test-backend-ops perf -b Vulkan0 -o MUL_MAT -p '$filter'"
for ((round = first; round < first + rounds; round++)); do
   for mode in native guest-view pv; do
      run_perf $mode $round
   done
done

# (c) the table, over every round in $out
echo "== ggml's device, as each way reports it"
for mode in native guest-view pv; do
   printf '   %-10s %s\n' "$mode" "$(grep -h -m1 'ggml_vulkan: 0 =' "$out/perf-$mode-1.txt")"
done
echo "== MUL_MAT m=4096 n=1 k=14336, µs/run (mean of the rounds in $out)"
awk '
   FNR == 1 {
      mode = FILENAME
      sub(/.*\/perf-/, "", mode)
      sub(/-[0-9]+\.txt$/, "", mode)
   }
   /us\/run/ && match($0, /type_a=[^,]+/) {
      type = substr($0, RSTART + 7, RLENGTH - 7)
      if (!(type in seen)) {
         seen[type] = 1
         order[++types] = type
      }
      for (i = 2; i <= NF; i++)
         if ($i == "us/run")
            us = $(i - 1)
      sum[type, mode] += us
      runs[type, mode]++
      each[type, mode] = each[type, mode] sprintf(" %.2f", us)
   }
   function mean(type, mode) {
      return runs[type, mode] ? sum[type, mode] / runs[type, mode] : 0
   }
   function ratio(a, b) {
      return a && b ? sprintf("%.3f", a / b) : "-"
   }
   END {
      printf "%-9s %10s %10s %10s %10s %8s  %s\n", "weights", "native", "guest view",
             "PearVisor", "native/pv", "view/pv", "rounds"
      for (t = 1; t <= types; t++) {
         type = order[t]
         n = mean(type, "native"); v = mean(type, "guest-view"); p = mean(type, "pv")
         printf "%-9s %10.2f %10.2f %10.2f %10s %8s  %d/%d/%d\n", type, n, v, p, ratio(n, p),
                ratio(v, p), runs[type, "native"], runs[type, "guest-view"], runs[type, "pv"]
      }
      print "per round, µs/run:"
      for (t = 1; t <= types; t++) {
         type = order[t]
         printf "%-9s native%s | guest view%s | PearVisor%s\n", type, each[type, "native"],
                each[type, "guest-view"], each[type, "pv"]
      }
   }' "$out"/perf-native-*.txt "$out"/perf-guest-view-*.txt "$out"/perf-pv-*.txt |
   tee "$out/table.txt"
