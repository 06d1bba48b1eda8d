#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Our samples natively and through PearVisor: each checks its own results;
their output hashes must be identical both ways (bit-identical results).
pv-coherence is the mapped-memory test in both directions; pv-sync2 needs the
guest's Vulkan 1.3 (synchronization2, dynamic rendering)."""

import os
import re

import pvtest
from pvtest import check

SAMPLES = os.environ.get('PV_SAMPLES_DIR', 'build/samples')


def hashes(out):
    return re.findall(r'output hash ([0-9a-f]{16})', out)


for name in ('saxpy', 'reduction', 'image-filter', 'coherence', 'render-paths', 'sync2'):
    exe = os.path.join(SAMPLES, 'pv-' + name)
    native = pvtest.run_native([exe])
    venus = pvtest.run([exe])
    check(native.returncode == 0 and 'OK' in native.stdout,
          '%s passes natively' % name)
    check(venus.returncode == 0 and 'OK' in venus.stdout and 'Virtio-GPU Venus' in venus.stdout,
          '%s passes through PearVisor' % name)
    nh, vh = hashes(native.stdout), hashes(venus.stdout)
    check(nh and nh == vh, '%s: identical results (%s / %s)' % (name, nh, vh))
    if venus.returncode:
        print(venus.stdout[-1500:], venus.stderr[-3000:])
check('guest error' not in venus.stderr, 'the renderer logged no guest error')
pvtest.finish()
