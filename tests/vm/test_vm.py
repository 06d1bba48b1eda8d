#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A real VM: QEMU 10.0, built from Debian's source package against
PearVisor's libvirglrenderer (tests/vm/prepare.sh), boots Debian's
bookworm-backports kernel under TCG with
`virtio-gpu-gl-pci,venus=on,blob=on,hostmem=...` and an OpenGL display on a
virtual X server.  The guest is an initramfs assembled from this machine's
Debian packages: busybox, the virtio-gpu kernel modules, Mesa's Venus
driver, the Vulkan loader, vulkaninfo and our compute samples.  Inside,
vulkaninfo must show "Virtio-GPU Venus (llvmpipe ...)", the samples must
pass with mapped memory and print the hashes they print natively, and a
guest program that sends garbage through the virtio-gpu path must end only
its own context: QEMU keeps running and the next guest is served.  The
guest also puts a line of text on its framebuffer console, and QEMU's
display must show it, pixel for pixel as the kernel's font draws it
(screen.py: read from the X server's screen, since QEMU 10.0's screendump
has no image of a GL scanout).  Then a guest program drives the KMS device
as a compositor's output does (two dumb buffers as framebuffers, a mode
set with the first, a page flip to the second, its event), and QEMU's
display must show each frame exactly while it is up; and Mesa's Venus must
not offer VK_KHR_swapchain, which it does only when the renderer's device
has dma-buf memory and DRM format modifiers, which lavapipe lacks
(docs/vmm.md).

Skipped (exit 77, the SKIP line says which) only when QEMU or the guest
kernel cannot be fetched or built (prepare.sh), or the guest's root file
system cannot be assembled from this machine's packages.  Everything else
that goes wrong with the VM is a FAIL with its reason:

  - QEMU ending before the guest printed its kernel banner (an exit status
    or a signal: a crash of our library while QEMU sets it up looks so);
  - QEMU ending by a signal, or terminated from outside: QEMU exits 0 on
    SIGTERM and says "terminating on signal", so status 0 alone proves
    nothing;
  - "KVM internal error" / "emulation failure" in QEMU's output (QEMU then
    pauses the guest for good: the test kills it at once);
  - a console silent for PV_VM_SILENCE_S seconds (default 180; the guest
    prints a heartbeat every 10 s, so silence means the vCPUs stopped);
  - no power-off within PV_VM_TIMEOUT_S seconds (default 900);
  - a guest kernel panic;
  - a QEMU exit without the guest's own power-off: the guest's last marker
    "GUEST: done" followed by the kernel's "reboot: Power down".

PV_VM_FAKE_QEMU=PROGRAM runs PROGRAM in QEMU's place with QEMU's command
line and checks only the boot, the same way (no prepare.sh, no guest, no
native reference): tests/vm/fake_qemu.py and test_vm_failures.py prove with
it that each way a VM can fail is a FAIL."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import pvtest  # noqa: E402
from pvtest import check  # noqa: E402
import screen  # noqa: E402

SAMPLES = os.environ.get('PV_SAMPLES_DIR', 'build/samples')
CACHE = os.environ.get('PV_VM_CACHE') or os.path.join(
    os.environ.get('XDG_CACHE_HOME', os.path.expanduser('~/.cache')), 'pearvisor-gpu', 'vm')
GUEST_SAMPLES = ['saxpy', 'reduction', 'coherence', 'image-filter', 'sync2']
VENUS_ICD = '/usr/share/vulkan/icd.d/virtio_icd.json'
BUSYBOX = '/bin/busybox'
SILENCE_S = float(os.environ.get('PV_VM_SILENCE_S', '180'))
TIMEOUT_S = float(os.environ.get('PV_VM_TIMEOUT_S', '900'))
HEARTBEAT_S = 10
# how long the host looks for the guest's console line after it was put up
CONSOLE_WAIT_S = 60
# the line the guest puts on its framebuffer console (no shell quoting in it)
CONSOLE_TEXT = 'PearVisor GPU: the guest console, 2D through GL #14'
# how long the guest's KMS program keeps each of its two frames up for the
# host to find (the host looks about once a second)
KMS_HOLD_S = 8
# QEMU's error response to a 2D command, from resource create (0x101) to
# detaching a backing (0x107): SET_SCANOUT is 0x103, RESOURCE_FLUSH 0x104
ERROR_2D = re.compile(r'ctrl 0x10[1-7], error[^\n]*')

