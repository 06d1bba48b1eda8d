# SPDX-License-Identifier: MIT
"""Decoders: guest bytes -> host C structs in the decoder's scratch arena.

For every struct the renderer reads it emits a full decoder (guest input), a
partial decoder where the struct is an output (only sType, pNext, handles,
nested structs and counts are on the wire), and a replacer that swaps the
objects the decoder looked up for host handles.  For every command it emits an
argument decoder and an argument replacer.

Every read goes through the checked primitives of src/cs/pv_decoder.h; a
failed read marks the context fatal and returns zeros, so the code below needs
no error checks except after allocations.
"""

from emit_common import Code, objtype, min_wire_size
import protocol

SCALAR_READ = {
    'uint8_t': 'u32', 'uint16_t': 'u32', 'int8_t': 'i32', 'int16_t': 'i32',
    'uint32_t': 'u32', 'int32_t': 'i32', 'float': 'f32',
    'uint64_t': 'u64', 'int64_t': 'i64', 'double': 'f64', 'size_t': 'u64',
}


def what(w):
    return '"%s.%s"' % (w.owner, w.name)


def count_expr(w, prefix):
    return w.count.format(p=prefix)


def elem_ctype(w):
    """C type of one element of an array or pointer item (no const)."""
    return w.member.type_name


def load_lenient(path):
    """'Owner.member' names whose enum values are not checked (see
    gen/data/lenient_enums.txt)."""
    names = set()
    if path:
        with open(path) as f:
            for line in f:
                line = line.split('#', 1)[0].strip()
                if line:
                    names.add(line.split()[0])
    return names


def elements_required(w):
    """Whether the handles of array `w` must not be VK_NULL_HANDLE: Vulkan's
    implicit "valid handles" unless vk.xml marks the elements optional (the
    second level of `optional`, as in pDescriptorSets="false,true") or
    leaves their validity to the text (noautovalidity).  A driver given
    VK_NULL_HANDLE where it expects an object dereferences it."""
    m = w.member
    if w.elem != 'handle' or m is None or m.noautovalidity:
        return False
    return not (len(m.optional) > 1 and m.optional[1])


