#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Teardown: guests that vanish without destroying anything (the samples,
told to exit right after their work; a sample killed mid-run) leave the
renderer to free every host object in a valid order.  Run against a
sanitizer build, each client process is checked for leaks and memory errors
when it ends; the server log must show none, and the server keeps serving."""

import os
import re
import signal
import subprocess

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

# killed in the middle of its work: the samples run in well under a second,
# so the kill follows what the server log shows of the client (connected:
# an instance and nothing else; its device made: its work begun), and the
# client must have been killed, not have finished (a stage missed because
# this machine was slow is tried again)
STAGES = [('coherence', 'connected', 'info: connected'),
          ('coherence', 'device made', 'info: device '),
          ('reduction', 'device made', 'info: device ')]
for name, stage, needle in STAGES:
    for attempt in range(3):
        log_start = len(server.log_text())
        p = subprocess.Popen([os.path.join(SAMPLES, 'pv-' + name)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env)
        reached = pvtest.wait_for(lambda: 'pv-%s] %s' % (name, needle) in
                                  server.log_text()[log_start:], timeout=60, interval=0.001)
        p.send_signal(signal.SIGKILL)
        p.wait()
        if p.returncode == -signal.SIGKILL:
            break
    check(reached and p.returncode == -signal.SIGKILL,
          'pv-%s killed mid-run, %s (%s, attempt %d)' %
          (name, stage, 'killed' if p.returncode < 0 else 'it had finished', attempt + 1))

# every client process has ended and been checked
def unended():
    """The processes that served a client and have not ended (a client
    killed before its context existed ends its process with status 1: a
    reset connection is an error)."""
    log = server.log_text()
    served = set(re.findall(r'pearvisor\[(\d+)\] \[client \d+ [^]]*\] info: connected', log))
    return served - set(re.findall(r'client \d+ \(pid (\d+)\) (?:done|exited with status)',
                                   log))


pvtest.wait_for(lambda: not unended(), timeout=60, interval=0.2)
if not check(not unended(), 'every client process ended, checked for leaks (%s left)' %
             sorted(unended())):
    print(server.log_text()[-6000:])
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