# what QEMU prints when KVM gives up on the guest (it then pauses it forever)
KVM_FAILURE = re.compile(r'KVM internal error[^\n]*|emulation failure[^\n]*')
# what QEMU prints when it was sent SIGTERM/SIGINT/SIGHUP (and then exits 0)
TERMINATED = re.compile(r'terminating on signal \d+[^\n]*')
# the guest's own end: its last marker, then the kernel powering it off
POWERED_OFF = re.compile(r'GUEST: done\n.*reboot: Power down', re.S)
PANIC = re.compile(r'Kernel panic[^\n]*')
BANNER = 'Linux version'


def skip(why):
    print('SKIP: %s' % why, flush=True)
    sys.exit(77)


class CannotAssemble(Exception):
    """Something the guest's root file system is made of is not on this
    machine (its package is not installed)."""


# -- QEMU and its boot ----------------------------------------------------------------
def status_text(status):
    """A Popen returncode in words."""
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = 'unknown'
        return 'was killed by signal %d (%s)' % (-status, name)
    return 'exited with status %d' % status


def qemu_command(qemu, kernel, initrd, serial, qmp):
    return [qemu, '-machine', 'q35', '-accel', 'tcg', '-cpu', 'max', '-m', '2048', '-smp', '2',
            '-L', '/usr/share/qemu', '-L', '/usr/share/seabios',
            '-kernel', kernel, '-initrd', initrd,
            '-append', 'console=ttyS0 panic=-1', '-no-reboot', '-nic', 'none',
            '-device', 'virtio-gpu-gl-pci,venus=on,blob=on,hostmem=1G',
            '-display', 'sdl,gl=on', '-vga', 'none',
            '-serial', 'file:' + serial, '-monitor', 'none',
            '-qmp', 'unix:%s,server=on,wait=off' % qmp]


def start_display(fbdir):
    """A virtual X server for QEMU's OpenGL display, its screen kept in
    fbdir/Xvfb_screen0 (XWD); returns (process, DISPLAY) or (None, None).
    QEMU's SDL window shows the guest's scanout unscaled, but SDL puts it
    where its first frame (640x480) is centred and it grows from there to
    the right and down: on a 1600x1200 screen a 1280x800 scanout starts at
    (480, 360) and its last 160 columns are off the screen.  On 2048x1536
    all of it is on the screen, from (704, 528)."""
    if not shutil.which('Xvfb'):
        return None, None
    xvfb = subprocess.Popen(['Xvfb', '-displayfd', '1', '-screen', '0', '2048x1536x24',
                             '-fbdir', fbdir, '-nolisten', 'tcp'], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    number = xvfb.stdout.readline().decode().strip()
    if not number:
        xvfb.kill()
        xvfb.wait()
        return None, None
    return xvfb, ':' + number


def read_text(path):
    try:
        with open(path, errors='replace') as f:
            return f.read().replace('\r\n', '\n')
    except FileNotFoundError:
        return ''


class Boot:
    """What became of one run of QEMU."""
    status = None          # its returncode (negative: the signal that ended it)
    stopped = None         # why the test killed it, if it did
    console = ''
    host_log = ''
    elapsed = 0.0
    longest_silence = 0.0


def boot(cmd, serial, env, silence_s=SILENCE_S, timeout_s=TIMEOUT_S, watch=None):
    """Runs QEMU and watches its console (the serial file) and its output
    while it runs: QEMU is killed when it reports a KVM failure (it would
    pause for good), when the console stays silent for silence_s, and after
    timeout_s.  watch(console), if given, is called as the console grows
    and every quarter second, while QEMU runs."""
    b = Boot()
    host_log = serial + '.host'
    with open(host_log, 'w') as log:
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                             start_new_session=True)
    start = last_change = time.time()
    size = 0
    while True:
        status = p.poll()
        now = time.time()
        b.console = read_text(serial)
        b.host_log = read_text(host_log)
        if len(b.console) != size:
            b.longest_silence = max(b.longest_silence, now - last_change)
            size, last_change = len(b.console), now
        if status is not None:
            break
        if watch:
            watch(b.console)
        kvm = KVM_FAILURE.search(b.host_log)
        if kvm:
            b.stopped = 'QEMU reported "%s" (it pauses the guest for good)' % kvm.group(0)
        elif now - last_change > silence_s:
            b.stopped = 'the console was silent for %.0f s (a paused or stopped VM)' % (
                now - last_change)
        elif now - start > timeout_s:
            b.stopped = 'the guest did not power off within %.0f s' % timeout_s
        if b.stopped:
            b.longest_silence = max(b.longest_silence, now - last_change)
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            break
        time.sleep(0.25)
    b.status = p.returncode
    b.elapsed = time.time() - start
    b.console = read_text(serial)
    b.host_log = read_text(host_log)
    return b


