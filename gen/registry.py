# SPDX-License-Identifier: MIT
"""Vulkan registry model.

Parses vk.xml (and the project's Venus description, which uses the same
syntax) into plain Python objects.  Nothing here knows about the wire format;
protocol.py layers the Venus rules on top of this model.
"""

import re
import xml.etree.ElementTree as ET

API = 'vulkan'


def _api_ok(elem):
    api = elem.get('api')
    return api is None or API in api.split(',')


def _inner_text(elem):
    """Text of an element with its children inlined, comments dropped."""
    parts = [elem.text or '']
    for child in elem:
        if child.tag != 'comment':
            parts.append(child.text or '')
        parts.append(child.tail or '')
    return ''.join(parts)


class Member:
    """A struct member or a command parameter, as declared in C."""

    def __init__(self, name, type_name):
        self.name = name
        self.type_name = type_name
        self.const = False         # the pointee (or the value) is const
        self.pointer_depth = 0
        self.dims = []             # fixed array dimensions (numbers or enum names)
        self.bitfield = None
        self.len = []              # len attribute split on ','
        self.altlen = None         # C expression replacing a latexmath len
        self.optional = []         # per indirection level
        self.noautovalidity = False
        self.selector = None
        self.values = None         # sType value
        self.decl = ''             # C declaration text

    @property
    def is_optional(self):
        return bool(self.optional) and self.optional[0]

    def __repr__(self):
        return 'Member(%s)' % self.decl


class Type:
    """A named type of vk.xml: basetype, handle, enum, bitmask, struct, union..."""

    def __init__(self, name, category):
        self.name = name
        self.category = category   # 'basetype','handle','enum','bitmask','struct',
                                   # 'union','funcpointer','define','include','default'
        self.alias_of = None
        self.aliases = []
        # basetype / bitmask
        self.typedef = None        # underlying type name
        self.bitvalues = None      # bitmask: enum type holding the bits
        # handle
        self.dispatchable = False
        self.objtype = None
        self.parent = None
        # enum
        self.values = {}           # name -> int
        self.value_aliases = {}    # alias name -> name
        self.bitwidth = 32
        self.is_bitmask_enum = False
        # struct / union
        self.members = []
        self.extends = []
        self.returnedonly = False
        self.stype = None
        self.extenders = []        # structs naming this one in structextends
        self.source = None         # file the definition came from

    def __repr__(self):
        return 'Type(%s,%s)' % (self.category, self.name)


class Command:
    def __init__(self, name):
        self.name = name
        self.ret = None            # return type name, None for void
        self.errorcodes = []       # VkResult error codes it may return
        self.params = []
        self.aliases = []
        self.alias_of = None
        self.source = None

    def __repr__(self):
        return 'Command(%s)' % self.name


class Require:
    def __init__(self, depends):
        self.depends = depends     # None, or a dependency expression
        self.types = []
        self.commands = []
        self.enums = []            # (extended enum type, <enum> element, extension number)
        self.spec_version = None


class Feature:
    def __init__(self, name, number):
        self.name = name
        self.number = number       # (major, minor)
        self.requires = []


class Extension:
    def __init__(self, name, number, ext_type, supported):
        self.name = name
        self.number = number
        self.ext_type = ext_type   # 'instance' or 'device'
        self.supported = supported
        self.platform = None
        self.provisional = False
        self.depends = None
        self.depends_grammar = False   # 'depends' syntax (',' = or) vs 'requires' (',' = and)
        self.promotedto = None
        self.spec_version = 0
        self.requires = []
        self.source = None

    def __repr__(self):
        return 'Extension(%s,%d)' % (self.name, self.number)


class FormatLayout:
    def __init__(self):
        self.block_bytes = 0
        self.block_extent = (1, 1, 1)
        self.depth_bits = 0
        self.stencil_bits = 0
        self.planes = []           # (width divisor, height divisor, compatible format)


