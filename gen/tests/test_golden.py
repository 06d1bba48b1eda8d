#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden tests of the generator: runs it on mini_vk.xml and compares the
code it emits for a few commands and structs with gen/tests/golden/.

  test_golden.py            compare (exit 1 on a difference)
  test_golden.py --update   rewrite the golden files after a reviewed change
"""

import difflib
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.dirname(HERE)
GOLDEN = os.path.join(HERE, 'golden')

# generated file -> functions to compare
CASES = {
    'pv_gen_commands.c': [
        'pv_dec_args_vkEnumeratePhysicalDevices',
        'pv_enc_reply_vkEnumeratePhysicalDevices',
        'pv_dec_args_vkCmdDispatch',
        'pv_pass_vkCmdDispatch',
        'pv_run_vkCmdDispatch',
        'pv_dec_args_vkResetFences',
        'pv_rep_args_vkResetFences',
        'pv_dec_args_vkCmdBindVertexBuffers',
        'pv_dec_args_vkCmdSetBlendConstants',
        'pv_dec_args_vkCmdClearColorImage',
        'pv_create_vkCreateBuffer',
        'pv_create_vkCreateShaderModule',
        'pv_free_VkBuffer',
        'pv_dec_args_vkCreateRingMESA',
        'pv_run_vkAllocateMemory',
    ],
    'pv_gen_structs.c': [
        'pv_dec_VkBufferCreateInfo',
        'pv_dec_VkShaderModuleCreateInfo',
        'pv_dec_VkClearColorValue',
        'pv_dec_VkPhysicalDeviceGroupProperties_partial',
        'pv_enc_VkPhysicalDeviceGroupProperties',
        'pv_dec_VkMemoryAllocateInfo',
        'pv_chain_entries_VkMemoryAllocateInfo',
        'pv_chain_VkMemoryAllocateInfo',
        'pv_dec_VkRingCreateInfoMESA',
    ],
    # the listing's wire tables (gen/emit_print.py)
    'pv_print_gen.c': [
        'pv_pr_values_enum_VkSharingMode',
        'pv_pr_items_VkBufferCreateInfo',
        'pv_pr_VkBufferCreateInfo',
        'pv_pr_items_VkClearColorValue',
        'pv_pr_VkClearColorValue',
        'pv_pr_chain_VkMemoryAllocateInfo',
        'pv_pr_VkMemoryAllocateInfo',
        'pv_pr_items_VkPhysicalDeviceGroupProperties',
        'pv_pr_params_vkEnumeratePhysicalDevices',
        'pv_pr_params_vkCreateBuffer',
        'pv_pr_params_vkCmdDispatch',
        'pv_pr_params_vkCmdClearColorImage',
        'pv_pr_params_vkCreateShaderModule',
    ],
}


def extract(text, name):
    """The definition of function or table `name`: from its first line (with
    the return type line before it) to the closing brace at column 0."""
    lines = text.split('\n')
    for i, line in enumerate(lines):
        if not line or line[0].isspace() or line.endswith(';'):
            continue
        if not re.search(r'(^|[ *])%s(\(|\[| =)' % re.escape(name), line):
            continue
        start = i - 1 if i and lines[i - 1] in ('void', 'static void') else i
        for j in range(i, len(lines)):
            if lines[j] in ('}', '};'):
                return '\n'.join(lines[start:j + 1]) + '\n'
    return None


def main():
    update = '--update' in sys.argv
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, os.path.join(GEN, 'gen_protocol.py'),
                        '--vk-xml', os.path.join(HERE, 'mini_vk.xml'),
                        '--venus-xml', os.path.join(GEN, 'data', 'venus_protocol.xml'),
                        '--command-types', os.path.join(GEN, 'data', 'command_types.txt'),
                        '--manual', os.path.join(HERE, 'mini_manual.txt'),
                        '--out-dir', out], check=True)
        failures = 0
        os.makedirs(GOLDEN, exist_ok=True)
        for filename, names in CASES.items():
            with open(os.path.join(out, filename)) as f:
                text = f.read()
            for name in names:
                got = extract(text, name)
                path = os.path.join(GOLDEN, name + '.c')
                if got is None:
                    print('FAIL %s: not generated' % name)
                    failures += 1
                    continue
                if update:
                    with open(path, 'w') as f:
                        f.write(got)
                    continue
                want = open(path).read() if os.path.exists(path) else ''
                if got != want:
                    failures += 1
                    print('FAIL %s differs from its golden file:' % name)
                    sys.stdout.writelines(difflib.unified_diff(
                        want.splitlines(True), got.splitlines(True), 'golden', 'generated'))
                else:
                    print('ok   %s' % name)
    if update:
        print('golden files updated')
        return 0
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
