# SPDX-License-Identifier: MIT
"""Printer tables: how every command and struct the protocol carries lies on
the wire, as data for the listing of captured sessions (`pearvisor-gpu
decode`, src/cs/pv_print.c).

The tables describe the same wire items as the decoders of emit_decode.py
(protocol.Wire: kind, element, how much of an output the guest sends) plus
what a reader wants to see: member names, enum and flag-bit names, handle
type names.  One walker written by hand reads any command with them, so no
per-command printing code exists and every read goes through the checked
reader of src/cs/pv_decoder.h.
"""

import registry

KINDS = {
    'value': 'PV_PR_VALUE', 'fixed': 'PV_PR_FIXED', 'dyn': 'PV_PR_DYN',
    'ptr': 'PV_PR_PTR', 'string': 'PV_PR_STRING', 'strings': 'PV_PR_STRINGS',
    'blob': 'PV_PR_BLOB', 'null': 'PV_PR_NULL',
}

VALIDITY = {'full': 'PV_PR_FULL', 'partial': 'PV_PR_PARTIAL', 'none': 'PV_PR_NONE'}

# scalar C type -> (element kind, host bytes)
SCALARS = {
    'uint8_t': ('PV_PR_UINT', 1), 'uint16_t': ('PV_PR_UINT', 2),
    'uint32_t': ('PV_PR_UINT', 4), 'uint64_t': ('PV_PR_UINT', 8), 'size_t': ('PV_PR_UINT', 8),
    'int8_t': ('PV_PR_SINT', 1), 'int16_t': ('PV_PR_SINT', 2),
    'int32_t': ('PV_PR_SINT', 4), 'int64_t': ('PV_PR_SINT', 8),
    'float': ('PV_PR_FLOAT', 4), 'double': ('PV_PR_FLOAT', 8),
}


