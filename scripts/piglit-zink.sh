#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A fixed subset of piglit's OpenGL tests on Mesa's zink, natively (zink on
# lavapipe) and through PearVisor (zink on Mesa's Venus on PearVisor on
# lavapipe), alternating the two for N rounds, with the same piglit options on
# both sides. Prints each run's wall time and pass/fail/skip/crash counts, the
# median of each side and their ratio, and the tests whose result differs
# between the sides.
#
# Why piglit: each piglit test is a process of its own that creates a GL
# context, so a Vulkan instance and device, draws a little and exits. That is
# the workload where the per-process costs of a virtualized driver (a new
# client, a renderer process, the host driver's start) show most, unlike
# `pearvisor-gpu bench`, which runs inside one process.
#
# Usage: scripts/piglit-zink.sh [--rounds N] [--jobs J] [--out DIR]
#        [--serve-args "ARGS"] [--include REGEX] [--exclude REGEX]
#   --rounds N       native/PearVisor pairs (default 2)
#   --jobs J         piglit's -j for both sides (default: nproc)
#   --out DIR        keeps piglit's results and the server logs (default: a
#                    temporary folder, removed at the end)
#   --serve-args     extra options for `pearvisor-gpu serve` (e.g.
#                    "--spares 2" or "--linger 0"), for experiments
#   --include/--exclude  replace the subset's filters (piglit's -t / -x)
#   --platform P     piglit's -p: surfaceless_egl (default), glx or x11_egl
#                    (these two on an Xvfb server the script starts)
# Environment: PEARVISOR_GPU (default build/pearvisor-gpu), PV_TEST_ICD
# (host driver, default lavapipe), PV_VENUS_ICD (Mesa's Venus manifest),
# PV_DEBUG for the server (default info,vtest: the lines that say how each
# client was served, counted below; about 40 lines per test, cheap).
#
# The subset (why): piglit's `quick_shader` profile filtered to
# spec@glsl-1.10@execution and spec@glsl-1.20@execution, less their
# built-in-functions groups. That is 1511 shader_runner tests with Debian 12's
# piglit (0~git20220119-124bca3c9-1): hand-written execution tests (loops,
# samplers, interpolation, derivatives, discard, uniform initializers,
# clipping, ...) and the generated variable-indexing tests. The 1548
# generated built-in-functions tests are left out: they are near copies of
# one another and would only make the run longer; natively what is left takes
# 1-2 minutes on this 2-core machine. The filters are fixed so that two runs
# of the script on the same piglit package run the same tests.
#
# How piglit runs: `piglit run -c -j J` (-c: every test may run
# concurrently; -j: at most J at once; the same on both sides), process
# isolation on (piglit's default: a process per test, as a guest program
# would be). shader_runner draws into a framebuffer object (-fbo, piglit's
# default for these tests), so a window is only a context holder.
# Platform (-p, PIGLIT_PLATFORM): surfaceless_egl by default. zink works on
# it here, natively and on Venus (wflinfo -p surfaceless_egl reports "zink
# Vulkan 1.4(llvmpipe ...)" and "zink Vulkan 1.2(Virtio-GPU Venus
# (llvmpipe ...))"), and 846 of the 847 tests pass natively. With -p glx on
# Xvfb (--platform glx) the same tests ran, but 2-17 tests per run failed at
# random on both sides with "waffle_display_connect failed ...: XOpenDisplay
# failed" (Xvfb refusing a connection among the test processes' churn),
# which is noise in both the times and the result comparison.
# The environment is test_zink.py's: LIBGL_ALWAYS_SOFTWARE=1
# GALLIUM_DRIVER=zink selects zink as Mesa's software-presenting driver (Venus
# over vtest has no swapchain; zink copies finished frames itself); natively
# VK_DRIVER_FILES/VK_ICD_FILENAMES point at lavapipe; through PearVisor at
# Mesa's Venus manifest, with VN_DEBUG=vtest and VTEST_SOCKET_NAME naming the
# socket of a `pearvisor-gpu serve --icd <lavapipe>` started for that round.
set -uo pipefail

cd "$(dirname "$0")/.."
ROUNDS=2
JOBS=$(nproc)
OUT=
PLATFORM=surfaceless_egl
SERVE_ARGS=
INCLUDE='spec@glsl-1\.(10|20)@execution@'
EXCLUDE='spec@glsl-1\.(10|20)@execution@built-in-functions@'
while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --platform) PLATFORM=$2; shift 2 ;;
    --serve-args) SERVE_ARGS=$2; shift 2 ;;
    --include) INCLUDE=$2; shift 2 ;;
    --exclude) EXCLUDE=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

