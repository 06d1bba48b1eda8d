#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Whatever the renderer cannot do for a guest, the guest learns promptly:
a Vulkan error where the protocol carries one, otherwise a FATAL ring or a
connection that fails, which Mesa turns into an abort.  Each path is made to
happen on lavapipe (quotas, the test-only PV_FAULT hook); every check is
that the guest errs or ends by itself within its limit, never that the test
had to kill it.

Without the defences these cases hang: a refused blob used to close the
socket under a client blocked reading the answer (Mesa's read loop spins on
EOF for ever), an allocation the guest does not wait for failed silently,
and a sync wait answered with an eventfd never returned once its server
was gone."""

import mmap
import os
import select
import struct
import subprocess
import time

import pvtest
from pvtest import Client, Ring, check, cmd_header, u32, u64

SAMPLES = os.environ.get('PV_SAMPLES_DIR', 'build/samples')
VK_ERROR_OUT_OF_HOST_MEMORY = -1
VK_ERROR_OUT_OF_DEVICE_MEMORY = -2
VK_ERROR_MEMORY_MAP_FAILED = -5
# Mesa looks at a FATAL ring when it next submits, or after ~3.5 s of waiting
# (vn_relax); sanitizer builds are slower
LIMIT = 20


def run_guest(server, args=('saxpy',), env_extra=None):
    """(finished by itself, return code, seconds, output) of a sample."""
    env = server.venus_env()
    env.update(env_extra or {})
    t0 = time.time()
    p = subprocess.Popen([os.path.join(SAMPLES, 'pv-' + args[0])] + list(args[1:]),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        out = p.communicate(timeout=LIMIT)[0]
        return True, p.returncode, time.time() - t0, out
    except subprocess.TimeoutExpired:
        p.kill()
        return False, None, time.time() - t0, p.communicate()[0]


def expect(name, server, result, want_error=None, log=None):
    finished, rc, seconds, out = result
    check(finished, '%s: the guest ends by itself (%.1f s)' % (name, seconds))
    check(rc not in (0, None), '%s: the guest fails (status %s)' % (name, rc))
    if want_error is not None:
        check('failed: %d' % want_error in out,
              '%s: the guest gets VkResult %d (%s)' % (name, want_error,
                                                       out.strip().splitlines()[-1:]))
    if log:
        check(server.wait_log(log), '%s: the server says why: "%s"' % (name, log))


# -- a blob the renderer cannot back: vkMapMemory fails ---------------------------
if pvtest.FAULT_HOOKS:
    server = pvtest.Server(env=dict(os.environ, PV_FAULT='blob'))
    expect('unshareable memory', server, run_guest(server), VK_ERROR_MEMORY_MAP_FAILED,
           'the guest\'s vkMapMemory fails')
    check(server.alive(), 'unshareable memory: the server keeps running')
    server.stop()
else:
    pvtest.skip('unshareable memory: this build has no fault hooks (-Dfault_hooks=true)')

# -- the device-memory quota ------------------------------------------------------
server = pvtest.Server(['--max-memory', '2'])
# Mesa allocates without waiting for the answer: the context ends at once
expect('memory quota', server, run_guest(server), None,
       'the guest allocates without waiting for the result')
# ... unless told to wait, and then the allocation fails
expect('memory quota, synchronous', server,
       run_guest(server, env_extra={'VN_PERF': 'no_async_mem_alloc'}),
       VK_ERROR_OUT_OF_DEVICE_MEMORY, 'device memory quota (2097152 bytes) reached')
server.stop()

# -- the shared-memory quota: Mesa cannot map its command buffers' memory -----------
server = pvtest.Server(['--max-shm', '2'])
expect('shared-memory quota', server, run_guest(server), None,
       'exceeds the context\'s quota of 2097152 bytes')
server.stop()

# -- the host device lost ----------------------------------------------------------
if pvtest.FAULT_HOOKS:
    server = pvtest.Server(env=dict(os.environ, PV_FAULT='lost:vkQueueSubmit'))
    expect('device lost', server, run_guest(server), None,
           'the host device was lost in vkQueueSubmit')
    check(subprocess.run(['vulkaninfo', '--summary'], capture_output=True, timeout=120,
                         env=server.venus_env()).returncode == 0,
          'device lost: a new client is served afterwards')
    server.stop()
else:
    pvtest.skip('device lost: this build has no fault hooks (-Dfault_hooks=true)')

# -- hand-driven: what Mesa's reads and polls see -----------------------------------
server = pvtest.Server()

# a context made fatal by the transport while its ring idles: the ring says
# FATAL within a second, and the socket is closed only after the answer
c = Client(server.socket)
res, _ = c.bring_up()
ring = Ring(c)
time.sleep(0.3)
check(not ring.word(pvtest.STATUS) & pvtest.FATAL, 'fatal: a healthy ring is not FATAL')
t0 = time.time()
c.send(pvtest.VCMD_RESOURCE_CREATE_BLOB, 2, 1, 4096, 0, 0xdead, 0)   # unknown memory
cmd, data = c.reply()
fd = c.recv_fd()
os.close(fd)
check(cmd == pvtest.VCMD_RESOURCE_CREATE_BLOB,
      'fatal: the client blocked on the blob answer gets it before the socket closes')
while time.time() - t0 < 1 and not ring.word(pvtest.STATUS) & pvtest.FATAL:
    time.sleep(0.01)
check(ring.word(pvtest.STATUS) & pvtest.FATAL,
      'fatal: the idle ring says FATAL within a second (%.2f s)' % (time.time() - t0))
check(c.closed_by_server(), 'fatal: then the client is dropped')

# a sync wait on a sync that does not exist: answered with an fd that hangs
# up (Mesa's poll: VK_ERROR_DEVICE_LOST), not left unanswered
c = Client(server.socket)
c.bring_up()
c.send(pvtest.VCMD_SYNC_WAIT, 0, 1000, 77, 1, 0)
cmd, data = c.reply()
fd = c.recv_fd()
p = select.poll()
p.register(fd, select.POLLIN)
events = p.poll(1000)
check(events and not events[0][1] & select.POLLIN and events[0][1] & select.POLLHUP,
      'sync wait on an unknown sync: the answer hangs up at once (%s)' % events)
os.close(fd)
c.close()

# a pending sync wait whose context dies: the guest's poll returns (hang-up)
c = Client(server.socket)
c.bring_up()
c.send(pvtest.VCMD_SYNC_CREATE, 0, 0)
cmd, data = c.reply()
sync = struct.unpack('<I', data)[0]
c.send(pvtest.VCMD_SYNC_WAIT, 0, 0xffffffff, sync, 5, 0)
cmd, data = c.reply()
fd = c.recv_fd()
p = select.poll()
p.register(fd, select.POLLIN)
check(not p.poll(200), 'pending sync wait: it waits while the value is not reached')
t0 = time.time()
c.submit(cmd_header(0x7fffffff))      # a command type that does not exist
events = p.poll(LIMIT * 1000)
check(events and events[0][1] & select.POLLHUP and not events[0][1] & select.POLLIN,
      'pending sync wait: hangs up when its context ends (%.2f s, %s)' %
      (time.time() - t0, events))
os.close(fd)
c.close()

check(server.alive(), 'the server keeps running')
server.stop()
pvtest.finish()
