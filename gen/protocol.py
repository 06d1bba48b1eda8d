# SPDX-License-Identifier: MIT
"""Venus wire rules over the registry model.

Decides which commands, structs and extensions the renderer supports, and
describes every struct member and command parameter as a `Wire` item: how it
is laid out on the wire and how much of it the guest sends (all of it for
inputs; only sType, pNext, handles, nested structs and counts for outputs).
The emitters read only this module's objects.
"""

import re

import registry

# Scalar base types: C type -> (wire bytes, host bytes).  Every scalar is
# padded to 4 bytes on the wire; arrays of uint8_t are packed and padded once.
PRIMITIVES = {
    'uint8_t': (4, 1),
    'uint16_t': (4, 2),
    'int8_t': (4, 1),
    'int16_t': (4, 2),
    'uint32_t': (4, 4),
    'int32_t': (4, 4),
    'float': (4, 4),
    'uint64_t': (8, 8),
    'int64_t': (8, 8),
    'double': (8, 8),
    'size_t': (8, 8),
}

# Unions whose tag the encoder chooses when it has no selector (wire facts of
# the Venus protocol: the member index written before the union's value).
UNION_DEFAULT_TAGS = {
    'VkClearColorValue': 2,
    'VkClearValue': 0,
}

# Arrays that Venus writes as empty when a sibling makes them irrelevant; the
# decoder then accepts an empty array whatever the count says.
CONDITIONAL_ARRAYS = {
    ('VkImageCreateInfo', 'pQueueFamilyIndices'),
    ('VkBufferCreateInfo', 'pQueueFamilyIndices'),
    ('VkPhysicalDeviceImageDrmFormatModifierInfoEXT', 'pQueueFamilyIndices'),
    ('VkFramebufferCreateInfo', 'pAttachments'),
}

MAX_API = (1, 3)

# Extensions offered although some of their commands have no Venus id: the
# commands without ids only serve other vendors' extensions (the NV-only
# dynamic states of VK_EXT_extended_dynamic_state3), which stay unsupported.
PARTIAL_EXTENSIONS = {'VK_EXT_extended_dynamic_state3'}


class Wire:
    """One struct member or command parameter as the wire sees it.

    kind:
      'value'   a scalar, handle, struct or union held by value
      'fixed'   a fixed-size C array (u64 size, then the elements)
      'dyn'     a pointer with a len (u64 size, then the elements; 0 = NULL)
      'ptr'     a pointer to one element (u64 marker 0/1, then the element)
      'string'  a NUL-terminated string (u64 size with the NUL, bytes padded)
      'strings' an array of strings (u64 count, then each string)
      'blob'    a void pointer with a byte length (u64 size, bytes padded)
      'null'    a pointer the protocol cannot carry: the marker must be 0
    elem: 'scalar', 'enum', 'handle', 'struct', 'union', 'char' or 'void'
    """

    def __init__(self, owner, member):
        self.owner = owner            # Struct or Command name
        self.member = member
        self.name = member.name
        self.kind = None
        self.elem = None
        self.base = None              # registry.Type, or primitive name
        self.c_base = member.type_name
        self.scalar = None            # primitive C type carrying a scalar
        self.count = None             # count expression template ({p} = prefix)
        self.count_names = []         # sibling names the count reads
        self.fixed = None             # C expression of a fixed array size
        self.nullable = False
        self.serializable = True
        self.why = None               # reason when not serializable
        self.direction = 'in'         # for params: 'in', 'out' or 'inout'
        self.validity = 'full'        # 'full', 'partial' or 'none'
        self.conditional = (owner, member.name) in CONDITIONAL_ARRAYS
        self.is_len = False           # another item uses this one as a count

    @property
    def struct_name(self):
        return self.base.name if isinstance(self.base, registry.Type) else None

    def __repr__(self):
        return 'Wire(%s.%s %s/%s %s)' % (self.owner, self.name, self.kind, self.elem,
                                        self.validity)


