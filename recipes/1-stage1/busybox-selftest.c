/* Developer tool, not part of the stage: builds protobusybox on the host with busybox.h, the way
 * stage1.c does in the guest, so busybox.h can be tried without booting a VM.
 *
 *   /tmp/seed/tcc -nostdinc -nostdlib -I/work/main/vm/guest -run busybox-selftest.c \
 *       root=DIR sysroot=DIR [cc=seed|stage1] [seed=PATH] [jobs=N]
 *
 * root holds sources/busybox (the unpacked tree); the build goes to root/tmp/busybox and installs
 * into root/out/protobusybox/bin. sysroot holds a stage-1 output: protomusl/{include,lib} and
 * tinycc/{bin/tcc,lib/tcc}. cc=stage1 (default) compiles with sysroot's tcc, as stage1.c will;
 * cc=seed compiles with the seed tcc, naming protomusl's headers, crt files and libraries. */
#include "zsys.h"
#include "zmem.h"
#include "zfile.h"
#include "zjobs.h"
#include "zar.h"
#include "busybox.h"

int _start(int argc, char **argv, char **envp) {
    const char *root = NULL, *sysroot = NULL, *which = "stage1", *seed = "/tmp/seed/tcc";
    int jobs = 0;
    for (int i = 1; i < argc; i++) {
        if (zprefix(argv[i], "root=")) root = argv[i] + 5;
        else if (zprefix(argv[i], "sysroot=")) sysroot = argv[i] + 8;
        else if (zprefix(argv[i], "cc=")) which = argv[i] + 3;
        else if (zprefix(argv[i], "seed=")) seed = argv[i] + 5;
        else if (zprefix(argv[i], "jobs=")) jobs = zatol(argv[i] + 5);
        else { zputs("busybox-selftest: unknown argument "); zputs(argv[i]); zputs("\n"); return 2; }
    }
    if (!root || !sysroot) { zputs("busybox-selftest: root= and sysroot= are required\n"); return 2; }
    if (jobs < 1) jobs = zcpu_count();
    const char *src = zcat(root, "/sources/busybox"), *work = zcat(root, "/tmp/busybox");
    const char *out = zcat(root, "/out/protobusybox"), *recipe = zdirname(argv[0]);
    const char *tccdir = zcat(sysroot, "/tinycc/lib/tcc"), *mlib = zcat(sysroot, "/protomusl/lib");
    if (zstreq(which, "stage1")) {
        build_busybox(src, recipe, work, out, zcat(sysroot, "/tinycc/bin/tcc"), tccdir, jobs);
    } else if (zstreq(which, "seed")) {
        char *cc[] = { (char *)seed, "-nostdinc", zcat4("-I", tccdir, "/include", NULL),
                       zcat4("-I", sysroot, "/protomusl/include", NULL), NULL };
        char *ld[] = { (char *)seed, "-nostdlib", "-static", zpath(mlib, "crt1.o"), zpath(mlib, "crti.o"), NULL };
        char *libs[] = { zpath(mlib, "libc.a"), zpath(tccdir, "libtcc1.a"), zpath(mlib, "libc.a"),
                         zpath(mlib, "crtn.o"), NULL };
        struct bb_build b = { src, recipe, work, out, cc, ld, libs, jobs };
        busybox_build(&b);
    } else {
        zputs("busybox-selftest: cc= must be seed or stage1\n");
        return 2;
    }
    return 0;
}
