#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pearvisor-gpu stats: a server with three guests at work reports each of
them by its application's name, with counters that grow between two
queries; the table and --watch show them; once they have left, they are
gone from the report, and each left its summary at PV_DEBUG=info.  The
control socket has the vtest socket's permissions."""

import os
import re
import select
import signal
import stat
import subprocess
import time

import pvtest
from pvtest import check

GUEST = os.environ.get('PV_GUEST_BUSY_LOOP')
if not GUEST:
    pvtest.skip('PV_GUEST_BUSY_LOOP is not set (run through meson test)')
NAMES = ['stats-a', 'stats-b', 'stats-c']
FIELDS = ['commands', 'bytes', 'submissions', 'busy_ns', 'in_flight', 'objects', 'memory',
          'blob_bytes', 'rings', 'age_ns']

server = pvtest.Server(extra_args=['--linger', '0'], env=dict(os.environ, PV_DEBUG='info'))
ctl = server.socket + '.ctl'
check(os.path.exists(ctl), 'the server listens on SOCKET.ctl')
check(stat.S_IMODE(os.stat(ctl).st_mode) == stat.S_IMODE(os.stat(server.socket).st_mode),
      'the control socket has the vtest socket\'s permissions')


def stats(*args):
    return subprocess.run([pvtest.PEARVISOR, 'stats', '--socket', server.socket] + list(args),
                          capture_output=True, text=True, timeout=60)


def query():
    """{name: {field: value}} of the clients the server reports."""
    r = stats('--raw')
    check(r.returncode == 0 and r.stdout.startswith('pearvisor-gpu stats 1 ') and
          r.stdout.endswith('end\n'), 'stats --raw answers with a report')
    clients = {}
    for line in r.stdout.splitlines():
        if line.startswith('client '):
            kv = dict(re.findall(r'(\w+)=(\S+)', line))
            clients[kv['name']] = {k: int(kv[k]) for k in FIELDS + ['pid', 'id']}
    return clients


empty = query()
check(not empty, 'no clients before any guest comes: %s' % empty)

env = server.venus_env()
guests = [subprocess.Popen([GUEST, name, '12'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=env) for name in NAMES]
seen = {}


def all_working():
    global seen
    seen = query()
    return all(n in seen and seen[n]['submissions'] > 0 for n in NAMES)


check(pvtest.wait_for(all_working, timeout=60, interval=0.2),
      'the three guests are reported by name, working: %s' % sorted(seen))
first = seen
time.sleep(1.5)
second = query()
for name in NAMES:
    a, b = first.get(name), second.get(name)
    if not a or not b:
        check(False, '%s is in both reports' % name)
        continue
    check(a['pid'] == b['pid'] and a['pid'] > 0 and a['pid'] != server.proc.pid,
          '%s: served by a process of its own (%d)' % (name, b['pid']))
    for key in ['commands', 'bytes', 'submissions', 'busy_ns', 'age_ns']:
        check(b[key] > a[key], '%s: %s grows between queries (%d -> %d)'
              % (name, key, a[key], b[key]))
    check(b['objects'] > 0 and b['rings'] >= 1 and b['memory'] >= 1 << 20 and
          b['blob_bytes'] > 0, '%s: objects %d, rings %d, memory %d, blob bytes %d'
          % (name, b['objects'], b['rings'], b['memory'], b['blob_bytes']))
pids = {second[n]['pid'] for n in NAMES if n in second}
check(len(pids) == 3, 'three processes for three guests')

table = stats()
check(table.returncode == 0 and all(n in table.stdout for n in NAMES) and
      'COMMANDS' in table.stdout and 'CMD/s' in table.stdout,
      'the table names the three guests, with totals and rates')
rows = [l.split() for l in table.stdout.splitlines() if any(n in l for n in NAMES)]
check(len(rows) == 3 and all(float(r[4]) > 0 for r in rows),
      'each guest\'s commands per second are above zero: %s' % [r[4] for r in rows])

watch = subprocess.Popen([pvtest.PEARVISOR, 'stats', '--socket', server.socket, '--watch', '0.3'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
# until it has drawn two tables (a loaded machine, a sanitized build: not a
# fixed time), then interrupted as a user would
shown = b''
deadline = time.time() + 30
while shown.count(b'CMD/s') < 2 and time.time() < deadline and watch.poll() is None:
    ready, _, _ = select.select([watch.stdout], [], [], 0.5)
    if ready:
        shown += os.read(watch.stdout.fileno(), 65536)
watch.send_signal(signal.SIGINT)
rest, _ = watch.communicate(timeout=30)
out = (shown + rest).decode(errors='replace')
check(watch.returncode == 0 and out.count('CMD/s') >= 2 and '\033[H' in out,
      '--watch refreshes the screen (%d tables)' % out.count('CMD/s'))

for g in guests:
    out, err = g.communicate(timeout=120)
    if not check(g.returncode == 0, 'guest finished (status %d) %s' % (g.returncode, err[-300:])):
        # what the server saw meanwhile (a late ring monitor says so)
        print('\n'.join(line for line in server.log_text().splitlines()
                        if 'warn' in line.lower() or 'error' in line.lower())[-3000:])
check(pvtest.wait_for(lambda: not query(), timeout=20, interval=0.2),
      'after the guests left, the report lists no clients')
log = server.log_text()
for name in NAMES:
    m = re.search(r'leaving: client id=\d+ pid=\d+ name=%s .*?commands=(\d+)' % name, log)
    check(m is not None and int(m.group(1)) > 0,
          '%s left a summary at PV_DEBUG=info' % name)
server.stop()
check(not os.path.exists(ctl), 'the control socket goes with the server')
r = stats('--raw')
check(r.returncode != 0 and 'cannot connect' in r.stderr, 'no server: stats says so')
pvtest.finish()
