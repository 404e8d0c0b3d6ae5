/* protobusybox: busybox 1.37.0 as one static multi-call binary, built by a stage-1 tcc against
 * protomusl, without Kconfig, make or a shell.
 *
 * Entry point for stage1.c (after the pass whose tcc and protomusl it uses):
 *
 *   static void build_busybox(const char *src, const char *recipe, const char *work,
 *                             const char *out, const char *tcc, const char *tccdir, int jobs);
 *
 *   src     busybox tree, top-level dir stripped; read-only is fine (e.g. /sources/busybox)
 *   recipe  the directory holding busybox.config (stage1.c's s->recipe)
 *   work    scratch directory, created (e.g. /tmp/stage1/busybox)
 *   out     install prefix (e.g. /out/protobusybox): writes out/bin/busybox plus one symlink
 *           per applet (out/bin/ash -> busybox, ...)
 *   tcc     a tcc whose default paths find protomusl from its -B directory (tinycc.h's layout:
 *           headers in tccdir/include and tccdir/../../../protomusl/include, crt files and
 *           libc.a in tccdir/../../../protomusl/lib, libtcc1.a in tccdir)
 *   tccdir  that -B directory (<pass>/tinycc/lib/tcc)
 *   jobs    compilers run at once
 * e.g. in stage1.c's stage(), once pass 3 is installed (and "busybox" added to stage.json's sources):
 *   build_busybox(zcat(root, "/sources/busybox"), s.recipe, zpath(s.work, "busybox"),
 *                 zpath(s.out, "protobusybox"), zpath(passes[2].dir, "tinycc/bin/tcc"),
 *                 zpath(passes[2].dir, "tinycc/lib/tcc"), s.jobs);
 * The applets are symlinks to "busybox" in the same directory: the store packer must keep them.
 * It needs zsys.h, zmem.h, zfile.h, zjobs.h and zar.h included before it, and stops the program
 * (exit status 1 or 111, message on stdout) on any failure. busybox_build() is the same with
 * explicit command lines, for compilers configured otherwise (the seed: busybox-selftest.c).
 *
 * Steps: scan the tree and generate the config headers (busybox-gen.h); compile and run
 * busybox's own applets/applet_tables.c for applet_tables.h; evaluate the Kbuild files for the
 * source list (busybox-kbuild.h); compile in parallel, each source named relative to the tree
 * with the tree as cwd (so libbb.h's __FILE__ never holds a build path); archive everything and
 * link through the archive, which (like busybox's lib.a + --gc-sections) keeps only what the
 * applets reach. */
#include "busybox-gen.h"
#include "busybox-kbuild.h"

#if defined(__i386__)
enum { BB_SYS_symlink = 83 };
#else
enum { BB_SYS_symlink = 88 };
#endif

struct bb_build {
    const char *src, *recipe, *work, *out;
    char **cc;      /* compiler prefix; -c SRC -o OBJ follow (NULL-terminated) */
    char **ld;      /* link prefix; -o OUT and the objects follow */
    char **libs;    /* after the objects (NULL: none) */
    int jobs;
};

static void bb_push_list(struct zlist *argv, char **list) {
    for (int i = 0; list && list[i]; i++) zpush(argv, list[i]);
}

static void bb_link(struct bb_build *b, const char *exe, struct zlist *inputs) {
    struct zlist argv = { 0 };
    bb_push_list(&argv, b->ld);
    zpush(&argv, "-o"); zpush(&argv, exe);
    zpush_all(&argv, inputs);
    bb_push_list(&argv, b->libs);
    zrun_in(argv.v, NULL);
}

/* applet_tables.h and NUM_APPLETS.h from busybox's own generator, built with our compiler: it
 * includes "../include/autoconf.h" and "../include/applets.h", found as <gen>/include/../include. */
static void bb_applet_tables(struct bb_build *b, const char *inc) {
    const char *obj = zpath(b->work, "applet_tables.o"), *exe = zpath(b->work, "applet_tables");
    struct zlist cc = { 0 }, objs = { 0 };
    bb_push_list(&cc, b->cc);
    zpush(&cc, zcat("-I", inc));
    zpush(&cc, "-c"); zpush(&cc, "applets/applet_tables.c"); zpush(&cc, "-o"); zpush(&cc, obj);
    zrun_in(cc.v, b->src);
    zpush(&objs, obj);
    bb_link(b, exe, &objs);
    char *run[] = { (char *)exe, zpath(inc, "applet_tables.h"), zpath(inc, "NUM_APPLETS.h"), NULL };
    zrun_in(run, b->work);
}

/* Applet names from applet_tables.h's applet_names[]: lines `"name" "\0"`. */
static void bb_applet_names(const char *inc, struct zlist *names) {
    char *text = zmust_read(zpath(inc, "applet_tables.h"), NULL);
    int in_names = 0;
    for (char *l = text; *l;) {
        char *e = bb_line_end(l);
        if (zprefix(l, "const char applet_names[]")) in_names = 1;
        else if (in_names && *l == ';') in_names = 0;
        else if (in_names && *l == '"') {
            char *q = l + 1;
            while (q < e && *q != '"') q++;
            zpush(names, zstrndup(l + 1, q - l - 1));
        }
        l = *e ? e + 1 : e;
    }
    if (!names->n) zdie_path("no applet names in", zpath(inc, "applet_tables.h"), 0);
}

