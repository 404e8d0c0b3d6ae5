# Stage 2a9c: lld and the LLVM runtimes, and the merged toolchain. WRITTEN, NOT RUN YET (2a9b is
# not built): expect to debug its configure steps on the first run.
#
# clang finds its runtimes relative to its own binary (the resource directory lib/clang/17 and
# lib/<triple>), and 2a9b's store path is read-only, so this stage's output is the whole toolchain:
# 2a9b's tree copied into the install tree first, lld installed beside clang (ld.lld), then the
# runtimes compiled by that very clang (from the install tree, so it finds what is installed
# there so far) and installed into the same tree; 2a9a's binutils-like tools are copied too, so
# that one bin/ serves later stages. Phases: recipes/lib/build.sh; LLVM's: recipes/lib/llvm.sh.
. /recipe-lib/build.sh
. /recipe-lib/llvm.sh
. /recipe-lib/clang-check.sh
STAGE=2a9c-lld-runtimes
LLVM=/store/2a9a-llvm
CLANG=/store/2a9b-clang
# lld/ (with libunwind/include, which lld's Mach-O port reads), the runtimes, runtimes/ (their top
# level) and llvm/cmake (the CMake modules compiler-rt and runtimes/ read from ../llvm).
LLVM_PARTS="lld libunwind compiler-rt libcxx libcxxabi runtimes cmake llvm/cmake"
TOOLS="llvm-ar llvm-ranlib llvm-nm llvm-objcopy llvm-strip llvm-objdump llvm-readobj llvm-readelf llvm-size llvm-strings"

# lld, by GCC 10, standalone against 2a9a; then the merged tree begins as 2a9b's.
do_configure() {
    llvm_cmake lld -DLLVM_DIR=$LLVM/lib/cmake/llvm -DLLVM_TABLEGEN_EXE=$LLVM/bin/llvm-tblgen \
        -DLLVM_DISTRIBUTION_COMPONENTS=lld
}

do_build() {
    llvm_build_distribution
}

# The runtimes' compilers are the merged tree's clang, which links with the lld beside it.
# CMAKE_*_COMPILER_WORKS: CMake's first check links a program, which needs the very libraries
# being built (LLVM's own runtimes build passes the same to its sub-builds for the just-built
# clang); runtimes/ then checks flags with --unwindlib=none and -nostdlib++ itself.
# Tests and docs off: runtimes/ defaults LLVM_INCLUDE_TESTS to ON and would then want
# llvm/utils/llvm-lit and the test trees, which the unpack leaves out.
runtime_cmake() {
    _src=$1 _obj=$2; shift 2
    mkdir -p "$_obj"
    cd "$_obj"
    logged configure cmake -G "Unix Makefiles" -S "$BUILD/$_src" -B "$_obj" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" \
        -DCMAKE_C_COMPILER="$DEST$PREFIX/bin/clang" -DCMAKE_CXX_COMPILER="$DEST$PREFIX/bin/clang++" \
        -DCMAKE_ASM_COMPILER="$DEST$PREFIX/bin/clang" \
        -DCMAKE_AR="$LLVM/bin/llvm-ar" -DCMAKE_RANLIB="$LLVM/bin/llvm-ranlib" -DCMAKE_NM="$LLVM/bin/llvm-nm" \
        -DCMAKE_C_COMPILER_WORKS=ON -DCMAKE_CXX_COMPILER_WORKS=ON -DCMAKE_ASM_COMPILER_WORKS=ON \
        -DCMAKE_C_COMPILER_TARGET=$TRIPLE -DCMAKE_CXX_COMPILER_TARGET=$TRIPLE -DCMAKE_ASM_COMPILER_TARGET=$TRIPLE \
        -DCMAKE_C_FLAGS="$MAP -ffile-prefix-map=$_obj=. -idirafter $HEADERS" \
        -DCMAKE_CXX_FLAGS="$MAP -ffile-prefix-map=$_obj=. -idirafter $HEADERS" \
        -DLLVM_ENABLE_PER_TARGET_RUNTIME_DIR=ON \
        -DLLVM_INCLUDE_TESTS=OFF -DLLVM_INCLUDE_DOCS=OFF \
        "$@"
    tail -n 3 configure.out
    logged build mk -j"$JOBS"
    export DESTDIR="$DEST"
    logged install mk install
    unset DESTDIR
}

