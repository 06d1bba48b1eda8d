#!/bin/bash
# SPDX-License-Identifier: MIT
# Installs what PearVisor GPU needs on Debian 12: the build tools, the Vulkan
# loader, headers and registry, vulkan-tools, and Mesa 25.0 from
# bookworm-backports (its Venus driver is the guest; its lavapipe the default
# host driver), and what the VM test builds QEMU and its guest from (QEMU's
# source package comes through deb-src of bookworm-backports), help2man
# (the man page), libsystemd-dev and systemd (socket activation of `serve`,
# and systemd-analyze to verify its units).  Idempotent:
# does nothing when everything is there.
set -euo pipefail

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

PACKAGES=(build-essential meson ninja-build pkg-config python3 libvulkan-dev vulkan-tools
          glslang-tools spirv-tools clang llvm libclang-rt-dev vulkan-validationlayers libpng-dev
          libegl-dev libgles-dev mesa-utils mesa-utils-bin xvfb x11-apps xauth
          ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-bad
          dpkg-dev libglib2.0-dev libpixman-1-dev libepoxy-dev libfdt-dev zlib1g-dev
          python3-venv flex bison cpio kmod xz-utils busybox-static seabios
          help2man systemd)
# from bookworm-backports, to match its Mesa (libdrm) or QEMU 10.0
BACKPORTS=(libsdl2-dev libdrm-dev python3-pycotap qemu-system-data)

need=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
need_bpo=()
for p in "${BACKPORTS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need_bpo+=("$p")
done
has_src=false
grep -rqs '^deb-src .*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ &&
  has_src=true
mesa_ok=false
if dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q '^25\.0'; then
  mesa_ok=true
fi
# libsystemd-dev (socket activation of `serve`) must be the version of the
# libsystemd0 already there: bookworm's, or bookworm-backports' where
# something pulled that in
has_libsystemd_dev=false
dpkg -s libsystemd-dev >/dev/null 2>&1 && has_libsystemd_dev=true
if [ ${#need[@]} -eq 0 ] && [ ${#need_bpo[@]} -eq 0 ] && $mesa_ok && $has_src &&
   $has_libsystemd_dev; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# bookworm-backports comes from the mirror this machine already uses for
# bookworm itself (one-line or deb822 sources).
debian_mirror() {
  { grep -hs '^deb .* bookworm ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
      awk '{print $2}'
    grep -hs -A3 '^URIs:' /etc/apt/sources.list.d/*.sources |
      awk '/^URIs:/ {uri=$2} /^Suites:.* bookworm( |$)/ {print uri}'
  } | grep -v security | head -n1
}
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  mirror=$(debian_mirror)
  if [ -z "$mirror" ]; then
    echo "setup: no bookworm apt source found to take bookworm-backports from" >&2
    exit 1
  fi
  echo "deb $mirror bookworm-backports main" |
    $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
fi
if ! $has_src; then
  mirror=$(debian_mirror)
  [ -n "$mirror" ] && echo "deb-src $mirror bookworm-backports main" |
    $SUDO tee /etc/apt/sources.list.d/bookworm-backports-src.list >/dev/null
fi
$SUDO apt-get update -qq
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ${#need_bpo[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports \
    "${need_bpo[@]}" >/dev/null
fi
if ! $has_libsystemd_dev; then
  $SUDO apt-get install -y -qq --no-install-recommends \
    "libsystemd-dev=$(dpkg-query -W -f='${Version}' libsystemd0)" >/dev/null
fi
if ! $mesa_ok; then
  $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports \
    mesa-vulkan-drivers >/dev/null
fi
dpkg-query -W -f='mesa-vulkan-drivers ${Version}\n' mesa-vulkan-drivers