def boot_verdict(b):
    """(passed, what): whether the guest powered itself off and QEMU then
    exited by itself, cleanly; otherwise what went wrong."""
    if b.stopped:
        return False, '%s; QEMU killed by the test after %.0f s' % (b.stopped, b.elapsed)
    if BANNER not in b.console:
        return False, 'QEMU %s before the guest printed its kernel banner' % (
            status_text(b.status))
    if b.status != 0:
        return False, 'QEMU %s while the guest ran' % status_text(b.status)
    terminated = TERMINATED.search(b.host_log)
    if terminated:
        return False, ('QEMU exited 0 because it was told to end ("%s"), not because the '
                       'guest powered off' % terminated.group(0))
    kvm = KVM_FAILURE.search(b.host_log)
    if kvm:
        return False, 'QEMU reported "%s"' % kvm.group(0)
    panic = PANIC.search(b.console)
    if panic:
        return False, 'the guest kernel panicked: "%s"' % panic.group(0)
    if not POWERED_OFF.search(b.console):
        return False, ('QEMU exited 0 but the guest never powered itself off (no "GUEST: '
                       'done" followed by "reboot: Power down" on its console)')
    return True, ('the guest powered itself off and QEMU exited cleanly (%.1f s, longest '
                  'console silence %.1f s)' % (b.elapsed, b.longest_silence))


def save_screen(screen_read, suffix=''):
    """PV_VM_SCREENSHOT=FILE: the screen as the test read it, as a PNG (FILE
    for the console's, FILE with SUFFIX before its extension for others)."""
    out = os.environ.get('PV_VM_SCREENSHOT')
    if out and screen_read:
        root, ext = os.path.splitext(out)
        out = root + suffix + ext
        with open(out, 'wb') as f:
            f.write(screen_read.png())
        print('the screen as the test read it: %s' % out)


class ConsoleWatch:
    """Once the guest says its line is on its console, reads the screen
    QEMU's display drew (Xvfb's screen file) until the line is found there
    or CONSOLE_WAIT_S passed, and asks QEMU for a screendump (QMP) once."""

    def __init__(self, run_dir):
        self.screen_file = os.path.join(run_dir, 'fb', 'Xvfb_screen0')
        self.qmp = os.path.join(run_dir, 'qmp.sock')
        self.dump = os.path.join(run_dir, 'screendump.ppm')
        self.shown_at = self.last_look = None
        self.found, self.what, self.screen = False, 'the guest never put its line up', None
        self.screendump = None  # QEMU's answer
        self.dumped = None      # the screen it dumped, if it did

    def __call__(self, console):
        if self.found or 'console-text-shown' not in console:
            return
        now = time.time()
        self.shown_at = self.shown_at or now
        if now - self.shown_at > CONSOLE_WAIT_S or (self.last_look and now - self.last_look < 1):
            return
        self.last_look = now
        font = screen.parse_font(console)
        if font is None:
            self.what = 'the guest printed no font'
            return
        try:
            self.screen = screen.read_xwd(self.screen_file)
        except (OSError, ValueError, IndexError) as e:
            self.what = 'the screen cannot be read (%s)' % e
            return
        self.found, self.what = screen.find_line(self.screen, CONSOLE_TEXT, font)
        if self.screendump is None:
            self.screendump = self.ask_screendump()

    def ask_screendump(self):
        """QEMU's answer to QMP's screendump: 'ok' (the file is then
        compared too) or its error."""
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(10)
                s.connect(self.qmp)
                f = s.makefile('rw')
                f.readline()  # the greeting
                answers = []
                for cmd in ({'execute': 'qmp_capabilities'},
                            {'execute': 'screendump', 'arguments': {'filename': self.dump}}):
                    f.write(json.dumps(cmd) + '\n')
                    f.flush()
                    line = f.readline()
                    while '"event"' in line:
                        line = f.readline()
                    answers.append(json.loads(line))
        except (OSError, ValueError) as e:
            return 'no answer (%s)' % e
        if 'error' in answers[-1]:
            return 'error: %s' % answers[-1]['error'].get('desc')
        return 'ok'


