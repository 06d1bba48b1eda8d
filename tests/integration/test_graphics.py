#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Graphics through PearVisor: pv-scene (render pass with 4x multisampling
and resolve, depth, a mipmapped texture made with blits, indexed and
indirect draws, an occlusion query) writes a PNG natively and through
PearVisor; the two must be the same pixel for pixel."""

import os
import tempfile

import pvtest
from pvtest import check

SAMPLES = os.environ.get('PV_SAMPLES_DIR', 'build/samples')
scene = os.path.join(SAMPLES, 'pv-scene')
out = tempfile.mkdtemp(prefix='pv-scene-')
native_png = os.path.join(out, 'native.png')
pv_png = os.path.join(out, 'pearvisor.png')

native = pvtest.run_native([scene, native_png])
venus = pvtest.run([scene, pv_png])
check(native.returncode == 0 and 'scene: OK' in native.stdout, 'pv-scene passes natively')
check(venus.returncode == 0 and 'scene: OK' in venus.stdout and
      'Virtio-GPU Venus' in venus.stdout, 'pv-scene passes through PearVisor')
if venus.returncode:
    print(venus.stdout[-2000:], venus.stderr[-3000:])
if os.path.exists(native_png) and os.path.exists(pv_png):
    a, b = pvtest.png_pixels(native_png), pvtest.png_pixels(pv_png)
    check(a[0] == 256 and a[1] == 256, 'the picture is 256x256 (%dx%d)' % (a[0], a[1]))
    distinct = len({a[3][y][x:x + 4] for y in range(0, 256, 8) for x in range(0, 1024, 32)})
    check(distinct > 20, 'the picture is not flat (%d distinct colours sampled)' % distinct)
    diff = pvtest.differing_pixels(a, b)
    check(diff == 0, 'the PNG through PearVisor matches the native one pixel for pixel '
          '(%d pixels differ)' % diff)
else:
    check(False, 'both PNGs were written')
check('guest error' not in venus.stderr, 'the renderer logged no guest error')
pvtest.finish()
