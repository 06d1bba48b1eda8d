#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate the null Vulkan host: one stub per host entry point the renderer
may call (the same list as its host table), for fuzzing the renderer without
a driver underneath.

A stub accepts anything, hands out fresh fake handles for the handles it
returns, reports zero elements from enumerations, and returns VK_SUCCESS, or
the command's first error code when the fuzzer asks for failures
(pv_null_should_fail).  Commands that need a believable answer (the
physical device, its queues and memory) are written by hand in
fuzz/pv_null_vulkan.c and named in the overrides file.

Output (in --out-dir): pv_gen_null_vulkan.c
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import protocol  # noqa: E402
import registry  # noqa: E402
from emit_common import BANNER, Code  # noqa: E402
from emit_dispatch import Dispatch, load_manual  # noqa: E402

FAILURE_PREFERENCE = ('VK_ERROR_OUT_OF_HOST_MEMORY', 'VK_ERROR_OUT_OF_DEVICE_MEMORY')


def load_overrides(path):
    names = set()
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                names.add(line)
    return names


class NullStub:
    def __init__(self, reg, cmd):
        self.reg = reg
        self.cmd = cmd
        self.by_name = {p.name: p for p in cmd.params}

    def is_output(self, p):
        return p.pointer_depth == 1 and not p.const and p.type_name != 'void'

    def handle_type(self, p):
        ty = self.reg.resolve(p.type_name)
        return ty if ty is not None and ty.category == 'handle' else None

    def count_param(self, p):
        """The non-const count pointer an output array is sized by, if any."""
        if not p.len:
            return None
        q = self.by_name.get(p.len[0])
        if q is not None and q.pointer_depth == 1 and not q.const:
            return q
        return None

    def failure(self):
        for code in FAILURE_PREFERENCE:
            if code in self.cmd.errorcodes:
                return code
        return self.cmd.errorcodes[0] if self.cmd.errorcodes else None

    def emit(self, c):
        cmd = self.cmd
        ret = cmd.ret or 'void'
        params = ', '.join(p.decl for p in cmd.params) or 'void'
        c('static VKAPI_ATTR %s VKAPI_CALL' % ret)
        c('null_%s(%s)' % (cmd.name, params))
        c('{')
        c.indent()
        for p in cmd.params:
            c('(void)%s;' % p.name)
        failure = self.failure() if ret == 'VkResult' else None
        if failure:
            c('if (pv_null_should_fail())')
            c('   return %s;' % failure)
        counted = set()
        for p in cmd.params:
            if p.pointer_depth != 1 or p.const:
                continue
            count = self.count_param(p)
            if count is not None:
                # an enumeration (or sized data): there is nothing to return
                if count.name not in counted:
                    c('*%s = 0;' % count.name)
                    counted.add(count.name)
                continue
            if not self.is_output(p):
                continue
            ty = self.handle_type(p)
            if ty is None:
                continue
            if p.len and p.len[0] != 'null-terminated':
                n = p.len[0]
                c('for (uint64_t i = 0; %s && i < (uint64_t)(%s); i++)' % (p.name, n))
                c('   %s[i] = (%s)(uintptr_t)pv_null_handle();' % (p.name, ty.name))
            else:
                c('if (%s)' % p.name)
                c('   *%s = (%s)(uintptr_t)pv_null_handle();' % (p.name, ty.name))
        if ret == 'VkResult':
            c('return VK_SUCCESS;')
        elif ret == 'VkBool32':
            c('return VK_TRUE;')
        elif ret != 'void':
            c('return 0;')
        c.dedent()
        c('}')
        c()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--vk-xml', required=True)
    ap.add_argument('--venus-xml', required=True)
    ap.add_argument('--command-types', required=True)
    ap.add_argument('--manual', required=True)
    ap.add_argument('--overrides', required=True)
    ap.add_argument('--out-dir', required=True)
    args = ap.parse_args()

    reg = registry.load([args.vk_xml, args.venus_xml])
    proto = protocol.Protocol(reg, protocol.load_command_ids(args.command_types))
    manual, todo, host, check, keep = load_manual(args.manual)
    dispatch = Dispatch(proto, manual, todo, host, check, keep)
    overrides = load_overrides(args.overrides)
    cmds = dispatch.host_commands()
    known = {cmd.name for cmd in cmds}
    unknown = sorted(overrides - known - {'vkGetInstanceProcAddr', 'vkGetDeviceProcAddr'})
    if unknown:
        sys.exit('overrides name commands the renderer never calls: %s' % ', '.join(unknown))

    c = Code()
    inputs = ', '.join(os.path.basename(p) for p in
                       (args.vk_xml, args.venus_xml, args.command_types, args.manual,
                        args.overrides))
    c(BANNER % (os.path.basename(__file__), inputs))
    c('#include <stdint.h>')
    c('#include <stdlib.h>')
    c('#include <string.h>')
    c()
    c('#include "pv_null_vulkan.h"')
    c()
    for cmd in cmds:
        if cmd.name not in overrides:
            NullStub(reg, cmd).emit(c)

    entries = []
    for cmd in cmds:
        func = ('pv_null_' if cmd.name in overrides else 'null_') + cmd.name
        for name in [cmd.name] + sorted(cmd.aliases):
            entries.append((name, func))
    entries.sort()
    c('static const struct pv_null_entry entries[] = {')
    c.indent()
    for name, func in entries:
        c('{ "%s", (PFN_vkVoidFunction)%s },' % (name, func))
    c.dedent()
    c('};')
    c()
    c('static int')
    c('compare_entry(const void *key, const void *elem)')
    c('{')
    c('   return strcmp(key, ((const struct pv_null_entry *)elem)->name);')
    c('}')
    c()
    c('PFN_vkVoidFunction')
    c('pv_null_lookup(const char *name)')
    c('{')
    c('   const struct pv_null_entry *e =')
    c('      bsearch(name, entries, sizeof(entries) / sizeof(entries[0]), sizeof(entries[0]),')
    c('              compare_entry);')
    c('   return e ? e->func : NULL;')
    c('}')

    with open(os.path.join(args.out_dir, 'pv_gen_null_vulkan.c'), 'w') as f:
        f.write(c.text())


if __name__ == '__main__':
    main()
