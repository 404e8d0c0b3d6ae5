# busybox 1.37.0, full and static against 2a3's musl: one recipe for every compiler that builds it,
# sourced after build.sh by each stage, which sets only who compiles it (its "lib" lists
# "build.sh" and "busybox.sh"):
#
#   . /recipe-lib/build.sh
#   . /recipe-lib/busybox.sh
#   STAGE=2c3-busybox
#   BB_CC=gcc          # the C compiler on PATH: busybox, and its build's host programs (HOSTCC:
#                      #   kconfig's conf, fixdep, the applet table and usage generators)
#   BB_TOOLS=          # make variables for the other tools, e.g. "AR=llvm-ar STRIP=llvm-strip"
#                      #   [busybox's own: ar, strip and nm from PATH]
#   run_phases
#
# The output: bin/busybox, and a relative symlink to it for every applet in busybox's own layout
# (bin, sbin, usr/bin, usr/sbin): the live system's userland, and tools the kernel build needs
# (bc, gzip). The configuration is `make defconfig` plus the changes in do_configure.
SRC=busybox-1.37.0
HEADERS=/store/2a6-linux-headers/include
# busybox names /tmp/ itself (mktemp, mkfs, ...): the leak check looks for the build tree, the
# DESTDIR and the sources share.
LEAK_STRINGS="/tmp/$SRC /tmp/dest /sources/"
# The applets the chain relies on: the kernel build's (bc, gzip, the shell and text tools), the
# live system's (mount, setsid, cttyhack, getty, cpio), and unpacking sources (tar, xz, bzip2).
BB_REQUIRED="ash sh bc gzip gunzip bzip2 unxz xzcat cpio find awk date cmp mount setsid cttyhack
getty tar sed grep diff patch xargs"

# bb_make ARGS...: make with this stage's compiler (for the target and the host programs) and tools.
# KCONFIG_NOTIMESTAMP: kconfig writes no date into .config and include/autoconf.h (it would take
# SOURCE_DATE_EPOCH, else the clock); the banner's date is replaced in do_prepare.
bb_make() {
    # shellcheck disable=SC2086 # BB_TOOLS is a list of words
    mk CC="$BB_CC" HOSTCC="$BB_CC" $BB_TOOLS KCONFIG_NOTIMESTAMP=1 "$@"
}

do_prepare() {
    [ -n "$BB_CC" ] || die "set BB_CC (the compiler) before run_phases"
    # The Makefiles run these directly, and they start with #!/bin/sh. Only scripts/ and applets/:
    # applets_sh/ and embed/ are scripts busybox embeds in itself (run by its own ash).
    replace_bin_sh $(find scripts applets -type f -perm -u+x)
    # The usage texts, the embedded scripts and the embedded .config are bzip2 streams with the
    # "BZ" magic cut off by `dd bs=2 skip=1`; stage 1 has no dd. tail -c +3 cuts the same 2 bytes.
    edit applets/usage_compressed '$DD bs=2 skip=1' 'tail -c +3'
    edit scripts/embedded_scripts '$DD bs=2 skip=1' 'tail -c +3'
    edit scripts/mkconfigs 'dd bs=2 skip=1' 'tail -c +3'
    # split-include lists the include/config/*.h of an earlier configuration with popen("find ..."),
    # and popen runs /bin/sh, which the guest does not have. A fresh tree has no such files: it
    # reads an empty list instead.
    edit scripts/basic/split-include.c 'popen("find * -type f -name \"*.h\" -print", "r")' 'fopen("/dev/null", "r")'
    edit scripts/basic/split-include.c 'pclose(fp_find)' 'fclose(fp_find)'
    # The banner would carry kconfig's date: "BusyBox v1.37.0 (1970-01-01 00:00:00 UTC)" from the
    # guest's SOURCE_DATE_EPOCH=0 (the clock's without it, "()" with KCONFIG_NOTIMESTAMP). It names
    # the stage that built it instead.
    edit libbb/messages.c '#define BB_EXTRA_VERSION " ("AUTOCONF_TIMESTAMP")"' \
        "#define BB_EXTRA_VERSION \" (zilchboot $STAGE)\""
}