HOST_ICD=${PV_TEST_ICD:-/usr/share/vulkan/icd.d/lvp_icd.json}
VENUS_ICD=${PV_VENUS_ICD:-/usr/share/vulkan/icd.d/virtio_icd.json}
PV_SRC=${PEARVISOR_GPU:-build/pearvisor-gpu}

# piglit from Debian (bookworm main); Xvfb for the X11 platforms
need=()
command -v piglit >/dev/null || need+=(piglit)
case $PLATFORM in glx|x11_egl|mixed_glx_egl) command -v Xvfb >/dev/null || need+=(xvfb) ;; esac
if [ ${#need[@]} -gt 0 ]; then
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get install -y "${need[@]}" >/dev/null || { echo "apt-get install ${need[*]} failed" >&2; exit 1; }
fi
for f in "$PV_SRC" "$HOST_ICD" "$VENUS_ICD"; do
    [ -e "$f" ] || { echo "missing: $f" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/pv-piglit.XXXXXX)
[ -n "$OUT" ] || OUT=$WORK/out
mkdir -p "$OUT"
XVFB=; SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    [ -n "$XVFB" ] && kill "$XVFB" 2>/dev/null && wait "$XVFB" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a copy of the binary: build/ may be rebuilt by someone else during the run,
# and both rounds of PearVisor should run the same program
cp "$PV_SRC" "$WORK/pearvisor-gpu"
PV=$WORK/pearvisor-gpu

echo "== piglit on zink: natively (lavapipe) and through PearVisor (Venus on lavapipe)"
echo "date: $(date -u +%FT%TZ)   host: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "piglit: $(dpkg-query -W -f '${Version}' piglit 2>/dev/null)   mesa: $(dpkg-query -W -f '${Version}' mesa-vulkan-drivers 2>/dev/null)"
echo "pearvisor-gpu: $PV_SRC, $($PV --version), mtime $(stat -c %y "$PV_SRC" | cut -c1-19), sha256 $(sha256sum "$PV" | cut -c1-12), tree at $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet -- src 2>/dev/null || echo ' (src/ has uncommitted changes)')"
echo "serve args: --icd $HOST_ICD ${SERVE_ARGS}   PV_DEBUG=${PV_DEBUG-info,vtest}"
echo "piglit run quick_shader -c -j $JOBS -p $PLATFORM -t '$INCLUDE' -x '$EXCLUDE'   rounds: $ROUNDS"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

case $PLATFORM in
glx|x11_egl|mixed_glx_egl)
    # one X server for every run
    Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$WORK/display" 2>/dev/null &
    XVFB=$!
    for _ in $(seq 100); do [ -s "$WORK/display" ] && break; sleep 0.1; done
    [ -s "$WORK/display" ] || { echo "Xvfb did not start" >&2; exit 1; }
    DISPLAY=:$(head -1 "$WORK/display")
    export DISPLAY ;;
*) unset DISPLAY WAYLAND_DISPLAY ;;
esac
export LIBGL_ALWAYS_SOFTWARE=1 GALLIUM_DRIVER=zink XDG_RUNTIME_DIR=$WORK PIGLIT_PLATFORM=$PLATFORM

run_piglit() {  # name; the environment is the caller's
    local start end
    start=$(date +%s.%N)
    piglit run quick_shader -c -j "$JOBS" -p "$PLATFORM" -l dummy -b json -o \
        -t "$INCLUDE" -x "$EXCLUDE" "$OUT/$1" >"$OUT/$1.log" 2>&1
    local rc=$?
    end=$(date +%s.%N)
    echo "$end - $start" | bc >"$OUT/$1.wall"
    [ $rc = 0 ] || echo "  (piglit exited with $rc: $OUT/$1.log)"
}

native() {
    VK_DRIVER_FILES=$HOST_ICD VK_ICD_FILENAMES=$HOST_ICD run_piglit "$1"
}

