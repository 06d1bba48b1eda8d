#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""64 concurrent clients with random disconnects for a fixed time
(PV_STRESS_SECONDS, default 20), while a well-behaved guest (pv-saxpy, run
again and again) must get correct results throughout.  The clients are real
programs killed at random moments and hand-driven guests that vanish
mid-stream, mid-packet, mid-ring or after bad input.  Afterwards every client
process has ended and been checked for leaks (sanitizer builds: LeakSanitizer
runs in each), none crashed, and the server holds no more file descriptors
than before."""

import os
import random
import signal
import struct
import subprocess
import threading
import time

import pvtest
from pvtest import Client, Ring, check, cmd_header, set_reply, u32, u64

SAMPLES = os.environ.get('PV_SAMPLES_DIR', 'build/samples')
SECONDS = float(os.environ.get('PV_STRESS_SECONDS', '20'))
CLIENTS = 64
BAD = ('LeakSanitizer', 'AddressSanitizer', 'runtime error', 'killed by signal',
       'were not freed')


def event_pair(i):
    create = (cmd_header(42) + u64(3) + u64(1) + u32(10) + u64(0) + u32(0) + u64(0) + u64(1) +
              u64(1000 + i))
    return create + cmd_header(43) + u64(3) + u64(1000 + i) + u64(0)


def fds_of(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


# -- what a client slot does, one of these at random each round -----------------

def quick_close(server, rng):
    c = Client(server.socket)
    c.bring_up()
    c.close()


def mid_packet(server, rng):
    c = Client(server.socket)
    c.handshake()
    res, _ = c.create_blob(4096)
    stream = set_reply(res, 0, 4096) + event_pair(0)
    header = struct.pack('<II', len(stream) // 4 + 6, pvtest.VCMD_SUBMIT_CMD2)
    c.send_raw(header + u32(1) * 3)  # the rest never comes
    c.close()


def mid_ring(server, rng):
    c = Client(server.socket)
    c.bring_up()
    ring = Ring(c)
    for i in range(rng.randrange(1, 300)):
        ring.write(event_pair(i))
    c.close()


def mid_stream(server, rng):
    c = Client(server.socket)
    c.bring_up()
    for i in range(rng.randrange(1, 50)):
        c.submit(event_pair(i))
    c.close()


def bad_input(server, rng):
    c = Client(server.socket)
    c.handshake()
    c.submit(bytes(rng.getrandbits(8) for _ in range(rng.randrange(4, 256, 4))))
    c.closed_by_server(timeout=5)
    c.close()


def leaves_resources(server, rng):
    c = Client(server.socket)
    c.handshake()
    for _ in range(rng.randrange(1, 8)):
        c.create_blob(rng.choice((4096, 65536, 1 << 20)))
    c.send(pvtest.VCMD_SYNC_CREATE, 5, 0)
    c.reply()
    c.close()


def killed_program(server, rng):
    argv = rng.choice([['vulkaninfo', '--summary'], [os.path.join(SAMPLES, 'pv-coherence')],
                       [os.path.join(SAMPLES, 'pv-reduction')]])
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=server.venus_env())
    try:
        p.wait(timeout=rng.uniform(0.05, 2.0))
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()


BEHAVIOURS = [quick_close, mid_packet, mid_ring, mid_stream, bad_input, leaves_resources,
              killed_program]


def slot(server, seed, deadline, counts, lock):
    rng = random.Random(seed)
    while time.time() < deadline:
        behaviour = rng.choice(BEHAVIOURS)
        try:
            behaviour(server, rng)
            outcome = behaviour.__name__
        except (ConnectionError, OSError):
            outcome = behaviour.__name__ + ' (dropped early)'
        with lock:
            counts[outcome] = counts.get(outcome, 0) + 1


def well_behaved(server, deadline, want, results):
    """Runs pv-saxpy again and again until the deadline, at least once."""
    while True:
        t0 = time.time()
        r = subprocess.run([os.path.join(SAMPLES, 'pv-saxpy')], capture_output=True, text=True,
                           timeout=300, env=server.venus_env())
        ok = r.returncode == 0 and want is not None and 'output hash ' + want in r.stdout
        results.append((ok, time.time() - t0))
        if time.time() >= deadline:
            break


native = pvtest.run_native([os.path.join(SAMPLES, 'pv-saxpy')])
want_hash = None
if 'output hash' in native.stdout:
    want_hash = native.stdout.split('output hash ')[1].split()[0]
check(want_hash is not None, 'pv-saxpy runs natively')

server = pvtest.Server(env=dict(os.environ, PV_DEBUG='info,vtest'))
vulkaninfo = subprocess.run(['vulkaninfo', '--summary'], capture_output=True,
                            env=server.venus_env(), timeout=120)
check(vulkaninfo.returncode == 0, 'the server serves before the storm')
time.sleep(1)
fds_before = fds_of(server.proc.pid)

deadline = time.time() + SECONDS
counts, lock, results = {}, threading.Lock(), []
threads = [threading.Thread(target=slot, args=(server, 1000 + i, deadline, counts, lock))
           for i in range(CLIENTS)]
threads.append(threading.Thread(target=well_behaved, args=(server, deadline, want_hash, results)))
for t in threads:
    t.start()
for t in threads:
    t.join()

print('client rounds: %s' % ', '.join('%s %d' % kv for kv in sorted(counts.items())))
print('well-behaved runs: %d, slowest %.1f s' % (len(results), max(r[1] for r in results)
                                                  if results else 0))
check(sum(counts.values()) >= CLIENTS, 'the %d clients ran %d rounds in %.0f s'
      % (CLIENTS, sum(counts.values()), SECONDS))
check(results and all(ok for ok, _ in results),
      'the well-behaved guest got correct results every time (%d of %d runs)'
      % (sum(ok for ok, _ in results), len(results)))

# every client process ends and is checked; all clients share this test's
# pid, so a process may serve several of them one after another (--linger)
connected = lambda: sum(server.log_text().count(s) for s in ('served by pid ',
                                                             'served by spare process '))
ended = lambda: sum(server.log_text().count(s) for s in (') done', 'exited with status',
                                                          'killed by signal'))
deadline = time.time() + 120
while time.time() < deadline and ended() < connected():
    time.sleep(0.5)
check(ended() >= connected(), 'every client process ended (%d of %d)' % (ended(), connected()))
check('which served client' in server.log_text(),
      'processes served later connections of this guest process under the stress too')
check(server.alive(), 'the server is still running')
fds_after = fds_of(server.proc.pid)
check(fds_after <= fds_before, 'the server holds no more file descriptors (%d, before %d)'
      % (fds_after, fds_before))
log = server.log_text()
for needle in BAD:
    check(needle not in log, 'server log has no "%s"' % needle)
for line in log.splitlines():
    if any(n in line for n in BAD):
        print('  ' + line[:300])
        break
server.stop()
pvtest.finish()
