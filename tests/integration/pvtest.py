# SPDX-License-Identifier: MIT
"""Helpers for the integration tests: the renderer binary, a server in the
background with its log, and a minimal vtest client for hand-made input."""

import array
import atexit
import mmap
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

PEARVISOR = os.environ.get('PEARVISOR_GPU', 'build/pearvisor-gpu')
HOST_ICD = os.environ.get('PV_TEST_ICD', '/usr/share/vulkan/icd.d/lvp_icd.json')

failures = []


# whether this build honours PV_FAULT (meson -Dfault_hooks=true; test builds)
FAULT_HOOKS = os.environ.get('PV_FAULT_HOOKS', '1') == '1'


def skip(what):
    print('SKIP %s' % what, flush=True)


def check(cond, what):
    print('%s %s' % ('ok  ' if cond else 'FAIL', what), flush=True)
    if not cond:
        failures.append(what)
    return cond


def finish():
    if failures:
        print('%d check(s) failed' % len(failures))
        sys.exit(1)
    print('all checks passed')
    sys.exit(0)


def wait_for(condition, timeout=10, interval=0.01):
    """Polls condition() until it is true or timeout seconds have passed;
    returns its last value.  For waiting on something observable (a log
    line, a ring word, a file) instead of sleeping."""
    deadline = time.time() + timeout
    while True:
        value = condition()
        if value or time.time() >= deadline:
            return value
        time.sleep(interval)


def run(args, timeout=300, env=None, options=()):
    """pearvisor-gpu run [options] -- args; returns CompletedProcess (text)."""
    cmd = [PEARVISOR, 'run', '--icd', HOST_ICD] + list(options) + ['--'] + args
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)


def run_native(args, timeout=300, env=None):
    env = dict(env if env is not None else os.environ, VK_DRIVER_FILES=HOST_ICD,
               VK_ICD_FILENAMES=HOST_ICD)
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)