class Protocol:
    def __init__(self, reg, command_ids):
        self.reg = reg
        self.command_ids = {}          # canonical command name -> id
        self.id_names = command_ids    # id -> name as listed
        self.commands = []             # supported canonical commands, id order
        self.structs = {}              # name -> struct Type (supported, serializable)
        self.extensions = []           # supported extensions, by number
        self.unsupported_extensions = {}  # name -> reason
        self._wires = {}
        self._serializable_cache = {}
        self._resolve_ids(command_ids)
        self._compute_support()

    # -- type helpers --------------------------------------------------------

    def base_type(self, type_name):
        """registry.Type (aliases followed) or primitive name."""
        if type_name in PRIMITIVES or type_name in ('char', 'void'):
            return type_name
        ty = self.reg.resolve(type_name)
        return ty

    def scalar_of(self, ty):
        """Primitive C type carrying values of `ty`, or None."""
        if isinstance(ty, str):
            return ty if ty in PRIMITIVES else None
        if ty is None:
            return None
        if ty.category == 'enum':
            return 'uint64_t' if ty.bitwidth == 64 else 'int32_t'
        if ty.category in ('basetype', 'bitmask'):
            if ty.typedef is None:
                return None
            return self.scalar_of(self.base_type(ty.typedef))
        return None

    # -- wire descriptions ---------------------------------------------------

    def wires(self, owner):
        """Wire items of a struct (registry.Type) or command (registry.Command)."""
        key = owner.name
        if key not in self._wires:
            members = owner.members if isinstance(owner, registry.Type) else owner.params
            items = [self._describe(owner, m) for m in members]
            names = {w.name: w for w in items}
            for w in items:
                for n in w.count_names:
                    if n in names:
                        names[n].is_len = True
            if isinstance(owner, registry.Command):
                self._set_directions(items)
            self._wires[key] = items
        return self._wires[key]

    def _describe(self, owner, m):
        w = Wire(owner.name, m)
        base = self.base_type(m.type_name)
        w.base = base
        is_struct = isinstance(owner, registry.Type)
        w.nullable = (m.is_optional or m.noautovalidity or w.conditional)

        if isinstance(base, str):
            if base == 'char':
                w.elem = 'char'
            elif base == 'void':
                w.elem = 'void'
            else:
                w.elem = 'scalar'
                w.scalar = base
        elif base is None:
            w.elem = 'unknown'
        elif base.category == 'handle':
            w.elem = 'handle'
        elif base.category == 'struct':
            w.elem = 'struct'
        elif base.category == 'union':
            w.elem = 'union'
        elif base.category == 'enum':
            w.elem = 'enum' if base.bitwidth == 32 and not base.is_bitmask_enum else 'scalar'
            w.scalar = self.scalar_of(base)
        elif base.category in ('basetype', 'bitmask'):
            w.scalar = self.scalar_of(base)
            w.elem = 'scalar' if w.scalar else 'unknown'
        else:
            w.elem = 'unknown'

        depth = m.pointer_depth
        if m.name == 'pNext' and is_struct:
            w.kind = 'pnext'
            return w
        if m.bitfield is not None:
            return self._unserializable(w, 'bitfield')
        if depth == 0:
            if len(m.dims) > 1:
                return self._unserializable(w, 'multi-dimensional array')
            if m.dims:
                w.kind = 'fixed'
                w.fixed = m.dims[0]
            else:
                w.kind = 'value'
        elif depth == 1:
            lens = [l for l in m.len]
            if w.elem == 'char' and lens == ['null-terminated']:
                w.kind = 'string'
            elif lens and lens[0] != 'null-terminated':
                w.kind = 'blob' if w.elem == 'void' else 'dyn'
                self._set_count(w, owner, m, lens[0])
            elif w.elem == 'void':
                w.kind = 'null'
            else:
                w.kind = 'ptr'
        elif depth == 2 and w.elem == 'char' and len(m.len) == 2 and \
                m.len[1] == 'null-terminated':
            w.kind = 'strings'
            self._set_count(w, owner, m, m.len[0])
        else:
            w.kind = 'null'

        if w.kind != 'null' and not self._elem_serializable(w):
            if w.kind in ('ptr', 'dyn') and m.is_optional:
                w.kind = 'null'
            else:
                return self._unserializable(w, 'element type %s' % m.type_name)
        if w.kind == 'null' and not m.is_optional:
            return self._unserializable(w, 'pointer that cannot be serialized')
        return w

    def _unserializable(self, w, why):
        w.serializable = False
        w.why = why
        return w

    def _elem_serializable(self, w):
        if w.elem == 'scalar' or w.elem == 'enum':
            if w.kind in ('fixed', 'dyn') and PRIMITIVES[w.scalar][1] == 2:
                return False          # no packed 16-bit arrays in the protocol
            return w.scalar is not None
        if w.elem == 'char':
            return w.kind in ('fixed', 'string', 'strings')
        if w.elem == 'void':
            return w.kind == 'blob'
        if w.elem == 'handle':
            return True
        if w.elem == 'struct':
            return self.struct_serializable(w.base)
        if w.elem == 'union':
            return self.union_serializable(w.base)
        return False

    def _set_count(self, w, owner, m, length):
        expr = m.altlen if (m.altlen and length.startswith('latexmath')) else length
        if expr.startswith('latexmath'):
            self._unserializable(w, 'len %s' % expr)
            return
        names = set(x.name for x in (owner.members if isinstance(owner, registry.Type)
                                     else owner.params))
        if '->' in expr:
            outer, inner = expr.split('->')
            if outer not in names:
                self._unserializable(w, 'len %s' % expr)
                return
            w.count_names = [outer]
            w.count = '({p}%s ? {p}%s->%s : 0)' % (outer, outer, inner)
            return

        used = []
        pointers = set(x.name for x in owner.params if x.pointer_depth) \
            if isinstance(owner, registry.Command) else set()

        def repl(mo):
            ident = mo.group(0)
            if ident in names:
                used.append(ident)
                if ident in pointers:
                    # an in/out count parameter (uint32_t *pCount)
                    return '({p}%s ? *{p}%s : 0)' % (ident, ident)
                return '{p}' + ident
            return ident

        w.count = re.sub(r'[A-Za-z_][A-Za-z0-9_]*', repl, expr)
        w.count_names = used
        if not used and not re.fullmatch(r'[0-9A-Z_*+/ ()]+', expr):
            self._unserializable(w, 'len %s' % expr)

    def _set_directions(self, items):
        by_name = {w.name: w for w in items}
        for w in items:
            m = w.member
            if m.pointer_depth > 0 and not m.const and w.kind != 'null':
                w.direction = 'out'
        for w in items:
            for n in w.count_names:
                c = by_name.get(n)
                if c is not None and c.direction == 'out':
                    c.direction = 'inout'
        for w in items:
            if w.direction == 'out':
                if w.is_len:
                    w.validity = 'full'
                elif w.elem in ('handle', 'struct'):
                    w.validity = 'partial'
                else:
                    w.validity = 'none'
            else:
                w.validity = 'full'

    def partial_validity(self, w):
        """How much of a member of an output struct the guest sends."""
        if w.is_len:
            return 'full'
        if w.elem in ('handle', 'struct'):
            return 'partial'
        return 'none'

    # -- serializability -----------------------------------------------------

    def struct_serializable(self, ty):
        if ty.name in self._serializable_cache:
            return self._serializable_cache[ty.name]
        if ty.name in ('VkBaseInStructure', 'VkBaseOutStructure'):
            return False
        self._serializable_cache[ty.name] = True      # break cycles
        ok = all(w.serializable for w in self.wires(ty))
        # a count must precede the array it sizes
        if ok:
            seen = set()
            for w in self.wires(ty):
                for n in w.count_names:
                    if n not in seen:
                        ok = False
                seen.add(w.name)
        self._serializable_cache[ty.name] = ok
        return ok

    def union_serializable(self, ty):
        if ty.name in self._serializable_cache:
            return self._serializable_cache[ty.name]
        self._serializable_cache[ty.name] = False
        ok = all(w.serializable and w.kind in ('value', 'fixed') for w in self.wires(ty))
        self._serializable_cache[ty.name] = ok
        return ok

    def command_serializable(self, cmd):
        if cmd.ret and cmd.ret != 'VkResult' and not self.scalar_of(self.base_type(cmd.ret)):
            return False
        return all(w.serializable for w in self.wires(cmd))

    # -- support computation -------------------------------------------------

    def _resolve_ids(self, ids):
        for cid, name in ids.items():
            cmd = self.reg.resolve_command(name)
            if cmd is None:
                continue               # newer than this vk.xml
            self.command_ids[cmd.name] = cid

    def _deps_ok(self, expr, kind, supported_exts):
        """Evaluate a dependency expression of vk.xml."""
        if expr is None:
            return True
        if kind == 'requires':
            return all(self._dep_ok(x, supported_exts) for x in expr.split(','))
        # 'depends' grammar: ',' is OR, '+' is AND, parentheses group
        tokens = re.findall(r'[A-Za-z0-9_:]+|[(),+]', expr)
        pos = [0]

        def parse_or():
            v = parse_and()
            while pos[0] < len(tokens) and tokens[pos[0]] == ',':
                pos[0] += 1
                v = parse_and() or v
            return v

        def parse_and():
            v = parse_atom()
            while pos[0] < len(tokens) and tokens[pos[0]] == '+':
                pos[0] += 1
                v = parse_atom() and v
            return v

        def parse_atom():
            t = tokens[pos[0]]
            pos[0] += 1
            if t == '(':
                v = parse_or()
                pos[0] += 1
                return v
            return self._dep_ok(t, supported_exts)

        return parse_or()

    def _dep_ok(self, name, supported_exts):
        m = re.match(r'VK_VERSION_(\d+)_(\d+)$', name)
        if m:
            return (int(m.group(1)), int(m.group(2))) <= MAX_API
        return name in supported_exts

    def _active_requires(self, holder, supported_exts):
        for req in holder.requires:
            if self._deps_ok(req.depends, 'depends', supported_exts):
                yield req

    def _compute_support(self):
        reg = self.reg
        features = [f for f in reg.features if f.number <= MAX_API]
        candidates = {}
        for ext in reg.extensions.values():
            if registry.API not in ext.supported:
                continue
            if ext.platform or ext.provisional:
                continue
            candidates[ext.name] = ext

        # iterate to a fixed point: an extension whose dependencies or whose
        # commands/structs cannot be handled drops out, which may drop others
        supported = set(candidates)
        while True:
            dropped = False
            for name in sorted(supported):
                ext = candidates[name]
                why = self._extension_problem(ext, supported)
                if why:
                    supported.discard(name)
                    self.unsupported_extensions[name] = why
                    dropped = True
            if not dropped:
                break
        self.extensions = sorted((candidates[n] for n in supported), key=lambda e: e.number)
        self.supported_extension_names = supported

        # providers of every type and command
        type_names, cmd_names = set(), set()
        for holder in features + self.extensions:
            for req in self._active_requires(holder, supported):
                type_names.update(req.types)
                cmd_names.update(req.commands)
        self.provided_types = set()
        for n in type_names:
            ty = reg.resolve(n)
            if ty is not None:
                self.provided_types.add(ty.name)

        cmds = {}
        for n in cmd_names:
            cmd = reg.resolve_command(n)
            if cmd is None or cmd.name not in self.command_ids:
                continue
            if self.command_serializable(cmd):
                cmds[cmd.name] = cmd
        self.commands = sorted(cmds.values(), key=lambda c: self.command_ids[c.name])

        # structs reachable from the supported commands, with their pNext
        # extenders that a supported feature or extension provides
        self.structs = {}
        for cmd in self.commands:
            for w in self.wires(cmd):
                self._reach(w)

    def _extension_problem(self, ext, supported):
        """Why an extension cannot be offered, or None.

        Parts of an extension that cannot be serialized are not part of the
        protocol for either side (the guest driver implements them itself,
        e.g. fd export or template updates), so they do not disqualify it.  A
        command that could be serialized but has no Venus id would be one the
        guest cannot send, so the extension is not offered.
        """
        kind = 'depends' if ext.depends_grammar else 'requires'
        if not self._deps_ok(ext.depends, kind, supported):
            return 'depends on an unsupported extension'
        for req in ext.requires:
            if req.depends is not None:
                continue
            for n in req.commands:
                cmd = self.reg.resolve_command(n)
                if cmd is None:
                    return 'unknown command %s' % n
                if cmd.name not in self.command_ids and self.command_serializable(cmd) \
                        and ext.name not in PARTIAL_EXTENSIONS:
                    return 'command %s has no Venus id' % n
        return None

    def _reach(self, w):
        if w.elem == 'struct':
            self._reach_struct(w.base)
        elif w.elem == 'union' and w.base.name not in self.structs:
            self.structs[w.base.name] = w.base
            for m in self.wires(w.base):
                self._reach(m)

    def _reach_struct(self, ty):
        if ty.name in self.structs:
            return
        self.structs[ty.name] = ty
        for w in self.wires(ty):
            self._reach(w)
        for ext in self.extenders(ty):
            self._reach_struct(ext)

    def extenders(self, ty):
        """Structs that may appear in ty's pNext chain, sorted by sType value."""
        out = []
        for e in ty.extenders:
            e = self.reg.resolve(e.name)
            if e.name not in self.provided_types:
                continue
            if not self.struct_serializable(e):
                continue
            if e not in out:
                out.append(e)
        return sorted(out, key=self.stype_value)

    def stype_value(self, ty):
        st = self.reg.types['VkStructureType']
        name = ty.stype
        while name in st.value_aliases:
            name = st.value_aliases[name]
        return st.values[name]

    def has_pnext(self, ty):
        return any(w.kind == 'pnext' for w in self.wires(ty))

    # -- queries for emitters ------------------------------------------------

    def contains_handles(self, ty, _seen=None):
        """Whether a struct/union holds handles, itself or in its chain."""
        _seen = _seen or set()
        if ty.name in _seen:
            return False
        _seen.add(ty.name)
        for w in self.wires(ty):
            if w.kind in ('null', 'pnext'):
                continue
            if w.elem == 'handle':
                return True
            if w.elem in ('struct', 'union') and self.contains_handles(w.base, _seen):
                return True
        if ty.category == 'struct':
            for e in self.extenders(ty):
                if self.contains_handles(e, _seen):
                    return True
        return False

    def api_version(self):
        return self.reg.api_version()

    def command_provider(self, cmd):
        """(core version or None, [extension names]) that provide a command."""
        core = None
        for f in self.reg.features:
            if f.number > MAX_API:
                continue
            for req in f.requires:
                if any(self.reg.resolve_command(n) is cmd for n in req.commands):
                    if core is None or f.number < core:
                        core = f.number
        exts = []
        for ext in self.extensions:
            for req in ext.requires:
                if any(self.reg.resolve_command(n) is cmd for n in req.commands):
                    exts.append(ext)
                    break
        return core, exts


def load_command_ids(path):
    ids = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            num, name = line.split()
            ids[int(num)] = name
    return ids
