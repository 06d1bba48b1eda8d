#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--trace FILE: a trace of two guest programs (a short bench run, then a
sample) is one valid JSON array of Chrome trace events, with a command
event for every command each client process ran (the count its own
summary logs at PV_DEBUG=info), the other kinds of event (submissions,
fence signals, waits, blobs, ring sleeps and wake-ups), no part files
left behind; --trace-min-us leaves the short commands out."""

import collections
import glob
import json
import os
import re
import tempfile

import pvtest
from pvtest import check

BENCH = os.path.join(os.path.dirname(pvtest.PEARVISOR), 'bench', 'pv-bench-workload')
SAXPY = os.path.join(os.environ.get('PV_SAMPLES_DIR', 'build/samples'), 'pv-saxpy')
PROGRAM = ['sh', '-c', '"$0" --only roundtrip,submit_wait,alloc_free && "$1"', BENCH, SAXPY]

tmp = tempfile.mkdtemp(prefix='pv-trace-')


def traced(name, options=()):
    path = os.path.join(tmp, name)
    env = dict(os.environ, PV_DEBUG='info')
    r = pvtest.run(PROGRAM, env=env, options=['--trace', path] + list(options))
    check(r.returncode == 0, '%s: the programs succeed under --trace (status %d)'
          % (name, r.returncode))
    if r.returncode:
        print(r.stdout[-2000:], r.stderr[-3000:])
    try:
        with open(path) as f:
            events = json.load(f)
    except (OSError, ValueError) as e:
        check(False, '%s: the trace is valid JSON (%s)' % (name, e))
        events = []
    check(isinstance(events, list), '%s: the trace is a JSON array of events' % name)
    check(not glob.glob(path + '.*'), '%s: no part files are left beside it' % name)
    return events, r.stderr


events, log = traced('all.json')
check(all(isinstance(e, dict) and 'ph' in e and 'pid' in e for e in events),
      'every event has a phase and a pid')
check(all('ts' in e and 'tid' in e for e in events if e['ph'] != 'M'),
      'every timed event has a timestamp and a thread')
check(all(e['dur'] >= 0 for e in events if e['ph'] == 'X'), 'no span has a negative duration')

# the commands of each client process against what it says it ran
summaries = {int(pid): int(n) for pid, n in
             re.findall(r'leaving: client id=\d+ pid=(\d+) .*? commands=(\d+)', log)}
commands = collections.Counter(e['pid'] for e in events if e.get('cat') == 'command')
check(len(summaries) >= 2, 'both programs left a summary (%d)' % len(summaries))
for pid, n in summaries.items():
    check(n > 0 and commands[pid] == n,
          'client process %d: %d command events for the %d commands it ran'
          % (pid, commands[pid], n))
names = {e['pid']: e['args']['name'] for e in events
         if e['ph'] == 'M' and e['name'] == 'process_name'}
check(all(pid in names and names[pid].startswith('client ') for pid in summaries),
      'each client process is named in the trace: %s' % sorted(names.values()))
threads = {e['args']['name'] for e in events if e['ph'] == 'M' and e['name'] == 'thread_name'}
check('transport' in threads and any(t.startswith('ring ') for t in threads),
      'the transport and the rings are named threads: %s' % sorted(threads))

kinds = collections.Counter((e.get('cat'), e['name']) for e in events if e['ph'] != 'M')
check(any(c == 'queue' and n.startswith('vkQueueSubmit') for c, n in kinds),
      'queue submissions are in the trace')
check(kinds[('fence', 'fences signaled')] > 0, 'fence signals are in the trace')
check(kinds[('wait', 'vkWaitForFences')] > 0, 'the renderer\'s waits on the guest\'s behalf '
      'are in the trace')
check(any(c == 'blob' for c, n in kinds), 'blob creations are in the trace')
check(kinds[('ring', 'sleep')] > 0 and kinds[('ring', 'wake-up')] > 0,
      'ring sleeps and wake-ups are in the trace')
bench_pid = max(summaries, key=summaries.get) if summaries else None
submits = sum(1 for e in events if e.get('cat') == 'queue' and e['pid'] == bench_pid
              and e['name'].startswith('vkQueueSubmit'))
submit_commands = sum(1 for e in events if e.get('cat') == 'command' and e['pid'] == bench_pid
                      and e['name'].startswith('vkQueueSubmit'))
check(submits == submit_commands and submits > 0,
      'a submission event for each submit command (%d, %d)' % (submits, submit_commands))

# a threshold keeps the other events and only the long commands
long_events, _ = traced('long.json', ['--trace-min-us', '20000'])
long_commands = [e for e in long_events if e.get('cat') == 'command']
check(all(e['dur'] >= 20000 for e in long_commands),
      'with --trace-min-us 20000 only commands of 20 ms or more are in')
check(len(long_commands) < sum(commands.values()) / 10,
      'most commands are left out (%d)' % len(long_commands))
check(any(e.get('cat') == 'queue' for e in long_events) and
      any(e.get('cat') == 'wait' for e in long_events),
      'the other events stay with a threshold')
pvtest.finish()
