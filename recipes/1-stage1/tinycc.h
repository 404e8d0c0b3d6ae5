/* tinycc: libtcc1.a, tcc's headers, and a static tcc linked against protomusl. */

/* Where the finished stage lives for later stages: every default path is relative to the tcc
 * directory ({B}, which -B overrides), so a pass's tree under /tmp works the same way. */
#define TCC_STORE_DIR "/store/1-stage1/tinycc/lib/tcc"
#define TCC_MUSL_DIR "{B}/../../../protomusl"

/* The target's define and dynamic loader name come first (tcc_cflags), then these. */
static const char *tcc_defines[] = {
    "-DTCC_MUSL",
    "-DCONFIG_TCC_STATIC",      /* tcc itself is static: no dlopen; -run resolves only a few symbols */
    "-DCONFIG_TCCDIR=\"" TCC_STORE_DIR "\"",
    "-DCONFIG_TCC_SYSINCLUDEPATHS=\"{B}/include:" TCC_MUSL_DIR "/include\"",
    "-DCONFIG_TCC_LIBPATHS=\"" TCC_MUSL_DIR "/lib\"",
    "-DCONFIG_TCC_CRTPREFIX=\"" TCC_MUSL_DIR "/lib\"",
    NULL
};

/* Per target: tcc's target define; the loader name is never used (protomusl has no dynamic
 * loader: this tcc links statically by default, see tcc_patches) but must be defined. */
static const char *tcc_target_define(struct stage1 *s) {
    return zstreq(s->arch, "i386") ? "-DTCC_TARGET_I386" : "-DTCC_TARGET_X86_64";
}
static const char *tcc_elfinterp_define(struct stage1 *s) {
    return zcat4("-DCONFIG_TCC_ELFINTERP=\"/lib/ld-musl-", s->arch, ".so.1\"", NULL);
}

/* va_list.c's impossible default case calls abort(), but tcc links libtcc1.a after libc, so a
 * program whose only va_arg use is inside libc (printf) would not link: trap without libc instead. */
static const struct src_patch tcc_patches[] = {
    { "lib/va_list.c", "        abort();\n", "        __asm__ __volatile__(\"ud2\");\n" },
    /* protomusl is static only and this snapshot has no configure option for linking statically
     * by default: without -static, `tcc -o x x.c` would write an executable asking for a dynamic
     * loader that does not exist. So -static is the default (there is no flag to undo it). */
    { "libtcc.c", "    s->nocommon = 1;\n", "    s->nocommon = 1;\n    s->static_link = 1;\n" },
    { NULL, NULL, NULL },
};

/* Copies tinycc's top-level sources, include/ and lib/ to s->tinycc (tmpfs) and edits them there. */
static void tcc_copy(struct stage1 *s) {
    const char *dirs[] = { ".", "include", "lib", NULL };
    for (int i = 0; dirs[i]; i++) src_copy_dir(s->tinycc_share, s->tinycc, dirs[i]);
    src_patch_apply(s->tinycc, tcc_patches);
}

/* config.h as tinycc's configure would write it; only the version is read by this snapshot. */
static void tcc_write_config(struct stage1 *s) {
    char *version = zmust_read(zpath(s->tinycc, "VERSION"), NULL);
    size_t n = zstrlen(version);
    while (n && (version[n - 1] == '\n' || version[n - 1] == ' ')) n--;
    char *text = zcat4("#define TCC_VERSION \"", zstrndup(version, n), "\"\n", NULL);
    zmkdirs(s->tcc_gen);
    zwrite_file(zpath(s->tcc_gen, "config.h"), text, zstrlen(text), 0644);
}

/* Flags for compiling tinycc's C sources (cwd: the tinycc tree) against this pass's protomusl
 * headers. The pass directory in -I never reaches an object: __FILE__ expands in tcc's own files. */
static void tcc_cflags(struct stage1 *s, struct pass *p, struct zlist *argv) {
    zpush(argv, "-nostdinc");
    zpush(argv, "-Iinclude");
    zpush(argv, zcat("-I", zpath(p->dir, "protomusl/include")));
    zpush(argv, zcat("-I", s->tcc_gen));
    zpush(argv, tcc_target_define(s));
    for (int i = 0; tcc_defines[i]; i++) zpush(argv, tcc_defines[i]);
    zpush(argv, tcc_elfinterp_define(s));
}

