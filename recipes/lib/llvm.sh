# LLVM 17.0.6 for the 2a9 stages, sourced after build.sh by each (its "lib" lists "llvm.sh"): the
# source, where it builds, the settings every part compiled by 2a5c's GCC 10 shares, and the
# unpack of only the parts a stage reads. Each stage then configures one CMake project (llvm/,
# clang/, lld/ or runtimes/) with llvm_cmake and its own flags:
#
#   . /recipe-lib/build.sh
#   . /recipe-lib/llvm.sh
#   STAGE=2a9a-llvm
#   LLVM_PARTS="llvm cmake third-party"
#   do_configure() { llvm_cmake llvm -DLLVM_...; }
#   run_phases
SRC=llvm-toolchain-17_17.0.6
TARBALL=llvm-toolchain-17_17.0.6.orig.tar.xz
# GCC's x86_64-linux-musl in LLVM's normalised spelling: baked into llvm-config.h as the host and
# default target, and the directory name of the per-target runtime libraries.
TRIPLE=x86_64-unknown-linux-musl
MUSL=/store/2a3-musl
HEADERS=/store/2a6-linux-headers/include
OBJ=/tmp/llvm-obj
# Both compilers map the source and build trees away, so __FILE__ (LLVM's fatal errors and
# assertion texts, compiler-rt's abort messages) names no build path.
MAP="-ffile-prefix-map=/tmp/$SRC=. -ffile-prefix-map=$OBJ=."
# musl's tmpfile() and tmpnam() hold "/tmp/tmpfile_XXXXXX" and "/tmp/tmpnam_XXXXXX", and the static
# programs may link them: the leak check looks for the build trees, the DESTDIR and the sources share.
LEAK_STRINGS="/tmp/$SRC $OBJ /tmp/dest /sources/"

# Only the parts named in LLVM_PARTS (top-level directories of the archive), without their test/
# and unittests/ trees (about 85% of the files; nothing reads them with the tests off). busybox tar
# matches a pattern against as many leading path components as it has, and fails on a member it
# did not find.
do_unpack() {
    [ -n "$LLVM_PARTS" ] || die "set LLVM_PARTS (the parts of the archive this stage reads)"
    set --
    for part in $LLVM_PARTS; do set -- "$@" "$SRC/$part"; done
    tar -x -f "/sources/$TARBALL" --exclude="$SRC/*/test" --exclude="$SRC/*/unittests" "$@"
    [ -d "$SRC/cmake" ] || die "$TARBALL did not unpack to /tmp/$SRC"
}

# llvm_cmake PROJECT FLAGS...: configures /tmp/$SRC/PROJECT in $OBJ for GCC 10, then FLAGS.
#   -O2 instead of Release's -O3, as for GCC 10 itself: less compile time. NDEBUG: no assertions.
#   -idirafter: the UAPI headers, searched after musl's (LLVM's Support reads <linux/magic.h>).
#   Static programs, like every tool of the chain.
#   Off: zlib, zstd, libxml2, terminfo, libedit, libpfm (none exists here), plugins (a static
#   program cannot load them), threads (lld and LLVM then never depend on the number of CPUs),
#   the version-control revision, tests, benchmarks, examples and docs.
#   LLVM_TARGETS_TO_BUILD=X86: the only target of the chain (read by the standalone projects from
#   the installed LLVM's CMake package).
#   CMAKE_SKIP_RPATH: a static program has no dynamic section, so the RPATH ($ORIGIN/../lib) that
#   LLVM gives its tools cannot be set at install ("RPATH_CHANGE could not write new RPATH …: No
#   valid ELF RPATH or RUNPATH entry exists", 2a9a's first run); with it CMake handles none.
llvm_cmake() {
    _project=$1; shift
    mkdir -p "$OBJ"
    cd "$OBJ"
    logged configure cmake -G "Unix Makefiles" -S "$BUILD/$_project" -B "$OBJ" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" \
        -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
        -DCMAKE_C_FLAGS="$MAP -idirafter $HEADERS" -DCMAKE_CXX_FLAGS="$MAP -idirafter $HEADERS" \
        -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
        -DCMAKE_EXE_LINKER_FLAGS=-static -DCMAKE_SKIP_RPATH=ON \
        -DLLVM_TARGETS_TO_BUILD=X86 \
        -DLLVM_HOST_TRIPLE=$TRIPLE -DLLVM_DEFAULT_TARGET_TRIPLE=$TRIPLE \
        -DLLVM_INCLUDE_TESTS=OFF -DLLVM_INCLUDE_BENCHMARKS=OFF \
        -DLLVM_INCLUDE_EXAMPLES=OFF -DLLVM_INCLUDE_DOCS=OFF \
        -DLLVM_ENABLE_ZLIB=OFF -DLLVM_ENABLE_ZSTD=OFF -DLLVM_ENABLE_LIBXML2=OFF \
        -DLLVM_ENABLE_TERMINFO=OFF -DLLVM_ENABLE_LIBEDIT=OFF -DLLVM_ENABLE_LIBPFM=OFF \
        -DLLVM_ENABLE_PLUGINS=OFF -DLLVM_ENABLE_THREADS=OFF -DLLVM_APPEND_VC_REV=OFF \
        "$@"
    tail -n 3 configure.out
}

# LLVM's distribution targets (llvm/cmake/modules/LLVMDistributionSupport.cmake): build the listed
# components and what they need, install them; -stripped: programs without symbols (CMake's
# strip, 2a1's; static libraries are not stripped). Some sub-builds install through cmake scripts
# that read DESTDIR from the environment, hence the export.
llvm_build_distribution() {
    cd "$OBJ"
    logged make mk -j"$JOBS" distribution
}
llvm_install_distribution() {
    cd "$OBJ"
    export DESTDIR="$DEST"
    logged make-install mk install-distribution-stripped
    unset DESTDIR
    cd "$DEST$PREFIX"
}
do_build() { llvm_build_distribution; }
do_install() { llvm_install_distribution; copy_to_out; }