class KmsWatch:
    """Reads the screen QEMU's display drew about once a second while the
    guest's KMS program shows a frame (from its "kms-shown A" to its
    "kms-shown B", from that to "kms-released", KMS_HOLD_S at most), until
    that frame is found there exactly (screen.find_frame)."""

    # each frame, and the guest's line that ends it
    FRAMES = (('A', 'kms-shown B'), ('B', 'kms-released'))

    def __init__(self, run_dir):
        self.screen_file = os.path.join(run_dir, 'fb', 'Xvfb_screen0')
        self.last_look = None
        self.shown_at, self.looks, self.found, self.what, self.screen = {}, {}, {}, {}, {}
        for name, _ in self.FRAMES:
            self.looks[name], self.found[name], self.screen[name] = 0, False, None
            self.what[name] = 'the guest never showed it'

    def __call__(self, console):
        for name, until in self.FRAMES:
            if not self.found[name] and 'kms-shown ' + name in console and until not in console:
                self.look(console, name)

    def look(self, console, name):
        now = time.time()
        self.shown_at.setdefault(name, now)
        if now - self.shown_at[name] > KMS_HOLD_S or (
                self.last_look and now - self.last_look < 1):
            return
        self.last_look = now
        frames = screen.parse_frames(console)
        if frames is None:
            self.what[name] = 'the guest did not print its mode, pattern and buffers'
            return
        try:
            self.screen[name] = screen.read_xwd(self.screen_file)
        except (OSError, ValueError, IndexError) as e:
            self.what[name] = 'the screen cannot be read (%s)' % e
            return
        self.looks[name] += 1
        self.found[name], self.what[name] = screen.find_frame(self.screen[name], frames, name)
        print('frame %s, look %d, %.1f s after the guest showed it: %s' % (
            name, self.looks[name], time.time() - self.shown_at[name], self.what[name]),
            flush=True)


def run_vm(qemu, kernel, initrd, env):
    """Boots, prints what the console and QEMU said, checks the boot;
    returns the Boot, the ConsoleWatch and the KmsWatch."""
    run_dir = tempfile.mkdtemp(prefix='pv-vm-')
    os.makedirs(os.path.join(run_dir, 'fb'))
    xvfb, display = start_display(os.path.join(run_dir, 'fb'))
    if not check(xvfb is not None, 'a virtual X server (Xvfb) for QEMU\'s OpenGL display'):
        pvtest.finish()
    serial = os.path.join(run_dir, 'serial.log')
    watch = ConsoleWatch(run_dir)
    kms_watch = KmsWatch(run_dir)

    def watch_both(console):
        watch(console)
        kms_watch(console)
    try:
        b = boot(qemu_command(qemu, kernel, initrd, serial, watch.qmp), serial,
                 dict(env, DISPLAY=display), watch=watch_both)
        watch.dumped = screendump_screen(watch.dump) if watch.screendump == 'ok' else None
    finally:
        xvfb.terminate()
        xvfb.wait()
        shutil.rmtree(run_dir, ignore_errors=True)
    print(b.console[-6000:])
    print(b.host_log[-4000:])
    passed, what = boot_verdict(b)
    check(passed, what)
    return b, watch, kms_watch


