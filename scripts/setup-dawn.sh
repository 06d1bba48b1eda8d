#!/bin/bash
# SPDX-License-Identifier: MIT
# Dawn (Chromium's WebGPU engine) for the third-party test: the npm package
# "webgpu" (Dawn's Node.js binding, prebuilt), pinned, into .cache/dawn.
# Node.js and npm come from Debian where the machine has none.  A failure
# here is not fatal: the test then says it could not run Dawn.
set -uo pipefail
cd "$(dirname "$0")/.."
DAWN_VERSION=0.6.2
dir=.cache/dawn
[ -f "$dir/node_modules/webgpu/package.json" ] &&
   grep -q "\"version\": \"$DAWN_VERSION\"" "$dir/node_modules/webgpu/package.json" && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
   DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      nodejs npm >/dev/null || exit 0
fi
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --silent "webgpu@$DAWN_VERSION" ||
   echo "setup-dawn: npm could not install webgpu@$DAWN_VERSION; the Dawn test will say so"
exit 0
