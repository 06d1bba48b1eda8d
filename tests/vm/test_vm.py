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
its own context: QEMU keeps running and the next guest is served.

Skipped (exit 77) only when QEMU or the kernel cannot be fetched or built."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import pvtest  # noqa: E402
from pvtest import check  # noqa: E402

SAMPLES = os.environ.get('PV_SAMPLES_DIR', 'build/samples')
VIRGL_LIB = os.environ['PV_VIRGL_LIB']
HELPER = os.environ['PV_VIRGL_HELPER']
PCDIR = os.environ['PV_VIRGL_PCDIR']
GARBAGE = os.environ['PV_GUEST_GARBAGE']
BENCH = os.environ.get('PV_BENCH_WORKLOAD')
CACHE = os.environ.get('PV_VM_CACHE') or os.path.join(
    os.environ.get('XDG_CACHE_HOME', os.path.expanduser('~/.cache')), 'pearvisor-gpu', 'vm')
GUEST_SAMPLES = ['saxpy', 'reduction', 'coherence', 'image-filter']
VENUS_ICD = '/usr/share/vulkan/icd.d/virtio_icd.json'
BUSYBOX = '/bin/busybox'

prep = subprocess.run([os.path.join(HERE, 'prepare.sh'), CACHE, PCDIR], capture_output=True,
                      text=True, timeout=3000)
print(prep.stdout[-3000:], prep.stderr[-3000:])
if prep.returncode == 77:
    print('SKIP: QEMU or the guest kernel could not be fetched or built here')
    sys.exit(77)
check(prep.returncode == 0, 'QEMU and the guest kernel are ready')
QEMU = os.path.join(CACHE, 'qemu', 'build', 'qemu-system-x86_64')
with open(os.path.join(CACHE, 'kernel', 'modules-dir')) as f:
    MODULES = os.path.join(CACHE, f.read().strip())

imported = subprocess.run(['nm', '-D', '--undefined-only', QEMU], capture_output=True,
                          text=True).stdout
virgl_calls = sorted(set(re.findall(r'virgl_renderer_\w+', imported)))
check(len(virgl_calls) >= 27, 'QEMU imports the virglrenderer interface (%d entry points)' %
      len(virgl_calls))


# -- the guest ---------------------------------------------------------------------
def module_order(name, found, order):
    """virtio-gpu and what it needs, dependencies first."""
    if name in found:
        return
    found.add(name)
    for variant in (name, name.replace('_', '-'), name.replace('-', '_')):
        hits = subprocess.run(['find', MODULES, '-name', variant + '.ko*'],
                              capture_output=True, text=True).stdout.split()
        if hits:
            break
    if not hits:
        raise RuntimeError('kernel module %s not found' % name)
    deps = subprocess.run(['/sbin/modinfo', '-F', 'depends', hits[0]], capture_output=True,
                          text=True).stdout.strip()
    for dep in filter(None, deps.split(',')):
        module_order(dep, found, order)
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


root = tempfile.mkdtemp(prefix='pv-vm-guest-')
for d in ('bin', 'dev', 'proc', 'sys', 'tmp', 'modules', 'samples'):
    os.makedirs(os.path.join(root, d))
shutil.copy(BUSYBOX, os.path.join(root, 'bin', 'busybox'))
for tool in ('sh', 'mount', 'insmod', 'echo', 'cat', 'ls', 'sleep', 'poweroff', 'grep', 'date'):
    os.symlink('busybox', os.path.join(root, 'bin', tool))
order = []
module_order('virtio_gpu', set(), order)
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
with open(VENUS_ICD) as f:
    venus_lib = re.search(r'"library_path"\s*:\s*"([^"]+)"', f.read()).group(1)
if not os.path.isabs(venus_lib):
    # a bare name, found the way the loader finds it
    cache = subprocess.run(['/sbin/ldconfig', '-p'], capture_output=True, text=True).stdout
    venus_lib = re.search(r'%s \(.*x86-64.*\) => (\S+)' % re.escape(venus_lib), cache).group(1)
guest_programs = [venus_lib, shutil.which('vulkaninfo'), GARBAGE] + \
    [os.path.join(SAMPLES, 'pv-' + s) for s in GUEST_SAMPLES] + ([BENCH] if BENCH else [])
for f in guest_programs:
    copy_with_libraries(os.path.realpath(f), root)
if BENCH:
    shutil.copy(BENCH, os.path.join(root, 'samples', 'bench'))
for s in GUEST_SAMPLES:
    shutil.copy(os.path.join(SAMPLES, 'pv-' + s), os.path.join(root, 'samples'))
shutil.copy(GARBAGE, os.path.join(root, 'samples', 'garbage'))
init = '''#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
for m in %s; do insmod /modules/$m; done
export HOME=/tmp XDG_CACHE_HOME=/tmp
sleep 1
echo "GUEST: vulkaninfo"
echo "uptime before: $(cat /proc/uptime)"
vulkaninfo --summary 2>&1 | grep -E "deviceName|apiVersion|driverName"
echo "uptime after: $(cat /proc/uptime)"
for s in %s; do echo "GUEST: pv-$s"; /samples/pv-$s 2>&1; done
echo "GUEST: bench"
[ -x /samples/bench ] && /samples/bench --quick 2>&1
echo "GUEST: garbage"
/samples/garbage
sleep 1
echo "GUEST: after garbage"
/samples/pv-saxpy 2>&1
echo "GUEST: done"
poweroff -f
''' % (' '.join(insmods), ' '.join(GUEST_SAMPLES))
with open(os.path.join(root, 'init'), 'w') as f:
    f.write(init)
