#!/bin/bash
# SPDX-License-Identifier: MIT
# scripts/build.sh [DIR [MESON OPTIONS...]]: configure once, then build.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null
