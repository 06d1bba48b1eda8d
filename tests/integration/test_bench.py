#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pearvisor-gpu bench --quick and pv-decode-bench run, and their
correctness checks pass.  No timing is asserted: performance is measured by
running the bench, not by tests (docs/performance.md)."""

import os
import re
import subprocess

import pvtest
from pvtest import check

METRICS = ['create_first_ms', 'create_ms', 'roundtrip_us', 'alloc_free_us', 'alloc_map_ms',
           'submit_wait_us', 'record_ns_per_dispatch', 'saxpy_ms', 'matmul_ms', 'write_gbps',
           'read_gbps', 'saxpy_gpu_ms', 'matmul_gpu_ms']

r = subprocess.run([pvtest.PEARVISOR, 'bench', '--quick', '--icd', pvtest.HOST_ICD],
                   capture_output=True, text=True, timeout=600)
check(r.returncode == 0, 'pearvisor-gpu bench --quick succeeds (status %d)' % r.returncode)
if r.returncode:
    print(r.stdout[-3000:], r.stderr[-3000:])
values = {m: (float(n), float(p)) for m, n, p in
          re.findall(r'bench metric=(\w+) unit=\S+ native=(\S+) pearvisor=(\S+)', r.stdout)}
for name in METRICS:
    check(name in values and values[name][0] > 0 and values[name][1] > 0,
          'metric %s measured on both sides: %s' % (name, values.get(name)))
# lavapipe's queue has timestamps: the GPU's share of each GPU-bound run
# is inside the run's time on both sides, the rest reported beside it
for name in ('saxpy', 'matmul'):
    wall, gpu = values.get(name + '_ms'), values.get(name + '_gpu_ms')
    check(wall and gpu and all(g <= w * 1.001 for g, w in zip(gpu, wall)),
          '%s: GPU time %s inside the run time %s, natively and through PearVisor'
          % (name, gpu, wall))
    check(name + '_rest_us' in values, '%s: the rest of the run reported' % name)
check('bench checks_failed=0 runs_failed=0' in r.stdout, 'every result the workload checked was right')
check('Virtio-GPU Venus' in r.stdout, 'the PearVisor side ran on Venus')
check(re.search(r'^metric +unit +native +PearVisor +cost', r.stdout, re.M) is not None,
      'the table is printed')

decode = os.path.join(os.path.dirname(pvtest.PEARVISOR), 'bench', 'pv-decode-bench')
corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'fuzz', 'corpus',
                      'session')
captures = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
d = subprocess.run([decode, '--seconds', '0.5'] + captures, capture_output=True, text=True,
                   timeout=120)
check(d.returncode == 0, 'pv-decode-bench replays the captured sessions without a fatal error')
m = re.search(r'bench metric=decode_mbps unit=MB/s value=(\S+)', d.stdout)
check(m is not None and float(m.group(1)) > 0, 'pv-decode-bench reports MB/s')
pvtest.finish()