# lld into the tree that starts as 2a9b's; then the runtimes:
#   compiler-rt: the builtins and crt files for x86_64 only (none of its sanitizers or
#   profilers), configured against 2a9a's CMake package (LLVM_CMAKE_DIR: without it compiler-rt
#   falls back to a mock configuration meant for generating tests); its flag checks compile
#   without linking (CMAKE_TRY_COMPILE_TARGET_TYPE), since a link needs the very builtins and crt
#   files it builds; in clang's resource directory (lib/clang/17/lib/<triple>/), where the driver
#   looks for libclang_rt.builtins.a and clang_rt.crtbegin.o;
#   libunwind, libc++abi, libc++: static libraries only, like libgcc and libstdc++ from GCC 10,
#   so a dynamic C++ program needs only musl's libc.so. libc++.a carries libc++abi
#   (LIBCXX_ENABLE_STATIC_ABI_LIBRARY), since the driver links -lc++ alone; libunwind.a comes from
#   the driver's -lunwind. libc++ is told it runs on musl, and reads <linux/futex.h>.
do_install() {
    mkdir -p "$DEST$PREFIX"
    cp -R "$CLANG/." "$DEST$PREFIX/"
    chmod -R u+w "$DEST$PREFIX"
    llvm_install_distribution
    for tool in $TOOLS; do cp -P "$LLVM/bin/$tool" "$DEST$PREFIX/bin/$tool"; done
    lap lld
    runtime_cmake compiler-rt /tmp/builtins-obj \
        -DLLVM_CMAKE_DIR=$LLVM -DCOMPILER_RT_INCLUDE_TESTS=OFF \
        -DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY \
        -DCOMPILER_RT_INSTALL_PATH=lib/clang/17 \
        -DCOMPILER_RT_DEFAULT_TARGET_ONLY=ON \
        -DCOMPILER_RT_BUILD_BUILTINS=ON -DCOMPILER_RT_BUILD_CRT=ON \
        -DCOMPILER_RT_BUILD_SANITIZERS=OFF -DCOMPILER_RT_BUILD_XRAY=OFF \
        -DCOMPILER_RT_BUILD_LIBFUZZER=OFF -DCOMPILER_RT_BUILD_PROFILE=OFF \
        -DCOMPILER_RT_BUILD_MEMPROF=OFF -DCOMPILER_RT_BUILD_ORC=OFF -DCOMPILER_RT_BUILD_GWP_ASAN=OFF
    lap compiler-rt
    runtime_cmake runtimes /tmp/runtimes-obj \
        -DLLVM_ENABLE_RUNTIMES="libunwind;libcxxabi;libcxx" \
        -DLIBUNWIND_ENABLE_SHARED=OFF -DLIBUNWIND_USE_COMPILER_RT=ON \
        -DLIBCXXABI_ENABLE_SHARED=OFF -DLIBCXXABI_USE_COMPILER_RT=ON -DLIBCXXABI_USE_LLVM_UNWINDER=ON \
        -DLIBCXX_ENABLE_SHARED=OFF -DLIBCXX_USE_COMPILER_RT=ON -DLIBCXX_CXX_ABI=libcxxabi \
        -DLIBCXX_ENABLE_STATIC_ABI_LIBRARY=ON -DLIBCXX_HAS_MUSL_LIBC=ON -DLIBCXX_INCLUDE_BENCHMARKS=OFF
    lap runtimes
    cd "$DEST$PREFIX"
    copy_to_out
}

# The C and C++ smoke checks: clang-check.sh's clang_toolchain_check.
do_check() { clang_toolchain_check; }

run_phases
