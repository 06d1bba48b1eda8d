#!/bin/bash
# SPDX-License-Identifier: MIT
# Shows that every check the renderer makes before the host driver sees a
# guest's arguments is held by a test: removes each check in turn from a
# copy of the tree, builds that copy, runs the tests that should notice
# (tests/integration/test_checks.py, and the fuzz regression inputs, which
# must be refused as their .expect files say) and reports which failed.  A
# check whose removal fails no test is a check nothing holds in place.
#
#   scripts/check-the-checks.sh [--dir DIR] [--head] [--jobs J] [--both-modes]
#                               [--list] [CHECK...]
#
# --dir: where the copy, its build and the logs go (default build-checks,
# which git ignores; the copy and the logs are made again on every run).
# --head: copy the last commit instead of the working tree as it is.
# --jobs: ninja's jobs (default: the number of cores).  --both-modes: run
# test_checks with a process per client and in-process (default: the
# former; in-process a crash that a missing check lets through ends the
# server, which fails every later case and says less).  --list: print the
# checks and exit.  CHECK: run only the checks whose names contain it.
#
# Takes a few minutes per ten checks (a rebuild and a test run each).
# Prints a Markdown table (docs/testing.md keeps the last one) and exits
# non-zero if a check that can be reached from the wire failed no test.
set -uo pipefail
cd "$(dirname "$0")/.."

DIR=build-checks
FROM=tree
JOBS=$(nproc)
MODES=fork
LIST=0
ONLY=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR=$2; shift 2 ;;
    --head) FROM=head; shift ;;
    --jobs) JOBS=$2; shift 2 ;;
    --both-modes) MODES=fork,inproc; shift ;;
    --list) LIST=1; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) ONLY+=("$1"); shift ;;
  esac
done

