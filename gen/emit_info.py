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

    def source(self, c):
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
