# Stage 2a5c: GCC 10.2.0 compiled at -O2 by 2a5b's GCC 10 (GCC 10 compiled by GCC 10 at -O0): the
# C/C++ compiler the later stages use. 2a5d rebuilds it with itself and must get these bytes.
# -frandom-seed: GCC falls back to a random number for some symbol names (a file's global
# constructor when it has no public symbol), which would make two builds differ.
# Recipe: recipes/lib/gcc10.sh.
. /recipe-lib/build.sh
. /recipe-lib/gcc10.sh
STAGE=2a5c-gcc10
HOST_CC=gcc
HOST_CXX=g++
HOST_FLAGS="-O2 -frandom-seed=gcc10"
run_phases