class Registry:
    def __init__(self):
        self.types = {}
        self.commands = {}
        self.constants = {}        # API constants: name -> C value text
        self.features = []
        self.extensions = {}
        self.header_version = None
        self.header_version_complete = None
        self.current_source = None
        self.formats = {}          # VkFormat value name -> FormatLayout

    # -- public helpers ----------------------------------------------------

    def resolve(self, name):
        """Follow type aliases."""
        ty = self.types.get(name)
        while ty is not None and ty.alias_of:
            ty = self.types[ty.alias_of]
        return ty

    def resolve_command(self, name):
        cmd = self.commands.get(name)
        while cmd is not None and cmd.alias_of:
            cmd = self.commands[cmd.alias_of]
        return cmd

    def api_version(self):
        """(major, minor, patch) of the registry's VK_HEADER_VERSION_COMPLETE."""
        major, minor = self.header_version_complete
        return (major, minor, self.header_version)

    def constant_value(self, name):
        text = self.constants[name]
        text = text.rstrip('U').rstrip('F').strip('()')
        return int(text, 0)

    # -- parsing -------------------------------------------------------------

    def parse(self, path):
        self.current_source = path
        root = ET.parse(path).getroot()
        for child in root:
            if child.tag == 'types':
                for elem in child.iter('type'):
                    if _api_ok(elem):
                        self._parse_type(elem)
            elif child.tag == 'enums':
                self._parse_enums(child)
            elif child.tag == 'commands':
                for elem in child.iter('command'):
                    if _api_ok(elem):
                        self._parse_command(elem)
            elif child.tag == 'feature':
                if _api_ok(child):
                    self._parse_feature(child)
            elif child.tag == 'extensions':
                for elem in child.iter('extension'):
                    self._parse_extension(elem)
            elif child.tag == 'formats':
                for elem in child.iter('format'):
                    self._parse_format(elem)

    def _parse_format(self, elem):
        """A format's memory layout: what copies between buffers and images
        of it address (the registry's <formats> section)."""
        f = FormatLayout()
        f.block_bytes = int(elem.get('blockSize'))
        extent = elem.get('blockExtent')
        if extent:
            f.block_extent = tuple(int(v) for v in extent.split(','))
        for comp in elem.findall('component'):
            bits = comp.get('bits')
            bits = int(bits) if bits and bits.isdigit() else 0
            if comp.get('name') == 'D':
                f.depth_bits = bits
            elif comp.get('name') == 'S':
                f.stencil_bits = bits
        for plane in elem.findall('plane'):
            f.planes.append((int(plane.get('widthDivisor')), int(plane.get('heightDivisor')),
                             plane.get('compatible')))
        self.formats[elem.get('name')] = f

    def _parse_member(self, elem):
        name = elem.find('name').text
        type_elem = elem.find('type')
        member = Member(name, type_elem.text)
        decl = ' '.join(_inner_text(elem).split())
        member.decl = decl
        before_type = (elem.text or '')
        member.const = 'const' in before_type
        after_type = type_elem.tail or ''
        member.pointer_depth = after_type.count('*')
        # fixed-size array dimensions follow the name
        tail = decl[decl.rfind(name) + len(name):]
        member.dims = re.findall(r'\[\s*([A-Za-z0-9_]+)\s*\]', tail)
        m = re.search(r':\s*(\d+)', tail)
        if m:
            member.bitfield = int(m.group(1))
        if 'len' in elem.attrib:
            member.len = elem.attrib['len'].split(',')
        member.altlen = elem.get('altlen')
        if 'optional' in elem.attrib:
            member.optional = [v == 'true' for v in elem.attrib['optional'].split(',')]
        member.noautovalidity = elem.get('noautovalidity') == 'true'
        member.selector = elem.get('selector')
        member.values = elem.get('values')
        return member

    def _new_type(self, name, category):
        ty = self.types.get(name)
        if ty is None:
            ty = Type(name, category)
            self.types[name] = ty
        else:
            ty.category = category
        ty.source = self.current_source
        return ty

    def _parse_type(self, elem):
        category = elem.get('category', 'default')
        name = elem.get('name')
        if name is None:
            name_elem = elem.find('name')
            name = name_elem.text if name_elem is not None else None
        if name is None:
            return
        if 'alias' in elem.attrib:
            ty = self._new_type(name, category)
            ty.alias_of = elem.attrib['alias']
            return
        ty = self._new_type(name, category)
        if category == 'define':
            text = _inner_text(elem)
            if name == 'VK_HEADER_VERSION':
                ty.typedef = text
                self.header_version = int(text.split()[-1])
            elif name == 'VK_HEADER_VERSION_COMPLETE':
                m = re.search(r'\(\s*0\s*,\s*(\d+)\s*,\s*(\d+)\s*,', text)
                self.header_version_complete = (int(m.group(1)), int(m.group(2)))
        elif category == 'basetype':
            t = elem.find('type')
            ty.typedef = t.text if t is not None else None
            if t is not None and '*' in (t.tail or ''):
                ty.typedef = None     # a pointer typedef: opaque
        elif category == 'bitmask':
            ty.typedef = elem.find('type').text
            ty.bitvalues = elem.get('requires') or elem.get('bitvalues')
        elif category == 'handle':
            ty.dispatchable = elem.find('type').text == 'VK_DEFINE_HANDLE'
            ty.objtype = elem.get('objtypeenum')
            ty.parent = elem.get('parent')
        elif category in ('struct', 'union'):
            ty.members = [self._parse_member(m) for m in elem.findall('member')
                          if _api_ok(m)]
            if 'structextends' in elem.attrib:
                ty.extends = elem.attrib['structextends'].split(',')
            ty.returnedonly = elem.get('returnedonly') == 'true'
            if ty.members and ty.members[0].name == 'sType' and ty.members[0].values:
                ty.stype = ty.members[0].values

    def _parse_enums(self, elem):
        name = elem.get('name')
        kind = elem.get('type')
        if kind is None:
            # API constants
            for e in elem.iter('enum'):
                if 'value' in e.attrib:
                    self.constants[e.get('name')] = e.get('value')
                elif 'alias' in e.attrib:
                    self.constants[e.get('name')] = e.get('alias')
            return
        ty = self._new_type(name, 'enum')
        ty.is_bitmask_enum = kind == 'bitmask'
        ty.bitwidth = int(elem.get('bitwidth', '32'))
        for e in elem.iter('enum'):
            if not _api_ok(e):
                continue
            self._add_enum_value(ty, e, None)

    def _add_enum_value(self, ty, e, extnumber):
        vname = e.get('name')
        if 'value' in e.attrib:
            ty.values[vname] = int(e.get('value'), 0)
        elif 'bitpos' in e.attrib:
            ty.values[vname] = 1 << int(e.get('bitpos'))
        elif 'offset' in e.attrib:
            num = int(e.get('extnumber', extnumber or 0))
            value = 1000000000 + (num - 1) * 1000 + int(e.get('offset'))
            if e.get('dir') == '-':
                value = -value
            ty.values[vname] = value
        elif 'alias' in e.attrib:
            ty.value_aliases[vname] = e.get('alias')

    def _parse_command(self, elem):
        if 'alias' in elem.attrib:
            cmd = Command(elem.get('name'))
            cmd.alias_of = elem.get('alias')
            cmd.source = self.current_source
            self.commands[cmd.name] = cmd
            return
        proto = elem.find('proto')
        cmd = Command(proto.find('name').text)
        ret = proto.find('type').text
        cmd.ret = None if ret == 'void' else ret
        cmd.errorcodes = [e for e in elem.get('errorcodes', '').split(',') if e]
        cmd.params = [self._parse_member(p) for p in elem.findall('param') if _api_ok(p)]
        cmd.source = self.current_source
        self.commands[cmd.name] = cmd

    def _parse_require(self, elem, extnumber):
        depends = elem.get('depends') or elem.get('feature') or elem.get('extension')
        req = Require(depends)
        for child in elem:
            if not _api_ok(child):
                continue
            if child.tag == 'type':
                req.types.append(child.get('name'))
            elif child.tag == 'command':
                req.commands.append(child.get('name'))
            elif child.tag == 'enum':
                ext = child.get('extends')
                if ext:
                    req.enums.append((ext, child, extnumber))
                elif child.get('name', '').endswith('_SPEC_VERSION'):
                    req.spec_version = child.get('value')
        return req

    def _parse_feature(self, elem):
        major, minor = elem.get('number').split('.')
        feat = Feature(elem.get('name'), (int(major), int(minor)))
        for r in elem.findall('require'):
            if _api_ok(r):
                feat.requires.append(self._parse_require(r, None))
        self.features.append(feat)

    def _parse_extension(self, elem):
        ext = Extension(elem.get('name'), int(elem.get('number')), elem.get('type'),
                        elem.get('supported', '').split(','))
        ext.platform = elem.get('platform')
        ext.provisional = elem.get('provisional') == 'true'
        ext.depends = elem.get('depends') or elem.get('requires')
        ext.depends_grammar = 'depends' in elem.attrib
        ext.source = self.current_source
        ext.promotedto = elem.get('promotedto')
        for r in elem.findall('require'):
            if not _api_ok(r):
                continue
            req = self._parse_require(r, ext.number)
            spec = req.spec_version
            if spec is not None and spec.isdigit():
                ext.spec_version = int(spec)
            ext.requires.append(req)
        self.extensions[ext.name] = ext

    def link(self):
        """Cross-references; call once after every file is parsed."""
        # enum values added by features and extensions (disabled extensions
        # included: their numbers are reserved and a driver may know them)
        for holder in list(self.features) + list(self.extensions.values()):
            for req in holder.requires:
                for ext_name, e, extnumber in req.enums:
                    ty = self.types.get(ext_name)
                    if ty is not None and ty.category == 'enum':
                        self._add_enum_value(ty, e, extnumber)
        # pNext extenders
        for ty in self.types.values():
            for base in ty.extends:
                base_ty = self.types.get(base)
                if base_ty is not None and ty not in base_ty.extenders:
                    base_ty.extenders.append(ty)
        # aliases
        for ty in self.types.values():
            if ty.alias_of and ty.alias_of in self.types:
                self.types[ty.alias_of].aliases.append(ty.name)
        for cmd in self.commands.values():
            if cmd.alias_of and cmd.alias_of in self.commands:
                self.commands[cmd.alias_of].aliases.append(cmd.name)


def load(paths):
    reg = Registry()
    for path in paths:
        reg.parse(path)
    reg.link()
    return reg
