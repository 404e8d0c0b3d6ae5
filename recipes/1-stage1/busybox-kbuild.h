/* protobusybox, part 2: which sources to compile, read from busybox's own Kbuild files.
 * Each directory's Kbuild.src (with its .c files' `//kbuild:` lines at the INSERT line) is a small
 * make fragment: `lib-y += a.o`, `lib-$(CONFIG_X) += b.o`, variables (`COMMON_FILES := ...`),
 * backslash continuations and `ifeq`/`ifneq`/`else`/`endif`. We evaluate just that much make;
 * rules, recipe lines and functions (`$(call ...)`) expand to nothing. The result is the words
 * of `lib-y` and `obj-y`, which busybox's Makefile compiles and links.
 * Included by busybox.h after busybox-gen.h. */

struct bb_vars { struct zlist names, values; };

static const char *bb_var_get(struct bb_vars *v, const char *name) {
    for (int i = v->names.n - 1; i >= 0; i--) if (zstreq(v->names.v[i], name)) return v->values.v[i];
    return NULL;
}

/* A new binding shadows the old one (lookups search from the end). */
static void bb_var_set(struct bb_vars *v, const char *name, const char *value) {
    zpush(&v->names, name);
    zpush(&v->values, value);
}

static char *bb_trim(const char *s, size_t n) {
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n')) n--;
    return zstrndup(s, n);
}

/* Index just past the ')' closing the "$(" at s[0]; nesting counts. */
static size_t bb_ref_end(const char *s) {
    int depth = 0;
    for (size_t i = 1; s[i]; i++) {
        if (s[i] == '(') depth++;
        else if (s[i] == ')' && --depth == 0) return i + 1;
    }
    return zstrlen(s);
}

/* Expands $(NAME): $(CONFIG_X) is "y" for an enabled bool (its value for other options) and ""
 * for an option off; other names are make variables; functions give "". */
static char *bb_expand(const char *s, struct bb_vars *v, struct bb_config *c) {
    struct zlist out = { 0 };
    const char *start = s;
    for (const char *p = s; *p;) {
        if (p[0] != '$' || p[1] != '(') { p++; continue; }
        zpush(&out, zstrndup(start, p - start));
        size_t end = bb_ref_end(p);
        char *name = zstrndup(p + 2, end > 3 ? end - 3 : 0);
        const char *val = NULL;
        if (zprefix(name, "CONFIG_")) val = bb_config_value(c, name + 7);
        else val = bb_var_get(v, name);
        for (char *q = name; *q; q++) if (*q == ' ' || *q == ',') val = NULL;  /* a function */
        if (val) zpush(&out, val);
        p += end;
        start = p;
    }
    zpush(&out, start);
    return zjoin(&out);
}

/* ifeq/ifneq's "(a,b)" after expansion: 1 if a and b are equal once trimmed. */
static int bb_cond_equal(const char *arg, struct bb_vars *v, struct bb_config *c) {
    char *e = bb_expand(arg, v, c);
    char *p = bb_skip_space(e);
    if (*p != '(') zdie_path("kbuild: cannot read condition", arg, 0);
    size_t n = zstrlen(p);
    while (n && p[n - 1] != ')') n--;
    char *comma = p + 1;
    while (comma < p + n && *comma != ',') comma++;
    if (comma >= p + n) zdie_path("kbuild: cannot read condition", arg, 0);
    return zstreq(bb_trim(p + 1, comma - p - 1), bb_trim(comma + 1, p + n - 1 - comma - 1));
}

