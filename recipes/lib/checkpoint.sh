# Build-tree checkpoints, for a project whose compile does not fit one stage (the 70-minute rule)
# and has no seam to split it along (one LLVM CMake project cannot be configured in two halves).
# Sourced after build.sh. The first stage configures, compiles a fixed set of targets and saves its
# build tree as its output; the next stage unpacks the same sources, resumes the tree at the same
# path and runs the rest. make then skips every finished object: the tree is newer than the sources.
#
#   first:  do_build() { logged make mk -j"$JOBS" TARGETS...; }
#           do_install() { checkpoint_save "$OBJ"; }
#   next:   do_configure() { checkpoint_resume 2a9a0-llvm-objects "$OBJ"; }
#
# The saved tree names its build paths by design (Makefiles, dependency files, CMakeCache.txt), so
# the saving stage is not leak-checked; the stage that resumes it installs and checks the result.

# checkpoint_save DIR: DIR (a build tree) becomes the output, as /out/tree.
checkpoint_save() {
    cd "$1"
    # CMake's logs of its configure checks name scratch targets at random (cmTC_xxxxx); nothing
    # reads them later.
    rm -f CMakeFiles/CMakeOutput.log CMakeFiles/CMakeError.log CMakeFiles/CMakeConfigureLog.yaml
    # The running kernel's release (the VM's, or the host's with --runner native) must not be in
    # the tree. CMake records it in CMakeSystem.cmake where it can run uname; in the guest it
    # recorded none (2a9a0's first run), and this keeps it so.
    _release=$(uname -r)
    if grep -r -l -F "$_release" .; then die "the build tree names the kernel release $_release (files above)"; fi
    mkdir /out/tree
    cp -R . /out/tree/
    echo "$STAGE: checkpoint: $(find /out/tree -type f | wc -l) files, $(find /out/tree -name '*.o' | wc -l) objects"
    # The checks of build.sh's leak_check do not apply (see above); said in the log instead.
    leak_check() { echo "$STAGE: not leak-checked: the output is a build tree that names its build paths; the stage resuming it checks its own output"; }
}

# checkpoint_resume STAGE DIR: STAGE's saved tree becomes DIR, every file with one and the same
# mtime (now): newer than the unpacked sources (their archive's dates) and the store, and no file of
# the tree newer than another, so make rebuilds only what the first stage did not build.
checkpoint_resume() {
    [ -d "/store/$1/tree" ] || die "checkpoint_resume: /store/$1 holds no saved build tree (list $1 in inputs)"
    mkdir -p "$2"
    cp -R "/store/$1/tree/." "$2/"
    python3 -c '
import os, sys, time
now = time.time_ns()
top = sys.argv[1]
for root, dirs, files in os.walk(top):
    for name in dirs + files:
        os.utime(os.path.join(root, name), ns=(now, now), follow_symlinks=False)
os.utime(top, ns=(now, now))
' "$2"
    echo "$STAGE: resumed $1's build tree in $2 ($(find "$2" -name '*.o' | wc -l) objects)"
}
