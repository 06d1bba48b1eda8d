#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs the libFuzzer harnesses, each for a given time on a number of cores.
#
#   scripts/fuzz.sh [--seconds S] [--jobs J] [--build DIR] [--no-build]
#                   [--seed N --runs R] [HARNESS...]
#
# Defaults: every harness, 60 s each, one job per core, build dir build-fuzz
# (configured with clang and -Dfuzz=true when missing).  Each harness keeps
# a growing corpus in DIR/corpus/NAME, started from the seeds in
# fuzz/corpus/KIND; findings (crash-*, leak-*, timeout-*, oom-*) land in
# DIR/findings/NAME.  Prints the executions and findings of each harness and
# in total, appends them to DIR/fuzz-stats.txt, and fails if anything was
# found.  --seed N --runs R makes a run repeatable: job j mutates with seed
# N+j for at most R inputs, from the seeds alone (a fresh corpus), so that
# it finds on every machine what it finds on this one.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SECONDS_EACH=60
JOBS=$(nproc)
BUILD=build-fuzz
DO_BUILD=1
SEED=
RUNS=-1
HARNESSES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_EACH=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --no-build) DO_BUILD=0; shift ;;
    --seed) SEED=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    -h|--help) sed -n '3,17p' "$0"; exit 0 ;;
    *) HARNESSES+=("$1"); shift ;;
  esac
done
[ ${#HARNESSES[@]} -gt 0 ] ||
  HARNESSES=(fuzz-session-null fuzz-session-host fuzz-vtest fuzz-ring fuzz-reply fuzz-decode)

if [ $DO_BUILD = 1 ]; then
  if [ ! -f "$BUILD/build.ninja" ]; then
    CC=clang meson setup "$BUILD" -Dfuzz=true >/dev/null || exit 1
  fi
  ninja -C "$BUILD" >/dev/null || exit 1
fi

# What each harness eats, and how much of it at most.
kind_of() {
  case "$1" in
    fuzz-session-*) echo session ;;
    fuzz-decode) echo session ;; # the capture listing eats whole sessions
    *) echo "${1#fuzz-}" ;;
  esac
}
max_len_of() {
  case "$1" in
    session) echo 131072 ;;
    vtest) echo 65536 ;;
    ring) echo 131120 ;;
    *) echo 4096 ;;
  esac
}

# the real-driver harness runs on lavapipe unless told otherwise
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f /usr/share/vulkan/icd.d/lvp_icd.json ]; then
  export VK_DRIVER_FILES=/usr/share/vulkan/icd.d/lvp_icd.json
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}

total_execs=0
total_findings=0
failed=0
for name in "${HARNESSES[@]}"; do
  exe="$BUILD/fuzz/$name"
  if [ ! -x "$exe" ]; then
    echo "$name: not built"
    total_findings=$((total_findings + 1))
    continue
  fi
  kind=$(kind_of "$name")
  corpus="$BUILD/corpus/$name"
  if [ -n "$SEED" ]; then
    corpus="$BUILD/corpus/$name-seed-$SEED"
    rm -rf "$corpus"
  fi
  findings="$BUILD/findings/$name"
  logs="$BUILD/fuzz-logs/$name"
  mkdir -p "$corpus" "$findings" "$logs"
  rm -f "$logs"/*.log
  for ((j = 0; j < JOBS; j++)); do
    "$exe" "$corpus" "$ROOT/fuzz/corpus/$kind" \
      -dict="$BUILD/fuzz/stream.dict" -max_len="$(max_len_of "$kind")" \
      -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=4096 \
      -artifact_prefix="$findings/" -print_final_stats=1 -runs="$RUNS" \
      -seed=$(( ${SEED:-$((RANDOM * 32768 + RANDOM))} + j )) \
      >"$logs/$j.log" 2>&1 &
  done
  wait
  execs=0
  for log in "$logs"/*.log; do
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    execs=$((execs + ${n:-0}))
  done
  found=$(find "$findings" -type f | wc -l)
  inputs=$(find "$corpus" -type f | wc -l)
  echo "$name: $execs executions in ${SECONDS_EACH} s on $JOBS jobs, corpus $inputs inputs," \
       "$found findings"
  # a harness that ran nothing (no seeds where it looks, a start-up error)
  # tested nothing: that fails too, with what it said
  if [ "$execs" -eq 0 ]; then
    echo "  $name ran no input:"
    tail -n3 "$logs"/*.log | sed 's/^/  /'
    failed=$((failed + 1))
  fi
  if [ "$found" -gt 0 ]; then
    find "$findings" -type f | sed 's/^/  /'
    grep -h -m3 -E "ERROR: |SUMMARY: " "$logs"/*.log | sed 's/^/  /'
  fi
  echo "$(date -u +%FT%TZ) $name seconds=$SECONDS_EACH jobs=$JOBS executions=$execs" \
       "corpus=$inputs findings=$found" >>"$BUILD/fuzz-stats.txt"
  total_execs=$((total_execs + execs))
  total_findings=$((total_findings + found))
done
echo "total: $total_execs executions, $total_findings findings"
[ "$total_findings" -eq 0 ] && [ "$failed" -eq 0 ]