/* Evaluates one Kbuild text; appends lib-y's and obj-y's words (deduplicated) to objs. */
static void bb_kbuild_eval(const char *text, struct bb_config *c, struct zlist *objs) {
    struct bb_vars v = { 0 };
    int active[32], depth = 0;
    active[0] = 1;
    for (const char *l = text; *l;) {
        /* one logical line: physical lines joined where a line ends in a backslash */
        struct zlist parts = { 0 };
        for (;;) {
            const char *e = l;
            while (*e && *e != '\n') e++;
            const char *next = *e ? e + 1 : e;
            int cont = e > l && e[-1] == '\\';
            zpush(&parts, zstrndup(l, e - l - cont));
            if (cont) zpush(&parts, " ");
            l = next;
            if (!cont || !*l) break;
        }
        char *line = zjoin(&parts);
        if (line[0] == '\t') continue;                /* a rule's recipe */
        char *p = bb_skip_space(line);
        if (!*p || *p == '#') continue;
        if (zprefix(p, "ifeq") || zprefix(p, "ifneq")) {
            int want = p[2] == 'e' && p[3] == 'q';
            int eq = active[depth] ? bb_cond_equal(p + (want ? 4 : 5), &v, c) : 0;
            if (++depth >= 32) zdie("kbuild: conditionals nested too deep", depth);
            active[depth] = active[depth - 1] && eq == want;
            continue;
        }
        if (zprefix(p, "else")) { if (depth) active[depth] = active[depth - 1] && !active[depth]; continue; }
        if (zprefix(p, "endif")) { if (depth) depth--; continue; }
        if (!active[depth]) continue;
        /* an assignment: the first '=' outside $(...); a ':' before it (not ":=") makes a rule */
        char *eq = NULL;
        for (char *q = p; *q; q++) {
            if (q[0] == '$' && q[1] == '(') { q += bb_ref_end(q) - 1; continue; }
            if (*q == '=') { eq = q; break; }
        }
        if (!eq) continue;
        char op = eq > p && (eq[-1] == ':' || eq[-1] == '+' || eq[-1] == '?') ? eq[-1] : '=';
        char *lhs_end = op == '=' ? eq : eq - 1;
        int is_rule = 0;
        for (char *q = p; q < lhs_end; q++) if (*q == ':') is_rule = 1;
        if (is_rule) continue;
        char *name = bb_expand(zstrndup(p, lhs_end - p), &v, c);
        char *value = bb_expand(eq + 1, &v, c);
        name = bb_trim(name, zstrlen(name));
        value = bb_trim(value, zstrlen(value));
        const char *old = bb_var_get(&v, name);
        if (op == '+' && old && *old) value = zcat4(old, " ", value, NULL);
        if (op == '?' && old) continue;
        bb_var_set(&v, name, value);
    }
    const char *lists[] = { "lib-y", "obj-y" };
    for (int k = 0; k < 2; k++) {
        const char *words = bb_var_get(&v, lists[k]);
        for (const char *w = words ? words : ""; *w;) {
            while (*w == ' ' || *w == '\t') w++;
            const char *e = w;
            while (*e && *e != ' ' && *e != '\t') e++;
            if (e > w) {
                char *word = zstrndup(w, e - w);
                if (!zcontains(objs, word)) zpush(objs, word);
            }
            w = e;
        }
    }
}

static int bb_exists(const char *path) {
    long fd = Z3(SYS_open, path, O_RDONLY, 0);
    if (fd < 0) return 0;
    Z1(SYS_close, fd);
    return 1;
}

/* The sources to compile, relative to the tree and sorted: for each dir with a Kbuild.src, its
 * objects' .c (or .S) files. */
static void bb_sources(struct bb_tree *t, struct bb_config *c, const char *src, struct zlist *out) {
    for (int i = 0; i < t->kdirs.n; i++) {
        const char *dir = t->kdirs.v[i];
        char *kbuild = zpath(zpath(src, dir), "Kbuild.src");
        char *text = zmust_read(kbuild, NULL);
        /* Kbuild.src with the INSERT line replaced by the //kbuild: lines */
        struct zlist parts = { 0 };
        for (char *l = text; *l;) {
            char *e = bb_line_end(l);
            char *next = *e ? e + 1 : e;
            if (e - l == 6 && zprefix(l, "INSERT")) zpush(&parts, t->klines.v[i]);
            else zpush(&parts, zstrndup(l, next - l));
            l = next;
        }
        struct zlist objs = { 0 };
        bb_kbuild_eval(zjoin(&parts), c, &objs);
        for (int k = 0; k < objs.n; k++) {
            const char *o = objs.v[k];
            if (!zsuffix(o, ".o")) zdie_path("kbuild: not an object:", o, 0);
            char *stem = zpath(dir, zstrndup(o, zstrlen(o) - 2));
            char *rel = zcat(stem, ".c");
            if (!bb_exists(zpath(src, rel))) rel = zcat(stem, ".S");
            if (!bb_exists(zpath(src, rel))) zdie_path("kbuild: no source for", zcat(stem, ".o"), 0);
            zpush(out, rel);
        }
    }
    zsort(out);
}
