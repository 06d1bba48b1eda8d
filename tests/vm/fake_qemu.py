#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stand-in for qemu-system-x86_64 that fails the way QEMU can fail, for
test_vm_failures.py (through test_vm.py's PV_VM_FAKE_QEMU).  It takes
QEMU's command line, writes a console to its `-serial file:PATH` and QEMU's
own messages to stderr, as QEMU does.  PV_FAKE_QEMU_MODE picks the failure:

  init-error      exits 1 before the guest's banner (our library refused to
                  start: "virgl could not be initialized")
  abort           aborts before the banner, as QEMU with -accel kvm -cpu host
                  does on a nested paravirtual KVM (failed to set MSR 0x10a)
  segv-in-init    killed by SIGSEGV before the banner (a crash of our library
                  while QEMU sets it up)
  kvm-error       boots, then "KVM internal error ... emulation failure" and
                  waits for ever, as QEMU does when it pauses the guest
  silent          boots, then prints nothing more and waits for ever
  stuck           boots and keeps printing heartbeats, never powering off
  sigterm         boots, then is sent SIGTERM: says "terminating on signal
                  15" and exits 0, as QEMU does
  sigterm-at-end  the same after the guest's power-off markers
  killed          boots, then is killed by SIGKILL
  segv            boots, then is killed by SIGSEGV (QEMU or our library
                  crashing while the guest runs)
  panic           boots, the guest kernel panics; exits 0 (QEMU's -no-reboot)
  exit0           boots, exits 0 without the guest powering off
  poweroff        the good case: boots, the guest prints its last marker and
                  the kernel powers it off; exits 0
"""

import os
import signal
import sys
import time

MODE = os.environ.get('PV_FAKE_QEMU_MODE', 'poweroff')
args = sys.argv[1:]
serial_path = None
for i, a in enumerate(args[:-1]):
    if a == '-serial' and args[i + 1].startswith('file:'):
        serial_path = args[i + 1][len('file:'):]
if serial_path is None:
    sys.exit('fake_qemu: no -serial file:PATH')
serial = open(serial_path, 'w')


def console(*lines):
    for line in lines:
        serial.write(line + '\r\n')   # a serial console ends lines with CR LF
    serial.flush()


def qemu_says(line):
    sys.stderr.write('qemu-system-x86_64: %s\n' % line)
    sys.stderr.flush()


def wait_forever():
    while True:
        time.sleep(3600)


def on_sigterm(signum, frame):
    # QEMU: qemu_kill_report(), then a normal shutdown with status 0
    qemu_says('terminating on signal %d from pid %d (python3)' % (signum, os.getppid()))
    sys.exit(0)


signal.signal(signal.SIGTERM, on_sigterm)

if MODE == 'init-error':
    qemu_says('virgl could not be initialized: -1')
    sys.exit(1)
if MODE == 'abort':
    qemu_says('error: failed to set MSR 0x10a to 0x2000000ff')
    qemu_says('../target/i386/kvm/kvm.c:3289: kvm_buf_set_msrs: Assertion '
              '`ret == cpu->kvm_msr_buf->nmsrs\' failed.')
    os.abort()
if MODE == 'segv-in-init':
    signal.signal(signal.SIGSEGV, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGSEGV)

console('[    0.000000] Linux version 6.12.0-0.deb12.1-amd64 (fake) #1 SMP',
        '[    0.000000] Command line: console=ttyS0 panic=-1',
        '[    1.000000] Run /init as init process')
time.sleep(0.5)

if MODE == 'kvm-error':
    console('GUEST: vulkaninfo')
    sys.stderr.write('KVM internal error. Suberror: 1\nextra data[0]: 0x0000000000000000\n'
                     'emulation failure\nRAX=0000000000000000 RBX=0000000000000000\n')
    sys.stderr.flush()
    wait_forever()
if MODE == 'silent':
    console('GUEST: vulkaninfo')
    wait_forever()
if MODE == 'stuck':
    console('GUEST: vulkaninfo')
    n = 0
    while True:
        n += 1
        console('heartbeat %d.00 %d.00' % (n, n))
        time.sleep(0.5)
if MODE in ('sigterm', 'sigterm-at-end'):
    console('GUEST: vulkaninfo')
    if MODE == 'sigterm-at-end':
        console('GUEST: done', '[   20.000000] reboot: Power down')
    os.kill(os.getpid(), signal.SIGTERM)
    wait_forever()
if MODE == 'killed':
    console('GUEST: vulkaninfo')
    os.kill(os.getpid(), signal.SIGKILL)
if MODE == 'segv':
    console('GUEST: vulkaninfo')
    signal.signal(signal.SIGSEGV, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGSEGV)
if MODE == 'panic':
    console('[    2.000000] Kernel panic - not syncing: Attempted to kill init! '
            'exitcode=0x00000100',
            '[    2.000000] Rebooting in 1 seconds..')
    sys.exit(0)
if MODE == 'exit0':
    console('GUEST: vulkaninfo')
    sys.exit(0)
if MODE == 'poweroff':
    console('GUEST: vulkaninfo', 'GUEST: done', '[   20.000000] reboot: Power down')
    sys.exit(0)
sys.exit('fake_qemu: unknown PV_FAKE_QEMU_MODE %s' % MODE)
