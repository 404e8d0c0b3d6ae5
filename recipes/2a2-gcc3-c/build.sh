# Stage 2a2: GCC 3.4.6, C only, compiled by stage 1's tcc and linked statically against protomusl,
# with 2a1's binutils and 2a0's make. It is the first GCC of the chain and the C half of the bridge
# from tcc to C++: GCC 3.4.6 is written in C, and its C++ front end (stage 2a4) can build GCC 10.
# Why GCC 3.4.6 and not the seed's 4.7.4, and every pitfall met on the way:
# ../shared/research/gcc346-route.md. Phases: recipes/lib/build.sh; the shared GCC 3.4.6 part:
# recipes/lib/gcc3.sh.
. /recipe-lib/build.sh
. /recipe-lib/gcc3.sh
STAGE=2a2-gcc3-c
SYSROOT=/store/1-stage1/protomusl

do_prepare() { gcc3_prepare; }

# The top-level configure is autoconf 2.13: compilers and flags go in the environment (as
# arguments it takes them for host names). CC=cc is stage 1's tcc, linking statically; empty
# CFLAGS because tcc's -g would put build paths into the compiler. AR/RANLIB: 2a1's, which write
# deterministic archives. --with-as/--with-ld: the compiler runs 2a1's tools by absolute path,
# wherever PATH points later. --disable-shared: no shared libgcc (protomusl is static only).
# --disable-threads: GCC 3.4's gthr-posix decides on weak references to pthread names that musl
# does not export. --with-sysroot: headers and startfiles come from protomusl.
do_configure() {
    mkdir "$OBJ"
    cd "$OBJ"
    CONFIG_SHELL=$ASH SHELL=$ASH CC=cc CFLAGS= CFLAGS_FOR_BUILD= CFLAGS_FOR_TARGET=-O2 \
        AR=ar RANLIB=ranlib \
        $ASH "../$SRC/configure" \
            --prefix="$PREFIX" \
            --build=$TRIPLET --host=$TRIPLET --target=$TRIPLET \
            --with-sysroot="$SYSROOT" \
            --with-as="$BINUTILS/bin/as" --with-ld="$BINUTILS/bin/ld" \
            --enable-languages=c \
            --disable-shared --disable-threads --disable-nls --disable-multilib \
            > configure.out 2>&1 || { cat configure.out; die "configure failed"; }
    tail -n 3 configure.out
}

do_install() {
    cd "$OBJ"
    install_destdir
    symlink_copies bin gcc "$TRIPLET-gcc" "$TRIPLET-gcc-3.4.6"
    copy_to_out
}

# A static C program (varargs both ways: its own, and protomusl's printf) built by the installed
# compiler must run, and the compiler must report 3.4.6.
do_check() {
    v=$(/out/bin/gcc -dumpversion)
    [ "$v" = 3.4.6 ] || die "gcc -dumpversion says '$v', not 3.4.6"
    mkdir /tmp/smoke
    cd /tmp/smoke
    cat > hello.c <<'EOF'
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
static int sum(int n, ...) {
    va_list ap; int s = 0;
    va_start(ap, n);
    while (n--) s += va_arg(ap, int);
    va_end(ap);
    return s;
}
int main(void) {
    char buf[32];
    snprintf(buf, sizeof buf, "%d %s", sum(3, 20, 20, 2), "gcc3");
    puts(buf);
    return strcmp(buf, "42 gcc3") != 0;
}
EOF
    # protomusl was compiled by tcc, whose va_arg (and a few conversions) are calls into tcc's
    # runtime library: a program linked against it needs libtcc1.a after libc.
    /out/bin/gcc -O2 -static -o hello hello.c -lc /store/1-stage1/tinycc/lib/tcc/libtcc1.a
    out=$(./hello)
    echo "$STAGE: smoke: $out"
    [ "$out" = "42 gcc3" ] || die "the smoke program printed '$out'"
}

run_phases
