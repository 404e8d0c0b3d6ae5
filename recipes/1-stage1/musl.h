/* protomusl: musl 1.2.5's static libc, crt files and headers, built by whichever tcc a pass uses.
 * The file selection follows musl's Makefile: every src/<dir>/*.c plus src/malloc/mallocng, where
 * a src/<dir>/<arch>/<name>.{s,S,c} replaces the generic <name>.c; minus what tcc cannot build.
 * <arch> is s->arch: x86_64, or i386 for the i386 variant of this stage (1-stage1-i386). */

/* Whole directories tcc cannot compile: src/complex needs _Complex; the arch's math and fenv
 * files use asm constraints and x87 opcodes tcc lacks (their generic C versions are used). */
static int musl_skip_dir(struct stage1 *s, const char *dir) {
    return zstreq(dir, "src/complex") || zstreq(dir, zcat("src/math/", s->arch)) || zstreq(dir, zcat("src/fenv/", s->arch));
}

/* Single files left out: none so far. (Files other tcc builds of musl drop for double
 * definitions, such as src/thread/clone.c, are replaced by their x86_64 versions above.) */
static const char *musl_skip_files[] = { NULL };

/* tcc's assembler does not know the @PLT suffix; in a static libc a plain call means the same. */
static const struct src_patch musl_patches_x86_64[] = {
    { "src/signal/x86_64/sigsetjmp.s", "setjmp@PLT", "setjmp" },
    { NULL, NULL, NULL },
};
/* tcc's i386 assembler cannot encode jecxz to a label ("invalid displacement"); the flags it
 * would leave alone are not read afterwards. Nor does it resolve the difference of a .data and a
 * .text label ($4f-1b, a position-independent way to find the GDT entry number): the kernel got a
 * garbage entry, set_thread_area failed, and the modify_ldt fallback is not in the guest kernel,
 * so every program crashed at startup. A static libc can take the address directly. */
static const struct src_patch musl_patches_i386[] = {
    { "src/signal/i386/sigsetjmp.s", "\tjecxz 1f\n", "\ttest %ecx,%ecx\n\tjz 1f\n" },
    { "src/thread/i386/__set_thread_area.s", "\tcall 1f\n1:\taddl $4f-1b,(%esp)\n\tpop %ecx\n", "\tmov $4f,%ecx\n" },
    { NULL, NULL, NULL },
};

static int musl_listed(const char **table, const char *rel) {
    for (int i = 0; table[i]; i++) if (zstreq(table[i], rel)) return 1;
    return 0;
}

/* The file name without directory and extension: what musl's Makefile matches replacements by. */
static char *musl_stem(const char *name) {
    size_t n = zstrlen(name);
    while (n > 0 && name[n - 1] != '.') n--;
    return zstrndup(name, n ? n - 1 : zstrlen(name));
}

static int musl_is_source(const char *name, int arch) {
    return zsuffix(name, ".c") || (arch && (zsuffix(name, ".s") || zsuffix(name, ".S")));
}

/* Adds dir's sources (relative paths) to out, with dir/<arch> overriding same-stem generic files. */
static void musl_add_dir(struct stage1 *s, const char *dir, struct zlist *out) {
    struct zlist generic = { 0 }, arch = { 0 }, arch_stems = { 0 };
    const char *arch_dir = zpath(dir, s->arch);
    zlist_dir(zpath(s->musl, dir), NULL, &generic);
    if (!musl_skip_dir(s, arch_dir)) zlist_dir(zpath(s->musl, arch_dir), NULL, &arch);
    for (int i = 0; i < arch.n; i++) {
        if (!musl_is_source(arch.v[i], 1)) continue;
        const char *rel = zpath(arch_dir, arch.v[i]);
        if (musl_listed(musl_skip_files, rel)) continue;
        zpush(&arch_stems, musl_stem(arch.v[i]));
        zpush(out, rel);
    }
    for (int i = 0; i < generic.n; i++) {
        const char *rel = zpath(dir, generic.v[i]);
        if (!musl_is_source(generic.v[i], 0) || musl_listed(musl_skip_files, rel)) continue;
        if (zcontains(&arch_stems, musl_stem(generic.v[i]))) continue;
        zpush(out, rel);
    }
}

