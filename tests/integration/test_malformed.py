#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Malformed input over the real socket.  Each case connects as a client of
its own and sends one kind of bad input; the server must log a clear line
naming the problem, drop that client (or mark its context fatal), keep
running, and go on serving a well-behaved client (vulkaninfo) afterwards.

Run once with a process per client (the default) and once in-process
(--no-fork), where a crash would take down every client."""

import os
import random
import struct
import subprocess
import sys

import pvtest
from pvtest import (Client, check, cmd_header, create_instance, create_ring, set_reply, u32,
                    u64)


def reply_client(server):
    """A client with a context and a reply stream selected."""
    c = Client(server.socket)
    c.handshake()
    res, shm = c.create_blob(4096)
    c.submit(set_reply(res, 0, 4096))
    return c, res, shm


def case_truncated(server):
    c = Client(server.socket)
    c.send_raw(struct.pack('<II', 6, pvtest.VCMD_RESOURCE_CREATE_BLOB) + b'\0' * 8)
    c.close()
    return 'truncated command 18', False, None


def case_unknown_vcmd(server):
    c = Client(server.socket)
    c.send(99, 1, 2, 3)
    return 'unknown command 99', True, c


def case_oversized(server):
    c = Client(server.socket)
    c.send_raw(struct.pack('<II', 0x20000000, pvtest.VCMD_SUBMIT_CMD2))
    return 'dwords (limit', True, c


def case_bad_version_size(server):
    c = Client(server.socket)
    c.send(pvtest.VCMD_PROTOCOL_VERSION, 3, 3)
    return 'command 11 with 2 dwords, expected 1', True, c


def case_blob_before_init(server):
    c = Client(server.socket)
    c.send(pvtest.VCMD_RESOURCE_CREATE_BLOB, 2, 1, 4096, 0, 0, 0)
    return 'RESOURCE_CREATE_BLOB before CONTEXT_INIT', True, c


def case_garbage_stream(server):
    c = Client(server.socket)
    c.handshake()
    rnd = random.Random(1234)
    c.submit(bytes(rnd.randrange(256) for _ in range(256)))
    return 'its command stream was rejected', True, c


def case_unknown_command_type(server):
    c = Client(server.socket)
    c.handshake()
    c.submit(cmd_header(9999))
    return 'unsupported command type 9999', True, c


def case_unsupported_command(server):
    c = Client(server.socket)
    c.handshake()
    c.submit(cmd_header(9) + u64(0) + u64(0))  # vkGetInstanceProcAddr
    return 'unsupported command type 9 (vkGetInstanceProcAddr)', True, c


def case_unknown_object(server):
    c = Client(server.socket)
    c.handshake()
    c.submit(cmd_header(12) + u64(12345) + u64(0))  # vkDestroyDevice(12345)
    return 'unknown object id 12345', True, c


def case_wrong_type_object(server):
    c, res, shm = reply_client(server)
    c.submit(create_instance(77))
    c.submit(cmd_header(12) + u64(77) + u64(0))  # the instance used as a device
    return 'object id 77 is of type 1, not 3', True, c


def case_duplicate_id(server):
    c, res, shm = reply_client(server)
    c.submit(set_reply(res, 0, 64) + create_instance(78) + set_reply(res, 64, 64) +
             create_instance(78))
    return 'a second was created', True, c


def case_truncated_command(server):
    c = Client(server.socket)
    c.handshake()
    c.submit(cmd_header(12) + u32(1))  # vkDestroyDevice cut short
    return 'truncated: need 8 bytes', True, c


def case_bad_ring_buffer_size(server):
    c = Client(server.socket)
    c.handshake()
    res, shm = c.create_blob(131268)
    c.submit(create_ring(0x1000, res, 131268, buffer_size=100000))
    return 'bad ring layout: buffer size 100000 is not a power of two', True, c


def case_bad_ring_overlap(server):
    c = Client(server.socket)
    c.handshake()
    res, shm = c.create_blob(131268)
    c.submit(create_ring(0x1000, res, 131268, tail=0))
    return 'bad ring layout: tail overlaps head', True, c


def case_ring_outside_resource(server):
    c = Client(server.socket)
    c.handshake()
    res, shm = c.create_blob(4096)
    c.submit(create_ring(0x1000, res, 131268))
    return 'outside resource of 4096 bytes', True, c


def case_ring_unknown_resource(server):
    c = Client(server.socket)
    c.handshake()
    c.submit(create_ring(0x1000, 4242, 131268))
    return 'unknown resource 4242', True, c


def case_reply_out_of_bounds(server):
    c = Client(server.socket)
    c.handshake()
    res, shm = c.create_blob(4096)
    c.submit(set_reply(res, 4000, 200))
    return 'reply stream 4000+200 outside resource', True, c


def case_count_mismatch(server):
    c = Client(server.socket)
    c.handshake()
    res, shm = c.create_blob(4096)
    # vkExecuteCommandStreamsMESA: streamCount 1, array of 2
    stream = cmd_header(180) + u32(1) + u64(2) + (u32(res) + u64(0) + u64(8)) * 2
    c.submit(stream)
    return 'array of 2 elements, count says 1', True, c


def case_unknown_stype(server):
    c = Client(server.socket)
    c.handshake()
    res, shm = c.create_blob(131268)
    ring = create_ring(0x1000, res, 131268)
    ring = ring.replace(u32(1000384006), u32(5), 1)  # chain a struct Venus never sends
    c.submit(ring)
    return 'unexpected sType 5', True, c


def case_bad_batch(server):
    c = Client(server.socket)
    c.handshake()
    payload = struct.pack('<I6I', 1, 1, 1000, 4, 7, 0, 0)
    c.send_raw(struct.pack('<II', len(payload) // 4, pvtest.VCMD_SUBMIT_CMD2) + payload)
    return 'outside 7 dwords', True, c


def case_unknown_sync(server):
    c = Client(server.socket)
    c.handshake()
    c.send(pvtest.VCMD_SYNC_READ, 555)
    return 'SYNC_READ of unknown sync 555', True, c


def case_bad_timeline(server):
    c = Client(server.socket)
    c.handshake()
    c.send(pvtest.VCMD_SYNC_CREATE, 0, 0)
    cmd, data = c.reply()
    sync = struct.unpack('<I', data)[0]
    c.submit(b'', ring_idx=5, syncs=[(sync, 1)])  # no queue bound to timeline 5
    return 'which no queue is bound to', True, c


def image_info(extent, image_type=1, fmt=37, usage=0x4):
    # VkImageCreateInfo: sType, pNext, flags, imageType, format, extent, mips, layers,
    # samples, tiling, usage, sharingMode, no queue families, initialLayout
    return (u32(14) + u64(0) + u32(0) + u32(image_type) + u32(fmt) +
            b''.join(u32(v) for v in extent) + u32(1) + u32(1) + u32(1) + u32(0) +
            u32(usage) + u32(0) + u32(0) + u64(0) + u32(0))


def case_invalid_image(server):
    c = Client(server.socket)
    c.bring_up()
    # vkCreateImage: a 2D image two texels deep (drivers size memory from it unchecked)
    c.submit(cmd_header(54) + u64(3) + u64(1) + image_info((8, 8, 2)) + u64(0) + u64(1) +
             u64(100))
    return 'invalid image parameters (a 2D image deeper than 1)', True, c


def case_invalid_spirv(server):
    c = Client(server.socket)
    c.bring_up()
    # vkCreateShaderModule with 16 bytes that are no SPIR-V
    info = u32(16) + u64(0) + u32(0) + u64(16) + u64(4) + u32(1) + u32(2) + u32(3) + u32(4)
    c.submit(cmd_header(59) + u64(3) + u64(1) + info + u64(0) + u64(1) + u64(101))
    return 'invalid SPIR-V', True, c


def case_binding_beyond_memory(server):
    c = Client(server.socket)
    c.bring_up()
    memory = u32(5) + u64(0) + u64(4096) + u32(0)                  # 4 KiB of memory type 0
    buffer = u32(12) + u64(0) + u32(0) + u64(4096) + u32(0x2) + u32(0) + u32(0) + u64(0)
    c.submit(cmd_header(21) + u64(3) + u64(1) + memory + u64(0) + u64(1) + u64(102) +
             cmd_header(50) + u64(3) + u64(1) + buffer + u64(0) + u64(1) + u64(103) +
             cmd_header(28) + u64(3) + u64(103) + u64(102) + u64(4096))  # bound past its end
    return 'buffer binding: 4096 bytes at 4096 of 4096-byte memory', True, c


def case_required_handle_missing(server):
    c = Client(server.socket)
    c.bring_up()
    c.submit(cmd_header(76) + u64(3) + u64(0) + u32(0))  # vkResetDescriptorPool(no pool)
    return 'descriptorPool: required object is VK_NULL_HANDLE', True, c


def case_blob_at_id_zero(server):
    c = Client(server.socket)
    c.handshake()
    # the VMM library's RESOURCE_CREATE_BLOB_AT with resource id 0
    c.send(0x5056, 0, 2, 1, 4096, 0, 0, 0)
    return 'RESOURCE_CREATE_BLOB_AT with id 0', True, c


def case_blob_at_id_in_use(server):
    c = Client(server.socket)
    c.handshake()
    res, _ = c.create_blob(4096)
    c.send(0x5056, res, 2, 1, 4096, 0, 0, 0)  # the id the first blob has
    return 'cannot create blob', True, c


CASES = [
    case_truncated, case_unknown_vcmd, case_oversized, case_bad_version_size,
    case_blob_before_init, case_garbage_stream, case_unknown_command_type,
    case_unsupported_command, case_unknown_object, case_wrong_type_object, case_duplicate_id,
    case_truncated_command, case_bad_ring_buffer_size, case_bad_ring_overlap,
    case_ring_outside_resource, case_ring_unknown_resource, case_reply_out_of_bounds,
    case_count_mismatch, case_unknown_stype, case_bad_batch, case_unknown_sync,
    case_bad_timeline, case_invalid_image, case_invalid_spirv, case_binding_beyond_memory,
    case_required_handle_missing, case_blob_at_id_zero, case_blob_at_id_in_use,
]


def well_behaved(server, what):
    r = subprocess.run(['vulkaninfo', '--summary'], capture_output=True, text=True,
                       timeout=120, env=server.venus_env())
    check(r.returncode == 0 and 'Virtio-GPU Venus' in r.stdout,
          '%s: a well-behaved client (vulkaninfo) is still served' % what)


for mode in ([], ['--no-fork']):
    label = 'in-process' if mode else 'process per client'
    server = pvtest.Server(mode)
    well_behaved(server, label + ', before')
    for case in CASES:
        name = case.__name__[5:]
        try:
            needle, dropped, client = case(server)
        except (ConnectionError, OSError) as e:
            check(False, '%s: %s: the server went away early (%s)' % (label, name, e))
            continue
        check(server.wait_log(needle), '%s: %s: logged "%s"' % (label, name, needle))
        if client is not None:
            if dropped:
                check(client.closed_by_server(), '%s: %s: client dropped' % (label, name))
            client.close()
        check(server.alive(), '%s: %s: server still running' % (label, name))
    well_behaved(server, label + ', after %d bad clients' % len(CASES))
    log = server.log_text()
    check('killed by signal' not in log, '%s: no client process crashed' % label)
    server.stop()
    if '--verbose' in sys.argv:
        print(log)

pvtest.finish()
