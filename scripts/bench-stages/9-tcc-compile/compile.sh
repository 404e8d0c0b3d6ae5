# Compiles tcc.c (about 40k lines with its includes) $1 times with stage 1's tcc, on tmpfs.
# The bench runs this with 0 and with N compiles: the difference divided by N is the cost of one
# compile, without boot, unpacking or 9p traffic.
set -e
count=$1
cp -R /sources/tinycc /tmp/tinycc
cd /tmp/tinycc
echo '#define TCC_VERSION "0.9.27"' > config.h
i=0
while [ "$i" -lt "$count" ]; do
    tcc -DTCC_TARGET_X86_64 -DTCC_MUSL -DONE_SOURCE=1 -c tcc.c -o tcc.o
    i=$((i + 1))
done
echo "9-tcc-compile: $count compiles done"
