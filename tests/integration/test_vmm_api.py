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
crash.

Then the fence models of the other VMMs, each in a process of its own
(this script with --model): a VMM that initialises with THREAD_SYNC and
never polls until the poll fd is readable, and one with ASYNC_FENCE_CB
(crosvm, libkrun) that never polls at all; in both modes.  And, with a
process per context, a context whose host driver hangs (PV_FAULT) beside
one whose fences keep retiring and streams keep running, in each model
(QEMU's included): no call into the library may take long (a watchdog
fails the run), the hung process is killed when its context is destroyed,
and a context flooded with streams it never reads is ended."""

import ctypes
import os
import re
import select
import struct
import subprocess
import sys
import threading
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

from virgl_abi import (ASYNC_FENCE_CB, CACHED, HOST3D, MAPPABLE, NO_VIRGL,  # noqa: E402
                       RENDER_SERVER, THREAD_SYNC, VENUS, WRITE_CONTEXT_FENCE, WRITE_FENCE,
                       BlobArgs, Callbacks, CreateArgs, IoVec, ResourceInfo)

IN_PROCESS = os.environ.get('PV_VIRGL_IN_PROCESS') == '1'
MODE = 'in-process' if IN_PROCESS else 'process per context'
# whether this build honours PV_FAULT (meson -Dfault_hooks=true)
FAULT_HOOKS = os.environ.get('PV_FAULT_HOOKS', '1') == '1'


def skip(what):
    print('SKIP %s' % what, flush=True)


# --model NAME [--hang]: one fence model, run by the main script
MODEL = sys.argv[sys.argv.index('--model') + 1] if '--model' in sys.argv else None
HANG = '--hang' in sys.argv
if not MODEL:
    print('mode: %s' % MODE)
exported = subprocess.run(['nm', '-D', '--defined-only', LIB], capture_output=True,
                          text=True).stdout.split('\n')
names = [l.split()[-1] for l in exported if l.strip()]
if not MODEL:
    check(len(names) >= 30 and all(n.startswith('virgl_renderer_') for n in names),
          'the library exports the virglrenderer interface and nothing else (%d symbols)' %
          len(names))
lib = ctypes.CDLL(LIB)
u32 = ctypes.c_uint32


# -- the fence models (--model) -----------------------------------------------------
MODELS = {
    # QEMU 10.0: polls from its thread, on a timer and after each command
    'qemu': VENUS | RENDER_SERVER,
    # a VMM whose device thread waits on virgl_renderer_get_poll_fd()
    'thread-sync': VENUS | NO_VIRGL | THREAD_SYNC,
    # crosvm and libkrun (krunkit, podman machine, microsandbox)
    'async': VENUS | NO_VIRGL | THREAD_SYNC | ASYNC_FENCE_CB,
}
CALL_LIMIT = 5      # seconds any one call into the library may take
FENCE_LIMIT = 20    # seconds a fence that must retire may take


class Watchdog:
    """Fails the run, naming the call, when one call into the library does
    not return within CALL_LIMIT: a VMM thread stalled on one context."""

    def __init__(self):
        self.cond = threading.Condition()
        self.current = None
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self):
        with self.cond:
            while True:
                if self.current is None:
                    self.cond.wait()
                    continue
                name, deadline = self.current
                left = deadline - time.monotonic()
                if left <= 0:
                    print('FAIL %s did not return within %d s: the VMM\'s thread is stalled' %
                          (name, CALL_LIMIT), flush=True)
                    os._exit(1)
                self.cond.wait(left)

    def call(self, name, *args):
        with self.cond:
            self.current = (name, time.monotonic() + CALL_LIMIT)
            self.cond.notify()
        try:
            return getattr(lib, name)(*args)
        finally:
            with self.cond:
                self.current = None
                self.cond.notify()


class Vmm:
    """A VMM's virtio-gpu device, reporting fences as `model` makes it."""

    def __init__(self, model):
        self.model = model
        self.dog = Watchdog()
        self.cond = threading.Condition()
        self.events = []          # (event, reporting thread)
        self.after_cleanup = []   # callbacks once cleanup returned: none may come
        self.cleaned_up = False
        self.poll_fd = -1
        self.stalled = False      # a wait already failed: later ones fail at once
        self.cbs = Callbacks(
            version=3, write_fence=WRITE_FENCE(lambda cookie, f: self._record(('global', f))),
            write_context_fence=WRITE_CONTEXT_FENCE(
                lambda cookie, c, r, f: self._record(('ctx', c, r, f))))

    def _record(self, event):
        with self.cond:
            if self.cleaned_up:
                self.after_cleanup.append(event)
            self.events.append((event, threading.get_ident()))
            self.cond.notify_all()

    def seen(self):
        with self.cond:
            return [e for e, _ in self.events]

    def threads(self):
        with self.cond:
            return set(t for _, t in self.events)

    def wait(self, pred, limit=FENCE_LIMIT):
        """Waits for the fences `pred` wants, as the model's VMM does."""
        if self.stalled:
            return False
        deadline = time.monotonic() + limit
        while True:
            if self.model == 'async':
                # the fences come by themselves
                with self.cond:
                    while not pred() and time.monotonic() < deadline:
                        self.cond.wait(max(0, deadline - time.monotonic()))
            if pred():
                return True
            left = deadline - time.monotonic()
            if left <= 0 or self.model == 'async':
                self.stalled = True
                return False
            if self.model == 'thread-sync':
                # poll only once the fd says something retired
                if self.poll_fd < 0:
                    self.stalled = True
                    return False
                readable, _, _ = select.select([self.poll_fd], [], [], left)
                if readable:
                    self.dog.call('virgl_renderer_poll')
            else:
                # QEMU's model: poll, and again on its timer
                self.dog.call('virgl_renderer_poll')
                if not pred():
                    time.sleep(0.002)


