/* protobusybox, part 1: what busybox's Kconfig and scripts/gen_build_files.sh would generate,
 * done by our C code in the guest (no shell, sed or Kconfig host tools exist yet).
 * One pass over the source tree collects:
 *   - every option name and type, from Config.src/Config.in files and `//config:` lines in .c
 *     files: options not in busybox.config must still be defined as off, or the sources
 *     (which test ENABLE_X in plain C `if`s) do not compile;
 *   - `//applet:` lines of .c files one or two directories deep (as gen_build_files.sh), for include/applets.h;
 *   - `//kbuild:` lines per directory holding a Kbuild.src (see busybox-kbuild.h).
 * Included by busybox.h; needs zsys.h, zmem.h, zfile.h. */

struct bb_tree {
    struct zlist bools, strings, ints;   /* option names by type, duplicates possible */
    struct zlist applet_lines;           /* text after //applet:, one line each, with "\n" */
    struct zlist kdirs, klines;          /* dir with Kbuild.src (relative), its //kbuild: text */
};

/* Our configuration: busybox.config's CONFIG_X=value lines (value "y" for a bool). */
struct bb_config { struct zlist names, values; };

static char *bb_line_end(char *p) { while (*p && *p != '\n') p++; return p; }

static char *bb_skip_space(char *p) { while (*p == ' ' || *p == '\t') p++; return p; }

static char *bb_word(char *p) {
    char *e = p;
    while (*e && *e != ' ' && *e != '\t' && *e != '\n') e++;
    return zstrndup(p, e - p);
}

/* Kconfig text: `config NAME` / `menuconfig NAME`, then a type line (bool, string, int, hex).
 * *pending carries a name whose type line has not been seen yet across calls. */
static void bb_config_line(struct bb_tree *t, char *line, char **pending) {
    char *p = bb_skip_space(line);
    if (*p == '\n' || !*p) return;
    if (*pending) {
        char *type = bb_word(p);
        struct zlist *to = zstreq(type, "string") ? &t->strings
                         : zstreq(type, "int") || zstreq(type, "hex") ? &t->ints : &t->bools;
        zpush(to, *pending);
        *pending = NULL;
    }
    /* only at the line start: indented help text may say "config ..." */
    if (zprefix(line, "config ") || zprefix(line, "menuconfig ")) {
        *pending = bb_word(bb_skip_space(line + (line[0] == 'c' ? 7 : 11)));
    }
}

static void bb_scan_kconfig_file(struct bb_tree *t, const char *path) {
    char *text = zread_file(path, NULL), *pending = NULL;
    if (!text) return;
    for (char *l = text; *l;) {
        char *e = bb_line_end(l);
        bb_config_line(t, zstrndup(l, e - l), &pending);
        l = *e ? e + 1 : e;
    }
    if (pending) zpush(&t->bools, pending);
}

/* One .c file: its //config:, //applet: (if depth allows) and //kbuild: lines. */
static void bb_scan_c_file(struct bb_tree *t, const char *path, int applets, struct zlist *kbuild) {
    char *text = zmust_read(path, NULL), *pending = NULL;
    for (char *l = text; *l;) {
        char *e = bb_line_end(l);
        if (l[0] == '/' && l[1] == '/') {
            if (zprefix(l, "//config:")) bb_config_line(t, zstrndup(l + 9, e - l - 9), &pending);
            else if (applets && zprefix(l, "//applet:")) zpush(&t->applet_lines, zcat(zstrndup(l + 9, e - l - 9), "\n"));
            else if (kbuild && zprefix(l, "//kbuild:")) zpush(kbuild, zcat(zstrndup(l + 9, e - l - 9), "\n"));
        }
        l = *e ? e + 1 : e;
    }
    if (pending) zpush(&t->bools, pending);
}

