#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`meson install` puts what ships in place: the binary, its man page
(mentioning every command and option), the VMM library in a directory of
its own, and the systemd user units, which `systemd-analyze verify`
accepts.  The installed `serve`, started the way systemd starts it for
pearvisor-gpu.socket (a listening socket as fd 3, LISTEN_FDS=1,
LISTEN_PID=its pid), serves vulkaninfo through Mesa's Venus on that socket;
a socket that is not a listening UNIX stream socket is refused."""

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pvtest
from pvtest import check, skip

BUILD = os.environ.get('PV_BUILD_ROOT') or os.path.dirname(os.path.abspath(pvtest.PEARVISOR))

options = json.loads(subprocess.run(['meson', 'introspect', BUILD, '--buildoptions'],
                                    capture_output=True, text=True, check=True).stdout)
option = {o['name']: o['value'] for o in options}
prefix = option['prefix']
unit_dir = option.get('systemd_user_unit_dir') or os.path.join(prefix, 'lib', 'systemd', 'user')

destdir = tempfile.mkdtemp(prefix='pv-install-')
atexit.register(shutil.rmtree, destdir, True)
r = subprocess.run(['meson', 'install', '-C', BUILD, '--destdir', destdir, '--no-rebuild',
                    '--quiet'], capture_output=True, text=True, timeout=300)
check(r.returncode == 0, 'meson install --destdir exits 0 %s' % r.stderr.strip()[-300:])


def installed(*parts):
    """Where a file of the install lies under destdir."""
    path = os.path.join(*parts)
    if not os.path.isabs(path):
        path = os.path.join(prefix, path)
    return os.path.join(destdir, path.lstrip('/'))


binary = installed(option['bindir'], 'pearvisor-gpu')
check(os.access(binary, os.X_OK), 'the binary is in bindir')
library = installed(option['libdir'], 'pearvisor-gpu', 'libvirglrenderer.so.1')
check(os.path.exists(library), 'the VMM library is in libdir/pearvisor-gpu/')
check(not os.path.exists(installed(option['libdir'], 'libvirglrenderer.so.1')),
      'and not in libdir itself, where it would shadow the system\'s virglrenderer')

# the commands and options, as the installed binary lists them
top = subprocess.run([binary, '--help'], capture_output=True, text=True).stdout
section = top.split('\nCommands:\n', 1)[-1].split('\n\n', 1)[0]
commands = [line.split()[0] for line in section.splitlines() if line.startswith('  ')]
check(len(commands) >= 5, 'the installed binary lists its commands (%s)' % ' '.join(commands))

man = installed(option['mandir'], 'man1', 'pearvisor-gpu.1')
if not os.path.exists(man) and not shutil.which('help2man'):
    skip('the man page: help2man was not found when the build was configured')
else:
    check(os.path.exists(man), 'the man page is in mandir/man1')
    with open(man) as f:
        text = f.read().replace('\\-', '-').replace('\\fB', '').replace('\\fR', '')
    for cmd in commands:
        check('The %s command' % cmd in text, 'the man page has a section on %s' % cmd)
        helptext = subprocess.run([binary, cmd, '--help'], capture_output=True, text=True).stdout
        names = [line.split()[0] for line in helptext.splitlines() if line.startswith('  --')]
        missing = [n for n in names if n not in text]
        check(not missing, 'the man page mentions %s\'s options %s' % (cmd, missing or ''))

# the systemd units: only in a build with socket activation
serve_help = subprocess.run([binary, 'serve', '--help'], capture_output=True, text=True).stdout
activation = 'no socket activation' not in serve_help
socket_unit = installed(unit_dir, 'pearvisor-gpu.socket')
service_unit = installed(unit_dir, 'pearvisor-gpu.service')
if not activation:
    skip('systemd units and socket activation: this build has no libsystemd')
    check(not os.path.exists(socket_unit), 'no units installed without socket activation')
else:
    check(os.path.exists(socket_unit) and os.path.exists(service_unit),
          'pearvisor-gpu.socket and .service are in the user unit directory')
    with open(socket_unit) as f:
        socket_text = f.read()
    with open(service_unit) as f:
        service_text = f.read()
    check('ListenStream=%t/pearvisor-gpu.sock' in socket_text, 'the socket listens in %t')
    exec_start = os.path.join(prefix, option['bindir'], 'pearvisor-gpu') + ' serve'
    check('ExecStart=%s\n' % exec_start in service_text,
          'the service runs the installed binary: ExecStart=%s' % exec_start)

    analyze = shutil.which('systemd-analyze')
    if not analyze:
        skip('systemd-analyze verify: systemd-analyze is not installed')
    else:
        # verify the units as installed, but with ExecStart pointing into
        # destdir, where the binary is; the man page found there too
        units = tempfile.mkdtemp(prefix='pv-units-')
        runtime = tempfile.mkdtemp(prefix='pv-runtime-')
        shutil.copy(socket_unit, units)
        with open(os.path.join(units, 'pearvisor-gpu.service'), 'w') as f:
            f.write(service_text.replace('ExecStart=/', 'ExecStart=%s/' % destdir))
        env = dict(os.environ, XDG_RUNTIME_DIR=runtime,
                   MANPATH=installed(option['mandir']))
        r = subprocess.run([analyze, '--user', 'verify',
                            os.path.join(units, 'pearvisor-gpu.socket'),
                            os.path.join(units, 'pearvisor-gpu.service')],
                           capture_output=True, text=True, env=env, timeout=120)
        check(r.returncode == 0 and not r.stderr.strip(),
              'systemd-analyze --user verify accepts the units, without a warning %s'
              % r.stderr.strip())


# -- socket activation, as systemd does it, without systemd ----------------------

def start_activated(listening, args=(), log_path=None, listen_pid=None):
    """Starts the installed `serve` with `listening` as fd 3 and LISTEN_FDS=1,
    LISTEN_PID=its own pid (or `listen_pid`), as systemd passes a .socket
    unit's socket."""
    log = open(log_path, 'w')
    env = dict(os.environ, LISTEN_FDS='1', LISTEN_FDNAMES='pearvisor-gpu.socket',
               PV_DEBUG='info')
    pid = os.fork()
    if pid == 0:
        try:
            # the log first: it may itself be fd 3
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            os.dup2(listening.fileno(), 3)
            os.set_inheritable(3, True)  # dup2 onto itself keeps close-on-exec
            env['LISTEN_PID'] = str(listen_pid or os.getpid())
            os.execve(binary, [binary, 'serve', '--icd', pvtest.HOST_ICD] + list(args), env)
        finally:
            os._exit(127)
    log.close()
    return pid