os.chmod(os.path.join(root, 'init'), 0o755)
initrd = os.path.join(root + '.cpio.gz')
subprocess.run('cd %s && find . | cpio -o -H newc 2>/dev/null | gzip -1 > %s' % (root, initrd),
               shell=True, check=True)
check(os.path.getsize(initrd) > 1 << 20, 'the guest initramfs is assembled (%d KiB)' %
      (os.path.getsize(initrd) >> 10))

# -- the native reference ------------------------------------------------------------
native_hashes = {}
for s in GUEST_SAMPLES:
    r = pvtest.run_native([os.path.join(SAMPLES, 'pv-' + s)])
    m = re.search(r'output hash ([0-9a-f]{16})', r.stdout)
    native_hashes[s] = m.group(1) if m else None

# -- boot ---------------------------------------------------------------------------
serial = os.path.join(tempfile.mkdtemp(prefix='pv-vm-'), 'serial.log')
env = dict(os.environ,
           LD_LIBRARY_PATH=os.path.dirname(VIRGL_LIB),
           PV_VIRGL_HELPER=HELPER,
           VK_DRIVER_FILES=pvtest.HOST_ICD, VK_ICD_FILENAMES=pvtest.HOST_ICD)
cmd = ['xvfb-run', '-a', '-s', '-screen 0 1024x768x24',
       QEMU, '-machine', 'q35', '-accel', 'tcg', '-cpu', 'max', '-m', '2048', '-smp', '2',
       '-L', '/usr/share/qemu', '-L', '/usr/share/seabios',
       '-kernel', os.path.join(CACHE, 'kernel', 'vmlinuz'), '-initrd', initrd,
       '-append', 'console=ttyS0 panic=-1', '-no-reboot', '-nic', 'none',
       '-device', 'virtio-gpu-gl-pci,venus=on,blob=on,hostmem=1G',
       '-display', 'sdl,gl=on', '-vga', 'none',
       '-serial', 'file:' + serial, '-monitor', 'none']
start = time.time()
vm = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
elapsed = time.time() - start
with open(serial, errors='replace') as f:
    console = f.read()
host_log = vm.stderr + vm.stdout
print(console[-6000:])
print(host_log[-4000:])

if vm.returncode and 'Linux version' not in console:
    # QEMU did not get as far as starting the guest: this machine cannot run
    # it (no display for its OpenGL context, ...), which is not what is tested
    print('SKIP: QEMU could not start a guest here (status %d)' % vm.returncode)
    sys.exit(77)
check(vm.returncode == 0, 'QEMU ran the guest to its power-off (status %d, %.1f s)' %
      (vm.returncode, elapsed))
times = re.findall(r'uptime (before|after): ([0-9.]+)', console)
if len(times) == 2:
    print('guest: vulkaninfo started %.1f s after boot and took %.2f s' %
          (float(times[0][1]), float(times[1][1]) - float(times[0][1])))
check(re.search(r'cap set \d+: id 4, max-version 0, max-size \d+', console) is not None,
      'the guest kernel sees the Venus capset')
check(re.search(r'deviceName\s*=\s*Virtio-GPU Venus \(llvmpipe', console) is not None,
      'vulkaninfo in the guest shows "Virtio-GPU Venus (llvmpipe ...)"')


def section(name):
    m = re.search(r'GUEST: %s\n(.*?)(?=GUEST: |\Z)' % re.escape(name), console, re.S)
    return m.group(1) if m else ''


for s in GUEST_SAMPLES:
    out = section('pv-' + s)
    m = re.search(r'output hash ([0-9a-f]{16})', out)
    check('OK' in out and m is not None and m.group(1) == native_hashes[s],
          'pv-%s passes in the guest with the native result (%s / %s)' %
          (s, m.group(1) if m else None, native_hashes[s]))
check('submitted to a Venus context' in section('garbage'),
      'a guest program sends garbage through the virtio-gpu path')
check(re.search(r'guest error, context marked fatal', host_log) is not None,
      'the host ends that context, naming it')
after = section('after garbage')
check('saxpy: OK' in after, 'QEMU keeps running and the next guest is served')
check('GUEST: done' in console, 'the guest ran to its end')
if BENCH:
    bench = section('bench')
    metrics = dict(re.findall(r'metric (\w+) ([0-9.e+-]+)', bench))
    check('check' in bench and 'FAIL' not in bench and 'roundtrip_us' in metrics,
          'the benchmark workload runs in the guest (round trip %s us, submit+wait %s us, '
          'first device %s ms)' % (metrics.get('roundtrip_us'), metrics.get('submit_wait_us'),
                                   metrics.get('create_first_ms')))
check('killed by signal' not in host_log, 'no context process crashed')
pvtest.finish()