# defconfig (everything busybox offers, as its maintainers ship it), then:
#   STATIC=y          no loader: the live system and the kernel build run it from anywhere.
#   EXTRA_CFLAGS      the UAPI headers (2a6), after musl's, as for the other stages (the network
#                     applets, mount, losetup, ... include linux/*.h).
#   LINUXRC off       no /linuxrc link at the top of the output: that is the old initrd's entry
#                     point, and the ISO boots an initramfs (rdinit=/init).
# Everything else stays: all 554 C files of this configuration compile against 2a3's musl and
# 2a6's headers (checked with 2a5c's GCC 10, -fsyntax-only, outside the guest). tc among them: it
# needs pkt_sched.h's CBQ definitions (TCA_CBQ_*), which 6.1's headers still have; with headers
# that drop them, CONFIG_TC must go. Where musl differs, busybox handles it itself (chrt and hwclock
# test for musl); utmp and wtmp are musl stubs, so who, users and last report nobody.
do_configure() {
    logged defconfig bb_make defconfig
    edit .config '# CONFIG_STATIC is not set' 'CONFIG_STATIC=y'
    edit .config 'CONFIG_EXTRA_CFLAGS=""' "CONFIG_EXTRA_CFLAGS=\"-idirafter $HEADERS\""
    edit .config 'CONFIG_LINUXRC=y' '# CONFIG_LINUXRC is not set'
    # Settles what the changes imply (nothing new to ask: they only turn things on or off).
    logged oldconfig bb_make oldconfig < /dev/null
    for opt in CONFIG_STATIC=y "CONFIG_EXTRA_CFLAGS=\"-idirafter $HEADERS\"" '# CONFIG_LINUXRC is not set' \
            CONFIG_BC=y CONFIG_FEATURE_SEAMLESS_XZ=y CONFIG_FEATURE_SEAMLESS_BZ2=y CONFIG_FEATURE_SEAMLESS_GZ=y; do
        grep -q -x -F "$opt" .config || die "the configuration lost '$opt'"
    done
    echo "$STAGE: $(grep -c '=y$' .config) options on"
}

do_build() {
    logged make bb_make -j"$JOBS"
}

# busybox's install: bin/busybox and the links (relative: bin/ls -> busybox,
# usr/bin/awk -> ../../bin/busybox), under CONFIG_PREFIX.
do_install() {
    logged make-install bb_make install CONFIG_PREFIX="$DEST$PREFIX"
    cd "$DEST$PREFIX"
    copy_to_out
}

# The installed busybox must be static and say which stage built it, and every applet must have
# its relative link (and nothing else be a link); then busybox_smoke.
busybox_check() {
    bb=/out/bin/busybox
    [ -f $bb ] && [ ! -L $bb ] || die "no bin/busybox"
    ! readelf -l $bb | grep -q INTERP || die "bin/busybox asks for a loader"
    readelf -d $bb | grep -q "no dynamic section" || die "bin/busybox has a dynamic section"
    v=$($bb | head -n 1)
    echo "$STAGE: $v"
    [ "$v" = "BusyBox v1.37.0 (zilchboot $STAGE) multi-call binary." ] || die "the banner says '$v'"
    mkdir /tmp/smoke
    cd /tmp/smoke
    $bb --list > applets
    $bb --list-full > links
    echo "$STAGE: $(wc -l < applets) applets"
    for a in $BB_REQUIRED; do
        grep -q -x -F "$a" applets || die "no applet $a"
    done
    while read -r link; do
        [ -L "/out/$link" ] || die "no link /out/$link"
    done < links
    [ "$(find /out -type l | wc -l)" = "$(wc -l < links)" ] || die "links other than the applets' in /out"
    [ -z "$(find -L /out -type l)" ] || die "dangling links: $(find -L /out -type l)"
    ! ls -lR /out | grep -q -e '-> /' || die "absolute links: $(ls -lR /out | grep -e '-> /')"
    [ ! -e /out/linuxrc ] || die "/out/linuxrc exists"
    (busybox_smoke)
}

