#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Destroy against use, from two rings and from the transport, in one
context: a guest may free on one ring what another ring or a blob request
is using (Vulkan forbids it; a hostile guest does it anyway).  Each use
either ran before the destroy or finds the object gone (the context ends,
naming it); nothing is used after it was freed (the sanitized build's
AddressSanitizer would say so in the log), and the server keeps serving.
The deterministic proof that a destroy waits for another thread's use is
the unit test object_destroy_waits_for_other_threads; this runs the real
paths many times."""

import os
import struct
import time

import pvtest
from pvtest import Client, Ring, check, cmd_header, set_reply, u32, u64

DEVICE = 3
EVENTS = 32
SANITIZER = ('AddressSanitizer', 'LeakSanitizer', 'runtime error', 'were not freed')


def create_event(event_id):
    return (cmd_header(42) + u64(DEVICE) + u64(1) + u32(10) + u64(0) + u32(0) + u64(0) +
            u64(1) + u64(event_id))


def destroy_event(event_id):
    return cmd_header(43) + u64(DEVICE) + u64(event_id) + u64(0)


def set_event(event_id):
    return cmd_header(45) + u64(DEVICE) + u64(event_id)


def reset_event(event_id):
    return cmd_header(46) + u64(DEVICE) + u64(event_id)


def allocate_memory(mem_id, size):
    info = u32(5) + u64(0) + u64(size) + u32(0)
    return cmd_header(21) + u64(DEVICE) + u64(1) + info + u64(0) + u64(1) + u64(mem_id)


def free_memory(mem_id):
    return cmd_header(22) + u64(DEVICE) + u64(mem_id) + u64(0)


server = pvtest.Server(env=dict(os.environ, PV_DEBUG='info'))

# -- ring against ring: events used on one ring, destroyed on another --------------
gone = finished = 0
for trial in range(12):
    c = Client(server.socket, 'rings-%d' % trial)
    c.bring_up()
    c.submit(b''.join(create_event(100 + k) for k in range(EVENTS)))
    c.roundtrip()
    user, destroyer = Ring(c, ring_id=0x5600b000), Ring(c, ring_id=0x5600b001)
    use = b''.join(set_event(100 + k) + reset_event(100 + k)
                   for _ in range(30) for k in range(EVENTS))
    end_use = user.write(use[:len(use) // 2])
    destroyer.write(b''.join(destroy_event(100 + k) for k in range(EVENTS)))
    end_use = user.write(use[len(use) // 2:])
    # the ring gets through, or shows FATAL once its context ends
    ended = pvtest.wait_for(lambda: user.word(pvtest.HEAD) == end_use or
                            user.word(pvtest.STATUS) & pvtest.FATAL, 10)
    check(ended, 'trial %d: the ring got through or its context ended' % trial)
    if user.word(pvtest.HEAD) == end_use:
        finished += 1
    else:
        gone += 1
    c.close()
log = server.log_text()
check(gone + finished == 12, 'ring against ring: 12 trials (%d found an event gone, %d finished '
      'first)' % (gone, finished))
check(log.count('unknown object id') >= gone, 'a use after the destroy names the object gone')

# -- transport against ring: a blob of memory a ring frees meanwhile ---------------
answered = 0
for trial in range(12):
    c = Client(server.socket, 'blob-%d' % trial)
    c.bring_up()
    c.submit(allocate_memory(200, 1 << 20) + create_event(100))
    c.roundtrip()
    ring = Ring(c, ring_id=0x5600b100)
    # the ring is busy for a while (longer each trial), then frees the memory
    # while the transport is making a blob of it
    ring.write(b''.join(set_event(100) + reset_event(100) for _ in range(200)) +
               free_memory(200))
    time.sleep(trial * 0.0004)  # from before the free to well after it
    # answered either way: a blob, or (after the free) memory that cannot be
    # mapped before the context is dropped
    try:
        c.send(pvtest.VCMD_RESOURCE_CREATE_BLOB, 2, 1, 1 << 20, 0, 200, 0)
        c.reply()
        os.close(c.recv_fd())
        answered += 1
    except (ConnectionError, OSError, struct.error):
        pass
    c.close()
refused = server.log_text().count('blob for memory 200, which is unknown')
check(answered == 12, 'transport against ring: 12 trials, each answered (%d blobs made before '
      'the free, %d refused after it)' % (12 - refused, refused))

server.stop()
log = server.log_text()
for needle in SANITIZER:
    check(needle not in log, 'no "%s" in the server log' % needle)
check(log.count(') done') + log.count('exited with status') + log.count('is free for') >= 1,
      'the client processes ended')
pvtest.finish()
