# Stage 2c2: flex 2.6.4, built by 2a5c's GCC 10, static against 2a3's musl, running 2c0's m4: the
# scanner generator the kernel's kconfig and GRUB's script lexer need. Phases and the guest's
# rules: recipes/lib/build.sh.
. /recipe-lib/build.sh
STAGE=2c2-flex
SRC=flex-2.6.4
# The installed manuals name /tmp/ in their examples (m4's names temporary files there): the
# leak check looks for the build tree, the DESTDIR and the sources share.
LEAK_STRINGS="/tmp/$SRC /tmp/dest /sources/"
TRIPLET=x86_64-linux-musl
HEADERS=/store/2a6-linux-headers/include
M4=/store/2c0-m4/bin/m4
# No texinfo here: the shipped flex.info is used as it is (its sources are older than it).
# LDFLAGS=-all-static at make time: every program here links through libtool, which swallows a
# plain -static (it only means "prefer static libtool libraries" to libtool) and would leave flex
# dynamic; -all-static makes libtool pass -static to GCC. configure's own link tests get -static.
MAKE_FLAGS="MAKEINFO=true LDFLAGS=-all-static"

# configure and the helper scripts it picks (install-sh, ...) start with #!/bin/sh. Not tests/:
# an edited tests/tableopts.sh is newer than the tableopts.am it generates, and make would then
# regenerate tests/Makefile.in with automake (the first run's failure: automake-1.15 not found).
do_prepare() {
    replace_bin_sh $(find . -path ./tests -prune -o -type f -perm -u+x -print)
}

# No bison and no flex are needed: the release ships src/parse.c and parse.h (bison's output),
# src/scan.c and src/skel.c, each newer than its source. The build compiles stage1flex with scan.c
# and has it generate the real flex's scanner from scan.l (stage1scan.c), running m4.
# --build/--host: fixed triplet (config.guess would probe the compiler).
# M4: the m4 flex runs on every scanner it writes. flex looks for an `m4` on PATH first (by the
#   basename of this value) and falls back to this path, 2c0's (stage paths are fixed).
# --disable-shared: libfl.a only (programs link it statically). CFLAGS: -O2 without configure's
#   default -g (debug info names the build tree). -idirafter: the UAPI headers, after musl's, as for
#   the other stages GCC 10 compiles.
# Off: NLS (no gettext), dependency tracking.
do_configure() {
    configure_ash \
        --build=$TRIPLET --host=$TRIPLET \
        --disable-nls \
        --disable-shared --enable-static \
        --disable-dependency-tracking \
        M4="$M4" \
        CC=gcc CFLAGS="-O2 -idirafter $HEADERS" LDFLAGS=-static \
        MAKEINFO=true
}

do_install() {
    install_destdir
    # libtool's archive description: nothing reads it here (later stages link libfl.a directly).
    rm lib/libfl.la
    copy_to_out
}

# The installed flex must generate a scanner from the smoke rules (recipes/2c2-flex/smoke/words.l:
# upper-case words, tagged numbers, dropped comments) that GCC 10 compiles statically against
# libfl.a (main and yywrap), and that transforms its input as expected.
do_check() {
    v=$(/out/bin/flex --version)
    echo "$STAGE: $v"
    [ "$v" = "flex 2.6.4" ] || die "flex --version says '$v'"
    [ "$(/out/bin/flex++ --version)" = "flex++ 2.6.4" ] || die "flex++ does not run"
    grep -q -F "$M4" /out/bin/flex || die "bin/flex does not name $M4"
    ! readelf -l /out/bin/flex | grep -q INTERP || die "bin/flex is not static"
    [ -f /out/include/FlexLexer.h ] || die "no include/FlexLexer.h"
    [ -f /out/share/info/flex.info ] || die "the shipped manual (share/info/flex.info) was not installed"
    mkdir /tmp/smoke
    cd /tmp/smoke
    /out/bin/flex -o words.c /recipe/smoke/words.l
    gcc -O2 -Wall -static -o words words.c -L/out/lib -lfl
    out=$(printf 'abc 012 de /* x */!\nz9\n' | ./words)
    echo "$STAGE: smoke:" $out
    [ "$out" = "$(printf 'ABC <12> DE !\nZ<9>')" ] || die "the smoke scanner printed '$out'"
}

run_phases
