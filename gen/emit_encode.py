# SPDX-License-Identifier: MIT
"""Reply encoders: host C structs -> guest bytes at the reply position.

A reply is the command type, the return value if any, then every output
parameter encoded in full.  The writer (src/cs/pv_encoder.h) bounds-checks
each write against the reply stream the guest set up.
"""

from emit_common import Code
import protocol

SCALAR_WRITE = {
    'uint8_t': 'u32', 'uint16_t': 'u32', 'int8_t': 'i32', 'int16_t': 'i32',
    'uint32_t': 'u32', 'int32_t': 'i32', 'float': 'f32',
    'uint64_t': 'u64', 'int64_t': 'i64', 'double': 'f64', 'size_t': 'u64',
}


def count_expr(w, prefix):
    return w.count.format(p=prefix)


class Encode:
    def __init__(self, proto, needs):
        self.proto = proto
        self.needs = needs
        self.self_needed = set()

    def _elem(self, c, w, rvalue):
        if w.elem == 'scalar':
            c('pv_enc_%s(enc, %s);' % (SCALAR_WRITE[w.scalar], rvalue))
        elif w.elem == 'enum':
            c('pv_enc_i32(enc, (int32_t)%s);' % rvalue)
        elif w.elem == 'handle':
            c('pv_enc_u64(enc, (uint64_t)(uintptr_t)%s);' % rvalue)
        elif w.elem in ('struct', 'union'):
            c('pv_enc_%s(enc, &%s);' % (w.base.name, rvalue))
        else:
            raise ValueError('cannot encode %r' % w)

    def item(self, c, w, prefix):
        lv = prefix + w.name
        kind = w.kind
        if kind == 'value':
            self._elem(c, w, lv)
        elif kind == 'fixed':
            n = w.fixed
            if w.elem == 'char':
                c('pv_enc_chars(enc, %s, %s);' % (lv, n))
            elif w.elem in ('scalar', 'enum'):
                c('pv_enc_u64(enc, %s);' % n)
                c('pv_enc_scalars(enc, %s, %s, sizeof(%s[0]));' % (lv, n, lv))
            else:
                c('pv_enc_u64(enc, %s);' % n)
                c('for (uint32_t i = 0; i < %s; i++)' % n)
                c.indent()
                self._elem(c, w, '%s[i]' % lv)
                c.dedent()
        elif kind == 'dyn':
            c.block('if (%s)' % lv)
            c('const uint64_t n = %s;' % count_expr(w, prefix))
            c('pv_enc_u64(enc, n);')
            if w.elem in ('scalar', 'enum'):
                c('pv_enc_scalars(enc, %s, n, sizeof(%s[0]));' % (lv, lv))
            else:
                c('for (uint64_t i = 0; i < n; i++)')
                c.indent()
                self._elem(c, w, '%s[i]' % lv)
                c.dedent()
            c.dedent()
            c('} else {')
            c('   pv_enc_u64(enc, 0);')
            c('}')
        elif kind == 'ptr':
            c('if (pv_enc_marker(enc, %s))' % lv)
            c.indent()
            self._elem(c, w, '%s[0]' % lv)
            c.dedent()
        elif kind == 'string':
            c('pv_enc_string(enc, %s);' % lv)
        elif kind == 'strings':
            c('pv_enc_strings(enc, %s, %s);' % (lv, count_expr(w, prefix)))
        elif kind == 'blob':
            c('pv_enc_blob(enc, %s, %s);' % (lv, count_expr(w, prefix)))
        elif kind == 'null':
            c('pv_enc_u64(enc, 0);')
        else:
            raise ValueError('cannot encode %r' % w)

    def prototypes(self, c):
        for name in sorted(self.proto.structs):
            if self.needs.has(name, 'enc'):
                c('void pv_enc_%s(struct pv_encoder *enc, const %s *val);' % (name, name))

    def self_prototypes(self, c, bases):
        for ty in bases:
            if 'enc' not in self.needs.need[ty.name]:
                continue
            for e in self.proto.extenders(ty):
                if e.name in self.self_needed:
                    continue
                self.self_needed.add(e.name)
                c('static void pv_enc_self_%s(struct pv_encoder *enc, const void *node);' % e.name)

    def structs(self, c):
        for name, ty in sorted(self.proto.structs.items()):
            if not self.needs.has(name, 'enc'):
                continue
            if ty.category == 'union':
                self._union(c, ty)
            else:
                self._struct(c, ty)

    def _struct(self, c, ty):
        name = ty.name
        body = Code()
        body.level = 1
        for w in self.proto.wires(ty):
            if w.kind == 'pnext' or w.name == 'sType':
                continue
            self.item(body, w, 'val->')
        has_chain = self.proto.has_pnext(ty)
        is_entry = name in self.self_needed
        if is_entry:
            c('static void')
            c('pv_enc_self_%s(struct pv_encoder *enc, const void *node)' % name)
            c('{')
            if body.lines:
                c('   const %s *val = node;' % name)
                c.lines.extend(body.lines)
            else:
                c('   (void)enc;')
                c('   (void)node;')
            c('}')
            c()
        c('void')
        c('pv_enc_%s(struct pv_encoder *enc, const %s *val)' % (name, name))
        c('{')
        if ty.stype:
            c('   pv_enc_i32(enc, (int32_t)val->sType);')
        if has_chain:
            c('   pv_enc_chain(enc, val->pNext, &pv_chain_%s);' % name)
        if is_entry:
            c('   pv_enc_self_%s(enc, val);' % name)
        else:
            c.lines.extend(body.lines)
        if not body.lines and not ty.stype and not has_chain:
            c('   (void)enc;')
            c('   (void)val;')
        c('}')
        c()

    def _union(self, c, ty):
        name = ty.name
        tag = protocol.UNION_DEFAULT_TAGS.get(name)
        c('void')
        c('pv_enc_%s(struct pv_encoder *enc, const %s *val)' % (name, name))
        c('{')
        c.indent()
        if tag is None:
            c('(void)val;')
            c('pv_enc_fail(enc, "%s has no encoding");' % name)
        else:
            w = self.proto.wires(ty)[tag]
            c('pv_enc_u32(enc, %d);' % tag)
            self.item(c, w, 'val->')
        c.dedent()
        c('}')
        c()

    def command_reply(self, c, cmd, command_id):
        name = cmd.name
        c('void')
        c('pv_enc_reply_%s(struct pv_encoder *enc, const struct pv_cmd_%s *args)' %
          (name, name))
        c('{')
        c.indent()
        c('pv_enc_u32(enc, %d); /* %s */' % (command_id, name))
        outs = [w for w in self.proto.wires(cmd) if w.direction in ('out', 'inout')]
        if cmd.ret:
            ret = self.proto.scalar_of(self.proto.base_type(cmd.ret)) if cmd.ret != 'VkResult' \
                else 'int32_t'
            c('pv_enc_%s(enc, args->ret);' % SCALAR_WRITE[ret])
        elif not outs:
            c('(void)args;')
        for w in outs:
            self.item(c, w, 'args->')
        c.dedent()
        c('}')
        c()
