# Stage 2a1: GNU binutils 2.40, static, built in the guest with stage 1's tcc (`cc`) and ash and
# stage 2a0's GNU make.
#
# Built in the VM under TCG (about 50 min on 2 busy cores); its output is locked and equals the
# output of a native build in a host chroot with the guest's layout.
#
# Runs under stage 1's init as `ash /recipe/build.sh` with only PATH (stage 1's busybox and tcc),
# SOURCE_DATE_EPOCH=0 and JOBS in the environment. The guest has no /bin/sh and no ar/ranlib
# binaries: every shell is named explicitly, `ar` is tcc's built-in one.
set -e

ASH=/store/1-stage1/protobusybox/bin/ash
MAKE=/store/2a0-make/bin/make
PREFIX=/store/2a1-binutils      # where later stages see this output
SRC=binutils-2.40
BUILD=/tmp/$SRC                 # the build tree (in-tree build); the leak check looks for it
DEST=/tmp/dest                  # DESTDIR for `make install`
TRIPLET=x86_64-pc-linux-musl
JOBS=${JOBS:-1}

# Fixed locale/timezone and umask so nothing of the (empty) environment leaks into the result.
export LC_ALL=C TZ=UTC0
umask 022

now() { date +%s; }
t0=$(now)
tstart=$t0
lap() { t=$(now); echo "2a1-binutils: $1 took $((t - t0)) s"; t0=$t; }

# --- Unpack ---------------------------------------------------------------------------------
# Build tree on the guest tmpfs (9p metadata operations are slow under TCG). In-tree build with
# ./configure, so every compile names its source relative to the tree (tcc has no
# -ffile-prefix-map): __FILE__ (BFD_ASSERT, abort messages) never names /tmp.
cd /tmp
tar -xf /sources/binutils-2.40-debian.tar.xz
cd "$SRC"

# No /bin/sh exists in the guest. Helper scripts that the Makefiles run directly through their
# "#!" line (install-sh, mkinstalldirs, move-if-change, ylwrap, ...) get stage 1's ash instead.
# Only the first line of executable files starting with "#!/bin/sh" or "#! /bin/sh" changes.
n=0
for f in $(find . -type f -perm -u+x); do
    case "$(head -c 11 "$f")" in
        '#!/bin/sh'*|'#! /bin/sh'*)
            sed -i "1s|^#! */bin/sh|#!$ASH|" "$f"
            n=$((n + 1)) ;;
    esac
done
echo "2a1-binutils: $n scripts now start with #!$ASH"
lap unpack

# --- Configure ------------------------------------------------------------------------------
# CC=cc: stage 1's wrapper around tcc -static, so every program is static.
# CFLAGS=-D__LITTLE_ENDIAN__=1: include/plugin-api.h (included by ar, nm, bfd and ld even with
#   plugins off) detects byte order from __BYTE_ORDER__ only if __ORDER_PDP_ENDIAN__ is defined
#   too, else from glibc's <endian.h>; tcc defines neither that macro nor __GLIBC__, so the header
#   fails with "Could not detect architecture endianess" unless __LITTLE_ENDIAN__ is defined.
#   Setting CFLAGS also keeps configure from defaulting to "-g -O2" (tcc defines __GNUC__), and
#   -g would put build paths into the binaries.
# AR="tcc -ar": tcc's built-in archiver (no ar exists yet; it writes zero dates, uids and modes).
#   RANLIB=true: tcc -ar always writes the symbol index. LD=tcc: libtool's probes want a linker.
# CONFIG_SHELL/SHELL: configure, config.status, libtool and the generated Makefiles use ash.
# MAKEINFO=true: no texinfo here; the shipped .info files are used as they are.
# MKDIR_P: configure trusts only GNU mkdir for `mkdir -p`; busybox's is fine.
# lt_cv_sys_max_cmd_len=32768: libtool otherwise measures the command-line limit by doubling a
#   string in the shell until it fails, which takes very long with ash (under TCG, minutes per
#   sub-configure). Exported because the top-level configure only passes precious variables on.
# --build/--host/--target: fixed triplet, so config.guess (which probes the compiler's libc)
#   cannot make the output depend on the host; also names the tooldir ($PREFIX/$TRIPLET).
# --disable-gprofng: C++ only. --disable-plugins/--disable-shared: tcc -static has no dlopen and
# no shared libraries. --enable-deterministic-archives: ar/ranlib default to D (zero dates).
# --disable-nls: no gettext. --disable-werror: tcc's warnings are not gcc's.
# --without-zstd/--without-debuginfod/--without-msgpack: no such libraries (and never probe for
# them). The bundled zlib is used. gdb and sim are not in this tarball; gold is, and is disabled.
export lt_cv_sys_max_cmd_len=32768
CONFIG_SHELL=$ASH SHELL=$ASH $ASH ./configure \
    --prefix="$PREFIX" \
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
    AR="tcc -ar" RANLIB=true LD=tcc MAKEINFO=true MKDIR_P="mkdir -p" \
    CONFIG_SHELL="$ASH" SHELL="$ASH" \
    > configure.out 2>&1 || { cat configure.out; tail -n 60 config.log; exit 1; }
