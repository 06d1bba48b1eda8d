#!/bin/bash
# SPDX-License-Identifier: MIT
# Gets what the VM test needs into CACHE (kept between runs):
#   CACHE/qemu      QEMU 10.0 from Debian's source package (bookworm-backports),
#                   built for x86_64 against PearVisor's libvirglrenderer
#   CACHE/kernel    Debian's bookworm-backports kernel, unpacked
#
#   tests/vm/prepare.sh CACHE PKG_CONFIG_DIR
#
# PKG_CONFIG_DIR holds PearVisor's virglrenderer .pc file (a build's
# meson-uninstalled directory, or an installed prefix's).  The Debian
# packages it builds with are installed by scripts/setup.sh.  Exit status 77
# means something could not be fetched or built (the test is skipped); the
# line "vm-prepare: SKIP: ..." says what.
set -uo pipefail
CACHE=$1
PCDIR=$2
log() { echo "vm-prepare: $*"; }
skip() { echo "vm-prepare: SKIP: $*"; exit 77; }
mkdir -p "$CACHE" && cd "$CACHE" || skip "cannot make the cache directory $CACHE"

# meson >= 1.5 for QEMU 10, unpacked beside it: the system keeps its own
if [ ! -d meson/usr/lib/python3/dist-packages/mesonbuild ]; then
  log "fetching meson from bookworm-backports"
  rm -rf meson-deb meson && mkdir -p meson-deb
  (cd meson-deb && apt-get download -qq meson/bookworm-backports) ||
    skip "cannot fetch meson from bookworm-backports (QEMU 10 needs meson >= 1.5)"
  dpkg -x meson-deb/meson_*.deb meson || skip "cannot unpack meson's package"
fi

if [ ! -x qemu/build/qemu-system-x86_64 ]; then
  log "fetching QEMU's Debian source package"
  rm -rf qemu-src qemu && mkdir -p qemu-src
  # the upstream tarball of the package is what is built; apt may fail to
  # fetch the Debian packaging beside it, which is not needed here
  (cd qemu-src && apt-get source -qq --download-only qemu/bookworm-backports >/dev/null 2>&1)
  tarball=$(ls qemu-src/qemu_*.orig.tar.xz 2>/dev/null | head -1)
  [ -n "$tarball" ] ||
    skip "cannot fetch QEMU's source (is deb-src for bookworm-backports enabled?)"
  mkdir -p qemu && tar -xf "$tarball" -C qemu --strip-components=1 ||
    skip "cannot unpack QEMU's source ($tarball)"
  # Debian's tarball leaves out the prebuilt firmware images; the test boots
  # with SeaBIOS and QEMU's option ROMs from Debian's packages instead
  sed -i 's/unpack_edk2_blobs = bzip2.found()/unpack_edk2_blobs = false/' qemu/meson.build
  log "building QEMU (x86_64, SDL with OpenGL, virglrenderer = PearVisor)"
  mkdir -p qemu/build
  (cd qemu/build &&
   PYTHONPATH="$CACHE/meson/usr/lib/python3/dist-packages" PKG_CONFIG_PATH="$PCDIR" \
   ../configure --target-list=x86_64-softmmu --enable-virglrenderer --enable-opengl \
     --enable-sdl --disable-docs --disable-werror --disable-install-blobs \
     --python=/usr/bin/python3 >configure.log 2>&1 &&
   ninja qemu-system-x86_64 >build.log 2>&1) ||
    { tail -20 qemu/build/*.log; skip "QEMU did not build (the end of its log is above)"; }
fi

if [ ! -f kernel/vmlinuz ]; then
  log "fetching the bookworm-backports kernel"
  rm -rf kernel-deb kernel && mkdir -p kernel-deb kernel
  pkg=$(apt-cache depends linux-image-amd64/bookworm-backports 2>/dev/null |
        awk '/Depends: linux-image-/ {print $2; exit}')
  [ -n "$pkg" ] || skip "apt knows no bookworm-backports kernel (linux-image-amd64)"
  (cd kernel-deb && apt-get download -qq "$pkg/bookworm-backports") ||
    skip "cannot fetch the guest kernel ($pkg from bookworm-backports)"
  dpkg -x kernel-deb/*.deb kernel/root || skip "cannot unpack the guest kernel's package"
  cp kernel/root/boot/vmlinuz-* kernel/vmlinuz || skip "no vmlinuz in the kernel's package"
  ls -d kernel/root/lib/modules/* | head -1 >kernel/modules-dir
fi
log "ready"
