#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sync-fd semaphores as Mesa's Venus uses them (issue 12), by a hand-driven
guest: what vkGetPhysicalDeviceExternalSemaphoreProperties answers for
SYNC_FD (importable for binary semaphores: the gate on synchronization2 and
Vulkan 1.3), and the WSI-style use of an import: vkImportSemaphoreResourceMESA
with resource 0 ("signalled", sent after the guest waited on the sync file
itself), then a submission that waits on the semaphore and a fence, twice
(the wait consumes the payload).  On a host without sync-fd semaphores
(lavapipe) the import is the renderer's own, checked under the validation
layer; import into a timeline semaphore, a resource other than 0, and a
vkWaitSemaphoreResourceMESA where export was not offered end the context."""

import struct

import pvtest
from pvtest import Client, check, cmd_header, set_reply, u32, u64

DEVICE, PDEV, QUEUE = 3, 2, 4
SYNC_FD = 0x10
EXPORTABLE, IMPORTABLE = 0x1, 0x2


def host_has_sync_fd():
    return 'VK_KHR_external_semaphore_fd' in pvtest.run_native(['vulkaninfo']).stdout


def get_queue():
    return cmd_header(17) + u64(DEVICE) + u32(0) + u32(0) + u64(1) + u64(QUEUE)


def semaphore_props(timeline):
    chain = u64(0)
    if timeline:   # VkSemaphoreTypeCreateInfo: timeline, initial value 0
        chain = u64(1) + u32(1000207002) + u64(0) + u32(1) + u64(0)
    info = u32(1000076000) + chain + u32(SYNC_FD)
    props = u32(1000076001) + u64(0)               # the output struct's sType, pNext
    return cmd_header(163, reply=True) + u64(PDEV) + u64(1) + info + u64(1) + props


def create_semaphore(sem_id, timeline=False):
    chain = u64(0)
    if timeline:
        chain = u64(1) + u32(1000207002) + u64(0) + u32(1) + u64(0)
    info = u32(9) + chain + u32(0)
    return (cmd_header(40, reply=True) + u64(DEVICE) + u64(1) + info + u64(0) + u64(1) +
            u64(sem_id))


def create_fence(fence_id):
    return (cmd_header(35) + u64(DEVICE) + u64(1) + u32(8) + u64(0) + u32(0) + u64(0) +
            u64(1) + u64(fence_id))


def import_signalled(sem_id, resource=0):
    info = u32(1000384004) + u64(0) + u64(sem_id) + u32(resource)
    return cmd_header(246) + u64(DEVICE) + u64(1) + info


def wait_semaphore_resource(sem_id):
    return cmd_header(245) + u64(DEVICE) + u64(sem_id)


def submit_waiting(sem_id, fence_id):
    submit = (u32(4) + u64(0) +
              u32(1) + u64(1) + u64(sem_id) + u64(1) + u32(0x10000) +   # ALL_COMMANDS
              u32(0) + u64(0) + u32(0) + u64(0))
    return cmd_header(18) + u64(QUEUE) + u32(1) + u64(1) + submit + u64(fence_id)


def wait_fence(fence_id):
    return (cmd_header(39, reply=True) + u64(DEVICE) + u32(1) + u64(1) + u64(fence_id) +
            u32(1) + u64(5 * 1000 * 1000 * 1000))


def result_at(reply, offset):
    return struct.unpack_from('<Ii', reply, offset)[1]


host_fd = host_has_sync_fd()
print('     host has VK_KHR_external_semaphore_fd: %s' % host_fd)

# -- the answers, and the import used as Venus uses it ---------------------------
server = pvtest.Server(['--validate'])
c = Client(server.socket)
res, reply = c.bring_up(reply_size=8192)
c.submit(get_queue() +
         set_reply(res, 1024, 36) + semaphore_props(False) +
         set_reply(res, 1100, 36) + semaphore_props(True))
c.roundtrip()
export, compat, features = struct.unpack_from('<III', reply, 1024 + 24)
check(features & IMPORTABLE and compat & SYNC_FD,
      'binary semaphores: SYNC_FD importable (features 0x%x, compatible 0x%x)' %
      (features, compat))
if not host_fd:
    check(not features & EXPORTABLE and export == 0,
          'binary semaphores: not exportable (the renderer cannot make a sync file)')
_, _, tfeatures = struct.unpack_from('<III', reply, 1100 + 24)
check(not tfeatures & (IMPORTABLE | EXPORTABLE),
      'timeline semaphores: no SYNC_FD (features 0x%x)' % tfeatures)

stream = (set_reply(res, 2048, 24) + create_semaphore(10) + create_fence(11) +
          create_fence(12) +
          import_signalled(10) + submit_waiting(10, 11) +
          set_reply(res, 2100, 12) + wait_fence(11) +
          # again: the first wait consumed the payload, so a second import
          # signals an unsignalled semaphore
          import_signalled(10) + submit_waiting(10, 12) +
          set_reply(res, 2200, 12) + wait_fence(12))
c.submit(stream)
c.roundtrip()
check(result_at(reply, 2048) == 0, 'vkCreateSemaphore: VK_SUCCESS')
check(result_at(reply, 2100) == 0,
      'import "signalled", a submission waiting on it: its fence signals (%d)' %
      result_at(reply, 2100))
check(result_at(reply, 2200) == 0,
      'the same again on the consumed semaphore: its fence signals (%d)' %
      result_at(reply, 2200))
check(not c.closed_by_server(timeout=0.5), 'the context goes on')
log = server.log_text()
errors = [line for line in log.splitlines() if 'validation error' in line]
check(not errors, 'the validation layer reported nothing (%s)' % errors[:3])
check('guest error' not in log, 'no guest error logged')
c.close()
server.stop()

# -- what ends the context --------------------------------------------------------
cases = [
    ('a timeline semaphore', create_semaphore(20, timeline=True) + import_signalled(20),
     'timeline semaphore 20'),
    ('a resource other than 0', create_semaphore(20) + import_signalled(20, resource=7),
     'payload from resource 7'),
]
if not host_fd:
    cases.append(('vkWaitSemaphoreResourceMESA without export',
                  create_semaphore(20) + wait_semaphore_resource(20),
                  'sync-fd export was not offered'))
for name, stream, needle in cases:
    server = pvtest.Server()
    c = Client(server.socket)
    res, _ = c.bring_up()
    c.submit(get_queue() + set_reply(res, 1024, 24) + stream)
    check(c.closed_by_server(), '%s: the context ends' % name)
    if not check(server.wait_log(needle), '%s: the server says why ("%s")' % (name, needle)):
        print(server.log_text()[-2000:])
    c.close()
    server.stop()
pvtest.finish()