/* Queues one libtcc1 member: those files include nothing. */
static void tcc_compile_runtime(struct stage1 *s, struct pass *p, struct zpool *pool, const char *rel,
                                const char *obj) {
    struct zlist argv = { 0 };
    zpush(&argv, p->cc);
    zpush(&argv, "-nostdinc");
    zpush(&argv, "-c"); zpush(&argv, rel); zpush(&argv, "-o"); zpush(&argv, obj);
    zpool_run(pool, argv.v, s->tinycc);
}

/* libtcc1.a from tinycc's lib/: the musl set of lib/Makefile for the target (va_list.c is
 * x86_64's only). Its bt-exe.o and bt-log.o (for tcc -bt) are left out: tcc adds them after libc,
 * so against a static-only libc they cannot link in this snapshot. */
static void tcc_build_libtcc1(struct stage1 *s, struct pass *p) {
    const char *lib = zpath(p->dir, "tinycc/lib/tcc"), *objdir = zpath(p->dir, "obj/libtcc1");
    const char *members_x86_64[] = { "alloca86_64-bt.S", "alloca86_64.S", "libtcc1.c", "va_list.c", NULL };
    const char *members_i386[] = { "alloca86-bt.S", "alloca86.S", "libtcc1.c", NULL };
    const char **members = zstreq(s->arch, "i386") ? members_i386 : members_x86_64;
    struct zpool pool;
    struct zlist ar = { 0 };
    zmkdirs(lib); zmkdirs(objdir);
    zpool_init(&pool, s->jobs);
    for (int i = 0; members[i]; i++) {
        char *obj = zcat4(objdir, "/", zstrndup(members[i], zstrlen(members[i]) - 2), ".o");
        tcc_compile_runtime(s, p, &pool, zpath("lib", members[i]), obj);
        zpush(&ar, obj);  /* members[] is sorted, so the archive is too */
    }
    zpool_drain(&pool);
    zar_write(zpath(lib, "libtcc1.a"), &ar);
    /* tcc's own headers, as its install target places them */
    struct zlist h = { 0 };
    zlist_dir(zpath(s->tinycc, "include"), NULL, &h);
    zmkdirs(zpath(lib, "include"));
    for (int i = 0; i < h.n; i++)
        zcopy_file(zpath(zpath(s->tinycc, "include"), h.v[i]), zpath(zpath(lib, "include"), h.v[i]), 0644);
    zcopy_file(zpath(s->tinycc, "tcclib.h"), zpath(lib, "include/tcclib.h"), 0644);
}

/* tcc.c in ONE_SOURCE mode, linked statically with the pass's own files in the order tcc -static
 * uses: crt1 crti tcc.o libc libtcc1 crtn (spelled out, since the seed's defaults point elsewhere). */
static void tcc_build_compiler(struct stage1 *s, struct pass *p) {
    const char *obj = zpath(p->dir, "obj/tcc/tcc.o"), *bin = zpath(p->dir, "tinycc/bin");
    const char *mlib = zpath(p->dir, "protomusl/lib"), *tlib = zpath(p->dir, "tinycc/lib/tcc");
    struct zlist cc = { 0 }, ld = { 0 };
    zmkdirs(zdirname(obj)); zmkdirs(bin);
    zpush(&cc, p->cc);
    tcc_cflags(s, p, &cc);
    zpush(&cc, "-DONE_SOURCE=1");
    zpush(&cc, "-c"); zpush(&cc, "tcc.c"); zpush(&cc, "-o"); zpush(&cc, obj);
    zrun_in(cc.v, s->tinycc);
    zpush(&ld, p->cc); zpush(&ld, "-nostdlib"); zpush(&ld, "-static");
    zpush(&ld, "-o"); zpush(&ld, zpath(bin, "tcc"));
    zpush(&ld, zpath(mlib, "crt1.o")); zpush(&ld, zpath(mlib, "crti.o")); zpush(&ld, obj);
    zpush(&ld, zpath(mlib, "libc.a")); zpush(&ld, zpath(tlib, "libtcc1.a"));
    zpush(&ld, zpath(mlib, "crtn.o"));
    zrun_in(ld.v, NULL);
}