/* Compiler flags of busybox's Makefile.flags that tcc understands; LFS and TIME64 as there. */
static void bb_cflags(struct bb_build *b, struct bb_config *c, const char *inc, const char *version,
                      struct zlist *argv) {
    bb_push_list(argv, b->cc);
    zpush(argv, "-include"); zpush(argv, zpath(inc, "autoconf.h"));
    zpush(argv, zcat("-I", inc)); zpush(argv, "-Iinclude"); zpush(argv, "-Ilibbb");
    /* This tcc does not claim to be gcc, so platform.h would define __attribute__(x) away and
     * with it PACKED (gunzip's header union must be 8 bytes). A macro expanding to itself makes
     * its #ifndef __attribute__ skip that, and changes nothing else. */
    zpush(argv, "-D__attribute__(x)=__attribute__(x)");
    /* Likewise platform.h would define __restrict empty, and musl's features.h then redefines it
     * as restrict with a warning per file: give it musl's meaning from the start. */
    zpush(argv, "-D__restrict=restrict");
    zpush(argv, "-D_GNU_SOURCE"); zpush(argv, "-DNDEBUG");
    if (bb_config_value(c, "LFS")) {
        zpush(argv, "-D_LARGEFILE_SOURCE"); zpush(argv, "-D_LARGEFILE64_SOURCE");
        zpush(argv, "-D_FILE_OFFSET_BITS=64");
    }
    if (bb_config_value(c, "TIME64")) zpush(argv, "-D_TIME_BITS=64");
    zpush(argv, zcat4("-DBB_VER=\"", version, "\"", NULL));
}

static void bb_install(struct bb_build *b, const char *exe, const char *inc) {
    const char *bin = zpath(b->out, "bin");
    struct zlist names = { 0 };
    zmkdirs(bin);
    zcopy_file(exe, zpath(bin, "busybox"), 0755);
    bb_applet_names(inc, &names);
    for (int i = 0; i < names.n; i++) {
        const char *link = zpath(bin, names.v[i]);
        Z1(SYS_unlink, link);
        long r = Z2(BB_SYS_symlink, "busybox", link);
        if (r < 0) zdie_path("symlink", link, r);
    }
    zputs("protobusybox: "); zputnum(names.n); zputs(" applets in "); zputs(bin); zputs("\n");
}

static void busybox_build(struct bb_build *b) {
    long started = znow_ms();
    const char *inc = zpath(b->work, "gen/include"), *objdir = zpath(b->work, "obj");
    zmkdirs(inc);

    struct bb_tree t = { 0 };
    struct bb_config c = { 0 };
    bb_scan_dir(&t, b->src, "", 0);
    bb_read_config(&c, zpath(b->recipe, "busybox.config"));
    char *version = bb_version(b->src);
    /* a fixed "build time": the banner must not depend on when we built */
    bb_write_autoconf(&t, &c, zpath(inc, "autoconf.h"), "protobusybox");
    bb_write_inserted(zpath(b->src, "include/applets.src.h"),
                      "/* Generated by zilchboot's busybox-gen.h from applets.src.h. */\n",
                      zjoin(&t.applet_lines), zpath(inc, "applets.h"));
    bb_write_fixed_headers(inc);
    bb_applet_tables(b, inc);

    struct zlist srcs = { 0 }, objs = { 0 };
    bb_sources(&t, &c, b->src, &srcs);
    zputs("protobusybox: "); zputs(version); zputs(", "); zputnum(srcs.n); zputs(" sources; headers took ");
    zput_seconds(znow_ms() - started); zputs("\n");
    long compile_started = znow_ms();

    struct zpool pool;
    zpool_init(&pool, b->jobs);
    for (int i = 0; i < srcs.n; i++) {
        const char *rel = srcs.v[i];
        char *obj = zcat4(objdir, "/", zstrndup(rel, zstrlen(rel) - 2), ".o");
        struct zlist argv = { 0 };
        bb_cflags(b, &c, inc, version, &argv);
        zpush(&argv, "-c"); zpush(&argv, rel); zpush(&argv, "-o"); zpush(&argv, obj);
        zmkdirs(zdirname(obj));
        zpush(&objs, obj);
        zpool_run(&pool, argv.v, b->src);
    }
    zpool_drain(&pool);
    zputs("protobusybox: compiling took "); zput_seconds(znow_ms() - compile_started); zputs("\n");

    /* objs follow srcs, which are sorted: the archive is the same whatever the job count */
    const char *archive = zpath(b->work, "busybox.a"), *exe = zpath(b->work, "busybox");
    struct zlist inputs = { 0 };
    zar_write(archive, &objs);
    zpush(&inputs, archive);
    bb_link(b, exe, &inputs);
    bb_install(b, exe, inc);
    zputs("protobusybox: built in "); zput_seconds(znow_ms() - started); zputs("\n");
}

static void build_busybox(const char *src, const char *recipe, const char *work, const char *out,
                          const char *tcc, const char *tccdir, int jobs) {
    char *B = zcat("-B", tccdir);
    /* tcc's default include dirs, named first: tcc searches -I dirs before its own, so with
     * -Iinclude -Ilibbb first every <stdio.h> would probe two directories of the source tree,
     * which in the guest lie on 9p where a failed lookup is a round trip (~280 per file). */
    char *cc[] = { (char *)tcc, B, "-nostdinc", zcat4("-I", tccdir, "/include", NULL),
                   zcat4("-I", tccdir, "/../../../protomusl/include", NULL), NULL };
    char *ld[] = { (char *)tcc, B, "-static", NULL };
    struct bb_build b = { src, recipe, work, out, cc, ld, NULL, jobs };
    busybox_build(&b);
}
