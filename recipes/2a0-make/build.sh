# Stage 2a0: GNU make 4.4.1 built in the guest with stage 1's tcc and ash, without any make
# (configure, then make's own build.sh), and then rebuilt by that first make from a clean tree.
#
# Runs under stage 1's init as `ash /recipe/build.sh` with only PATH (stage 1's busybox and tcc),
# SOURCE_DATE_EPOCH=0 and JOBS in the environment. The guest has no /bin/sh, no make, no ar
# binary: every shell is named explicitly, `ar` is tcc's built-in one.
set -e

ASH=/store/1-stage1/protobusybox/bin/ash
PREFIX=/store/2a0-make          # where later stages see this output
SRC=make-4.4.1
JOBS=${JOBS:-1}

# Fixed locale/timezone and umask so nothing of the (empty) environment leaks into the result.
export LC_ALL=C TZ=UTC0
umask 022

now() { date +%s; }
t0=$(now)
lap() { t=$(now); echo "2a0-make: $1 took $((t - t0)) s"; t0=$t; }

# --- Unpack ---------------------------------------------------------------------------------
# Build trees live on the guest tmpfs (9p metadata operations are slow under TCG). Everything is
# compiled from paths relative to the tree (tcc has no -ffile-prefix-map), so __FILE__ (used by
# assert and job.c) never names /tmp.
cd /tmp
tar -xf /sources/make-dfsg-4.4.1.tar.xz
cd "$SRC"

# Debian's DFSG repack drops doc/ (the manual is under the GFDL), but configure still lists
# doc/Makefile and the top Makefile recurses into it. A stub with the targets the recursion uses.
mkdir -p doc
cat > doc/Makefile.in <<'EOF'
# Stub: Debian's make-dfsg has no doc/ (see recipes/2a0-make/build.sh).
SHELL = @SHELL@
all install install-data install-exec uninstall check installcheck mostlyclean clean distclean maintainer-clean info dvi pdf ps html install-info install-dvi install-pdf install-ps install-html install-man install-strip installdirs tags ctags cscopelist distdir:
	@:
.PHONY: all install install-data install-exec uninstall check installcheck mostlyclean clean distclean maintainer-clean info dvi pdf ps html install-info install-dvi install-pdf install-ps install-html install-man install-strip installdirs tags ctags cscopelist distdir
EOF

# make's default shell is the literal "/bin/sh" (src/job.c); the guest has none. The built make
# runs recipes with stage 1's ash instead. Only the Unix definition (the #else branch, not the
# OS/2, VMS or Windows ones) is changed; fail loudly if the source no longer looks like this.
grep -q '^const char \*default_shell = "/bin/sh";$' src/job.c
sed -i 's|^const char \*default_shell = "/bin/sh";$|const char *default_shell = "'"$ASH"'";|' src/job.c
test "$(grep -c "default_shell = \"$ASH\"" src/job.c)" -ge 1

# Keep a pristine copy (with the two edits above) for the second, make-driven build.
cd /tmp
cp -a "$SRC" "$SRC-pristine"
cd "$SRC"
lap unpack

# --- Configure ------------------------------------------------------------------------------
# CC=cc: stage 1's wrapper around tcc -static. CFLAGS is set (empty) because tcc defines __GNUC__,
# so configure would default to "-g -O2" and -g would put build paths into the binary. AR is tcc's
# built-in archiver (no ranlib exists; configure falls back to ':'). SHELL/CONFIG_SHELL make
# configure, config.status and the generated Makefiles use ash instead of /bin/sh.
# --without-guile/--disable-nls: no such libraries exist here; --disable-load: tcc -static has no
# dlopen. LD: gettext's macros look for a linker even with NLS off (only to probe rpath flags);
# tcc is the linker here. MKDIR_P: configure trusts only GNU mkdir for `mkdir -p` and would fall
# back to build-aux/install-sh, which the Makefiles then run directly through its #!/bin/sh line
# (there is no /bin/sh); busybox `mkdir -p` tolerates existing directories. The prefix is where
# later stages see this output.
do_configure() {
    CONFIG_SHELL=$ASH SHELL=$ASH $ASH ./configure \
        --prefix="$PREFIX" \
        --disable-nls \
        --disable-dependency-tracking \
        --disable-load \
        --without-guile \
        CC=cc CFLAGS= CPPFLAGS= LDFLAGS= AR="tcc -ar" ARFLAGS=rc LD=tcc MKDIR_P="mkdir -p" \
        CONFIG_SHELL="$ASH" SHELL="$ASH" \
        > configure.out 2>&1 || { cat configure.out; tail -n 60 config.log; exit 1; }
    tail -n 5 configure.out
}
do_configure
lap configure

# --- Build ----------------------------------------------------------------------------------
# First make, from make's bootstrap script (no make needed). It calls ./config.status, whose
# "#!" line is configure's SHELL (ash), so no /bin/sh is needed there either.
$ASH ./build.sh > build-sh.out 2>&1 || { cat build-sh.out; exit 1; }
tail -n 2 build-sh.out
./make --version | head -n 1
mkdir /tmp/first
mv make /tmp/first/make
lap build.sh

# Rebuild make with the first make, in a fresh copy of the tree (configure again there so
# nothing of the bootstrap build is reused).
cd /tmp
rm -rf "$SRC"
mv "$SRC-pristine" "$SRC"
cd "$SRC"
do_configure
lap "configure (again)"
# MANS= : the top Makefile's `all` wants doc/make.1, which the DFSG repack does not ship.
/tmp/first/make -j"$JOBS" SHELL="$ASH" MANS= > make.out 2>&1 || { cat make.out; exit 1; }
tail -n 3 make.out
./make --version | head -n 1
lap "rebuild with make"

# --- Install --------------------------------------------------------------------------------
# Only the binary: no man page exists (doc/ is not in the DFSG repack), no NLS, no headers.
mkdir -p /out/bin
cp make /out/bin/make
chmod 755 /out/bin/make

# The installed make must work on its own: run a makefile with a pattern rule, a function, a
# recipe run by the default shell (no SHELL set) and parallel jobs.
mkdir /tmp/selftest
cd /tmp/selftest
printf 'all: a.out b.out\n\t@echo "selftest: $(sort $^) ok"\n%%.out:\n\t@echo $@ > $@\n' > Makefile
/out/bin/make -j2 > selftest.out
cat selftest.out
test "$(cat selftest.out)" = "selftest: a.out b.out ok"

# --- Leak check -----------------------------------------------------------------------------
# No output file may name the build tree or the sources share.
if grep -r -l -e /tmp/ -e /sources/ /out; then
    echo "2a0-make: build paths leak into the files above" >&2
    exit 1
fi
ls -l /out/bin/make
echo "2a0-make: ok"
