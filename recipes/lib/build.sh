# The phases every shell stage runs, with defaults a stage overrides by defining a function.
# Served at /recipe-lib/build.sh to every shell stage (its "lib" list in stage.json holds build.sh
# by default; only listed files enter a stage's input hash) and sourced by its build.sh, which then
# holds only what differs:
#
#   . /recipe-lib/build.sh
#   STAGE=2a0-make                  # required: the stage's name (PREFIX is /store/$STAGE)
#   SRC=make-4.4.1                  # required: the directory the source unpacks to
#   do_configure() { configure_ash --disable-nls CC=cc CFLAGS= ...; }
#   run_phases
#
# Phases, in this order: unpack prepare configure build install check, then the leak check.
# Phase P runs do_P, which is default_P unless the stage defines do_P (an override may call
# default_P to extend it). unpack starts in /tmp, check in /, every other phase in the build tree
# $BUILD (/tmp/$SRC). Each phase prints one line "<stage>: <phase> took N s"; `lap WHAT` times a
# step inside a phase.
#
# The guest's world: only PATH (the stage's tools), SOURCE_DATE_EPOCH=0 and JOBS in the
# environment; no /bin/sh; no ar or ranlib binaries (tcc has a built-in ar). Build trees live on
# the guest's tmpfs /tmp (9p metadata operations are slow under TCG).
#
# Variables a stage may set before run_phases (defaults in brackets):
#   TARBALL       the file under /sources to unpack [the only one there]
#   PREFIX        where later stages see this output [/store/$STAGE]
#   DEST          DESTDIR of `make install` [/tmp/dest]
#   MAKE_FLAGS    words added to every `mk` call, e.g. MAKEINFO=true []
#   LEAK_STRINGS  fixed strings no output file may contain [/tmp/ /sources/]
set -e

# Fixed locale, timezone and umask, so nothing of the (empty) environment leaks into the result.
export LC_ALL=C TZ=UTC0
umask 022
JOBS=${JOBS:-1}
# The shell running this script, by absolute path: scripts and Makefiles name it instead of the
# missing /bin/sh.
ASH=$(command -v ash) || { echo "recipe-lib: no ash on PATH (list a tool that provides it)" >&2; exit 1; }
# libtool measures the command-line limit by doubling a string in the shell until it fails, which
# takes minutes per configure under ash in TCG. Exported: a top-level configure passes only
# precious variables on to the sub-configures that make runs later.
export lt_cv_sys_max_cmd_len=32768

die() { echo "$STAGE: $*" >&2; exit 1; }
now() { date +%s; }
lap() { _t=$(now); echo "$STAGE: $1 took $((_t - _lap)) s"; _lap=$_t; }

# logged NAME COMMAND...: runs COMMAND with its output in NAME.out (in the current directory);
# on failure shows the last lines and stops the stage.
logged() {
    _log=$1.out; shift
    "$@" > "$_log" 2>&1 || { tail -n 80 "$_log"; die "$* failed (output above, all of it in $PWD/$_log)"; }
}

# make with ash as the shell of every recipe and sub-configure.
mk() {
    # shellcheck disable=SC2086 # MAKE_FLAGS is a list of words
    make SHELL="$ASH" CONFIG_SHELL="$ASH" $MAKE_FLAGS "$@"
}

# replace_bin_sh FILE...: points a first line "#!/bin/sh" or "#! /bin/sh" at ash, for scripts
# that Makefiles run directly (install-sh, mkinstalldirs, move-if-change, ...). Other files and
# other lines are left alone.
replace_bin_sh() {
    _n=0
    for _f in "$@"; do
        case "$(head -c 11 "$_f")" in
            '#!/bin/sh'*|'#! /bin/sh'*)
                sed -i "1s|^#! */bin/sh|#!$ASH|" "$_f"
                _n=$((_n + 1)) ;;
        esac
    done
    echo "$STAGE: $_n scripts now start with #!$ASH"
}

# configure_ash ARGS...: ./configure --prefix=$PREFIX ARGS under ash. configure, config.status,
# libtool and the generated Makefiles use ash (CONFIG_SHELL/SHELL), and MKDIR_P is busybox's
# `mkdir -p` (configure trusts only GNU mkdir and would fall back to install-sh, run through its
# #!/bin/sh line). Stages pass their tools: with tcc, CFLAGS must be set (even empty) because tcc
# defines __GNUC__ and configure would default to "-g -O2", and -g puts build paths into binaries.
configure_ash() {
    CONFIG_SHELL=$ASH SHELL=$ASH $ASH ./configure --prefix="$PREFIX" "$@" \
        MKDIR_P="mkdir -p" CONFIG_SHELL="$ASH" SHELL="$ASH" \
        > configure.out 2>&1 || { cat configure.out; tail -n 60 config.log; die "configure failed"; }
    tail -n 3 configure.out
}