pearvisor() {
    local sock=$WORK/pv.sock
    rm -f "$sock"
    # shellcheck disable=SC2086
    PV_DEBUG=${PV_DEBUG-info,vtest} "$PV" serve --socket "$sock" --icd "$HOST_ICD" $SERVE_ARGS \
        2>"$OUT/$1.server.log" &
    SERVER=$!
    for _ in $(seq 200); do [ -S "$sock" ] && break; sleep 0.05; done
    sleep 1   # the first spare process warms up before the clock starts
    VK_DRIVER_FILES=$VENUS_ICD VK_ICD_FILENAMES=$VENUS_ICD VN_DEBUG=vtest \
        VTEST_SOCKET_NAME=$sock run_piglit "$1"
    kill "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=
}

for r in $(seq "$ROUNDS"); do
    for side in native pearvisor; do
        echo "round $r: $side ... (load $(cut -d' ' -f1 /proc/loadavg))"
        $side "$side-$r"
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$OUT" "$ROUNDS" <<'EOF'
import bz2, collections, json, os, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
KINDS = ('pass', 'fail', 'skip', 'crash')


def results(name):
    path = os.path.join(out, name, 'results.json.bz2')
    if not os.path.exists(path):
        path = os.path.join(out, name, 'results.json')
        if not os.path.exists(path):
            return {}
        return json.load(open(path))['tests']
    return json.load(bz2.open(path))['tests']


def served(name):
    """How the server placed each client (PV_DEBUG=vtest's lines)."""
    path = os.path.join(out, name + '.server.log')
    if not os.path.exists(path):
        return ''
    log = open(path, errors='replace').read()
    spare = len(re.findall(r'served by spare process', log))
    linger = len(re.findall(r'which served client', log))
    cold = len(re.findall(r'served by pid', log))
    return '  server: %d clients by a spare, %d by a cold fork, %d by the previous client\'s process' % (spare, cold, linger)


walls = {'native': [], 'pearvisor': []}
per_test = {'native': collections.defaultdict(set), 'pearvisor': collections.defaultdict(set)}
test_time = {'native': [], 'pearvisor': []}
print()
print('%-12s %8s %6s %6s %6s %6s %6s %9s' % ('run', 'wall s', 'tests', *KINDS, 'median/test'))
for r in range(1, rounds + 1):
    for side in ('native', 'pearvisor'):
        name = '%s-%d' % (side, r)
        tests = results(name)
        wall = float(open(os.path.join(out, name + '.wall')).read())
        walls[side].append(wall)
        counts = collections.Counter(t['result'] for t in tests.values())
        times = sorted(t['time']['end'] - t['time']['start'] for t in tests.values())
        test_time[side] += times
        for k, t in tests.items():
            per_test[side][k].add(t['result'])
        other = sum(v for k, v in counts.items() if k not in KINDS)
        print('%-12s %8.1f %6d %6d %6d %6d %6d %8.0f ms%s' % (
            name, wall, len(tests), *(counts[k] for k in KINDS),
            1000 * times[len(times) // 2] if times else 0,
            ('  (+%d other: %s)' % (other, dict(counts))) if other else ''))
        s = served(name)
        if s:
            print(s)
mn, mp = statistics.median(walls['native']), statistics.median(walls['pearvisor'])
print()
print('median wall: native %.1f s, PearVisor %.1f s, ratio %.2fx (target <= 1.3x)' % (mn, mp, mp / mn))
for side in ('native', 'pearvisor'):
    t = sorted(test_time[side])
    if t:
        print('per test (piglit\'s own timing, all rounds): %-9s median %.0f ms, p90 %.0f ms, sum %.0f s'
              % (side, 1000 * t[len(t) // 2], 1000 * t[9 * len(t) // 10], sum(t)))
print('per round ratio: ' + ', '.join('%.2fx' % (p / n) for n, p in zip(walls['native'], walls['pearvisor'])))

print()
names = sorted(set(per_test['native']) | set(per_test['pearvisor']))
diff, flaky = [], []
for k in names:
    n, p = per_test['native'].get(k, set()), per_test['pearvisor'].get(k, set())
    if len(n) > 1 or len(p) > 1:
        flaky.append((k, n, p))
    elif n != p:
        diff.append((k, n, p))
fmt = lambda s: '/'.join(sorted(s)) or 'missing'
print('tests whose result differs between the sides (same in every round of a side): %d' % len(diff))
for k, n, p in diff:
    print('  %s: native %s, PearVisor %s' % (k, fmt(n), fmt(p)))
print('tests whose result changed between rounds of a side: %d' % len(flaky))
for k, n, p in flaky:
    print('  %s: native %s, PearVisor %s' % (k, fmt(n), fmt(p)))
EOF
