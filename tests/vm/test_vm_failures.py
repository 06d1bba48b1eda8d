#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The VM test fails when the VM fails: test_vm.py is run against
fake_qemu.py (PV_VM_FAKE_QEMU) in each way QEMU can fail, and must end in
FAIL (exit 1) with the reason, never SKIP and never a passed boot; the good
case (the guest powers itself off) must pass, so that the failures are not
the fake's own.  And the one skip: prepare.sh unable to fetch what it needs
(apt-get failing) is a SKIP that says what.  No VM is booted."""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import pvtest  # noqa: E402
from pvtest import check  # noqa: E402

TEST_VM = os.path.join(HERE, 'test_vm.py')
FAKE = os.path.join(HERE, 'fake_qemu.py')

# mode -> what the FAIL line must say
FAILURES = {
    'init-error': 'QEMU exited with status 1 before the guest printed its kernel banner',
    'abort': 'QEMU was killed by signal 6 (SIGABRT) before the guest printed its kernel banner',
    'segv-in-init': 'QEMU was killed by signal 11 (SIGSEGV) before the guest printed its '
                    'kernel banner',
    'kvm-error': 'QEMU reported "KVM internal error. Suberror: 1" (it pauses the guest for good)',
    'silent': 'the console was silent for 3 s',
    'stuck': 'the guest did not power off within 8 s',
    'sigterm': 'QEMU exited 0 because it was told to end ("terminating on signal 15',
    'sigterm-at-end': 'QEMU exited 0 because it was told to end ("terminating on signal 15',
    'killed': 'QEMU was killed by signal 9 (SIGKILL) while the guest ran',
    'segv': 'QEMU was killed by signal 11 (SIGSEGV) while the guest ran',
    'panic': 'the guest kernel panicked: "Kernel panic - not syncing',
    'exit0': 'QEMU exited 0 but the guest never powered itself off',
}


def run_test_vm(env, timeout=60):
    t0 = time.time()
    r = subprocess.run([sys.executable, TEST_VM], capture_output=True, text=True,
                       timeout=timeout, env=env)
    return r, time.time() - t0


def fake_env(mode):
    return dict(os.environ, PV_VM_FAKE_QEMU=FAKE, PV_FAKE_QEMU_MODE=mode,
                PV_VM_SILENCE_S='3', PV_VM_TIMEOUT_S='8')


for mode, reason in FAILURES.items():
    r, elapsed = run_test_vm(fake_env(mode))
    fails = [l for l in r.stdout.splitlines() if l.startswith('FAIL ')]
    passed_boot = [l for l in r.stdout.splitlines() if l.startswith('ok   the guest powered')]
    good = (r.returncode == 1 and any(reason in l for l in fails) and not passed_boot and
            'SKIP' not in r.stdout)
    if not check(good, '%s: FAIL in %.1f s (%s)' % (mode, elapsed, fails[:1])):
        print(r.stdout[-3000:], r.stderr[-3000:])

# the paused VM is caught by QEMU's message, not by the silence after it
r, elapsed = run_test_vm(dict(fake_env('kvm-error'), PV_VM_SILENCE_S='30'))
check(r.returncode == 1 and 'KVM internal error' in r.stdout and elapsed < 20,
      'kvm-error: caught at once, not after the console\'s silence (%.1f s)' % elapsed)

# the good case passes: the failures above are not the fake's
r, elapsed = run_test_vm(fake_env('poweroff'))
if not check(r.returncode == 0 and 'ok   the guest powered itself off' in r.stdout,
             'poweroff: the guest powering itself off passes (%.1f s)' % elapsed):
    print(r.stdout[-3000:], r.stderr[-3000:])

# the one skip: what prepare.sh cannot fetch (apt-get fails here), said
stubs = tempfile.mkdtemp(prefix='pv-vm-stubs-')
for tool in ('apt-get', 'apt-cache'):
    path = os.path.join(stubs, tool)
    with open(path, 'w') as f:
        f.write('#!/bin/sh\necho "E: no network here (test stub)" >&2\nexit 100\n')
    os.chmod(path, stat.S_IRWXU)
env = dict(os.environ, PATH=stubs + ':' + os.environ.get('PATH', ''),
           PV_VM_CACHE=tempfile.mkdtemp(prefix='pv-vm-cache-'),
           PV_VIRGL_LIB='none', PV_VIRGL_HELPER='none', PV_VIRGL_PCDIR='none',
           PV_GUEST_GARBAGE='none', PV_GUEST_CONSOLE='none', PV_GUEST_KMS='none')
env.pop('PV_VM_FAKE_QEMU', None)
r, elapsed = run_test_vm(env)
if not check(r.returncode == 77 and 'SKIP: cannot fetch meson from bookworm-backports' in r.stdout,
             'nothing fetchable: SKIP saying what could not be fetched'):
    print(r.stdout[-3000:], r.stderr[-3000:])
shutil.rmtree(stubs)
shutil.rmtree(env['PV_VM_CACHE'])
pvtest.finish()