/* libc's sources, sorted, as paths relative to the musl tree. */
static void musl_libc_sources(struct stage1 *s, struct zlist *out) {
    struct zlist dirs = { 0 };
    if (!zlist_dir(zpath(s->musl, "src"), &dirs, NULL)) zdie_path("open", zpath(s->musl, "src"), -2);
    zpush(&dirs, "malloc/mallocng");
    for (int i = 0; i < dirs.n; i++) {
        const char *dir = zpath("src", dirs.v[i]);
        if (!musl_skip_dir(s, dir)) musl_add_dir(s, dir, out);
    }
    zsort(out);
}

/* bits/alltypes.h: what musl's tools/mkalltypes.sed does to the arch and generic .in files.
 * "TYPEDEF <type> <name>;" and "STRUCT|UNION <name> <body>;" become definitions guarded by
 * __NEED_<name> / __DEFINED_<name>; every other line is copied. */
static void musl_alltypes_lines(char *text, struct zlist *out) {
    for (char *line = text; *line;) {
        char *end = line;
        while (*end && *end != '\n') end++;
        char *l = zstrndup(line, end - line);
        const char *nl = *end ? "\n" : "";
        line = *end ? end + 1 : end;
        size_t n = zstrlen(l);
        char *kind = zprefix(l, "TYPEDEF ") ? "typedef" : zprefix(l, "STRUCT ") ? "struct"
                   : zprefix(l, "UNION ") ? "union" : NULL;
        if (kind && n && l[n - 1] == ';') {
            l[--n] = 0;
            char *type, *name;
            if (kind[0] == 't') {            /* name = last word; type = everything before it */
                size_t sp = n;
                while (sp > 0 && l[sp - 1] != ' ') sp--;
                if (sp <= 8) { l[n] = ';'; zpush(out, zcat(l, nl)); continue; }
                type = zstrndup(l + 8, sp - 1 - 8);
                name = l + sp;
            } else {                         /* name = first word after the keyword; body = rest */
                char *p = l + (kind[0] == 's' ? 6 : 5);
                while (*p == ' ') p++;
                char *q = p;
                while (*q && *q != ' ') q++;
                if (!*q) { l[n] = ';'; zpush(out, zcat(l, nl)); continue; }
                name = zstrndup(p, q - p);
                type = q + 1;
            }
            const char *tag = kind[0] == 't' ? "" : kind[0] == 's' ? "struct_" : "union_";
            const char *id = zcat(tag, name);
            zpush(out, zcat4("#if defined(__NEED_", id, ") && !defined(__DEFINED_", id));
            zpush(out, ")\n");
            if (kind[0] == 't') zpush(out, zcat4("typedef ", type, " ", zcat(name, ";\n")));
            else zpush(out, zcat4(kind, " ", name, zcat4(" ", type, ";\n", NULL)));
            zpush(out, zcat4("#define __DEFINED_", id, "\n#endif\n\n", NULL));
        } else {
            zpush(out, zcat(l, nl));
        }
    }
}

/* Copies what the build reads to s->musl (tmpfs) and makes our edits there: the source
 * directories (their own headers sit beside the .c files), the arch's and generic arch headers,
 * the public headers and the crt files; and our musl-arch/ replacements from the recipe (for
 * i386 also musl-arch-i386/, which comes first on the include path). */
static void musl_copy(struct stage1 *s) {
    struct zlist dirs = { 0 };
    zlist_dir(zpath(s->musl_share, "src"), &dirs, NULL);
    zpush(&dirs, "malloc/mallocng");
    for (int i = 0; i < dirs.n; i++) {
        const char *dir = zpath("src", dirs.v[i]);
        if (musl_skip_dir(s, dir)) continue;
        src_copy_dir(s->musl_share, s->musl, dir);
        const char *arch = zpath(dir, s->arch);
        if (!musl_skip_dir(s, arch)) src_copy_dir(s->musl_share, s->musl, arch);
    }
    src_copy_dir(s->musl_share, s->musl, "crt");
    src_copy_dir(s->musl_share, s->musl, zpath("crt", s->arch));
    src_copy_dir(s->musl_share, s->musl, ".");
    /* src/include also has subdirectories (sys/, arpa/) of internal wrapper headers */
    const char *trees[] = { "include", "src/include", zpath("arch", s->arch), "arch/generic", NULL };
    for (int i = 0; trees[i]; i++) zcopy_tree(zpath(s->musl_share, trees[i]), zpath(s->musl, trees[i]), 0644);
    src_patch_apply(s->musl, zstreq(s->arch, "i386") ? musl_patches_i386 : musl_patches_x86_64);
    src_copy_dir(s->recipe, zdirname(s->musl_arch), "musl-arch");
    if (zstreq(s->arch, "i386")) src_copy_dir(s->recipe, zdirname(s->musl_arch), "musl-arch-i386");
}

