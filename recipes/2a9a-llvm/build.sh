# Stage 2a9a: LLVM 17.0.6 itself, compiled by 2a5c's GCC 10: the first of LLVM's three stages, split
# as nixpkgs' llvmPackages splits them (libllvm, then clang and lld built standalone against it),
# so that each builds in a session (README: the 70-minute rule; the single 2a9 stage was measured
# at about 2.5 h). Phases and the guest's rules: recipes/lib/build.sh; the GCC-side LLVM settings:
# recipes/lib/llvm.sh.
. /recipe-lib/build.sh
. /recipe-lib/llvm.sh
. /recipe-lib/llvm-distribution.sh
. /recipe-lib/checkpoint.sh
STAGE=2a9a-llvm
# llvm/ and the shared CMake modules; nothing else is read with tests and benchmarks off.
LLVM_PARTS="llvm cmake"

# The libraries, tools and components: recipes/lib/llvm-distribution.sh. Configured and compiled up
# to the Analysis libraries and TransformUtils by 2a9a0 (a build-tree checkpoint: 88 min for the
# whole compile, over the 70-minute rule); here the rest (the other Transforms, CodeGen,
# SelectionDAG, GlobalISel, AsmPrinter, X86's code generator, LTO, Passes, the tools), then the
# install.
do_configure() { checkpoint_resume 2a9a0-llvm-objects "$OBJ"; }

# The tools on a real object (GCC 10's, with a function, data and a string), the libraries as
# static archives only, and the CMake package naming the X86 target.
do_check() {
    v=$(/out/bin/llvm-ar --version | grep -m1 'LLVM version')
    echo "$STAGE: $v"
    case $v in *"LLVM version 17.0.6"*) ;; *) die "llvm-ar --version says '$v'" ;; esac
    /out/bin/llvm-tblgen --version | grep -q "LLVM version 17.0.6" || die "llvm-tblgen does not run"
    for lib in $LIBS; do [ -f "/out/lib/libLLVM$lib.a" ] || die "lib/libLLVM$lib.a is missing"; done
    ! ls /out/lib/*.so* 2>/dev/null || die "shared libraries were installed"
    grep -q 'set(LLVM_TARGETS_TO_BUILD X86)' /out/lib/cmake/llvm/LLVMConfig.cmake || die "LLVMConfig.cmake does not name X86 alone"
    grep -q 'LLVM_DEFAULT_TARGET_TRIPLE "'$TRIPLE'"' /out/include/llvm/Config/llvm-config.h || die "llvm-config.h: default triple is not $TRIPLE"
    mkdir /tmp/check
    cd /tmp/check
    printf 'const char *greeting = "zilchboot-check";\nint answer(int x) { return x * 42; }\n' > a.c
    gcc -O2 -c a.c -o a.o
    /out/bin/llvm-nm a.o | grep -q ' T answer' || die "llvm-nm does not list answer"
    /out/bin/llvm-objdump -d a.o | grep -q '<answer>:' || die "llvm-objdump does not disassemble answer"
    /out/bin/llvm-readelf -h a.o | grep -q 'X86-64' || die "llvm-readelf does not read the header"
    /out/bin/llvm-readobj --sections a.o | grep -q '\.text' || die "llvm-readobj lists no .text"
    /out/bin/llvm-strings a.o | grep -qx 'zilchboot-check' || die "llvm-strings misses the string"
    /out/bin/llvm-size a.o | grep -q 'a.o' || die "llvm-size does not size a.o"
    /out/bin/llvm-ar rc liba.a a.o && /out/bin/llvm-ranlib liba.a
    /out/bin/llvm-nm liba.a | grep -q ' T answer' || die "llvm-ar's archive lacks answer"
    /out/bin/llvm-objcopy --strip-all a.o stripped.o && /out/bin/llvm-strip a.o
    ! /out/bin/llvm-nm a.o 2>/dev/null | grep -q answer || die "llvm-strip left the symbols"
    echo "$STAGE: check: tools ok on a GCC 10 object; $(ls /out/lib/libLLVM*.a | wc -l) static libraries"
}

run_phases