tail -n 3 configure.out
lap configure

# --- Build ----------------------------------------------------------------------------------
# The sub-directories configure themselves on first use (configure-*), then build. ld is built on
# its own without -j: in the seed project `all-ld` raced on ld/.deps when run in parallel.
mk() { $MAKE SHELL="$ASH" CONFIG_SHELL="$ASH" MAKEINFO=true "$@"; }
mk -j"$JOBS" all-libiberty all-zlib all-bfd all-opcodes all-libsframe all-libctf \
    > make-libs.out 2>&1 || { tail -n 80 make-libs.out; exit 1; }
lap "build libraries"
mk -j"$JOBS" all-binutils all-gas all-gprof > make-tools.out 2>&1 || { tail -n 80 make-tools.out; exit 1; }
lap "build binutils, gas, gprof"
mk all-ld > make-ld.out 2>&1 || { tail -n 80 make-ld.out; exit 1; }
lap "build ld (serially)"
mk -j"$JOBS" > make-all.out 2>&1 || { tail -n 80 make-all.out; exit 1; }
lap "build the rest"

# --- Install --------------------------------------------------------------------------------
# Into a DESTDIR on tmpfs, so the configured prefix stays /store/2a1-binutils, then copied to /out.
# install is not parallel: several sub-installs share bin/ and the tooldir.
mk install DESTDIR="$DEST" > make-install.out 2>&1 || { tail -n 80 make-install.out; exit 1; }
lap install
cd "$DEST$PREFIX"

# libtool's .la files name the build tree (dependency_libs, libdir checks) and nothing reads
# them here: every later stage links static archives directly. Drop them.
rm -f lib/*.la
# The tooldir's bin/ holds copies of ar, as, ld, ld.bfd, nm, objcopy, objdump, ranlib, readelf and
# strip (what gcc finds as $prefix/$target/bin/as); make them relative symlinks to bin/.
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
# The shipped man pages include ones for the PE-only tools (dlltool, windres, windmc), which this
# ELF-only build does not install.
rm -f share/man/man1/dlltool.1 share/man/man1/windres.1 share/man/man1/windmc.1
# Manual pages and info files are kept (they are the shipped ones, MAKEINFO=true built nothing);
# info/dir is an index written by install-info from whatever the host had: drop it if present.
rm -f share/info/dir

mkdir -p /out
cp -R . /out/
cd /

# --- Check ----------------------------------------------------------------------------------
# The installed tools must run from /out and report the version; as + ld must make a program
# that runs (a raw syscall exit, no libc needed), and ar must write a deterministic archive.
for t in addr2line ar as c++filt elfedit gprof ld ld.bfd nm objcopy objdump ranlib readelf size strings strip; do
    test -x "/out/bin/$t"
    v=$("/out/bin/$t" --version | head -n 1)
    echo "2a1-binutils: $t: $v"
    case "$v" in *2.40*) ;; *) echo "2a1-binutils: $t is not 2.40" >&2; exit 1 ;; esac
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
echo "2a1-binutils: selftest ok (as, ld, ar, nm, readelf, objdump, strip)"
cd /

# --- Leak check -----------------------------------------------------------------------------
# No output file may name the build tree, the DESTDIR or the sources share. Fixed strings (-F):
# busybox grep's regex path is ~5x slower on these binaries (natively 11 s vs 51 s on this output,
# minutes under TCG).
if grep -r -l -F -e "$BUILD" -e "$DEST" -e /sources/ /out; then
    echo "2a1-binutils: build paths leak into the files above" >&2
    exit 1
fi
du -s -k /out/bin /out/lib /out/"$TRIPLET" /out/share /out/include 2>/dev/null || true
ls -l /out/bin
echo "2a1-binutils: total $(( $(now) - tstart )) s"
echo "2a1-binutils: ok"