def model_context(vmm, ctx, res, name, fault=None):
    """A Venus context with its reply blob mapped; its address."""
    if fault:
        os.environ['PV_FAULT'] = fault
    ok = vmm.dog.call('virgl_renderer_context_create_with_flags', ctx, 4, len(name), name) == 0
    if fault:
        del os.environ['PV_FAULT']
    blob = BlobArgs(res_handle=res, ctx_id=ctx, blob_mem=HOST3D, blob_flags=MAPPABLE, size=4096)
    ok = ok and vmm.dog.call('virgl_renderer_resource_create_blob', ctypes.byref(blob)) == 0
    where, size = ctypes.c_void_p(), ctypes.c_uint64()
    ok = ok and vmm.dog.call('virgl_renderer_resource_map', res, ctypes.byref(where),
                             ctypes.byref(size)) == 0
    return where.value if ok else None


def model_submit(vmm, ctx, stream):
    buf = ctypes.create_string_buffer(stream, len(stream))
    return vmm.dog.call('virgl_renderer_submit_cmd', buf, ctx, len(stream) // 4)


def model_device_stream(res):
    """Instance, physical device, device, and a queue on ring_idx 1."""
    return (set_reply(res, 0, 24) + create_instance(1) + set_reply(res, 24, 36) +
            enumerate_physical_devices(1, 2) + set_reply(res, 60, 24) + create_device(2, 3) +
            get_device_queue2(3, 4, ring_idx=1))


def model_version_stream(res):
    """vkEnumerateInstanceVersion, its reply at offset 200."""
    return set_reply(res, 200, 24) + pvtest.cmd_header(137, reply=True) + pvtest.u64(1)


def model_reply(where, offset):
    return struct.unpack('<Ii', ctypes.string_at(where + offset, 8))


def model_fences(vmm, ctx=None):
    """The fence ids reported, global ones (ctx None) or a context's."""
    if ctx is None:
        return [e[1] for e in vmm.seen() if e[0] == 'global']
    return [e[3] for e in vmm.seen() if e[0] == 'ctx' and e[1] == ctx]


def model_init(vmm, label):
    check(vmm.dog.call('virgl_renderer_init', None, MODELS[vmm.model],
                       ctypes.byref(vmm.cbs)) == 0, '%s: init' % label)
    vmm.poll_fd = vmm.dog.call('virgl_renderer_get_poll_fd')
    if vmm.model == 'thread-sync':
        check(vmm.poll_fd >= 0, '%s: virgl_renderer_get_poll_fd gives a file descriptor' % label)
    else:
        check(vmm.poll_fd == -1, '%s: no poll fd (%s)' %
              (label, 'fences come from the library\'s thread' if vmm.model == 'async'
               else 'fences are polled'))


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


def model_cleanup(vmm, label):
    t0 = time.monotonic()
    vmm.dog.call('virgl_renderer_cleanup', None)
    took = time.monotonic() - t0
    with vmm.cond:
        vmm.cleaned_up = True
    # (a stalled cleanup ends the run through the watchdog)
    pvtest.wait_for(lambda: not child_processes(), timeout=10, interval=0.05)
    check(not child_processes(), '%s: cleanup returns (%.2f s) and every context process has '
          'ended and been reaped (%d left)' % (label, took, len(child_processes())))


def model_fences_in_order(vmm, label):
    """(a), (b): fences reported as the model says, in order, with the
    streams before them run."""
    main = threading.get_ident()
    model_init(vmm, label)
    if vmm.model == 'thread-sync' and vmm.poll_fd >= 0:
        check(not select.select([vmm.poll_fd], [], [], 0)[0],
              '%s: the poll fd is not readable while nothing retired' % label)
    where = model_context(vmm, 1, 10, b'guest')
    check(where is not None, '%s: a context and its reply blob' % label)
    if where is None:
        return
    ok = model_submit(vmm, 1, model_device_stream(10)) == 0
    ok = vmm.dog.call('virgl_renderer_create_fence', 1, 0) == 0 and ok
    for fence in (11, 12, 13):
        ok = model_submit(vmm, 1, model_version_stream(10)) == 0 and ok
        ok = vmm.dog.call('virgl_renderer_context_create_fence', 1, 0, 1, fence) == 0 and ok
    ok = vmm.dog.call('virgl_renderer_create_fence', 2, 0) == 0 and ok
    check(ok, '%s: streams, a global fence, three fences on ring_idx 1, a global fence' % label)
    done = vmm.wait(lambda: len(model_fences(vmm)) == 2 and len(model_fences(vmm, 1)) == 3)
    how = {'thread-sync': 'through poll once the poll fd was readable',
           'async': 'without any poll', 'qemu': 'from poll'}[vmm.model]
    check(done and model_fences(vmm) == [1, 2] and model_fences(vmm, 1) == [11, 12, 13],
          '%s: every fence retires %s, in order (global %s, ring_idx 1 %s)' %
          (label, how, model_fences(vmm), model_fences(vmm, 1)))
    check(all(e[1:3] == (1, 1) for e in vmm.seen() if e[0] == 'ctx'),
          '%s: each fence is reported with its context and ring_idx' % label)
    check(model_reply(where, 0) == (0, 0) and model_reply(where, 60) == (11, 0) and
          model_reply(where, 200) == (137, 0),
          '%s: the streams before them ran (replies %s %s %s)' %
          (label, model_reply(where, 0), model_reply(where, 60), model_reply(where, 200)))
    threads = vmm.threads()
    if vmm.model == 'async':
        check(threads and main not in threads,
              '%s: the callbacks come from a thread of the library\'s' % label)
    else:
        check(threads == {main}, '%s: the callbacks come from the thread that polls' % label)

    # a context destroyed with fences in flight: nothing of it after destroy
    where2 = model_context(vmm, 2, 20, b'second')
    ok = where2 is not None and model_submit(vmm, 2, model_device_stream(20)) == 0
    for fence in range(100, 140):
        ok = vmm.dog.call('virgl_renderer_context_create_fence', 2, 0, 1, fence) == 0 and ok
    vmm.dog.call('virgl_renderer_resource_unmap', 20)
    vmm.dog.call('virgl_renderer_resource_unref', 20)
    vmm.dog.call('virgl_renderer_context_destroy', 2)
    reported = len(model_fences(vmm, 2))
    ok = vmm.dog.call('virgl_renderer_context_create_fence', 1, 0, 1, 14) == 0 and ok
    done = vmm.wait(lambda: 14 in model_fences(vmm, 1))
    check(ok and done and len(model_fences(vmm, 2)) == reported,
          '%s: a context destroyed with 40 fences in flight: none reported after its destroy '
          'returned (%d before), the other context\'s next fence is' % (label, reported))

    # a guest's last stream, still queued when its context is destroyed (its
    # process is still starting), reaches the process (which logs why it is
    # bad; the main script looks for that line)
    ok = vmm.dog.call('virgl_renderer_context_create_with_flags', 4, 4, 9, b'lastwords') == 0
    model_submit(vmm, 4, b'\xff' * 64)  # refused at once in-process
    vmm.dog.call('virgl_renderer_context_destroy', 4)
    check(ok, '%s: a context destroyed right after its garbage stream' % label)

    # cleanup with fences in flight: no callback once it returned
    for fence in range(15, 40):
        vmm.dog.call('virgl_renderer_context_create_fence', 1, 0, 1, fence)
    vmm.dog.call('virgl_renderer_create_fence', 3, 0)
    vmm.dog.call('virgl_renderer_resource_unmap', 10)
    vmm.dog.call('virgl_renderer_resource_unref', 10)
    model_cleanup(vmm, label)
    if vmm.model == 'thread-sync':
        vmm.dog.call('virgl_renderer_poll')
    with vmm.cond:
        late = list(vmm.after_cleanup)
    check(not late, '%s: no callback after cleanup returned (%s)' % (label, late[:3]))


def model_hang(vmm, label):
    """(c): a context whose host driver hangs beside one that goes on."""
    model_init(vmm, label)
    where = model_context(vmm, 1, 10, b'healthy')
    ok = where is not None and model_submit(vmm, 1, model_device_stream(10)) == 0
    ok = ok and vmm.dog.call('virgl_renderer_create_fence', 1, 0) == 0
    check(ok and vmm.wait(lambda: model_fences(vmm) == [1]) and model_reply(where, 60) == (11, 0),
          '%s: a healthy context with a device and a queue on ring_idx 1' % label)
    if not ok:
        return

    # the host driver hangs in the second context's vkEnumeratePhysicalDevices
    where2 = model_context(vmm, 2, 20, b'stuck', fault='hang:vkEnumeratePhysicalDevices')
    check(where2 is not None, '%s: a context whose host driver will hang' % label)
    model_submit(vmm, 2, set_reply(20, 0, 24) + create_instance(1) + set_reply(20, 24, 36) +
                 enumerate_physical_devices(1, 2))
    # more than its socket holds, which the process never reads
    flood = b'\0' * (4 << 20)
    check(model_submit(vmm, 2, flood) == 0 and model_submit(vmm, 2, flood) == 0,
          '%s: 8 MiB of streams for the stuck context return at once' % label)
    check(vmm.dog.call('virgl_renderer_context_create_fence', 2, 0, 0, 7) == 0,
          '%s: a fence on the stuck context' % label)
    check(vmm.dog.call('virgl_renderer_create_fence', 2, 0) == 0,
          '%s: a global fence after the stuck context\'s streams' % label)

    rounds = 0
    for i in range(20):
        ctypes.memset(where + 200, 0, 8)
        if model_submit(vmm, 1, model_version_stream(10)) != 0:
            break
        fence = 1000 + i
        vmm.dog.call('virgl_renderer_context_create_fence', 1, 0, 1, fence)
        if not vmm.wait(lambda: fence in model_fences(vmm, 1)) or \
                model_reply(where, 200) != (137, 0):
            break
        rounds += 1
    check(rounds == 20 and model_fences(vmm, 1) == list(range(1000, 1020)),
          '%s: the healthy context\'s fences keep retiring in order and its streams keep '
          'running (%d of 20 rounds)' % (label, rounds))
    check(7 not in model_fences(vmm, 2) and model_fences(vmm) == [1],
          '%s: the stuck context\'s fence, and the global fence after its streams, wait '
          '(global fences retire in order)' % label)

    # destroying it does not wait for the process, and frees the global fence
    vmm.dog.call('virgl_renderer_resource_unmap', 20)
    vmm.dog.call('virgl_renderer_resource_unref', 20)
    vmm.dog.call('virgl_renderer_context_destroy', 2)
    check(vmm.wait(lambda: model_fences(vmm) == [1, 2]),
          '%s: once the stuck context is destroyed (at once), the global fence retires' % label)
    check(7 not in model_fences(vmm, 2), '%s: the destroyed context\'s fence is not reported'
          % label)

    # a stuck context that is sent more than the library keeps for it is ended
    where3 = model_context(vmm, 3, 30, b'flooded', fault='hang:vkEnumeratePhysicalDevices')
    model_submit(vmm, 3, set_reply(30, 0, 24) + create_instance(1) + set_reply(30, 24, 36) +
                 enumerate_physical_devices(1, 2))
    vmm.dog.call('virgl_renderer_context_create_fence', 3, 0, 0, 8)
    vmm.dog.call('virgl_renderer_create_fence', 3, 0)
    refused = model_submit(vmm, 3, b'\0' * (65 << 20)) != 0
    check(where3 is not None and refused and
          vmm.wait(lambda: 8 in model_fences(vmm, 3) and model_fences(vmm) == [1, 2, 3]),
          '%s: a stuck context sent 65 MiB is ended: its fence and the global fence after it '
          'retire' % label)
    ctypes.memset(where + 200, 0, 8)
    model_submit(vmm, 1, model_version_stream(10))
    vmm.dog.call('virgl_renderer_context_create_fence', 1, 0, 1, 2000)
    check(vmm.wait(lambda: 2000 in model_fences(vmm, 1)) and model_reply(where, 200) == (137, 0),
          '%s: the healthy context goes on' % label)
    for res in (10, 30):
        vmm.dog.call('virgl_renderer_resource_unmap', res)
        vmm.dog.call('virgl_renderer_resource_unref', res)
    vmm.dog.call('virgl_renderer_context_destroy', 3)
    vmm.dog.call('virgl_renderer_context_destroy', 1)
    # the stuck process is killed within the grace period, not waited for
    model_cleanup(vmm, label)


def run_model(model, hang):
    label = '%s%s (%s)' % (model, ' beside a hung context' if hang else '', MODE)
    vmm = Vmm(model)
    if hang:
        model_hang(vmm, label)
    else:
        model_fences_in_order(vmm, label)


if MODEL in ('console', 'console-gl'):
    import vmm_console  # noqa: E402
    vmm_console.run(lib, gl=MODEL == 'console-gl')
if MODEL:
    run_model(MODEL, HANG)
    pvtest.finish()

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

if not IN_PROCESS and not FAULT_HOOKS:
    skip('a host driver that crashes, memory that cannot be shared: this build has no '
                'fault hooks (-Dfault_hooks=true)')
if not IN_PROCESS and FAULT_HOOKS:
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

if not IN_PROCESS and FAULT_HOOKS:
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

# -- a 2D resource beside the Venus contexts (vmm_console.py checks the 2D path) ----------
backing = ctypes.create_string_buffer(64 * 64 * 4)
iov = IoVec(ctypes.cast(backing, ctypes.c_void_p), len(backing))
create = CreateArgs(handle=30, target=2, format=1, bind=2, width=64, height=64, depth=1,
                    array_size=1)
check(lib.virgl_renderer_resource_create(ctypes.byref(create), None, 0) == 0,
      'a 2D resource (the guest console)')
check(lib.virgl_renderer_resource_create(ctypes.byref(CreateArgs(handle=10, target=2, format=1,
                                                                 width=8, height=8)), None, 0)
      != 0, 'a 2D resource with a blob\'s id is refused')
check(lib.virgl_renderer_resource_attach_iov(30, ctypes.byref(iov), 1) == 0, 'its backing')
check(lib.virgl_renderer_resource_attach_iov(10, ctypes.byref(iov), 1) != 0,
      'a backing for a HOST3D blob is refused')
got_iov, got_n = ctypes.c_void_p(), ctypes.c_int()
lib.virgl_renderer_resource_detach_iov(30, ctypes.byref(got_iov), ctypes.byref(got_n))
check(got_iov.value == ctypes.addressof(iov) and got_n.value == 1,
      'detach hands the VMM its iovecs back')

# -- teardown ---------------------------------------------------------------------------
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


# -- the other VMMs' fence models, and a context that hangs --------------------------
def run_child(args, what):
    """This script with --model ARGS, in a process of its own (a library
    that stalls fails its own watchdog, or at worst this timeout)."""
    try:
        child = subprocess.run([sys.executable, sys.argv[0], '--model'] + args,
                               capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or '')
        print(out, end='')
        check(False, '%s: did not finish within 300 s' % what)
        return None
    print(child.stdout, end='')
    if child.returncode:
        print(child.stderr[-4000:], end='')
    check(child.returncode == 0, '%s: all its checks passed' % what)
    return child


# the guest's console: 2D resources, without GL and through a GL display
child = run_child(['console'], 'the console, a VMM without GL (%s)' % MODE)
log = child.stderr if child else ''
check(log.count('the VMM gave no GL context callbacks') == 1,
      'without GL the log says once that scanouts get no texture')
check(len(re.findall(r'2D resource \d+: .*: refused', log)) >= 20 and
      re.search(r'outside the 64x48 resource: refused', log) and
      re.search(r'reach past the \d+-byte backing: refused', log),
      'hostile transfers and sizes are refused with a log line each, naming the resource')
child = run_child(['console-gl'], 'the console through a GL display (%s)' % MODE)
check(child is not None and 'no GL' not in child.stderr,
      'with GL callbacks nothing says there is no GL')

for model in ('thread-sync', 'async'):
    child = run_child([model], '%s VMM (%s)' % (model, MODE))
    check(child is not None and 'ctx 4 lastwords] error: guest error, context marked fatal' in
          child.stderr, '%s VMM (%s): a stream sent just before its context\'s destroy is run '
          '(the process logs why it is bad)' % (model, MODE))
if not IN_PROCESS and FAULT_HOOKS:
    for model in ('qemu', 'thread-sync', 'async'):
        child = run_child([model, '--hang'], '%s VMM beside a hung context' % model)
        check(child is not None and 'did not end within' in child.stderr,
              '%s VMM beside a hung context: the hung process was killed after its context '
              'was destroyed' % model)
elif not IN_PROCESS:
    skip('a context whose host driver hangs: this build has no fault hooks '
                '(-Dfault_hooks=true)')

if not IN_PROCESS:
    again = subprocess.run([sys.executable] + sys.argv, capture_output=True, text=True,
                           timeout=300, env=dict(os.environ, PV_VIRGL_IN_PROCESS='1'))
    print(again.stdout, end='')
    check(again.returncode == 0, 'everything again with the contexts in the VMM process')
pvtest.finish()
