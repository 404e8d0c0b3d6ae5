# Stage 2a6: the Linux UAPI headers (what `make headers_install` installs) of 6.1.192, from the
# same Debian source as the guest kernel, for the later stages that include <linux/...> or
# <asm/...> (CMake's libuv, libc++, busybox, Nix). Phases and the guest's rules:
# recipes/lib/build.sh.
. /recipe-lib/build.sh
STAGE=2a6-linux-headers
SRC=linux-source-6.1
TARBALL=linux-source-6.1.192-2.tar.xz
# linux/bpf.h's documentation names /tmp/bpf-helpers.rst: look for the build tree and the sources
# share.
LEAK_STRINGS="/tmp/$SRC /sources/"

# `make headers` reads only the top Makefile, scripts/, include/, arch/x86/ and tools/ (for the
# relocs host tool's includes): unpacking just those skips most of the 1.3 GB tree.
do_unpack() {
    tar -xf "/sources/$TARBALL" "$SRC/Makefile" "$SRC/scripts" "$SRC/include" "$SRC/arch/x86" "$SRC/tools"
    [ -f "$SRC/Makefile" ] || die "$TARBALL did not unpack to /tmp/$SRC"
}

# The Makefile runs some scripts directly (scripts/pahole-flags.sh in a $(shell ...), whose
# failure would only print "not found"): point their #!/bin/sh at ash.
do_prepare() {
    replace_bin_sh $(find scripts -type f -perm -u+x)
}

# No configure step: `headers` needs no .config.
do_configure() { :; }

# `headers` generates the syscall numbers and the asm-generic wrappers, builds the host helpers
# (fixdep, unifdef, relocs) with HOSTCC and writes the sanitised headers to usr/include, each with
# a .<name>.cmd file beside it. The Makefile runs its scripts with CONFIG_SHELL (mk sets ash).
do_build() {
    logged make mk -j"$JOBS" ARCH=x86_64 HOSTCC=gcc CC=gcc headers
}

# headers_install would copy usr/include with rsync (absent here), taking only *.h files and no
# empty directories: the same with cp and find. The .cmd files name the build tree.
do_install() {
    mkdir -p /out/include
    cp -R usr/include/. /out/include/
    find /out/include -type f ! -name '*.h' -exec rm {} +
    find /out/include -depth -type d -empty -exec rmdir {} \;
}

# A program including <linux/version.h>, <linux/fs.h> and <asm/unistd.h> next to musl's headers
# must compile with GCC 10 and run, dynamically through 2a3's loader and statically.
do_check() {
    for d in linux asm asm-generic; do [ -d "/out/include/$d" ] || die "no include/$d"; done
    n=$(find /out/include -type f | wc -l)
    echo "$STAGE: $n headers"
    mkdir /tmp/smoke
    cd /tmp/smoke
    cat > uapi.c <<'C'
#include <stdio.h>
#include <linux/version.h>
#include <linux/fs.h>
#include <asm/unistd.h>
int main(void) {
    printf("%d.%d %d %d\n", LINUX_VERSION_CODE >> 16, (LINUX_VERSION_CODE >> 8) & 255,
           (int)__NR_getpid, (int)BLKGETSIZE64 != 0);
    return 0;
}
C
    for link in -static ""; do
        gcc -O2 -Wall -Werror -idirafter /out/include $link -o uapi uapi.c
        out=$(./uapi)
        echo "$STAGE: smoke ${link:-(dynamic)}: $out"
        [ "$out" = "6.1 39 1" ] || die "the smoke program printed '$out', not '6.1 39 1'"
    done
}

run_phases
