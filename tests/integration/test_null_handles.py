#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""VK_NULL_HANDLE where Vulkan takes one only under a feature: a null
descriptor set (graphicsPipelineLibrary), vertex buffer or buffer descriptor
(robustness2's nullDescriptor).  Without the feature the renderer refuses it
before the driver (lavapipe dereferences a null descriptor set) with a line
naming the command, and the guest ends by itself; with nullDescriptor
enabled, a null descriptor is accepted."""

import os
import subprocess
import time

import pvtest
from pvtest import check

GUEST = os.environ.get('PV_GUEST_NULL_HANDLES', 'build/tests/integration/guest-null-handles')

CASES = [
    ('set', 'vkCmdBindDescriptorSets: descriptor set 0 is VK_NULL_HANDLE'),
    ('vertex', 'vkCmdBindVertexBuffers: vertex buffer 0 is VK_NULL_HANDLE'),
    ('descriptor', 'vkUpdateDescriptorSets: descriptor write 0, element 0: VK_NULL_HANDLE'),
]

server = pvtest.Server()
# the guest is a test tool (built with the sanitizers in that build): what
# Mesa's Venus leaves at exit is not the renderer's
GUEST_ENV = dict(server.venus_env(), ASAN_OPTIONS='detect_leaks=0')
for mode, line in CASES:
    t0 = time.time()
    try:
        r = subprocess.run([GUEST, mode], env=GUEST_ENV, capture_output=True,
                           text=True, timeout=30)
        status, elapsed = r.returncode, time.time() - t0
    except subprocess.TimeoutExpired:
        status, elapsed = None, time.time() - t0
    check(status not in (None, 0), '%s: the guest fails (status %s)' % (mode, status))
    check(elapsed < 15, '%s: by itself, within %.1f s' % (mode, elapsed))
    check(server.wait_log(line, 5), '%s: the server says why: "%s"' % (mode, line))
check(server.alive(), 'the server keeps running')

# with the feature, the same kind of null is the guest's right
r = subprocess.run([GUEST, 'null-descriptor-enabled'], env=GUEST_ENV,
                   capture_output=True, text=True, timeout=60)
if r.returncode == 77:
    pvtest.skip('null descriptors with nullDescriptor: %s' % r.stdout.strip())
else:
    check(r.returncode == 0 and 'ok' in r.stdout,
          'with nullDescriptor enabled a null buffer descriptor is accepted (status %d, %s)'
          % (r.returncode, (r.stderr or r.stdout).strip()[-200:]))
check(r.returncode != 0 or server.log_text().count('VK_NULL_HANDLE, which is valid only') == 3,
      'and nothing was refused for it')
server.stop()
pvtest.finish()
