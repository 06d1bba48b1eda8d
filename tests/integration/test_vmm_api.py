#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The virglrenderer-compatible library (vmm/), driven as QEMU 10.0's
virtio-gpu device drives it: capsets before init, init with Venus, a Venus
context, a HOST3D blob mapped for the guest, Venus command streams through
virgl_renderer_submit_cmd with their replies read from that mapping, global
fences retired in order from virgl_renderer_poll, per-context fences on a
queue's timeline, a guest that sends garbage (only its context ends), a
host driver that crashes in one guest's command (with a process per context,
the default: only that context's process ends), the 2D entry points that
keep and hand back what the VMM owns, and teardown.  Then all of it again
with the contexts in the VMM's process (PV_VIRGL_IN_PROCESS=1), but the
crash."""

import ctypes
import os
import struct
import subprocess
import sys
import time

import pvtest
from pvtest import (check, create_device, create_instance, enumerate_physical_devices,
                    get_device_queue2, set_reply)

LIB = os.environ.get('PV_VIRGL_LIB', 'build/vmm/libvirglrenderer.so.1')
os.environ.setdefault('VK_DRIVER_FILES', pvtest.HOST_ICD)
PRELOAD = os.environ.get('PV_VIRGL_PRELOAD')
if PRELOAD and os.environ.get('LD_PRELOAD') != PRELOAD:
    # a sanitizer build: its runtime must be loaded before anything else
    # (Python's own allocations are not ours to leak-check)
    env = dict(os.environ, LD_PRELOAD=PRELOAD,
               ASAN_OPTIONS='detect_leaks=0:verify_asan_link_order=0')
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

VENUS = 1 << 6
RENDER_SERVER = 1 << 9
HOST3D = 2
MAPPABLE = 1
CACHED = 1

WRITE_FENCE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint32)
WRITE_CONTEXT_FENCE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32,
                                       ctypes.c_uint64)


class Callbacks(ctypes.Structure):
    _fields_ = [('version', ctypes.c_int), ('write_fence', WRITE_FENCE),
                ('create_gl_context', ctypes.c_void_p), ('destroy_gl_context', ctypes.c_void_p),
                ('make_current', ctypes.c_void_p), ('get_drm_fd', ctypes.c_void_p),
                ('write_context_fence', WRITE_CONTEXT_FENCE),
                ('get_server_fd', ctypes.c_void_p), ('get_egl_display', ctypes.c_void_p)]


class BlobArgs(ctypes.Structure):
    _fields_ = [('res_handle', ctypes.c_uint32), ('ctx_id', ctypes.c_uint32),
                ('blob_mem', ctypes.c_uint32), ('blob_flags', ctypes.c_uint32),
                ('blob_id', ctypes.c_uint64), ('size', ctypes.c_uint64),
                ('iovecs', ctypes.c_void_p), ('num_iovs', ctypes.c_uint32)]


class CreateArgs(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint32) for n in ('handle', 'target', 'format', 'bind', 'width',
                                               'height', 'depth', 'array_size', 'last_level',
                                               'nr_samples', 'flags')]


class ResourceInfo(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint32) for n in ('handle', 'virgl_format', 'width', 'height',
                                               'depth', 'flags', 'tex_id', 'stride')] + \
        [('drm_fourcc', ctypes.c_int), ('fd', ctypes.c_int)]


class IoVec(ctypes.Structure):
    _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]


IN_PROCESS = os.environ.get('PV_VIRGL_IN_PROCESS') == '1'
MODE = 'in-process' if IN_PROCESS else 'process per context'
print('mode: %s' % MODE)
exported = subprocess.run(['nm', '-D', '--defined-only', LIB], capture_output=True,
                          text=True).stdout.split('\n')
names = [l.split()[-1] for l in exported if l.strip()]
check(len(names) >= 30 and all(n.startswith('virgl_renderer_') for n in names),
      'the library exports the virglrenderer interface and nothing else (%d symbols)' %
      len(names))
lib = ctypes.CDLL(LIB)
u32 = ctypes.c_uint32

# -- capsets, before init -------------------------------------------------------
ver, size = u32(), u32()
lib.virgl_renderer_get_cap_set(4, ctypes.byref(ver), ctypes.byref(size))
check(size.value > 0, 'capset 4 (Venus) is offered before init (%d bytes)' % size.value)
caps = ctypes.create_string_buffer(size.value)
lib.virgl_renderer_fill_caps(4, 0, caps)
check(any(caps.raw), 'virgl_renderer_fill_caps fills the Venus capset')
gl_ver, gl_size = u32(), u32()
lib.virgl_renderer_get_cap_set(1, ctypes.byref(gl_ver), ctypes.byref(gl_size))
check(gl_size.value == 0, 'the OpenGL capset is not offered')

# -- init ---------------------------------------------------------------------------
fences, context_fences = [], []
cbs = Callbacks(version=3, write_fence=WRITE_FENCE(lambda cookie, f: fences.append(f)),
                write_context_fence=WRITE_CONTEXT_FENCE(
                    lambda cookie, c, r, f: context_fences.append((c, r, f))))
check(lib.virgl_renderer_init(None, VENUS | RENDER_SERVER, ctypes.byref(cbs)) == 0,
      'virgl_renderer_init with Venus')
lib.virgl_renderer_force_ctx_0()
check(lib.virgl_renderer_get_poll_fd() == -1, 'fences are polled (no poll fd)')

# -- a Venus context, its reply blob mapped ------------------------------------------
check(lib.virgl_renderer_context_create_with_flags(1, 4, 5, b'guest') == 0,
      'a Venus context (capset 4)')
check(lib.virgl_renderer_context_create(2, 2, b'gl') != 0,
      'a context without a capset (OpenGL) is refused')
check(lib.virgl_renderer_context_create_with_flags(3, 2, 2, b'gl') != 0,
      'a context of capset 2 (virgl) is refused')
args = BlobArgs(res_handle=10, ctx_id=1, blob_mem=HOST3D, blob_flags=MAPPABLE, blob_id=0,
                size=4096)
check(lib.virgl_renderer_resource_create_blob(ctypes.byref(args)) == 0, 'a HOST3D blob')
info = ResourceInfo()
check(lib.virgl_renderer_resource_get_info(10, ctypes.byref(info)) == 0,
      'virgl_renderer_resource_get_info answers for it')
ptr, mapped = ctypes.c_void_p(), ctypes.c_uint64()
check(lib.virgl_renderer_resource_map(10, ctypes.byref(ptr), ctypes.byref(mapped)) == 0 and
      ptr.value and mapped.value == 4096, 'the blob maps (%d bytes)' % mapped.value)
map_info = u32()
lib.virgl_renderer_resource_get_map_info(10, ctypes.byref(map_info))
check(map_info.value == CACHED, 'mapped cached')
lib.virgl_renderer_ctx_attach_resource(1, 10)


def submit(ctx, stream):
    buf = ctypes.create_string_buffer(stream, len(stream))
    return lib.virgl_renderer_submit_cmd(buf, ctx, len(stream) // 4)


next_fence = [100]


def sync():
    """What a guest does before it reads replies: a fence, waited for."""
    next_fence[0] += 1
    lib.virgl_renderer_create_fence(next_fence[0], 0)
    deadline = time.time() + 10
    while next_fence[0] not in fences and time.time() < deadline:
        lib.virgl_renderer_poll()
        time.sleep(0.001)
    return next_fence[0] in fences


def reply(offset):
    return struct.unpack('<Ii', ctypes.string_at(ptr.value + offset, 8))


stream = (set_reply(10, 0, 24) + create_instance(1) + set_reply(10, 24, 36) +
          enumerate_physical_devices(1, 2) + set_reply(10, 60, 24) + create_device(2, 3) +
          get_device_queue2(3, 4, ring_idx=1))
check(submit(1, stream) == 0 and sync(),
      'a Venus command stream through virgl_renderer_submit_cmd, then a fence')
check(reply(0) == (0, 0) and reply(24) == (2, 0) and reply(60) == (11, 0),
      'its replies are in the mapped blob: instance, physical device, device (%s %s %s)' %
      (reply(0), reply(24), reply(60)))

# -- host-visible device memory as a blob, shared with the host ------------------------
memory = (pvtest.cmd_header(21) + pvtest.u64(3) + pvtest.u64(1) + pvtest.u32(5) +
          pvtest.u64(0) + pvtest.u64(65536) + pvtest.u32(0) + pvtest.u64(0) + pvtest.u64(1) +
          pvtest.u64(20))
check(submit(1, memory) == 0 and sync(), 'vkAllocateMemory of host-visible memory')
args2 = BlobArgs(res_handle=11, ctx_id=1, blob_mem=HOST3D, blob_flags=MAPPABLE, blob_id=20,
                 size=65536)
check(lib.virgl_renderer_resource_create_blob(ctypes.byref(args2)) == 0,
      'that memory as a blob (blob_id = the memory object)')
ptr2, size2 = ctypes.c_void_p(), ctypes.c_uint64()
check(lib.virgl_renderer_resource_map(11, ctypes.byref(ptr2), ctypes.byref(size2)) == 0 and
      size2.value >= 65536, 'it maps')
fd_type, fd = u32(), ctypes.c_int()
check(lib.virgl_renderer_resource_export_blob(11, ctypes.byref(fd_type), ctypes.byref(fd)) == 0,
      'it exports as shared memory')
ctypes.memmove(ptr2.value + 100, b'pearvisor', 9)
other = os.pread(fd.value, 9, 100)
os.close(fd.value)
check(other == b'pearvisor', 'the VMM mapping and the memory are the same pages')

# -- fences -------------------------------------------------------------------------
del fences[:]
for f in (205, 206, 207):
    lib.virgl_renderer_create_fence(f, 0)
lib.virgl_renderer_poll()
check(fences == [205, 206, 207], 'global fences retire in order from poll (%s)' % fences)
check(lib.virgl_renderer_context_create_fence(1, 0, 1, 42) == 0,
      'a per-context fence on the timeline of ring_idx 1')
deadline = time.time() + 10
while time.time() < deadline and (1, 1, 42) not in context_fences:
    lib.virgl_renderer_poll()
    time.sleep(0.01)
check((1, 1, 42) in context_fences, 'it is reported through write_context_fence')

# -- a guest that sends garbage ---------------------------------------------------------
check(lib.virgl_renderer_context_create_with_flags(3, 4, 3, b'bad') == 0, 'a second context')
garbage_refused = submit(3, b'\xff' * 64) != 0
if not IN_PROCESS:
    # the stream is checked in the context's process, which ends: the next
    # request that needs an answer finds it gone
    bad_blob = BlobArgs(res_handle=12, ctx_id=3, blob_mem=HOST3D, blob_flags=MAPPABLE,
                        size=4096)
    garbage_refused = lib.virgl_renderer_resource_create_blob(ctypes.byref(bad_blob)) != 0
check(garbage_refused, 'its garbage stream ends that context')
# vkEnumerateInstanceVersion: its reply starts with the command type and VK_SUCCESS
check(submit(1, set_reply(10, 200, 24) + pvtest.cmd_header(137, reply=True) + pvtest.u64(1)) == 0
      and sync() and reply(200) == (137, 0),
      'the first context is still served (%s)' % (reply(200),))

if not IN_PROCESS:
    # a host driver that crashes in one guest's command (test-only hook)
    os.environ['PV_FAULT'] = 'crash:vkEnumeratePhysicalDevices'
    check(lib.virgl_renderer_context_create_with_flags(4, 4, 5, b'crash') == 0,
          'a third context, whose host driver will crash')
    del os.environ['PV_FAULT']
    args4 = BlobArgs(res_handle=13, ctx_id=4, blob_mem=HOST3D, blob_flags=MAPPABLE, size=4096)
    lib.virgl_renderer_resource_create_blob(ctypes.byref(args4))
    submit(4, set_reply(13, 0, 24) + create_instance(1) + set_reply(13, 24, 36) +
           enumerate_physical_devices(1, 2))
    args5 = BlobArgs(res_handle=14, ctx_id=4, blob_mem=HOST3D, blob_flags=MAPPABLE, size=4096)
    check(lib.virgl_renderer_resource_create_blob(ctypes.byref(args5)) != 0,
          'its process is gone after the crash')
    ctypes.memset(ptr.value + 200, 0, 8)
    check(submit(1, set_reply(10, 200, 24) + pvtest.cmd_header(137, reply=True) +
                 pvtest.u64(1)) == 0 and sync() and reply(200) == (137, 0),
          'the VMM and the first context go on')
    lib.virgl_renderer_resource_unref(13)
    lib.virgl_renderer_context_destroy(4)

if not IN_PROCESS:
    # memory the renderer cannot back as a blob (test-only hook: as NVIDIA's
    # BAR type was before it was shown device-only): the blob is answered
    # but cannot be mapped, and mapping it at a fixed address leaves what
    # the VMM keeps there alone
    os.environ['PV_FAULT'] = 'blob'
    check(lib.virgl_renderer_context_create_with_flags(5, 4, 5, b'unshared') == 0,
          'a context whose device memory cannot be shared')
    del os.environ['PV_FAULT']
    args6 = BlobArgs(res_handle=15, ctx_id=5, blob_mem=HOST3D, blob_flags=MAPPABLE, size=4096)
    lib.virgl_renderer_resource_create_blob(ctypes.byref(args6))
    ptr6, size6 = ctypes.c_void_p(), ctypes.c_uint64()
    lib.virgl_renderer_resource_map(15, ctypes.byref(ptr6), ctypes.byref(size6))
    lib.virgl_renderer_ctx_attach_resource(5, 15)
    submit(5, set_reply(15, 0, 24) + create_instance(1) + set_reply(15, 24, 36) +
           enumerate_physical_devices(1, 2) + set_reply(15, 60, 24) + create_device(2, 3) +
           memory)
    args7 = BlobArgs(res_handle=16, ctx_id=5, blob_mem=HOST3D, blob_flags=MAPPABLE, blob_id=20,
                     size=65536)
    created = lib.virgl_renderer_resource_create_blob(ctypes.byref(args7)) == 0
    ptr7, size7 = ctypes.c_void_p(), ctypes.c_uint64()
    mapped = created and lib.virgl_renderer_resource_map(16, ctypes.byref(ptr7),
                                                         ctypes.byref(size7)) == 0
    check(not mapped, 'a blob of memory the renderer cannot share does not map '
          '(created %s)' % created)
    if created:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                              ctypes.c_int, ctypes.c_long]
        keep = libc.mmap(None, 65536, 3, 0x22, -1, 0)    # PROT_RW, MAP_PRIVATE|ANONYMOUS
        ctypes.memmove(keep, b'vmm-owned', 9)
        check(lib.virgl_renderer_resource_map_fixed(16, ctypes.c_void_p(keep)) != 0 and
              ctypes.string_at(keep, 9) == b'vmm-owned',
              'mapping it at a fixed address fails and leaves that address as it was')
        lib.virgl_renderer_resource_unref(16)
    lib.virgl_renderer_resource_unref(15)
    lib.virgl_renderer_context_destroy(5)
    check(submit(1, set_reply(10, 200, 24) + pvtest.cmd_header(137, reply=True) +
                 pvtest.u64(1)) == 0 and sync() and reply(200) == (137, 0),
          'the first context goes on')

# -- what the VMM passes on from a guest, checked ------------------------------------------
check(submit(99, b'\0' * 8) != 0, 'a stream for a context that does not exist is refused')
check(lib.virgl_renderer_submit_cmd(None, 1, -1) != 0, 'a negative stream length is refused')
bad = BlobArgs(res_handle=40, ctx_id=99, blob_mem=HOST3D, blob_flags=MAPPABLE, size=4096)
check(lib.virgl_renderer_resource_create_blob(ctypes.byref(bad)) != 0,
      'a blob for a context that does not exist is refused')
bad = BlobArgs(res_handle=40, ctx_id=1, blob_mem=1, blob_flags=MAPPABLE, size=4096)
check(lib.virgl_renderer_resource_create_blob(ctypes.byref(bad)) != 0,
      'a guest-memory blob (not served) is refused')
bad = BlobArgs(res_handle=10, ctx_id=1, blob_mem=HOST3D, blob_flags=MAPPABLE, size=4096)
check(lib.virgl_renderer_resource_create_blob(ctypes.byref(bad)) != 0,
      'a blob under a resource id in use is refused')
check(lib.virgl_renderer_resource_map(77, ctypes.byref(ctypes.c_void_p()),
                                      ctypes.byref(ctypes.c_uint64())) != 0,
      'mapping a resource that does not exist is refused')
check(lib.virgl_renderer_resource_map(10, ctypes.byref(ctypes.c_void_p()),
                                      ctypes.byref(ctypes.c_uint64())) != 0,
      'mapping a blob twice is refused')
check(lib.virgl_renderer_context_create_with_flags(1, 4, 1, b'x') != 0,
      'a context id in use is refused')

# -- the OpenGL guests' entry points keep and give back what the VMM owns -----------------
backing = ctypes.create_string_buffer(64 * 64 * 4)
iov = IoVec(ctypes.cast(backing, ctypes.c_void_p), len(backing))
create = CreateArgs(handle=30, target=2, format=1, bind=2, width=64, height=64, depth=1,
                    array_size=1)
check(lib.virgl_renderer_resource_create(ctypes.byref(create), None, 0) == 0,
      'a 2D resource (the guest console)')
check(lib.virgl_renderer_resource_attach_iov(30, ctypes.byref(iov), 1) == 0, 'its backing')
check(lib.virgl_renderer_transfer_write_iov(30, 0, 0, 0, 0, None, 0, None, 0) == 0,
      'a transfer to the host is accepted')
got_iov, got_n = ctypes.c_void_p(), ctypes.c_int()
lib.virgl_renderer_resource_detach_iov(30, ctypes.byref(got_iov), ctypes.byref(got_n))
check(got_iov.value == ctypes.addressof(iov) and got_n.value == 1,
      'detach hands the VMM its iovecs back')
w, h = u32(), u32()
lib.virgl_renderer_get_cursor_data.restype = ctypes.c_void_p
check(lib.virgl_renderer_get_cursor_data(30, ctypes.byref(w), ctypes.byref(h)) is None,
      'no cursor image (no GL copy of it)')

# -- teardown ---------------------------------------------------------------------------
def child_processes():
    """The processes this one started that have not been reaped: with a
    process per context, the library's context processes."""
    found = []
    for entry in os.listdir('/proc'):
        try:
            with open('/proc/%s/stat' % entry) as f:
                ppid = int(f.read().rsplit(')', 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid():
            found.append(int(entry))
    return found


contexts_before = child_processes()
check(lib.virgl_renderer_resource_unmap(10) == 0 and lib.virgl_renderer_resource_unmap(11) == 0,
      'unmap')
for res in (10, 11, 30):
    lib.virgl_renderer_resource_unref(res)
lib.virgl_renderer_context_destroy(1)
lib.virgl_renderer_context_destroy(3)
lib.virgl_renderer_reset()
lib.virgl_renderer_cleanup(None)
pvtest.wait_for(lambda: not child_processes(), timeout=10, interval=0.05)
check(not child_processes() and (IN_PROCESS or contexts_before),
      'teardown completes: the context processes (%d before it) have ended and been reaped '
      '(%d left)' % (len(contexts_before), len(child_processes())))

if not IN_PROCESS:
    again = subprocess.run([sys.executable] + sys.argv, capture_output=True, text=True,
                           timeout=300, env=dict(os.environ, PV_VIRGL_IN_PROCESS='1'))
    print(again.stdout, end='')
    check(again.returncode == 0, 'everything again with the contexts in the VMM process')
pvtest.finish()