# -- the checks ---------------------------------------------------------------
#
# One line each: name | file under src/ | how to remove it.  "function NAME"
# makes the function return at once with what the check returns when it
# accepts ("true", or NULL for the image rules' "no error"); otherwise
# "OLD => NEW" replaces text that must occur exactly once (\n: a newline).
# Every `check` entry of gen/manual.txt is added as "function pv_check_X".
checks() {
  sed -n 's/^check \([A-Za-z0-9_]*\) *\([^:]*\):.*/\1 | \2 | function pv_check_\1 true/p' \
    gen/manual.txt
  cat <<'EOF'
image parameters at vkCreateImage | vk/pv_buffer_image.c | if (!pv_image_info_check(d, dev, info)) { => if (0 && !pv_image_info_check(d, dev, info)) {
image parameters at vkGetDeviceImageMemoryRequirements | vk/pv_buffer_image.c | if (!pv_image_info_check(d, dev, create)) => if (0 && !pv_image_info_check(d, dev, create))
image parameters at vkGetDeviceImageSparseMemoryRequirements | vk/pv_buffer_image.c | if (!pv_image_info_check(d, dev, info->pCreateInfo)) => if (0 && !pv_image_info_check(d, dev, info->pCreateInfo))
image shape rules | vk/pv_image_check.c | function shape_error NULL
image limits of the driver | vk/pv_image_check.c | function limit_error NULL
SPIR-V at vkCreateShaderModule | vk/pv_shader.c |    if (!check_code(d, dev, info))\n      return;\n =>
SPIR-V of code chained to a stage | vk/pv_shader.c |    if (!check_code(d, dev, info))\n      return false;\n =>
SPIR-V size rule | vk/pv_spirv.c | if (size < SPIRV_HEADER_WORDS * 4 || size % 4) { => if (0) {
SPIR-V validator | vk/pv_spirv.c |    return result == SPV_SUCCESS; =>    return true;
stages of compute pipelines | vk/pv_pipeline.c | if (!pv_shader_stage_check(d, (struct pv_device *)dev, &info->stage, info->layout)) => if (0 && !pv_shader_stage_check(d, (struct pv_device *)dev, &info->stage, info->layout))
stages of graphics pipelines | vk/pv_pipeline.c | if (!pv_shader_stage_check(d, (struct pv_device *)dev, &info->pStages[s], => if (0 && !pv_shader_stage_check(d, (struct pv_device *)dev, &info->pStages[s],
specialization data | vk/pv_shader.c | function check_specialization true
entry point of a stage | vk/pv_shader.c | if (!entry) {\n      pv_dispatch_fail(d, "stage 0x%x names entry point => if (!entry) {\n      return true;\n      pv_dispatch_fail(d, "stage 0x%x names entry point
execution model of an entry point | vk/pv_spirv_reflect.c | (model == UINT32_MAX || entries[i].model == model) => ((void)model, true)
descriptor set layout binding numbers | vk/pv_layout.c | if (!pv_descriptor_binding_numbers_check(d, args->pCreateInfo, "descriptor set layout")) => if (0)
descriptor sets a stage uses | vk/pv_layout.c | if (r->set >= layout->set_count) { => if (r->set >= layout->set_count) { continue;
null descriptor sets a stage uses | vk/pv_layout.c | = layout->sets[r->set];\n      if (!shape) { => = layout->sets[r->set];\n      if (!shape) { continue;
bindings a stage uses | vk/pv_layout.c | if (!b || !b->count) { => if (!b || !b->count) { continue;
descriptor types a stage uses | vk/pv_layout.c | if (!kind_takes(r->kind, b->type)) { => if (0) {
a stage using descriptors without a layout | vk/pv_layout.c | if (!layout) { => if (!layout) { return true;
descriptor writes in their sets | vk/pv_layout.c | function pv_descriptor_writes_in_layout true
descriptor copies in their sets | vk/pv_layout.c | function pv_descriptor_copies_in_layout true
elements of descriptor bindings | vk/pv_layout.c | if (end > room) { => if (0) {
descriptor types of writes | vk/pv_layout.c | b->type != type) { => b->type != type && 0) {
bindings of descriptor writes | vk/pv_layout.c | if (!b) {\n      pv_dispatch_fail(d, "%s: binding %u, which its set's layout lacks" => if (!b) {\n      return true;\n      pv_dispatch_fail(d, "%s: binding %u, which its set's layout lacks"
sets of pushed descriptors | vk/pv_layout.c | if (push_set >= layout->set_count || !layout->sets[push_set]) { => if (push_set >= layout->set_count || !layout->sets[push_set]) { return true;
aspects of an image view | vk/pv_transfer_check.c | function view_aspects true
format of an image view | vk/pv_transfer_check.c | function view_format true
levels and layers of an image view | vk/pv_transfer_check.c | function view_range true
payloads of descriptor writes | vk/pv_layout.c | function write_payload true
samplers of descriptor writes | vk/pv_layout.c | if (!w->pImageInfo[j].sampler) { => if (0) {
inline uniform block data sizes | vk/pv_layout.c | if (data->dataSize != w->descriptorCount) { => if (0) {
vertex buffer bindings inside the device's | vk/pv_state_check.c | function pv_vertex_bindings_inside true
sets bound inside their pipeline layout | vk/pv_layout.c | function pv_bound_sets_in_layout true
dynamic offsets of bound sets | vk/pv_layout.c | if (dynamic_offsets < needed) { => if (0) {
graphics pipeline state inside the device's limits | vk/pv_pipeline.c | if (!pv_graphics_state_check(d, (const struct pv_device *)dev, info)) => if (0)
stage without a shader | vk/pv_shader.c | if (!info) {\n      pv_dispatch_fail(d, "stage 0x%x has no shader", stage->stage); => if (0) {\n      pv_dispatch_fail(d, "stage 0x%x has no shader", stage->stage);
EOF
  # each rule of the image checks on its own: its `return "why";` skipped
  sed -n 's/^ *return "\([^"]*\)";$/image rule: \1 | vk\/pv_image_check.c | return "\1"; => (void)0;/p' \
    src/vk/pv_image_check.c
}

# Checks no guest can reach, and why: removing them fails no test, and that
# is no gap.
unreachable() {
  case "$1" in
    "image rule: an unknown image type"|"image rule: an unknown sharing mode")
      echo "the decoder refuses enum values Vulkan does not define first" ;;
    "image rule: no way to ask the driver for its limits")
      echo "every Vulkan driver has the query" ;;
    "image rule: more mip levels than the driver's maximum")
      echo "on lavapipe the levels a valid extent has are never more than its maximum" ;;
    vkCmdSetColorBlendAdvancedEXT)
      echo "lavapipe lacks VK_EXT_blend_operation_advanced, whose command it is" ;;
    *) return 1 ;;
  esac
}

mapfile -t CHECKS < <(checks)
if [ ${#ONLY[@]} -gt 0 ]; then
  kept=()
  for line in "${CHECKS[@]}"; do
    for want in "${ONLY[@]}"; do
      if [[ "${line%% | *}" == *"$want"* ]]; then kept+=("$line"); break; fi
    done
  done
  CHECKS=("${kept[@]}")
fi
if [ $LIST = 1 ]; then
  printf '%s\n' "${CHECKS[@]%% | *}"
  exit 0
fi
[ ${#CHECKS[@]} -gt 0 ] || { echo "no such check"; exit 1; }

# -- a copy of the tree and its build --------------------------------------------

SRC=$DIR/src
BUILD=$DIR/build
LOGS=$DIR/logs
rm -rf "$SRC" "$LOGS"
mkdir -p "$SRC" "$LOGS"
if [ $FROM = head ]; then
  git archive HEAD | tar -x -C "$SRC"
else
  # tracked and untracked files that git does not ignore, as they are now
  git ls-files -z --cached --others --exclude-standard |
    tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$SRC"
fi
SRC=$(cd "$SRC" && pwd)
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" "$SRC" >"$LOGS/setup.log" 2>&1 || { cat "$LOGS/setup.log"; exit 1; }
fi
BUILD=$(cd "$BUILD" && pwd)
TARGETS=(pearvisor-gpu fuzz/fuzz-session-null fuzz/fuzz-session-host fuzz/fuzz-ring
         fuzz/fuzz-reply)

build() {
  ninja -C "$BUILD" -j"$JOBS" "${TARGETS[@]}" >"$1" 2>&1
}

export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/share/vulkan/icd.d/lvp_icd.json}

# How a program ended, for the table: a signal rather than a number.
ended() {
  if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128))"; else echo "ended with $1"; fi
}

# Runs the tests; prints what failed, one a line (nothing when all passed):
# a test_checks case by its name, a fuzz regression input by its path,
# anything else as it was reported.  The details are in $1 and $1.fuzz.
run_tests() {
  local log=$1 rc
  PEARVISOR_GPU=$BUILD/pearvisor-gpu PV_CHECKS_MODES=$MODES \
    timeout 1200 python3 "$SRC/tests/integration/test_checks.py" >"$log" 2>&1
  rc=$?
  [ $rc -eq 0 ] || grep -q '^FAIL' "$log" || echo "FAIL test_checks $(ended $rc)" >>"$log"
  : >"$log.fuzz"
  for harness in fuzz-session-null fuzz-session-host fuzz-ring fuzz-reply; do
    kind=${harness#fuzz-}
    kind=${kind%-*}
    [ -d "$SRC/fuzz/regressions/$kind" ] || continue
    echo "== $harness" >>"$log.fuzz"
    timeout 300 "$BUILD/fuzz/$harness" --expected "$SRC/fuzz/regressions/$kind" \
      >>"$log.fuzz" 2>&1
    rc=$?
    # 1: an input had another outcome, and its FAIL line says which
    [ $rc -le 1 ] || echo "FAIL $harness $(ended $rc)" >>"$log.fuzz"
  done
  {
    # "FAIL mode: case (check): what" names a case; other lines the test
    sed -n -e 's/^FAIL [a-z]*: \([a-z0-9-]*\) (.*/\1/p' \
           -e '/^FAIL [a-z]*: [a-z0-9-]* (/d' -e 's/^FAIL \(.*\)/test_checks: \1/p' "$log"
    # "FAIL path: what" names a regression input
    sed -n -e 's|^FAIL .*/fuzz/regressions/\([^:]*\):.*|fuzz/regressions/\1|p' \
           -e '/^FAIL .*\/fuzz\/regressions\//d' -e 's/^FAIL \(.*\)/\1/p' "$log.fuzz"
  } | sort -u
}

# Removes check $2 ("OLD => NEW" or "function NAME VALUE") from file $1.
remove_check() {
  python3 - "$1" "$2" <<'EOF'
import re, sys
path, how = sys.argv[1], sys.argv[2]
text = open(path).read()
if how.startswith('function '):
    _, name, value = how.split()
    # the opening brace of the definition: NAME(...) on its own line, then {
    m = re.search(r'^%s\([^;{]*?\)\s*\n\{\n' % re.escape(name), text, re.M | re.S)
    if not m:
        sys.exit('%s: no definition of %s' % (path, name))
    text = text[:m.end()] + '   return %s; /* check-the-checks */\n' % value + text[m.end():]
else:
    old, new = (part.replace('\\n', '\n') for part in re.split(r' =>(?: |$)', how, 1))
    if text.count(old) != 1:
        sys.exit('%s: "%s" occurs %d times, not once' % (path, old, text.count(old)))
    text = text.replace(old, new)
open(path, 'w').write(text)
EOF
}

if [ $FROM = head ]; then
  what="commit $(git rev-parse --short HEAD)"
else
  what="the working tree at $(git rev-parse --short HEAD)"
  git diff --quiet HEAD || what="$what, with uncommitted changes"
fi
echo "$(date -u +%F): $what"
echo "building the copy in $BUILD ..."
build "$LOGS/build.log" || { tail -20 "$LOGS/build.log"; exit 1; }
echo "the tests with every check in place ..."
failing=$(run_tests "$LOGS/baseline.log")
if [ -n "$failing" ]; then
  echo "the tests fail with every check in place, so they can tell nothing:"
  echo "$failing" | sed 's/^/  /'
  exit 1
fi

echo
echo "(a name is a test_checks case, a path a fuzz regression input)"
echo
echo "| check | in | tests that fail without it |"
echo "| --- | --- | --- |"
gaps=0
for line in "${CHECKS[@]}"; do
  name=${line%% | *}
  rest=${line#* | }
  file=src/${rest%% | *}
  how=${rest#* | }
  safe=$(echo "$name" | tr -c 'A-Za-z0-9\n' '-')
  cp "$SRC/$file" "$LOGS/pristine"
  if ! err=$(remove_check "$SRC/$file" "$how" 2>&1); then
    echo "| $name | \`$file\` | cannot be removed: $err |"
    gaps=$((gaps + 1))
    continue
  fi
  if ! build "$LOGS/$safe.build.log"; then
    verdict="the copy does not build without it ($LOGS/$safe.build.log)"
    gaps=$((gaps + 1))
  else
    failing=$(run_tests "$LOGS/$safe.log")
    if [ -n "$failing" ]; then
      verdict=$(echo "$failing" | sed 's/.*/`&`/' | paste -sd, - | sed 's/,/, /g')
    elif why=$(unreachable "$name"); then
      verdict="none: no guest can reach it ($why)"
    else
      verdict="**NONE**"
      gaps=$((gaps + 1))
    fi
  fi
  echo "| $name | \`$file\` | $verdict |"
  cp "$LOGS/pristine" "$SRC/$file"
done
# leave the copy's build as the tree is
build "$LOGS/build.log" >/dev/null 2>&1
echo
echo "$gaps check(s) that a guest can reach and no test holds"
[ $gaps -eq 0 ]
