#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A ring that goes to sleep while the work it submitted runs is woken when
that work is done, so that the guest's next submission finds it awake and
needs no notify.  pv-bench-workload's matrix product runs on lavapipe far
longer than Mesa's ring idle timeout (1 ms); under --trace each run's long
wait puts the ring to sleep.  The test asserts, from the trace, that the
queue's sync thread woke the ring once the submitted work was done, and
that the guest's next submission then reached the awake ring without a
notify."""

import json
import os
import tempfile

import pvtest
from pvtest import check

BENCH = os.path.join(os.path.dirname(pvtest.PEARVISOR), 'bench', 'pv-bench-workload')

tmp = tempfile.mkdtemp(prefix='pv-ring-wake-')
path = os.path.join(tmp, 'trace.json')
r = pvtest.run([BENCH, '--only', 'matmul'], options=['--trace', path])
check(r.returncode == 0 and 'check matmul_result ok' in r.stdout,
      'the matrix product runs and checks its result (status %d)' % r.returncode)
if r.returncode:
    print(r.stdout[-2000:], r.stderr[-3000:])
try:
    with open(path) as f:
        events = [e for e in json.load(f) if e.get('ph') != 'M']
except (OSError, ValueError) as e:
    check(False, 'the trace is valid JSON (%s)' % e)
    events = []
events.sort(key=lambda e: e['ts'])


def named(cat, name, pid):
    return [e for e in events if e.get('cat') == cat and e['name'] == name and e['pid'] == pid]


# the workload's client process: the one that ran the matrix product's submissions
submits = [e for e in events if e.get('cat') == 'command' and e['name'] == 'vkQueueSubmit']
pid = max({e['pid'] for e in submits}, key=lambda p: sum(e['pid'] == p for e in submits),
          default=None)
submits = [e for e in submits if e['pid'] == pid]
wakes = named('fence', 'queue done: ring woken', pid)
sleeps = named('ring', 'sleep', pid)
notifies = [e['ts'] for e in named('command', 'vkNotifyRingMESA', pid)]
check(len(submits) >= 7, 'the runs were submitted through a ring (%d submissions)'
      % len(submits))
check(len(sleeps) >= 3, 'the ring slept during the long runs (%d sleeps)' % len(sleeps))
check(len(wakes) >= 3, 'the ring was woken when its work was done (%d wake-ups, %d sleeps)'
      % (len(wakes), len(sleeps)))

# the ring arms its wake-up as it goes to sleep, 1 ms after the submission;
# the matrix product takes tens of milliseconds on lavapipe, so a wake-up
# that waited for the work comes long after that (one that did not would
# come at once)
gaps = []
for w in wakes:
    before = [s['ts'] for s in submits if s['ts'] < w['ts']]
    if before:
        gaps.append(w['ts'] - before[-1])
check(sum(g >= 10000 for g in gaps) >= 3,
      'wake-ups came when the work was done, 10 ms or more after its submission '
      '(gaps in us: %s)' % sorted(int(g) for g in gaps))

# the guest's next submission after a wake-up: did it need a notify?
without_notify = 0
for w in wakes:
    after = [s['ts'] for s in submits if s['ts'] > w['ts']]
    if after and not any(w['ts'] < n < after[0] for n in notifies):
        without_notify += 1
check(without_notify >= 1, 'after a wake-up the next submission came without a notify '
      '(%d of %d)' % (without_notify, len(wakes)))
print('%d submissions, %d sleeps, %d wake-ups on completed work, %d submissions after them '
      'without a notify' % (len(submits), len(sleeps), len(wakes), without_notify))
pvtest.finish()
