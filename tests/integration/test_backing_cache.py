#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Freed host-visible memory's backing goes to the context's next
allocation of the same size, unless the guest ever got its descriptor (a
blob): a guest that kept an old mapping must not reach a new allocation
through it."""

import mmap
import os
import struct

import pvtest
from pvtest import Client, check, cmd_header, u32, u64

DEVICE = 3
KEPT = 'the kept backing of freed memory'
SIZE = 64 << 10


def allocate_memory(mem_id, size, type_index=0):
    info = u32(5) + u64(0) + u64(size) + u32(type_index)  # VkMemoryAllocateInfo
    return (cmd_header(21) + u64(DEVICE) + u64(1) + info + u64(0) + u64(1) +
            u64(mem_id))


def free_memory(mem_id):
    return cmd_header(22) + u64(DEVICE) + u64(mem_id) + u64(0)


def blob_of(client, mem_id, size):
    """A blob of the memory: its resource id and descriptor."""
    client.send(pvtest.VCMD_RESOURCE_CREATE_BLOB, 2, 1, size, 0, mem_id, 0)
    _, data = client.reply()
    return struct.unpack('<I', data)[0], client.recv_fd()


def kept_for(log, mem_id):
    return ('memory %d: %s' % (mem_id, KEPT)) in log


env = dict(os.environ, PV_DEBUG='info,vk')
server = pvtest.Server(['--spares', '0'], env=env)
c = Client(server.socket, 'backing-cache')
c.bring_up()

# never shared: the next allocation of the same size takes its backing
c.submit(allocate_memory(200, SIZE) + free_memory(200) + allocate_memory(201, SIZE))
c.roundtrip()
check(kept_for(server.log_text(), 201),
      "an allocation after a free of the same size takes the freed memory's backing")
c.submit(allocate_memory(202, 2 * SIZE))
c.roundtrip()
check(not kept_for(server.log_text(), 202), 'one of another size does not')

# shared with the guest: never given to another allocation
c.submit(allocate_memory(300, SIZE))
c.roundtrip()
res, fd = blob_of(c, 300, SIZE)
old = mmap.mmap(fd, SIZE)
old_inode = os.fstat(fd).st_ino
os.close(fd)
c.send(pvtest.VCMD_RESOURCE_UNREF, res)
c.submit(free_memory(300) + allocate_memory(301, SIZE))
c.roundtrip()
check(not kept_for(server.log_text(), 301),
      'the backing of memory whose blob the guest had is not kept')
res, fd = blob_of(c, 301, SIZE)
new = mmap.mmap(fd, SIZE)
check(os.fstat(fd).st_ino != old_inode, "the new memory's blob is another file")
old[0:8] = b'OLDWRITE'
check(new[0:8] != b'OLDWRITE', 'a write through the old mapping does not reach the new memory')
os.close(fd)
old.close()
new.close()
c.close()
server.stop()
log = server.log_text()
check('were not freed' not in log and 'guest error' not in log,
      'no error, nothing left behind')
pvtest.finish()