def screendump_screen(path):
    """The PPM (P6) QEMU's screendump wrote, as a Screen; None if unreadable."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
        m = re.match(rb'P6\s+(\d+)\s+(\d+)\s+255\s', data)
        width, height = int(m.group(1)), int(m.group(2))
        return screen.Screen(width, height, data[m.end():m.end() + width * height * 3])
    except (OSError, AttributeError):
        return None


# -- the guest ---------------------------------------------------------------------
def module_order(modules, name, found, order):
    """virtio-gpu and what it needs, dependencies first."""
    if name in found:
        return
    found.add(name)
    for variant in (name, name.replace('_', '-'), name.replace('-', '_')):
        hits = subprocess.run(['find', modules, '-name', variant + '.ko*'],
                              capture_output=True, text=True).stdout.split()
        if hits:
            break
    if not hits:
        raise CannotAssemble('kernel module %s is not in the fetched kernel' % name)
    deps = subprocess.run(['/sbin/modinfo', '-F', 'depends', hits[0]], capture_output=True,
                          text=True).stdout.strip()
    for dep in filter(None, deps.split(',')):
        module_order(modules, dep, found, order)
    order.append(hits[0])


def copy_with_libraries(path, root):
    """A program or library and the shared libraries it loads."""
    todo = [path]
    while todo:
        f = todo.pop()
        dest = root + f
        if os.path.exists(dest):
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy(f, dest)
        out = subprocess.run(['ldd', f], capture_output=True, text=True).stdout
        todo += re.findall(r'=> (/\S+)', out) + re.findall(r'^\s*(/\S+ld-linux\S*)', out, re.M)


def host_parts():
    """What the guest is made of that comes from this machine's packages;
    raises CannotAssemble naming what is missing."""
    for path, package in ((BUSYBOX, 'busybox-static'), (VENUS_ICD, 'mesa-vulkan-drivers'),
                          ('/sbin/modinfo', 'kmod'), ('/sbin/ldconfig', 'libc-bin')):
        if not os.path.exists(path):
            raise CannotAssemble('%s is missing (package %s)' % (path, package))
    for tool, package in (('vulkaninfo', 'vulkan-tools'), ('cpio', 'cpio'), ('xz', 'xz-utils'),
                          ('gzip', 'gzip'), ('ldd', 'libc-bin')):
        if not shutil.which(tool):
            raise CannotAssemble('%s is missing (package %s)' % (tool, package))
    with open(VENUS_ICD) as f:
        venus_lib = re.search(r'"library_path"\s*:\s*"([^"]+)"', f.read()).group(1)
    if not os.path.isabs(venus_lib):
        # a bare name, found the way the loader finds it
        cache = subprocess.run(['/sbin/ldconfig', '-p'], capture_output=True, text=True).stdout
        m = re.search(r'%s \(.*x86-64.*\) => (\S+)' % re.escape(venus_lib), cache)
        if not m:
            raise CannotAssemble('Mesa\'s Venus driver %s is not installed' % venus_lib)
        venus_lib = m.group(1)
    return venus_lib, shutil.which('vulkaninfo')


def guest_init(insmods):
    """The guest's /init."""
    # the heartbeat tells a guest that is busy (or stuck in the renderer)
    # from a VM whose vCPUs stopped: the console never goes silent for long
    # while the guest runs
    return '''#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
(while :; do sleep %d; echo "heartbeat $(cat /proc/uptime)"; done) &
for m in %s; do insmod /modules/$m; done
export HOME=/tmp XDG_CACHE_HOME=/tmp
sleep 1
echo "GUEST: console"
/samples/console /dev/tty1 "%s"
echo "GUEST: vulkaninfo"
echo "uptime before: $(cat /proc/uptime)"
vulkaninfo --summary 2>&1 | grep -E "deviceName|apiVersion|driverName"
echo "uptime after: $(cat /proc/uptime)"
for s in %s; do echo "GUEST: pv-$s"; /samples/pv-$s 2>&1; done
echo "GUEST: bench"
[ -x /samples/bench ] && /samples/bench --quick 2>&1
echo "GUEST: kms"
/samples/kms /dev/dri/card0 %d 2>&1
echo "kms-status $?"
echo "GUEST: swapchain"
vulkaninfo > /tmp/vulkaninfo.txt 2> /tmp/vulkaninfo.err
echo "vulkaninfo-status $?"
grep "^Device Extensions" /tmp/vulkaninfo.txt
for e in VK_KHR_synchronization2 VK_KHR_swapchain; do
  echo "extension $e $(grep -c -E "^[[:space:]]+$e[[:space:]]+: extension revision" /tmp/vulkaninfo.txt)"
done
grep -w VK_KHR_swapchain /tmp/vulkaninfo.err
echo "GUEST: garbage"
/samples/garbage
sleep 1
echo "GUEST: after garbage"
/samples/pv-saxpy 2>&1
echo "GUEST: done"
poweroff -f
''' % (HEARTBEAT_S, ' '.join(insmods), CONSOLE_TEXT, ' '.join(GUEST_SAMPLES), KMS_HOLD_S)


