# SPDX-License-Identifier: MIT
"""The guest's console through the virglrenderer library (docs/vmm.md): 2D
resources driven as QEMU 10.0's virtio-gpu-gl drives them, run by
test_vmm_api.py in a process of its own (--model console, console-gl).

A 2D resource (B8G8R8X8, Y_0_TOP, as the guest kernel's console) gets a
backing of three uneven iovecs; transfers copy the guest's bytes into the
host's pixels (whole, a box at an offset, a box from an iovec of its own with
a stride), which transfer_read_iov and the cursor data give back; hostile
boxes, offsets, strides and short iovecs are refused and change nothing;
resources too large are refused; get_info and get_info_ext describe it.
With --model console the VMM gives no GL callbacks (the log says so once,
tex_id is 0); with console-gl the test plays QEMU's display with EGL
(Mesa's surfaceless platform, no window system): the library asks it for a
shared context, and the texture get_info names holds the pixels, bottom row
first, read back from the test's own context, and follows a transfer."""

import ctypes
import random

import pvtest
from pvtest import check
from virgl_abi import (B8G8R8A8_UNORM, B8G8R8X8_UNORM, CREATE_GL_CONTEXT, DESTROY_GL_CONTEXT,
                       MAKE_CURRENT, RENDER_SERVER, VENUS, WRITE_FENCE, Y_0_TOP, Box, Callbacks,
                       CreateArgs, IoVec, ResourceInfo, ResourceInfoExt)

W, H = 64, 48
STRIDE = W * 4
CONSOLE, CURSOR, BUFFER, RANDOM = 30, 31, 33, 34
U32 = ctypes.c_uint32


def create(lib, handle, width, height, fmt=B8G8R8X8_UNORM, target=2, flags=Y_0_TOP):
    args = CreateArgs(handle=handle, target=target, format=fmt, bind=2, width=width,
                      height=height, depth=1, array_size=1, flags=flags)
    return lib.virgl_renderer_resource_create(ctypes.byref(args), None, 0)


class Backing:
    """Guest pages: a bytes-like image split into iovecs of the given
    sizes (the last takes the rest)."""

    def __init__(self, data, sizes):
        self.buffers, self.iov = [], (IoVec * (len(sizes) + 1))()
        at = 0
        for i, n in enumerate(list(sizes) + [len(data) - sum(sizes)]):
            buf = ctypes.create_string_buffer(bytes(data[at:at + n]), n)
            self.buffers.append(buf)
            self.iov[i] = IoVec(ctypes.cast(buf, ctypes.c_void_p), n)
            at += n

    def write(self, offset, data):
        """Writes data at offset of the concatenation, across iovecs."""
        for buf in self.buffers:
            n = len(buf)
            if offset < n and data:
                take = min(n - offset, len(data))
                ctypes.memmove(ctypes.addressof(buf) + offset, data[:take], take)
                data, offset = data[take:], 0
            else:
                offset -= n


class Console:
    def __init__(self, lib):
        self.lib = lib
        lib.virgl_renderer_get_cursor_data.restype = ctypes.c_void_p
        lib.virgl_renderer_transfer_write_iov.argtypes = [
            U32, U32, ctypes.c_int, U32, U32, ctypes.c_void_p, ctypes.c_uint64,
            ctypes.c_void_p, ctypes.c_uint]
        lib.virgl_renderer_transfer_read_iov.argtypes = [
            U32, U32, U32, U32, U32, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_void_p,
            ctypes.c_int]
        self.libc = ctypes.CDLL(None)
        self.libc.free.argtypes = [ctypes.c_void_p]

    def write(self, res, box, offset=0, iov=None, count=0, stride=0, level=0):
        return self.lib.virgl_renderer_transfer_write_iov(
            res, 0, level, stride, 0, ctypes.byref(box) if box else None, offset, iov, count)

    def pixels(self, res, width=W, height=H):
        """The host's pixels, read back into an iovec of this test's."""
        out = ctypes.create_string_buffer(width * height * 4)
        iov = IoVec(ctypes.cast(out, ctypes.c_void_p), len(out))
        ret = self.lib.virgl_renderer_transfer_read_iov(
            res, 0, 0, 0, 0, ctypes.byref(Box(0, 0, 0, width, height, 1)), 0,
            ctypes.byref(iov), 1)
        return out.raw if ret == 0 else None

    def cursor(self, res):
        w, h = U32(), U32()
        ptr = self.lib.virgl_renderer_get_cursor_data(res, ctypes.byref(w), ctypes.byref(h))
        if not ptr:
            return None, w.value, h.value
        data = ctypes.string_at(ptr, w.value * h.value * 4)
        self.libc.free(ptr)
        return data, w.value, h.value


