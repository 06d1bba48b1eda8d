#!/bin/bash
# SPDX-License-Identifier: MIT
# ggml's Vulkan backend (the engine of llama.cpp) natively and through
# PearVisor, side by side.
#
#   scripts/ggml-vulkan.sh build SRC OUT   builds test-backend-ops (static, stripped) from a
#                                          ggml source tree (tag v0.9.4 was used) into OUT
#   scripts/ggml-vulkan.sh run BIN ICD [PEARVISOR VENUS_ICD] [ARGS...]
#                                          runs BIN (test-backend-ops) on ICD natively, then
#                                          through PEARVISOR with Mesa's Venus ICD
#
# Debian 12's Vulkan headers (1.3.239) predate the vk::detail namespace that
# ggml v0.9.x uses; upstream's own fix (ggml commit 2d972e8e, "make
# ggml_vk_default_dispatcher support older vulkan headers") is applied from
# the source tree's history when the tree lacks it.
set -euo pipefail
cmd=${1:?build or run}
shift
case $cmd in
build)
   src=$(cd "${1:?SRC}" && pwd)
   out=${2:?OUT}
   fix=2d972e8ea43b41dbfd4d7ff6aa429c74ee0f041e
   if ! grep -q 'VK_HEADER_VERSION >= 301' "$src/src/ggml-vulkan/ggml-vulkan.cpp"; then
      git -C "$src" show "$fix" -- src/ggml-vulkan/ggml-vulkan.cpp | git -C "$src" apply
   fi
   cmake -S "$src" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_VULKAN=ON \
      -DGGML_BUILD_TESTS=ON -DGGML_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF \
      -DGGML_NATIVE=OFF >/dev/null
   ninja -C "$out" test-backend-ops
   strip "$out/bin/test-backend-ops"
   ls -l "$out/bin/test-backend-ops"
   ;;
run)
   bin=${1:?BIN}
   icd=${2:?ICD}
   shift 2
   pv= venus=
   if [ $# -ge 2 ] && [ -x "$1" ]; then
      pv=$1 venus=$2
      shift 2
   fi
   # lavapipe counts as a CPU device, which ggml skips unless named
   export GGML_VK_VISIBLE_DEVICES=0
   echo "== native ($icd)"
   VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd "$bin" "$@"
   if [ -n "$pv" ]; then
      echo "== through PearVisor"
      "$pv" run --icd "$icd" ${venus:+--venus-icd "$venus"} -- "$bin" "$@"
   fi
   ;;
*)
   echo "usage: $0 build SRC OUT | run BIN ICD [PEARVISOR VENUS_ICD] [ARGS...]" >&2
   exit 2
   ;;
esac
