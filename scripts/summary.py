#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reads meson's testlog.json files and prints 'N passed, N failed'."""
import json
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        failed += 1
        print('missing test log: %s' % path)
        continue
    for line in lines:
        result = json.loads(line)['result']
        if result in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        elif result == 'SKIP':
            skipped += 1  # said why in its log; neither passed nor failed
        else:
            failed += 1
if skipped:
    print('%d skipped' % skipped)
print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
