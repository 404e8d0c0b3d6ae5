# GCC 3.4.6 for the stages that build it (2a2: C, compiled by tcc; 2a4: C and C++, compiled by
# 2a2): the source, the build tree and the edits both make. Sourced after build.sh; each stage then
# defines its configure, install and check. Route and pitfalls: ../shared/research/gcc346-route.md.
SRC=gcc-h8300-hms-3.4.6+dfsg2
# GCC 3.4's config.sub knows no "musl" system, and config.guess would probe the host's libc: a
# fixed GNU triplet (the compiler's own name; the C library it targets is its sysroot's).
TRIPLET=x86_64-unknown-linux-gnu
BINUTILS=/store/2a1-binutils
# GCC builds outside its source tree; the source is named relatively (../$SRC) so that __FILE__
# (in every fancy_abort call) never names /tmp.
OBJ=/tmp/gcc-obj

# gcc3_prepare: the edits to GCC 3.4.6's sources that both builds need.
gcc3_prepare() {
    replace_bin_sh $(find . -type f -perm -u+x)
    # Debian's repack has no gcc/doc/*.texi, so nothing that builds or installs the manuals can run.
    edit gcc/Makefile.in 'all.internal: start.encap rest.encap doc' 'all.internal: start.encap rest.encap'
    edit gcc/Makefile.in 'install-cpp install-man install-info install-@POSUB@' 'install-cpp install-@POSUB@'
    # The C library's headers sit at <sysroot>/include (musl's layout, like the seed's
    # --with-native-system-header-dir=/include, which GCC 3.4 does not have yet).
    edit gcc/Makefile.in 'NATIVE_SYSTEM_HEADER_DIR = /usr/include' 'NATIVE_SYSTEM_HEADER_DIR = /include'
    edit gcc/cppdefault.c '#define STANDARD_INCLUDE_DIR "/usr/include"' '#define STANDARD_INCLUDE_DIR "/include"'
    # No fixincludes: it would copy and "fix" the C library's headers into GCC's own include dir,
    # freezing them into this compiler; musl's headers need no fixing. Listed with the targets that
    # need none, fixinc.sh does nothing and GCC still installs its syslimits.h.
    edit gcc/fixinc/mkfixinc.sh '    alpha*-dec-*vms* | \' '    x86_64-*-linux* | alpha*-dec-*vms* | \'
    # libgcc is built with -g by default: debug info would carry build paths into libgcc.a.
    edit gcc/Makefile.in 'LIBGCC2_DEBUG_CFLAGS = -g' 'LIBGCC2_DEBUG_CFLAGS ='
    # collect2 unlinks the output of a failed link whatever it is: as root (every guest), a probe
    # like musl's configure `cc ... -o /dev/null` with a flag the linker refuses deletes /dev/null,
    # and later redirections then fill a regular file. Only regular files are deleted now.
    edit gcc/collect2.c '    unlink (file);' \
        '    { struct stat st; if (stat (file, &st) == 0 && S_ISREG (st.st_mode)) unlink (file); }'
    # The signal-frame unwinder names `struct ucontext` and `struct siginfo`, which musl (like
    # glibc >= 2.26) does not define; the POSIX typedefs are the same types.
    for f in gcc/config/i386/linux64.h gcc/config/i386/linux.h; do
        edit "$f" 'struct ucontext ' 'ucontext_t '
        edit "$f" 'struct siginfo ' 'siginfo_t '
    done
}

do_build() {
    cd "$OBJ"
    logged make mk -j"$JOBS" all
}
