# Stage 2a9: LLVM 17.0.6's clang and lld, compiled by 2a5c's GCC 10 (static against 2a3's musl)
# with 2a7's cmake, 2a8's python and 2a0's make; then compiler-rt's builtins and crt files,
# libunwind, libc++abi and libc++, compiled by that clang and linked by that lld. The compiler of
# the later stages. Phases and the guest's rules: recipes/lib/build.sh; LLVM's: recipes/lib/llvm.sh.
# Configured and partly compiled natively (README: objects per minute); never built to the end,
# so no lock entry. Too big for a session: being split into 2a9a-llvm, 2a9b-clang, 2a9c-lld.
#
# Shape: one CMake configure of llvm/ with LLVM_ENABLE_PROJECTS=clang;lld and
# LLVM_ENABLE_RUNTIMES=compiler-rt;libcxx;libcxxabi;libunwind. GCC compiles only the projects:
# LLVM builds the runtimes as sub-builds (llvm/runtimes/CMakeLists.txt) that CMake configures at
# build time with the just-built clang, lld and llvm-ar (their targets are dependencies),
# compiler-rt's builtins first on their own, then the rest, so that every runtime is compiled by
# clang. Unlike ../shared/research/seed-chain.md §8 there is no second clang stage
# (CLANG_ENABLE_BOOTSTRAP: clang rebuilding itself against libc++): it would double the stage's
# time, and only clang's own binaries carry GCC's libstdc++ (static), never what clang compiles.
# The stage that rebuilds clang with this one (the core) removes GCC from the toolchain.
. /recipe-lib/build.sh
. /recipe-lib/llvm.sh
. /recipe-lib/clang-check.sh
STAGE=2a9-clang
# The projects and runtimes built here, and what LLVM's CMake reads besides them (cmake/: shared
# modules; runtimes/: the runtimes' top level).
LLVM_PARTS="llvm clang lld compiler-rt libcxx libcxxabi libunwind cmake runtimes"

# No replace_bin_sh: the build runs none of the tree's 222 executable files by path (scripts of
# scan-build, clang-format, compiler-rt's sanitizers, ...), and LLVM's CMake runs cmake/config.guess
# with `sh`, which is stage 1's busybox ash on PATH.
do_prepare() {
    # Dynamically linked programs are loaded by 2a3's musl, which sits in its store prefix (GCC 10
    # has the same edit).
    edit clang/lib/Driver/ToolChains/Linux.cpp 'return "/lib/ld-musl-" + ArchName + ".so.1";' \
        "return \"$MUSL/lib/libc.so\";"
}

# What is built and installed: LLVM's distribution targets (llvm/cmake/modules/
# LLVMDistributionSupport.cmake) build these components and what they need, not every LLVM tool
# (`all` would link some 80 static programs). The binutils-like tools are what the runtimes'
# sub-builds use (llvm-ar, -ranlib, -nm, -objdump, -objcopy, -strip, -readelf) and later stages
# may; llvm-ranlib, llvm-strip and llvm-readelf are links.
COMPONENTS="clang;clang-resource-headers;lld;llvm-ar;llvm-ranlib;llvm-nm;llvm-objcopy;llvm-strip"
COMPONENTS="$COMPONENTS;llvm-objdump;llvm-readobj;llvm-readelf;llvm-size;llvm-strings;builtins;runtimes"