/* Generated headers (pass-independent): bits/alltypes.h, bits/syscall.h, src/internal/version.h. */
static void musl_generate(struct stage1 *s) {
    const char *gen = s->musl_gen;
    zmkdirs(zpath(gen, "include/bits"));
    zmkdirs(zpath(gen, "src/internal"));

    struct zlist at = { 0 };
    musl_alltypes_lines(zmust_read(zpath(s->musl, zcat4("arch/", s->arch, "/bits/alltypes.h.in", NULL)), NULL), &at);
    musl_alltypes_lines(zmust_read(zpath(s->musl, "include/alltypes.h.in"), NULL), &at);
    char *alltypes = zjoin(&at);
    zwrite_file(zpath(gen, "include/bits/alltypes.h"), alltypes, zstrlen(alltypes), 0644);

    /* syscall.h.in, then each line naming __NR_ again with its first __NR_ spelled SYS_. */
    char *in = zmust_read(zpath(s->musl, zcat4("arch/", s->arch, "/bits/syscall.h.in", NULL)), NULL);
    struct zlist sc = { 0 };
    zpush(&sc, in);
    for (char *line = in; *line;) {
        char *end = line;
        while (*end && *end != '\n') end++;
        for (char *p = line; p + 5 <= end; p++) {
            if (!zprefix(p, "__NR_")) continue;
            zpush(&sc, zcat4(zstrndup(line, p - line), "SYS_", zstrndup(p + 5, end - p - 5), "\n"));
            break;
        }
        line = *end ? end + 1 : end;
    }
    char *syscall_h = zjoin(&sc);
    zwrite_file(zpath(gen, "include/bits/syscall.h"), syscall_h, zstrlen(syscall_h), 0644);

    char *version = zmust_read(zpath(s->musl, "VERSION"), NULL);
    size_t vn = zstrlen(version);
    while (vn && (version[vn - 1] == '\n' || version[vn - 1] == ' ')) vn--;
    char *version_h = zcat4("#define VERSION \"", zstrndup(version, vn), "\"\n", NULL);
    zwrite_file(zpath(gen, "src/internal/version.h"), version_h, zstrlen(version_h), 0644);
}

/* Installs the headers as musl's install-headers does: include/, then generic bits overridden by
 * the arch's bits, then the generated bits. */
static void musl_install_headers(struct stage1 *s, const char *inc) {
    struct zlist dirs = { 0 }, files = { 0 };
    zlist_dir(zpath(s->musl, "include"), &dirs, &files);
    zmkdirs(zpath(inc, "bits"));
    for (int i = 0; i < files.n; i++)
        if (zsuffix(files.v[i], ".h")) zcopy_file(zpath(zpath(s->musl, "include"), files.v[i]), zpath(inc, files.v[i]), 0644);
    for (int i = 0; i < dirs.n; i++)
        zcopy_tree(zpath(zpath(s->musl, "include"), dirs.v[i]), zpath(inc, dirs.v[i]), 0644);
    const char *bits[] = { "arch/generic/bits", zcat4("arch/", s->arch, "/bits", NULL), NULL };
    for (int b = 0; bits[b]; b++) {
        struct zlist h = { 0 };
        zlist_dir(zpath(s->musl, bits[b]), NULL, &h);
        for (int i = 0; i < h.n; i++)
            if (zsuffix(h.v[i], ".h")) zcopy_file(zpath(zpath(s->musl, bits[b]), h.v[i]), zpath(zpath(inc, "bits"), h.v[i]), 0644);
    }
    zcopy_tree(zpath(s->musl_gen, "include/bits"), zpath(inc, "bits"), 0644);
}

/* Compiler flags of musl's Makefile that mean something to tcc; our syscall_arch.h and
 * features.h come first. Tree paths are relative to cwd, the copy of the musl tree. */