/* Walks src/rel (rel "" is the top) in sorted order: results never depend on directory order. */
static void bb_scan_dir(struct bb_tree *t, const char *src, const char *rel, int depth) {
    const char *dir = *rel ? zpath(src, rel) : src;
    struct zlist dirs = { 0 }, files = { 0 }, kbuild = { 0 };
    if (!zlist_dir(dir, &dirs, &files)) zdie_path("open", dir, -2);
    int has_kbuild = zcontains(&files, "Kbuild.src");
    for (int i = 0; i < files.n; i++) {
        const char *f = files.v[i];
        if (zstreq(f, "Config.src") || zstreq(f, "Config.in")) bb_scan_kconfig_file(t, zpath(dir, f));
        else if (zsuffix(f, ".c")) bb_scan_c_file(t, zpath(dir, f), depth == 1 || depth == 2, has_kbuild ? &kbuild : NULL);
    }
    if (has_kbuild) { zpush(&t->kdirs, rel); zpush(&t->klines, zjoin(&kbuild)); }
    for (int i = 0; i < dirs.n; i++) {
        if (dirs.v[i][0] == '.') continue;
        bb_scan_dir(t, src, *rel ? zpath(rel, dirs.v[i]) : dirs.v[i], depth + 1);
    }
}

/* busybox.config: `CONFIG_NAME=value` lines; `#` comments and blank lines are skipped. */
static void bb_read_config(struct bb_config *c, const char *path) {
    char *text = zmust_read(path, NULL);
    for (char *l = text; *l;) {
        char *e = bb_line_end(l);
        char *p = bb_skip_space(l);
        if (*p != '#' && p != e) {
            char *eq = p;
            while (eq < e && *eq != '=') eq++;
            if (eq == e || !zprefix(p, "CONFIG_")) zdie_path("busybox.config: bad line in", path, 0);
            char *v_end = e;
            while (v_end > eq + 1 && (v_end[-1] == ' ' || v_end[-1] == '\t' || v_end[-1] == '\r')) v_end--;
            zpush(&c->names, zstrndup(p + 7, eq - p - 7));
            zpush(&c->values, zstrndup(eq + 1, v_end - eq - 1));
        }
        l = *e ? e + 1 : e;
    }
}

static const char *bb_config_value(const struct bb_config *c, const char *name) {
    for (int i = 0; i < c->names.n; i++) if (zstreq(c->names.v[i], name)) return c->values.v[i];
    return NULL;
}

static void bb_write_text(const char *path, struct zlist *parts) {
    char *text = zjoin(parts);
    zwrite_file(path, text, zstrlen(text), 0644);
}

/* The four definitions Kconfig writes per option; value NULL means off. */
static void bb_define(struct zlist *h, const char *name, const char *value) {
    if (value) {
        zpush(h, zcat4("#define CONFIG_", name, " ", zcat(zstreq(value, "y") ? "1" : value, "\n")));
        zpush(h, zcat4("#define ENABLE_", name, " 1\n#define IF_", name));
        zpush(h, zcat4("(...) __VA_ARGS__\n#define IF_NOT_", name, "(...)\n", NULL));
    } else {
        zpush(h, zcat4("#undef CONFIG_", name, "\n#define ENABLE_", name));
        zpush(h, zcat4(" 0\n#define IF_", name, "(...)\n#define IF_NOT_", name));
        zpush(h, "(...) __VA_ARGS__\n");
    }
}

/* include/autoconf.h: our options as given; every other bool off; every other string or int
 * at Kconfig's "unset" value ("" or 0), which Kconfig also writes for invisible options. */
