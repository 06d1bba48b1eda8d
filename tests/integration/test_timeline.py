#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fence timelines of vtest, driven by hand: a queue bound to timeline 1
(VkDeviceQueueTimelineInfoMESA), batches submitted with syncs on it, and the
syncs set to their values in order once the host queue has finished the work
before them; SYNC_WAIT's fd becomes readable then.  Guests stuck in an
endless wait in a ring end when they disconnect; that they are stuck there
is seen first (PV_DEBUG=cs logs each command as it starts; the ring's head
stays at the wait)."""

import os
import re
import select
import struct

import pvtest
from pvtest import (Client, Ring, check, cmd_header, create_device, create_instance,
                    enumerate_physical_devices, get_device_queue2, set_reply, u32, u64)

server = pvtest.Server(env=dict(os.environ, PV_DEBUG='info,cs'))
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
def stuck_in_wait(name, ring, wait_at, seqno):
    """Whether the ring of client `name` reached the endless vkWaitForFences
    and stays there: the command was started (its debug line) and head
    stopped at its start, short of the tail."""
    started = pvtest.wait_for(lambda: re.search(r'\[ctx \d+ %s\] debug: vkWaitForFences '
                                                r'\(reply\)' % name, server.log_text()))
    at_wait = pvtest.wait_for(lambda: ring.word(pvtest.HEAD) == wait_at, timeout=5)
    return bool(started) and at_wait and ring.word(pvtest.HEAD) != seqno


def client_id(name):
    m = re.search(r'\[client (\d+) %s\] info: connected' % name, server.log_text())
    return int(m.group(1)) if m else None


def process_ended(cid):
    """The server's line for the clean end of the process serving client
    cid (its exit checked that teardown freed every object)."""
    return re.search(r'client %d \(pid \d+\) done' % cid, server.log_text())


c2 = Client(server.socket, name='stuck-wait')
c2.handshake()
res2, reply2 = c2.create_blob(4096)
c2.submit(set_reply(res2, 0, 24) + create_instance(1) +
          set_reply(res2, 100, 36) + enumerate_physical_devices(1, 2) +
          set_reply(res2, 200, 24) + create_device(2, 3))
ring = Ring(c2)
fence = cmd_header(35) + u64(3) + u64(1) + u32(8) + u64(0) + u32(0) + u64(0) + u64(1) + u64(9)
wait_fences = (cmd_header(39, reply=True) + u64(3) + u32(1) + u64(1) + u64(9) + u32(1) +
               u64(0xffffffffffffffff))
seqno = ring.write(fence + set_reply(res2, 300, 12) + wait_fences)
if not check(stuck_in_wait('stuck-wait', ring, seqno - len(wait_fences), seqno),
             'the ring reached the endless vkWaitForFences and stays in it (head %d, tail %d)'
             % (ring.word(pvtest.HEAD), seqno)):
    print(server.log_text()[-3000:])
cid = client_id('stuck-wait')
c2.close()
ended = pvtest.wait_for(lambda: process_ended(cid), timeout=10)
check(ended, 'a client stuck in an endless wait ends when it disconnects (%s)' %
      (ended.group(0) if ended else None))

# the same, with the client's own stream waiting for the ring to get past
# the endless wait (vkWaitRingSeqnoMESA), as Mesa does before it reads a reply
c3 = Client(server.socket, name='stuck-seqno')
res3, _ = c3.bring_up()
ring = Ring(c3)
seqno = ring.write(fence + set_reply(res3, 300, 12) + wait_fences)
c3.submit(cmd_header(253) + u64(ring.id) + u64(seqno))
stuck = stuck_in_wait('stuck-seqno', ring, seqno - len(wait_fences), seqno)
waiting = pvtest.wait_for(lambda: re.search(r'\[ctx \d+ stuck-seqno\] debug: '
                                            r'vkWaitRingSeqnoMESA', server.log_text()))
if not check(stuck and waiting, 'the ring reached the endless wait and the stream waits for '
             'the ring in vkWaitRingSeqnoMESA (head %d, tail %d)' %
             (ring.word(pvtest.HEAD), seqno)):
    print(server.log_text()[-3000:])
cid = client_id('stuck-seqno')
c3.close()
ended = pvtest.wait_for(lambda: process_ended(cid), timeout=10)
if not check(ended, 'a client whose stream waits for a stuck ring ends when it disconnects (%s)'
             % (ended.group(0) if ended else None)):
    print(server.log_text()[-3000:])

# a queue is bound to one timeline
c.submit(get_device_queue2(3, 4, ring_idx=2))
check(server.wait_log('cannot bind fence timeline 2'), 'a queue binds to one timeline only')
check(c.closed_by_server(), 'that client is dropped')
check(server.alive(), 'the server keeps running')
server.stop()
pvtest.finish()
