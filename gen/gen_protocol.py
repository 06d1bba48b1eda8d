#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate the renderer's protocol code from vk.xml and the Venus data files.

Outputs (in --out-dir):
  pv_gen_protocol.h   types, command ids, argument structs, prototypes
  pv_gen_structs.c    pNext chain tables and struct decoders/encoders
  pv_gen_commands.c   argument decoders, reply encoders, dispatch table
  pv_gen_info.c       extension table, capset mask, enum validators,
                      host entry-point table
  pv_gen_support.txt  which commands are handled how (for the docs)
  pv_print_gen.c      wire layout tables for the listing of captures
                      (`pearvisor-gpu decode`, src/cs/pv_print.c)
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import emit_common  # noqa: E402
import emit_decode  # noqa: E402
import protocol  # noqa: E402
import registry  # noqa: E402
from emit_common import BANNER, Code, Needs, pnext_bases  # noqa: E402
from emit_decode import Decode  # noqa: E402
from emit_dispatch import Dispatch, load_manual  # noqa: E402
from emit_encode import Encode  # noqa: E402
from emit_info import Info  # noqa: E402
from emit_print import Print  # noqa: E402


def venus_definitions(c, reg, venus_path):
    """C definitions of the Venus-only types (vulkan_core.h lacks them)."""
    st = reg.types['VkStructureType']
    for ext in reg.extensions.values():
        if ext.source != venus_path:
            continue
        for req in ext.requires:
            for ext_name, e, _ in req.enums:
                if ext_name == 'VkStructureType':
                    c('#define %s ((VkStructureType)%d)' % (e.get('name'),
                                                            st.values[e.get('name')]))
    c()
    for ty in reg.types.values():
        if ty.source != venus_path or ty.alias_of:
            continue
        if ty.category == 'bitmask':
            c('typedef %s %s;' % (ty.typedef, ty.name))
        elif ty.category == 'enum' and ty.values:
            c('typedef enum %s {' % ty.name)
            for name, value in ty.values.items():
                c('   %s = 0x%08x,' % (name, value))
            c('} %s;' % ty.name)
        elif ty.category == 'struct':
            c('typedef struct %s {' % ty.name)
            for m in ty.members:
                c('   %s;' % m.decl.replace('* ', ' *'))
            c('} %s;' % ty.name)
        c()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--vk-xml', required=True)
    ap.add_argument('--venus-xml', required=True)
    ap.add_argument('--command-types', required=True)
    ap.add_argument('--manual', required=True)
    ap.add_argument('--lenient-enums', default=None,
                    help='enum members decoded unchecked (gen/data/lenient_enums.txt)')
    ap.add_argument('--out-dir', required=True)
    args = ap.parse_args()

    reg = registry.load([args.vk_xml, args.venus_xml])
    proto = protocol.Protocol(reg, protocol.load_command_ids(args.command_types))
    needs = Needs(proto)
    manual, todo, host, check, keep = load_manual(args.manual)
    dispatch = Dispatch(proto, manual, todo, host, check, keep)
    dec = Decode(proto, needs, emit_decode.load_lenient(args.lenient_enums))
    enc = Encode(proto, needs)
    info = Info(proto, needs)
    bases = pnext_bases(proto, needs)
    count = max(proto.id_names) + 1
    inputs = '%s, %s, %s, %s' % tuple(os.path.basename(p) for p in
                                      (args.vk_xml, args.venus_xml, args.command_types,
                                       args.manual))

    def banner(c):
        c(BANNER % (os.path.basename(__file__), inputs))

    # -- header ----------------------------------------------------------------
    h = Code()
    banner(h)
    h('#ifndef PV_GEN_PROTOCOL_H')
    h('#define PV_GEN_PROTOCOL_H')
    h()
    h('#include <stdbool.h>')
    h('#include <stddef.h>')
    h('#include <stdint.h>')
    h()
    h('#include <vulkan/vulkan_core.h>')
    h()
    h('/* The generated code calls these hand-written pieces:')
    h(' *   src/cs/pv_decoder.h   pv_dec_u32 ... pv_dec_object, pv_dec_chain, pv_dec_alloc')
    h(' *   src/cs/pv_encoder.h   pv_enc_u32 ... pv_enc_chain')
    h(' *   src/context/pv_dispatch.h  struct pv_dispatch, pv_dispatch_ok,')
    h(' *                         pv_dispatch_begin_reply, pv_dispatch_missing,')
    h(' *                         pv_dispatch_unimplemented')
    h(' *   src/object/pv_object.h  struct pv_object, pv_obj_host')
    h(' *   pv_handle_<command>   one per command listed in gen/manual.txt')
    h(' */')
    h('struct pv_decoder;')
    h('struct pv_encoder;')
    h('struct pv_dispatch;')
    h('struct pv_object;')
    h('struct pv_chain;')
    h()
    venus_definitions(h, reg, args.venus_xml)
    h('#define PV_COMMAND_TYPE_COUNT %d' % count)
    h('#define PV_COMMAND_GENERATE_REPLY 0x1u')
    h()
    for cmd in proto.commands:
        h('#define PV_CMD_%s %d' % (cmd.name, proto.command_ids[cmd.name]))
    h()
    info.header(h)
    h()
    for cmd in proto.commands:
        dispatch.args_struct(h, cmd)
    dec.chain_prototypes(h, bases)
    h()
    dec.prototypes(h)
    enc.prototypes(h)
    h()
    has_replace = {}
    rep_code = Code()
    for cmd in proto.commands:
        has_replace[cmd.name] = dec.command_replace(rep_code, cmd)
    for cmd in proto.commands:
        h('void pv_dec_args_%s(struct pv_decoder *dec, struct pv_cmd_%s *args);' %
          (cmd.name, cmd.name))
        h('void pv_enc_reply_%s(struct pv_encoder *enc, const struct pv_cmd_%s *args);' %
          (cmd.name, cmd.name))
        if has_replace[cmd.name]:
            h('void pv_rep_args_%s(struct pv_cmd_%s *args);' % (cmd.name, cmd.name))
    h()
    dispatch.handler_prototypes(h)
    h()
    dispatch.vk_table_struct(h)
    h()
    h('#endif /* PV_GEN_PROTOCOL_H */')

    # -- structs -----------------------------------------------------------------
    s = Code()
    banner(s)
    s('#include "pv_gen_protocol.h"')
    s()
    s('#include "cs/pv_codec.h"')
    s()
    dec.self_prototypes(s, bases)
    enc.self_prototypes(s, bases)
    s()
    dec.chain_tables(s, bases)
    dec.structs(s)
    enc.structs(s)

    # -- commands ----------------------------------------------------------------
    m = Code()
    banner(m)
    m('#include "pv_gen_protocol.h"')
    m()
    m('#include <stdlib.h>')
    m('#include <string.h>')
    m()
    m('#include "context/pv_dispatch.h"')
    m('#include "cs/pv_codec.h"')
    m('#include "object/pv_object.h"')
    m('#include "vk/pv_vk.h"')
    m()
    for cmd in proto.commands:
        dec.command_args(m, cmd)
        enc.command_reply(m, cmd, proto.command_ids[cmd.name])
    m.lines.extend(rep_code.lines)
    dispatch.run_functions(m, has_replace)
    dispatch.table(m, count)

    # -- info --------------------------------------------------------------------
    i = Code()
    banner(i)
    i('#include "pv_gen_protocol.h"')
    i()
    i('#include <stddef.h>')
    i()
    i('#include "vk/pv_vk_table.h"')
    i('#include "context/pv_info.h"')
    i()
    info.source(i)
    dispatch.vk_table_entries(i)

    # -- printer tables ----------------------------------------------------------
    t = Code()
    banner(t)
    t('#include "cs/pv_print.h"')
    t()
    t('#include <stddef.h>')
    t()
    Print(proto).source(t, proto.id_names)

    # -- support report ----------------------------------------------------------
    r = []
    r.append('# commands: %d supported' % len(proto.commands))
    for cmd in proto.commands:
        r.append('%-4d %-50s %s %s' % (proto.command_ids[cmd.name], cmd.name,
                                       dispatch.kind[cmd.name],
                                       dispatch.reasons.get(cmd.name, '')))
    r.append('# extensions: %d decodable' % len(info.extensions()))
    for e in info.extensions():
        r.append('%-4d %s %d' % (e.number, e.name, e.spec_version))

    os.makedirs(args.out_dir, exist_ok=True)
    outputs = {
        'pv_gen_protocol.h': h.text(),
        'pv_gen_structs.c': s.text(),
        'pv_gen_commands.c': m.text(),
        'pv_gen_info.c': i.text(),
        'pv_gen_support.txt': '\n'.join(r) + '\n',
        'pv_print_gen.c': t.text(),
    }
    for name, text in outputs.items():
        path = os.path.join(args.out_dir, name)
        old = None
        if os.path.exists(path):
            with open(path) as f:
                old = f.read()
        if old != text:
            with open(path, 'w') as f:
                f.write(text)


if __name__ == '__main__':
    main()