static void musl_cflags(struct stage1 *s, struct zlist *argv) {
    const char *flags[] = { "-std=c99", "-nostdinc", "-ffreestanding", "-D_XOPEN_SOURCE=700", NULL };
    for (int i = 0; flags[i]; i++) zpush(argv, flags[i]);
    if (zstreq(s->arch, "i386")) zpush(argv, zcat4("-I", s->musl_arch, "-i386", NULL));
    zpush(argv, zcat("-I", s->musl_arch));
    zpush(argv, zcat("-Iarch/", s->arch));
    zpush(argv, "-Iarch/generic");
    zpush(argv, zcat("-I", zpath(s->musl_gen, "src/internal")));
    zpush(argv, "-Isrc/include");
    zpush(argv, "-Isrc/internal");
    zpush(argv, zcat("-I", zpath(s->musl_gen, "include")));
    zpush(argv, "-Iinclude");
}

/* Queues one compile; the source is named relative to its tree (cwd), so __FILE__ and the
 * objects' file symbols never hold a build path. */
static void musl_compile(struct stage1 *s, struct pass *p, struct zpool *pool, const char *rel,
                         const char *obj, int crt) {
    struct zlist argv = { 0 };
    zpush(&argv, p->cc);
    musl_cflags(s, &argv);
    if (crt) zpush(&argv, "-DCRT");
    zpush(&argv, "-c"); zpush(&argv, rel);
    zpush(&argv, "-o"); zpush(&argv, obj);
    zmkdirs(zdirname(obj));
    zpool_run(pool, argv.v, s->musl);
}

/* <objdir>/src/stdio/printf.o for src/stdio/printf.c (every source ends in .c, .s or .S). */
static char *musl_obj_name(const char *objdir, const char *rel) {
    return zcat4(objdir, "/", zstrndup(rel, zstrlen(rel) - 2), ".o");
}

/* libc.a, crt1.o, crti.o, crtn.o and the empty libraries into <pass>/protomusl/lib. */
static void musl_build(struct stage1 *s, struct pass *p) {
    const char *objdir = zpath(p->dir, "obj/musl"), *lib = zpath(p->dir, "protomusl/lib");
    struct zlist srcs = { 0 }, objs = { 0 };
    struct zpool pool;
    zpool_init(&pool, s->jobs);
    zmkdirs(lib);
    musl_libc_sources(s, &srcs);
    for (int i = 0; i < srcs.n; i++) {
        char *obj = musl_obj_name(objdir, srcs.v[i]);
        zpush(&objs, obj);
        musl_compile(s, p, &pool, srcs.v[i], obj, 0);
    }
    /* Our out-of-line syscall entry (see musl-arch/syscall_arch.h) joins libc. */
    struct zlist argv = { 0 };
    char *zsc = zpath(objdir, "zilchboot/zsyscall.o");
    zmkdirs(zdirname(zsc));
    zpush(&argv, p->cc); zpush(&argv, "-c"); zpush(&argv, zstreq(s->arch, "i386") ? "musl-arch-i386/zsyscall.s" : "musl-arch/zsyscall.s");
    zpush(&argv, "-o"); zpush(&argv, zsc);
    zpool_run(&pool, argv.v, zdirname(s->musl_arch));
    zpush(&objs, zsc);
    const char *crt[][2] = { { "crt/crt1.c", "crt1.o" }, { zcat4("crt/", s->arch, "/crti.s", NULL), "crti.o" },
                             { zcat4("crt/", s->arch, "/crtn.s", NULL), "crtn.o" } };
    for (int i = 0; i < 3; i++) musl_compile(s, p, &pool, crt[i][0], zpath(lib, crt[i][1]), 1);
    zpool_drain(&pool);

    /* Members in path order, whatever order the compiles finished in. */
    zsort(&objs);
    zar_write(zpath(lib, "libc.a"), &objs);
    zputs("stage1:   protomusl: "); zputnum(srcs.n); zputs(" libc sources\n");

    /* musl installs empty libm, libpthread, ... so that -lm and friends resolve to libc. */
    const char *empty[] = { "m", "rt", "pthread", "crypt", "util", "xnet", "resolv", "dl", NULL };
    for (int i = 0; empty[i]; i++) zwrite_file(zcat4(lib, "/lib", empty[i], ".a"), "!<arch>\n", 8, 0644);
}
