# Stage 2a7: CMake 3.25.1, bootstrapped by 2a5c's GCC 10 and 2a0's make, static against 2a3's
# musl: LLVM's build tool. Phases and the guest's rules: recipes/lib/build.sh.
. /recipe-lib/build.sh
STAGE=2a7-cmake
SRC=cmake-3.25.1
HEADERS=/store/2a6-linux-headers/include
# Not the default "/tmp/ /sources/": cmake itself holds "/tmp/" (its temporary-file code), and its
# modules name "${CMAKE_ANDROID_NDK}/sources/cxx-stl" and "/path/to/boost/sources/". A leak would
# name the build tree, the DESTDIR or this source's file in the sources share.
LEAK_STRINGS="/tmp/$SRC /tmp/dest /sources/$SRC"

do_prepare() {
    # CMake's Makefile generator writes "SHELL = /bin/sh" into every Makefile it makes, and its
    # try_compile checks run make on such Makefiles; the guest has no /bin/sh. With a comment in
    # its place, make runs recipes with its own default shell (/bin/sh for a stock make, ash for
    # 2a0's), as it does for any Makefile that does not set SHELL.
    edit Source/cmLocalUnixMakefileGenerator3.cxx '<< "SHELL = /bin/sh\n"' '<< "# SHELL: the default of make\n"'
}

# bootstrap builds a minimal cmake with the compilers alone, then configures the real one with it
# (bundled zlib, curl, libarchive, libuv, ... by default). CC/CXX: GCC 10 by name. -idirafter: the
#   UAPI headers, searched after musl's (kwsys includes <linux/fs.h> on Linux; libarchive probes
#   for it).
#   -ffile-prefix-map: CMake compiles by absolute path, and __FILE__ (CTest, CPack, kwsys messages)
#   would name the build tree. LDFLAGS=-static: no loader needed, like every tool of the chain.
# Release (bootstrap's default): -O3 -DNDEBUG, no -g.
# Off: OpenSSL (no such library; file(DOWNLOAD) keeps plain http), the curses dialog, the tests.
do_configure() {
    flags="-idirafter $HEADERS -ffile-prefix-map=$BUILD=."
    logged bootstrap env CC=gcc CXX=g++ CFLAGS="$flags" CXXFLAGS="$flags" LDFLAGS=-static \
        "$ASH" ./bootstrap --prefix="$PREFIX" --parallel="$JOBS" --no-qt-gui -- \
            -DCMAKE_USE_OPENSSL=OFF -DBUILD_CursesDialog=OFF -DBUILD_TESTING=OFF
    tail -n 3 bootstrap.out
}

# install/strip: the binaries without symbols (like binutils' strip, deterministic).
do_install() {
    logged make-install mk install/strip DESTDIR="$DEST"
    cd "$DEST$PREFIX"
    copy_to_out
}

# The installed cmake must configure the smoke project (compiler detection runs try_compile
# through make), generate Makefiles that plain make runs without /bin/sh, and build a program that
# links a static library and runs.
do_check() {
    v=$(/out/bin/cmake --version | head -n 1)
    echo "$STAGE: $v"
    [ "$v" = "cmake version 3.25.1" ] || die "cmake --version says '$v'"
    /out/bin/ctest --version | grep -q 3.25.1 || die "ctest is not 3.25.1"
    /out/bin/cpack --version | grep -q 3.25.1 || die "cpack is not 3.25.1"
    mkdir /tmp/smoke
    cd /tmp/smoke
    logged smoke-configure /out/bin/cmake -G "Unix Makefiles" -DCMAKE_C_COMPILER=gcc /recipe/smoke
    ! grep -q '/bin/sh' Makefile || die "the generated Makefile names /bin/sh"
    logged smoke-build make
    out=$(./hello)
    echo "$STAGE: smoke: $out"
    [ "$out" = "hello, cmake" ] || die "the smoke program printed '$out'"
}

run_phases
