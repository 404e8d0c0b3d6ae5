# Stage 2a1: GNU binutils 2.40, static, built in the guest with stage 1's tcc (`cc`) and ash and
# stage 2a0's GNU make. Its output is locked and equals a native build's in a host chroot with the
# guest's layout. Phases, defaults and the guest's rules: recipes/lib/build.sh.
. /recipe-lib/build.sh
STAGE=2a1-binutils
SRC=binutils-2.40
TRIPLET=x86_64-pc-linux-musl
# No texinfo here: the shipped .info files are used as they are.
MAKE_FLAGS=MAKEINFO=true

# In-tree build with ./configure, so every compile names its source relative to the tree (tcc has
# no -ffile-prefix-map): __FILE__ (BFD_ASSERT, abort messages) never names /tmp.
do_prepare() {
    replace_bin_sh $(find . -type f -perm -u+x)
}

# CFLAGS=-D__LITTLE_ENDIAN__=1: include/plugin-api.h (included by ar, nm, bfd and ld even with
#   plugins off) detects byte order from __BYTE_ORDER__ only if __ORDER_PDP_ENDIAN__ is defined
#   too, else from glibc's <endian.h>; tcc defines neither that macro nor __GLIBC__, so the header
#   fails with "Could not detect architecture endianess" unless __LITTLE_ENDIAN__ is defined.
# AR="tcc -ar": writes zero dates, uids and modes. RANLIB=true: tcc -ar always writes the symbol
#   index. LD=tcc: libtool's probes want a linker.
# --build/--host/--target: fixed triplet, so config.guess (which probes the compiler's libc)
#   cannot make the output depend on the host; also names the tooldir ($PREFIX/$TRIPLET).
# --disable-gprofng: C++ only. --disable-plugins/--disable-shared: tcc -static has no dlopen and
# no shared libraries. --enable-deterministic-archives: ar/ranlib default to D (zero dates).
# --disable-nls: no gettext. --disable-werror: tcc's warnings are not gcc's.
# --without-zstd/--without-debuginfod/--without-msgpack: no such libraries (and never probe for
# them). The bundled zlib is used. gdb and sim are not in this tarball; gold is, and is disabled.
do_configure() {
    configure_ash \
        --build=$TRIPLET --host=$TRIPLET --target=$TRIPLET \
        --disable-gprofng \
        --disable-gold \
        --disable-gdb --disable-sim \
        --disable-plugins \
        --disable-shared --enable-static \
        --enable-deterministic-archives \
        --disable-nls \
        --disable-werror \
        --disable-dependency-tracking \
        --without-zstd --without-debuginfod --without-msgpack \
        CC=cc CFLAGS=-D__LITTLE_ENDIAN__=1 CPPFLAGS= LDFLAGS= \
        CFLAGS_FOR_BUILD=-D__LITTLE_ENDIAN__=1 CC_FOR_BUILD=cc \
        AR="tcc -ar" RANLIB=true LD=tcc MAKEINFO=true
}

# The sub-directories configure themselves on first use (configure-*), then build. ld is built on
# its own without -j: in the seed project `all-ld` raced on ld/.deps when run in parallel.
do_build() {
    logged make-libs mk -j"$JOBS" all-libiberty all-zlib all-bfd all-opcodes all-libsframe all-libctf
    lap "libraries"
    logged make-tools mk -j"$JOBS" all-binutils all-gas all-gprof
    lap "binutils, gas, gprof"
    logged make-ld mk all-ld
    lap "ld (serially)"
    logged make-all mk -j"$JOBS"
    lap "the rest"
}

# install is not parallel: several sub-installs share bin/ and the tooldir.
do_install() {
    install_destdir
    # libtool's .la files name the build tree (dependency_libs, libdir checks) and nothing reads
    # them here: every later stage links static archives directly. Drop them.
    rm -f lib/*.la
    # The tooldir's bin/ holds copies of ar, as, ld, ld.bfd, nm, objcopy, objdump, ranlib, readelf
    # and strip (what gcc finds as $prefix/$target/bin/as); make them relative symlinks to bin/.
    for f in "$TRIPLET"/bin/*; do
        b=${f##*/}
        if [ -f "bin/$b" ] && cmp -s "$f" "bin/$b"; then
            rm "$f"
            ln -s "../../bin/$b" "$f"
        fi
    done
    # bin/ld.bfd is a hard link to bin/ld: a relative symlink instead (hard links are not worth
    # trusting across the 9p output share, and the tree hash would count the bytes twice).
    if cmp -s bin/ld bin/ld.bfd; then
        rm bin/ld.bfd
        ln -s ld bin/ld.bfd
    fi
    # The shipped man pages include ones for the PE-only tools (dlltool, windres, windmc), which
    # this ELF-only build does not install. info/dir is an index written by install-info from
    # whatever the host had. The other manual pages and info files are the shipped ones.
    rm -f share/man/man1/dlltool.1 share/man/man1/windres.1 share/man/man1/windmc.1
    rm -f share/info/dir
    copy_to_out
}

# The installed tools must run from /out and report the version; as + ld must make a program that
# runs (a raw syscall exit, no libc needed), and ar must write an archive nm can read.
do_check() {
    for t in addr2line ar as c++filt elfedit gprof ld ld.bfd nm objcopy objdump ranlib readelf size strings strip; do
        test -x "/out/bin/$t"
        v=$("/out/bin/$t" --version | head -n 1)
        echo "$STAGE: $t: $v"
        case "$v" in *2.40*) ;; *) die "$t is not 2.40" ;; esac
    done
    mkdir /tmp/selftest
    cd /tmp/selftest
    printf '\t.globl _start\n_start:\n\tmov $60, %%eax\n\tmov $42, %%edi\n\tsyscall\n' > t.s
    /out/bin/as -o t.o t.s
    /out/bin/ld -o t t.o
    set +e; ./t; rc=$?; set -e
    test "$rc" = 42
    /out/bin/ar rc t.a t.o
    /out/bin/nm t.a | grep -q ' T _start'
    /out/bin/readelf -h t | grep -q 'EXEC'
    /out/bin/objdump -d t | grep -q syscall
    /out/bin/strip t
    ./t || test $? = 42
    echo "$STAGE: selftest ok (as, ld, ar, nm, readelf, objdump, strip)"
}

run_phases
