/* Diverse double-compiling (stage 1-ddc, run on the i386 guest with argument `ddc`): shows that
 * stage 1's x86_64 tcc does not depend on the x86_64 seed. The independent i386 chain
 * (1-stage1-i386: the i386 seed, then an i386 tcc that reached its fixpoint) compiles the same
 * pinned tinycc source as an i386-hosted cross compiler targeting x86_64 ("xtcc"); xtcc then builds
 * x86_64 libtcc1, protomusl and tcc exactly as a stage-1 pass does (build_pass). If tcc's output
 * depends only on its source and target, that tcc is byte-identical to 1-stage1's. The guest
 * reports where they first differ; `zilchboot ddc` judges and prints both hashes. */

#define DDC_HOST_STAGE "/store/1-stage1-i386"
#define DDC_REFERENCE_STAGE "/store/1-stage1"

/* xtcc: tcc.c for target x86_64 (s->arch), compiled and linked by the i386 fixpoint tcc against
 * the i386 protomusl and libtcc1 (it runs on this i386 guest). */
static const char *ddc_build_cross(struct stage1 *s, const char *host) {
    const char *dir = zpath(s->work, "xtcc"), *obj = zpath(dir, "tcc.o"), *exe = zpath(dir, "bin/tcc");
    const char *hcc = zpath(host, "tinycc/bin/tcc"), *hlib = zpath(host, "protomusl/lib");
    struct zlist cc = { 0 }, ld = { 0 };
    zmkdirs(zdirname(exe));
    zpush(&cc, hcc);
    zpush(&cc, "-nostdinc");
    zpush(&cc, "-Iinclude");
    zpush(&cc, zcat("-I", zpath(host, "protomusl/include")));
    zpush(&cc, zcat("-I", s->tcc_gen));
    zpush(&cc, tcc_target_define(s));
    for (int i = 0; tcc_defines[i]; i++) zpush(&cc, tcc_defines[i]);
    zpush(&cc, tcc_elfinterp_define(s));
    zpush(&cc, "-DONE_SOURCE=1");
    zpush(&cc, "-c"); zpush(&cc, "tcc.c"); zpush(&cc, "-o"); zpush(&cc, obj);
    zrun_in(cc.v, s->tinycc);
    zpush(&ld, hcc); zpush(&ld, "-nostdlib"); zpush(&ld, "-static"); zpush(&ld, "-o"); zpush(&ld, exe);
    zpush(&ld, zpath(hlib, "crt1.o")); zpush(&ld, zpath(hlib, "crti.o")); zpush(&ld, obj);
    zpush(&ld, zpath(hlib, "libc.a")); zpush(&ld, zpath(host, "tinycc/lib/tcc/libtcc1.a"));
    zpush(&ld, zpath(hlib, "crtn.o"));
    zrun_in(ld.v, NULL);
    return exe;
}

/* Prints whether two files are identical, or where they first differ; returns 1 if identical. */
static int ddc_compare(const char *what, const char *a, const char *b) {
    long at = zfirst_difference(a, b);
    zputs("ddc: "); zputs(what);
    if (at < 0) { zputs(" identical\n"); return 1; }
    zputs(" DIFFER, first at byte offset "); zputnum(at); zputs("\n");
    return 0;
}

static int ddc_run(struct stage1 *s) {
    const char *host = zcat(s->root, DDC_HOST_STAGE), *ref = zcat(s->root, DDC_REFERENCE_STAGE);
    step_begin("cross tcc (i386-hosted, x86_64 target)", 0);
    struct pass p = { 1, ddc_build_cross(s, host), zpath(s->work, "ddc") };
    step_end("cross tcc (i386-hosted, x86_64 target)", 0);
    build_pass(s, &p);
    int same = ddc_compare("tcc vs 1-stage1's", zpath(p.dir, "tinycc/bin/tcc"), zpath(ref, "tinycc/bin/tcc"));
    /* The pieces it is made of, to narrow a difference down. */
    ddc_compare("protomusl libc.a vs 1-stage1's", zpath(p.dir, "protomusl/lib/libc.a"), zpath(ref, "protomusl/lib/libc.a"));
    ddc_compare("libtcc1.a vs 1-stage1's", zpath(p.dir, "tinycc/lib/tcc/libtcc1.a"), zpath(ref, "tinycc/lib/tcc/libtcc1.a"));
    zmkdirs(zpath(s->out, "x86_64"));
    zcopy_file(zpath(p.dir, "tinycc/bin/tcc"), zpath(s->out, "x86_64/tcc"), 0755);
    zcopy_file(zpath(p.dir, "protomusl/lib/libc.a"), zpath(s->out, "x86_64/libc.a"), 0644);
    zcopy_file(zpath(p.dir, "tinycc/lib/tcc/libtcc1.a"), zpath(s->out, "x86_64/libtcc1.a"), 0644);
    zmkdirs(zpath(s->out, "i386"));
    zcopy_file(p.cc, zpath(s->out, "i386/tcc-cross-x86_64"), 0755);
    zputs(same ? "ddc: verdict: IDENTICAL\n" : "ddc: verdict: DIFFERENT\n");
    /* The output is the evidence either way; the host command turns a difference into a failure. */
    return 0;
}