class Decode:
    def __init__(self, proto, needs, lenient=frozenset()):
        self.proto = proto
        self.needs = needs
        self.lenient = lenient

    # -- one element ---------------------------------------------------------

    def _elem(self, c, w, lvalue, validity, top_level_handle=False, required=False):
        """Decode one element of item `w` into `lvalue`."""
        if validity == 'none':
            return
        if w.elem == 'scalar':
            c('%s = (%s)pv_dec_%s(dec);' % (lvalue, elem_ctype(w), SCALAR_READ[w.scalar]))
        elif w.elem == 'enum':
            if '%s.%s' % (w.owner, w.name) in self.lenient:
                c('%s = (%s)pv_dec_i32(dec); /* checked by its handler */' %
                  (lvalue, w.base.name))
            elif w.base.name in self.needs.enums and w.base.values:
                c('%s = (%s)pv_dec_enum(dec, pv_valid_%s, %s);' %
                  (lvalue, w.base.name, w.base.name, what(w)))
            else:
                c('%s = (%s)pv_dec_i32(dec);' % (lvalue, w.base.name))
        elif w.elem == 'handle':
            if validity == 'partial':
                c('%s = (%s)(uintptr_t)pv_dec_u64(dec);' % (lvalue, w.base.name))
            elif top_level_handle:
                c('%s = pv_dec_object(dec, %s, %s, %s);' %
                  (lvalue, objtype(self.proto, w.base), 'true' if required else 'false',
                   what(w)))
            else:
                c('%s = (%s)pv_dec_object(dec, %s, %s, %s);' %
                  (lvalue, w.base.name, objtype(self.proto, w.base),
                   'true' if required else 'false', what(w)))
        elif w.elem == 'struct':
            suffix = '_partial' if validity == 'partial' else ''
            c('pv_dec_%s%s(dec, &%s);' % (w.base.name, suffix, lvalue))
        elif w.elem == 'union':
            c('pv_dec_%s(dec, &%s);' % (w.base.name, lvalue))
        else:
            raise ValueError('cannot decode %r' % w)

    # -- one item ------------------------------------------------------------

    def item(self, c, w, prefix, validity, top_level=False, required=False):
        lv = prefix + w.name
        kind = w.kind
        nullable = 'true' if w.nullable else 'false'
        if kind == 'value' and w.elem == 'handle' and w.member is not None:
            # Vulkan's implicit "must be a valid handle": a driver takes
            # VK_NULL_HANDLE there for an object and crashes
            required = required or not (w.member.is_optional or w.member.noautovalidity)
        if kind == 'value':
            self._elem(c, w, lv, validity, top_level_handle=top_level, required=required)
        elif kind == 'fixed':
            if validity == 'none':
                return
            n = w.fixed
            if w.elem == 'char':
                c('pv_dec_chars(dec, %s, %s, %s);' % (lv, n, what(w)))
            elif w.elem in ('scalar', 'enum') and validity == 'full':
                c('pv_dec_fixed(dec, %s, %s);' % (n, what(w)))
                c('pv_dec_scalars(dec, %s, %s, sizeof(%s[0]));' % (lv, n, lv))
                self._validate_enums(c, w, lv, n)
            else:
                c('pv_dec_fixed(dec, %s, %s);' % (n, what(w)))
                c('for (uint32_t i = 0; i < %s; i++)' % n)
                c.indent()
                self._elem(c, w, '%s[i]' % lv, validity)
                c.dedent()
        elif kind == 'dyn':
            self._dyn(c, w, prefix, lv, validity)
        elif kind == 'ptr':
            t = elem_ctype(w)
            c.block('')
            c('%s *p = NULL;' % t)
            c.block('if (pv_dec_marker(dec, %s, %s))' % (nullable, what(w)))
            c('p = pv_dec_alloc(dec, 1, sizeof(*p));')
            c('if (!p)')
            c('   return;')
            self._elem(c, w, 'p[0]', validity)
            c.end()
            c('%s = p;' % lv)
            c.end()
        elif kind == 'string':
            c('%s = pv_dec_string(dec, %s, %s);' % (lv, nullable, what(w)))
        elif kind == 'strings':
            c('%s = pv_dec_strings(dec, %s, %s, %s);' %
              (lv, count_expr(w, prefix), nullable, what(w)))
        elif kind == 'blob':
            c('%s = pv_dec_blob(dec, %s, %s, %s, %s);' %
              (lv, count_expr(w, prefix), nullable,
               'true' if validity == 'full' else 'false', what(w)))
        elif kind == 'null':
            c('pv_dec_null(dec, %s);' % what(w))
            c('%s = NULL;' % lv)
        else:
            raise ValueError('cannot decode %r' % w)

    def _validate_enums(self, c, w, lv, n):
        if w.elem == 'enum' and w.base.name in self.needs.enums and w.base.values:
            c('pv_dec_check_enums(dec, (const int32_t *)%s, %s, pv_valid_%s, %s);' %
              (lv, n, w.base.name, what(w)))

    def _dyn(self, c, w, prefix, lv, validity):
        t = elem_ctype(w)
        nullable = 'true' if w.nullable else 'false'
        if validity == 'full' and w.elem in ('scalar', 'enum'):
            minwire = protocol.PRIMITIVES[w.scalar][1]   # packed in arrays
        else:
            minwire = min_wire_size(self.proto, w, validity)
        c.block('')
        c('uint64_t n;')
        c('%s *p = NULL;' % t)
        c.block('if (pv_dec_dyn(dec, %s, %s, %d, &n, %s))' %
                (count_expr(w, prefix), nullable, minwire, what(w)))
        c('p = pv_dec_alloc(dec, n, sizeof(*p));')
        c('if (!p)')
        c('   return;')
        if validity == 'full' and w.elem in ('scalar', 'enum'):
            c('pv_dec_scalars(dec, p, n, sizeof(*p));')
            self._validate_enums(c, w, 'p', 'n')
        elif validity != 'none':
            c('for (uint64_t i = 0; i < n; i++)')
            c.indent()
            self._elem(c, w, 'p[i]', validity, required=elements_required(w))
            c.dedent()
        c.end()
        c('%s = p;' % lv)
        c.end()

    # -- structs -------------------------------------------------------------

    def prototypes(self, c):
        for name, ty in sorted(self.proto.structs.items()):
            need = self.needs.need.get(name, set())
            if 'dec' in need:
                c('void pv_dec_%s(struct pv_decoder *dec, %s *val);' % (name, name))
            if 'partial' in need:
                c('void pv_dec_%s_partial(struct pv_decoder *dec, %s *val);' % (name, name))
            if 'rep' in need:
                c('void pv_rep_%s(%s *val);' % (name, name))

    def chain_tables(self, c, bases):
        """pNext chain tables: one per base struct, entries sorted by sType."""
        for ty in bases:
            need = self.needs.need[ty.name]
            exts = self.proto.extenders(ty)
            if exts:
                c('static const struct pv_chain_entry pv_chain_entries_%s[] = {' % ty.name)
                c.indent()
                for e in exts:
                    fns = []
                    fns.append('.dec = pv_dec_self_%s' % e.name if 'dec' in need else '.dec = NULL')
                    fns.append('.partial = pv_dec_self_%s_partial' % e.name
                               if 'partial' in need else '.partial = NULL')
                    fns.append('.enc = pv_enc_self_%s' % e.name if 'enc' in need else '.enc = NULL')
                    has_rep = 'dec' in need and self.proto.contains_handles(e)
                    fns.append('.rep = pv_rep_self_%s' % e.name if has_rep else '.rep = NULL')
                    c('{ %s, sizeof(%s), %s }, /* %s */' %
                      (self.proto.stype_value(e), e.name, ', '.join(fns), e.name))
                c.dedent()
                c('};')
            c('const struct pv_chain pv_chain_%s = {' % ty.name)
            c('   .name = "%s",' % ty.name)
            c('   .count = %d,' % len(exts))
            c('   .entries = %s,' % ('pv_chain_entries_%s' % ty.name if exts else 'NULL'))
            c('};')
            c()

    def chain_prototypes(self, c, bases):
        for ty in bases:
            c('extern const struct pv_chain pv_chain_%s;' % ty.name)

    def self_prototypes(self, c, bases):
        """Self decoders of chain entries (static, referenced by the tables)."""
        done = set()
        for ty in bases:
            need = self.needs.need[ty.name]
            for e in self.proto.extenders(ty):
                for kind in ('dec', 'partial', 'rep'):
                    if kind not in need or (e.name, kind) in done:
                        continue
                    if kind == 'rep' and not ('dec' in need and self.proto.contains_handles(e)):
                        continue
                    done.add((e.name, kind))
                    if kind == 'dec':
                        c('static void pv_dec_self_%s(struct pv_decoder *dec, void *node);' % e.name)
                    elif kind == 'partial':
                        c('static void pv_dec_self_%s_partial(struct pv_decoder *dec, void *node);'
                          % e.name)
                    else:
                        c('static void pv_rep_self_%s(void *node);' % e.name)
        self.self_needed = done

    def structs(self, c):
        for name, ty in sorted(self.proto.structs.items()):
            need = self.needs.need.get(name, set())
            if ty.category == 'union':
                if 'dec' in need:
                    self._union(c, ty)
                continue
            if 'dec' in need:
                self._struct(c, ty, partial=False)
            if 'partial' in need:
                self._struct(c, ty, partial=True)
            if 'rep' in need:
                self._replace(c, ty)

    def _members(self, c, ty, partial):
        for w in self.proto.wires(ty):
            if w.kind == 'pnext' or w.name == 'sType':
                continue
            v = self.proto.partial_validity(w) if partial else 'full'
            self.item(c, w, 'val->', v)

    def _struct(self, c, ty, partial):
        name = ty.name
        suffix = '_partial' if partial else ''
        has_chain = self.proto.has_pnext(ty)
        body = Code()
        body.level = 1
        self._members(body, ty, partial)
        if has_chain and (name, 'partial' if partial else 'dec') in self.self_needed:
            # the self decoder of a chain entry
            c('static void')
            c('pv_dec_self_%s%s(struct pv_decoder *dec, void *node)' % (name, suffix))
            c('{')
            if body.lines:
                c('   %s *val = node;' % name)
                c.lines.extend(body.lines)
            else:
                c('   (void)dec;')
                c('   (void)node;')
            c('}')
            c()
        is_entry = has_chain and (name, 'partial' if partial else 'dec') in self.self_needed
        c('void')
        c('pv_dec_%s%s(struct pv_decoder *dec, %s *val)' % (name, suffix, name))
        c('{')
        if ty.stype:
            c('   val->sType = pv_dec_stype(dec, %s, "%s");' % (ty.stype, name))
        if has_chain:
            c('   val->pNext = pv_dec_chain(dec, &pv_chain_%s, %s);' %
              (name, 'true' if partial else 'false'))
        if is_entry:
            c('   pv_dec_self_%s%s(dec, val);' % (name, suffix))
        else:
            c.lines.extend(body.lines)
        if not body.lines and not ty.stype and not has_chain:
            c('   (void)dec;')
            c('   (void)val;')
        c('}')
        c()

    def _union(self, c, ty):
        name = ty.name
        c('void')
        c('pv_dec_%s(struct pv_decoder *dec, %s *val)' % (name, name))
        c('{')
        c.indent()
        c('switch (pv_dec_u32(dec)) {')
        for i, w in enumerate(self.proto.wires(ty)):
            c('case %d:' % i)
            c.indent()
            self.item(c, w, 'val->', 'full')
            c('break;')
            c.dedent()
        c('default:')
        c('   pv_dec_fail(dec, "bad union tag in %s");' % name)
        c('   break;')
        c('}')
        c.dedent()
        c('}')
        c()

    # -- handle replacement ------------------------------------------------------

    def rep_item(self, c, w, prefix, top_level=False):
        """Swap decoded objects for host handles in one input item."""
        lv = prefix + w.name
        if w.kind in ('null', 'pnext', 'string', 'strings', 'blob'):
            return
        if w.elem == 'handle':
            t = w.base.name
            conv = '(%s)(uintptr_t)pv_obj_host((const void *)%%s)' % t
            if w.kind == 'value':
                if top_level:
                    return           # parameters keep their objects
                c('%s = %s;' % (lv, conv % lv))
            elif w.kind == 'fixed':
                c('for (uint32_t i = 0; i < %s; i++)' % w.fixed)
                c('   %s[i] = %s;' % (lv, conv % ('%s[i]' % lv)))
            elif w.kind in ('dyn', 'ptr'):
                n = count_expr(w, prefix) if w.kind == 'dyn' else '1'
                c.block('if (%s)' % lv)
                c('%s *h = (%s *)%s;' % (t, t, lv))
                c('for (uint64_t i = 0; i < (uint64_t)(%s); i++)' % n)
                c('   h[i] = %s;' % (conv % 'h[i]'))
                c.end()
            return
        if w.elem not in ('struct', 'union') or not self.proto.contains_handles(w.base):
            return
        t = w.base.name
        if w.kind == 'value':
            c('pv_rep_%s(&%s);' % (t, lv))
        elif w.kind == 'fixed':
            c('for (uint32_t i = 0; i < %s; i++)' % w.fixed)
            c('   pv_rep_%s(&%s[i]);' % (t, lv))
        elif w.kind in ('dyn', 'ptr'):
            n = count_expr(w, prefix) if w.kind == 'dyn' else '1'
            c.block('if (%s)' % lv)
            c('for (uint64_t i = 0; i < (uint64_t)(%s); i++)' % n)
            c('   pv_rep_%s(&((%s *)%s)[i]);' % (t, t, lv))
            c.end()

    def _replace(self, c, ty):
        name = ty.name
        body = Code()
        body.level = 1
        for w in self.proto.wires(ty):
            if w.name == 'sType':
                continue
            self.rep_item(body, w, 'val->')
        has_chain = self.proto.has_pnext(ty)
        if has_chain and (name, 'rep') in self.self_needed:
            c('static void')
            c('pv_rep_self_%s(void *node)' % name)
            c('{')
            if body.lines:
                c('   %s *val = node;' % name)
                c.lines.extend(body.lines)
            else:
                c('   (void)node;')
            c('}')
            c()
        is_entry = has_chain and (name, 'rep') in self.self_needed
        c('void')
        c('pv_rep_%s(%s *val)' % (name, name))
        c('{')
        if has_chain:
            c('   pv_rep_chain(val->pNext, &pv_chain_%s);' % name)
        if is_entry:
            c('   pv_rep_self_%s(val);' % name)
        else:
            c.lines.extend(body.lines)
        if not body.lines and not has_chain:
            c('   (void)val;')
        c('}')
        c()

    # -- commands ------------------------------------------------------------

    def command_args(self, c, cmd):
        name = cmd.name
        wires = self.proto.wires(cmd)
        c('void')
        c('pv_dec_args_%s(struct pv_decoder *dec, struct pv_cmd_%s *args)' % (name, name))
        c('{')
        c.indent()
        if not wires:
            c('(void)dec;')
            c('(void)args;')
        for i, w in enumerate(wires):
            top_handle = w.kind == 'value' and w.elem == 'handle' and w.direction == 'in'
            required = top_handle and i == 0 and w.base.dispatchable
            self.item(c, w, 'args->', w.validity, top_level=top_handle, required=required)
        c.dedent()
        c('}')
        c()

    def command_replace(self, c, cmd):
        """Returns whether the command has anything to replace."""
        body = Code()
        body.level = 1
        for w in self.proto.wires(cmd):
            if w.direction != 'in':
                continue
            top_handle = w.kind == 'value' and w.elem == 'handle'
            self.rep_item(body, w, 'args->', top_level=top_handle)
        if not body.lines:
            return False
        c('void')
        c('pv_rep_args_%s(struct pv_cmd_%s *args)' % (cmd.name, cmd.name))
        c('{')
        c.lines.extend(body.lines)
        c('}')
        c()
        return True