# edit FILE OLD NEW: replaces every occurrence of the fixed string OLD (within one line) in FILE
# with NEW. Every edit a recipe makes to upstream sources goes through here, so that a source whose
# text moved stops the stage instead of building something else: it fails when FILE lacks OLD.
# Fixed strings, not sed expressions: nothing in OLD or NEW needs escaping.
edit() {
    [ $# -eq 3 ] || die "edit: usage: edit FILE OLD NEW"
    [ -f "$1" ] || die "edit: no file $1"
    EDIT_OLD=$2 EDIT_NEW=$3 awk '
        BEGIN { old = ENVIRON["EDIT_OLD"]; new = ENVIRON["EDIT_NEW"]; n = 0 }
        {
            rest = $0; line = ""
            while ((i = index(rest, old)) > 0) {
                line = line substr(rest, 1, i - 1) new; rest = substr(rest, i + length(old)); n++
            }
            print line rest
        }
        END { if (n == 0) exit 3; print n > "/dev/stderr" }' "$1" > "$1.edit" 2> "$1.count" || {
        rm -f "$1.edit" "$1.count"; die "edit: $1 does not contain '$2' (the source changed: check this edit)"; }
    # cat, not mv: the file keeps its mode (scripts stay executable).
    cat "$1.edit" > "$1"
    echo "$STAGE: edited $1 ($(cat "$1.count")x): $2 -> $3"
    rm -f "$1.edit" "$1.count"
}

# install_destdir: `make install` into $DEST, so the configured prefix stays $PREFIX; then cd to
# the installed tree ($DEST$PREFIX) for whatever the stage tidies before copy_to_out.
install_destdir() {
    logged make-install mk install DESTDIR="$DEST"
    cd "$DEST$PREFIX"
}

# symlink_copies DIR TARGET NAME...: each DIR/NAME that has TARGET's bytes (an installed hard link
# or copy, like bin/gcc and bin/<triplet>-gcc) becomes a relative symlink to TARGET: the manifest
# would count the bytes twice, and hard links are not worth trusting across the 9p output share.
symlink_copies() {
    _dir=$1 _target=$2; shift 2
    for _name in "$@"; do
        if [ -f "$_dir/$_name" ] && [ ! -L "$_dir/$_name" ] && cmp -s "$_dir/$_target" "$_dir/$_name"; then
            rm "$_dir/$_name"
            ln -s "$_target" "$_dir/$_name"
        fi
    done
}

# copy_to_out: the current directory becomes the stage's output.
copy_to_out() {
    cp -R . /out/
}

default_unpack() {
    if [ -z "$TARBALL" ]; then
        set -- /sources/*
        [ $# -eq 1 ] || die "set TARBALL: /sources holds $# files"
        TARBALL=${1##*/}
    fi
    tar -xf "/sources/$TARBALL"
    [ -d "$SRC" ] || die "$TARBALL did not unpack to /tmp/$SRC (set SRC)"
}
default_prepare() { :; }
default_configure() { configure_ash; }
default_build() { logged make mk -j"$JOBS"; }
default_install() { install_destdir; copy_to_out; }
default_check() { :; }

do_unpack() { default_unpack; }
do_prepare() { default_prepare; }
do_configure() { default_configure; }
do_build() { default_build; }
do_install() { default_install; }
do_check() { default_check; }

# leak_check [DIR]: no file of the output (DIR, default /out) may name a build tree, the DESTDIR
# or the sources share. Fixed strings (-F): busybox grep's regex path is ~5x slower on large
# binaries (minutes under TCG for binutils).
leak_check() {
    _dir=${1:-/out}
    set --
    for _s in $LEAK_STRINGS; do set -- "$@" -e "$_s"; done
    if grep -r -l -F "$@" "$_dir"; then
        die "build paths leak into the files above"
    elif [ $? -ne 1 ]; then
        die "the leak check could not read $_dir"
    fi
}

run_phases() {
    [ -n "$STAGE" ] || { echo "recipe-lib: set STAGE before run_phases" >&2; exit 1; }
    [ -n "$SRC" ] || die "set SRC (the directory the source unpacks to) before run_phases"
    PREFIX=${PREFIX:-/store/$STAGE}
    DEST=${DEST:-/tmp/dest}
    LEAK_STRINGS=${LEAK_STRINGS:-/tmp/ /sources/}
    BUILD=/tmp/$SRC
    _start=$(now)
    for _phase in unpack prepare configure build install check; do
        case $_phase in
            unpack) cd /tmp ;;
            check) cd / ;;
            *) cd "$BUILD" ;;
        esac
        _phase_start=$(now)
        _lap=$_phase_start
        "do_$_phase"
        echo "$STAGE: $_phase took $(($(now) - _phase_start)) s"
    done
    # A tool that replaced /dev/null (a root build deleting a failed output named /dev/null, then
    # a redirection creating a file) makes every later step read what earlier ones threw away.
    [ -c /dev/null ] || die "/dev/null is no longer a character device: a build step replaced it"
    _phase_start=$(now)
    leak_check
    echo "$STAGE: leak check took $(($(now) - _phase_start)) s"
    echo "$STAGE: total $(($(now) - _start)) s"
    echo "$STAGE: ok"
}
