#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The checks the renderer makes before the host driver sees a guest's
arguments (gen/manual.txt's `check` entries: ranges of transfers, indirect
arguments, bindings and buffer descriptors, null handles only a feature
allows; image creation parameters, SPIR-V, entry points and specialization
data; docs/security.md), each shown to refuse what it is there to refuse.

Every case is a hand-driven guest that creates its objects as a program
would, sends the command once with an argument in range (the renderer must
accept it: the client is still served) and once with that one argument out
of range.  The second must be refused by that check: the log names the
client, the command and the check's reason, the context is marked fatal and
the client dropped.  Then a new client does the in-range half again and is
served.  A case fails when its check is removed (scripts/check-the-checks.sh
removes each in turn and shows which cases fail).

Run with a process per client and in-process (--no-fork), as
test_malformed is.  PV_CHECKS_MODES=fork (or inproc) runs one of the two;
arguments name cases to run (all by default)."""

import os
import re
import struct
import subprocess
import sys
import time

import pvtest
from pvtest import Client, check, cmd_header, enumerate_physical_devices, f32, set_reply, u32, u64

# -- the wire: the few shapes Venus gives every struct -------------------------

NULL = u64(0)              # a NULL pointer, array or handle


def i32(v):
    return struct.pack('<i', v)


def ptr(data):
    """A pointer to one struct: the marker, then the struct."""
    return u64(1) + data


def array(items):
    """A pointer to `len(items)` elements: their count, then each."""
    return u64(len(items)) + b''.join(items)


def pad4(data):
    return data + b'\0' * (-len(data) % 4)


def string(s):
    data = s.encode() + b'\0'
    return u64(len(data)) + pad4(data)


def blob(data):
    return u64(len(data)) + pad4(data)


def _command_types():
    """Command type ids by name, from the generator's own table."""
    here = os.path.dirname(os.path.abspath(__file__))
    ids = {}
    with open(os.path.join(here, '..', '..', 'gen', 'data', 'command_types.txt')) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[0].isdigit():
                ids[parts[1]] = int(parts[0])
    return ids


COMMAND_TYPES = _command_types()


def cmd(name, *parts, reply=False):
    return cmd_header(COMMAND_TYPES[name], reply) + b''.join(parts)


# -- Vulkan values the cases use ---------------------------------------------------

API_1_3 = (1 << 22) | (3 << 12)   # vkCmd*2 and the image queries are 1.3 commands
INSTANCE, PHYSICAL_DEVICE, DEVICE = 1, 2, 3
R8G8B8A8_UNORM, D32_SFLOAT, R64G64B64A64_SFLOAT = 37, 126, 121
IMAGE_1D, IMAGE_2D, IMAGE_3D = 0, 1, 2
USE_TRANSFER = 0x1 | 0x2                       # TRANSFER_SRC | TRANSFER_DST
USE_SAMPLED, USE_COLOR, USE_DEPTH = 0x4, 0x10, 0x20
BUFFER_USAGE = 0x1 | 0x2 | 0x4 | 0x10 | 0x20 | 0x100  # transfer, uniform texel, uniform,
                                                      # storage, indirect
GENERAL = 1                                     # VkImageLayout
COLOR, DEPTH = 0x1, 0x2                         # VkImageAspectFlags
STAGE_VERTEX, STAGE_COMPUTE = 0x1, 0x20
CUBE_COMPATIBLE = 0x10
STORAGE_BUFFER = 7                              # VkDescriptorType
STORAGE_BUFFER_DYNAMIC = 9
UNIFORM_BUFFER = 6
SAMPLER = 0
COMBINED_IMAGE_SAMPLER = 1
INLINE_UNIFORM_BLOCK = 1000138000
WHOLE_SIZE = 0xffffffffffffffff

BUF = 4096          # every buffer of the cases
IMG = 16            # every image of the cases is IMG x IMG
SLOT = 64 << 10     # objects are bound at multiples of this in one allocation
SLOTS = 16


def spirv(model, memory_model=True):
    """A module with one entry point "main" of execution model `model` (0
    vertex, 5 compute) that does nothing; without its OpMemoryModel it is
    invalid SPIR-V with a valid header."""
    def op(code, *words):
        return [(len(words) + 1) << 16 | code] + list(words)
    name = list(struct.unpack('<2I', pad4(b'main\0')))
    words = [0x07230203, 0x00010000, 0, 6, 0]           # magic, 1.0, generator, bound, 0
    words += op(17, 1)                                  # OpCapability Shader
    if memory_model:
        words += op(14, 0, 1)                           # OpMemoryModel Logical GLSL450
    words += op(15, model, 4, *name)                    # OpEntryPoint model %4 "main"
    if model == 5:
        words += op(16, 4, 17, 1, 1, 1)                 # OpExecutionMode %4 LocalSize 1 1 1
    words += op(19, 2) + op(33, 3, 2)                   # %2 void, %3 fn() -> void
    words += op(54, 2, 4, 0, 3) + op(248, 5) + op(253) + op(56)  # %4 main: return
    return struct.pack('<%dI' % len(words), *words)


COMPUTE_SPIRV = spirv(5)
VERTEX_SPIRV = spirv(0)


def buffer_spirv(set=0, binding=0, model=5):
    """A module (SPIR-V 1.0) whose "main" (execution model `model`: 5
    compute, 0 vertex) calls a function that reads a storage buffer
    (Uniform, BufferBlock) at `set`, `binding`; it also declares a buffer at
    set 7 that nothing uses, which a pipeline layout need not have."""
    def op(code, *words):
        return [(len(words) + 1) << 16 | code] + list(words)
    name = list(struct.unpack('<2I', pad4(b'main\0')))
    words = [0x07230203, 0x00010000, 0, 19, 0]
    words += op(17, 1) + op(14, 0, 1)                   # Shader; Logical GLSL450
    words += op(15, model, 11, *name)                   # OpEntryPoint model %11 "main"
    if model == 5:
        words += op(16, 11, 17, 1, 1, 1)                # LocalSize 1 1 1
    words += op(71, 4, 3) + op(72, 4, 0, 35, 0)         # %4 BufferBlock, member 0 Offset 0
    words += op(71, 6, 34, set) + op(71, 6, 33, binding)
    words += op(71, 16, 34, 7) + op(71, 16, 33, 0)      # the unused one: set 7
    words += op(19, 1) + op(33, 2, 1)                   # %1 void, %2 fn() -> void
    words += op(21, 3, 32, 0) + op(21, 8, 32, 1)        # %3 uint, %8 int
    words += op(30, 4, 3)                               # %4 struct { uint }
    words += op(32, 5, 2, 4) + op(32, 7, 2, 3)          # Uniform pointers to %4 and %3
    words += op(43, 8, 9, 0)                            # %9 int 0
    words += op(59, 5, 6, 2) + op(59, 5, 16, 2)         # %6, %16: variables
    words += op(54, 1, 13, 0, 2) + op(248, 14)          # %13 helper:
    words += op(65, 7, 15, 6, 9) + op(61, 3, 18, 15)    #   load %6.member0
    words += op(253) + op(56)
    words += op(54, 1, 11, 0, 2) + op(248, 12)          # %11 main:
    words += op(57, 1, 17, 13) + op(253) + op(56)       #   helper()
    return struct.pack('<%dI' % len(words), *words)


def image_info(type=IMAGE_2D, fmt=R8G8B8A8_UNORM, extent=(IMG, IMG, 1), mips=1, layers=1,
               samples=1, usage=USE_TRANSFER | USE_SAMPLED, flags=0):
    # VkImageCreateInfo, optimal tiling, exclusive, initial layout undefined
    return (u32(14) + NULL + u32(flags) + u32(type) + u32(fmt) +
            b''.join(u32(v) for v in extent) + u32(mips) + u32(layers) + u32(samples) +
            u32(0) + u32(usage) + u32(0) + u32(0) + NULL + u32(0))


