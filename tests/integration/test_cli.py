#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The command line explains itself: `--help` lists the commands, each
command's `--help` its own options (one line each) and no other command's,
and the parser takes exactly the options that help lists.  Usage errors
name the command and exit 2; numbers out of range, files that do not
exist, a --socket that cannot work are refused at start-up; --capture makes
its directory.  What is expected comes from the binary's own tables, as
`--help-all` prints them, plus a few facts the task fixes."""

import glob
import os
import re
import subprocess
import tempfile

import pvtest
from pvtest import check


def cli(*args, timeout=60):
    return subprocess.run([pvtest.PEARVISOR] + list(args), capture_output=True, text=True,
                          timeout=timeout)


OPTION_LINE = re.compile(r'^  --([a-z-]+)(?: ([A-Z_.]+))?\s+(\S.*)$')


def options_of(help_text):
    """{name: (metavar, description)} from the option lines of a help text."""
    found = {}
    for line in help_text.splitlines():
        m = OPTION_LINE.match(line)
        if m:
            found[m.group(1)] = (m.group(2), m.group(3))
    return found


# -- the top level -------------------------------------------------------------

top = cli('--help')
check(top.returncode == 0 and top.stderr == '', 'pearvisor-gpu --help exits 0, nothing on stderr')
section = top.stdout.split('\nCommands:\n', 1)[-1].split('\n\n', 1)[0]
commands = [line.split()[0] for line in section.splitlines() if line.startswith('  ')]
check({'serve', 'run', 'replay', 'bench', 'serve-fd'} <= set(commands),
      '--help lists the commands: %s' % ' '.join(commands))
check(all(len(line.split(None, 1)) == 2 for line in section.splitlines()),
      'each command has a line of description')
check('COMMAND --help' in top.stdout, '--help says how to see a command\'s options')
for args in (['help'], ['-h']):
    r = cli(*args)
    check(r.returncode == 0 and r.stdout == top.stdout, '%s is --help' % ' '.join(args))
nothing = cli()
check(nothing.returncode == 2 and 'Usage:' in nothing.stderr,
      'no command: usage on stderr, exit 2')
r = cli('frobnicate')
check(r.returncode == 2 and "'frobnicate'" in r.stderr and '--help' in r.stderr,
      'an unknown command is named, --help suggested, exit 2: %s' % r.stderr.strip())
r = cli('--socket', '/tmp/x')
check(r.returncode == 2 and '--socket' in r.stderr, 'an option before the command: exit 2')
r = cli('--version')
check(r.returncode == 0 and r.stdout.startswith('pearvisor-gpu '), '--version')

# -- each command's options ----------------------------------------------------

all_help = cli('--help-all')
check(all_help.returncode == 0, '--help-all exits 0')
per_command = {}
for cmd in commands:
    r = cli(cmd, '--help')
    check(r.returncode == 0 and r.stderr == '', '%s --help exits 0' % cmd)
    check(r.stdout.startswith('Usage: pearvisor-gpu %s ' % cmd), '%s --help starts with its usage' % cmd)
    check(cli('help', cmd).stdout == r.stdout, 'help %s is %s --help' % (cmd, cmd))
    opts = options_of(r.stdout)
    opts.pop('help', None)
    per_command[cmd] = opts
    # the same list in --help-all's section of the command (the man page's source)
    part = all_help.stdout.split('\nThe %s command:\n' % cmd, 1)[-1]
    part = re.split(r'\nThe [a-z-]+ command:\n|\nEnvironment:', part, 1)[0]
    in_all = options_of(part)
    in_all.pop('help', None)
    check(in_all == opts, '%s: --help-all lists the same options as %s --help' % (cmd, cmd))
    check(all(desc.strip() for _, desc in opts.values()),
          '%s: every option has a line of description' % cmd)
every_option = {}
for cmd, opts in per_command.items():
    for name, (metavar, desc) in opts.items():
        every_option.setdefault(name, (metavar, desc))

# what the task fixes: serve has --socket and none of bench's or run's own
check('socket' in per_command['serve'] and 'icd' in per_command['serve'],
      'serve --help lists --socket and --icd')
for other in ('rounds', 'quick', 'venus-icd'):
    check(other not in per_command['serve'], 'serve --help does not list --%s' % other)
check({'rounds', 'quick'} <= set(per_command['bench']), 'bench --help lists --rounds, --quick')
check('venus-icd' in per_command['run'], 'run --help lists --venus-icd')
check('socket' not in per_command['replay'] and 'capture' not in per_command['replay'],
      'replay --help lists neither --socket nor --capture')

# numbers: the ranges the help states
RANGE = re.compile(r'\(default [^;]*; (\d+) to (\d+)')
ranges = {name: tuple(int(x) for x in RANGE.search(desc).groups())
          for name, (metavar, desc) in every_option.items() if RANGE.search(desc)}
check({'spares', 'linger', 'max-clients', 'max-objects', 'hang-timeout', 'rounds'} <= set(ranges),
      'the numeric options state their ranges (%d)' % len(ranges))


def a_value(name, metavar):
    """A value the parser takes for the option (its checks come later)."""
    if name in ranges:
        return [str(ranges[name][0])]
    return [pvtest.HOST_ICD] if metavar else []


# the parser takes exactly what each command's help lists: an option of
# another command is refused, naming the command and suggesting --help
for cmd in commands:
    for name, (metavar, _) in every_option.items():
        r = cli(cmd, '--' + name, *a_value(name, metavar), '--help')
        if name in per_command[cmd]:
            check(r.returncode == 0, '%s takes --%s' % (cmd, name))
        else:
            check(r.returncode == 2 and ("unknown option '--%s'" % name) in r.stderr and
                  ("'pearvisor-gpu %s --help'" % cmd) in r.stderr,
                  '%s refuses --%s: %s' % (cmd, name, r.stderr.strip().splitlines()[0]
                                          if r.stderr else 'exit %d' % r.returncode))
r = cli('serve', '--rounds', '3')
check(r.returncode == 2 and 'an option of bench' in r.stderr,
      'serve --rounds says it is an option of bench: %s' % r.stderr.splitlines()[0])
r = cli('serve', '--no-such-option')
check(r.returncode == 2 and 'pearvisor-gpu serve' in r.stderr and '--help' in r.stderr,
      'an unknown option names the command and suggests --help')
r = cli('serve', '--socket')
check(r.returncode == 2 and '--socket needs a value' in r.stderr, 'a missing value: exit 2')
r = cli('bench', '--quick=yes')
check(r.returncode == 2 and 'takes no value' in r.stderr, 'a flag given a value: exit 2')

# every number out of its range, or not a number, is refused by name
for name, (low, high) in sorted(ranges.items()):
    cmd = next(c for c in commands if name in per_command[c])
    bad = [str(high + 1), 'ten', '-1', '99999999999999999999999']
    if low > 0:
        bad.append(str(low - 1))
    for value in bad:
        r = cli(cmd, '--' + name, value)
        check(r.returncode == 2 and ('--' + name) in r.stderr,
              '%s --%s %s refused: %s' % (cmd, name, value, r.stderr.strip().splitlines()[0]
                                           if r.stderr else 'exit %d' % r.returncode))
    r = cli(cmd, '--' + name, str(high + 1))
    check('%d to %d' % (low, high) in r.stderr, '--%s states its range when refusing' % name)

# -- paths that cannot work are refused at start-up -----------------------------

tmp = tempfile.mkdtemp(prefix='pv-cli-')
r = cli('serve', '--icd', os.path.join(tmp, 'missing.json'))
check(r.returncode == 2 and '--icd' in r.stderr and 'No such file' in r.stderr,
      'serve --icd with a missing file: exit 2, said: %s' % r.stderr.strip())
r = cli('run', '--venus-icd', tmp, '--', 'true')
check(r.returncode == 2 and 'not a file' in r.stderr, 'run --venus-icd DIR: refused')
r = cli('serve', '--socket', os.path.join(tmp, 'no', 'such', 'dir', 's.sock'))
check(r.returncode == 2 and 'its directory' in r.stderr,
      'serve --socket in a missing directory: refused: %s' % r.stderr.strip())
precious = os.path.join(tmp, 'precious.txt')
with open(precious, 'w') as f:
    f.write('keep me')
r = cli('serve', '--socket', precious)
check(r.returncode == 2 and 'not a socket' in r.stderr and open(precious).read() == 'keep me',
      'serve --socket on a file that is not a socket: refused, the file kept')
r = cli('serve', '--socket', os.path.join(tmp, 'x' * 120))
check(r.returncode == 2 and 'too long' in r.stderr, 'a socket path too long: refused')

# --trace FILE: a file that is a directory, or in a missing directory, is
# refused at start-up
r = cli('serve', '--socket', os.path.join(tmp, 't.sock'), '--trace', tmp)
check(r.returncode == 2 and '--trace' in r.stderr and 'is a directory' in r.stderr,
      'serve --trace DIR: refused: %s' % r.stderr.strip())
r = cli('run', '--trace', os.path.join(tmp, 'no', 'such', 'dir', 't.json'), '--', 'true')
check(r.returncode == 2 and 'its directory' in r.stderr,
      'run --trace in a missing directory: refused: %s' % r.stderr.strip())

# stats --watch: its SECONDS may be left out, and are checked when given
for args in (['--watch', '--help'], ['--watch', '0.5', '--help'], ['--watch=0.5', '--help']):
    r = cli('stats', *args)
    check(r.returncode == 0 and r.stdout.startswith('Usage: pearvisor-gpu stats'),
          'stats %s is taken' % ' '.join(args))
for value in ('0.05', '3601', '2x'):
    r = cli('stats', '--socket', os.path.join(tmp, 'none.sock'), '--watch', value)
    check(r.returncode == 2 and '--watch' in r.stderr,
          'stats --watch %s refused: %s' % (value, r.stderr.strip()))
r = cli('stats', '--socket', os.path.join(tmp, 'none.sock'), '--watch', 'extra')
check(r.returncode == 2 and "'extra'" in r.stderr, 'stats: an operand is refused')

# --capture: a missing directory is made (mkdir -p), and sessions land there
capdir = os.path.join(tmp, 'captures', 'today')
r = pvtest.run(['vulkaninfo', '--summary'], options=['--capture', capdir])
check(r.returncode == 0, 'run --capture into a missing directory runs vulkaninfo')
check(len(glob.glob(os.path.join(capdir, '*.pvcap'))) == 1,
      'the directory was made and holds the session')
# one that cannot be made fails at once, before any client, saying why
blocked = os.path.join(precious, 'captures')
for cmd in (['serve', '--socket', os.path.join(tmp, 's.sock')], ['run']):
    args = cmd + ['--capture', blocked] + (['--', 'true'] if cmd == ['run'] else [])
    r = cli(*args, timeout=20)
    check(r.returncode == 2 and '--capture' in r.stderr and 'cannot create' in r.stderr,
          '%s --capture where no directory can be made: exit 2 at start: %s'
          % (cmd[0], r.stderr.strip()))
check(not os.path.exists(os.path.join(tmp, 's.sock')), 'and serve made no socket')

pvtest.finish()