class Server:
    """pearvisor-gpu serve on a private socket, its stderr in a file."""

    running = []

    def __init__(self, extra_args=(), env=None):
        self.dir = tempfile.mkdtemp(prefix='pv-test-')
        self.socket = os.path.join(self.dir, 'vtest.sock')
        self.log_path = os.path.join(self.dir, 'server.log')
        self.log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(
            [PEARVISOR, 'serve', '--socket', self.socket, '--icd', HOST_ICD] + list(extra_args),
            stdout=subprocess.DEVNULL, stderr=self.log, env=env)
        Server.running.append(self)
        for _ in range(200):
            if os.path.exists(self.socket):
                break
            time.sleep(0.02)

    def alive(self):
        return self.proc.poll() is None

    def log_text(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def wait_log(self, needle, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if needle in self.log_text():
                return True
            time.sleep(0.05)
        return False

    def venus_env(self):
        icd = os.environ.get('PV_VENUS_ICD', '/usr/share/vulkan/icd.d/virtio_icd.json')
        return dict(os.environ, VK_DRIVER_FILES=icd, VK_ICD_FILENAMES=icd, VN_DEBUG='vtest',
                    VTEST_SOCKET_NAME=self.socket)

    def stop(self):
        if self in Server.running:
            Server.running.remove(self)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@atexit.register
def _stop_servers():
    """A test that dies half-way leaves no server behind."""
    for server in list(Server.running):
        server.stop()


# -- a raw vtest client ------------------------------------------------------

VCMD_RESOURCE_UNREF = 3
VCMD_RESOURCE_BUSY_WAIT = 7
VCMD_CREATE_RENDERER = 8
VCMD_PING_PROTOCOL_VERSION = 10
VCMD_PROTOCOL_VERSION = 11
VCMD_GET_PARAM = 15
VCMD_GET_CAPSET = 16
VCMD_CONTEXT_INIT = 17
VCMD_RESOURCE_CREATE_BLOB = 18
VCMD_SYNC_CREATE = 19
VCMD_SYNC_READ = 21
VCMD_SYNC_WRITE = 22
VCMD_SYNC_WAIT = 23
VCMD_SUBMIT_CMD2 = 24


class Client:
    """Speaks vtest like Mesa's Venus driver does, and lets a test send
    anything else too."""

    def __init__(self, path, name='pvtest'):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        name_bytes = name.encode() + b'\0'
        self.send_raw(struct.pack('<II', len(name_bytes), VCMD_CREATE_RENDERER) + name_bytes)

    def send_raw(self, data):
        self.sock.sendall(data)

    def try_send(self, cmd, *dwords):
        """send() to a server that may already have dropped this client."""
        try:
            self.send(cmd, *dwords)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send(self, cmd, *dwords):
        self.send_raw(struct.pack('<II', len(dwords), cmd) + struct.pack('<%dI' % len(dwords),
                                                                            *dwords))

    def recv_exact(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError('closed')
            data += chunk
        return data

    def reply(self):
        length, cmd = struct.unpack('<II', self.recv_exact(8))
        return cmd, self.recv_exact(length * 4)

    def recv_fd(self):
        msg, fds, flags, addr = socket.recv_fds(self.sock, 1, 1)
        return fds[0]

    def handshake(self):
        self.send(VCMD_PROTOCOL_VERSION, 3)
        cmd, data = self.reply()
        assert struct.unpack('<I', data)[0] == 3
        self.send(VCMD_GET_CAPSET, 4, 0)
        cmd, data = self.reply()
        self.capset = data
        self.send(VCMD_CONTEXT_INIT, 4)

    def roundtrip(self):
        """Returns once the server has handled everything sent before."""
        self.send(VCMD_PING_PROTOCOL_VERSION)
        self.reply()

    def bring_up(self, ring_idx=None, reply_size=4096):
        """Instance 1, physical device 2, device 3 (and queue 4, bound to
        timeline ring_idx, if given); returns the reply blob's id and map."""
        self.handshake()
        res, reply = self.create_blob(reply_size)
        stream = (set_reply(res, 0, 24) + create_instance(1) +
                  set_reply(res, 24, 36) + enumerate_physical_devices(1, 2) +
                  set_reply(res, 60, 24) + create_device(2, 3))
        if ring_idx is not None:
            stream += get_device_queue2(3, 4, ring_idx=ring_idx)
        self.submit(stream)
        self.roundtrip()
        ok = (struct.unpack_from('<Ii', reply, 0) == (0, 0) and
              struct.unpack_from('<Ii', reply, 24) == (2, 0) and
              struct.unpack_from('<Ii', reply, 60) == (11, 0))
        if not ok:
            raise ConnectionError('bring-up failed')
        return res, reply

    def create_blob(self, size):
        self.send(VCMD_RESOURCE_CREATE_BLOB, 2, 1, size & 0xffffffff, size >> 32, 0, 0)
        cmd, data = self.reply()
        res_id = struct.unpack('<I', data)[0]
        fd = self.recv_fd()
        m = mmap.mmap(fd, size)
        os.close(fd)
        return res_id, m

    def submit(self, stream, ring_idx=0, syncs=()):
        """SUBMIT_CMD2 with one batch, as Mesa writes it."""
        assert len(stream) % 4 == 0
        cs_dwords = len(stream) // 4
        header = 1 + 6
        sync_offset = header + cs_dwords
        payload = struct.pack('<I', 1)
        payload += struct.pack('<6I', 1, header, cs_dwords, sync_offset, len(syncs), ring_idx)
        payload += stream
        for sync_id, value in syncs:
            payload += struct.pack('<IQ', sync_id, value)
        self.send_raw(struct.pack('<II', len(payload) // 4, VCMD_SUBMIT_CMD2) + payload)

    def closed_by_server(self, timeout=10):
        """Whether the server dropped this client."""
        self.sock.settimeout(timeout)
        try:
            while True:
                if not self.sock.recv(4096):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


# -- Venus command encoding (the pieces the tests need) ----------------------

def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


def cmd_header(cmd_type, reply=False):
    return u32(cmd_type) + u32(1 if reply else 0)


def set_reply(res_id, offset, size):
    # vkSetReplyCommandStreamMESA: marker, {resourceId, offset, size}
    return cmd_header(178) + u64(1) + u32(res_id) + u64(offset) + u64(size)


def create_instance(instance_id):
    info = (u32(1) + u64(0) + u32(0) +        # sType, pNext, flags
            u64(0) + u32(0) + u64(0) +         # pApplicationInfo, layers
            u32(0) + u64(0))                   # extensions
    return cmd_header(0, reply=True) + u64(1) + info + u64(0) + u64(1) + u64(instance_id)


def create_ring(ring_id, res_id, size, head=0, tail=64, status=128, buffer=192,
                buffer_size=None, extra=None, extra_size=4, monitor_us=3000000):
    if buffer_size is None:
        buffer_size = 1 << ((size - 196).bit_length() - 1)
    if extra is None:
        extra = buffer + buffer_size
    info = u32(1000384000)                     # VK_STRUCTURE_TYPE_RING_CREATE_INFO_MESA
    info += u64(1) + u32(1000384006) + u64(0) + u32(monitor_us)  # monitor in chain
    info += u32(0) + u32(res_id) + u64(0) + u64(size) + u64(1000000)
    info += u64(head) + u64(tail) + u64(status) + u64(buffer) + u64(buffer_size)
    info += u64(extra) + u64(extra_size)
    return cmd_header(188) + u64(ring_id) + u64(1) + info


def f32(v):
    return struct.pack('<f', v)


def enumerate_physical_devices(instance_id, pdev_id):
    return (cmd_header(2, reply=True) + u64(instance_id) + u64(1) + u32(1) + u64(1) +
            u64(pdev_id))


def create_device(pdev_id, device_id, family=0):
    queue = (u32(2) + u64(0) + u32(0) + u32(family) + u32(1) +   # one queue
             u64(1) + f32(1.0))                                  # its priority
    info = (u32(3) + u64(0) + u32(0) + u32(1) + u64(1) + queue +
            u32(0) + u64(0) + u32(0) + u64(0) + u64(0))          # no layers/exts/features
    return cmd_header(11, reply=True) + u64(pdev_id) + u64(1) + info + u64(0) + u64(1) + \
        u64(device_id)


def get_device_queue2(device_id, queue_id, ring_idx, family=0):
    chain = u64(1) + u32(1000384005) + u64(0) + u32(ring_idx)    # VkDeviceQueueTimelineInfoMESA
    info = u32(1000145003) + chain + u32(0) + u32(family) + u32(0)
    return cmd_header(155) + u64(device_id) + u64(1) + info + u64(1) + u64(queue_id)


# -- a ring driven by hand ---------------------------------------------------

RING_SIZE = 131268
HEAD, TAIL, STATUS, BUFFER, BUFFER_SIZE = 0, 64, 128, 192, 131072
EXTRA = BUFFER + BUFFER_SIZE
IDLE, FATAL, ALIVE = 1, 2, 4


class Ring:
    def __init__(self, client, ring_id=0x5600aa00, monitor_us=100000):
        self.c = client
        self.id = ring_id
        self.res, self.shm = client.create_blob(RING_SIZE)
        # 32-bit view: stores of whole words, as the guest's atomics do
        # (struct.pack_into writes byte by byte and the renderer would see
        # torn tails)
        self.words = memoryview(self.shm).cast('I')
        self.cur = 0
        client.submit(create_ring(ring_id, self.res, RING_SIZE, monitor_us=monitor_us))

    def word(self, offset):
        return self.words[offset // 4]

    def write(self, data, notify=True):
        # like the guest: wait until the renderer has consumed enough
        while ((self.cur + len(data) - self.word(HEAD)) & 0xffffffff) > BUFFER_SIZE:
            time.sleep(0.0005)
        for i in range(len(data)):
            self.shm[BUFFER + (self.cur + i) % BUFFER_SIZE] = data[i]
        self.cur = (self.cur + len(data)) & 0xffffffff
        self.words[TAIL // 4] = self.cur
        if notify and self.word(STATUS) & IDLE:
            # vkNotifyRingMESA through the transport, as Mesa does
            self.c.submit(cmd_header(190) + u64(self.id) + u32(self.cur) + u32(0))
        return self.cur

    def wait_head(self, seqno, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if ((self.word(HEAD) - seqno) & 0xffffffff) < 0x80000000:
                return True
            time.sleep(0.001)
        return False




# -- pictures -----------------------------------------------------------------

def png_pixels(path):
    """(width, height, bytes per pixel, pixel rows) of an 8-bit PNG without
    interlacing, decoded with the standard library (zlib + the five
    filters), so that tests compare pixels rather than encodings."""
    import zlib
    with open(path, 'rb') as f:
        data = f.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat, width = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack_from('>I4s', data, pos)
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, color, _, _, interlace = struct.unpack('>IIBBBBB', body)
            assert depth == 8 and interlace == 0, 'only 8-bit, non-interlaced PNGs'
            bpp = {0: 1, 2: 3, 4: 2, 6: 4}[color]
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xff
            elif kind == 2:
                line[x] = (line[x] + b) & 0xff
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xff
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xff
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def differing_pixels(a, b):
    """How many pixels differ between two png_pixels() results."""
    wa, ha, bpa, ra = a
    wb, hb, bpb, rb = b
    if (wa, ha, bpa) != (wb, hb, bpb):
        return wa * ha
    count = 0
    for row_a, row_b in zip(ra, rb):
        if row_a != row_b:
            count += sum(row_a[i:i + bpa] != row_b[i:i + bpa] for i in range(0, len(row_a), bpa))
    return count
