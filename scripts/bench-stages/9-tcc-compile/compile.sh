# Compiles tcc.c (about 40k lines with its includes) $1 times in a row with stage 1's tcc, on tmpfs.
# The same binary and script run under QEMU and with --runner native, so the time of the loop alone
# is the emulator's own cost. The bench timestamps the two "bench-compile:" lines on the host as
# they arrive on the console (boot, unpacking and 9p traffic stay outside them); the guest's
# uptime printed with them is a cross-check of that clock.
set -e
count=$1
cp -R /sources/tinycc /tmp/tinycc
cd /tmp/tinycc
echo '#define TCC_VERSION "0.9.27"' > config.h
# One untimed compile first, so every timed one finds the same warm tmpfs and page cache.
tcc -DTCC_TARGET_X86_64 -DTCC_MUSL -DONE_SOURCE=1 -c tcc.c -o tcc.o
read -r start _ < /proc/uptime
echo "bench-compile: start, guest uptime $start"
i=0
while [ "$i" -lt "$count" ]; do
    tcc -DTCC_TARGET_X86_64 -DTCC_MUSL -DONE_SOURCE=1 -c tcc.c -o tcc.o
    i=$((i + 1))
done
read -r end _ < /proc/uptime
echo "bench-compile: $count compiles done, guest uptime $end"
