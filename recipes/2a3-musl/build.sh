# Stage 2a3: musl 1.2.5, static and shared (lib/libc.so is also the dynamic loader), compiled by
# 2a2's GCC 3.4.6: the C library every later stage links against, and the first one not compiled
# by tcc. Phases and the guest's rules: recipes/lib/build.sh.
. /recipe-lib/build.sh
STAGE=2a3-musl
SRC=musl-1.2.5
# musl names /tmp/ itself (paths.h's _PATH_TMP, tmpnam): the leak check looks for the build
# tree, the DESTDIR and the sources share instead of every /tmp/.
LEAK_STRINGS="/tmp/$SRC /tmp/dest /sources/"

do_prepare() {
    replace_bin_sh configure tools/install.sh tools/version.sh
    # fork.c gives each lock pointer a default of 0 through a weak alias and lists their addresses
    # in a static table; GCC 3.4 does not take the address of an alias as a constant
    # ("initializer element is not constant"). A weak definition of 0 means the same (a real
    # definition elsewhere in libc still wins at link time) and its address is a constant.
    for n in $(sed -n 's/^weak_alias(dummy_lockptr, \(__[a-z_]*_lockptr\));$/\1/p' src/process/fork.c); do
        edit src/process/fork.c "weak_alias(dummy_lockptr, $n);" "volatile int *const $n __attribute__((__weak__)) = 0;"
    done
    [ "$(grep -c 'weak_alias(dummy_lockptr' src/process/fork.c)" = 0 ] || die "fork.c still has lock-pointer aliases"
}

# CC=gcc: 2a2's (on PATH after stage 1's tcc `cc`). musl compiles itself with -nostdinc and its
# own headers, so 2a2's protomusl sysroot does not reach it. --syslibdir: the loader's name
# (ld-musl-x86_64.so.1) lives next to libc.so in this stage's prefix, never in the guest's /lib.
# --disable-wrapper: later stages point their compilers at this musl themselves.
# AR/RANLIB: 2a1's, deterministic archives.
do_configure() {
    CONFIG_SHELL=$ASH $ASH ./configure --prefix="$PREFIX" --syslibdir="$PREFIX/lib" \
        --disable-wrapper \
        CC=gcc CFLAGS=-O2 AR=ar RANLIB=ranlib \
        > configure.out 2>&1 || { cat configure.out; die "configure failed"; }
    cat configure.out
}

do_install() {
    install_destdir
    # musl installs the loader as an absolute symlink to $PREFIX/lib/libc.so; a relative one
    # names the same file and keeps working wherever the tree is mounted.
    [ "$(readlink lib/ld-musl-x86_64.so.1)" = "$PREFIX/lib/libc.so" ] || die "unexpected loader link"
    ln -sf libc.so lib/ld-musl-x86_64.so.1
    copy_to_out
}

# link_hello OUT LINKFLAGS...: hello.c compiled by 2a2's gcc against this musl (at /out, where
# the check sees it), with GCC's own startfiles and libgcc around musl's.
link_hello() {
    _out=$1; shift
    gcc -O2 -nostdinc -isystem /out/include -isystem "$(gcc -print-file-name=include)" -c -o hello.o hello.c
    gcc -nostdlib -o "$_out" "$@" /out/lib/crt1.o /out/lib/crti.o "$(gcc -print-file-name=crtbegin.o)" \
        hello.o -L/out/lib -lc "$(gcc -print-libgcc-file-name)" "$(gcc -print-file-name=crtend.o)" /out/lib/crtn.o
}

# A C program linked dynamically must run through this musl's loader (and name no other), and
# the same program linked statically must run too.
do_check() {
    mkdir /tmp/smoke
    cd /tmp/smoke
    cat > hello.c <<'EOC'
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int sum(int n, ...) {
    va_list ap; int s = 0;
    va_start(ap, n);
    while (n--) s += va_arg(ap, int);
    va_end(ap);
    return s;
}
int main(void) {
    char *p = malloc(64);
    snprintf(p, 64, "%d %s %.2f", sum(3, 20, 20, 2), "musl", 0.5);
    puts(p);
    return strcmp(p, "42 musl 0.50") != 0;
}
EOC
    link_hello hello-dynamic -Wl,--dynamic-linker=/out/lib/libc.so
    link_hello hello-static -static
    readelf -l hello-dynamic | grep -q 'interpreter: /out/lib/libc.so' || die "hello-dynamic names another loader"
    readelf -d hello-dynamic | grep -q 'NEEDED.*libc.so' || die "hello-dynamic does not need libc.so"
    if readelf -l hello-static | grep -q interpreter; then die "hello-static has an interpreter"; fi
    for p in hello-dynamic hello-static; do
        out=$(./$p)
        echo "$STAGE: smoke: $p: $out"
        [ "$out" = "42 musl 0.50" ] || die "$p printed '$out'"
    done
}

run_phases
