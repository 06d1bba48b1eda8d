#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Spare processes: the first one's warm-up asks a throwaway device which
memory types take the renderer's shared memory; the server passes that
answer on, so later spares and processes forked for clients create no
throwaway device of their own, and their guests are shown the same memory
types as the first guest.  The server also loads the driver libraries the
first spare's instance loaded, so that processes forked later start with
them."""

import os
import re
import subprocess

import pvtest
from pvtest import check

THROWAWAY = 'asking a throwaway device'
SERVED = re.compile(r'client (\d+) served by (spare process|pid) (\d+)')


def memory_types(out):
    """vulkaninfo's memory types, as (index, flags) lines."""
    return re.findall(r'memoryTypes\[(\d+)\]:\s*\n\s*heapIndex\s*=\s*\d+\s*\n\s*'
                      r'propertyFlags\s*=\s*(0x[0-9a-f]+)', out)


env = dict(os.environ, PV_DEBUG='vtest,vk')
server = pvtest.Server(['--spares', '1', '--linger', '0'], env=env)
check(server.wait_log('passed on to later processes', 60),
      'the first ready spare told the server what its throwaway device found')
check(server.wait_log('loaded for later processes', 10),
      "the server loaded the first spare's driver libraries")
preloaded = re.findall(r'preloaded (\S+) for the client processes', server.log_text())
with open('/proc/%d/maps' % server.proc.pid) as f:
    maps = f.read()
check(preloaded and all(path in maps for path in preloaded),
      'the driver libraries are mapped in the server, for its later forks (%s)' % preloaded)

outputs = []
for i in range(3):
    # each guest a program of its own: none of them reuses another's process
    r = subprocess.run(['vulkaninfo'], capture_output=True, text=True, timeout=120,
                       env=server.venus_env())
    check(r.returncode == 0, 'vulkaninfo %d through PearVisor' % (i + 1))
    outputs.append(memory_types(r.stdout))
    # later guests get a new spare or, on small machines where spares are
    # refilled only once clients stop arriving, a process forked for them

# a client that comes when no spare is ready gets a process forked for it,
# which also starts knowing the answer
cold = pvtest.Server(['--spares', '0', '--linger', '0'], env=env)
r = subprocess.run(['vulkaninfo'], capture_output=True, text=True, timeout=120,
                   env=cold.venus_env())
check(r.returncode == 0, 'vulkaninfo through a server without spares')
cold_log = cold.log_text()
check(cold_log.count(THROWAWAY) == 1,
      'without spares the forked process asks its own throwaway device (%d)'
      % cold_log.count(THROWAWAY))

log = server.log_text()
served = SERVED.findall(log)
check(len(served) >= 3 and len({pid for _, _, pid in served}) >= 3,
      'three guests were served by three processes (%s)' % served)
check(log.count(THROWAWAY) == 1,
      'one throwaway device for the whole server, the first spare\'s (%d asked)'
      % log.count(THROWAWAY))
check(all(o and o == outputs[0] for o in outputs),
      'every guest is shown the same memory types (%s)' % outputs[0])
pvtest.finish()
