# The checks of a finished clang toolchain (2a9 and 2a9c), sourced after llvm.sh by stages whose
# "lib" lists "clang-check.sh" and "smoke": the smoke programs it compiles.
#
# clang_toolchain_check: C and C++ (the shared smoke programs: iostream, exceptions through
# libunwind, C++17) at -O2, static and dynamic, from the installed clang: each must run, be
# linked by lld, and, when dynamic, load 2a3's musl and need nothing else (libc++ and the runtime
# are static).
clang_toolchain_check() {
    v=$(/out/bin/clang --version | head -n 1)
    echo "$STAGE: $v"
    case $v in "zilchboot clang version 17.0.6"*) ;; *) die "clang --version says '$v'" ;; esac
    /out/bin/clang --version | grep -qx "Target: $TRIPLE" || die "clang's default target is not $TRIPLE"
    mkdir /tmp/smoke
    cd /tmp/smoke
    printf '#include <stdio.h>\nint main(void) { printf("%%s %%d\\n", "c", 42); return 0; }\n' > hello.c
    for link in -static ""; do
        kind=${link:-dynamic}
        /out/bin/clang -O2 $link -o hello-c hello.c
        /out/bin/clang++ -O2 $link -o cxx98 /recipe-lib/smoke/cxx98.cpp
        /out/bin/clang++ -std=c++17 -O2 $link -o cxx17 /recipe-lib/smoke/cxx17.cpp
        for p in hello-c cxx98 cxx17; do
            out=$(./$p) || die "$p ($kind) failed: $out"
            echo "$STAGE: smoke: $p ($kind): $out"
            readelf -p .comment $p | grep -q "LLD 17.0.6" || die "$p ($kind) was not linked by lld"
            if [ -n "$link" ]; then
                ! readelf -l $p | grep -q INTERP || die "$p ($kind) asks for a loader"
            else
                readelf -l $p | grep -q "interpreter: $MUSL/lib/libc.so" || die "$p names another loader"
                [ "$(readelf -d $p | grep -c NEEDED)" = 1 ] && readelf -d $p | grep -q 'NEEDED.*\[libc\.so\]' \
                    || die "$p needs more than libc.so: $(readelf -d $p | grep NEEDED)"
            fi
        done
        [ "$(./hello-c)" = "c 42" ] || die "hello-c printed the wrong line"
    done
}