def code_info(code):
    # VkShaderModuleCreateInfo (pCode: codeSize / 4 words)
    return u32(16) + NULL + u32(0) + u64(len(code)) + u64(len(code) // 4) + pad4(code)


def stage_info(module, name='main', stage=STAGE_COMPUTE, spec=None, chained=None):
    # VkPipelineShaderStageCreateInfo; `chained`: code in the chain instead of a module
    return (u32(18) + (ptr(code_info(chained)) if chained else NULL) + u32(0) + u32(stage) +
            u64(module) + string(name) + (ptr(spec) if spec else NULL))


def spec_info(offset, size=4, data=b'\1\0\0\0'):
    # VkSpecializationInfo with one map entry for constant 0
    return (u32(1) + array([u32(0) + u32(offset) + u64(size)]) + u64(len(data)) + blob(data))


def subresource(mip=0, layer=0, count=1, aspect=COLOR):
    return u32(aspect) + u32(mip) + u32(layer) + u32(count)


def offset3(x=0, y=0, z=0):
    return i32(x) + i32(y) + i32(z)


def extent3(w=IMG, h=IMG, d=1):
    return u32(w) + u32(h) + u32(d)


def range_info(levels=1, layers=1, aspect=COLOR):
    # VkImageSubresourceRange
    return u32(aspect) + u32(0) + u32(levels) + u32(0) + u32(layers)


def buffer_image_copy(offset=0, row=0, height=0, sub=None, at=None, size=None, two=False):
    body = (u64(offset) + u32(row) + u32(height) + (sub or subresource()) +
            (at or offset3()) + (size or extent3()))
    return (u32(1000337009) + NULL + body) if two else body   # VkBufferImageCopy(2)


def image_copy(src_sub=None, src_at=None, dst_sub=None, dst_at=None, size=None, stype=None):
    body = ((src_sub or subresource()) + (src_at or offset3()) + (dst_sub or subresource()) +
            (dst_at or offset3()) + (size or extent3()))
    return (u32(stype) + NULL + body) if stype else body     # VkImageCopy/Resolve(2)


def blit(src_end=(IMG, IMG, 1), dst_end=(IMG, IMG, 1), src_start=(0, 0, 0), two=False):
    body = (subresource() + u64(2) + offset3(*src_start) + offset3(*src_end) +
            subresource() + u64(2) + offset3() + offset3(*dst_end))
    return (u32(1000337008) + NULL + body) if two else body   # VkImageBlit(2)


def descriptor_write(buffer, offset, size, dst_set=0, element=0, count=1, type=STORAGE_BUFFER,
                     binding=0):
    # VkWriteDescriptorSet: `count` buffers of `type` from `binding`, array element `element`
    info = u64(buffer) + u64(offset) + u64(size)
    return (u32(35) + NULL + u64(dst_set) + u32(binding) + u32(element) + u32(count) +
            u32(type) + NULL + array([info] * count) + NULL)


# -- a guest that makes its objects as a program would -----------------------------

class Guest:
    """A client with a Vulkan 1.3 device (instance 1, physical device 2,
    device 3); its methods queue the commands that make objects and return
    their ids, flush() sends what is queued and returns once it is handled."""

    def __init__(self, server, name, extensions=()):
        self.name = name
        self.c = Client(server.socket, name)
        self.c.handshake()
        res, reply = self.c.create_blob(4096)
        app = u32(0) + NULL + NULL + u32(0) + NULL + u32(0) + u32(API_1_3)  # VkApplicationInfo
        instance = u32(1) + NULL + u32(0) + ptr(app) + u32(0) + NULL + u32(0) + NULL
        queue = u32(2) + NULL + u32(0) + u32(0) + u32(1) + array([f32(1.0)])
        device = (u32(3) + NULL + u32(0) + u32(1) + array([queue]) + u32(0) + NULL +
                  u32(len(extensions)) + array([string(e) for e in extensions]) + NULL)
        self.c.submit(
            set_reply(res, 0, 24) +
            cmd('vkCreateInstance', ptr(instance), NULL, ptr(u64(INSTANCE)), reply=True) +
            set_reply(res, 24, 36) + enumerate_physical_devices(INSTANCE, PHYSICAL_DEVICE) +
            set_reply(res, 60, 24) +
            cmd('vkCreateDevice', u64(PHYSICAL_DEVICE), ptr(device), NULL, ptr(u64(DEVICE)),
                reply=True))
        self.c.roundtrip()
        if (struct.unpack_from('<Ii', reply, 0) != (0, 0) or
                struct.unpack_from('<Ii', reply, 24) != (2, 0) or
                struct.unpack_from('<Ii', reply, 60) != (11, 0)):
            raise ConnectionError('bring-up failed')
        self.next_id = 100
        self.queued = b''
        self.memory_id = None
        self.slots = 0

    def new_id(self):
        self.next_id += 1
        return self.next_id

    def send(self, data):
        self.queued += data

    def flush(self):
        """Sends what is queued; raises ConnectionError where the server
        dropped the client for it."""
        self.c.submit(self.queued)
        self.queued = b''
        self.c.roundtrip()

    def create(self, command, info):
        """vkCreate*(device, pCreateInfo, NULL, pObject): the new id."""
        oid = self.new_id()
        self.send(cmd(command, u64(DEVICE), ptr(info), NULL, ptr(u64(oid))))
        return oid

    def memory(self, size=SLOT * SLOTS):
        # VkMemoryAllocateInfo: memory type 0
        return self.create('vkAllocateMemory', u32(5) + NULL + u64(size) + u32(0))

    def slot(self):
        """Somewhere to bind an object: a memory and an offset in it."""
        if self.memory_id is None:
            self.memory_id = self.memory()
        self.slots += 1
        assert self.slots <= SLOTS
        return self.memory_id, (self.slots - 1) * SLOT

    def buffer(self, size=BUF, bind=True):
        # VkBufferCreateInfo
        buf = self.create('vkCreateBuffer', u32(12) + NULL + u32(0) + u64(size) +
                          u32(BUFFER_USAGE) + u32(0) + u32(0) + NULL)
        if bind:
            mem, at = self.slot()
            self.send(cmd('vkBindBufferMemory', u64(DEVICE), u64(buf), u64(mem), u64(at)))
        return buf

    def image(self, bind=True, **info):
        img = self.create('vkCreateImage', image_info(**info))
        if bind:
            mem, at = self.slot()
            self.send(cmd('vkBindImageMemory', u64(DEVICE), u64(img), u64(mem), u64(at)))
        return img

    def command_buffer(self):
        """A primary command buffer, begun."""
        pool = self.create('vkCreateCommandPool', u32(39) + NULL + u32(0) + u32(0))
        cb = self.new_id()
        self.send(cmd('vkAllocateCommandBuffers', u64(DEVICE),
                      ptr(u32(40) + NULL + u64(pool) + u32(0) + u32(1)), array([u64(cb)])) +
                  cmd('vkBeginCommandBuffer', u64(cb), ptr(u32(42) + NULL + u32(0) + NULL)))
        return cb

    def set_layout(self, flags=0, type=STORAGE_BUFFER):
        # one buffer (storage by default) at binding 0, for compute
        binding = u32(0) + u32(type) + u32(1) + u32(STAGE_COMPUTE) + NULL
        return self.create('vkCreateDescriptorSetLayout',
                           u32(32) + NULL + u32(flags) + u32(1) + array([binding]))

    def pipeline_layout(self, set_layouts=()):
        return self.create('vkCreatePipelineLayout',
                           u32(30) + NULL + u32(0) + u32(len(set_layouts)) +
                           array([u64(s) for s in set_layouts]) + u32(0) + NULL)

    def shader_module(self, code):
        return self.create('vkCreateShaderModule', code_info(code))

    def compute_pipeline(self, stage, layout=None):
        pipe = self.new_id()
        layout = layout or self.pipeline_layout()
        info = u32(29) + NULL + u32(0) + stage + u64(layout) + NULL + i32(-1)
        return cmd('vkCreateComputePipelines', u64(DEVICE), NULL, u32(1), array([info]), NULL,
                   array([u64(pipe)]))

    def graphics_pipeline(self, stage, layout=None, vertex_input=None, blend=None):
        """Vertex stage only, rasterizer discard (no viewport, multisample or
        blend state is needed then), in a render pass with no attachments."""
        subpass = (u32(0) + u32(0) + u32(0) + NULL + u32(0) + NULL + NULL + NULL + u32(0) +
                   NULL)
        render_pass = self.create('vkCreateRenderPass', u32(38) + NULL + u32(0) + u32(0) +
                                  NULL + u32(1) + array([subpass]) + u32(0) + NULL)
        vertex_input = vertex_input or u32(19) + NULL + u32(0) + u32(0) + NULL + u32(0) + NULL
        assembly = u32(20) + NULL + u32(0) + u32(3) + u32(0)        # triangle list
        raster = (u32(23) + NULL + u32(0) + u32(0) + u32(1) + u32(0) + u32(0) + u32(0) +
                  u32(0) + f32(0) + f32(0) + f32(0) + f32(1.0))     # rasterizer discard
        info = (u32(28) + NULL + u32(0) + u32(1) + array([stage]) + ptr(vertex_input) +
                ptr(assembly) + NULL + NULL + ptr(raster) + NULL + NULL +
                (ptr(blend) if blend else NULL) + NULL +
                u64(self.pipeline_layout() if layout is None else layout) + u64(render_pass) +
                u32(0) + NULL + i32(-1))
        pipe = self.new_id()
        return cmd('vkCreateGraphicsPipelines', u64(DEVICE), NULL, u32(1), array([info]), NULL,
                   array([u64(pipe)]))

    def close(self):
        self.c.close()


# -- the cases ---------------------------------------------------------------------
#
# A case's setup makes its objects on a guest and returns a function from the
# argument the case varies to the command; the case gives the argument in
# range and out of range, and the reason the check must log ('#' stands for
# a number the driver picks; a compiled pattern is matched as it is).

class Case:
    def __init__(self, name, check_of, command, setup, good, bad, reason, extensions=()):
        self.name, self.check_of, self.command = name, check_of, command
        self.setup, self.good, self.bad = setup, good, bad
        self.extensions = extensions
        self.text = reason if isinstance(reason, str) else reason.pattern
        if isinstance(reason, str):
            self.reason = '[0-9]+'.join(re.escape(part) for part in reason.split('#'))
        else:
            self.reason = reason.pattern


# transfers: each command on buffers of BUF bytes and IMG x IMG images

def copy_buffer(g):
    src, dst, cb = g.buffer(), g.buffer(), g.command_buffer()
    return lambda size: cmd('vkCmdCopyBuffer', u64(cb), u64(src), u64(dst), u32(1),
                            array([u64(0) + u64(0) + u64(size)]))


def copy_buffer2(g):
    src, dst, cb = g.buffer(), g.buffer(), g.command_buffer()
    return lambda at: cmd('vkCmdCopyBuffer2', u64(cb), ptr(
        u32(1000337000) + NULL + u64(src) + u64(dst) + u32(1) +
        array([u32(1000337006) + NULL + u64(0) + u64(at) + u64(200)])))


def update_buffer(g):
    dst, cb = g.buffer(), g.command_buffer()
    return lambda at: cmd('vkCmdUpdateBuffer', u64(cb), u64(dst), u64(at), u64(8), blob(b'\0' * 8))


def fill_buffer(g):
    dst, cb = g.buffer(), g.command_buffer()
    return lambda at: cmd('vkCmdFillBuffer', u64(cb), u64(dst), u64(at), u64(WHOLE_SIZE), u32(0))


def fill_unbound(g):
    bound, unbound, cb = g.buffer(), g.buffer(bind=False), g.command_buffer()
    return lambda is_bound: cmd('vkCmdFillBuffer', u64(cb), u64(bound if is_bound else unbound),
                                u64(0), u64(WHOLE_SIZE), u32(0))


def clear_unbound(g):
    bound, unbound, cb = g.image(), g.image(bind=False), g.command_buffer()
    color = u32(0) + u64(4) + f32(0) * 4                  # VkClearColorValue, float32
    return lambda is_bound: cmd('vkCmdClearColorImage', u64(cb), u64(bound if is_bound else unbound),
                                u32(GENERAL), ptr(color), u32(1), array([range_info()]))


def view_info(image, fmt=R8G8B8A8_UNORM, aspect=COLOR, levels=1):
    # VkImageViewCreateInfo: 2D, identity swizzle, from level 0 and layer 0
    return (u32(15) + NULL + u32(0) + u64(image) + u32(1) + u32(fmt) + u32(0) * 4 +
            range_info(levels=levels, aspect=aspect))


def create_view(g, info):
    return cmd('vkCreateImageView', u64(DEVICE), ptr(info), NULL, ptr(u64(g.new_id())))


def image_view_unbound(g):
    bound, unbound = g.image(), g.image(bind=False)
    return lambda is_bound: create_view(g, view_info(bound if is_bound else unbound))


def image_view(**view_of):
    """a view of a bound 16x16 RGBA8 image, one argument of it varied"""
    def setup(g):
        image = g.image()
        return lambda arg: create_view(g, view_info(image, **{k: arg for k in view_of}))
    return setup


def buffer_view_unbound(g):
    bound, unbound = g.buffer(), g.buffer(bind=False)
    # VkBufferViewCreateInfo: the whole buffer as uniform texels
    return lambda is_bound: cmd('vkCreateBufferView', u64(DEVICE), ptr(
        u32(13) + NULL + u32(0) + u64(bound if is_bound else unbound) + u32(R8G8B8A8_UNORM) +
        u64(0) + u64(WHOLE_SIZE)), NULL, ptr(u64(g.new_id())))


def buffer_to_image(region_of, two=False):
    def setup(g):
        buf, img, cb = g.buffer(), g.image(), g.command_buffer()
        if two:
            return lambda v: cmd('vkCmdCopyBufferToImage2', u64(cb), ptr(
                u32(1000337002) + NULL + u64(buf) + u64(img) + u32(GENERAL) + u32(1) +
                array([region_of(v)])))
        return lambda v: cmd('vkCmdCopyBufferToImage', u64(cb), u64(buf), u64(img), u32(GENERAL),
                             u32(1), array([region_of(v)]))
    return setup


def image_to_buffer(region_of, two=False):
    def setup(g):
        buf, img, cb = g.buffer(), g.image(), g.command_buffer()
        if two:
            return lambda v: cmd('vkCmdCopyImageToBuffer2', u64(cb), ptr(
                u32(1000337003) + NULL + u64(img) + u32(GENERAL) + u64(buf) + u32(1) +
                array([region_of(v)])))
        return lambda v: cmd('vkCmdCopyImageToBuffer', u64(cb), u64(img), u32(GENERAL), u64(buf),
                             u32(1), array([region_of(v)]))
    return setup


def image_pair(command, region_of, src_samples=1):
    """vkCmdCopyImage, vkCmdResolveImage and their *2: IMG x IMG images."""
    stype = {'vkCmdCopyImage2': (1000337001, 1000337007),
             'vkCmdResolveImage2': (1000337005, 1000337010)}.get(command)

    def setup(g):
        src = g.image(samples=src_samples,
                      usage=USE_TRANSFER | (USE_COLOR if src_samples > 1 else USE_SAMPLED))
        dst, cb = g.image(), g.command_buffer()
        if stype:
            return lambda v: cmd(command, u64(cb), ptr(
                u32(stype[0]) + NULL + u64(src) + u32(GENERAL) + u64(dst) + u32(GENERAL) +
                u32(1) + array([region_of(v, stype[1])])))
        return lambda v: cmd(command, u64(cb), u64(src), u32(GENERAL), u64(dst), u32(GENERAL),
                             u32(1), array([region_of(v, None)]))
    return setup


def blit_image(region_of, two=False):
    def setup(g):
        src, dst, cb = g.image(), g.image(), g.command_buffer()
        if two:
            return lambda v: cmd('vkCmdBlitImage2', u64(cb), ptr(
                u32(1000337004) + NULL + u64(src) + u32(GENERAL) + u64(dst) + u32(GENERAL) +
                u32(1) + array([region_of(v)]) + u32(0)))
        return lambda v: cmd('vkCmdBlitImage', u64(cb), u64(src), u32(GENERAL), u64(dst),
                             u32(GENERAL), u32(1), array([region_of(v)]), u32(0))
    return setup


def clear_color(g):
    img, cb = g.image(), g.command_buffer()
    color = u32(0) + u64(4) + f32(0) * 4                  # VkClearColorValue, float32
    return lambda levels: cmd('vkCmdClearColorImage', u64(cb), u64(img), u32(GENERAL), ptr(color),
                              u32(1), array([range_info(levels=levels)]))


def clear_depth(g):
    img = g.image(fmt=D32_SFLOAT, usage=USE_TRANSFER | USE_DEPTH)
    cb = g.command_buffer()
    return lambda layers: cmd('vkCmdClearDepthStencilImage', u64(cb), u64(img), u32(GENERAL),
                              ptr(f32(1.0) + u32(0)), u32(1),
                              array([range_info(layers=layers, aspect=DEPTH)]))


# indirect arguments

def dispatch_indirect(g):
    buf, cb = g.buffer(), g.command_buffer()
    return lambda at: cmd('vkCmdDispatchIndirect', u64(cb), u64(buf), u64(at))


def draw_indirect(command, record):
    def setup(g):
        buf, cb = g.buffer(), g.command_buffer()
        return lambda count: cmd(command, u64(cb), u64(buf), u64(0), u32(count), u32(record))
    return setup


def draw_indirect_count(command, record):
    """varies the count buffer's offset, or (with a tuple) the records' span"""
    def setup(g):
        buf, counts, cb = g.buffer(), g.buffer(), g.command_buffer()
        return lambda v: cmd(command, u64(cb), u64(buf), u64(0), u64(counts),
                             u64(v[0]), u32(v[1]), u32(record))
    return setup


# memory bindings: a buffer of BUF bytes or an image into 64 KiB of memory

def bind_buffer(g):
    buf, mem = g.buffer(bind=False), g.memory(SLOT)
    return lambda at: cmd('vkBindBufferMemory', u64(DEVICE), u64(buf), u64(mem), u64(at))


def bind_buffer2(g):
    buf, mem = g.buffer(bind=False), g.memory(SLOT)
    return lambda at: cmd('vkBindBufferMemory2', u64(DEVICE), u32(1), array([
        u32(1000157000) + NULL + u64(buf) + u64(mem) + u64(at)]))


def bind_image(g):
    img, mem = g.image(bind=False), g.memory(SLOT)
    return lambda at: cmd('vkBindImageMemory', u64(DEVICE), u64(img), u64(mem), u64(at))


def bind_image2(g):
    img, mem = g.image(bind=False), g.memory(SLOT)
    return lambda at: cmd('vkBindImageMemory2', u64(DEVICE), u32(1), array([
        u32(1000157001) + NULL + u64(img) + u64(mem) + u64(at)]))


# buffer descriptors

def update_descriptors(g, element=False):
    buf, layout = g.buffer(), g.set_layout()
    pool = g.create('vkCreateDescriptorPool', u32(33) + NULL + u32(0) + u32(1) + u32(1) +
                    array([u32(STORAGE_BUFFER) + u32(1)]))
    dset = g.new_id()
    g.send(cmd('vkAllocateDescriptorSets', u64(DEVICE),
               ptr(u32(34) + NULL + u64(pool) + u32(1) + array([u64(layout)])),
               array([u64(dset)])))
    if element:
        return lambda at: cmd('vkUpdateDescriptorSets', u64(DEVICE), u32(1),
                              array([descriptor_write(buf, 0, BUF, dset, at)]), u32(0), NULL)
    return lambda size: cmd('vkUpdateDescriptorSets', u64(DEVICE), u32(1),
                            array([descriptor_write(buf, 0, size, dset)]), u32(0), NULL)


def descriptor_set(g, layout, variable=None):
    pool = g.create('vkCreateDescriptorPool', u32(33) + NULL + u32(0) + u32(2) + u32(1) +
                    array([u32(STORAGE_BUFFER) + u32(16)]))
    dset = g.new_id()
    # VkDescriptorSetVariableDescriptorCountAllocateInfo for the one set
    chain = ptr(u32(1000161003) + NULL + u32(1) + array([u32(variable)])) if variable else NULL
    g.send(cmd('vkAllocateDescriptorSets', u64(DEVICE),
               ptr(u32(34) + chain + u64(pool) + u32(1) + array([u64(layout)])),
               array([u64(dset)])))
    return dset


def descriptor_variable_count(g):
    """a binding of up to 8 storage buffers, VARIABLE_DESCRIPTOR_COUNT, in a
    set allocated with 2 of them: its elements are 0 and 1"""
    buf = g.buffer()
    entry = u32(0) + u32(STORAGE_BUFFER) + u32(8) + u32(STAGE_COMPUTE) + NULL
    flags = ptr(u32(1000161000) + NULL + u32(1) + array([u32(0x8)]))   # VARIABLE_DESCRIPTOR_COUNT
    layout = g.create('vkCreateDescriptorSetLayout',
                      u32(32) + flags + u32(0) + u32(1) + array([entry]))
    dset = descriptor_set(g, layout, variable=2)
    return lambda at: cmd('vkUpdateDescriptorSets', u64(DEVICE), u32(1),
                          array([descriptor_write(buf, 0, BUF, dset, element=at)]), u32(0), NULL)


def descriptor_type(g):
    buf = g.buffer()
    dset = descriptor_set(g, g.set_layout())
    return lambda type: cmd('vkUpdateDescriptorSets', u64(DEVICE), u32(1),
                            array([descriptor_write(buf, 0, BUF, dset, type=type)]), u32(0), NULL)


def descriptor_binding(g):
    buf = g.buffer()
    dset = descriptor_set(g, g.set_layout())
    return lambda n: cmd('vkUpdateDescriptorSets', u64(DEVICE), u32(1),
                         array([descriptor_write(buf, 0, BUF, dset, binding=n)]), u32(0), NULL)


def descriptor_rollover(g):
    """two storage buffer bindings, 0 and 1: a write of two from binding 0
    runs on into binding 1 (Vulkan's consecutive binding update)"""
    buf = g.buffer()
    entries = [u32(n) + u32(STORAGE_BUFFER) + u32(1) + u32(STAGE_COMPUTE) + NULL for n in (0, 1)]
    layout = g.create('vkCreateDescriptorSetLayout',
                      u32(32) + NULL + u32(0) + u32(2) + array(entries))
    dset = descriptor_set(g, layout)
    return lambda n: cmd('vkUpdateDescriptorSets', u64(DEVICE), u32(1),
                         array([descriptor_write(buf, 0, BUF, dset, count=n)]), u32(0), NULL)


def descriptor_payload(g):
    """a write of one storage buffer, its VkDescriptorBufferInfo array
    there or left out (Venus encodes a NULL array as count 0)"""
    buf = g.buffer()
    dset = descriptor_set(g, g.set_layout())
    info = u64(buf) + u64(0) + u64(BUF)

    def write(present):
        w = (u32(35) + NULL + u64(dset) + u32(0) + u32(0) + u32(1) + u32(STORAGE_BUFFER) +
             NULL + (array([info]) if present else NULL) + NULL)
        return cmd('vkUpdateDescriptorSets', u64(DEVICE), u32(1), array([w]), u32(0), NULL)
    return write


def sampler(g):
    # VkSamplerCreateInfo: nearest, repeat, no anisotropy or compare
    return g.create('vkCreateSampler', u32(31) + NULL + u32(0) + u32(0) + u32(0) + u32(0) +
                    u32(0) + u32(0) + u32(0) + f32(0) + u32(0) + f32(1.0) + u32(0) + u32(0) +
                    f32(0) + f32(0) + u32(0) + u32(0))


def descriptor_sampler(g):
    """a sampler binding without immutable samplers: each write names one"""
    smp = sampler(g)
    dset = descriptor_set(g, g.set_layout(type=SAMPLER))

    def write(use):
        image_info = u64(smp if use else 0) + u64(0) + u32(GENERAL)
        w = (u32(35) + NULL + u64(dset) + u32(0) + u32(0) + u32(1) + u32(SAMPLER) +
             array([image_info]) + NULL + NULL)
        return cmd('vkUpdateDescriptorSets', u64(DEVICE), u32(1), array([w]), u32(0), NULL)
    return write


def descriptor_immutable_sampler(g):
    """combined image samplers with VK_NULL_HANDLE samplers, as Venus sends
    them for a binding with immutable samplers, whose written sampler is
    ignored: accepted there, refused in a binding without them"""
    smp = sampler(g)
    view = g.new_id()
    g.send(cmd('vkCreateImageView', u64(DEVICE), ptr(view_info(g.image())), NULL, ptr(u64(view))))
    sets = {}
    for immutable in (True, False):
        entry = (u32(0) + u32(COMBINED_IMAGE_SAMPLER) + u32(1) + u32(STAGE_COMPUTE) +
                 (array([u64(smp)]) if immutable else NULL))
        layout = g.create('vkCreateDescriptorSetLayout',
                          u32(32) + NULL + u32(0) + u32(1) + array([entry]))
        sets[immutable] = descriptor_set(g, layout)

    def write(immutable):
        image_info = u64(0) + u64(view) + u32(GENERAL)
        w = (u32(35) + NULL + u64(sets[immutable]) + u32(0) + u32(0) + u32(1) +
             u32(COMBINED_IMAGE_SAMPLER) + array([image_info]) + NULL + NULL)
        return cmd('vkUpdateDescriptorSets', u64(DEVICE), u32(1), array([w]), u32(0), NULL)
    return write


def inline_uniform_block(g):
    """a 16-byte inline uniform block: a write carries its bytes in a
    chained VkWriteDescriptorSetInlineUniformBlock of descriptorCount bytes"""
    entry = u32(0) + u32(INLINE_UNIFORM_BLOCK) + u32(16) + u32(STAGE_COMPUTE) + NULL
    layout = g.create('vkCreateDescriptorSetLayout',
                      u32(32) + NULL + u32(0) + u32(1) + array([entry]))
    dset = descriptor_set(g, layout)

    def write(data_size):
        chain = (ptr(u32(1000138002) + NULL + u32(data_size) + blob(b'\x5a' * data_size))
                 if data_size is not None else NULL)
        w = (u32(35) + chain + u64(dset) + u32(0) + u32(0) + u32(16) +
             u32(INLINE_UNIFORM_BLOCK) + NULL + NULL + NULL)
        return cmd('vkUpdateDescriptorSets', u64(DEVICE), u32(1), array([w]), u32(0), NULL)
    return write


def descriptor_copy(g):
    buf = g.buffer()
    src, dst = descriptor_set(g, g.set_layout()), descriptor_set(g, g.set_layout())
    g.send(cmd('vkUpdateDescriptorSets', u64(DEVICE), u32(1),
               array([descriptor_write(buf, 0, BUF, src)]), u32(0), NULL))
    # VkCopyDescriptorSet: one descriptor from src's binding 0 element `at`
    return lambda at: cmd('vkUpdateDescriptorSets', u64(DEVICE), u32(0), NULL, u32(1), array([
        u32(36) + NULL + u64(src) + u32(0) + u32(at) + u64(dst) + u32(0) + u32(0) + u32(1)]))


def push_descriptor_set(g):
    buf = g.buffer()
    layout = g.pipeline_layout([g.set_layout(flags=0x1)])   # PUSH_DESCRIPTOR_BIT_KHR
    cb = g.command_buffer()
    return lambda set: cmd('vkCmdPushDescriptorSetKHR', u64(cb), u32(1), u64(layout), u32(set),
                           u32(1), array([descriptor_write(buf, 0, WHOLE_SIZE)]))


def push_descriptors(g):
    buf = g.buffer()
    layout = g.pipeline_layout([g.set_layout(flags=0x1)])   # PUSH_DESCRIPTOR_BIT_KHR
    cb = g.command_buffer()
    return lambda at: cmd('vkCmdPushDescriptorSetKHR', u64(cb), u32(1), u64(layout), u32(0),
                          u32(1), array([descriptor_write(buf, at, WHOLE_SIZE)]))


# VK_NULL_HANDLE that only a feature makes valid (src/vk/pv_handle_check.c);
# the device of the cases enables none: the handle or none

def bind_descriptor_sets(g):
    layout = g.set_layout()
    pool = g.create('vkCreateDescriptorPool', u32(33) + NULL + u32(0) + u32(1) + u32(1) +
                    array([u32(STORAGE_BUFFER) + u32(1)]))
    dset = g.new_id()
    g.send(cmd('vkAllocateDescriptorSets', u64(DEVICE),
               ptr(u32(34) + NULL + u64(pool) + u32(1) + array([u64(layout)])),
               array([u64(dset)])))
    playout, cb = g.pipeline_layout([layout]), g.command_buffer()
    return lambda use: cmd('vkCmdBindDescriptorSets', u64(cb), u32(1), u64(playout), u32(0),
                           u32(1), array([u64(dset if use else 0)]), u32(0), NULL)


def bind_vertex_buffers(command):
    def setup(g):
        buf, cb = g.buffer(), g.command_buffer()
        extra = NULL + NULL if command == 'vkCmdBindVertexBuffers2' else b''  # sizes, strides
        return lambda use: cmd(command, u64(cb), u32(0), u32(1), array([u64(buf if use else 0)]),
                               array([u64(0)]), extra)
    return setup


def wait_for_fences(g):
    fence = g.create('vkCreateFence', u32(8) + NULL + u32(1))   # signaled
    return lambda use: cmd('vkWaitForFences', u64(DEVICE), u32(1),
                           array([u64(fence if use else 0)]), u32(1), u64(0))


def submit_command_buffers(g):
    cb = g.command_buffer()
    g.send(cmd('vkEndCommandBuffer', u64(cb)))
    queue = g.new_id()
    g.send(cmd('vkGetDeviceQueue2', u64(DEVICE), ptr(u32(1000145003) + NULL + u32(0) + u32(0) +
                                                      u32(0)), ptr(u64(queue))))
    # VkSubmitInfo: no semaphores, one command buffer
    return lambda use: cmd('vkQueueSubmit', u64(queue), u32(1), array([
        u32(4) + NULL + u32(0) + NULL + NULL + u32(1) + array([u64(cb if use else 0)]) +
        u32(0) + NULL]), u64(0))


def queue_of(g):
    queue = g.new_id()
    g.send(cmd('vkGetDeviceQueue2', u64(DEVICE), ptr(u32(1000145003) + NULL + u32(0) + u32(0) +
                                                      u32(0)), ptr(u64(queue))))
    return queue


def end_and_submit(cb, queue):
    """drivers on a CPU run what was recorded when it is submitted"""
    return (cmd('vkEndCommandBuffer', u64(cb)) +
            cmd('vkQueueSubmit', u64(queue), u32(1), array([
                u32(4) + NULL + u32(0) + NULL + NULL + u32(1) + array([u64(cb)]) + u32(0) +
                NULL]), u64(0)))


def viewports(command):
    """vkCmdSetViewport or vkCmdSetScissor: `n` of them from the first"""
    def setup(g):
        cb, queue = g.command_buffer(), queue_of(g)
        one = (f32(0) + f32(0) + f32(IMG) + f32(IMG) + f32(0) + f32(1.0)
               if command == 'vkCmdSetViewport' else i32(0) + i32(0) + u32(IMG) + u32(IMG))
        return lambda first: (cmd(command, u64(cb), u32(first), u32(1), array([one])) +
                              end_and_submit(cb, queue))
    return setup


def vertex_buffer_binding(g):
    buf, cb, queue = g.buffer(), g.command_buffer(), queue_of(g)
    return lambda first: (cmd('vkCmdBindVertexBuffers', u64(cb), u32(first), u32(1),
                              array([u64(buf)]), array([u64(0)])) + end_and_submit(cb, queue))


def bind_set_range(g):
    """a layout of one set: sets bound from `first`"""
    layout = g.set_layout()
    dset = descriptor_set(g, layout)
    playout, cb, queue = g.pipeline_layout([layout]), g.command_buffer(), queue_of(g)
    return lambda first: (cmd('vkCmdBindDescriptorSets', u64(cb), u32(1), u64(playout),
                              u32(first), u32(1), array([u64(dset)]), u32(0), NULL) +
                          end_and_submit(cb, queue))


def query_range(g):
    """a pool of 4 occlusion queries, reset from query 0"""
    pool = g.create('vkCreateQueryPool', u32(11) + NULL + u32(0) + u32(0) + u32(4) + u32(0))
    cb, queue = g.command_buffer(), queue_of(g)
    return lambda count: (cmd('vkCmdResetQueryPool', u64(cb), u64(pool), u32(0), u32(count)) +
                          end_and_submit(cb, queue))


def viewports_with_count(command):
    """vkCmdSetViewportWithCount or vkCmdSetScissorWithCount: `n` of them"""
    def setup(g):
        cb = g.command_buffer()
        one = (f32(0) + f32(0) + f32(IMG) + f32(IMG) + f32(0) + f32(1.0)
               if command == 'vkCmdSetViewportWithCount'
               else i32(0) + i32(0) + u32(IMG) + u32(IMG))
        return lambda n: cmd(command, u64(cb), u32(n), array([one] * n))
    return setup


def vertex_input(g):
    """one binding and one attribute of binding `binding`"""
    cb = g.command_buffer()
    return lambda binding: cmd(
        'vkCmdSetVertexInputEXT', u64(cb), u32(1),
        array([u32(1000352001) + NULL + u32(binding) + u32(16) + u32(0) + u32(1)]), u32(1),
        array([u32(1000352002) + NULL + u32(0) + u32(binding) + u32(R8G8B8A8_UNORM) + u32(0)]))


def rendering_attachments(g):
    """dynamic rendering with `n` color attachments, no views (ignored)"""
    cb = g.command_buffer()
    # VkRenderingAttachmentInfo: no view, don't care; a float clear color
    attachment = (u32(1000044001) + NULL + u64(0) + u32(GENERAL) + u32(0) + u64(0) +
                  u32(GENERAL) + u32(2) + u32(1) + u32(0) + u32(0) + u64(4) + f32(0) * 4)
    return lambda n: cmd('vkCmdBeginRendering', u64(cb), ptr(
        u32(1000044000) + NULL + u32(0) + i32(0) + i32(0) + u32(IMG) + u32(IMG) + u32(1) +
        u32(0) + u32(n) + array([attachment] * n) + NULL + NULL))


def color_write_enable(g):
    cb = g.command_buffer()
    return lambda n: cmd('vkCmdSetColorWriteEnableEXT', u64(cb), u32(n), array([u32(1)] * n))


def per_attachment(command, one):
    """vkCmdSetColorBlend*EXT / vkCmdSetColorWriteMaskEXT: one attachment's
    state from `first`"""
    def setup(g):
        cb = g.command_buffer()
        return lambda first: cmd(command, u64(cb), u32(first), u32(1), array([one]))
    return setup


def query_command(command):
    """a pool of 4 occlusion queries; `command` names query `query`"""
    def setup(g):
        pool, cb = query_pool(g), g.command_buffer()
        tail = {'vkCmdBeginQuery': u32(0), 'vkCmdEndQuery': b'',
                'vkCmdBeginQueryIndexedEXT': u32(0) + u32(0),
                'vkCmdEndQueryIndexedEXT': u32(0)}[command]
        return lambda query: cmd(command, u64(cb), u64(pool), u32(query), tail)
    return setup


def host_query_reset(g):
    pool = query_pool(g)
    return lambda count: cmd('vkResetQueryPool', u64(DEVICE), u64(pool), u32(0), u32(count))


def query_timestamp2(g):
    pool = query_pool(g, type=2)
    cb = g.command_buffer()
    return lambda query: cmd('vkCmdWriteTimestamp2', u64(cb), u64(0x2000), u64(pool), u32(query))


def pipeline_vertex_binding(g):
    """a vertex input of one binding, numbered `binding`, and one attribute"""
    module = g.shader_module(VERTEX_SPIRV)

    def pipeline(binding):
        vertex_input = (u32(19) + NULL + u32(0) + u32(1) +
                        array([u32(binding) + u32(16) + u32(0)]) + u32(1) +
                        array([u32(0) + u32(binding) + u32(R8G8B8A8_UNORM) + u32(0)]))
        return g.graphics_pipeline(stage_info(module, stage=STAGE_VERTEX),
                                   vertex_input=vertex_input)
    return pipeline


def pipeline_blend_attachments(g):
    """color blend state for `n` attachments (ignored with rasterizer
    discard, but drivers copy it)"""
    module = g.shader_module(VERTEX_SPIRV)
    one = u32(0) + u32(1) + u32(0) + u32(0) + u32(1) + u32(0) + u32(0) + u32(0xf)

    def pipeline(n):
        blend = (u32(26) + NULL + u32(0) + u32(0) + u32(0) + u32(n) + array([one] * n) +
                 u64(4) + f32(0) * 4)
        return g.graphics_pipeline(stage_info(module, stage=STAGE_VERTEX), blend=blend)
    return pipeline


def render_pass(attachment=0, dependency=0):
    """one color attachment, one subpass drawing to attachment `attachment`,
    one dependency from subpass `dependency`"""
    desc = (u32(0) + u32(R8G8B8A8_UNORM) + u32(1) + u32(2) + u32(1) + u32(2) + u32(1) + u32(0) +
            u32(GENERAL))
    subpass = (u32(0) + u32(0) + u32(0) + NULL + u32(1) + array([u32(attachment) + u32(GENERAL)]) +
               NULL + NULL + u32(0) + NULL)
    dep = (u32(dependency) + u32(0xffffffff) + u32(0x400) + u32(0x400) + u32(0x100) + u32(0x100) +
           u32(0))
    return (u32(38) + NULL + u32(0) + u32(1) + array([desc]) + u32(1) + array([subpass]) + u32(1) +
            array([dep]))


def render_pass2(attachment):
    """VkRenderPassCreateInfo2: the same pass as render_pass()"""
    desc = (u32(1000109000) + NULL + u32(0) + u32(R8G8B8A8_UNORM) + u32(1) + u32(2) + u32(1) +
            u32(2) + u32(1) + u32(0) + u32(GENERAL))
    ref = u32(1000109001) + NULL + u32(attachment) + u32(GENERAL) + u32(COLOR)
    subpass = (u32(1000109002) + NULL + u32(0) + u32(0) + u32(0) + u32(0) + NULL + u32(1) +
               array([ref]) + NULL + NULL + u32(0) + NULL)
    return (u32(1000109004) + NULL + u32(0) + u32(1) + array([desc]) + u32(1) + array([subpass]) +
            u32(0) + NULL + u32(0) + NULL)


def render_pass2_attachment(g):
    return lambda attachment: cmd('vkCreateRenderPass2', u64(DEVICE),
                                  ptr(render_pass2(attachment)), NULL, ptr(u64(g.new_id())))


def render_pass_attachment(g):
    return lambda attachment: cmd('vkCreateRenderPass', u64(DEVICE),
                                  ptr(render_pass(attachment=attachment)), NULL,
                                  ptr(u64(g.new_id())))


def render_pass_dependency(g):
    return lambda subpass: cmd('vkCreateRenderPass', u64(DEVICE),
                               ptr(render_pass(dependency=subpass)), NULL, ptr(u64(g.new_id())))


def xfb_command(command):
    """transform feedback buffers (or counter buffers) from `first`"""
    def setup(g):
        buf, cb = g.buffer(), g.command_buffer()
        if command == 'vkCmdBindTransformFeedbackBuffersEXT':
            return lambda first: cmd(command, u64(cb), u32(first), u32(1), array([u64(buf)]),
                                     array([u64(0)]), NULL)
        return lambda first: cmd(command, u64(cb), u32(first), u32(1), array([u64(buf)]),
                                 array([u64(0)]))
    return setup


def query_stream(g):
    """a transform feedback stream query of vertex stream `index`"""
    pool = query_pool(g, type=1000028004)
    cb = g.command_buffer()
    return lambda index: cmd('vkCmdBeginQueryIndexedEXT', u64(cb), u64(pool), u32(0), u32(0),
                             u32(index))


def dynamic_offsets(g):
    """a set of one dynamic storage buffer: binding it takes one offset"""
    layout = g.set_layout(type=STORAGE_BUFFER_DYNAMIC)
    dset = descriptor_set(g, layout)
    playout, cb, queue = g.pipeline_layout([layout]), g.command_buffer(), queue_of(g)
    return lambda n: (cmd('vkCmdBindDescriptorSets', u64(cb), u32(1), u64(playout), u32(0),
                          u32(1), array([u64(dset)]), u32(n), array([u32(0)] * n) if n else NULL) +
                      end_and_submit(cb, queue))


def query_pool(g, type=0, count=4):
    # VkQueryPoolCreateInfo: `count` queries of `type` (0: occlusion, 2: timestamp)
    return g.create('vkCreateQueryPool', u32(11) + NULL + u32(0) + u32(type) + u32(count) +
                    u32(0))


def query_timestamp(g):
    pool = query_pool(g, type=2)
    cb, queue = g.command_buffer(), queue_of(g)
    g.send(cmd('vkCmdResetQueryPool', u64(cb), u64(pool), u32(0), u32(4)))
    return lambda query: (cmd('vkCmdWriteTimestamp', u64(cb), u32(0x2000), u64(pool),
                              u32(query)) + end_and_submit(cb, queue))


def query_results(g):
    """four occlusion queries, reset on the host, their 64-bit results with
    availability (16 bytes each, 16 apart) into `size` bytes"""
    pool = query_pool(g)
    g.send(cmd('vkResetQueryPool', u64(DEVICE), u64(pool), u32(0), u32(4)))
    flags = 0x1 | 0x4 | 0x8      # 64 BIT, WITH_AVAILABILITY, PARTIAL
    return lambda size: cmd('vkGetQueryPoolResults', u64(DEVICE), u64(pool), u32(0), u32(4),
                            u64(size), u64(size), u64(16), u32(flags))


def query_copy(g):
    """four occlusion queries' 64-bit results with availability into a
    buffer at `offset`"""
    pool, buf = query_pool(g), g.buffer()
    cb, queue = g.command_buffer(), queue_of(g)
    g.send(cmd('vkCmdResetQueryPool', u64(cb), u64(pool), u32(0), u32(4)))
    return lambda offset: (cmd('vkCmdCopyQueryPoolResults', u64(cb), u64(pool), u32(0), u32(4),
                               u64(buf), u64(offset), u64(16), u32(0x1 | 0x4 | 0x8)) +
                           end_and_submit(cb, queue))


def push_constants(g):
    """a layout with 128 bytes of push constants for compute; the command
    buffer is submitted, as drivers copy the bytes when it runs"""
    layout = g.create('vkCreatePipelineLayout', u32(30) + NULL + u32(0) + u32(0) + NULL +
                      u32(1) + array([u32(STAGE_COMPUTE) + u32(0) + u32(128)]))
    cb = g.command_buffer()
    queue = g.new_id()
    g.send(cmd('vkGetDeviceQueue2', u64(DEVICE), ptr(u32(1000145003) + NULL + u32(0) + u32(0) +
                                                      u32(0)), ptr(u64(queue))))
    return lambda size: (
        cmd('vkCmdPushConstants', u64(cb), u64(layout), u32(STAGE_COMPUTE), u32(0), u32(size),
            blob(b'\x5a' * size)) +
        cmd('vkEndCommandBuffer', u64(cb)) +
        cmd('vkQueueSubmit', u64(queue), u32(1), array([
            u32(4) + NULL + u32(0) + NULL + NULL + u32(1) + array([u64(cb)]) + u32(0) + NULL]),
            u64(0)))


# image creation parameters: vkCreateImage and the queries that take them

def create_image(g):
    return lambda info: cmd('vkCreateImage', u64(DEVICE), ptr(image_info(**info)), NULL,
                            ptr(u64(g.new_id())))


def layout_info(binding):
    entry = u32(binding) + u32(STORAGE_BUFFER) + u32(1) + u32(STAGE_COMPUTE) + NULL
    return u32(32) + NULL + u32(0) + u32(1) + array([entry])  # VkDescriptorSetLayoutCreateInfo


def set_layout_binding(g):
    return lambda binding: cmd('vkCreateDescriptorSetLayout', u64(DEVICE),
                               ptr(layout_info(binding)), NULL, ptr(u64(g.new_id())))


def set_layout_support(g):
    # VkDescriptorSetLayoutSupport is filled: its sType and pNext go out
    return lambda binding: cmd('vkGetDescriptorSetLayoutSupport', u64(DEVICE),
                               ptr(layout_info(binding)), ptr(u32(1000168001) + NULL))


def image_requirements(g):
    return lambda info: cmd('vkGetDeviceImageMemoryRequirements', u64(DEVICE),
                            ptr(u32(1000413003) + NULL + ptr(image_info(**info)) + u32(0)),
                            ptr(u32(1000146003) + NULL))


def image_sparse_requirements(g):
    return lambda info: cmd('vkGetDeviceImageSparseMemoryRequirements', u64(DEVICE),
                            ptr(u32(1000413003) + NULL + ptr(image_info(**info)) + u32(0)),
                            ptr(u32(0)), NULL)


# shaders

def shader_module(g):
    return lambda code: cmd('vkCreateShaderModule', u64(DEVICE), ptr(code_info(code)), NULL,
                            ptr(u64(g.new_id())))


def compute_entry(g):
    module = g.shader_module(COMPUTE_SPIRV)
    return lambda name: g.compute_pipeline(stage_info(module, name))


def graphics_entry(g):
    """the vertex stage names "main" of a vertex module, or of a compute one"""
    modules = {0: g.shader_module(VERTEX_SPIRV), 5: g.shader_module(COMPUTE_SPIRV)}
    return lambda model: g.graphics_pipeline(stage_info(modules[model], stage=STAGE_VERTEX))


def specialization(g):
    module = g.shader_module(COMPUTE_SPIRV)
    return lambda at: g.compute_pipeline(stage_info(module, spec=spec_info(at)))


# a stage's descriptors against its pipeline layout (src/vk/pv_layout.c): a
# layout of one set with one buffer at binding 0

def shader_set(g):
    layout = g.pipeline_layout([g.set_layout()])
    return lambda set: g.compute_pipeline(
        stage_info(g.shader_module(buffer_spirv(set=set))), layout)


def shader_binding(g):
    layout = g.pipeline_layout([g.set_layout()])
    return lambda binding: g.compute_pipeline(
        stage_info(g.shader_module(buffer_spirv(binding=binding))), layout)


def shader_null_set(g):
    layouts = {True: g.pipeline_layout([g.set_layout()]), False: g.pipeline_layout([0])}
    module = g.shader_module(buffer_spirv())
    return lambda given: g.compute_pipeline(stage_info(module), layouts[given])


def shader_without_layout(g):
    """a vertex stage reading a buffer, in a graphics pipeline with a layout
    or with none (which vk.xml lets a graphics pipeline give)"""
    layout = g.pipeline_layout([g.set_layout()])
    module = g.shader_module(buffer_spirv(model=0))
    return lambda given: g.graphics_pipeline(stage_info(module, stage=STAGE_VERTEX),
                                             layout if given else 0)


def shader_descriptor_type(g):
    module = g.shader_module(buffer_spirv())
    layouts = {t: g.pipeline_layout([g.set_layout(type=t)])
               for t in (STORAGE_BUFFER, UNIFORM_BUFFER)}
    return lambda type: g.compute_pipeline(stage_info(module), layouts[type])


# code chained to the stage instead of a module (the renderer takes it on any
# pipeline; drivers take it with maintenance5 or pipeline libraries)

def chained_code(g):
    return lambda code: g.compute_pipeline(stage_info(0, chained=code))


def chained_entry(g):
    return lambda name: g.compute_pipeline(stage_info(0, name, chained=COMPUTE_SPIRV))


BIG = 1 << 20    # beyond any driver's image limits


def sub_mip(mip):
    return subresource(mip=mip)


CASES = [
    # transfers (src/vk/pv_transfer_check.c)
    Case('copy-buffer', 'vkCmdCopyBuffer', 'vkCmdCopyBuffer', copy_buffer, BUF, BUF + 1,
         'copy source: 4097 bytes at 0 of a 4096-byte buffer'),
    Case('copy-buffer2', 'vkCmdCopyBuffer2', 'vkCmdCopyBuffer2', copy_buffer2, BUF - 200,
         BUF - 199, 'copy destination: 200 bytes at 3897 of a 4096-byte buffer'),
    Case('update-buffer', 'vkCmdUpdateBuffer', 'vkCmdUpdateBuffer', update_buffer, BUF - 8,
         BUF - 4, 'update: 8 bytes at 4092 of a 4096-byte buffer'),
    Case('fill-buffer', 'vkCmdFillBuffer', 'vkCmdFillBuffer', fill_buffer, BUF - 4, BUF,
         'fill: offset 4096 is not inside a 4096-byte buffer'),
    # a 16x16 RGBA8 region takes the buffer's last 1024 bytes, or one more
    Case('buffer-to-image', 'vkCmdCopyBufferToImage', 'vkCmdCopyBufferToImage',
         buffer_to_image(lambda at: buffer_image_copy(offset=at)), BUF - 1024, BUF - 1020,
         'buffer-to-image copy: 1024 bytes at 3076 of a 4096-byte buffer'),
    Case('buffer-to-image2', 'vkCmdCopyBufferToImage2', 'vkCmdCopyBufferToImage2',
         buffer_to_image(lambda mip: buffer_image_copy(sub=sub_mip(mip), two=True), two=True),
         0, 1, 'buffer-to-image copy: level 1, layers 0+1 of an image of 1 levels and 1 layers'),
    Case('image-to-buffer', 'vkCmdCopyImageToBuffer', 'vkCmdCopyImageToBuffer',
         image_to_buffer(lambda h: buffer_image_copy(size=extent3(IMG, h))), IMG, IMG + 1,
         'image-to-buffer copy: region 16x17x1 at (0,0,0) of a 16x16x1 level'),
    Case('image-to-buffer2', 'vkCmdCopyImageToBuffer2', 'vkCmdCopyImageToBuffer2',
         image_to_buffer(lambda row: buffer_image_copy(row=row, two=True), two=True), IMG,
         IMG - 1, 'image-to-buffer copy: buffer rows of 15 texels, 16 rows, for a 16x16 region'),
    Case('copy-image', 'vkCmdCopyImage', 'vkCmdCopyImage',
         image_pair('vkCmdCopyImage', lambda x, t: image_copy(dst_at=offset3(x), size=extent3(8))),
         8, 9, 'image copy: region 8x16x1 at (9,0,0) of a 16x16x1 level'),
    Case('copy-image2', 'vkCmdCopyImage2', 'vkCmdCopyImage2',
         image_pair('vkCmdCopyImage2',
                    lambda layer, t: image_copy(src_sub=subresource(layer=layer), stype=t)),
         0, 1, 'image copy: level 0, layers 1+1 of an image of 1 levels and 1 layers'),
    Case('resolve-image', 'vkCmdResolveImage', 'vkCmdResolveImage',
         image_pair('vkCmdResolveImage', lambda x, t: image_copy(src_at=offset3(x)), 4), 0, 1,
         'resolve: region 16x16x1 at (1,0,0) of a 16x16x1 level'),
    Case('resolve-image2', 'vkCmdResolveImage2', 'vkCmdResolveImage2',
         image_pair('vkCmdResolveImage2',
                    lambda n, t: image_copy(dst_sub=subresource(count=n), stype=t), 4), 1, 2,
         'resolve: level 0, layers 0+2 of an image of 1 levels and 1 layers'),
    Case('blit-image', 'vkCmdBlitImage', 'vkCmdBlitImage',
         blit_image(lambda x: blit(dst_end=(x, IMG, 1))), IMG, IMG + 1,
         'blit destination: blit corners (0,0,0)-(17,16,1) outside a 16x16x1 level'),
    Case('blit-image2', 'vkCmdBlitImage2', 'vkCmdBlitImage2',
         blit_image(lambda x: blit(src_start=(x, 0, 0), two=True), two=True), 0, -1,
         'blit source: blit corners (-1,0,0)-(16,16,1) outside a 16x16x1 level'),
    Case('clear-color', 'vkCmdClearColorImage', 'vkCmdClearColorImage', clear_color, 1, 2,
         'clear: levels 0+2 of an image of 1'),
    # a buffer or image a command names must be bound to memory
    Case('fill-unbound-buffer', 'memory bound', 'vkCmdFillBuffer', fill_unbound, True, False,
         'fill: buffer # is not bound to memory'),
    Case('clear-unbound-image', 'memory bound', 'vkCmdClearColorImage', clear_unbound, True,
         False, 'clear: image # is not bound to memory'),
    Case('image-view-unbound', 'memory bound', 'vkCreateImageView', image_view_unbound, True,
         False, 'image view: image # is not bound to memory'),
    Case('buffer-view-unbound', 'memory bound', 'vkCreateBufferView', buffer_view_unbound, True,
         False, 'buffer view: buffer # is not bound to memory'),
    # image views: aspects of the format, the image's levels, its format
    Case('image-view-aspect', 'vkCreateImageView', 'vkCreateImageView', image_view(aspect=1),
         COLOR, 0x20, 'image view: aspects 0x20 of an image of format 37'),
    Case('image-view-levels', 'vkCreateImageView', 'vkCreateImageView', image_view(levels=1),
         1, 2, 'image view: levels 0+2 of an image of 1'),
    Case('image-view-format', 'vkCreateImageView', 'vkCreateImageView', image_view(fmt=1),
         R8G8B8A8_UNORM, R64G64B64A64_SFLOAT,
         'image view: format 121 of an image of format 37 (the image is not mutable)'),
    Case('clear-depth', 'vkCmdClearDepthStencilImage', 'vkCmdClearDepthStencilImage',
         clear_depth, 1, 2, 'clear: level 0, layers 0+2 of an image of 1 levels and 1 layers'),
    # indirect arguments: 12-byte dispatches, 16- and 20-byte draws, 4-byte counts
    Case('dispatch-indirect', 'vkCmdDispatchIndirect', 'vkCmdDispatchIndirect',
         dispatch_indirect, BUF - 12, BUF - 8,
         'indirect dispatch: 12 bytes at 4088 of a 4096-byte buffer'),
    Case('draw-indirect', 'vkCmdDrawIndirect', 'vkCmdDrawIndirect',
         draw_indirect('vkCmdDrawIndirect', 16), BUF // 16, BUF // 16 + 1,
         'indirect draw: 4112 bytes at 0 of a 4096-byte buffer'),
    Case('draw-indexed-indirect', 'vkCmdDrawIndexedIndirect', 'vkCmdDrawIndexedIndirect',
         draw_indirect('vkCmdDrawIndexedIndirect', 20), BUF // 20, BUF // 20 + 1,
         'indirect draw: 4100 bytes at 0 of a 4096-byte buffer'),
    Case('draw-indirect-count', 'vkCmdDrawIndirectCount', 'vkCmdDrawIndirectCount',
         draw_indirect_count('vkCmdDrawIndirectCount', 16), (BUF - 4, 1), (BUF, 1),
         'draw count: 4 bytes at 4096 of a 4096-byte buffer'),
    Case('draw-indexed-indirect-count', 'vkCmdDrawIndexedIndirectCount',
         'vkCmdDrawIndexedIndirectCount', draw_indirect_count('vkCmdDrawIndexedIndirectCount', 20),
         (0, BUF // 20), (0, BUF // 20 + 1), 'indirect draw: 4100 bytes at 0 of a 4096-byte buffer'),
    # memory bindings: the buffer needs BUF bytes, the image at least its texels
    Case('bind-buffer', 'vkBindBufferMemory', 'vkBindBufferMemory', bind_buffer, SLOT - BUF,
         SLOT - BUF + 64, 'buffer binding: # bytes at 61504 of 65536-byte memory'),
    Case('bind-buffer2', 'vkBindBufferMemory2', 'vkBindBufferMemory2', bind_buffer2, 0, SLOT,
         'buffer binding: # bytes at 65536 of 65536-byte memory'),
    Case('bind-image', 'vkBindImageMemory', 'vkBindImageMemory', bind_image, 0, SLOT - 256,
         'image binding: # bytes at 65280 of 65536-byte memory'),
    Case('bind-image2', 'vkBindImageMemory2', 'vkBindImageMemory2', bind_image2, 0, SLOT - 256,
         'image binding: # bytes at 65280 of 65536-byte memory'),
    # buffer descriptors
    Case('update-descriptors', 'vkUpdateDescriptorSets', 'vkUpdateDescriptorSets',
         update_descriptors, BUF, BUF + 1,
         'buffer descriptor: 4097 bytes at 0 of a 4096-byte buffer'),
    Case('descriptor-array-element', 'descriptor writes', 'vkUpdateDescriptorSets',
         lambda g: update_descriptors(g, element=True), 0, 1000000,
         'descriptor write: elements 1000000+1 of binding 0, which has 1'),
    Case('descriptor-type', 'descriptor writes', 'vkUpdateDescriptorSets', descriptor_type,
         STORAGE_BUFFER, UNIFORM_BUFFER,
         'descriptor write: descriptor type 6 for binding 0, which is of type 7'),
    Case('descriptor-binding', 'descriptor writes', 'vkUpdateDescriptorSets', descriptor_binding,
         0, 1, "descriptor write: binding 1, which its set's layout lacks"),
    Case('descriptor-rollover', 'descriptor writes', 'vkUpdateDescriptorSets',
         descriptor_rollover, 2, 3, 'descriptor write: elements 0+3 of binding 0, which has 2'),
    Case('descriptor-variable-count', 'descriptor writes', 'vkUpdateDescriptorSets',
         descriptor_variable_count, 1, 2,
         'descriptor write: elements 2+1 of binding 0, which has 2'),
    Case('descriptor-copy', 'descriptor writes', 'vkUpdateDescriptorSets', descriptor_copy, 0, 1,
         'descriptor copy source: elements 1+1 of binding 0, which has 1'),
    Case('descriptor-payload', 'descriptor payloads', 'vkUpdateDescriptorSets',
         descriptor_payload, True, False,
         'descriptor write 0: 1 descriptors of type 7 without their pBufferInfo'),
    Case('descriptor-sampler', 'descriptor payloads', 'vkUpdateDescriptorSets',
         descriptor_sampler, True, False,
         'descriptor write 0, element 0: VK_NULL_HANDLE sampler'),
    Case('descriptor-immutable-sampler', 'descriptor payloads', 'vkUpdateDescriptorSets',
         descriptor_immutable_sampler, True, False,
         'descriptor write 0, element 0: VK_NULL_HANDLE sampler'),
    Case('inline-uniform-block-size', 'descriptor payloads', 'vkUpdateDescriptorSets',
         inline_uniform_block, 16, 4096,
         'descriptor write 0: 4096 bytes of inline uniform block data for 16 bytes'),
    Case('inline-uniform-block-data', 'descriptor payloads', 'vkUpdateDescriptorSets',
         inline_uniform_block, 16, None,
         'descriptor write 0: an inline uniform block write without its data'),
    Case('push-descriptor-set', 'descriptor writes', 'vkCmdPushDescriptorSetKHR',
         push_descriptor_set, 0, 1, 'pushed descriptors: set 1, which the pipeline layout lacks',
         extensions=('VK_KHR_push_descriptor',)),
    Case('push-descriptors', 'vkCmdPushDescriptorSetKHR', 'vkCmdPushDescriptorSetKHR',
         push_descriptors, BUF - 256, BUF,
         'buffer descriptor: offset 4096 is not inside a 4096-byte buffer',
         extensions=('VK_KHR_push_descriptor',)),
    # a handle, then VK_NULL_HANDLE without the feature that allows it
    Case('null-descriptor-set', 'vkCmdBindDescriptorSets', 'vkCmdBindDescriptorSets',
         bind_descriptor_sets, True, False, 'descriptor set 0 is VK_NULL_HANDLE, which is valid '
         'only with graphicsPipelineLibrary (not enabled on this device)'),
    Case('null-vertex-buffer', 'vkCmdBindVertexBuffers', 'vkCmdBindVertexBuffers',
         bind_vertex_buffers('vkCmdBindVertexBuffers'), True, False,
         'vertex buffer 0 is VK_NULL_HANDLE, which is valid only with nullDescriptor '
         '(VK_EXT_robustness2) (not enabled on this device)'),
    Case('null-vertex-buffer2', 'vkCmdBindVertexBuffers2', 'vkCmdBindVertexBuffers2',
         bind_vertex_buffers('vkCmdBindVertexBuffers2'), True, False,
         'vertex buffer 0 is VK_NULL_HANDLE, which is valid only with nullDescriptor '
         '(VK_EXT_robustness2) (not enabled on this device)'),
]

# push constants inside what the device has (drivers keep them in a buffer
# of maxPushConstantsSize bytes)
CASES += [
    Case('push-constants', 'vkCmdPushConstants', 'vkCmdPushConstants', push_constants, 128,
         4096, 'push constants: bytes 0+4096, beyond the device\'s #'),
]

# indices into the driver's fixed arrays: the device's limits
# (src/vk/pv_state_check.c), a pipeline layout's sets, a query pool's queries
CASES += [
    Case('viewport-first', 'vkCmdSetViewport', 'vkCmdSetViewport',
         viewports('vkCmdSetViewport'), 0, 1 << 26, "viewports #+1, beyond the device's #"),
    Case('scissor-first', 'vkCmdSetScissor', 'vkCmdSetScissor', viewports('vkCmdSetScissor'),
         0, 1 << 26, "scissors #+1, beyond the device's #"),
    Case('vertex-binding-first', 'vkCmdBindVertexBuffers', 'vkCmdBindVertexBuffers',
         vertex_buffer_binding, 0, 1 << 26, "vertex buffer bindings #+1, beyond the device's #"),
    Case('bind-set-first', 'vkCmdBindDescriptorSets', 'vkCmdBindDescriptorSets',
         bind_set_range, 0, 1 << 26, 'sets #+1 of a pipeline layout of 1'),
    Case('dynamic-offsets', 'vkCmdBindDescriptorSets', 'vkCmdBindDescriptorSets',
         dynamic_offsets, 1, 0, '0 dynamic offsets for 1 dynamic descriptors'),
    Case('viewport-count', 'vkCmdSetViewportWithCount', 'vkCmdSetViewportWithCount',
         viewports_with_count('vkCmdSetViewportWithCount'), 1, 1000,
         "viewports 0+1000, beyond the device's #"),
    Case('scissor-count', 'vkCmdSetScissorWithCount', 'vkCmdSetScissorWithCount',
         viewports_with_count('vkCmdSetScissorWithCount'), 1, 1000,
         "scissors 0+1000, beyond the device's #"),
    Case('vertex-input-binding', 'vkCmdSetVertexInputEXT', 'vkCmdSetVertexInputEXT',
         vertex_input, 0, 1 << 26, "vertex input binding #+1, beyond the device's #",
         extensions=('VK_EXT_vertex_input_dynamic_state',)),
    Case('rendering-attachments', 'vkCmdBeginRendering', 'vkCmdBeginRendering',
         rendering_attachments, 1, 1000, "color attachments 0+1000, beyond the device's #"),
    Case('color-write-enable', 'vkCmdSetColorWriteEnableEXT', 'vkCmdSetColorWriteEnableEXT',
         color_write_enable, 1, 1000, "color attachments 0+1000, beyond the device's #",
         extensions=('VK_EXT_color_write_enable',)),
    Case('color-blend-enable', 'vkCmdSetColorBlendEnableEXT', 'vkCmdSetColorBlendEnableEXT',
         per_attachment('vkCmdSetColorBlendEnableEXT', u32(1)), 0, 1 << 26,
         "color attachments #+1, beyond the device's #",
         extensions=('VK_EXT_extended_dynamic_state3',)),
    Case('color-blend-equation', 'vkCmdSetColorBlendEquationEXT', 'vkCmdSetColorBlendEquationEXT',
         per_attachment('vkCmdSetColorBlendEquationEXT',
                        u32(1) + u32(0) + u32(0) + u32(1) + u32(0) + u32(0)), 0, 1 << 26,
         "color attachments #+1, beyond the device's #",
         extensions=('VK_EXT_extended_dynamic_state3',)),
    Case('color-write-mask', 'vkCmdSetColorWriteMaskEXT', 'vkCmdSetColorWriteMaskEXT',
         per_attachment('vkCmdSetColorWriteMaskEXT', u32(0xf)), 0, 1 << 26,
         "color attachments #+1, beyond the device's #",
         extensions=('VK_EXT_extended_dynamic_state3',)),
    Case('query-begin', 'vkCmdBeginQuery', 'vkCmdBeginQuery', query_command('vkCmdBeginQuery'),
         0, 1 << 26, 'queries #+1 of a pool of 4'),
    Case('query-end', 'vkCmdEndQuery', 'vkCmdEndQuery', query_command('vkCmdEndQuery'),
         0, 1 << 26, 'queries #+1 of a pool of 4'),
    Case('query-begin-indexed', 'vkCmdBeginQueryIndexedEXT', 'vkCmdBeginQueryIndexedEXT',
         query_command('vkCmdBeginQueryIndexedEXT'), 0, 1 << 26, 'queries #+1 of a pool of 4',
         extensions=('VK_EXT_transform_feedback',)),
    Case('query-end-indexed', 'vkCmdEndQueryIndexedEXT', 'vkCmdEndQueryIndexedEXT',
         query_command('vkCmdEndQueryIndexedEXT'), 0, 1 << 26, 'queries #+1 of a pool of 4',
         extensions=('VK_EXT_transform_feedback',)),
    Case('query-host-reset', 'vkResetQueryPool', 'vkResetQueryPool', host_query_reset, 4,
         100000, 'queries 0+100000 of a pool of 4'),
    Case('query-timestamp2', 'vkCmdWriteTimestamp2', 'vkCmdWriteTimestamp2', query_timestamp2,
         3, 1 << 26, 'queries #+1 of a pool of 4'),
    Case('pipeline-vertex-binding', 'graphics pipeline state', 'vkCreateGraphicsPipelines',
         pipeline_vertex_binding, 0, 1 << 26, "vertex input binding #+1, beyond the device's #"),
    Case('pipeline-blend-attachments', 'graphics pipeline state', 'vkCreateGraphicsPipelines',
         pipeline_blend_attachments, 1, 1000,
         "pipeline color blend attachments 0+1000, beyond the device's #"),
    Case('render-pass-attachment', 'vkCreateRenderPass', 'vkCreateRenderPass',
         render_pass_attachment, 0, 1 << 26, 'subpass 0: color attachment # of a render pass of 1'),
    Case('render-pass2-attachment', 'vkCreateRenderPass2', 'vkCreateRenderPass2',
         render_pass2_attachment, 0, 1 << 26,
         'subpass 0: color attachment # of a render pass of 1'),
    Case('render-pass-dependency', 'vkCreateRenderPass', 'vkCreateRenderPass',
         render_pass_dependency, 0, 1 << 26, 'dependency 0: subpass # of a render pass of 1'),
    Case('xfb-buffers', 'vkCmdBindTransformFeedbackBuffersEXT',
         'vkCmdBindTransformFeedbackBuffersEXT', xfb_command('vkCmdBindTransformFeedbackBuffersEXT'),
         0, 1 << 26, "transform feedback buffers #+1, beyond the device's #",
         extensions=('VK_EXT_transform_feedback',)),
    Case('xfb-begin-counters', 'vkCmdBeginTransformFeedbackEXT', 'vkCmdBeginTransformFeedbackEXT',
         xfb_command('vkCmdBeginTransformFeedbackEXT'), 0, 1 << 26,
         "transform feedback counter buffers #+1, beyond the device's #",
         extensions=('VK_EXT_transform_feedback',)),
    Case('xfb-end-counters', 'vkCmdEndTransformFeedbackEXT', 'vkCmdEndTransformFeedbackEXT',
         xfb_command('vkCmdEndTransformFeedbackEXT'), 0, 1 << 26,
         "transform feedback counter buffers #+1, beyond the device's #",
         extensions=('VK_EXT_transform_feedback',)),
    Case('query-stream', 'vkCmdBeginQueryIndexedEXT', 'vkCmdBeginQueryIndexedEXT', query_stream,
         0, 1 << 26, 'vertex stream # of a query of type 1000028004 (the device has #)',
         extensions=('VK_EXT_transform_feedback',)),
    Case('query-reset-range', 'vkCmdResetQueryPool', 'vkCmdResetQueryPool', query_range, 4,
         100000, 'queries 0+100000 of a pool of 4'),
    Case('query-timestamp', 'vkCmdWriteTimestamp', 'vkCmdWriteTimestamp', query_timestamp, 3,
         1 << 26, 'queries #+1 of a pool of 4'),
    Case('query-results-size', 'vkGetQueryPoolResults', 'vkGetQueryPoolResults',
         query_results, 64, 8, '4 results of 16 bytes, 16 apart, in 8 bytes'),
    Case('query-copy-range', 'vkCmdCopyQueryPoolResults', 'vkCmdCopyQueryPoolResults',
         query_copy, 0, BUF - 8, 'query results: 64 bytes at # of a 4096-byte buffer'),
]

# the decoder: arrays of handles vk.xml does not let be VK_NULL_HANDLE
CASES += [
    Case('null-fence', 'handles in arrays', 'vkWaitForFences', wait_for_fences, True, False,
         'vkWaitForFences.pFences: required object is VK_NULL_HANDLE'),
    Case('null-command-buffer', 'handles in arrays', 'vkQueueSubmit', submit_command_buffers,
         True, False, 'VkSubmitInfo.pCommandBuffers: required object is VK_NULL_HANDLE'),
]

# image creation parameters (src/vk/pv_image_check.c): a valid image, then
# the one parameter that breaks each rule
IMAGE_RULES = [
    ('no-usage', {}, {'usage': 0}, 'no usage'),
    ('format-undefined', {}, {'fmt': 0}, 'format VK_FORMAT_UNDEFINED'),
    ('empty-extent', {}, {'extent': (0, IMG, 1)}, 'an empty extent'),
    ('1d-taller', {'type': IMAGE_1D, 'extent': (IMG, 1, 1)},
     {'type': IMAGE_1D, 'extent': (IMG, 2, 1)}, 'a 1D image taller or deeper than 1'),
    ('2d-deeper', {}, {'extent': (IMG, IMG, 2)}, 'a 2D image deeper than 1'),
    ('3d-layers', {'type': IMAGE_3D, 'extent': (IMG, IMG, 4)},
     {'type': IMAGE_3D, 'extent': (IMG, IMG, 4), 'layers': 2}, 'a 3D image with array layers'),
    ('mips-beyond-extent', {'mips': 5}, {'mips': 6}, 'more mip levels than the extent has'),
    ('no-layers', {}, {'layers': 0}, 'no array layers'),
    ('samples-not-power-of-two', {'samples': 4, 'usage': USE_COLOR},
     {'samples': 3, 'usage': USE_COLOR}, 'a sample count that is not a power of two up to 64'),
    ('multisampled-mips', {'samples': 4, 'usage': USE_COLOR},
     {'samples': 4, 'usage': USE_COLOR, 'mips': 2},
     'a multisampled image that is not a single-level optimal 2D image'),
    ('cube-not-square', {'flags': CUBE_COMPATIBLE, 'layers': 6},
     {'flags': CUBE_COMPATIBLE, 'layers': 6, 'extent': (IMG, IMG // 2, 1)},
     'a cube-compatible image that is not square 2D with 6 layers or more'),
    # the driver's own limits for the format, type, tiling, usage and flags
    ('unsupported', {}, {'fmt': R64G64B64A64_SFLOAT},
     'a format, type, tiling, usage and flags the driver does not support'),
    ('extent-beyond-driver', {}, {'extent': (BIG, 1, 1)}, "an extent beyond the driver's maximum"),
    ('layers-beyond-driver', {}, {'layers': BIG}, "more array layers than the driver's maximum"),
    ('samples-beyond-driver', {'samples': 4, 'usage': USE_COLOR},
     {'samples': 64, 'usage': USE_COLOR}, 'a sample count the driver does not support'),
]
for rule, good, bad, why in IMAGE_RULES:
    CASES.append(Case('image-' + rule, 'image parameters', 'vkCreateImage', create_image, good,
                      bad, 'invalid image parameters (%s)' % why))
CASES += [
    Case('descriptor-binding-number', 'binding numbers', 'vkCreateDescriptorSetLayout',
         set_layout_binding, 65535, 65536,
         'descriptor set layout: binding number # (the renderer\'s limit is #)'),
    Case('descriptor-binding-number-support', 'binding numbers', 'vkGetDescriptorSetLayoutSupport',
         set_layout_support, 65535, 65536,
         'descriptor set layout support: binding number # (the renderer\'s limit is #)'),
    Case('image-requirements', 'image parameters', 'vkGetDeviceImageMemoryRequirements',
         image_requirements, {}, {'extent': (IMG, IMG, 2)},
         'invalid image parameters (a 2D image deeper than 1)'),
    Case('image-sparse-requirements', 'image parameters',
         'vkGetDeviceImageSparseMemoryRequirements', image_sparse_requirements, {},
         {'extent': (IMG, IMG, 2)}, 'invalid image parameters (a 2D image deeper than 1)'),
]

# shaders (src/vk/pv_shader.c, src/vk/pv_spirv.c); the validator's own words
# are SPIRV-Tools', so only that it was the validator is matched
VALIDATOR = re.compile(r'invalid SPIR-V: (?![0-9]+ bytes are no SPIR-V)[^ ]')
CASES += [
    Case('spirv-too-short', 'SPIR-V', 'vkCreateShaderModule', shader_module, COMPUTE_SPIRV,
         COMPUTE_SPIRV[:16], 'invalid SPIR-V: 16 bytes are no SPIR-V module'),
    Case('spirv-invalid', 'SPIR-V', 'vkCreateShaderModule', shader_module, COMPUTE_SPIRV,
         spirv(5, memory_model=False), VALIDATOR),
    Case('entry-point-name', 'entry points', 'vkCreateComputePipelines', compute_entry, 'main',
         'nope', 'stage 0x20 names entry point "nope", which its module lacks'),
    Case('entry-point-stage', 'entry points', 'vkCreateGraphicsPipelines', graphics_entry, 0, 5,
         'stage 0x1 names entry point "main", which its module lacks'),
    Case('specialization', 'specialization data', 'vkCreateComputePipelines', specialization,
         0, 4, 'specialization constant 0: 4 bytes at 4, outside its 4 bytes of data'),
    Case('chained-spirv', 'SPIR-V', 'vkCreateComputePipelines', chained_code, COMPUTE_SPIRV,
         spirv(5, memory_model=False), VALIDATOR),
    Case('chained-entry-point', 'entry points', 'vkCreateComputePipelines', chained_entry,
         'main', 'nope', 'stage 0x20 names entry point "nope", which its code lacks'),
    Case('stage-without-shader', 'entry points', 'vkCreateComputePipelines',
         chained_code, COMPUTE_SPIRV, None, 'stage 0x20 has no shader'),
    # the module also declares an unused buffer at set 7, which the in-range
    # halves accept: only what the entry point uses must be in the layout
    Case('shader-descriptor-set', 'pipeline layout', 'vkCreateComputePipelines', shader_set,
         0, 1, 'stage 0x20, entry point "main": uses descriptor set 1, beyond the 1 sets of '
         'its pipeline layout'),
    Case('shader-descriptor-binding', 'pipeline layout', 'vkCreateComputePipelines',
         shader_binding, 0, 1,
         'stage 0x20, entry point "main": uses binding 1 of set 0, which its set layout lacks'),
    Case('shader-descriptor-type', 'pipeline layout', 'vkCreateComputePipelines',
         shader_descriptor_type, STORAGE_BUFFER, UNIFORM_BUFFER,
         'stage 0x20, entry point "main": uses set 0 binding 0 as a storage buffer, which its '
         'set layout makes descriptor type 6'),
    Case('shader-null-set', 'pipeline layout', 'vkCreateComputePipelines', shader_null_set,
         True, False, 'stage 0x20, entry point "main": uses descriptor set 0, which its '
         'pipeline layout leaves VK_NULL_HANDLE'),
    Case('shader-without-layout', 'pipeline layout', 'vkCreateGraphicsPipelines',
         shader_without_layout, True, False,
         'stage 0x1, entry point "main": uses set 0 binding 0, and the pipeline has no layout'),
]


# -- running them ------------------------------------------------------------------

def wait_match(server, pattern, timeout=5):
    """The first log line matching `pattern`, waiting for it to be written."""
    deadline = time.time() + timeout
    while True:
        m = re.search(pattern, server.log_text(), re.MULTILINE)
        if m or time.time() > deadline:
            return m
        time.sleep(0.05)


def served(server, case, name):
    """A guest that does the in-range half of `case`: whether it was served."""
    try:
        g = Guest(server, name, case.extensions)
        command = case.setup(g)
        g.send(command(case.good))
        g.flush()
        g.close()
        return True
    except (ConnectionError, OSError):
        return False


def run_case(server, case, label):
    name = '%s-%s' % (label, case.name)
    what = '%s: %s (%s)' % (label, case.name, case.check_of)
    try:
        g = Guest(server, name, case.extensions)
        command = case.setup(g)
        g.flush()
        g.send(command(case.good))
        g.flush()
    except (ConnectionError, OSError) as e:
        check(False, '%s: the objects and the argument in range are accepted (%s)' % (what, e))
        print('\n'.join(server.log_text().splitlines()[-5:]))
        return
    g.send(command(case.bad))
    try:
        g.c.submit(g.queued)
    except (BrokenPipeError, ConnectionResetError):
        pass
    refused = wait_match(server, r'\[ctx (\d+) %s\] error: guest error, context marked fatal: '
                         r'%s: %s' % (re.escape(name), re.escape(case.command), case.reason))
    check(refused is not None, '%s: %s refused: %s' % (what, case.command, case.text))
    dropped = g.c.closed_by_server(timeout=5)
    g.close()
    client = refused.group(1) if refused else r'\d+'
    check(dropped and wait_match(server, r'vtest client %s \(%s\): [^;\n]*; '
                                 r'dropping it' % (client, re.escape(name))) is not None,
          '%s: the client dropped' % what)
    check(server.alive() and served(server, case, name + '-after'),
          '%s: the next client doing the same in range is served' % what)


def well_behaved(server, what):
    r = subprocess.run(['vulkaninfo', '--summary'], capture_output=True, text=True,
                       timeout=120, env=server.venus_env())
    check(r.returncode == 0 and 'Virtio-GPU Venus' in r.stdout,
          '%s: a well-behaved client (vulkaninfo) is served' % what)


def main():
    chosen = [a for a in sys.argv[1:] if not a.startswith('-')]
    unknown = set(chosen) - {c.name for c in CASES}
    if unknown:
        sys.exit('no such case: %s' % ', '.join(sorted(unknown)))
    cases = [c for c in CASES if not chosen or c.name in chosen]
    modes = {'fork': [], 'inproc': ['--no-fork']}
    wanted = os.environ.get('PV_CHECKS_MODES', 'fork,inproc').split(',')
    for label in wanted:
        server = pvtest.Server(modes[label])
        for case in cases:
            run_case(server, case, label)
        well_behaved(server, '%s, after %d refused clients' % (label, len(cases)))
        log = server.log_text()
        check('killed by signal' not in log, '%s: no client process crashed' % label)
        server.stop()
        if '--verbose' in sys.argv:
            print(log)
    pvtest.finish()


main()
