#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the guest sees through PearVisor compared, field by field, with what
the host driver reports natively: properties with their limits and sparse
properties, features, format properties, queue families, extensions.

Every difference must be one of the documented, intentional ones below
(docs/architecture.md lists them too); anything else fails.  Differences come
from two places:
  - the renderer: the API version is capped to what the protocol carries (at
    major.minor exactly the lower of the host's and the registry's: 1.3 on a
    1.4 host, with synchronization2 since the renderer offers importable
    sync-fd semaphores), and device extensions the protocol cannot carry are
    filtered out;
  - Mesa's Venus driver (the guest), which names itself, hashes UUIDs,
    disables sparse on lavapipe, and exposes only the extensions of its own
    table and policy.
"""

import json
import os
import re
import sys
import tempfile

import pvtest
from pvtest import check

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'gen'))
import registry  # noqa: E402

SUPPORT = os.environ.get('PV_SUPPORT_TXT', 'build/gen/pv_gen_support.txt')
VK_XML = os.environ.get('PV_VK_XML', '/usr/share/vulkan/registry/vk.xml')

# Fields Mesa's Venus driver sets itself (vn_physical_device_sanitize_properties,
# vn_physical_device_init_uuids): driver identity and hashed UUIDs.
MESA_IDENTITY = {
    'VkPhysicalDeviceProperties': {'driverVersion', 'deviceName', 'pipelineCacheUUID'},
    'VkPhysicalDeviceDriverProperties': {'driverID', 'driverName', 'driverInfo',
                                         'conformanceVersion'},
    'VkPhysicalDeviceVulkan12Properties': {'driverID', 'driverName', 'driverInfo',
                                           'conformanceVersion'},
    'VkPhysicalDeviceIDProperties': {'deviceUUID', 'driverUUID', 'deviceLUID',
                                     'deviceNodeMask', 'deviceLUIDValid'},
    'VkPhysicalDeviceVulkan11Properties': {'deviceUUID', 'driverUUID', 'deviceLUID',
                                           'deviceNodeMask', 'deviceLUIDValid'},
}

# Mesa's Venus disables sparse binding when the host driver is lavapipe
# ("TODO: Fix sparse binding on lavapipe" in vn_physical_device_init_properties).
SPARSE_FEATURES = {'sparseBinding', 'sparseResidencyBuffer', 'sparseResidencyImage2D',
                   'sparseResidencyImage3D', 'sparseResidency2Samples',
                   'sparseResidency4Samples', 'sparseResidency8Samples',
                   'sparseResidency16Samples', 'sparseResidencyAliased'}

# Mesa implements these itself, whatever the host has.
MESA_OWN_EXTENSIONS = {'VK_EXT_device_memory_report', 'VK_EXT_physical_device_drm',
                       'VK_EXT_tooling_info'}
MESA_OWN_FEATURES = {('VkPhysicalDeviceDeviceMemoryReportFeaturesEXT', 'deviceMemoryReport')}

# Extensions Mesa knows but holds back over vtest, with its reasons.
MESA_POLICY = {
    'VK_EXT_memory_budget': 'disabled in Mesa 25.0 ("re-enable after app compat issues")',
    'VK_EXT_external_memory_dma_buf': 'vtest cannot import dma-bufs',
    'VK_KHR_external_memory_fd': 'vtest cannot import dma-bufs',
}

# Dynamic states Mesa 25.0 reports false (vn_physical_device_init_features).
MESA_EDS3_OFF = {'extendedDynamicState3SampleLocationsEnable',
                 'extendedDynamicState3ColorBlendAdvanced',
                 'extendedDynamicState3ViewportWScalingEnable',
                 'extendedDynamicState3ViewportSwizzle',
                 'extendedDynamicState3CoverageToColorEnable',
                 'extendedDynamicState3CoverageToColorLocation',
                 'extendedDynamicState3CoverageModulationMode',
                 'extendedDynamicState3CoverageModulationTableEnable',
                 'extendedDynamicState3CoverageModulationTable',
                 'extendedDynamicState3CoverageReductionMode',
                 'extendedDynamicState3RepresentativeFragmentTestEnable',
                 'extendedDynamicState3ShadingRateImageEnable'}


def vulkaninfo_json(venus):
    out = tempfile.mktemp(suffix='.json')
    args = ['vulkaninfo', '--json=0', '-o', out]
    r = pvtest.run(args) if venus else pvtest.run_native(args)
    if r.returncode != 0 or not os.path.exists(out):
        print(r.stdout[-2000:], r.stderr[-2000:])
        return None
    with open(out) as f:
        data = json.load(f)
    os.unlink(out)
    return data['capabilities']['device']


reg = registry.load([VK_XML])
mesa_exts = set(l.strip() for l in open(os.path.join(HERE, 'data',
                                                    'mesa_venus_25_0_extensions.txt'))
                if l.strip() and not l.startswith('#'))
decodable = set(re.findall(r'^\d+\s+(VK_\w+) \d+$', open(SUPPORT).read(), re.M))
check(len(decodable) > 100, 'the renderer decodes %d extensions' % len(decodable))


def providers(struct_name):
    """Extensions and core versions that provide a struct."""
    ty = reg.resolve(struct_name)
    out = set()
    names = {struct_name, ty.name if ty else struct_name} | set(ty.aliases if ty else [])
    for f in reg.features:
        for req in f.requires:
            if names & set(req.types):
                out.add('%d.%d' % f.number)
    for ext in reg.extensions.values():
        for req in ext.requires:
            if names & set(req.types):
                out.add(ext.name)
    return out


native = vulkaninfo_json(venus=False)
venus = vulkaninfo_json(venus=True)
if not check(native is not None and venus is not None, 'vulkaninfo --json ran both ways'):
    pvtest.finish()

napi = native['properties']['VkPhysicalDeviceProperties']['apiVersion']
vapi = venus['properties']['VkPhysicalDeviceProperties']['apiVersion']
vapi_mm = '%d.%d' % (vapi >> 22, (vapi >> 12) & 0x3ff)
check(vapi <= napi and vapi >= (1 << 22 | 1 << 12),
      'guest API version %s is capped, not raised (host %d.%d)' %
      (vapi_mm, napi >> 22, (napi >> 12) & 0x3ff))
# The cap is the registry's version and no lower: Mesa's Venus holds a guest
# at 1.2 without VK_KHR_synchronization2, which it offers only when the
# renderer answers that sync-fd semaphores import (the renderer's own import
# on a host without them, src/vk/pv_sync.c).
reg_mm = max(f.number for f in reg.features)
want_mm = min(reg_mm, ((napi >> 22) & 0x7f, (napi >> 12) & 0x3ff))
check(vapi_mm == '%d.%d' % want_mm,
      'guest API version %s is the lower of the host\'s and the registry\'s (%d.%d)' %
      ((vapi_mm,) + want_mm))

# -- extensions ----------------------------------------------------------------
nexts, vexts = set(native['extensions']), set(venus['extensions'])
for e in sorted(vexts - nexts):
    check(e in MESA_OWN_EXTENSIONS, 'extension %s only in the guest: Mesa implements it' % e)
for e in sorted(vexts & nexts):
    if e not in decodable:
        check(False, 'extension %s reaches the guest but the protocol cannot carry it' % e)
unexplained = []
for e in sorted(nexts - vexts):
    if e not in decodable:
        continue                          # filtered by the renderer
    if e not in mesa_exts or e in MESA_POLICY:
        continue                          # filtered by Mesa
    unexplained.append(e)
check(not unexplained, 'every host extension the guest lacks is filtered by the renderer '
      '(cannot be carried) or by Mesa (%s)' % (', '.join(unexplained) or 'none unexplained'))
missing = sorted(nexts - vexts)
print('     filtered: %d by the renderer, %d by Mesa' %
      (len([e for e in missing if e not in decodable]),
       len([e for e in missing if e in decodable])))


def absent_ok(struct_name):
    """A struct the guest may lack: from an extension it lacks, or a core
    version above its API version."""
    prov = providers(struct_name)
    for p in prov:
        if re.match(r'\d+\.\d+$', p):
            if tuple(map(int, p.split('.'))) <= tuple(map(int, vapi_mm.split('.'))):
                return False
        elif p in vexts:
            return False
    return True


def normalize(structs, other):
    """Map alias names (…KHR/…EXT) to the name the other side uses."""
    out = {}
    for name, value in structs.items():
        ty = reg.resolve(name)
        canon = ty.name if ty else name
        chosen = name
        for cand in [canon] + (ty.aliases if ty else []):
            if cand in other:
                chosen = cand
        out[chosen] = value
    return out


def compare_fields(kind, sname, a, b, allowed, path=''):
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            compare_fields(kind, sname, a.get(key), b.get(key), allowed, path + '.' + key)
        return
    if a == b:
        return
    field = path.split('.')[1] if path.count('.') >= 1 else path
    leaf = path.split('.')[-1]
    if field in allowed or leaf in allowed:
        return
    check(False, '%s %s%s: native %r, guest %r' % (kind, sname, path, a, b))


lavapipe = native['properties'].get('VkPhysicalDeviceDriverProperties', {}).get(
    'driverID') == 'VK_DRIVER_ID_MESA_LLVMPIPE'

for kind in ('properties', 'features'):
    nat = native[kind]
    gst = normalize(venus[kind], nat)
    compared = 0
    for sname in sorted(set(nat) | set(gst)):
        if sname not in gst:
            check(absent_ok(sname), '%s %s absent in the guest: its extension or version '
                  'is not offered' % (kind, sname))
            continue
        if sname not in nat:
            prov = providers(sname)
            check(prov & MESA_OWN_EXTENSIONS,
                  '%s %s only in the guest: from %s' % (kind, sname, ','.join(sorted(prov))))
            continue
        allowed = set(MESA_IDENTITY.get(sname, set()))
        if sname == 'VkPhysicalDeviceProperties':
            allowed |= {'apiVersion'}
            if lavapipe:
                allowed |= {'sparseAddressSpaceSize', 'sparseProperties'}
        if kind == 'features':
            if lavapipe:
                allowed |= SPARSE_FEATURES
            allowed |= MESA_EDS3_OFF
            allowed |= {f for s, f in MESA_OWN_FEATURES if s == sname}
        compare_fields(kind, sname, nat[sname], gst[sname], allowed)
        compared += 1
    check(compared > 20, '%d %s structs compared field by field' % (compared, kind))

# Vulkan 1.3's own: the guest has every 1.3 feature, each the host's (the
# field comparison above), and the ones 1.3 software requires are on.
if want_mm >= (1, 3):
    v13 = normalize(venus['features'], native['features']).get(
        'VkPhysicalDeviceVulkan13Features', {})
    for f in ('synchronization2', 'dynamicRendering', 'maintenance4'):
        check(v13.get(f) in (True, 1, 'true'), 'guest has Vulkan 1.3 %s' % f)
    check('VK_KHR_synchronization2' in vexts, 'guest offers VK_KHR_synchronization2')

# -- formats -------------------------------------------------------------------
nfmt, vfmt = native['formats'], venus['formats']
check(set(nfmt) == set(vfmt), 'the same %d formats are listed' % len(nfmt))
bad = 0
for f in sorted(set(nfmt) & set(vfmt)):
    a, b = nfmt[f], normalize(vfmt[f], nfmt[f])
    for sname in set(a) | set(b):
        if sname not in b:
            if not absent_ok(sname):
                bad += 1
                check(False, 'format %s: %s missing' % (f, sname))
        elif sname not in a or a[sname] != b[sname]:
            bad += 1
            check(False, 'format %s: %s differs' % (f, sname))
check(bad == 0, 'format properties identical for every format')

# -- queue families --------------------------------------------------------------
nq, vq = native['queueFamiliesProperties'], venus['queueFamiliesProperties']
check(len(nq) == len(vq), 'same number of queue families (%d)' % len(nq))
for i, (a, b) in enumerate(zip(nq, vq)):
    for sname in set(a) | set(b):
        if sname not in b:
            check(absent_ok(sname), 'queue family %d: %s absent, extension not offered' %
                  (i, sname))
        else:
            check(a.get(sname) == b[sname], 'queue family %d: %s identical' % (i, sname))

pvtest.finish()
