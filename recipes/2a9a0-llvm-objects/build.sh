# Stage 2a9a0: the first part of 2a9a's LLVM build, a build-tree checkpoint (recipes/lib/checkpoint.sh).
# LLVM's libraries do not split into two CMake projects, and compiling all of 2a9a's took 88 min
# natively on 2 cores, over the 70-minute rule. So this stage configures 2a9a's LLVM exactly as 2a9a
# would, compiles the libraries up to the IR, MC, object-file, DebugInfo and Analysis layers and
# TransformUtils (896 of the distribution's 1,542 objects), and outputs the build tree. 2a9a resumes
# it and compiles the rest: the Transforms (ScalarOpts, InstCombine, ipo, Vectorize, ...), CodeGen,
# SelectionDAG, GlobalISel, AsmPrinter, X86's code generator, LTO, Passes and the tools (646
# objects, the slower ones among them).
. /recipe-lib/build.sh
. /recipe-lib/llvm.sh
. /recipe-lib/llvm-distribution.sh
. /recipe-lib/checkpoint.sh
STAGE=2a9a0-llvm-objects
LLVM_PARTS="llvm cmake"
# The install prefix configured here is the one 2a9a installs to (its first run installed into
# /store/2a9a0-llvm-objects, this stage's default PREFIX, and failed).
PREFIX=/store/2a9a-llvm

# make's targets, and through their dependencies everything below them; none depends on
# LLVMCodeGen (CMake's Makefile2 of this configuration). llvm-tblgen generates every .inc the
# later objects include.
# The first run ended here at LLVMipo and friends (1,094 objects): 68.5 min, too close to the rule,
# so the Transforms above TransformUtils (ScalarOpts, InstCombine, ipo, Vectorize, ...) moved on.
PART1="llvm-tblgen LLVMTransformUtils LLVMOption LLVMDebugInfoDWARF LLVMX86Desc LLVMX86Disassembler
LLVMX86AsmParser LLVMProfileData"

do_configure() { llvm_configure_distribution; }
do_build() {
    cd "$OBJ"
    # shellcheck disable=SC2086 # PART1 is a list of words
    logged mk mk -j"$JOBS" $PART1
}
do_install() { checkpoint_save "$OBJ"; }

# What 2a9a counts on: the libraries built, none of the second part, a working llvm-tblgen.
do_check() {
    for lib in Support Core MC Object Analysis TransformUtils X86Desc; do
        [ -f "/out/tree/lib/libLLVM$lib.a" ] || die "lib/libLLVM$lib.a was not built"
    done
    for lib in CodeGen ipo; do
        [ ! -e "/out/tree/lib/libLLVM$lib.a" ] || die "LLVM$lib belongs to 2a9a, not to the checkpoint"
    done
    /out/tree/bin/llvm-tblgen --version | grep -q "LLVM version 17.0.6" || die "llvm-tblgen does not run"
    echo "$STAGE: check: $(ls /out/tree/lib/libLLVM*.a | wc -l) static libraries in the checkpoint"
}

run_phases
