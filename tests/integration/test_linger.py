#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A client's process, after a clean end, serves the same guest process's
next connection (each Venus instance is one) and no one else's: not another
program's, not after an error, not after --linger, and never with
--linger 0."""

import os
import re
import subprocess
import sys
import time

import pvtest
from pvtest import check

SERVED_AGAIN = re.compile(r'client (\d+) served by process (\d+), which served client (\d+)')


def served_again(log):
    return [tuple(int(x) for x in m.groups()) for m in SERVED_AGAIN.finditer(log)]


def process_of(log, client):
    """The pid that took client N first (spare, fork or reuse)."""
    m = re.search(r'client %d served by (?:spare process |pid |process )(\d+)' % client, log)
    return int(m.group(1)) if m else None


def bring_up_and_leave(server, name):
    c = pvtest.Client(server.socket, name)
    c.bring_up()
    c.close()


env = dict(os.environ, PV_DEBUG='info,vtest,vk')
KEPT = "(the last guest instance's, kept)"

# -- one guest process, connection after connection --------------------------
server = pvtest.Server(['--linger', '2000', '--spares', '0'], env=env)
bring_up_and_leave(server, 'first')
check(server.wait_log('(client 1) is free for its guest', 10),
      'after a clean end the process says it is free for its guest')
# the same objects ids again: the process kept nothing of the first client
bring_up_and_leave(server, 'second')
log = server.log_text()
check((2, process_of(log, 1), 1) in served_again(log),
      'the same process served the second connection of this process')

# a client that ends in an error does not leave its process for the next
c = pvtest.Client(server.socket, 'broken')
c.handshake()
c.send(9999, 1, 2, 3)
check(c.closed_by_server(), 'a client sending an unknown command is dropped')
c.close()
check(server.wait_log('client 3', 5), 'the broken client was served')
bring_up_and_leave(server, 'after-error')
log = server.log_text()
check(all(client != 4 or earlier != 3 for client, _, earlier in served_again(log)),
      'the process of a client that ended in an error serves no one after it')
check(process_of(log, 4) not in (None, process_of(log, 3)),
      'the next connection got a process of its own')

# another program does not get this program's process
other = subprocess.run(
    [sys.executable, '-c',
     'import sys; sys.path.insert(0, %r); import pvtest\n'
     'c = pvtest.Client(%r, "other"); c.bring_up(); c.close()'
     % (os.path.dirname(os.path.abspath(__file__)), server.socket)],
    capture_output=True, text=True, timeout=60)
check(other.returncode == 0, 'another process is served (%s)' % other.stderr.strip()[-200:])
log = server.log_text()
check(not any(client == 5 for client, _, _ in served_again(log)),
      "another program's connection is not given this program's process")

# the lingering process ends on time
pid = process_of(log, 4)
check(server.wait_log('(pid %d) done' % pid, 5), 'a free process ends after --linger')

# and a real guest: Mesa's Venus making instance after instance
bench = os.path.join(os.path.dirname(pvtest.PEARVISOR), 'bench', 'pv-bench-workload')
r = subprocess.run([bench, '--only', 'create'], env=server.venus_env(),
                   capture_output=True, text=True, timeout=300)
check(r.returncode == 0 and 'metric create_ms' in r.stdout,
      'pv-bench-workload makes instance after instance through Venus')
log = server.log_text()
later = [s for s in served_again(log) if s[0] > 6]
check(len(later) >= 5,
      "Venus's later instances were served by the process of an earlier one (%s)" % later)
# Mesa closes an instance's connection just before the program makes its
# next instance, often before the process has seen the end: each instance
# still goes to the process of the one before, not to a new process (the
# bench's instances are made one at a time)
loop = [s for s in later if s[0] > 7]
check(loop and all(client == earlier + 1 for client, _, earlier in loop),
      'each instance of the loop was served by the process of the one just before (%s)' % loop)
# and got the host instance of the one before: the loader and driver are
# not asked for a new one (the names and versions are the same each time)
kept = [int(m.group(1)) for m in re.finditer(r'\[ctx (\d+) pv-bench-workload\][^\n]*' +
                                             re.escape(KEPT), log)]
check(len(kept) >= 5 and all(n > 7 for n in kept),
      "the loop's later instances took the host instance kept from the one before (%s)" % kept)
check('guest error' not in log and 'were not freed' not in log,
      'no guest error and nothing left behind between connections')
server.stop()

# -- connections back to back, no pause: the race with the process's LEFT ---
server = pvtest.Server(['--linger', '2000', '--spares', '0'], env=env)
for i in range(12):
    bring_up_and_leave(server, 'quick%d' % i)
check(server.wait_log('(client 12) is free for its guest', 10), 'the twelfth client ended cleanly')
log = server.log_text()
again = served_again(log)
check(sorted(again) == [(n, process_of(log, 1), n - 1) for n in range(2, 13)],
      'each connection made right after the last one closed was served by the first '
      "client's process (%s)" % again)
check(log.count(KEPT) == 11, 'each later instance took the host instance of the one before '
      '(%d of 11)' % log.count(KEPT))
server.stop()

# -- --linger 0: each connection its own process -----------------------------
server = pvtest.Server(['--linger', '0', '--spares', '0'], env=env)
bring_up_and_leave(server, 'first')
check(server.wait_log('client 1 (pid', 10), 'with --linger 0 the process ends with its client')
bring_up_and_leave(server, 'second')
log = server.log_text()
check(not served_again(log) and 'is free for' not in log,
      'with --linger 0 no process serves a second connection')
server.stop()
pvtest.finish()