def assemble_guest(modules, garbage, bench, console, kms):
    """The guest's initramfs; returns its path."""
    venus_lib, vulkaninfo = host_parts()
    root = tempfile.mkdtemp(prefix='pv-vm-guest-')
    for d in ('bin', 'dev', 'proc', 'sys', 'tmp', 'modules', 'samples'):
        os.makedirs(os.path.join(root, d))
    shutil.copy(BUSYBOX, os.path.join(root, 'bin', 'busybox'))
    for tool in ('sh', 'mount', 'insmod', 'echo', 'cat', 'ls', 'sleep', 'poweroff', 'grep',
                 'date'):
        os.symlink('busybox', os.path.join(root, 'bin', tool))
    order = []
    module_order(modules, 'virtio_gpu', set(), order)
    insmods = []
    for m in order:
        name = os.path.basename(m).split('.ko')[0] + '.ko'
        with open(os.path.join(root, 'modules', name), 'wb') as out:
            subprocess.run(['xz', '-dc', m] if m.endswith('.xz') else ['cat', m], stdout=out,
                           check=True)
        insmods.append(name)
    icd_dir = root + os.path.dirname(VENUS_ICD)
    os.makedirs(icd_dir)
    shutil.copy(VENUS_ICD, icd_dir)
    # ours, built by meson beside this test: missing is a failure, not a skip
    guest_programs = [venus_lib, vulkaninfo, garbage, console, kms] + \
        [os.path.join(SAMPLES, 'pv-' + s) for s in GUEST_SAMPLES] + ([bench] if bench else [])
    for f in guest_programs:
        copy_with_libraries(os.path.realpath(f), root)
    if bench:
        shutil.copy(bench, os.path.join(root, 'samples', 'bench'))
    for s in GUEST_SAMPLES:
        shutil.copy(os.path.join(SAMPLES, 'pv-' + s), os.path.join(root, 'samples'))
    shutil.copy(garbage, os.path.join(root, 'samples', 'garbage'))
    shutil.copy(console, os.path.join(root, 'samples', 'console'))
    shutil.copy(kms, os.path.join(root, 'samples', 'kms'))
    init = guest_init(insmods)
    with open(os.path.join(root, 'init'), 'w') as f:
        f.write(init)
    os.chmod(os.path.join(root, 'init'), 0o755)
    initrd = root + '.cpio.gz'
    subprocess.run('cd %s && find . | cpio -o -H newc 2>/dev/null | gzip -1 > %s' %
                   (root, initrd), shell=True, check=True)
    return initrd


def section(console, name):
    m = re.search(r'GUEST: %s\n(.*?)(?=GUEST: |\Z)' % re.escape(name), console, re.S)
    return m.group(1) if m else ''


# -- the test -----------------------------------------------------------------------
def check_console(console, host_log, watch):
    """The guest's framebuffer console on QEMU's display (screen.py says how
    it is compared)."""
    font = screen.parse_font(section(console, 'console'))
    check(font is not None and 'console-text-shown' in console,
          'the guest puts a line on its framebuffer console (fbcon, font %s)' %
          ('%dx%d' % font[:2] if font else None))
    check(re.search(r'ctrl 0x103, error', host_log) is None,
          'QEMU answers the console\'s SET_SCANOUT without an error')
    check(watch.found, 'QEMU\'s display shows the guest\'s console: %s' % watch.what)
    save_screen(watch.screen)
    if watch.screendump == 'ok' and font:
        found, what = (screen.find_line(watch.dumped, CONSOLE_TEXT, font) if watch.dumped
                       else (False, 'its file cannot be read'))
        check(found, 'QEMU\'s screendump shows the console too: %s' % what)
    else:
        # QEMU 10.0 dumps a console's DisplaySurface only; a GL scanout has none
        print('note: QEMU\'s screendump (QMP): %s' % watch.screendump)


