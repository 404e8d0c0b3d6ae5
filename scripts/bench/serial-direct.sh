#!/usr/bin/env bash
# Issue 12 experiment: 9p over virtio-serial with the pre-init's relays (stock kernel) against the
# ports mounted directly (a kernel patched with virtio-console-iter.patch, ZILCHBOOT_SERIAL_DIRECT=1).
# Nothing here changes the default kernel, its config, the kernel builder or any lock: the patched
# kernel lives only in WORK and is handed to `verify` with --kernel.
#
#   scripts/bench/serial-direct.sh [build] [smoke] [stage1]     (default: all three, in that order)
#
#   build   unpack the Linux source the stock kernel was built from, configure it with the stock
#           kernel's own .config, apply the patch and run the builder's make (same environment as
#           src/kernel/build-kernel.ts, nice -n 19): WORK/vmlinux
#   smoke   verify 0-smoke over virtio-serial: relay (stock kernel), then direct (patched kernel)
#   stage1  verify 1-stage1 the same way, one after the other (each ~6-10 min under TCG, 1 vCPU)
#
# Each verify runs with its own fresh ZILCHBOOT_HOME (nothing built before is reused) and the same
# flags; verify exits 0 only if the output equals recipes/lock.json. Results: WORK/results.txt.
#
# Environment:
#   STOCK     a kernel directory holding vmlinux, kernel.config and kernel.json: the builder's cache
#             entry (<cache>/kernel/<key>) or the images directory; default <cache>/images. The
#             builder removes its build tree once vmlinux is copied out, so the tree is rebuilt
#             here from the source tarball and this kernel.config.
#   TARBALL   the Linux source; default <cache>/sources/linux-source-*.tar.xz whose sha256 is
#             kernel.json's sourceSha256 (checked either way)
#   WORK      scratch directory (default /tmp/zilchboot-serial-direct)
#   JOBS      make -j (default 2);  CPUS  guest vCPUs (default 1)
#   RESUME=1  build: go on in the tree a failed build left (after fixing the patch) instead of
#             unpacking a fresh one
#   TRANSPORT serial (unix socket, default) or serial-tcp
#   ORDER     which runs, in which order (default "relay direct"; "direct relay" to alternate)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${ZILCHBOOT_DOWNLOADS:-${ZILCHBOOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zilchboot}}
STOCK=${STOCK:-$cache/images}
WORK=${WORK:-/tmp/zilchboot-serial-direct}
JOBS=${JOBS:-2}
CPUS=${CPUS:-1}
TRANSPORT=${TRANSPORT:-serial}
ORDER=${ORDER:-relay direct}
patch_file=$repo/scripts/bench/virtio-console-iter.patch
cli=$repo/dist/src/cli.js
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(build smoke stage1)

mkdir -p "$WORK"
results=$WORK/results.txt
note() { echo "$*" | tee -a "$results"; }
json() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]])' "$@"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

[ -f "$cli" ] || { echo "build zilchboot first: npm run build" >&2; exit 1; }
for f in vmlinux kernel.config kernel.json; do
  [ -f "$STOCK/$f" ] || { echo "$STOCK/$f is missing (set STOCK)" >&2; exit 1; }
done

