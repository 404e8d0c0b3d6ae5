# Stage 2c3: busybox 1.37.0, full and static, built by 2a5c's GCC 10 against 2a3's musl: the live
# system's userland and the kernel build's bc and gzip. The recipe is recipes/lib/busybox.sh, which
# a clang-built busybox will share; this stage names the compiler. Phases and the guest's rules:
# recipes/lib/build.sh.
. /recipe-lib/build.sh
. /recipe-lib/busybox.sh
STAGE=2c3-busybox
BB_CC=gcc
run_phases
