#!/usr/bin/env bash
# Installs what zilchboot needs on a Debian/Ubuntu host; prints the equivalent for macOS and Windows.
# Idempotent: safe to run on every CI run.
#
#   setup-host.sh                 the main job: fetch, kernel, seed, stages in QEMU (and npm ci)
#   setup-host.sh --i386          also the i386 seed's toolchain (zilchboot seed --arch i386)
#   setup-host.sh --display       also QEMU's window UI (boot-iso --display)
#   setup-host.sh --test-extras   also everything `npm test` drives (implies --i386 --display)
#   setup-host.sh --print-packages [flags]   list the Debian packages those flags install; change nothing
set -euo pipefail

usage_line="use --i386, --display, --test-extras (all the tests need) and/or --print-packages"
want_i386=0 want_display=0 want_tests=0 print_only=0
for arg in "$@"; do
  case "$arg" in
    --i386) want_i386=1 ;;
    --display) want_display=1 ;;
    --test-extras) want_tests=1 want_i386=1 want_display=1 ;;
    --print-packages) print_only=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup-host: unknown option '$arg'; $usage_line" >&2; exit 2 ;;
  esac
done

# The main job. g++ and python3: node-gyp builds node-pty (a dev dependency) during `npm ci`;
# dpkg-dev: the apt source provider (`apt-get source`); seabios: QEMU's BIOS, and v86's.
main_packages=(qemu-system-x86 seabios musl-tools gcc g++ make flex bison bc libelf-dev xz-utils bzip2
  dpkg-dev ca-certificates python3)
# The i386 seed is built with Debian's musl-dev:i386, whose i386-linux-musl-gcc wraps the i686 cross
# gcc: a foreign architecture for dpkg.
i386_packages=(musl-dev:i386)
display_packages=(qemu-system-gui)
# chromium: the web shell's end-to-end test (driven by playwright-core, which downloads no browser).
# The boot-iso test builds a bootable ISO (GRUB for BIOS, xorriso, an initramfs made with cpio;
# mtools serves grub-mkrescue's EFI image on hosts that also have GRUB's EFI modules), drives the CLI
# on a pty with util-linux's `script`, and checks the --display window on Xvfb with xwininfo.
# qemu-user: the tests run i386 programs (the i386 seed) with qemu-i386, which works whether or not
# the host kernel executes i386 programs itself (many do not: no IA32 emulation). It registers no
# binfmt handler (that is qemu-user-binfmt), so the host's own verdict stays what its kernel says.
# nginx: handled below (its service).
test_packages=(chromium grub-pc-bin grub-common xorriso mtools cpio util-linux xvfb x11-utils qemu-user)

selected=("${main_packages[@]}")
[ "$want_i386" = 1 ] && selected+=("${i386_packages[@]}")
[ "$want_display" = 1 ] && selected+=("${display_packages[@]}")
[ "$want_tests" = 1 ] && selected+=("${test_packages[@]}" nginx)
if [ "$print_only" = 1 ]; then printf '%s\n' "${selected[@]}"; exit 0; fi

case "$(uname -s)" in
  Darwin)
    cat <<'TXT'
zilchboot on macOS needs: Node.js >= 20 and QEMU >= 7.0 (9p support).
  brew install node qemu
The seed and kernel builders need a Linux host; build them there or pass --seed/--kernel.
TXT
    exit 0 ;;
  MINGW*|MSYS*|CYGWIN*)
    cat <<'TXT'
zilchboot on Windows needs Node.js >= 20 (winget install OpenJS.NodeJS.LTS).
QEMU for Windows has no virtio-9p host share, so the QEMU backend cannot run stages there yet;
the v86 backend (--backend v86, i386 stages) needs SeaBIOS: bios.bin and vgabios-stdvga.bin from a
QEMU for Windows install (C:\Program Files\qemu\share) or ZILCHBOOT_SEABIOS_DIR.
TXT
    exit 0 ;;
esac

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-host: no apt-get here; install by hand the Debian equivalents of: ${selected[*]}" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# deb-src entries let the apt provider fetch original source tarballs. They reuse the URI and
# keyring of the first configured Debian 'deb' entry, so no mirror name is written here.
add_deb_src() {
  local target=/etc/apt/sources.list.d/zilchboot-src.sources
  [ -f "$target" ] && return 0
  local uri="" key=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # first stanza that is Types: deb and whose suites look Debian's (bookworm…)
    read -r uri key < <(awk '
      BEGIN{RS=""; FS="\n"}
      {
        t=""; u=""; k=""; s="";
        for(i=1;i<=NF;i++){
          if($i ~ /^Types:/) t=$i; if($i ~ /^URIs:/) u=$i; if($i ~ /^Signed-By:/) k=$i; if($i ~ /^Suites:/) s=$i
        }
        if (t ~ /deb/ && s ~ /(bookworm|bullseye|trixie|sid)( |$)/ && u !~ /security/) {
          sub(/^URIs:[ ]*/,"",u); sub(/^Signed-By:[ ]*/,"",k); print u, k; exit
        }
      }' "$f") || true
    [ -n "$uri" ] && break
  done
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" && $0 !~ /security/ {for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
  fi
  if [ -z "$uri" ]; then
    echo "setup-host: found no Debian 'deb' entry to derive deb-src from; the apt provider will be unavailable" >&2
    return 0
  fi
  key=${key:-/usr/share/keyrings/debian-archive-keyring.gpg}
  printf 'Types: deb-src\nURIs: %s\nSuites: bookworm bullseye trixie sid bookworm-backports\nComponents: main\nSigned-By: %s\n' \
    "$uri" "$key" | $SUDO tee "$target.tmp" >/dev/null
  $SUDO mv "$target.tmp" "$target"
  echo "setup-host: added deb-src entries ($target)"
}

add_deb_src
if [ "$want_i386" = 1 ] && ! dpkg --print-foreign-architectures | grep -qx i386; then $SUDO dpkg --add-architecture i386; fi
# A mirror caught mid-sync fails one index ("File has unexpected size"); try again, then go on
# with the indexes we have: the install below fails clearly if a package is really missing.
apt_update() { $SUDO apt-get update -qq; }
apt_update || { sleep 5; apt_update; } || echo "setup-host: apt-get update reported errors (see above); installing from the indexes we have" >&2
apt_install() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
non_nginx=()
for p in "${selected[@]}"; do [ "$p" = nginx ] || non_nginx+=("$p"); done
apt_install "${non_nginx[@]}"
# nginx (built with the WebDAV module): the shared-cache tests (test/cache/) start their own nginx as
# the current user on 127.0.0.1 with a generated config. They need no system service, so a fresh
# install's service is stopped and disabled; an nginx that was already installed is left as it was.
if [ "$want_tests" = 1 ] && ! dpkg -s nginx >/dev/null 2>&1; then
  apt_install nginx
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true; fi
fi
extras=""
[ "$want_i386" = 1 ] && extras+=" +i386"
[ "$want_display" = 1 ] && extras+=" +display"
[ "$want_tests" = 1 ] && extras+=" +test-extras"
echo "setup-host: ready${extras} (qemu $(qemu-system-x86_64 --version | head -1 | awk '{print $4}'), musl-gcc $(command -v musl-gcc))"
