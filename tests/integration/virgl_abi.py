# SPDX-License-Identifier: MIT
"""virglrenderer 1.x's binary interface (vmm/virglrenderer.h) for the tests
that drive PearVisor's libvirglrenderer through ctypes, as a VMM does."""

import ctypes

THREAD_SYNC = 1 << 1
VENUS = 1 << 6
NO_VIRGL = 1 << 7
ASYNC_FENCE_CB = 1 << 8
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


class Box(ctypes.Structure):
    """What a VMM passes as struct virgl_box (virtio-gpu's box)."""
    _fields_ = [(n, ctypes.c_uint32) for n in ('x', 'y', 'z', 'w', 'h', 'd')]


class ResourceInfoExt(ctypes.Structure):
    _fields_ = [('version', ctypes.c_int), ('base', ResourceInfo),
                ('has_dmabuf_export', ctypes.c_bool), ('planes', ctypes.c_int),
                ('modifiers', ctypes.c_uint64), ('d3d_tex2d', ctypes.c_void_p)]


class GlContextParam(ctypes.Structure):
    _fields_ = [('version', ctypes.c_int), ('shared', ctypes.c_bool),
                ('major_ver', ctypes.c_int), ('minor_ver', ctypes.c_int),
                ('compat_ctx', ctypes.c_int)]


# the GL callbacks, whose Callbacks members are plain pointers (cast these)
CREATE_GL_CONTEXT = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int,
                                     ctypes.POINTER(GlContextParam))
DESTROY_GL_CONTEXT = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
MAKE_CURRENT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)

Y_0_TOP = 1
# virtio-gpu's 2D formats (Gallium's numbers)
B8G8R8A8_UNORM = 1
B8G8R8X8_UNORM = 2