class Print:
    def __init__(self, proto):
        self.proto = proto
        self.reg = proto.reg
        self.enums = {}          # table name -> (enum Type, bits only)

    # -- one wire item -----------------------------------------------------------

    def _value_table(self, ty, bits):
        """Name of the value table of enum type `ty` (registering it)."""
        name = '%s_%s' % ('bits' if bits else 'enum', ty.name)
        self.enums[name] = (ty, bits)
        return name

    def _element(self, w):
        """(elem, host size, type initializer) of one element of `w`."""
        base = w.base
        if w.elem == 'handle':
            return 'PV_PR_HANDLE', 8, '.type.handle = "%s"' % base.name
        if w.elem in ('struct', 'union'):
            return ('PV_PR_STRUCT' if w.elem == 'struct' else 'PV_PR_UNION', 0,
                    '.type.record = &pv_pr_%s' % base.name)
        if w.elem == 'char':
            return 'PV_PR_CHAR', 1, None
        if w.elem == 'void' or w.scalar is None:
            return 'PV_PR_VOID', 1, None  # void data, or a pointer never carried
        size = SCALARS[w.scalar][1]
        if w.elem == 'enum':
            return 'PV_PR_ENUM', 4, '.type.values = &pv_pr_%s' % self._value_table(base, False)
        if isinstance(base, registry.Type):
            if base.name == 'VkBool32':
                return 'PV_PR_BOOL', 4, None
            bits = None
            if base.category == 'bitmask' and base.bitvalues:
                bits = self.reg.resolve(base.bitvalues)
            elif base.category == 'enum':
                bits = base       # a FlagBits type, or a 64-bit one, used as a value
            if bits is not None and bits.values:
                return 'PV_PR_FLAGS', size, '.type.values = &pv_pr_%s' % \
                    self._value_table(bits, True)
            if base.category == 'bitmask':
                return 'PV_PR_FLAGS', size, None
        return SCALARS[w.scalar][0], size, None

    def _item(self, c, w, out):
        elem, size, type_init = self._element(w)
        fields = ['"%s"' % w.name, KINDS[w.kind], elem, str(size), VALIDITY[out]]
        if type_init:
            fields.append(type_init)
        c('{ %s },' % ', '.join(fields))

    # -- tables ------------------------------------------------------------------

    def _record(self, c, ty):
        items = [w for w in self.proto.wires(ty) if w.kind != 'pnext' and w.name != 'sType']
        name = ty.name
        if items:
            c('static const struct pv_pr_item pv_pr_items_%s[] = {' % name)
            c.indent()
            for w in items:
                self._item(c, w, self.proto.partial_validity(w))
            c.dedent()
            c('};')
        chain = self.proto.extenders(ty) if self.proto.has_pnext(ty) else []
        if chain:
            c('static const struct pv_pr_record *const pv_pr_chain_%s[] = {' % name)
            for e in chain:
                c('   &pv_pr_%s,' % e.name)
            c('};')
        flags = []
        if ty.category == 'union':
            flags.append('PV_PR_IS_UNION')
        if ty.stype:
            flags.append('PV_PR_HAS_STYPE')
        if self.proto.has_pnext(ty):
            flags.append('PV_PR_HAS_PNEXT')
        c('static const struct pv_pr_record pv_pr_%s = {' % name)
        c('   .name = "%s",' % name)
        if ty.stype:
            c('   .stype = %d, /* %s */' % (self.proto.stype_value(ty), ty.stype))
        c('   .flags = %s,' % (' | '.join(flags) if flags else '0'))
        if items:
            c('   .count = %d,' % len(items))
            c('   .items = pv_pr_items_%s,' % name)
        if chain:
            c('   .chain_count = %d,' % len(chain))
            c('   .chain = pv_pr_chain_%s,' % name)
        c('};')
        c()

    def _command(self, c, cmd):
        wires = self.proto.wires(cmd)
        if not wires:
            return
        c('static const struct pv_pr_item pv_pr_params_%s[] = {' % cmd.name)
        c.indent()
        for w in wires:
            self._item(c, w, w.validity)
        c.dedent()
        c('};')

    def _values(self, c, table, ty, bits):
        seen = {}
        for vname, value in ty.values.items():
            key = value & (0xffffffffffffffff if bits else 0xffffffff)
            if bits and (value <= 0 or value & (value - 1)):
                continue          # flag tables name single bits; masks are spelled out
            seen.setdefault(key, vname)
        c('static const struct pv_pr_value pv_pr_values_%s[] = {' % table)
        for key in sorted(seen):
            c('   { 0x%xu, "%s" },' % (key, seen[key]))
        c('};')
        c('static const struct pv_pr_values pv_pr_%s = { "%s", %d, pv_pr_values_%s };' %
          (table, ty.name, len(seen), table))

    def source(self, c, names):
        """The tables; `names` maps command ids to the names command_types lists."""
        records = sorted(self.proto.structs.values(), key=lambda t: t.name)
        stypes = self._value_table(self.reg.types['VkStructureType'], False)
        body = c.__class__()
        for ty in records:
            self._record(body, ty)
        for cmd in self.proto.commands:
            self._command(body, cmd)
        # value tables first: the records refer to them
        for table, (ty, bits) in sorted(self.enums.items()):
            self._values(c, table, ty, bits)
        c()
        for ty in records:
            c('static const struct pv_pr_record pv_pr_%s;' % ty.name)
        c()
        c.lines.extend(body.lines)
        c()
        supported = {self.proto.command_ids[cmd.name]: cmd for cmd in self.proto.commands}
        count = max(names) + 1
        c('const uint32_t pv_pr_command_count = %d;' % count)
        c()
        c('const struct pv_pr_values *const pv_pr_stypes = &pv_pr_%s;' % stypes)
        c()
        c('const struct pv_pr_command pv_pr_commands[%d] = {' % count)
        c.indent()
        for cid in sorted(names):
            cmd = supported.get(cid)
            if cmd is None:
                c('[%d] = { "%s", false, 0, NULL },' % (cid, names[cid]))
            else:
                wires = self.proto.wires(cmd)
                c('[%d] = { "%s", true, %d, %s },' %
                  (cid, cmd.name, len(wires), 'pv_pr_params_%s' % cmd.name if wires else 'NULL'))
        c.dedent()
        c('};')