def wait_exit(pid, timeout):
    """The exit status of pid, or None if it is still running after timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    return None


def read(path):
    with open(path) as f:
        return f.read()


work = tempfile.mkdtemp(prefix='pv-activation-')
log_path = os.path.join(work, 'serve.log')
if not activation:
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listening.bind(os.path.join(work, 'pv.sock'))
    listening.listen(16)
    pid = start_activated(listening, log_path=log_path)
    status = wait_exit(pid, 20)
    check(status == 1 and 'no socket activation' in read(log_path),
          'without libsystemd, serve given a socket by systemd says it cannot take it')
else:
    path = os.path.join(work, 'pearvisor-gpu.sock')
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listening.bind(path)
    listening.listen(16)
    pid = start_activated(listening, log_path=log_path)
    listening.close()  # the server holds it now, as it would systemd's
    icd = os.environ.get('PV_VENUS_ICD', '/usr/share/vulkan/icd.d/virtio_icd.json')
    venus = dict(os.environ, VK_DRIVER_FILES=icd, VK_ICD_FILENAMES=icd, VN_DEBUG='vtest',
                 VTEST_SOCKET_NAME=path)
    r = subprocess.run(['vulkaninfo', '--summary'], capture_output=True, text=True,
                       env=venus, timeout=300)
    check(r.returncode == 0 and 'Virtio-GPU Venus' in r.stdout,
          'vulkaninfo --summary through Venus, served on the socket systemd would pass')
    check(('serving vtest on %s' % path) in read(log_path),
          'serve says it serves the passed socket (by its path)')
    os.kill(pid, signal.SIGTERM)
    status = wait_exit(pid, 30)
    check(status == 0, 'serve ends cleanly on SIGTERM (status %s)' % status)
    check(os.path.exists(path), 'and leaves the socket file to systemd')
    check('guest error' not in read(log_path), 'no guest error logged')

    # what systemd could pass by mistake is refused with a reason
    for what, make in (('a connected socket', lambda: socket.socketpair()[0]),
                       ('a datagram socket',
                        lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))):
        sock = make()
        pid = start_activated(sock, log_path=log_path)
        status = wait_exit(pid, 20)
        check(status == 1 and 'not a listening UNIX stream socket' in read(log_path),
              'serve refuses %s as fd 3: %s' % (what, read(log_path).strip()))
        sock.close()
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listening.bind(os.path.join(work, 'second.sock'))
    listening.listen(16)
    pid = start_activated(listening, args=['--socket', os.path.join(work, 'other.sock')],
                          log_path=log_path)
    status = wait_exit(pid, 20)
    check(status == 2 and '--socket' in read(log_path),
          'serve refuses --socket beside a socket from systemd: %s' % read(log_path).strip())
    # LISTEN_PID of another process: the socket is not for this one (a
    # program that inherited the variables), so serve makes its own
    own = os.path.join(work, 'own.sock')
    pid = start_activated(listening, args=['--socket', own], log_path=log_path,
                          listen_pid=os.getpid())
    check(pvtest.wait_for(lambda: ('serving vtest on %s' % own) in read(log_path), 20),
          'with LISTEN_PID of another process, serve ignores the socket and serves --socket')
    os.kill(pid, signal.SIGTERM)
    check(wait_exit(pid, 30) == 0, 'and ends cleanly')
    listening.close()

pvtest.finish()
