# Stage 2a5b: GCC 10.2.0 compiled by 2a5a's GCC 10 at -O0. Why a second -O0 build: 2a5a was
# compiled by g++ 3.4.6, and its optimiser is wrong where GCC 10's interprocedural clones are
# concerned. Compiling GCC 10 at -O2, 2a5a gave 92 "(may be) used uninitialized" warnings, some for a
# function's own parameters (i386-builtins.c's def_builtin_pure `mask` and `name`, c-decl.c's ...),
# and the cc1 it built crashed on an empty file (strlen(NULL) in get_identifier, called from a
# `.constprop.isra` clone of def_builtin_pure) and, with that file rebuilt with -fno-ipa-sra, in
# decl_attributes on `int main(void){return 0;}`. At -O0 no interprocedural pass runs, and 2a5a's
# -O0 code is what its own smoke checks exercise; this compiler's optimiser is then GCC 10's,
# compiled by GCC 10. Recipe: recipes/lib/gcc10.sh.
. /recipe-lib/build.sh
. /recipe-lib/gcc10.sh
STAGE=2a5b-gcc10-o0-rebuilt
HOST_CC=gcc
HOST_CXX=g++
HOST_FLAGS="-O0 -frandom-seed=gcc10"
run_phases