def boxed(model, source, x, y, w, h, offset, stride=STRIDE):
    """model with the box's rows taken from source (rows at offset, stride
    apart), as a transfer to the host must copy them."""
    model = bytearray(model)
    for row in range(h):
        at = offset + row * stride
        model[(y + row) * STRIDE + x * 4:(y + row) * STRIDE + (x + w) * 4] = source[at:at + w * 4]
    return bytes(model)


def opaque(pixels):
    """B8G8R8X8 bytes as the cursor's ARGB words (little-endian: B, G, R, A
    with A opaque)."""
    out = bytearray(pixels)
    out[3::4] = b'\xff' * (len(out) // 4)
    return bytes(out)


def check_info(lib, res, texture_expected):
    info = ResourceInfo()
    ret = lib.virgl_renderer_resource_get_info(res, ctypes.byref(info))
    fourcc = int.from_bytes(b'XR24', 'little')
    check(ret == 0 and (info.handle, info.virgl_format, info.width, info.height, info.depth,
                        info.flags, info.stride, info.drm_fourcc, info.fd) ==
          (res, B8G8R8X8_UNORM, W, H, 1, Y_0_TOP, STRIDE, fourcc, -1),
          'resource_get_info: handle, format, %dx%d, Y_0_TOP, stride %d, XRGB8888, no fd '
          '(%d %d %dx%d flags %d stride %d fourcc 0x%x fd %d)' %
          (W, H, STRIDE, info.handle, info.virgl_format, info.width, info.height, info.flags,
           info.stride, info.drm_fourcc, info.fd))
    check((info.tex_id != 0) == texture_expected,
          'tex_id %d (%s)' % (info.tex_id, 'a texture in the VMM\'s GL context'
                              if texture_expected else 'no GL context: none'))
    ext = ResourceInfoExt()
    ret = lib.virgl_renderer_resource_get_info_ext(res, ctypes.byref(ext))
    check(ret == 0 and ext.version == 0 and bytes(ext.base) == bytes(info) and
          not ext.has_dmabuf_export and not ext.d3d_tex2d,
          'resource_get_info_ext (QEMU 10.0 asks it at SET_SCANOUT) says the same')
    return info.tex_id


def hostile_transfers(c, res, backing, model):
    """Each refused, the host's pixels unchanged."""
    short = ctypes.create_string_buffer(100)
    short_iov = IoVec(ctypes.cast(short, ctypes.c_void_p), 100)
    size = len(backing)
    cases = [
        ('a box past the right edge (x 60, w 10)', dict(box=Box(60, 0, 0, 10, 1, 1))),
        ('a box whose y + h wraps in 32 bits', dict(box=Box(0, 0xffffffff, 0, 1, 2, 1))),
        ('a box whose x + w wraps in 32 bits', dict(box=Box(1, 0, 0, 0xffffffff, 1, 1))),
        ('a box taller than the resource', dict(box=Box(0, 1, 0, W, H, 1))),
        ('an offset of 2^63', dict(box=Box(0, 0, 0, W, 1, 1), offset=1 << 63)),
        ('an offset of 2^64 - 1', dict(box=Box(0, 0, 0, 1, 1, 1), offset=(1 << 64) - 1)),
        ('a row that ends past the backing', dict(box=Box(0, 0, 0, W, 1, 1),
                                                  offset=size - 100)),
        ('rows that end past the backing', dict(box=Box(0, 0, 0, W, 2, 1),
                                                offset=size - STRIDE)),
        ('an iovec shorter than the transfer', dict(box=Box(0, 0, 0, W, 1, 1),
                                                    iov=ctypes.byref(short_iov), count=1)),
        ('a stride shorter than a row', dict(box=Box(0, 0, 0, 8, 2, 1), stride=16)),
        ('a stride of 4 GiB - 1 over 48 rows', dict(box=Box(0, 0, 0, W, H, 1),
                                                    stride=0xffffffff)),
        ('level 1', dict(box=Box(0, 0, 0, 1, 1, 1), level=1)),
        ('z 1', dict(box=Box(0, 0, 1, 1, 1, 1))),
        ('depth 2', dict(box=Box(0, 0, 0, 1, 1, 2))),
        ('no box', dict(box=None)),
    ]
    for what, kw in cases:
        ret = c.write(res, **kw)
        check(ret != 0 and c.pixels(res) == model,
              'hostile transfer refused, pixels unchanged: %s (%d)' % (what, ret))
    check(c.write(999, Box(0, 0, 0, 1, 1, 1)) != 0, 'a transfer to no resource is refused')


def transfer_allowed(width, height, box, offset, stride, level, length):
    """Whether a transfer to a width x height resource must be taken, by
    the rules of docs/vmm.md (refused: the pixels stay as they are)."""
    x, y, z, w, h, d = box
    if level or z or d > 1 or x + w > width or y + h > height:
        return False
    if not (w and h and d):
        return True  # nothing to copy
    row = w * 4
    stride = stride or width * 4
    return stride >= row and offset <= length and (h - 1) * stride + row <= length - offset


def random_transfers(lib, c, rng, rounds=400):
    """Transfers of random, mostly hostile, values against a model of the
    rules: each taken or refused as the model says, the pixels always the
    model's (under ASan: no access outside the pixels or the iovecs)."""
    width, height = 37, 23
    check(create(lib, RANDOM, width, height) == 0, 'a 37x23 resource for random transfers')
    data = bytes(rng.getrandbits(8) for _ in range(width * height * 4 + 77))
    backing = Backing(data, [13, 400, 1])
    lib.virgl_renderer_resource_attach_iov(RANDOM, backing.iov, 4)
    model = bytearray(width * height * 4)
    edges = [0, 1, 2, width - 1, width, height - 1, height, 0x7fffffff, 0xfffffffe, 0xffffffff]
    wrong, taken = [], 0
    for i in range(rounds):
        if rng.random() < 0.5:  # a box inside, at an offset that may fit
            x, y = rng.randrange(width), rng.randrange(height)
            w, h, z, d = rng.randrange(width - x + 1), rng.randrange(height - y + 1), 0, 1
            stride = rng.choice([0, w * 4, w * 4 + rng.randrange(64)])
            offset = rng.randrange(len(data) // 2)
            level = 0
        else:  # anything, edges and wrapping values most of all
            x, y, w, h = (rng.choice(edges) if rng.random() < 0.4 else rng.randrange(0, 40)
                          for _ in range(4))
            z, d = rng.choice([0, 0, 0, 1]), rng.choice([1, 1, 1, 0, 2])
            stride = rng.choice([0, 0, w * 4, w * 4 + 3, w * 4 - 4, 0xffffffff,
                                 rng.randrange(200)]) & 0xffffffff
            offset = rng.choice([0, rng.randrange(len(data)), len(data) - rng.randrange(300),
                                 (1 << 64) - 1 - rng.randrange(3), 1 << 63])
            level = rng.choice([0] * 9 + [1])
        short = None
        if rng.random() < 0.2:
            short = ctypes.create_string_buffer(rng.randrange(1, 600))
            iov, count, source = IoVec(ctypes.cast(short, ctypes.c_void_p), len(short)), 1, \
                short.raw
        else:
            iov, count, source = None, 0, data
        allowed = transfer_allowed(width, height, (x, y, z, w, h, d), offset, stride, level,
                                   len(source))
        ret = c.write(RANDOM, Box(x, y, z, w, h, d), offset=offset,
                      iov=ctypes.byref(iov) if iov else None, count=count, stride=stride,
                      level=level)
        if allowed and w and h and d:
            step = stride or width * 4
            for row in range(h):
                at = offset + row * step
                model[((y + row) * width + x) * 4:((y + row) * width + x + w) * 4] = \
                    source[at:at + w * 4]
        taken += allowed
        if (ret == 0) != allowed:
            wrong.append((box, offset, stride, level, len(source), ret))
    check(not wrong and 0 < taken < rounds,
          '%d random transfers taken (%d) or refused as the rules say (%d wrong: %s)' %
          (rounds, taken, len(wrong), wrong[:3]))
    check(c.pixels(RANDOM, width, height) == bytes(model),
          'after them the pixels are exactly what the taken ones copied')
    lib.virgl_renderer_resource_detach_iov(RANDOM, None, None)
    lib.virgl_renderer_resource_unref(RANDOM)


def sizes(lib):
    for what, (w, h) in (('16384x16384 (1 GiB)', (16384, 16384)), ('0x16', (0, 16)),
                         ('16385x1', (16385, 1)), ('2^32-1 square', (0xffffffff, 0xffffffff))):
        check(create(lib, 40, w, h) != 0, 'a 2D resource of %s is refused' % what)
    # 62.5 MiB each: the fifth goes past the 256 MiB all 2D resources may take
    made = [create(lib, 41 + i, 4096, 4000) for i in range(5)]
    check(made[:4] == [0] * 4 and made[4] != 0,
          'resources are refused once together they would pass 256 MiB (%s)' % made)
    for i in range(5):
        lib.virgl_renderer_resource_unref(41 + i)
    check(create(lib, 45, 4096, 4096) == 0, 'unref gives their memory back')
    lib.virgl_renderer_resource_unref(45)


def console_checks(lib, c, gl):
    rng = random.Random(14)
    check(create(lib, CONSOLE, W, H) == 0, 'a 2D resource, B8G8R8X8 64x48 (the console)')
    check(create(lib, CONSOLE, W, H) != 0, 'a second resource of the same id is refused')
    model = bytes(W * H * 4)
    check(c.pixels(CONSOLE) == model, 'its pixels start black')
    check(c.write(CONSOLE, Box(0, 0, 0, W, H, 1)) != 0, 'a transfer without a backing is refused')
    data = bytes(rng.getrandbits(8) for _ in range(W * H * 4))
    backing = Backing(data, [1000, 5000])  # iovecs that split rows and pixels
    check(lib.virgl_renderer_resource_attach_iov(CONSOLE, backing.iov, 3) == 0,
          'its backing: three iovecs of 1000, 5000 and 6288 bytes')
    check(lib.virgl_renderer_resource_attach_iov(CONSOLE, backing.iov, 3) != 0,
          'a second backing is refused')
    check(c.write(CONSOLE, Box(0, 0, 0, W, H, 1)) == 0 and c.pixels(CONSOLE) == data,
          'a whole transfer copies the guest\'s bytes into the host\'s pixels')
    model = data
    tex = check_info(lib, CONSOLE, gl)

    # a box at an offset: the backing's rows are the resource's width apart
    fresh = bytes(rng.getrandbits(8) for _ in range(W * H * 4))
    backing.write(0, fresh)
    x, y, w, h = 5, 7, 10, 3
    offset = y * STRIDE + x * 4
    model = boxed(model, fresh, x, y, w, h, offset)
    check(c.write(CONSOLE, Box(x, y, 0, w, h, 1), offset=offset) == 0 and
          c.pixels(CONSOLE) == model,
          'a transfer of a 10x3 box at (5, 7) copies that box and nothing else')

    # a box from an iovec of its own, with a stride (a 3D transfer's way)
    own = bytes(rng.getrandbits(8) for _ in range(4 * 40))
    own_buf = ctypes.create_string_buffer(own, len(own))
    own_iov = IoVec(ctypes.cast(own_buf, ctypes.c_void_p), len(own))
    model = boxed(model, own, 20, 30, 8, 4, 0, stride=40)
    check(c.write(CONSOLE, Box(20, 30, 0, 8, 4, 1), iov=ctypes.byref(own_iov), count=1,
                  stride=40) == 0 and c.pixels(CONSOLE) == model,
          'a transfer from an iovec of its own with a stride of 40 copies its 8x4 box')

    hostile_transfers(c, CONSOLE, data, model)
    check(lib.virgl_renderer_resource_attach_iov(999, backing.iov, 3) != 0,
          'a backing for no resource is refused')
    check(create(lib, BUFFER, 4096, 1, fmt=64, target=0, flags=0) == 0 and
          c.write(BUFFER, Box(0, 0, 0, 16, 1, 1)) != 0,
          'an OpenGL guest\'s buffer is kept (created), its pixels are not (transfers refused)')
    sizes(lib)
    random_transfers(lib, c, rng)

    cursor_data, cw, ch = c.cursor(CONSOLE)
    check(cursor_data == opaque(model) and (cw, ch) == (W, H),
          'cursor data: the pixels as ARGB words, X made opaque (%dx%d)' % (cw, ch))
    check(create(lib, CURSOR, 64, 64, fmt=B8G8R8A8_UNORM) == 0, 'a 64x64 B8G8R8A8 cursor')
    arrow = bytes(rng.getrandbits(8) for _ in range(64 * 64 * 4))
    cursor_backing = Backing(arrow, [])
    lib.virgl_renderer_resource_attach_iov(CURSOR, cursor_backing.iov, 1)
    c.write(CURSOR, Box(0, 0, 0, 64, 64, 1))
    check(c.cursor(CURSOR) == (arrow, 64, 64), 'its cursor data is its pixels, alpha kept')
    check(c.cursor(999) == (None, 0, 0), 'no cursor data for no resource')

    got_iov, got_n = ctypes.c_void_p(), ctypes.c_int()
    lib.virgl_renderer_resource_detach_iov(CONSOLE, ctypes.byref(got_iov), ctypes.byref(got_n))
    check(got_iov.value == ctypes.addressof(backing.iov) and got_n.value == 3,
          'detach hands the VMM its iovecs back')
    check(c.write(CONSOLE, Box(0, 0, 0, W, H, 1)) != 0 and c.pixels(CONSOLE) == model,
          'a transfer after detach is refused (no backing)')
    return model, tex, backing


def run(lib, gl):
    c = Console(lib)
    display = EglDisplay() if gl else None
    cbs = Callbacks(version=1 if gl else 3, write_fence=WRITE_FENCE(lambda cookie, f: None))
    if gl:
        cbs.create_gl_context = ctypes.cast(display.create_cb, ctypes.c_void_p)
        cbs.destroy_gl_context = ctypes.cast(display.destroy_cb, ctypes.c_void_p)
        cbs.make_current = ctypes.cast(display.make_current_cb, ctypes.c_void_p)
    check(lib.virgl_renderer_init(None, VENUS | RENDER_SERVER, ctypes.byref(cbs)) == 0,
          'init as QEMU 10.0 (%s)' % ('with GL callbacks' if gl else 'no GL callbacks'))
    model, tex, backing = console_checks(lib, c, gl)
    if gl:
        gl_checks(lib, c, display, model, tex, backing)
    for res in (CONSOLE, CURSOR, BUFFER):
        lib.virgl_renderer_resource_unref(res)
    check(lib.virgl_renderer_resource_get_info(CONSOLE, ctypes.byref(ResourceInfo())) != 0,
          'an unref\'d resource is gone')
    lib.virgl_renderer_cleanup(None)
    if gl:
        check(display.destroyed == display.made,
              'cleanup gives the library\'s GL context back to the VMM')
    pvtest.finish()


# -- a VMM's GL display, played with EGL -----------------------------------------------
EGL_PLATFORM_SURFACELESS_MESA = 0x31DD
EGL_OPENGL_API = 0x30A2
EGL_NONE = 0x3038
GL_TEXTURE_2D, GL_RGBA, GL_UNSIGNED_BYTE = 0x0DE1, 0x1908, 0x1401


class EglDisplay:
    """QEMU's display as far as the library sees it: a context of its own
    (the window's), and contexts for the renderer shared with it."""

    def __init__(self):
        egl = self.egl = ctypes.CDLL('libEGL.so.1')
        self.gl = ctypes.CDLL('libOpenGL.so.0')
        vp = ctypes.c_void_p
        egl.eglGetPlatformDisplay.restype = vp
        egl.eglGetPlatformDisplay.argtypes = [ctypes.c_uint, vp, vp]
        egl.eglInitialize.argtypes = [vp, vp, vp]
        egl.eglCreateContext.restype = vp
        egl.eglCreateContext.argtypes = [vp, vp, vp, vp]
        egl.eglMakeCurrent.argtypes = [vp, vp, vp, vp]
        egl.eglDestroyContext.argtypes = [vp, vp]
        egl.eglGetCurrentContext.restype = vp
        self.dpy = egl.eglGetPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA, None, None)
        ok = bool(self.dpy) and egl.eglInitialize(self.dpy, None, None) and \
            egl.eglBindAPI(EGL_OPENGL_API)
        self.window = self.context(3, 3, None) if ok else None
        if not check(self.window is not None,
                     'an EGL context on Mesa\'s surfaceless platform plays the VMM\'s display'):
            pvtest.finish()
        self.make(self.window)
        self.made, self.destroyed, self.params = [], [], []
        self.create_cb = CREATE_GL_CONTEXT(self._create)
        self.destroy_cb = DESTROY_GL_CONTEXT(self._destroy)
        self.make_current_cb = MAKE_CURRENT(lambda cookie, idx, ctx: 0 if self.make(ctx) else -1)

    def context(self, major, minor, share):
        attrs = (ctypes.c_int * 7)(0x3098, major, 0x30FB, minor, 0x30FD, 1, EGL_NONE)
        return self.egl.eglCreateContext(self.dpy, None, share, attrs) or None

    def make(self, ctx):
        return self.egl.eglMakeCurrent(self.dpy, None, None, ctx)

    def _create(self, cookie, scanout, param):
        p = param.contents
        self.params.append((scanout, p.shared, p.major_ver, p.minor_ver))
        ctx = self.context(p.major_ver, p.minor_ver, self.window if p.shared else None)
        if ctx:
            self.made.append(ctx)
        return ctx

    def _destroy(self, cookie, ctx):
        self.destroyed.append(ctx)
        self.egl.eglDestroyContext(self.dpy, ctx)

    def texture(self, tex, width, height):
        """The texture's RGBA rows, read from the display's own context."""
        self.make(self.window)
        out = ctypes.create_string_buffer(width * height * 4)
        self.gl.glBindTexture(GL_TEXTURE_2D, tex)
        self.gl.glGetTexImage(GL_TEXTURE_2D, 0, GL_RGBA, GL_UNSIGNED_BYTE, out)
        self.gl.glBindTexture(GL_TEXTURE_2D, 0)
        return out.raw


def as_texture(pixels, width, height):
    """B8G8R8X8 rows, top first, as a Y_0_TOP resource's texture holds
    them: R, G, B, opaque A, bottom row first."""
    rows = []
    for row in reversed(range(height)):
        line = pixels[row * width * 4:(row + 1) * width * 4]
        out = bytearray(len(line))
        out[0::4], out[1::4], out[2::4] = line[2::4], line[1::4], line[0::4]
        out[3::4] = b'\xff' * width
        rows.append(bytes(out))
    return b''.join(rows)


def gl_checks(lib, c, display, model, tex, backing):
    check(len(display.made) == 1 and display.params[0][1] and display.params[0][0] == 0,
          'the library asked the VMM for one shared GL context for scanout 0 (%s)' %
          display.params)
    check(display.texture(tex, W, H) == as_texture(model, W, H),
          'the scanout texture, read from the display\'s own context, holds the pixels '
          '(R, G, B, bottom row first, as QEMU shows a Y_0_TOP texture)')
    lib.virgl_renderer_resource_attach_iov(CONSOLE, backing.iov, 3)
    fresh = bytes(random.Random(15).getrandbits(8) for _ in range(W * H * 4))
    backing.write(0, fresh)
    x, y, w, h = 3, 40, 30, 8
    offset = y * STRIDE + x * 4
    model = boxed(model, fresh, x, y, w, h, offset)
    c.write(CONSOLE, Box(x, y, 0, w, h, 1), offset=offset)
    check(display.texture(tex, W, H) == as_texture(model, W, H),
          'a transfer of a 30x8 box updates the texture there (and nowhere else)')
    check(check_info(lib, CONSOLE, True) == tex, 'the same texture is named again')
    lib.virgl_renderer_force_ctx_0()
    check(display.egl.eglGetCurrentContext() == display.made[0],
          'force_ctx_0 makes the library\'s context current (QEMU calls it before it draws)')