def check_kms(console, host_log, watch):
    """The guest's KMS output, as a compositor drives it, and its last frame
    on QEMU's display (screen.find_frame says how it is compared)."""
    out = section(console, 'kms')
    mode = re.search(r'kms-mode (\d+) (\d+)', out)
    fbs = dict(re.findall(r'kms-buffer ([AB]) \d+ (\d+) ', out))
    status = re.search(r'kms-status (\d+)', out)
    check(status is not None and status.group(1) == '0' and mode is not None and
          set(fbs) == {'A', 'B'} and '0' not in fbs.values() and 'kms-shown A' in out and
          'kms-shown B' in out and 'kms-released' in out,
          'the guest\'s KMS program runs as DRM master: mode %s, two dumb buffers as '
          'framebuffers %s, the mode set with A, then B, exit status %s' %
          ('%sx%s' % mode.groups() if mode else None, fbs or None,
           status.group(1) if status else None))
    flip = re.search(r'kms-flip (event \d+|setcrtc[^\n]*)', out)
    check(flip is not None and flip.group(1).startswith('event'),
          'the guest flips from A to B with DRM_IOCTL_MODE_PAGE_FLIP and gets its event (%s)' %
          (flip.group(1) if flip else 'no flip'))
    error = ERROR_2D.search(host_log)
    check(error is None, 'QEMU answers the 2D commands (resources, transfers, SET_SCANOUT, '
          'flushes) without an error response (%s)' % (error.group(0) if error else 'none'))
    check(watch.found['A'], 'QEMU\'s display shows frame A after the mode set (%d looks): %s' %
          (watch.looks['A'], watch.what['A']))
    check(watch.found['B'], 'QEMU\'s display shows frame B after the page flip (%d looks): %s' %
          (watch.looks['B'], watch.what['B']))
    save_screen(watch.screen['A'], '-kms-a')
    save_screen(watch.screen['B'], '-kms-b')


def check_no_swapchain(console):
    """What Mesa's Venus offers a guest's window system on this host."""
    out = section(console, 'swapchain')
    status = re.search(r'vulkaninfo-status (\d+)', out)
    listed = re.search(r'^Device Extensions: count = (\d+)', out, re.M)
    # how many of vulkaninfo's lines list the extension (not its errors:
    # the loader's on stderr name VK_KHR_swapchain as not supported)
    counts = dict(re.findall(r'^extension (VK_\w+) (\d+)', out, re.M))
    # that vulkaninfo listed the device's extensions, one known to be there
    # among them, so a count of 0 is not an empty listing
    check(status is not None and status.group(1) == '0' and listed is not None and
          int(listed.group(1)) > 0 and int(counts.get('VK_KHR_synchronization2', 0)) > 0,
          'vulkaninfo in the guest lists the device\'s extensions (exit status %s, %s of them, '
          'lines listing VK_KHR_synchronization2: %s)' %
          (status.group(1) if status else None, listed.group(1) if listed else None,
           counts.get('VK_KHR_synchronization2')))
    check(counts.get('VK_KHR_swapchain') == '0',
          'the guest is not offered VK_KHR_swapchain on lavapipe (lines listing it: %s): Mesa\'s '
          'Venus offers it only when the renderer\'s device has dma-buf external memory, '
          'VK_EXT_image_drm_format_modifier and VK_EXT_queue_family_foreign, and lavapipe '
          'exports no dma-buf and has no DRM format modifiers (docs/vmm.md)' %
          counts.get('VK_KHR_swapchain'))


def fake_main(fake):
    """The boot and its verdict only, with a stand-in for QEMU."""
    run_vm(fake, 'vmlinuz', 'guest.cpio.gz', dict(os.environ))
    pvtest.finish()