# Runs the applets the chain needs, each through its link (in /tmp/smoke, in a subshell: PATH is the
# new busybox alone).
busybox_smoke() {
    PATH=/out/bin:/out/sbin:/out/usr/bin:/out/usr/sbin
    [ "$(sh -c 'echo $((6 * 7))')" = 42 ] || die "sh does not compute"
    [ "$(echo '2^100' | bc)" = 1267650600228229401496703205376 ] || die "bc does not compute 2^100"
    # The constructs of the kernel's timeconst.bc, run as the kernel runs it (echo HZ | bc -q FILE).
    # Not its \q: busybox bc prints that escape as it is (the kernel's one \q is in an #error line
    # that the right HZ never reaches).
    cat > t.bc <<'BC'
define gcd(a, b) {
	auto t;
	while (b) {
		t = b;
		b = a % b;
		a = t;
	}
	return a;
}
define fmul(b, n, d) {
	return (2^b*n+d-1)/d;
}
define fshift(b, n, d) {
	auto s;
	for (s = 0; 1; s++) {
		if (fmul(s, n, d) >= 2^(b-1))
			return s;
	}
	return 0;
}
hz = read();
s = fshift(32, 1000, hz)
print "hz ", hz, ": shift ", s, ", gcd ", gcd(hz, 1000), "\n"
obase = 16
print "mul\t0x", fmul(s, 1000, hz), "\n"
halt
BC
    out=$(echo 300 | bc -q t.bc)
    echo "$STAGE: smoke: bc:" $out
    [ "$out" = "$(printf 'hz 300: shift 30, gcd 100\nmul\t0xD5555556')" ] || die "bc printed '$out'"
    [ "$(date -u -d @86400 +%F)" = 1970-01-02 ] || die "date -d @86400 says $(date -u -d @86400 +%F)"
    printf 'b 2\na 1\nc 3\n' > in
    [ "$(awk '{ s += $2 } END { print s }' in)" = 6 ] || die "awk does not sum"
    [ "$(sed -n 's/^a /A=/p' in)" = A=1 ] || die "sed does not substitute"
    [ "$(grep -c '^[ab] ' in)" = 2 ] || die "grep does not count"
    mkdir -p tree/d
    cp in tree/d/f
    [ "$(find tree -type f | xargs cat)" = "$(cat in)" ] || die "find | xargs cat lost the file"
    (cd tree && find d | cpio -o -H newc) > t.cpio 2> /dev/null
    mkdir copy
    (cd copy && cpio -i -d < ../t.cpio) 2> /dev/null
    cmp tree/d/f copy/d/f || die "cpio did not copy tree/d/f"
    printf 'b 2\na one\nc 3\n' > new
    if diff -u in new > in.diff; then die "diff found no difference"; fi
    cp in patched
    patch patched in.diff > /dev/null
    cmp patched new || die "patch did not turn in into new"
    tar -cf t.tar tree
    gzip -n -9 -c t.tar > t.tar.gz
    bzip2 -c t.tar > t.tar.bz2
    mkdir x-gz x-bz2
    tar -xzf t.tar.gz -C x-gz
    tar -xjf t.tar.bz2 -C x-bz2
    cmp tree/d/f x-gz/tree/d/f || die "tar -xzf did not unpack t.tar.gz"
    cmp tree/d/f x-bz2/tree/d/f || die "tar -xjf did not unpack t.tar.bz2"
    # busybox compresses no xz: a tar.xz (ustar, one file "x" holding "xz ok", mtime 0) made by
    # GNU tar 1.34 and `xz -0 --check=crc32` (XZ Utils 5.4.1; a 256 KiB dictionary).
    base64 -d > t.tar.xz <<'XZ'
/Td6WFoAAAFpIt42AgAhAQwAAACPmEGc4Cf/AF9dADwAM1AYaImC7aeAafrabtVEFWI4ry5E2VIq
6mbIPvZjRq9werJpy5vsHDRGpoxn2B4/d2lTvsc5yD3mbSFWQwT6/h57XDnBxjQmvQbwQTpWzd3I
cTTSJMuMOSJwRoAAAAA9apkJAAF3gFAAAACUVpmvPjANiwIAAAAAAVla
XZ
    tar -xJf t.tar.xz
    [ "$(cat x)" = "xz ok" ] || die "tar -xJf did not unpack t.tar.xz"
}
do_check() { busybox_check; }
