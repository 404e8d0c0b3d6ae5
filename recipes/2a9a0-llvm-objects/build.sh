# Stage 2a9a0: the first part of 2a9a's LLVM build, a build-tree checkpoint (recipes/lib/checkpoint.sh).
# LLVM's libraries do not split into two CMake projects, and compiling all of 2a9a's took 88 min
# natively on 2 cores, over the 70-minute rule. So this stage configures 2a9a's LLVM exactly as 2a9a
# would, compiles the libraries up to the IR, MC, object-file and Transforms layers (about 1,090 of
# the distribution's 1,540 objects), and outputs the build tree. 2a9a resumes it and compiles the
# rest: CodeGen, SelectionDAG, GlobalISel, AsmPrinter, X86's code generator, LTO, Passes and the
# tools (the slower objects, about 450).
. /recipe-lib/build.sh
. /recipe-lib/llvm.sh
. /recipe-lib/llvm-distribution.sh
. /recipe-lib/checkpoint.sh
STAGE=2a9a0-llvm-objects
LLVM_PARTS="llvm cmake"

# make's targets, and through their dependencies everything below them; none depends on
# LLVMCodeGen (CMake's Makefile2 of this configuration). llvm-tblgen generates every .inc the
# later objects include.
PART1="llvm-tblgen LLVMipo LLVMCoroutines LLVMObjCARCOpts LLVMInstrumentation LLVMVectorize
LLVMFrontendOpenMP LLVMOption LLVMDebugInfoDWARF LLVMX86Desc LLVMX86Disassembler LLVMX86AsmParser"

do_configure() { llvm_configure_distribution; }
do_build() {
    cd "$OBJ"
    # shellcheck disable=SC2086 # PART1 is a list of words
    logged mk mk -j"$JOBS" $PART1
}
do_install() { checkpoint_save "$OBJ"; }

# What 2a9a counts on: the libraries built, none of the second part, a working llvm-tblgen.
do_check() {
    for lib in Support Core MC Object Analysis TransformUtils ipo X86Desc; do
        [ -f "/out/tree/lib/libLLVM$lib.a" ] || die "lib/libLLVM$lib.a was not built"
    done
    [ ! -e /out/tree/lib/libLLVMCodeGen.a ] || die "LLVMCodeGen belongs to 2a9a, not to the checkpoint"
    /out/tree/bin/llvm-tblgen --version | grep -q "LLVM version 17.0.6" || die "llvm-tblgen does not run"
    echo "$STAGE: check: $(ls /out/tree/lib/libLLVM*.a | wc -l) static libraries in the checkpoint"
}

run_phases
