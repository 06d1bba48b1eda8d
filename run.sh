#!/bin/bash
# SPDX-License-Identifier: MIT
# ./run.sh [PROGRAM [ARGS...]]
# Sets up a fresh Debian 12 machine, builds PearVisor GPU, and runs PROGRAM
# (default: vulkaninfo) on Mesa's Venus driver through PearVisor onto the
# host's Vulkan driver: lavapipe unless PV_ICD names another ICD manifest.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
scripts/build.sh build
icd=${PV_ICD:-/usr/share/vulkan/icd.d/lvp_icd.json}
[ $# -gt 0 ] || set -- vulkaninfo
exec build/pearvisor-gpu run --icd "$icd" -- "$@"
