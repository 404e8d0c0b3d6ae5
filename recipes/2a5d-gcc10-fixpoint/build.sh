# Stage 2a5d: the fixpoint check of GCC 10. 2a5c's compiler rebuilds GCC 10 exactly as 2a5c was
# built (same flags, same prefix /store/2a5c-gcc10), and the result must be byte-identical to 2a5c's
# output: a compiler that reproduces itself, like stage 1's tcc. Never skipped: a difference fails
# the stage, and the lock shows the two identities side by side. Recipe: recipes/lib/gcc10.sh.
. /recipe-lib/build.sh
. /recipe-lib/gcc10.sh
STAGE=2a5d-gcc10-fixpoint
PREFIX=/store/2a5c-gcc10
HOST_CC=gcc
HOST_CXX=g++
HOST_FLAGS="-O2 -frandom-seed=gcc10"

# The smoke checks, then every path, file and link of the output against 2a5c's.
do_check() {
    default_check_gcc10
    cd /out
    find . | sort > /tmp/fixpoint-this
    (cd "$PREFIX" && find . | sort) > /tmp/fixpoint-2a5c
    diff /tmp/fixpoint-2a5c /tmp/fixpoint-this || die "the file lists differ from 2a5c's (above)"
    n=0
    while read -r f; do
        if [ -L "$f" ]; then
            [ "$(readlink "$f")" = "$(readlink "$PREFIX/$f")" ] || die "fixpoint: link $f differs"
        elif [ -f "$f" ]; then
            cmp "$f" "$PREFIX/$f" || die "fixpoint: $f differs from 2a5c's"
            n=$((n + 1))
        fi
    done < /tmp/fixpoint-this
    echo "$STAGE: fixpoint: all $n files byte-identical to /store/2a5c-gcc10"
}
run_phases