def main():
    virgl_lib = os.environ['PV_VIRGL_LIB']
    helper = os.environ['PV_VIRGL_HELPER']
    pcdir = os.environ['PV_VIRGL_PCDIR']
    garbage = os.environ['PV_GUEST_GARBAGE']
    console_program = os.environ['PV_GUEST_CONSOLE']
    kms_program = os.environ['PV_GUEST_KMS']
    bench = os.environ.get('PV_BENCH_WORKLOAD')

    try:
        prep = subprocess.run([os.path.join(HERE, 'prepare.sh'), CACHE, pcdir],
                              capture_output=True, text=True, timeout=3000)
    except subprocess.TimeoutExpired:
        check(False, 'QEMU and the guest kernel are ready within 3000 s (prepare.sh)')
        pvtest.finish()
    print(prep.stdout[-3000:], prep.stderr[-3000:])
    if prep.returncode == 77:
        why = re.findall(r'^vm-prepare: SKIP: (.*)$', prep.stdout, re.M)
        skip(why[-1] if why else 'QEMU or the guest kernel could not be fetched or built')
    check(prep.returncode == 0, 'QEMU and the guest kernel are ready (prepare.sh %s)' %
          status_text(prep.returncode))
    if prep.returncode:
        pvtest.finish()
    qemu = os.path.join(CACHE, 'qemu', 'build', 'qemu-system-x86_64')
    with open(os.path.join(CACHE, 'kernel', 'modules-dir')) as f:
        modules = os.path.join(CACHE, f.read().strip())

    imported = subprocess.run(['nm', '-D', '--undefined-only', qemu], capture_output=True,
                              text=True).stdout
    virgl_calls = sorted(set(re.findall(r'virgl_renderer_\w+', imported)))
    check(len(virgl_calls) >= 27, 'QEMU imports the virglrenderer interface (%d entry points)' %
          len(virgl_calls))

    try:
        initrd = assemble_guest(modules, garbage, bench, console_program, kms_program)
    except CannotAssemble as e:
        skip('the guest\'s root file system cannot be built here: %s' % e)
    check(os.path.getsize(initrd) > 1 << 20, 'the guest initramfs is assembled (%d KiB)' %
          (os.path.getsize(initrd) >> 10))

    # the native reference
    native_hashes = {}
    for s in GUEST_SAMPLES:
        r = pvtest.run_native([os.path.join(SAMPLES, 'pv-' + s)])
        m = re.search(r'output hash ([0-9a-f]{16})', r.stdout)
        native_hashes[s] = m.group(1) if m else None

    env = dict(os.environ,
               LD_LIBRARY_PATH=os.path.dirname(virgl_lib),
               PV_VIRGL_HELPER=helper,
               VK_DRIVER_FILES=pvtest.HOST_ICD, VK_ICD_FILENAMES=pvtest.HOST_ICD)
    b, watch, kms_watch = run_vm(qemu, os.path.join(CACHE, 'kernel', 'vmlinuz'), initrd, env)
    shutil.rmtree(initrd[:-len('.cpio.gz')], ignore_errors=True)
    os.unlink(initrd)
    console, host_log = b.console, b.host_log

    times = re.findall(r'uptime (before|after): ([0-9.]+)', console)
    if len(times) == 2:
        print('guest: vulkaninfo started %.1f s after boot and took %.2f s' %
              (float(times[0][1]), float(times[1][1]) - float(times[0][1])))
    check(re.search(r'cap set \d+: id 4, max-version 0, max-size \d+', console) is not None,
          'the guest kernel sees the Venus capset')
    check(re.search(r'deviceName\s*=\s*Virtio-GPU Venus \(llvmpipe', console) is not None,
          'vulkaninfo in the guest shows "Virtio-GPU Venus (llvmpipe ...)"')
    # Mesa's Venus offers 1.3 once the renderer imports sync-fd semaphores
    # (its own on lavapipe); pv-sync2 below uses it
    api = re.search(r'apiVersion\s*=\s*(\d+)\.(\d+)', console)
    check(api is not None and (int(api.group(1)), int(api.group(2))) >= (1, 3),
          'the guest device reports Vulkan 1.3 (%s)' % (api.group(0) if api else None))
    for s in GUEST_SAMPLES:
        out = section(console, 'pv-' + s)
        m = re.search(r'output hash ([0-9a-f]{16})', out)
        check('OK' in out and m is not None and m.group(1) == native_hashes[s],
              'pv-%s passes in the guest with the native result (%s / %s)' %
              (s, m.group(1) if m else None, native_hashes[s]))
    check_console(console, host_log, watch)
    check_kms(console, host_log, kms_watch)
    check_no_swapchain(console)
    check('submitted to a Venus context' in section(console, 'garbage'),
          'a guest program sends garbage through the virtio-gpu path')
    check(re.search(r'guest error, context marked fatal', host_log) is not None,
          'the host ends that context, naming it')
    check('saxpy: OK' in section(console, 'after garbage'),
          'QEMU keeps running and the next guest is served')
    if bench:
        out = section(console, 'bench')
        metrics = dict(re.findall(r'metric (\w+) ([0-9.e+-]+)', out))
        check('check' in out and 'FAIL' not in out and 'roundtrip_us' in metrics,
              'the benchmark workload runs in the guest (round trip %s us, submit+wait %s us, '
              'first device %s ms)' % (metrics.get('roundtrip_us'),
                                       metrics.get('submit_wait_us'),
                                       metrics.get('create_first_ms')))
    check('killed by signal' not in host_log, 'no context process crashed')
    pvtest.finish()


if __name__ == '__main__':
    if os.environ.get('PV_VM_FAKE_QEMU'):
        fake_main(os.environ['PV_VM_FAKE_QEMU'])
    main()
