# Stage 2a9a: LLVM 17.0.6 itself, compiled by 2a5c's GCC 10: the first of LLVM's three stages, split
# as nixpkgs' llvmPackages splits them (libllvm, then clang and lld built standalone against it),
# so that each builds in a session (README: the 70-minute rule; the single 2a9 stage was measured
# at about 2.5 h). Phases and the guest's rules: recipes/lib/build.sh; the GCC-side LLVM settings:
# recipes/lib/llvm.sh.
. /recipe-lib/build.sh
. /recipe-lib/llvm.sh
STAGE=2a9a-llvm
# llvm/ and the shared CMake modules; nothing else is read with tests and benchmarks off.
LLVM_PARTS="llvm cmake"

# What is built and installed: LLVM's distribution components, not `all` (some 80 static programs
# and 90 libraries). The libraries are the link closure of clang, clang-tblgen, lld and the tools
# below in this configuration (CMake's --graphviz of a configure with clang and lld enabled, the
# flags of llvm.sh): 61 of LLVM's 90, about 1,530 of its 1,700 library and tool objects. Left out,
# as nothing of the chain links them: the JIT (ExecutionEngine, Orc, JITLink, RuntimeDyld, MCJIT,
# Interpreter), MCA, ObjectYAML, XRay, GSYM, DWARFLinker, DWP, LogicalView, FileCheck, FuzzMutate,
# LineEditor, InterfaceStub, MIRParser, Exegesis, OpenACC. A library missing here fails 2a9b's or
# 2a9c's configure by name.
# llvm-headers: include/llvm and include/llvm-c with the generated .inc and .def files;
# cmake-exports: lib/cmake/llvm (LLVMConfig.cmake and the exported targets, only those installed);
# llvm-tblgen: the standalone builds run it. llvm-ranlib, llvm-strip and llvm-readelf are links.
LIBS="AggressiveInstCombine Analysis AsmParser AsmPrinter BinaryFormat BitReader BitWriter
BitstreamReader CFGuard CodeGen CodeGenTypes Core Coroutines Coverage DebugInfoBTF DebugInfoCodeView
DebugInfoDWARF DebugInfoMSF DebugInfoPDB Debuginfod Demangle DlltoolDriver Extensions FrontendHLSL
FrontendOpenMP GlobalISel IRPrinter IRReader InstCombine Instrumentation LTO LibDriver Linker MC
MCDisassembler MCParser ObjCARCOpts ObjCopy Object Option Passes ProfileData Remarks ScalarOpts
SelectionDAG Support Symbolize TableGen Target TargetParser TextAPI TransformUtils Vectorize
WindowsDriver WindowsManifest X86AsmParser X86CodeGen X86Desc X86Disassembler X86Info ipo"
TOOLS="llvm-ar llvm-ranlib llvm-nm llvm-objcopy llvm-strip llvm-objdump llvm-readobj llvm-readelf llvm-size llvm-strings"
COMPONENTS="llvm-headers;cmake-exports;llvm-tblgen"
for lib in $LIBS; do COMPONENTS="$COMPONENTS;LLVM$lib"; done
for tool in $TOOLS; do COMPONENTS="$COMPONENTS;$tool"; done

# LLVM_BUILD_UTILS (the default, stated): llvm-tblgen has an install rule. LLVM_INSTALL_UTILS
# only adds install rules (FileCheck, not, ...: no component here, so neither built nor
# installed), but without it the installed LLVMConfig.cmake names lit in the build tree
# (LLVM_DEFAULT_EXTERNAL_LIT, llvm/cmake/modules/CMakeLists.txt), a build path. Per-target runtime
# directories (Linux's default in LLVM 17, stated) are recorded in the CMake package that clang
# and the runtimes read.
do_configure() {
    llvm_cmake llvm \
        -DLLVM_BUILD_UTILS=ON -DLLVM_INSTALL_UTILS=ON \
        -DLLVM_BUILD_LLVM_DYLIB=OFF -DLLVM_LINK_LLVM_DYLIB=OFF \
        -DLLVM_ENABLE_PER_TARGET_RUNTIME_DIR=ON \
        -DLLVM_DISTRIBUTION_COMPONENTS="$COMPONENTS"
}

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
