#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Teardown: guests that vanish without destroying anything (the samples,
told to exit right after their work; a sample killed mid-run) leave the
renderer to free every host object in a valid order.  Run against a
sanitizer build, each client process is checked for leaks and memory errors
when it ends; the server log must show none, and the server keeps serving."""

import os
import signal
import subprocess
import time

import pvtest
from pvtest import check

SAMPLES = os.environ.get('PV_SAMPLES_DIR', 'build/samples')
BAD = ('LeakSanitizer', 'AddressSanitizer', 'runtime error', 'killed by signal',
       'were not freed')

server = pvtest.Server(env=dict(os.environ, PV_DEBUG='info'))
env = server.venus_env()
for name in ('saxpy', 'reduction', 'image-filter', 'coherence'):
    r = subprocess.run([os.path.join(SAMPLES, 'pv-' + name)], capture_output=True, text=True,
                       timeout=300, env=dict(env, PV_SAMPLE_ABANDON='1'))
    check(r.returncode == 0 and 'output hash' in r.stdout,
          '%s abandons its objects after its work' % name)

# killed in the middle of its work
for delay in (0.2, 0.5, 1.0):
    p = subprocess.Popen([os.path.join(SAMPLES, 'pv-coherence')], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    p.wait()
check(True, 'clients killed mid-run')

# every client process has ended and been checked
deadline = time.time() + 60
while time.time() < deadline and server.log_text().count('done') < 7:
    time.sleep(0.2)
ok = subprocess.run(['vulkaninfo', '--summary'], capture_output=True, text=True, timeout=120,
                    env=env)
check(ok.returncode == 0, 'the server still serves a client afterwards')
server.stop()
log = server.log_text()
for needle in BAD:
    check(needle not in log, 'server log has no "%s"' % needle)
if any(n in log for n in BAD):
    print(log[-6000:])
pvtest.finish()
