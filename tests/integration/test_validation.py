#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--validate: the host calls PearVisor makes on behalf of real guests run
under the Khronos validation layer, which must find nothing to report.  The
renderer rewrites what guests send (host-pointer imports, filtered chains,
capped versions), so this checks that the rewritten calls are still valid
Vulkan, not just that lavapipe tolerates them."""

import os

import pvtest
from pvtest import check

SAMPLES = os.environ.get('PV_SAMPLES_DIR', 'build/samples')
LAYER = 'VK_LAYER_KHRONOS_validation'

programs = [['vulkaninfo']] + [[os.path.join(SAMPLES, 'pv-' + name)]
                               for name in ('saxpy', 'reduction', 'image-filter', 'coherence',
                                            'render-paths', 'sync2')]
for argv in programs:
    name = os.path.basename(argv[0])
    result = pvtest.run(argv, options=['--validate'], env=dict(os.environ, PV_DEBUG='info'))
    log = result.stderr
    check(result.returncode == 0, '%s runs under --validate' % name)
    check('host instance runs under ' + LAYER in log,
          '%s: the host instance has the validation layer' % name)
    errors = [line for line in log.splitlines() if 'validation error' in line
              or 'validation warning' in line]
    check(not errors, '%s: the validation layer reported nothing (%d messages)'
          % (name, len(errors)))
    for line in errors[:5]:
        print('  ' + line[:400])
pvtest.finish()
