# Stage 2c1: GNU bison 3.8.2, built by 2a5c's GCC 10, static against 2a3's musl, running 2c0's m4:
# the parser generator the kernel's kconfig and GRUB's script parser need. Phases and the guest's
# rules: recipes/lib/build.sh.
. /recipe-lib/build.sh
STAGE=2c1-bison
SRC=bison-3.8.2
# The installed manuals name /tmp/ in their examples (m4's names temporary files there): the
# leak check looks for the build tree, the DESTDIR and the sources share.
LEAK_STRINGS="/tmp/$SRC /tmp/dest /sources/"
TRIPLET=x86_64-linux-musl
HEADERS=/store/2a6-linux-headers/include
M4=/store/2c0-m4/bin/m4
# No texinfo here (and the repack has no manual to build, below).
MAKE_FLAGS=MAKEINFO=true

do_prepare() {
    # configure and the scripts the Makefile runs directly (build-aux/move-if-change, when it
    # refreshes doc/bison.help) start with #!/bin/sh.
    replace_bin_sh $(find . -type f -perm -u+x)
    # Debian's DFSG repack drops the manual (doc/bison.texi, doc/bison.info, doc/bison.info.bak,
    # doc/figs/: Files-Excluded), but the Makefile still wants it: `all` builds $(INFO_DEPS) with
    # makeinfo and all-local post-processes it into bison.info.bak with perl; and the examples
    # extracted from the manual (shipped, newer than their stamp) depend, through
    # examples/extracted.stamp, on doc/bison.texi and on doc/version.texi, whose stamp-vti rule
    # reads the texi too. Without those edges the shipped examples, bison.1 and the data files
    # install as they are, and make asks for no manual.
    edit Makefile.in 'INFO_DEPS = $(srcdir)/doc/bison.info' 'INFO_DEPS ='
    edit Makefile.in 'all-local: $(srcdir)/$(doc_bison).info.bak' 'all-local:'
    edit Makefile.in 'examples/extracted.stamp: $(doc) doc/version.texi $(extexi)' 'examples/extracted.stamp: $(extexi)'
}

# --build/--host: fixed triplet (config.guess would probe the compiler).
# M4: the m4 bison runs to expand its skeletons, compiled in by this path (2c0's; stage paths are
#   fixed). Given, configure trusts it without its trace probe; the check below runs it.
# --disable-yacc: no bin/yacc (a #!/bin/sh script, which the guest could not run) and no liby.a;
#   the kernel and GRUB call bison by name.
# CFLAGS: -O2 without configure's default -g (debug info names the build tree). -idirafter: the UAPI
#   headers, after musl's, as for the other stages GCC 10 compiles. LDFLAGS=-static: no loader.
# Off: NLS (no gettext), dependency tracking. Not relocatable (the default): the data directory is
#   the configured /store/2c1-bison/share/bison, unless BISON_PKGDATADIR says otherwise.
do_configure() {
    configure_ash \
        --build=$TRIPLET --host=$TRIPLET \
        --disable-nls \
        --disable-yacc \
        --disable-dependency-tracking \
        M4="$M4" \
        CC=gcc CFLAGS="-O2 -idirafter $HEADERS" LDFLAGS=-static \
        MAKEINFO=true
}

# The installed bison must turn the smoke grammar (recipes/2c1-bison/smoke/calc.y: an infix
# calculator with precedence) into C that GCC 10 compiles statically; the program must compute and
# report a syntax error with the expected tokens. Its skeletons are not at their store path yet:
# BISON_PKGDATADIR points at /out meanwhile. m4 is 2c0's, at its store path.
do_check() {
    v=$(/out/bin/bison --version | head -n 1)
    echo "$STAGE: $v"
    [ "$v" = "bison (GNU Bison) 3.8.2" ] || die "bison --version says '$v'"
    grep -q -F "$PREFIX/share/bison" /out/bin/bison || die "bin/bison does not name its data directory $PREFIX/share/bison"
    grep -q -F "$M4" /out/bin/bison || die "bin/bison does not name $M4"
    ! readelf -l /out/bin/bison | grep -q INTERP || die "bin/bison is not static"
    [ -f /out/share/bison/skeletons/yacc.c ] || die "no share/bison/skeletons/yacc.c"
    mkdir /tmp/smoke
    cd /tmp/smoke
    BISON_PKGDATADIR=/out/share/bison /out/bin/bison -d -o calc.c /recipe/smoke/calc.y
    [ -f calc.h ] || die "bison -d wrote no calc.h"
    gcc -O2 -Wall -static -o calc calc.c
    out=$(printf '2 + 3 * 4\n(2 + 3) * 4\n100 - 10 / 5 - 1\n' | ./calc)
    echo "$STAGE: smoke:" $out
    [ "$out" = "$(printf '14\n20\n97')" ] || die "the smoke parser printed '$out'"
    set +e
    err=$(printf '2 + * 3\n' | ./calc 2>&1)
    rc=$?
    set -e
    [ "$rc" = 1 ] || die "the smoke parser exited $rc on a syntax error"
    [ "$err" = "syntax error, unexpected '*', expecting NUM or '('" ] || die "the smoke parser reported '$err'"
}

run_phases
