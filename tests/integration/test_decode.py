#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pearvisor-gpu decode: sessions of real programs through Mesa's Venus
driver (vulkaninfo, pv-image-filter, OpenGL on zink) are captured and
listed.  The listing holds the commands the renderer ran while it captured
them (as many of each) and, for single-ring sessions, the commands the replay
of the capture runs; and the values the programs sent: what their sources say
(image extents, dispatch sizes, buffer sizes, application names) with
enums, flag bits and handles by name.  Filters list only what they name.  A
capture cut short or with bytes changed is listed up to the bad byte, named
by its offset, with a nonzero status and never a crash (also in the ASan
build)."""

import collections
import glob
import os
import random
import re
import struct
import subprocess
import tempfile

import pvtest
from pvtest import check

SAMPLES = os.environ.get('PV_SAMPLES_DIR', 'build/samples')
SOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'samples')
ZINK = {'LIBGL_ALWAYS_SOFTWARE': '1', 'GALLIUM_DRIVER': 'zink',
        'XDG_RUNTIME_DIR': tempfile.mkdtemp(prefix='pv-xdg-')}
LINE = re.compile(r'^@0x([0-9a-f]+) (.*?) (vk\w+)\((.*)$')


def decode(paths, *options):
    return subprocess.run([pvtest.PEARVISOR, 'decode'] + list(options) + paths,
                          capture_output=True, text=True, timeout=300)


def commands(listing):
    """(offset, source, name, arguments) of each command line."""
    out = []
    for line in listing.splitlines():
        m = LINE.match(line)
        if m:
            out.append((int(m.group(1), 16), m.group(2), m.group(3), m.group(4)))
    return out


def source_define(path, name):
    with open(os.path.join(SOURCES, path)) as f:
        return int(re.search(r'#define %s (\d+)' % name, f.read()).group(1))


def sanitizer_clean(r):
    return 'Sanitizer' not in r.stderr and 'runtime error' not in r.stderr


capdir = tempfile.mkdtemp(prefix='pv-decode-')
programs = {
    'vulkaninfo': (['vulkaninfo', '--summary'], None),
    'pv-image-filter': ([os.path.join(SAMPLES, 'pv-image-filter')], None),
    'pv-gl-offscreen': ([os.path.join(SAMPLES, 'pv-gl-offscreen')], dict(os.environ, **ZINK)),
}
captures = {}
live = {}
for name, (argv, env) in programs.items():
    before = set(glob.glob(os.path.join(capdir, '*.pvcap')))
    # PV_DEBUG=cs: the server names every command it runs
    r = pvtest.run(argv, env=dict(env or os.environ, PV_DEBUG='cs'),
                   options=['--capture', capdir])
    check(r.returncode == 0, '%s runs while captured' % name)
    live[name] = collections.Counter(re.findall(r'debug: (vk\w+)', r.stderr))
    new = sorted(set(glob.glob(os.path.join(capdir, '*.pvcap'))) - before)
    check(len(new) == 1, '%s: one capture (%d)' % (name, len(new)))
    if new:
        captures[name] = new[0]

listings = {}
for name, path in captures.items():
    r = decode([path])
    listings[name] = r.stdout
    m = re.search(r'# (\d+) records, (\d+) commands, (\d+) listed\n', r.stdout)
    check(r.returncode == 0 and m and m.group(2) == m.group(3) and int(m.group(2)) > 0
          and not r.stderr, '%s: listed to the end: %s' % (name, m and m.group(0).strip()))
    listed = collections.Counter(c[2] for c in commands(r.stdout))
    ran = live.get(name, collections.Counter())
    check(ran and ran == listed,
          '%s: the listing holds the %d commands the renderer ran (differences: %s)' %
          (name, sum(ran.values()), dict((ran - listed) + (listed - ran))))
    # The replay runs records in file order.  A ring's chunk is recorded when
    # the ring picks it up, so with two rings (zink's cache thread has one of
    # its own) the file order need not be the order the commands ran in, and
    # the replay may differ; with one ring it runs what the listing holds.
    if len(set(c[1] for c in commands(r.stdout) if c[1].startswith('ring'))) == 1:
        replay = subprocess.run([pvtest.PEARVISOR, 'replay', '--icd', pvtest.HOST_ICD, path],
                                capture_output=True, text=True, timeout=300,
                                env=dict(os.environ, PV_DEBUG='cs'))
        replayed = collections.Counter(re.findall(r'debug: (vk\w+)', replay.stderr))
        check(replay.returncode == 0 and replayed == listed,
              '%s: the replay of the capture runs the %d commands listed (differences: %s)' %
              (name, sum(replayed.values()), dict((replayed - listed) + (listed - replayed))))
    check(sanitizer_clean(r), '%s: the listing is sanitizer-clean' % name)


def lines_of(name, command):
    return [c for c in commands(listings.get(name, '')) if c[2] == command]


# -- what vulkaninfo sent -----------------------------------------------------------
inst = lines_of('vulkaninfo', 'vkCreateInstance')
check(inst and 'pApplicationName = "vulkaninfo"' in inst[0][3]
      and 'sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO' in inst[0][3]
      and re.search(r'pInstance = &VkInstance#\d+ \(created\)', inst[0][3]),
      'vulkaninfo: vkCreateInstance with its application name, sType and created instance')
pdevs = lines_of('vulkaninfo', 'vkEnumeratePhysicalDevices')
check(any(re.search(r'pPhysicalDevices = \[VkPhysicalDevice#\d+ \(created\)', c[3]) for c in pdevs),
      'vulkaninfo: the physical devices vkEnumeratePhysicalDevices creates')

# -- what pv-image-filter sent (its source says what) ----------------------------------
W, H = source_define('image_filter.c', 'W'), source_define('image_filter.c', 'H')
inst = lines_of('pv-image-filter', 'vkCreateInstance')
check(inst and 'pApplicationName = "pv-image-filter"' in inst[0][3],
      'pv-image-filter: its application name')
dispatch = lines_of('pv-image-filter', 'vkCmdDispatch')
want = 'groupCountX = %d, groupCountY = %d, groupCountZ = 1)' % ((W + 7) // 8, (H + 7) // 8)
check(dispatch and dispatch[0][3].endswith(want) and dispatch[0][1].startswith('ring '),
      'pv-image-filter: vkCmdDispatch on a ring with %s' % want)
images = [c[3] for c in lines_of('pv-image-filter', 'vkCreateImage')]
extent = 'extent = {width = %d, height = %d, depth = 1}' % (W, H)
check(any('format = VK_FORMAT_R8G8B8A8_UINT' in a and extent in a and
          re.search(r'usage = [A-Z_ |]*VK_IMAGE_USAGE_SAMPLED_BIT', a) and
          'VK_IMAGE_USAGE_TRANSFER_DST_BIT' in a for a in images),
      'pv-image-filter: vkCreateImage with its format, %s and usage bits by name' % extent)
buffers = [c[3] for c in lines_of('pv-image-filter', 'vkCreateBuffer')]
check(any('size = %d, usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT' % (W * H * 4) in a
          for a in buffers), 'pv-image-filter: its %d-byte upload buffer' % (W * H * 4))
submit = lines_of('pv-image-filter', 'vkQueueSubmit') + lines_of('pv-image-filter', 'vkQueueSubmit2')
check(submit and re.search(r'VkCommandBuffer#\d+', submit[0][3]) and 'sType = VK_STRUCTURE_TYPE_SUBMIT_INFO' in submit[0][3],
      'pv-image-filter: a queue submission with its command buffers')

# long arrays are shortened, and whole with --full
shader = lines_of('pv-image-filter', 'vkCreateShaderModule')
code_size = re.search(r'codeSize = (\d+)', shader[0][3]) if shader else None
check(shader and code_size and re.search(r'pCode = \[\d+(, \d+)*, \.\.\. \(\d+ more\)\]', shader[0][3]),
      'pv-image-filter: the SPIR-V of vkCreateShaderModule is shortened')
full = decode([captures.get('pv-image-filter', '')], '--full')
shader = [c for c in commands(full.stdout) if c[2] == 'vkCreateShaderModule']
words = re.search(r'pCode = \[([0-9, ]*)\]', shader[0][3]) if shader else None
check(words and code_size and len(words.group(1).split(', ')) == int(code_size.group(1)) // 4
      and words.group(1).startswith('119734787'),
      '--full: all of codeSize / 4 words, from the SPIR-V magic on')

# filters
r = decode([captures.get('pv-image-filter', '')], '--command', 'vkCmdDispatch,vkCreateImage')
names = set(c[2] for c in commands(r.stdout))
check(r.returncode == 0 and names == {'vkCmdDispatch', 'vkCreateImage'} and
      not re.search(r'^@0x[0-9a-f]+ (blob|unref|fence)', r.stdout, re.M),
      '--command lists those commands only (%s)' % sorted(names))
r = decode([captures.get('pv-image-filter', '')], '--ring', '1')
sources = set(c[1].split(' indirect')[0] for c in commands(r.stdout))
check(r.returncode == 0 and sources == {'ring 1'}, '--ring 1 lists ring 1 only (%s)' % sources)
r = decode([captures.get('pv-image-filter', '')], '--ring', '0')
check(r.returncode == 0 and set(c[1] for c in commands(r.stdout)) == {'stream'} and
      'vkCreateRingMESA' in r.stdout, "--ring 0 lists the context's own stream")
r = decode([captures.get('pv-image-filter', '')], '--command', 'vkNoSuchCommand')
check(r.returncode == 2 and 'vkNoSuchCommand' in r.stderr, '--command refuses unknown names')

# -- what OpenGL on zink sent (the sample's source says what) ------------------------
SIZE = source_define('gl_offscreen.c', 'SIZE')
inst = lines_of('pv-gl-offscreen', 'vkCreateInstance')
check(inst and 'pApplicationName = "pv-gl-offscreen"' in inst[0][3] and 'zink' in inst[0][3],
      'zink: vkCreateInstance names the program and zink')
images = [c[3] for c in lines_of('pv-gl-offscreen', 'vkCreateImage')]
extent = 'extent = {width = %d, height = %d, depth = 1}' % (SIZE, SIZE)
check(any('format = VK_FORMAT_R8G8B8A8_UNORM' in a and extent in a and
          'VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT' in a for a in images),
      'zink: the GL_RGBA8 renderbuffer is a VK_FORMAT_R8G8B8A8_UNORM colour attachment, %s' %
      extent)
check(any('pNext = &{sType = VK_STRUCTURE_TYPE_IMAGE_FORMAT_LIST_CREATE_INFO' in a for a in images)
      or any('pNext = &{sType' in c[3] for c in commands(listings.get('pv-gl-offscreen', ''))),
      'zink: pNext chains shown in braces')

# -- malformed captures ---------------------------------------------------------------
path = captures.get('pv-image-filter')
data = open(path, 'rb').read() if path else b''
listed = commands(listings.get('pv-image-filter', ''))
bad = os.path.join(capdir, 'bad')


def decode_bytes(b, *options):
    with open(bad, 'wb') as f:
        f.write(b)
    return decode([bad], *options)


def stop_offset(r):
    m = re.search(r'offset 0x([0-9a-f]+)', r.stderr)
    return int(m.group(1), 16) if m else None


# an unknown command type where vkCmdDispatch stood: named at its offset
if dispatch:
    at = dispatch[0][0]
    r = decode_bytes(data[:at] + struct.pack('<I', 0xdead) + data[at + 4:])
    check(r.returncode == 1 and stop_offset(r) == at and 'unknown command type 57005' in r.stderr
          and commands(r.stdout)[-1][0] < at and sanitizer_clean(r),
          'an unknown command is named at its offset 0x%x: %s' % (at, r.stderr.strip()))
# a bad pointer marker (pCreateInfo of vkCreateShaderModule, after the
# command's header and its device)
shader = lines_of('pv-image-filter', 'vkCreateShaderModule')
if shader:
    at = shader[0][0] + 16
    r = decode_bytes(data[:at] + struct.pack('<Q', 7) + data[at + 8:])
    check(r.returncode == 1 and stop_offset(r) == at and 'bad pointer marker 7' in r.stderr
          and r.stdout.count('vkCreateShaderModule(') == 1 and sanitizer_clean(r),
          'a bad pointer marker is named at its offset 0x%x: %s' % (at, r.stderr.strip()))
# cut inside a command: the commands before it are listed, the cut is named
if dispatch:
    cut = dispatch[0][0] + 10
    r = decode_bytes(data[:cut])
    last = commands(r.stdout)
    check(r.returncode == 1 and last and last[-1][2] == 'vkCmdDispatch' and
          'truncated' in r.stderr and 'the file ends inside a record' in r.stderr and
          stop_offset(r) is not None and stop_offset(r) <= cut and sanitizer_clean(r),
          'a capture cut inside vkCmdDispatch is listed up to it: %s' % r.stderr.strip())
# a record whose length runs past the end of the file
r = decode_bytes(data[:8] + struct.pack('<II', 3, 0x7fffffff) + data[16:64])
check(r.returncode == 1 and 'the file ends inside a record of 2147483647 bytes, 48 of them there'
      in r.stderr and sanitizer_clean(r), 'a record longer than the file is named: %s' %
      r.stderr.strip())
# a record of an unknown kind
r = decode_bytes(data[:8] + struct.pack('<II', 99, 4) + b'\0' * 4)
check(r.returncode == 1 and stop_offset(r) == 8 and 'kind 99' in r.stderr,
      'a record of an unknown kind is named')

# bytes changed at random: listed up to a bad byte or to the end, never a crash
rng = random.Random(13)
outcomes = collections.Counter()
for i in range(150):
    b = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        b[rng.randrange(8, len(b))] = rng.randrange(256)
    if rng.random() < 0.3:
        b = b[:rng.randrange(8, len(b))]
    r = decode_bytes(bytes(b))
    ok = r.returncode in (0, 1) and sanitizer_clean(r) and \
        (r.returncode == 0 or stop_offset(r) is not None and stop_offset(r) <= len(b))
    outcomes['ok' if ok else 'bad'] += 1
    if not ok:
        print('input %d: status %d, %s' % (i, r.returncode, r.stderr[-2000:]))
        break
    outcomes[r.returncode] += 1
check(outcomes['bad'] == 0 and outcomes[1] > 0,
      '150 captures with bytes changed: each listed to the end or to a named offset (%s)' %
      dict(outcomes))
pvtest.finish()
