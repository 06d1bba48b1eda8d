#!/bin/bash
# SPDX-License-Identifier: MIT
# ./test.sh: sets up a fresh Debian 12 machine, builds PearVisor GPU three
# times (plain; with AddressSanitizer + UndefinedBehaviorSanitizer; the
# libFuzzer harnesses with clang), runs the whole suite on the first two, a
# short run of every fuzz harness on the third, and ends with the line
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
scripts/setup.sh || exit 1
scripts/setup-dawn.sh
scripts/build.sh build || exit 1
# the plain build is what ships (no fault hooks); the sanitized one also
# runs the tests that make the host driver crash, hang or lose its device
scripts/build.sh build-sanitize -Db_sanitize=address,undefined -Db_lundef=false \
  -Dbuildtype=debug -Dfault_hooks=true || exit 1
CC=clang scripts/build.sh build-fuzz -Dfuzz=true || exit 1

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}

meson test -C build --print-errorlogs --num-processes 2 "$@"
meson test -C build-sanitize --print-errorlogs --num-processes 2 "$@"
# a short run of every fuzz harness (scripts/fuzz.sh runs them longer)
meson test -C build-fuzz --print-errorlogs --num-processes 2 "$@"
python3 scripts/summary.py build/meson-logs/testlog.json build-sanitize/meson-logs/testlog.json \
  build-fuzz/meson-logs/testlog.json
