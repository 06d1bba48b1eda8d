#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sums fuzz campaign statistics (the lines scripts/fuzz.sh appends to
<build>/fuzz-stats.txt) into the markdown table of docs/security.md.

    scripts/fuzz_figures.py NAME=FILE...

NAME labels a campaign (where it ran); FILE holds its lines."""

import collections
import re
import sys

HARNESSES = ('fuzz-session-null', 'fuzz-session-host', 'fuzz-vtest', 'fuzz-ring', 'fuzz-reply')


def main():
    execs = collections.OrderedDict()
    findings = collections.Counter()
    for arg in sys.argv[1:]:
        name, path = arg.split('=', 1)
        row = execs.setdefault(name, collections.Counter())
        with open(path) as f:
            for line in f:
                m = re.search(r' (fuzz-[a-z-]+) .*executions=(\d+).*findings=(\d+)', line)
                if m:
                    row[m.group(1)] += int(m.group(2))
                    findings[name] += int(m.group(3))
    used = [h for h in HARNESSES if any(r[h] for r in execs.values())]
    print('| campaign | %s | total | findings |' % ' | '.join(used))
    print('| --- |%s --- | --- |' % (' --- |' * len(used)))
    totals = collections.Counter()
    for name, row in execs.items():
        totals.update(row)
        print('| %s | %s | %s | %d |' % (name, ' | '.join('{:,}'.format(row[h]) for h in used),
                                        '{:,}'.format(sum(row.values())), findings[name]))
    print('| **all** | %s | **%s** | %d |' % (' | '.join('{:,}'.format(totals[h]) for h in used),
                                              '{:,}'.format(sum(totals.values())),
                                              sum(findings.values())))


if __name__ == '__main__':
    main()
