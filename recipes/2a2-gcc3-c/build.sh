# Stage 2a2: GCC 3.4.6, C only, compiled by stage 1's tcc and linked statically against protomusl,
# with 2a1's binutils and 2a0's make. It is the first GCC of the chain and the C half of the bridge
# from tcc to C++: GCC 3.4.6 is written in C, and its C++ front end (stage 2a4) can build GCC 10.
# Why GCC 3.4.6 and not the seed's 4.7.4, and every pitfall met on the way:
# ../shared/research/gcc346-route.md. Phases and the guest's rules: recipes/lib/build.sh.
. /recipe-lib/build.sh
STAGE=2a2-gcc3-c
SRC=gcc-h8300-hms-3.4.6+dfsg2
# GCC 3.4's config.sub knows no "musl" system, and config.guess would probe the host's libc: a
# fixed GNU triplet (the compiler's own name; the C library it targets is the sysroot's).
TRIPLET=x86_64-unknown-linux-gnu
SYSROOT=/store/1-stage1/protomusl
BINUTILS=/store/2a1-binutils
# GCC builds outside its source tree; the source is named relatively (../$SRC) so that __FILE__
# (in every fancy_abort call) never names /tmp.
OBJ=/tmp/gcc-obj

do_prepare() {
    replace_bin_sh $(find . -type f -perm -u+x)
    # Debian's repack has no gcc/doc/*.texi, so nothing that builds or installs the manuals can run.
    edit gcc/Makefile.in 'all.internal: start.encap rest.encap doc' 'all.internal: start.encap rest.encap'
    edit gcc/Makefile.in 'install-cpp install-man install-info install-@POSUB@' 'install-cpp install-@POSUB@'
    # The C library's headers sit at <sysroot>/include (protomusl's layout, like the seed's
    # --with-native-system-header-dir=/include, which GCC 3.4 does not have yet).
    edit gcc/Makefile.in 'NATIVE_SYSTEM_HEADER_DIR = /usr/include' 'NATIVE_SYSTEM_HEADER_DIR = /include'
    edit gcc/cppdefault.c '#define STANDARD_INCLUDE_DIR "/usr/include"' '#define STANDARD_INCLUDE_DIR "/include"'
    # No fixincludes: it would copy and "fix" the C library's headers into GCC's own include dir,
    # freezing protomusl's headers into this compiler; musl's headers need no fixing. Listed with
    # the targets that need none, fixinc.sh does nothing and GCC still installs its syslimits.h.
    edit gcc/fixinc/mkfixinc.sh '    alpha*-dec-*vms* | \' '    x86_64-*-linux* | alpha*-dec-*vms* | \'
    # libgcc is built with -g by default: debug info would carry build paths into libgcc.a.
    edit gcc/Makefile.in 'LIBGCC2_DEBUG_CFLAGS = -g' 'LIBGCC2_DEBUG_CFLAGS ='
    # The signal-frame unwinder names `struct ucontext` and `struct siginfo`, which musl (like
    # glibc >= 2.26) does not define; the POSIX typedefs are the same types.
    # collect2 unlinks the output of a failed link whatever it is: as root (every guest), a probe
    # like musl's configure `cc ... -o /dev/null` with a flag the linker refuses deletes /dev/null,
    # and later redirections then fill a regular file. Only regular files are deleted now.
    edit gcc/collect2.c '    unlink (file);' \
        '    { struct stat st; if (stat (file, &st) == 0 && S_ISREG (st.st_mode)) unlink (file); }'
    for f in gcc/config/i386/linux64.h gcc/config/i386/linux.h; do
        edit "$f" 'struct ucontext ' 'ucontext_t '
        edit "$f" 'struct siginfo ' 'siginfo_t '
    done
}

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

do_build() {
    cd "$OBJ"
    logged make mk -j"$JOBS" all
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