static void bb_write_autoconf(struct bb_tree *t, struct bb_config *c, const char *path, const char *stamp) {
    struct zlist h = { 0 }, all = { 0 };
    zpush(&h, "/* Generated by zilchboot's busybox-gen.h from busybox.config. */\n");
    zpush(&h, zcat4("#define AUTOCONF_TIMESTAMP \"", stamp, "\"\n", NULL));
    for (int i = 0; i < c->names.n; i++) {
        const char *n = c->names.v[i];
        if (!zcontains(&t->bools, n) && !zcontains(&t->strings, n) && !zcontains(&t->ints, n))
            zdie_path("busybox.config names an option busybox does not have:", n, 0);
        bb_define(&h, n, c->values.v[i]);
    }
    zpush_all(&all, &t->bools); zpush_all(&all, &t->strings); zpush_all(&all, &t->ints);
    zsort(&all);
    for (int i = 0; i < all.n; i++) {
        const char *n = all.v[i];
        if ((i && zstreq(n, all.v[i - 1])) || bb_config_value(c, n)) continue;
        bb_define(&h, n, zcontains(&t->strings, n) ? "\"\"" : zcontains(&t->ints, n) ? "0" : NULL);
    }
    bb_write_text(path, &h);
}

/* Copies template with the line "INSERT" replaced by insert (gen_build_files.sh's generate()). */
static void bb_write_inserted(const char *template, const char *header, const char *insert, const char *path) {
    char *text = zmust_read(template, NULL);
    struct zlist out = { 0 };
    zpush(&out, header);
    for (char *l = text; *l;) {
        char *e = bb_line_end(l);
        char *next = *e ? e + 1 : e;
        if (e - l == 6 && zprefix(l, "INSERT")) zpush(&out, insert);
        else zpush(&out, zstrndup(l, next - l));
        l = next;
    }
    bb_write_text(path, &out);
}

/* The small generated headers whose features we leave off. */
static void bb_write_fixed_headers(const char *inc) {
    /* SHOW_USAGE is off: appletlib.c only needs the length macro (0: "do not compress"). */
    const char usage[] = "#define UNPACKED_USAGE \"\"\n#define UNPACKED_USAGE_LENGTH 0\n";
    zwrite_file(zpath(inc, "usage_compressed.h"), usage, sizeof usage - 1, 0644);
    /* FEATURE_SH_EMBEDDED_SCRIPTS is off: what scripts/embedded_scripts writes then. */
    const char scripts[] = "#define NUM_SCRIPTS 0\n";
    zwrite_file(zpath(inc, "embedded_scripts.h"), scripts, sizeof scripts - 1, 0644);
    /* scripts/generate_BUFSIZ.sh's plain variant: a 1 KiB buffer in bss (libbb/common_bufsiz.c). */
    const char bufsiz[] = "enum { COMMON_BUFSIZE = 1024 };\nextern char bb_common_bufsiz1[];\n"
                          "#define setup_common_bufsiz() ((void)0)\n";
    zwrite_file(zpath(inc, "common_bufsiz.h"), bufsiz, sizeof bufsiz - 1, 0644);
}

/* "1.37.0" from the top Makefile's VERSION, PATCHLEVEL, SUBLEVEL and EXTRAVERSION lines. */
static char *bb_version(const char *src) {
    const char *keys[] = { "VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION" };
    char *vals[4] = { 0 };
    char *text = zmust_read(zpath(src, "Makefile"), NULL);
    for (char *l = text; *l;) {
        char *e = bb_line_end(l);
        for (int k = 0; k < 4; k++) {
            if (vals[k] || !zprefix(l, keys[k])) continue;
            char *p = bb_skip_space(l + zstrlen(keys[k]));
            if (*p != '=') continue;
            p = bb_skip_space(p + 1);
            char *v = e;
            while (v > p && (v[-1] == ' ' || v[-1] == '\t')) v--;
            vals[k] = zstrndup(p, v - p);
        }
        l = *e ? e + 1 : e;
    }
    if (!vals[0] || !vals[1] || !vals[2]) zdie_path("no version in", zpath(src, "Makefile"), 0);
    return zcat4(vals[0], ".", vals[1], zcat4(".", vals[2], vals[3] ? vals[3] : "", NULL));
}