build() {
  local source_sha config_sha src t0 t1
  source_sha=$(json "$STOCK/kernel.json" sourceSha256)
  config_sha=$(json "$STOCK/kernel.json" configSha256)
  if [ -z "${TARBALL:-}" ]; then
    for f in "$cache"/sources/linux-source-*.tar.xz; do
      [ "$(sha "$f")" = "$source_sha" ] && TARBALL=$f && break
    done
  fi
  [ -n "${TARBALL:-}" ] && [ "$(sha "$TARBALL")" = "$source_sha" ] ||
    { echo "no Linux tarball with sha256 $source_sha (set TARBALL)" >&2; exit 1; }

  # A fresh tree, unless RESUME=1 and a failed build left one: then the patch it had
  # ($WORK/applied.patch) is taken back out, the current one put in, and make goes on from there.
  local resume=0
  [ "${RESUME:-}" = 1 ] && [ -f "$WORK/applied.patch" ] && [ -d "$WORK/linux" ] && resume=1
  if [ $resume = 0 ]; then
    rm -rf "$WORK/linux" && mkdir -p "$WORK/linux"
    nice -n 19 tar -xJf "$TARBALL" -C "$WORK/linux"
  fi
  src=$(echo "$WORK"/linux/*/)
  cd "$src"

  # The builder's environment (src/kernel/build-kernel.ts BUILD_ENV): only PATH from ours, fixed
  # KBUILD_BUILD_* / SOURCE_DATE_EPOCH / TZ / LC_ALL, ARCH as a make argument (x86, as the builder
  # passes it for x86_64: its .config header says "Linux/x86").
  local -a kenv=(env -i "PATH=$PATH" KBUILD_BUILD_TIMESTAMP=1970-01-01 KBUILD_BUILD_USER=zilchboot
    KBUILD_BUILD_HOST=zilchboot KBUILD_BUILD_VERSION=1 SOURCE_DATE_EPOCH=0 TZ=UTC LC_ALL=C)

  # The stock kernel's .config (tinyconfig + vm/kernel fragments, as the builder made it); olddefconfig
  # must leave it as it is, or this would not be the same kernel plus the patch.
  if [ $resume = 0 ]; then
    cp "$STOCK/kernel.config" .config
    "${kenv[@]}" make ARCH=x86 olddefconfig > "$WORK/make-config.log" 2>&1
  else
    patch -R -p1 < "$WORK/applied.patch"
  fi
  [ "$(sha .config)" = "$config_sha" ] || { echo ".config changed under olddefconfig" >&2; exit 1; }

  patch -p1 --forward < "$patch_file" | tee "$WORK/patch.log"
  cp "$patch_file" "$WORK/applied.patch"

  echo "make -j$JOBS vmlinux bzImage (nice -n 19; log $WORK/make.log)"
  t0=$(date +%s.%N)
  "${kenv[@]}" nice -n 19 make ARCH=x86 "-j$JOBS" vmlinux bzImage > "$WORK/make.log" 2>&1 ||
    { tail -30 "$WORK/make.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  cp vmlinux "$WORK/vmlinux"
  cp arch/x86/boot/bzImage "$WORK/bzImage"
  cd "$repo"
  # The tree is ~1 GB once built; vmlinux is what is needed.
  rm -rf "$WORK/linux" "$WORK/applied.patch"
  note "patched kernel: built in $(printf '%.0f' "$(echo "$t1 - $t0" | bc)") s (make -j$JOBS, nice -n 19$([ $resume = 1 ] && echo ', resumed: only what the earlier build had left'))"
  note "patched vmlinux: $(stat -c %s "$WORK/vmlinux") bytes, sha256 $(sha "$WORK/vmlinux")"
  note "stock vmlinux:   $(stat -c %s "$STOCK/vmlinux") bytes, sha256 $(sha "$STOCK/vmlinux")"
}

# verify STAGE with the stock kernel and the relays, or the patched kernel and no relays.
run_verify() {
  local stage=$1 mode=$2 kernel home log t0 t1 rc wall
  [ "$mode" = relay ] && kernel=$STOCK/vmlinux || kernel=$WORK/vmlinux
  [ -f "$kernel" ] || { echo "$kernel is missing: run the build step first" >&2; exit 1; }
  home=$(mktemp -d "$WORK/home-$stage-$mode-XXXX")
  log=$WORK/verify-$stage-$mode.log
  local -a direct=()
  [ "$mode" = direct ] && direct=(ZILCHBOOT_SERIAL_DIRECT=1)
  echo "verify $stage, $mode (log $log)"
  t0=$(date +%s.%N)
  set +e
  env ZILCHBOOT_HOME="$home" "${direct[@]}" node "$cli" verify "$stage" --transport "$TRANSPORT" \
    --cpus "$CPUS" --accel tcg --kernel "$kernel" > "$log" 2>&1
  rc=$?
  set -e
  t1=$(date +%s.%N)
  # verify's own figure: the stage's wall time in its table ("1-stage1  verified  442.3s …").
  wall=$(awk -v s="$stage" '$1 == s && $3 ~ /s$/ { print $2, $3 }' "$log" | tail -1)
  note "$stage $mode: exit $rc (0 = equals the lock), verify says: ${wall:-no table}, whole command $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s"
  [ $rc -eq 0 ] || tail -5 "$log" | tee -a "$results"
  # The store copy of the output is not needed; the logs stay in the home.
  rm -rf "$home/store"
}

note "== $(date -u +%FT%TZ) serial-direct ${steps[*]}: transport $TRANSPORT, $CPUS vCPU, order $ORDER, stock kernel $STOCK"
for step in "${steps[@]}"; do
  case $step in
    build) build ;;
    smoke) for mode in $ORDER; do run_verify 0-smoke "$mode"; done ;;
    stage1) for mode in $ORDER; do run_verify 1-stage1 "$mode"; done ;;
    *) echo "unknown step $step (build, smoke, stage1)" >&2; exit 2 ;;
  esac
done
