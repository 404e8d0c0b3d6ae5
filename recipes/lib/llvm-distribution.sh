# LLVM's distribution as 2a9a installs it, sourced after llvm.sh by 2a9a0 (which configures it and
# compiles the first part) and 2a9a (which resumes that build tree, finishes and installs it).

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
llvm_configure_distribution() {
    llvm_cmake llvm \
        -DLLVM_BUILD_UTILS=ON -DLLVM_INSTALL_UTILS=ON \
        -DLLVM_BUILD_LLVM_DYLIB=OFF -DLLVM_LINK_LLVM_DYLIB=OFF \
        -DLLVM_ENABLE_PER_TARGET_RUNTIME_DIR=ON \
        -DLLVM_DISTRIBUTION_COMPONENTS="$COMPONENTS"
}

