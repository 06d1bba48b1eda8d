#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""VK_LAYER_PEARVISOR_guest_view (bench/guest_view_layer.c), natively on the
host driver: the device extensions PV_HIDE_DEVICE_EXTENSIONS names are gone
from what a program reads (a guest program that also checks Vulkan's
two-call rules on the rewritten answers, and vulkaninfo), every other one is
still there in the same order, and programs run through the layer as they
do without it."""

import os
import re

import pvtest
from pvtest import check

BUILD = os.path.dirname(os.path.abspath(pvtest.PEARVISOR))
LAYER_DIR = os.environ.get('PV_GUEST_VIEW_LAYER_DIR', os.path.join(BUILD, 'bench'))
LISTER = os.environ.get('PV_GUEST_EXTENSION_LIST',
                        os.path.join(BUILD, 'tests', 'integration', 'guest-extension-list'))
SAMPLES = os.environ.get('PV_SAMPLES_DIR', os.path.join(BUILD, 'samples'))
LAYER = 'VK_LAYER_PEARVISOR_guest_view'
# lavapipe lists all three; the first two are hidden, the third must stay
HIDDEN = ['VK_KHR_shader_clock', 'VK_KHR_maintenance4']
KEPT = 'VK_KHR_synchronization2'


def layer_env(hide):
    """The environment that enables the layer; hide=None leaves
    PV_HIDE_DEVICE_EXTENSIONS unset."""
    env = dict(os.environ, VK_LAYER_PATH=LAYER_DIR, VK_INSTANCE_LAYERS=LAYER)
    env.pop('PV_HIDE_DEVICE_EXTENSIONS', None)
    if hide is not None:
        env['PV_HIDE_DEVICE_EXTENSIONS'] = hide
    return env


def listed(result):
    """The extension names guest-extension-list printed after its count."""
    lines = result.stdout.splitlines()
    counts = [i for i, line in enumerate(lines) if line.startswith('count ')]
    return lines[counts[0] + 1:] if counts else []


def show(result):
    if result.returncode:
        print(result.stdout[-1500:], result.stderr[-1500:])


native = pvtest.run_native([LISTER])
show(native)
native_list = listed(native)
check(native.returncode == 0 and native_list,
      'natively, the list keeps the two-call rules (%d extensions)' % len(native_list))
check(all(name in native_list for name in HIDDEN + [KEPT]),
      'natively, the host driver lists %s' % ', '.join(HIDDEN + [KEPT]))

# blanks around names and a name the device does not have are allowed
hiding = pvtest.run_native([LISTER], env=layer_env(' %s , %s,VK_NV_not_on_this_device' %
                                                   tuple(HIDDEN)))
show(hiding)
hiding_list = listed(hiding)
check(hiding.returncode == 0,
      'through the layer, the rewritten answers keep the two-call rules (VK_INCOMPLETE '
      'for a short or empty array, the whole list for a longer one)')
check(not any(name in hiding_list for name in HIDDEN),
      'through the layer, %s are gone' % ' and '.join(HIDDEN))
check(KEPT in hiding_list, 'through the layer, %s is still listed' % KEPT)
check(hiding_list == [name for name in native_list if name not in HIDDEN],
      'through the layer, every other extension is listed, in the same order (%d of %d)'
      % (len(hiding_list), len(native_list)))

unset = pvtest.run_native([LISTER], env=layer_env(None))
check(unset.returncode == 0 and listed(unset) == native_list,
      'the layer without PV_HIDE_DEVICE_EXTENSIONS changes nothing')
prefix = pvtest.run_native([LISTER], env=layer_env('VK_KHR_shader,VK_KHR_maintenance'))
check(prefix.returncode == 0 and listed(prefix) == native_list,
      'only whole names hide an extension (VK_KHR_shader hides nothing)')

plain_info = pvtest.run_native(['vulkaninfo'])
info = pvtest.run_native(['vulkaninfo'], env=layer_env(','.join(HIDDEN)))
check(plain_info.returncode == 0 and HIDDEN[0] in plain_info.stdout,
      'natively, vulkaninfo lists %s' % HIDDEN[0])
check(info.returncode == 0, 'vulkaninfo through the layer exits 0 (got %d)' % info.returncode)
check(LAYER in info.stdout, 'vulkaninfo lists the layer')
check(not any(re.search(r'^\s*%s\s*:' % name, info.stdout, re.M) for name in HIDDEN),
      'vulkaninfo through the layer does not list %s' % ' or '.join(HIDDEN))
check(re.search(r'^\s*%s\s*:' % KEPT, info.stdout, re.M),
      'vulkaninfo through the layer lists %s' % KEPT)
check('VkPhysicalDeviceShaderClockFeaturesKHR' not in info.stdout,
      'vulkaninfo through the layer asks no features of the hidden extension')

# a program that makes a device, submits work and checks its results
saxpy = os.path.join(SAMPLES, 'pv-saxpy')
plain = pvtest.run_native([saxpy])
layered = pvtest.run_native([saxpy], env=layer_env(','.join(HIDDEN)))
show(layered)
hashes = [re.findall(r'output hash ([0-9a-f]{16})', r.stdout) for r in (plain, layered)]
check(layered.returncode == 0 and 'saxpy: OK' in layered.stdout,
      'pv-saxpy passes through the layer')
check(hashes[0] and hashes[0] == hashes[1],
      'pv-saxpy: identical results with and without the layer (%s / %s)' % tuple(hashes))
pvtest.finish()
