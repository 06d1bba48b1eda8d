#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""8 vulkaninfo clients at once against one long-running server."""

import subprocess

import pvtest
from pvtest import check

server = pvtest.Server()
env = server.venus_env()
procs = [subprocess.Popen(['vulkaninfo'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env) for _ in range(8)]
results = [p.communicate(timeout=300) for p in procs]
for i, (p, (out, err)) in enumerate(zip(procs, results)):
    check(p.returncode == 0 and 'Virtio-GPU Venus (llvmpipe' in out,
          'client %d succeeded (status %d)' % (i, p.returncode))
check(server.alive(), 'the server is still running')
log = server.log_text()
check('guest error' not in log, 'no guest errors in the server log')
server.stop()
pvtest.finish()
