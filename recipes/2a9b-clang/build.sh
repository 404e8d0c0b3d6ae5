# Stage 2a9b: clang 17.0.6 alone, built standalone against 2a9a's LLVM by 2a5c's GCC 10, as
# nixpkgs builds its clang against its libllvm. lld and the runtimes follow in 2a9c, whose output
# is the merged toolchain (clang finds its runtimes relative to its own binary). Phases and the
# guest's rules: recipes/lib/build.sh; the GCC-side LLVM settings: recipes/lib/llvm.sh.
. /recipe-lib/build.sh
. /recipe-lib/llvm.sh
STAGE=2a9b-clang
LLVM=/store/2a9a-llvm
# clang/ and the shared CMake modules; LLVM's own CMake modules come with 2a9a's package.
LLVM_PARTS="clang cmake"

do_prepare() {
    # Dynamically linked programs are loaded by 2a3's musl, which sits in its store prefix (GCC 10
    # has the same edit).
    edit clang/lib/Driver/ToolChains/Linux.cpp 'return "/lib/ld-musl-" + ArchName + ".so.1";' \
        "return \"$MUSL/lib/libc.so\";"
}

# Standalone: LLVM_DIR names 2a9a's CMake package, and its llvm-tblgen is named too (clang's
# CMake would find it there, stated). clang-tblgen is built here and used, not installed.
# Off: the static analyzer and ARC migrator (about 200 files nothing here uses) and plugins (a
# static clang cannot load them).
# What the clang defaults to, so that a plain `clang++ x.cpp` uses the LLVM runtime alone:
#   DEFAULT_SYSROOT: 2a3's musl, whose include/ and lib/ clang's Linux driver searches under a
#   sysroot (<sysroot>/include, <sysroot>/lib), as GCC 10's --with-sysroot does. Not C_INCLUDE_DIRS:
#   with it the driver leaves out its own resource headers on musl (Linux.cpp returns before
#   adding them), so <immintrin.h> and friends would be missing. The UAPI headers stay opt-in
#   (-idirafter), as with GCC 10.
#   compiler-rt (libgcc's place; its crtbegin.o/crtend.o too), libunwind, libc++, and lld (found
#   next to clang, as ld.lld): all from 2a9c.
#   CLANG_VENDOR: `clang --version` says "zilchboot clang version 17.0.6".
# Distribution components: the clang program (with the links below) and its resource headers
# (lib/clang/17/include).
do_configure() {
    llvm_cmake clang \
        -DLLVM_DIR=$LLVM/lib/cmake/llvm -DLLVM_TABLEGEN_EXE=$LLVM/bin/llvm-tblgen \
        -DCLANG_ENABLE_STATIC_ANALYZER=OFF -DCLANG_ENABLE_ARCMT=OFF -DCLANG_PLUGIN_SUPPORT=OFF \
        -DCLANG_VENDOR=zilchboot -DCLANG_LINKS_TO_CREATE="clang++;clang-cpp" \
        -DDEFAULT_SYSROOT=$MUSL \
        -DCLANG_DEFAULT_RTLIB=compiler-rt -DCLANG_DEFAULT_UNWINDLIB=libunwind \
        -DCLANG_DEFAULT_CXX_STDLIB=libc++ -DCLANG_DEFAULT_LINKER=lld \
        -DLLVM_DISTRIBUTION_COMPONENTS="clang;clang-resource-headers"
}

# What a clang without its runtimes can show: its identity, its default target, musl's headers
# under the sysroot with the resource headers before them, and x86_64 objects from C and C++
# (2a9a's llvm-nm reads them). Linking needs lld and the runtimes: 2a9c checks that.
do_check() {
    v=$(/out/bin/clang --version | head -n 1)
    echo "$STAGE: $v"
    case $v in "zilchboot clang version 17.0.6"*) ;; *) die "clang --version says '$v'" ;; esac
    /out/bin/clang --version | grep -qx "Target: $TRIPLE" || die "clang's default target is not $TRIPLE"
    mkdir /tmp/check
    cd /tmp/check
    printf '#include <stdio.h>\n#include <immintrin.h>\nint main(void) { printf("%%s %%d\\n", "c", 42); return 0; }\n' > hello.c
    /out/bin/clang -E hello.c > hello.i
    grep -q "$MUSL/include/stdio.h" hello.i || die "clang did not read musl's stdio.h"
    grep -q "lib/clang/17/include/immintrin.h" hello.i || die "clang did not read its own immintrin.h"
    /out/bin/clang -O2 -c hello.c -o hello.o
    $LLVM/bin/llvm-nm hello.o | grep -q ' T main' || die "hello.o has no main"
    $LLVM/bin/llvm-readelf -h hello.o | grep -q 'X86-64' || die "hello.o is not an x86_64 object"
    printf 'template <typename T> T twice(T x) { return x + x; }\nint answer() { return twice(21); }\n' > t.cpp
    /out/bin/clang++ -std=c++17 -O2 -c t.cpp -o t.o
    $LLVM/bin/llvm-nm t.o | grep -q ' T _Z6answerv' || die "t.o has no answer()"
    echo "$STAGE: check: preprocesses against musl, compiles C and C++ objects"
}

run_phases
