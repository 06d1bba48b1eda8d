#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vulkaninfo, unmodified, through Mesa Venus -> PearVisor -> the host driver:
the full output completes and shows the Venus device on the host's."""

import pvtest
from pvtest import check

plain = pvtest.run(['vulkaninfo'])
check(plain.returncode == 0 and 'Virtio-GPU Venus (llvmpipe' in plain.stdout,
      'plain vulkaninfo exits 0 and shows the Venus device')

# the fullest report: formats and tool properties too
r = pvtest.run(['vulkaninfo', '--show-formats', '--show-tool-props'])
out = r.stdout
check(r.returncode == 0, 'vulkaninfo exits 0 (got %d)' % r.returncode)
check('Virtio-GPU Venus (llvmpipe' in out, 'device name is "Virtio-GPU Venus (llvmpipe ...)"')
check('DRIVER_ID_MESA_VENUS' in out, 'driver is Mesa Venus')
# the full report: properties, features, every format, memory and queues
for section in ('VkPhysicalDeviceLimits:', 'VkPhysicalDeviceSparseProperties:',
                'VkPhysicalDeviceFeatures:', 'VkPhysicalDeviceMemoryProperties:',
                'VkQueueFamilyProperties:', 'Format Properties:',
                'FORMAT_R8G8B8A8_UNORM', 'FORMAT_D32_SFLOAT'):
    check(section in out, 'output has %s' % section)
check('guest error' not in r.stderr, 'the renderer logged no guest error')
check(len(out.splitlines()) > 800, 'full output (%d lines)' % len(out.splitlines()))

# Vulkan 1.3: Mesa's Venus offers it once the renderer answers that sync-fd
# semaphores import (the renderer's own import on lavapipe)
import re  # noqa: E402
api = re.search(r'apiVersion\s*=\s*(\d+)\.(\d+)', out)
check(api and (int(api.group(1)), int(api.group(2))) >= (1, 3),
      'the guest device reports Vulkan 1.3 (%s)' % (api.group(0) if api else 'none'))
for feature in ('synchronization2', 'dynamicRendering', 'maintenance4'):
    check(re.search(r'\b%s\s*=\s*true' % feature, out),
          'the guest device has %s' % feature)
check('VK_KHR_synchronization2' in out, 'VK_KHR_synchronization2 is offered')

s = pvtest.run(['vulkaninfo', '--summary'])
check(s.returncode == 0 and 'Virtio-GPU Venus' in s.stdout, 'vulkaninfo --summary works')
pvtest.finish()
