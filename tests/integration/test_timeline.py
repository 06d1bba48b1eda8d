#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fence timelines of vtest, driven by hand: a queue bound to timeline 1
(VkDeviceQueueTimelineInfoMESA), batches submitted with syncs on it, and the
syncs set to their values in order once the host queue has finished the work
before them; SYNC_WAIT's fd becomes readable then."""

import os
import select
import struct
import time

import pvtest
from pvtest import (Client, Ring, check, cmd_header, create_device, create_instance,
                    enumerate_physical_devices, get_device_queue2, set_reply, u32, u64)

server = pvtest.Server(env=dict(os.environ, PV_DEBUG='info'))
c = Client(server.socket)
c.handshake()
res, reply = c.create_blob(4096)
stream = (set_reply(res, 0, 24) + create_instance(1) +
          set_reply(res, 100, 36) + enumerate_physical_devices(1, 2) +
          set_reply(res, 200, 24) + create_device(2, 3) +
          get_device_queue2(3, 4, ring_idx=1))
c.submit(stream)
c.send(pvtest.VCMD_SYNC_CREATE, 0, 0)  # a round trip: the stream above has run
cmd, data = c.reply()
sync = struct.unpack('<I', data)[0]
check(struct.unpack_from('<Ii', reply, 0) == (0, 0), 'vkCreateInstance: VK_SUCCESS')
check(struct.unpack_from('<Ii', reply, 100) == (2, 0), 'vkEnumeratePhysicalDevices: VK_SUCCESS')
check(struct.unpack_from('<Ii', reply, 200) == (11, 0), 'vkCreateDevice: VK_SUCCESS')

# three fenced batches on timeline 1, then a wait for the last value
for value in (1, 2, 3):
    c.submit(b'', ring_idx=1, syncs=[(sync, value)])
c.send(pvtest.VCMD_SYNC_WAIT, 0, 5000, sync, 3, 0)
cmd, _ = c.reply()
fd = c.recv_fd()
readable, _, _ = select.select([fd], [], [], 10)
check(bool(readable), 'SYNC_WAIT for value 3 completes')
c.send(pvtest.VCMD_SYNC_READ, sync)
cmd, data = c.reply()
check(struct.unpack('<Q', data)[0] == 3, 'the sync holds the last value, set in order')

# a wait that cannot complete stays pending and expires on its timeout
c.send(pvtest.VCMD_SYNC_WAIT, 0, 200, sync, 99, 0)
cmd, _ = c.reply()
fd2 = c.recv_fd()
readable, _, _ = select.select([fd2], [], [], 1)
check(not readable, 'a wait for an unreached value does not complete')

# timeline 0 retires at once
c.submit(b'', ring_idx=0, syncs=[(sync, 10)])
c.send(pvtest.VCMD_SYNC_READ, sync)
cmd, data = c.reply()
check(struct.unpack('<Q', data)[0] == 10, 'timeline 0 retires at once')

# a guest that waits forever in a ring (on a fence it never submitted) and
# goes away: its client process still ends
c2 = Client(server.socket)
c2.handshake()
res2, reply2 = c2.create_blob(4096)
c2.submit(set_reply(res2, 0, 24) + create_instance(1) +
          set_reply(res2, 100, 36) + enumerate_physical_devices(1, 2) +
          set_reply(res2, 200, 24) + create_device(2, 3))
ring = Ring(c2)
fence = cmd_header(35) + u64(3) + u64(1) + u32(8) + u64(0) + u32(0) + u64(0) + u64(1) + u64(9)
wait = (set_reply(res2, 300, 12) + cmd_header(39, reply=True) + u64(3) + u32(1) + u64(1) +
        u64(9) + u32(1) + u64(0xffffffffffffffff))
ring.write(fence + wait)
time.sleep(0.5)
ended_before = server.log_text().count('done')
c2.close()
deadline = time.time() + 10
while time.time() < deadline and server.log_text().count('done') == ended_before:
    time.sleep(0.1)
check(server.log_text().count('done') > ended_before,
      'a client stuck in an endless wait ends when it disconnects')

# the same, with the client's own stream waiting for the ring to get past
# the endless wait (vkWaitRingSeqnoMESA), as Mesa does before it reads a reply
c3 = Client(server.socket)
res3, _ = c3.bring_up()
ring = Ring(c3)
wait3 = (set_reply(res3, 300, 12) + cmd_header(39, reply=True) + u64(3) + u32(1) + u64(1) +
         u64(9) + u32(1) + u64(0xffffffffffffffff))
seqno = ring.write(fence + wait3)
c3.submit(cmd_header(253) + u64(ring.id) + u64(seqno))
time.sleep(0.5)
ended_before = server.log_text().count('done')
c3.close()
deadline = time.time() + 10
while time.time() < deadline and server.log_text().count('done') == ended_before:
    time.sleep(0.1)
if not check(server.log_text().count('done') > ended_before,
             'a client whose stream waits for a stuck ring ends when it disconnects'):
    print(server.log_text()[-3000:])

# a queue is bound to one timeline
c.submit(get_device_queue2(3, 4, ring_idx=2))
check(server.wait_log('cannot bind fence timeline 2'), 'a queue binds to one timeline only')
check(c.closed_by_server(), 'that client is dropped')
check(server.alive(), 'the server keeps running')
server.stop()
pvtest.finish()
