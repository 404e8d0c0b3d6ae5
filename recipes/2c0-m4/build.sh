# Stage 2c0: GNU m4 1.4.19, built by 2a5c's GCC 10, static against 2a3's musl: the macro processor
# bison and flex run (the ISO route: the kernel's kconfig and GRUB need both). Phases and the
# guest's rules: recipes/lib/build.sh.
. /recipe-lib/build.sh
STAGE=2c0-m4
SRC=m4-1.4.19
# The installed manuals name /tmp/ in their examples (m4's names temporary files there): the
# leak check looks for the build tree, the DESTDIR and the sources share.
LEAK_STRINGS="/tmp/$SRC /tmp/dest /sources/"
TRIPLET=x86_64-linux-musl
HEADERS=/store/2a6-linux-headers/include
# No texinfo here: the shipped m4.info is used as it is (its sources are older than it).
MAKE_FLAGS=MAKEINFO=true

# configure and the helper scripts it picks (install-sh, ...) start with #!/bin/sh.
do_prepare() {
    replace_bin_sh $(find . -type f -perm -u+x)
}

# --build/--host: fixed triplet (config.guess would probe the compiler).
# --with-syscmd-shell: syscmd and esyscmd run their command with this shell. configure would take
#   the first `sh` in /bin or on PATH, else the literal "/bin/sh", which the guest lacks: stage 1's
#   ash by its store path instead, as 2a0's make does. A later stage whose m4 runs commands
#   (autoconf's m4_esyscmd) must list 1-stage1 among its inputs.
# CFLAGS: -O2 without configure's default -g (debug info names the build tree). -idirafter: the UAPI
#   headers, after musl's, as for the other stages GCC 10 compiles. LDFLAGS=-static: no loader.
# Off: NLS (no gettext), dependency tracking (depcomp is for rebuilds).
do_configure() {
    configure_ash \
        --build=$TRIPLET --host=$TRIPLET \
        --disable-nls \
        --disable-dependency-tracking \
        --with-syscmd-shell="$ASH" \
        CC=gcc CFLAGS="-O2 -idirafter $HEADERS" LDFLAGS=-static \
        MAKEINFO=true
}

# The installed m4 must expand a macro with arguments, keep a diversion for the end, evaluate an
# expression and run a command through esyscmd (the shell configured above); a macro file read
# with -P (the prefixed builtins flex's skeleton uses) must work too.
do_check() {
    v=$(/out/bin/m4 --version | head -n 1)
    echo "$STAGE: $v"
    [ "$v" = "m4 (GNU M4) 1.4.19" ] || die "m4 --version says '$v'"
    ! readelf -l /out/bin/m4 | grep -q INTERP || die "bin/m4 is not static"
    [ -f /out/share/info/m4.info ] || die "the shipped manual (share/info/m4.info) was not installed"
    out=$(/out/bin/m4 /recipe/smoke.m4)
    echo "$STAGE: smoke: $out"
    [ "$out" = "$(printf 'hello, m4: abab 42 from ash\nlast')" ] || die "m4 printed '$out'"
    mkdir /tmp/smoke
    cat > /tmp/smoke/prefixed.m4 <<'M4'
m4_define(`x', `prefixed')m4_dnl
x m4_eval(1 + 1) m4_len(`abc')
M4
    out=$(/out/bin/m4 -P /tmp/smoke/prefixed.m4)
    [ "$out" = "prefixed 2 3" ] || die "m4 -P printed '$out'"
}

run_phases
