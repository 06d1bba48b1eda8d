#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Third-party programs from Debian's packages doing real GPU work, natively
and through PearVisor, with identical output:

  ffmpeg (libavfilter's Vulkan compute filters and libplacebo): per-frame
  MD5s of the filtered video;
  GStreamer (gst-launch-1.0 with the vulkan plugin): the converted frames;
  Dawn (Chromium's WebGPU engine, the npm package "webgpu" installed by
  scripts/setup-dawn.sh): a WebGPU compute program's result, through the
  memory Dawn chooses for mapped buffers.
"""

import os
import re
import shutil
import subprocess
import tempfile

import pvtest
from pvtest import check

FFMPEG_FILTERS = [
    'gblur_vulkan=sigma=2',
    'chromaber_vulkan=dist_x=3:dist_y=-2',
    'scale_vulkan=w=160:h=120',
    'transpose_vulkan',
    'flip_vulkan',
    'libplacebo=w=192:h=160:upscaler=ewa_lanczos',
]


def ffmpeg_md5s(vf, venus):
    args = ['ffmpeg', '-hide_banner', '-loglevel', 'error',
            '-init_hw_device', 'vulkan=vk:0', '-filter_hw_device', 'vk',
            '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10',
            '-vf', 'format=yuv420p,hwupload,%s,hwdownload,format=yuv420p' % vf,
            '-frames:v', '6', '-f', 'framemd5', '-']
    r = pvtest.run(args) if venus else pvtest.run_native(args)
    lines = [l for l in r.stdout.splitlines() if l and not l.startswith('#')]
    return r.returncode, lines, r.stderr


if shutil.which('ffmpeg'):
    for vf in FFMPEG_FILTERS:
        nrc, native, nerr = ffmpeg_md5s(vf, venus=False)
        vrc, venus, verr = ffmpeg_md5s(vf, venus=True)
        name = vf.split('=')[0]
        check(nrc == 0 and len(native) == 6, 'ffmpeg %s runs natively (%d frames)' %
              (name, len(native)))
        check(vrc == 0 and venus == native,
              'ffmpeg %s through PearVisor: %d frames, identical MD5s' % (name, len(venus)))
        if vrc or venus != native:
            print(verr[-3000:])
else:
    check(False, 'ffmpeg is installed')

# GStreamer: upload, colour conversion on the GPU (a render pass), download.
# Mesa 25.0's Venus registers a thread-exit destructor, and the Vulkan loader
# unloads the driver before GStreamer's threads exit: a guest-side crash at
# exit that has nothing to do with the renderer.  Keeping the driver loaded
# (LD_PRELOAD) lets the program end cleanly.
VENUS = os.environ.get('PV_VENUS_ICD_LIB', '/usr/lib/x86_64-linux-gnu/libvulkan_virtio.so')


def installable(package):
    """Whether apt could install package on this machine (a candidate
    version from its sources, or installed already)."""
    if not shutil.which('apt-cache'):
        return False
    r = subprocess.run(['apt-cache', 'policy', package], capture_output=True, text=True)
    m = re.search(r'Candidate:\s*(\S+)', r.stdout)
    return bool(m) and m.group(1) != '(none)'


def gst_missing():
    """What of GStreamer's test is missing here, with its Debian package,
    or None."""
    for tool in ('gst-launch-1.0', 'gst-inspect-1.0'):
        if not shutil.which(tool):
            return tool, 'gstreamer1.0-tools'
    for element, package in (('videotestsrc', 'gstreamer1.0-plugins-base'),
                             ('vulkancolorconvert', 'gstreamer1.0-plugins-bad')):
        if subprocess.run(['gst-inspect-1.0', '--exists', element]).returncode:
            return 'the GStreamer element %s' % element, package
    return None


missing = gst_missing()
if missing and not installable(missing[1]):
    print('SKIP GStreamer: %s is missing and its package %s cannot be installed here (no '
          'apt source offers it)' % missing)
elif missing:
    check(False, 'GStreamer: %s is installed (package %s, scripts/setup.sh)' % missing)
else:
    outdir = tempfile.mkdtemp(prefix='pv-gst-')
    results = {}
    for mode in ('native', 'venus'):
        path = os.path.join(outdir, mode + '.raw')
        args = ['gst-launch-1.0', '-q', 'videotestsrc', 'num-buffers=8', 'pattern=smpte', '!',
                'video/x-raw,width=320,height=240,format=RGBA', '!', 'vulkanupload', '!',
                'vulkancolorconvert', '!', 'video/x-raw(memory:VulkanImage),format=BGRA', '!',
                'vulkandownload', '!', 'video/x-raw,format=BGRA', '!', 'filesink',
                'location=' + path]
        if mode == 'native':
            r = pvtest.run_native(args)
        else:
            r = pvtest.run(['env', 'LD_PRELOAD=' + VENUS] + args)
        data = open(path, 'rb').read() if os.path.exists(path) else b''
        results[mode] = (r.returncode, data)
        if r.returncode:
            print(r.stderr[-3000:])
    check(results['native'][0] == 0 and len(results['native'][1]) == 320 * 240 * 4 * 8,
          'gst-launch-1.0 vulkancolorconvert runs natively')
    check(results['venus'][0] == 0 and results['venus'][1] == results['native'][1],
          'gst-launch-1.0 vulkancolorconvert through PearVisor: identical frames')
    shutil.rmtree(outdir)

# Dawn: WebGPU on Vulkan, choosing its own memory types for mapped buffers
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
DAWN = os.environ.get('PV_DAWN_DIR', os.path.join(ROOT, '.cache', 'dawn'))
if shutil.which('node') and os.path.exists(os.path.join(DAWN, 'node_modules', 'webgpu')):
    # the program beside the package, so that Node finds it
    program = os.path.join(DAWN, 'compute.mjs')
    shutil.copy(os.path.join(ROOT, 'tests', 'integration', 'dawn', 'compute.mjs'), program)
    n = pvtest.run_native(['node', program], timeout=120)
    v = pvtest.run(['node', program], timeout=120)
    nh = [l for l in n.stdout.splitlines() if 'output hash' in l]
    vh = [l for l in v.stdout.splitlines() if 'output hash' in l]
    check(n.returncode == 0 and 'llvmpipe' in n.stdout and nh,
          'Dawn (WebGPU) compute natively (%s)' % nh)
    check(v.returncode == 0 and 'venus' in v.stdout and vh and
          vh[0].split('output hash')[1] == nh[0].split('output hash')[1],
          'Dawn (WebGPU) compute through PearVisor: the same result (%s)' % vh)
    if v.returncode:
        print(v.stdout[-1500:], v.stderr[-1500:])
else:
    print('skip Dawn: node or the npm package webgpu is missing (scripts/setup-dawn.sh)')

pvtest.finish()
