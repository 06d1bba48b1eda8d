#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--capture and pearvisor-gpu replay: sessions of real programs are
written to files, and replaying them on a fresh context runs the same
commands again without the guest (on lavapipe), to the end.  Captures that
are cut short or carry unknown records are refused with a clear message."""

import glob
import os
import re
import struct
import subprocess
import tempfile

import pvtest
from pvtest import check

SAMPLES = os.environ.get('PV_SAMPLES_DIR', 'build/samples')


def replay(paths, env=None):
    return subprocess.run([pvtest.PEARVISOR, 'replay', '--icd', pvtest.HOST_ICD] + paths,
                          capture_output=True, text=True, timeout=300, env=env)


capdir = tempfile.mkdtemp(prefix='pv-capture-')
programs = [['vulkaninfo', '--summary'], [os.path.join(SAMPLES, 'pv-saxpy')],
            [os.path.join(SAMPLES, 'pv-image-filter')]]
for argv in programs:
    r = pvtest.run(argv, options=['--capture', capdir])
    check(r.returncode == 0, '%s runs while captured' % os.path.basename(argv[0]))
files = sorted(glob.glob(os.path.join(capdir, '*.pvcap')))
check(len(files) == len(programs), 'one capture per session (%d)' % len(files))

for path in files:
    r = replay([path], env=dict(os.environ, PV_DEBUG='cs'))
    m = re.search(r'(\d+) records, (\d+) streams, (\d+) bytes of commands: (\w+)', r.stdout)
    name = os.path.basename(path)
    check(r.returncode == 0 and m and m.group(4) == 'replayed',
          '%s replays to the end: %s' % (name, r.stdout.strip()))
    # the replay ran the session's Vulkan work on the host again
    ran = set(re.findall(r'debug: (vk\w+)', r.stderr))
    want = {'vkCreateInstance', 'vkCreateDevice', 'vkCreateRingMESA'}
    if 'pv-' in name:
        want |= {'vkQueueSubmit', 'vkAllocateMemory', 'vkCreateComputePipelines'}
    check(want <= ran, '%s: the replay ran %s' % (name, ', '.join(sorted(want))))

with open(files[0], 'rb') as f:
    data = f.read()
cut = os.path.join(capdir, 'cut')
with open(cut, 'wb') as f:
    f.write(data[:len(data) - 10])
r = replay([cut])
check(r.returncode == 1 and 'the file ends inside a record' in r.stdout,
      'a capture cut short is reported')
bad = os.path.join(capdir, 'bad')
with open(bad, 'wb') as f:
    f.write(data[:8] + struct.pack('<II', 99, 4) + b'\0' * 4)
r = replay([bad])
check(r.returncode == 1 and 'malformed' in r.stdout and 'tag 99' in r.stderr,
      'a record of an unknown kind is refused')
garbage = os.path.join(capdir, 'garbage')
with open(garbage, 'wb') as f:
    f.write(data[:8] + struct.pack('<II', 3, 8) + struct.pack('<II', 0xdead, 0))
r = replay([garbage])
check(r.returncode == 1 and 'the context ended' in r.stdout,
      'a stream the renderer refuses ends the replayed context: %s' % r.stdout.strip())
pvtest.finish()
