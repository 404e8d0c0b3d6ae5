# Stage 2a0: GNU make 4.4.1 built in the guest with stage 1's tcc and ash, without any make
# (configure, then make's own build.sh), and then rebuilt by that first make from a clean tree.
# Phases, defaults and the guest's rules: recipes/lib/build.sh. Only what differs is here.
. /recipe-lib/build.sh
STAGE=2a0-make
SRC=make-4.4.1

do_prepare() {
    # Debian's DFSG repack drops doc/ (the manual is under the GFDL), but configure still lists
    # doc/Makefile and the top Makefile recurses into it. A stub with the targets the recursion uses.
    mkdir -p doc
    cat > doc/Makefile.in <<'STUB'
# Stub: Debian's make-dfsg has no doc/ (see recipes/2a0-make/build.sh).
SHELL = @SHELL@
all install install-data install-exec uninstall check installcheck mostlyclean clean distclean maintainer-clean info dvi pdf ps html install-info install-dvi install-pdf install-ps install-html install-man install-strip installdirs tags ctags cscopelist distdir:
	@:
.PHONY: all install install-data install-exec uninstall check installcheck mostlyclean clean distclean maintainer-clean info dvi pdf ps html install-info install-dvi install-pdf install-ps install-html install-man install-strip installdirs tags ctags cscopelist distdir
STUB
    # make's default shell is the literal "/bin/sh" (src/job.c); the guest has none. The built make
    # runs recipes with stage 1's ash instead. Only the Unix definition (the #else branch, not the
    # OS/2, VMS or Windows ones) is changed; fail loudly if the source no longer looks like this.
    grep -q '^const char \*default_shell = "/bin/sh";$' src/job.c
    sed -i 's|^const char \*default_shell = "/bin/sh";$|const char *default_shell = "'"$ASH"'";|' src/job.c
    test "$(grep -c "default_shell = \"$ASH\"" src/job.c)" -ge 1
    # A pristine copy (with the two edits above) for the second, make-driven build.
    cp -a "$BUILD" "$BUILD-pristine"
}

# CC=cc: stage 1's wrapper around tcc -static. AR is tcc's built-in archiver (no ranlib exists;
# configure falls back to ':'). --without-guile/--disable-nls: no such libraries exist here;
# --disable-load: tcc -static has no dlopen. LD: gettext's macros look for a linker even with NLS
# off (only to probe rpath flags); tcc is the linker here.
do_configure() {
    configure_ash \
        --disable-nls \
        --disable-dependency-tracking \
        --disable-load \
        --without-guile \
        CC=cc CFLAGS= CPPFLAGS= LDFLAGS= AR="tcc -ar" ARFLAGS=rc LD=tcc
}

do_build() {
    # First make, from make's bootstrap script (no make needed). It calls ./config.status, whose
    # "#!" line is configure's SHELL (ash), so no /bin/sh is needed there either.
    logged build-sh "$ASH" ./build.sh
    ./make --version | head -n 1
    mkdir /tmp/first
    mv make /tmp/first/make
    lap "first make (build.sh)"
    # Rebuild make with the first make, in a fresh copy of the tree (configure again there so
    # nothing of the bootstrap build is reused).
    cd /tmp
    rm -rf "$BUILD"
    mv "$BUILD-pristine" "$BUILD"
    cd "$BUILD"
    do_configure
    lap "configure (again)"
    # MANS= : the top Makefile's `all` wants doc/make.1, which the DFSG repack does not ship.
    logged make /tmp/first/make -j"$JOBS" SHELL="$ASH" MANS=
    ./make --version | head -n 1
}

# Only the binary: no man page exists (doc/ is not in the DFSG repack), no NLS, no headers.
do_install() {
    mkdir -p /out/bin
    cp make /out/bin/make
    chmod 755 /out/bin/make
}

# The installed make must work on its own: a makefile with a pattern rule, a function, a recipe
# run by the default shell (no SHELL set) and parallel jobs.
do_check() {
    mkdir /tmp/selftest
    cd /tmp/selftest
    printf 'all: a.out b.out\n\t@echo "selftest: $(sort $^) ok"\n%%.out:\n\t@echo $@ > $@\n' > Makefile
    /out/bin/make -j2 > selftest.out
    cat selftest.out
    test "$(cat selftest.out)" = "selftest: a.out b.out ok"
    ls -l /out/bin/make
}

run_phases
