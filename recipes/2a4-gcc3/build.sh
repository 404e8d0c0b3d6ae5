# Stage 2a4: GCC 3.4.6 with C and C++ (libstdc++), compiled by 2a2's GCC 3.4.6 and linked
# statically against 2a3's musl; it targets 2a3's musl (dynamic programs load
# /store/2a3-musl/lib/libc.so). Its g++ is the C++ compiler that builds GCC 10 (stage 2a5).
# Route and pitfalls: ../shared/research/gcc346-route.md. Phases: recipes/lib/build.sh; the shared
# GCC 3.4.6 part: recipes/lib/gcc3.sh.
. /recipe-lib/build.sh
. /recipe-lib/gcc3.sh
STAGE=2a4-gcc3
MUSL=/store/2a3-musl
WRAP=/tmp/wrappers

do_prepare() {
    gcc3_prepare
    # Dynamically linked programs are loaded by 2a3's musl, not glibc's loader.
    edit gcc/config/i386/linux64.h '-dynamic-linker /lib64/ld-linux-x86-64.so.2' "-dynamic-linker $MUSL/lib/libc.so"
    # libstdc++'s gnu-linux OS layer uses glibc's ctype internals; the generic one fits musl.
    edit libstdc++-v3/configure.host 'os_include_dir="os/gnu-linux"' 'os_include_dir="os/generic"'
}

# The host compiler: 2a2's gcc pointed at 2a3's musl instead of its own protomusl sysroot (GCC 3.4
# has no --sysroot option), linking statically. GCC's own headers first, then musl's.
write_wrapper() {
    mkdir -p "$WRAP"
    gccinc=$(/store/2a2-gcc3-c/bin/gcc -print-file-name=include)
    cat > "$WRAP/cc" <<EOW
#!$ASH
exec /store/2a2-gcc3-c/bin/gcc -static -nostdinc -isystem $gccinc -isystem $MUSL/include -B$MUSL/lib/ -L$MUSL/lib "\$@"
EOW
    chmod 755 "$WRAP/cc"
}

# Autoconf 2.13 at the top: compilers and flags in the environment. --with-sysroot: the new
# compiler's headers and startfiles are 2a3's. --disable-shared: static libgcc and libstdc++ (no
# libgcc_s to find at run time). --disable-threads, --enable-clocale=generic: see the route's §6.
# --enable-__cxa_atexit: musl has it, and C++ static destructors then run in the right order.
# --disable-libstdcxx-pch: precompiled headers are large and nothing here needs them.
# CXXFLAGS: the top level hands it to libstdc++ (its default, "-g -O2", would put the build tree
# into the library's debug info). -frandom-seed: g++ 3.4 names each anonymous namespace after the
# file plus a random number unless given a seed; the file name keeps the names distinct.
do_configure() {
    write_wrapper
    mkdir "$OBJ"
    cd "$OBJ"
    CONFIG_SHELL=$ASH SHELL=$ASH CC="$WRAP/cc" CFLAGS=-O2 CFLAGS_FOR_BUILD=-O2 \
        CXXFLAGS="-O2 -frandom-seed=gcc3" AR=ar RANLIB=ranlib \
        $ASH "../$SRC/configure" \
            --prefix="$PREFIX" \
            --build=$TRIPLET --host=$TRIPLET --target=$TRIPLET \
            --with-sysroot="$MUSL" \
            --with-as="$BINUTILS/bin/as" --with-ld="$BINUTILS/bin/ld" \
            --enable-languages=c,c++ \
            --disable-shared --disable-threads --disable-nls --disable-multilib \
            --enable-clocale=generic --enable-__cxa_atexit --disable-libstdcxx-pch \
            > configure.out 2>&1 || { cat configure.out; die "configure failed"; }
    tail -n 3 configure.out
}

do_install() {
    cd "$OBJ"
    install_destdir
    symlink_copies bin gcc "$TRIPLET-gcc" "$TRIPLET-gcc-3.4.6"
    symlink_copies bin g++ c++ "$TRIPLET-g++" "$TRIPLET-c++"
    # libtool's .la files name the build tree, and nothing reads them.
    rm -f lib/*.la lib64/*.la
    copy_to_out
}

# C and C++ (templates, iostream, exceptions), each linked statically and dynamically (through
# 2a3's loader), must run from the installed compilers.
do_check() {
    v=$(/out/bin/g++ -dumpversion)
    [ "$v" = 3.4.6 ] || die "g++ -dumpversion says '$v', not 3.4.6"
    mkdir /tmp/smoke
    cd /tmp/smoke
    printf '#include <stdio.h>\nint main(void) { printf("%%s %%d\\n", "c", 42); return 0; }\n' > hello.c
    for link in -static ""; do
        /out/bin/gcc -O2 $link -o hello-c hello.c
        /out/bin/g++ -O2 $link -o hello-cxx /recipe-lib/smoke/cxx98.cpp
        for p in hello-c hello-cxx; do
            out=$(./$p) || die "$p ${link:-dynamic} failed: $out"
            echo "$STAGE: smoke: $p ${link:-(dynamic)}: $out"
        done
        [ "$(./hello-c)" = "c 42" ] || die "hello-c printed the wrong line"
        if [ -z "$link" ]; then
            readelf -l hello-cxx | grep -q "interpreter: $MUSL/lib/libc.so" || die "hello-cxx names another loader"
        fi
    done
}

run_phases
