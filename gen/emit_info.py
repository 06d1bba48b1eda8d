# SPDX-License-Identifier: MIT
"""Protocol information: the extensions the renderer can decode (for the
capset mask and for filtering the host's extension lists), the registry
version, and validators for the enums the decoders read."""

MASK_WORDS = 32      # vk_extension_mask1[32] of the Venus capset


class Info:
    def __init__(self, proto, needs):
        self.proto = proto
        self.needs = needs

    def extensions(self):
        return sorted((e for e in self.proto.extensions if e.number < MASK_WORDS * 32),
                      key=lambda e: e.name)

    def header(self, c):
        major, minor, patch = self.proto.api_version()
        c('#define PV_VK_XML_VERSION VK_MAKE_API_VERSION(0, %d, %d, %d)' % (major, minor, patch))
        c('#define PV_EXTENSION_COUNT %d' % len(self.extensions()))
        c('#define PV_EXTENSION_MASK_WORDS %d' % MASK_WORDS)
        c()
        for name in sorted(self.needs.enums):
            if self.proto.reg.types[name].values:
                c('bool pv_valid_%s(int32_t value);' % name)
        c()
        c('/* How a format lies in memory, from the registry\'s <formats>: what')
        c(' * copies between buffers and images of it address. */')
        c('struct pv_format_layout {')
        c('   uint8_t block_bytes;      /* one texel block, all aspects */')
        c('   uint8_t block_extent[3];  /* texels per block: width, height, depth */')
        c('   uint8_t depth_bytes;      /* of the depth aspect in a buffer, 0 if none */')
        c('   uint8_t stencil_bytes;    /* of the stencil aspect in a buffer, 0 if none */')
        c('   uint8_t plane_count;      /* 0 for single-plane formats */')
        c('   struct {')
        c('      uint8_t bytes;         /* a texel of the plane\'s compatible format */')
        c('      uint8_t divisor[2];    /* of the width and height */')
        c('   } planes[3];')
        c('};')
        c()
        c('/* NULL for a format the registry gives no layout (VK_FORMAT_UNDEFINED). */')
        c('const struct pv_format_layout *pv_format_layout_of(int32_t format);')

    def format_layouts(self, c):
        reg = self.proto.reg
        values = reg.types['VkFormat'].values if 'VkFormat' in reg.types else {}
        entries = []
        for name in sorted(reg.formats, key=lambda n: values.get(n, 0)):
            if name not in values:
                continue
            f = reg.formats[name]
            depth = 0 if not f.depth_bits else (2 if f.depth_bits <= 16 else 4)
            stencil = 1 if f.stencil_bits else 0
            planes = []
            for div_w, div_h, compatible in f.planes:
                planes.append('{ %d, { %d, %d } }' % (reg.formats[compatible].block_bytes,
                                                      div_w, div_h))
            entries.append((values[name], name, '{ %d, { %d, %d, %d }, %d, %d, %d, { %s } }' % (
                f.block_bytes, f.block_extent[0], f.block_extent[1], f.block_extent[2],
                depth, stencil, len(planes), ', '.join(planes) if planes else '{ 0 }')))
        c('const struct pv_format_layout *')
        c('pv_format_layout_of(int32_t format)')
        c('{')
        c('   switch (format) {')
        for value, name, init in entries:
            c('   case %d: { /* %s */' % (value, name))
            c('      static const struct pv_format_layout layout = %s;' % init)
            c('      return &layout;')
            c('   }')
        c('   default:')
        c('      return NULL;')
        c('   }')
        c('}')
        c()

    def source(self, c):
        self.format_layouts(c)
        exts = self.extensions()
        c('const struct pv_extension_info pv_extensions[PV_EXTENSION_COUNT] = {')
        c.indent()
        for e in exts:
            c('{ "%s", %d, %d, %s },' % (e.name, e.number, e.spec_version,
                                         'true' if e.ext_type == 'instance' else 'false'))
        c.dedent()
        c('};')
        c()
        mask = [0] * MASK_WORDS
        mask[0] |= 1                     # bit 0: the mask is valid
        for e in exts:
            mask[e.number // 32] |= 1 << (e.number % 32)
        c('const uint32_t pv_extension_mask[PV_EXTENSION_MASK_WORDS] = {')
        for i in range(0, MASK_WORDS, 4):
            c('   %s,' % ', '.join('0x%08x' % m for m in mask[i:i + 4]))
        c('};')
        c()
        for name in sorted(self.needs.enums):
            ty = self.proto.reg.types[name]
            if not ty.values:
                continue
            values = sorted(set(v for v in ty.values.values() if -2**31 <= v < 2**31))
            c('bool')
            c('pv_valid_%s(int32_t value)' % name)
            c('{')
            c('   switch (value) {')
            for v in values:
                c('   case %d:' % v)
            c('      return true;')
            c('   default:')
            c('      return false;')
            c('   }')
            c('}')
            c()
