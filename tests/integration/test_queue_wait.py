#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A ring waiting for its queue for ever holds up nothing else of its
client: while ring 1 is in vkQueueWaitIdle behind a submission that waits
for a timeline semaphore nobody has signalled, the transport still answers
(a fenced batch on that very queue's timeline, a round trip, a sync read)
and a second ring still runs commands; the second ring's vkSignalSemaphore
then lets the first go and the fence retire.  (vkQueueWaitIdle held the
queue's lock for the whole wait, and the transport's fence submission for
the queue waited for that lock holding the lock of every timeline.)"""

import os
import re
import struct
import threading
import time

import select

import pvtest
from pvtest import (Client, Ring, check, cmd_header, enumerate_physical_devices,
                    get_device_queue2, set_reply, u32, u64)

VK_QUEUE_SUBMIT, VK_QUEUE_WAIT_IDLE, VK_CREATE_SEMAPHORE, VK_SIGNAL_SEMAPHORE = 18, 19, 40, 174
DEVICE, QUEUE, SEMAPHORE = 3, 4, 5


def create_instance_1_2(instance_id):
    app = (u32(0) + u64(0) + u64(0) + u32(0) + u64(0) + u32(0) +  # no names
           u32(1 << 22 | 2 << 12))                                # Vulkan 1.2
    info = u32(1) + u64(0) + u32(0) + u64(1) + app + u32(0) + u64(0) + u32(0) + u64(0)
    return cmd_header(0, reply=True) + u64(1) + info + u64(0) + u64(1) + u64(instance_id)


def create_device_with_timelines(pdev_id, device_id):
    queue = u32(2) + u64(0) + u32(0) + u32(0) + u32(1) + u64(1) + struct.pack('<f', 1.0)
    features = u64(1) + u32(1000207000) + u64(0) + u32(1)         # timelineSemaphore
    info = (u32(3) + features + u32(0) + u32(1) + u64(1) + queue +
            u32(0) + u64(0) + u32(0) + u64(0) + u64(0))
    return cmd_header(11, reply=True) + u64(pdev_id) + u64(1) + info + u64(0) + u64(1) + \
        u64(device_id)


def create_timeline_semaphore(sem_id):
    chain = u64(1) + u32(1000207002) + u64(0) + u32(1) + u64(0)   # TIMELINE, initial 0
    info = u32(9) + chain + u32(0)
    return cmd_header(VK_CREATE_SEMAPHORE) + u64(DEVICE) + u64(1) + info + u64(0) + u64(1) + \
        u64(sem_id)


def submit_waiting_for(sem_id, value):
    chain = (u64(1) + u32(1000207003) + u64(0) +                  # VkTimelineSemaphoreSubmitInfo
             u32(1) + u64(1) + u64(value) + u32(0) + u64(0))
    info = (u32(4) + chain + u32(1) + u64(1) + u64(sem_id) +       # one wait
            u64(1) + u32(0x1) +                                   # TOP_OF_PIPE
            u32(0) + u64(0) + u32(0) + u64(0))                    # no command buffers, signals
    return cmd_header(VK_QUEUE_SUBMIT) + u64(QUEUE) + u32(1) + u64(1) + info + u64(0)


def signal(sem_id, value):
    info = u32(1000207005) + u64(0) + u64(sem_id) + u64(value)
    return cmd_header(VK_SIGNAL_SEMAPHORE) + u64(DEVICE) + u64(1) + info


server = pvtest.Server(env=dict(os.environ, PV_DEBUG='info,cs'))
c = Client(server.socket)
c.handshake()
res, reply = c.create_blob(4096)
c.submit(set_reply(res, 0, 24) + create_instance_1_2(1) +
         set_reply(res, 100, 36) + enumerate_physical_devices(1, 2) +
         set_reply(res, 200, 24) + create_device_with_timelines(2, DEVICE) +
         get_device_queue2(DEVICE, QUEUE, ring_idx=1))
c.roundtrip()
check(struct.unpack_from('<Ii', reply, 200) == (11, 0),
      'a Vulkan 1.2 device with timeline semaphores is made')
c.submit(create_timeline_semaphore(SEMAPHORE))
c.send(pvtest.VCMD_SYNC_CREATE, 0, 0)
sync = struct.unpack('<I', c.reply()[1])[0]
check('guest error' not in server.log_text(), 'a timeline semaphore is made')
ring1 = Ring(c, ring_id=0x5600aa01)
ring2 = Ring(c, ring_id=0x5600aa02)

end1 = ring1.write(submit_waiting_for(SEMAPHORE, 1) + cmd_header(VK_QUEUE_WAIT_IDLE) + u64(QUEUE))
in_wait = pvtest.wait_for(lambda: re.search(r'debug: vkQueueWaitIdle', server.log_text()), 10)
time.sleep(0.2)  # the wait itself is not logged; its head staying put is what shows it
check(in_wait and ring1.word(pvtest.HEAD) != end1,
      'ring 1 is in vkQueueWaitIdle and stays there (head %d, end %d)'
      % (ring1.word(pvtest.HEAD), end1))

# the transport: a fenced batch on the waiting queue's timeline, then a round trip
done = threading.Event()


def transport():
    c.submit(b'', ring_idx=1, syncs=[(sync, 7)])
    c.send(pvtest.VCMD_SYNC_READ, sync)
    c.reply()
    done.set()


threading.Thread(target=transport, daemon=True).start()
check(done.wait(5), 'the transport takes a fence for that queue and answers meanwhile')
end2 = ring2.write(signal(SEMAPHORE, 1))
check(ring2.wait_head(end2, 5), 'ring 2 runs its commands meanwhile (vkSignalSemaphore)')
check(ring1.wait_head(end1, 10), 'the signal lets ring 1 out of vkQueueWaitIdle')
c.send(pvtest.VCMD_SYNC_WAIT, 0, 5000, sync, 7, 0)
c.reply()
fd = c.recv_fd()
check(bool(select.select([fd], [], [], 10)[0]), 'and the fence after it retires')
check('guest error' not in server.log_text() and server.alive(), 'no guest error; server up')
c.close()
server.stop()
pvtest.finish()