# GCC's side: llvm.sh's llvm_cmake, and off: clang's static analyzer and ARC migrator (about 200
# files nothing here uses) and its plugins (a static clang cannot load them).
# What the clang defaults to, so that a plain `clang++ x.cpp` uses the LLVM runtime alone:
#   DEFAULT_SYSROOT: 2a3's musl, whose include/ and lib/ clang's Linux driver searches under a
#   sysroot (<sysroot>/include, <sysroot>/lib), as GCC 10's --with-sysroot does. Not C_INCLUDE_DIRS:
#   with it the driver leaves out its own resource headers on musl (Linux.cpp returns before
#   adding them), so <immintrin.h> and friends would be missing. The UAPI headers stay opt-in
#   (-idirafter), as with GCC 10.
#   compiler-rt (libgcc's place; its crtbegin.o/crtend.o too), libunwind, libc++, and lld (found
#   next to clang, as ld.lld).
#   CLANG_VENDOR: `clang --version` says "zilchboot clang version 17.0.6".
#   LLVM_ENABLE_PER_TARGET_RUNTIME_DIR (Linux's default in LLVM 17, stated): libc++ and friends
#   in lib/<triple>/, builtins in lib/clang/17/lib/<triple>/, both found by clang relative to its
#   own binary, so the installed tree works from /out (the checks) and from the store alike.
# The runtimes' side (compiled by the new clang; LIBCXX_*, LIBCXXABI_*, LIBUNWIND_* and
# COMPILER_RT_* are passed on to the sub-builds; their CMAKE_*_FLAGS through *_CMAKE_ARGS):
#   static libraries only, like libgcc and libstdc++ from GCC 10: a dynamic C++ program needs
#   only musl's libc.so. libc++.a carries libc++abi (LIBCXX_ENABLE_STATIC_ABI_LIBRARY), since the
#   driver links -lc++ alone; libunwind.a comes from the driver's -lunwind.
#   compiler-rt: the builtins and crt files for x86_64 only, none of its sanitizers or profilers.
#   libc++ is told it runs on musl, and reads <linux/futex.h>: the UAPI headers with -idirafter.
do_configure() {
    llvm_cmake llvm \
        -DLLVM_ENABLE_PROJECTS="clang;lld" \
        -DLLVM_ENABLE_RUNTIMES="compiler-rt;libcxx;libcxxabi;libunwind" \
        -DLLVM_ENABLE_PER_TARGET_RUNTIME_DIR=ON \
        -DCLANG_PLUGIN_SUPPORT=OFF \
        -DCLANG_ENABLE_STATIC_ANALYZER=OFF -DCLANG_ENABLE_ARCMT=OFF \
        -DCLANG_VENDOR=zilchboot -DCLANG_LINKS_TO_CREATE="clang++;clang-cpp" \
        -DDEFAULT_SYSROOT=$MUSL \
        -DCLANG_DEFAULT_RTLIB=compiler-rt -DCLANG_DEFAULT_UNWINDLIB=libunwind \
        -DCLANG_DEFAULT_CXX_STDLIB=libc++ -DCLANG_DEFAULT_LINKER=lld \
        -DLLVM_DISTRIBUTION_COMPONENTS="$COMPONENTS" \
        -DBUILTINS_CMAKE_ARGS="-DCMAKE_C_FLAGS=$MAP" \
        -DRUNTIMES_CMAKE_ARGS="-DCMAKE_C_FLAGS=$MAP -idirafter $HEADERS;-DCMAKE_CXX_FLAGS=$MAP -idirafter $HEADERS" \
        -DCOMPILER_RT_DEFAULT_TARGET_ONLY=ON -DCOMPILER_RT_USE_BUILTINS_LIBRARY=ON \
        -DCOMPILER_RT_BUILD_SANITIZERS=OFF -DCOMPILER_RT_BUILD_XRAY=OFF \
        -DCOMPILER_RT_BUILD_LIBFUZZER=OFF -DCOMPILER_RT_BUILD_PROFILE=OFF \
        -DCOMPILER_RT_BUILD_MEMPROF=OFF -DCOMPILER_RT_BUILD_ORC=OFF -DCOMPILER_RT_BUILD_GWP_ASAN=OFF \
        -DLIBUNWIND_ENABLE_SHARED=OFF -DLIBUNWIND_USE_COMPILER_RT=ON \
        -DLIBCXXABI_ENABLE_SHARED=OFF -DLIBCXXABI_USE_COMPILER_RT=ON -DLIBCXXABI_USE_LLVM_UNWINDER=ON \
        -DLIBCXX_ENABLE_SHARED=OFF -DLIBCXX_USE_COMPILER_RT=ON -DLIBCXX_CXX_ABI=libcxxabi \
        -DLIBCXX_ENABLE_STATIC_ABI_LIBRARY=ON -DLIBCXX_HAS_MUSL_LIBC=ON -DLIBCXX_INCLUDE_BENCHMARKS=OFF
}

# do_build and do_install: llvm.sh's (the distribution targets).

# The C and C++ smoke checks: clang-check.sh's clang_toolchain_check.
do_check() { clang_toolchain_check; }

run_phases
