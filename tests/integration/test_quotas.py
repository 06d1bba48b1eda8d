#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Per-context quotas, each exceeded by a hand-driven guest.  Quotas a
Vulkan call can report answer with VK_ERROR_OUT_OF_*_MEMORY and leave the
context usable; blobs over quota are answered with memory the client cannot
map (Mesa: VK_ERROR_MEMORY_MAP_FAILED); the others (rings, in-flight fences)
end the context.  Either way the server logs it, and a second client is served."""

import mmap
import os
import re
import struct
import time

import pvtest
from pvtest import Client, check, cmd_header, create_ring, set_reply, u32, u64

VK_SUCCESS = 0
VK_ERROR_OUT_OF_HOST_MEMORY = -1
VK_ERROR_OUT_OF_DEVICE_MEMORY = -2
DEVICE = 3
QUEUE = 4


def create_event(event_id):
    info = u32(10) + u64(0) + u32(0)                       # VkEventCreateInfo
    return (cmd_header(42, reply=True) + u64(DEVICE) + u64(1) + info + u64(0) + u64(1) +
            u64(event_id))


def destroy_event(event_id):
    return cmd_header(43) + u64(DEVICE) + u64(event_id) + u64(0)


def allocate_memory(mem_id, size, type_index=0):
    info = u32(5) + u64(0) + u64(size) + u32(type_index)  # VkMemoryAllocateInfo
    return (cmd_header(21, reply=True) + u64(DEVICE) + u64(1) + info + u64(0) + u64(1) +
            u64(mem_id))


def free_memory(mem_id):
    return cmd_header(22) + u64(DEVICE) + u64(mem_id) + u64(0)


def create_timeline_semaphore(sem_id):
    type_info = u32(1000207002) + u64(0) + u32(1) + u64(0)  # timeline, initial value 0
    info = u32(9) + u64(1) + type_info + u32(0)
    return (cmd_header(40, reply=True) + u64(DEVICE) + u64(1) + info + u64(0) + u64(1) +
            u64(sem_id))


def submit_waiting_on(sem_id, value):
    """vkQueueSubmit of an empty batch that waits for sem_id to reach value."""
    timeline = (u32(1000207003) + u64(0) + u32(1) + u64(1) + u64(value) +  # wait values
                u32(0) + u64(0))                                            # no signals
    submit = (u32(4) + u64(1) + timeline +
              u32(1) + u64(1) + u64(sem_id) + u64(1) + u32(0x10000) +      # ALL_COMMANDS
              u32(0) + u64(0) + u32(0) + u64(0))
    return cmd_header(18) + u64(QUEUE) + u32(1) + u64(1) + submit + u64(0)


def result_at(reply, offset):
    return struct.unpack_from('<Ii', reply, offset)[1]


def served_after(server, what):
    c = Client(server.socket)
    try:
        c.bring_up()
        ok = True
    except (ConnectionError, OSError):
        ok = False
    check(ok, '%s: the server still serves a new client' % what)
    c.close()


# -- objects: VK_ERROR_OUT_OF_HOST_MEMORY, and the context goes on --------------
server = pvtest.Server(['--max-objects', '16'])
c = Client(server.socket)
res, reply = c.bring_up(reply_size=8192)
stream = b''
for i in range(32):
    stream += set_reply(res, 1024 + 24 * i, 24) + create_event(100 + i)
c.submit(stream)
c.roundtrip()
results = [result_at(reply, 1024 + 24 * i) for i in range(32)]
created = results.count(VK_SUCCESS)
check(0 < created < 16 and results == [VK_SUCCESS] * created +
      [VK_ERROR_OUT_OF_HOST_MEMORY] * (32 - created),
      'objects: events are created up to the quota, then VK_ERROR_OUT_OF_HOST_MEMORY (%d made)'
      % created)
c.submit(destroy_event(100) + set_reply(res, 2048, 24) + create_event(200))
c.roundtrip()
check(result_at(reply, 2048) == VK_SUCCESS, 'objects: a freed slot can be used again')
check(server.wait_log('object quota (16) reached'), 'objects: the server logs the quota')
check(not c.closed_by_server(timeout=0.5), 'objects: the context stays usable')
c.close()
served_after(server, 'objects')
server.stop()

# -- device memory: VK_ERROR_OUT_OF_DEVICE_MEMORY --------------------------------
server = pvtest.Server(['--max-memory', '4'])
c = Client(server.socket)
res, reply = c.bring_up()
MIB = 1 << 20
c.submit(set_reply(res, 1024, 24) + allocate_memory(100, 3 * MIB) +
         set_reply(res, 1048, 24) + allocate_memory(101, 2 * MIB) +
         set_reply(res, 1072, 24) + allocate_memory(102, 1 * MIB) +
         free_memory(100) +
         set_reply(res, 1096, 24) + allocate_memory(103, 2 * MIB) +
         set_reply(res, 1120, 24) + allocate_memory(104, 1 << 62))
c.roundtrip()
got = [result_at(reply, 1024 + 24 * i) for i in range(5)]
check(got == [VK_SUCCESS, VK_ERROR_OUT_OF_DEVICE_MEMORY, VK_SUCCESS, VK_SUCCESS,
              VK_ERROR_OUT_OF_DEVICE_MEMORY],
      'memory: allocations beyond 4 MiB fail, freed memory counts again (%s)' % got)
check(server.wait_log('device memory quota (4194304 bytes) reached'),
      'memory: the server logs the quota')
c.close()
served_after(server, 'memory')
server.stop()

# -- blob bytes: refused, the client learns it at its map -----------------------
# A blob counts until its last user lets go, not until the guest unrefs it.
KIB = 1024
server = pvtest.Server(['--max-shm', '1'])
c = Client(server.socket)
c.handshake()
r1, _ = c.create_blob(512 * KIB)
r2, _ = c.create_blob(256 * KIB)
c.submit(set_reply(r1, 0, 64))
c.send(pvtest.VCMD_RESOURCE_UNREF, r1)      # still the reply stream
c.submit(set_reply(r2, 0, 64))              # now it goes
try:
    r3, m3 = c.create_blob(768 * KIB)       # 768 + 256 KiB: within the quota
    m3[-1] = 0x5a                           # backed to its end
    mapped = m3[-1] == 0x5a
except OSError:
    mapped = False                          # refused: memory that cannot be mapped
check(mapped and 'exceeds the context' not in server.log_text(),
      'blobs: a blob freed by its last user no longer counts (768 KiB beside 256 KiB map)')
c.close()
c = Client(server.socket)
c.handshake()
r1, _ = c.create_blob(512 * KIB)
c.submit(set_reply(r1, 0, 64))
c.send(pvtest.VCMD_RESOURCE_UNREF, r1)
t0 = time.time()
c.send(pvtest.VCMD_RESOURCE_CREATE_BLOB, 2, 1, 768 * KIB, 0, 0, 0)
cmd, data = c.reply()
fd = c.recv_fd()
try:
    mmap.mmap(fd, 768 * KIB)
    mapped = True
except OSError:
    mapped = False
os.close(fd)
check(not mapped and time.time() - t0 < 1,
      'blobs: an unreferenced blob still in use counts: the blob over quota is answered '
      'at once with memory that cannot be mapped')
check(server.wait_log('exceeds the context\'s quota of 1048576 bytes (524288 in use)'),
      'blobs: the server logs the quota')
c.send(pvtest.VCMD_SYNC_CREATE, 0, 0)
cmd, data = c.reply()
check(struct.unpack('<I', data)[0] != 0, 'blobs: the client is served after the refusal')
c.close()
served_after(server, 'blobs')
server.stop()

# -- rings: the context ends ---------------------------------------------------
server = pvtest.Server(['--max-rings', '1'])
c = Client(server.socket)
c.handshake()
res1, _ = c.create_blob(pvtest.RING_SIZE)
res2, _ = c.create_blob(pvtest.RING_SIZE)
c.submit(create_ring(0x100, res1, pvtest.RING_SIZE) + create_ring(0x200, res2, pvtest.RING_SIZE))
check(server.wait_log('ring quota reached'), 'rings: a second ring is refused and logged')
check(c.closed_by_server(), 'rings: that client is dropped')
served_after(server, 'rings')
server.stop()

# -- in-flight fences: the context ends ----------------------------------------
# The queue waits on a semaphore that is never signalled, so no fence behind
# it retires.  Its teardown then waits for the stuck queue too, and the hang
# watchdog ends that context's process.
server = pvtest.Server(['--max-in-flight', '8', '--hang-timeout', '2'])
c = Client(server.socket)
res, reply = c.bring_up(ring_idx=1)
c.submit(set_reply(res, 1024, 24) + create_timeline_semaphore(50) + submit_waiting_on(50, 1))
c.roundtrip()
check(result_at(reply, 1024) == VK_SUCCESS, 'in-flight: a timeline semaphore is created')
c.send(pvtest.VCMD_SYNC_CREATE, 0, 0)
sync = struct.unpack('<I', c.reply()[1])[0]
try:
    for value in range(1, 10):
        c.submit(b'', ring_idx=1, syncs=[(sync, value)])
except OSError:
    pass
check(server.wait_log('in-flight quota: 8 fences not yet retired'),
      'in-flight: the ninth pending fence ends the context')
check(c.closed_by_server(), 'in-flight: that client is dropped')
check(server.wait_log('context teardown', timeout=20),
      'in-flight: the stuck teardown is noticed by the hang watchdog')
served_after(server, 'in-flight')
check(server.alive(), 'in-flight: the server keeps running')
server.stop()

# -- clients: more than --max-clients at once are refused ------------------------
server = pvtest.Server(['--max-clients', '2'], env=dict(os.environ, PV_DEBUG='info,vtest'))
a, b = Client(server.socket, name='quota-a'), Client(server.socket, name='quota-b')
a.bring_up()
b.bring_up()
try:
    third = Client(server.socket)
    refused = third.closed_by_server()
except (BrokenPipeError, ConnectionResetError):
    refused = True  # refused before its first message was even written
check(refused, 'clients: a third client is refused')
check(server.wait_log('refusing client 3: 2 clients already'), 'clients: the server logs it')
a_id = re.search(r'\[client (\d+) quota-a\] info: connected', server.log_text()).group(1)
a.close()
# the first client's process no longer counts once the server has seen it
# end, or become free for the same guest process's next connection
freed = pvtest.wait_for(lambda: re.search(r'client %s \(pid \d+\) done|process \d+ \(client %s\) '
                                          r'is free' % (a_id, a_id), server.log_text()))
check(freed, 'clients: the first client\'s process is let go when it leaves (%s)' %
      (freed.group(0) if freed else None))
served_after(server, 'clients')
b.close()
server.stop()

pvtest.finish()
