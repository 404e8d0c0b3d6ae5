# Stage 2a5b: GCC 10.2.0 compiled at -O2 by 2a5a's GCC 10 (itself built by g++ 3.4.6 at -O0): the
# C/C++ compiler the later stages use. 2a5c rebuilds it with itself and must get these bytes.
# Recipe: recipes/lib/gcc10.sh.
. /recipe-lib/build.sh
. /recipe-lib/gcc10.sh
STAGE=2a5b-gcc10
HOST_CC=gcc
HOST_CXX=g++
HOST_FLAGS=-O2
run_phases
