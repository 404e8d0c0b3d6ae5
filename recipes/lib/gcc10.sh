# GCC 10.2.0, C and C++, for the 2a5 stages: one recipe, sourced after build.sh by each stage, which
# sets only who compiles it and how (each lists "lib": ["build.sh", "gcc10.sh", "smoke"], since the
# smoke checks read /recipe-lib/smoke):
#
#   . /recipe-lib/build.sh
#   . /recipe-lib/gcc10.sh
#   STAGE=2a5a-gcc10-o0
#   HOST_CC=gcc HOST_CXX=g++     # the compilers on PATH that build it
#   HOST_FLAGS=-O0               # their CFLAGS and CXXFLAGS
#   run_phases
#
# The result runs on and targets 2a3's musl: statically linked itself; the programs it builds load
# /store/2a3-musl/lib/libc.so and link libgcc and libstdc++ statically (no shared runtime to find).
# Sources: GCC 10.2.0 (Debian's DFSG repack) with GMP, MPFR and MPC built in its tree.
SRC=gcc-10.2.0
TARBALL=gcc-10.2.0-dfsg.tar.xz
TRIPLET=x86_64-linux-musl
MUSL=/store/2a3-musl
BINUTILS=/store/2a1-binutils
OBJ=/tmp/gcc-obj
# GCC and its libraries name /tmp/ themselves (temporary files): the leak check looks for the
# build trees, the DESTDIR and the sources share.
LEAK_STRINGS="/tmp/$SRC /tmp/gcc-obj /tmp/dest /sources/"

# in_tree TARBALL DIR NAME: unpacks one of GCC's libraries into the tree as NAME, where GCC's
# top-level build finds and builds it.
in_tree() {
    tar -xf "/sources/$1"
    [ -d "$2" ] || die "$1 did not unpack to $2"
    mv "$2" "$SRC/$3"
}

do_unpack() {
    default_unpack
    in_tree gmp_6.2.1+dfsg.orig.tar.xz gmp-6.2.1+dfsg gmp
    in_tree mpfr-4.2.0.tar.xz mpfr-4.2.0 mpfr
    in_tree mpc-1.3.1.tar.gz mpc-1.3.1 mpc
}

do_prepare() {
    # Scripts the build runs directly; exec-tool.in becomes the as/ld/nm wrappers in the build tree.
    replace_bin_sh $(find . -type f -perm -u+x) gcc/exec-tool.in
    # Dynamically linked programs are loaded by 2a3's musl, which sits in its store prefix.
    edit gcc/config/i386/linux64.h '#define MUSL_DYNAMIC_LINKER64 "/lib/ld-musl-x86_64.so.1"' \
        "#define MUSL_DYNAMIC_LINKER64 \"$MUSL/lib/libc.so\""
    # Without multilib the x86_64 libraries would go to (and be searched in) ../lib64; musl and
    # this prefix use lib/.
    edit gcc/config/i386/t-linux64 'MULTILIB_OSDIRNAMES = m64=../lib64' 'MULTILIB_OSDIRNAMES = m64=../lib'
    # libgcc is built with -g by default: debug info would carry build paths into libgcc.a.
    edit libgcc/Makefile.in 'LIBGCC2_DEBUG_CFLAGS = -g' 'LIBGCC2_DEBUG_CFLAGS ='
}

# --with-sysroot + --with-native-system-header-dir: headers and startfiles are 2a3's musl (its
# include/ and lib/). --with-as/--with-ld/--with-build-time-tools: 2a1's binutils by absolute path.
# LDFLAGS=-static: the compiler's own programs need no loader. Target libraries at -O2 without
# -g (debug info names build paths). --disable-shared: static libgcc and libstdc++ only.
# Off: bootstrap (the 2a5 stages are the bootstrap, each a stage of its own), multilib, LTO and
# plugins, the sanitizers and the other runtime libraries nothing later needs, NLS, isl.
do_configure() {
    mkdir "$OBJ"
    cd "$OBJ"
    CONFIG_SHELL=$ASH SHELL=$ASH \
    CC="$HOST_CC" CXX="$HOST_CXX" CFLAGS="$HOST_FLAGS" CXXFLAGS="$HOST_FLAGS" LDFLAGS=-static \
    CFLAGS_FOR_TARGET=-O2 CXXFLAGS_FOR_TARGET=-O2 \
        $ASH "../$SRC/configure" \
            --prefix="$PREFIX" \
            --build=$TRIPLET --host=$TRIPLET --target=$TRIPLET \
            --with-sysroot="$MUSL" --with-native-system-header-dir=/include \
            --with-build-time-tools="$BINUTILS/bin" \
            --with-as="$BINUTILS/bin/as" --with-ld="$BINUTILS/bin/ld" \
            --enable-languages=c,c++ \
            --disable-bootstrap --disable-multilib --disable-shared \
            --disable-lto --disable-plugin --without-isl --disable-nls \
            --disable-libsanitizer --disable-libquadmath --disable-libgomp --disable-libssp \
            --disable-libvtv --disable-libitm --disable-libatomic --disable-libstdcxx-pch \
            --disable-fixed-point --disable-cet --disable-gnu-unique-object --disable-gcov \
            MAKEINFO=true \
            > configure.out 2>&1 || { cat configure.out; die "configure failed"; }
    tail -n 3 configure.out
}

do_build() {
    cd "$OBJ"
    logged make mk -j"$JOBS" all MAKEINFO=true
}

do_install() {
    cd "$OBJ"
    # Debian's repack has no hook documentation in doc/tm.texi.in, so regenerating tm.texi (which
    # install asks for) fails; the manual is not installed anyway.
    echo timestamp > gcc/s-tm-texi
    logged make-install mk install DESTDIR="$DEST" MAKEINFO=true
    cd "$DEST$PREFIX"
    symlink_copies bin gcc "$TRIPLET-gcc" "$TRIPLET-gcc-10.2.0" gcc-ar gcc-nm gcc-ranlib
    symlink_copies bin g++ c++ "$TRIPLET-g++" "$TRIPLET-c++"
    rm -f lib/*.la lib64/*.la
    # Manuals and the (empty) plugin and install-tools dirs: nothing later reads them.
    rm -rf share/info share/man
    copy_to_out
}

# C (static and dynamic), C++98 and C++17 at -O2 (static and dynamic through 2a3's loader) must
# run from the installed compilers.
default_check_gcc10() {
    v=$(/out/bin/g++ -dumpversion)
    [ "$v" = 10.2.0 ] || die "g++ -dumpversion says '$v', not 10.2.0"
    mkdir /tmp/smoke
    cd /tmp/smoke
    printf '#include <stdio.h>\nint main(void) { printf("%%s %%d\\n", "c", 42); return 0; }\n' > hello.c
    for link in -static ""; do
        /out/bin/gcc -O2 $link -o hello-c hello.c
        /out/bin/g++ -O2 $link -o cxx98 /recipe-lib/smoke/cxx98.cpp
        /out/bin/g++ -std=c++17 -O2 $link -o cxx17 /recipe-lib/smoke/cxx17.cpp
        for p in hello-c cxx98 cxx17; do
            out=$(./$p) || die "$p ${link:-dynamic} failed: $out"
            echo "$STAGE: smoke: $p ${link:-(dynamic)}: $out"
        done
        [ "$(./hello-c)" = "c 42" ] || die "hello-c printed the wrong line"
        if [ -z "$link" ]; then
            readelf -l cxx17 | grep -q "interpreter: $MUSL/lib/libc.so" || die "cxx17 names another loader"
        fi
    done
}
do_check() { default_check_gcc10; }
