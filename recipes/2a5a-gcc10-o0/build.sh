# Stage 2a5a: GCC 10.2.0 compiled by 2a4's g++ 3.4.6 at -O0 (the bridge from C++98 to a modern
# compiler). -O0 on purpose: g++ 3.4's optimiser loops on one GCC 10 file at -O1/-O2 and, with that
# file worked around, builds a cc1plus that hangs (../shared/research/gcc346-route.md §3.3). Even at
# -O0 this compiler's own optimiser comes out wrong (what it compiles at -O2 is fine for small
# programs, but GCC 10 compiled by it at -O2 crashes), so 2a5b rebuilds GCC 10 with it at -O0 only.
# Recipe: recipes/lib/gcc10.sh.
. /recipe-lib/build.sh
. /recipe-lib/gcc10.sh
STAGE=2a5a-gcc10-o0
HOST_CC=gcc
HOST_CXX=g++
# -D__LITTLE_ENDIAN__: include/plugin-api.h (included by cgraph.h even with plugins off) detects
# byte order from __BYTE_ORDER__, which GCC 3.4 does not define, or from glibc's <endian.h>.
# -frandom-seed: g++ 3.4 names each anonymous namespace after its file plus a random number (GCC 10
# has hundreds), so without a seed no two builds of cc1plus were the same.
HOST_FLAGS="-O0 -D__LITTLE_ENDIAN__=1 -frandom-seed=gcc10"
run_phases
