# Stage 2a8: CPython 3.11.2, built by 2a5c's GCC 10, static against 2a3's musl: the interpreter
# LLVM's build runs its scripts with. Phases and the guest's rules: recipes/lib/build.sh.
. /recipe-lib/build.sh
STAGE=2a8-python
SRC=Python-3.11.2
TRIPLET=x86_64-linux-musl
HEADERS=/store/2a6-linux-headers/include
LIBDEST=lib/python3.11
# The standard library names /tmp/ itself (tempfile, docstrings): look for the build tree, the
# DESTDIR and the sources share.
LEAK_STRINGS="/tmp/$SRC /tmp/dest /sources/"

do_prepare() {
    replace_bin_sh $(find . -type f -perm -u+x)
    # make install byte-compiles the library six times (compileall.py at -O0, -O1, -O2, for lib
    # and site-packages). The pyc files are not needed (the store is read-only; Python compiles
    # in memory) and marshal's output is not guaranteed byte-identical from build to build: each
    # pass runs `python -c pass` instead, which ignores the arguments after it.
    edit Makefile.pre.in '$(DESTDIR)$(LIBDEST)/compileall.py' '-c pass'
    # Every module is built into the interpreter (Setup.stdlib, below), so setup.py,
    # which builds and installs the remaining ones as shared extensions, has nothing a static
    # program could load; and it probes the compiler through os.system, that is /bin/sh, which the
    # guest lacks. Neither `make` (sharedmods) nor `make install` (sharedinstall) runs it.
    edit Makefile.pre.in 'platform oldsharedmods sharedmods \' 'platform oldsharedmods \'
    edit Makefile.pre.in 'sharedinstall oldsharedinstall altmaninstall \' 'oldsharedinstall altmaninstall \'
}

# --build/--host: fixed triplet (config.guess would probe the compiler). MODULE_BUILDTYPE=static:
#   Modules/Setup.stdlib (below) marks the standard modules configure finds as built in, since a
#   static program cannot load extension modules. LDFLAGS=-static: no loader needed.
# OPT: the default without -g (debug info names the build tree), -O2 instead of -O3.
# -idirafter: the UAPI headers, after musl's (socket families, memfd, fcntl's Linux constants).
# Off: the test suite and its C modules, ensurepip (no network, nothing to install), the static
#   libpython archive (nothing links Python in), the limited-API example modules xxlimited and
#   xxlimited_35 (shared objects by definition; configure keeps them even without test modules).
# Preset answers that would otherwise depend on where the build runs: /dev/ptmx exists on every
#   Linux (the native runner's /dev lacks it); POSIX semaphores need /dev/shm, which neither the
#   VM nor the native runner is guaranteed to have, so they are off (multiprocessing's locks are
#   unavailable); getaddrinfo's check resolves names.
do_configure() {
    configure_ash \
        --build=$TRIPLET --host=$TRIPLET \
        --disable-shared --without-static-libpython \
        --disable-test-modules --without-ensurepip \
        CC=gcc CXX=g++ OPT="-DNDEBUG -fwrapv -O2 -Wall" \
        CFLAGS="-idirafter $HEADERS" LDFLAGS=-static \
        MODULE_BUILDTYPE=static \
        ac_cv_file__dev_ptmx=yes ac_cv_file__dev_ptc=no \
        ac_cv_posix_semaphores_enabled=no ac_cv_broken_sem_getvalue=yes \
        ac_cv_buggy_getaddrinfo=no \
        py_cv_module_xxlimited=n/a py_cv_module_xxlimited_35=n/a
    # configure lists the modules it found in Modules/Setup.stdlib, but reads that file only for
    # WebAssembly; elsewhere setup.py builds them as shared extensions. As the file's own header
    # suggests, it becomes Modules/Setup.local, and makesetup (configure's last step, repeated)
    # writes the Makefile and Modules/config.c that build them into the interpreter.
    cp Modules/Setup.stdlib Modules/Setup.local
    logged makesetup "$ASH" Modules/makesetup -c Modules/config.c.in -s Modules \
        Modules/Setup.local Modules/Setup.bootstrap Modules/Setup
    mv config.c Modules/
}

do_install() {
    install_destdir
    # The build configuration Python keeps for sysconfig names the build tree (abs_srcdir,
    # abs_builddir, srcdir, ...): nothing reads those outside a build tree.
    edit "$LIBDEST/_sysconfigdata__linux_$TRIPLET.py" "$BUILD" "..."
    edit "$LIBDEST/config-3.11-$TRIPLET/Makefile" "$BUILD" "..."
    # bin/2to3, idle3 and pydoc3 point at scripts that setup.py installs, which is not run here
    # (prepare): drop the dangling links rather than ship them.
    for link in 2to3 idle3 pydoc3; do
        [ -L "bin/$link" ] && [ ! -e "bin/$link" ] || die "bin/$link is not a dangling link"
        rm "bin/$link"
    done
    copy_to_out
}

do_check() {
    # Python caches compiled modules next to their sources when it can write there: not in /out.
    export PYTHONDONTWRITEBYTECODE=1
    v=$(/out/bin/python3 --version)
    [ "$v" = "Python 3.11.2" ] || die "python3 --version says '$v'"
    out=$(/out/bin/python3 /recipe/smoke.py) || die "the smoke script failed: $out"
    echo "$STAGE: $out"
    # Modules that configure might have left out without failing: LLVM's scripts need them.
    /out/bin/python3 -c 'import _posixsubprocess, select, fcntl, math, _json, _sha256, _md5, _blake2, _sha3, _struct, _datetime, _pickle, _random, _bisect, _heapq, binascii, array, pyexpat, _socket, unicodedata'
    [ -z "$(find /out -name __pycache__)" ] || die "the checks left __pycache__ directories in /out"
}

run_phases
