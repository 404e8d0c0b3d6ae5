/* The source shares are read-only and every lookup on them is a 9p round trip (~1 ms, far more
 * under TCG, and a compile searches many include directories), so each build works on a copy in
 * the guest's tmpfs. The copy keeps the tree's relative paths, which is all __FILE__ and the
 * objects ever see. Literal edits are made on that copy. */
struct src_patch { const char *file, *from, *to; };

/* Copies the regular files directly in share/dir to copy/dir (no subdirectories); 0 if absent. */
static int src_copy_dir(const char *share, const char *copy, const char *dir) {
    struct zlist files = { 0 };
    if (!zlist_dir(zpath(share, dir), NULL, &files)) return 0;
    zmkdirs(zpath(copy, dir));
    for (int i = 0; i < files.n; i++)
        zcopy_file(zpath(zpath(share, dir), files.v[i]), zpath(zpath(copy, dir), files.v[i]), 0644);
    return 1;
}

/* Copies the files under share/dir whose names a build can read (C sources and headers, the
 * Kconfig and Kbuild files, the top Makefile for the version), keeping the tree's shape. Used for
 * busybox: its tree holds ~2900 files, of which ~800 matter; the rest (test suites, docs) would
 * only cost 9p round trips. Checked for 1.37.0: no source includes a file with another suffix. */
static int src_wanted(const char *rel, const char *name) {
    return zsuffix(name, ".c") || zsuffix(name, ".h") || zsuffix(name, ".S") || zstreq(name, "Config.src")
        || zstreq(name, "Config.in") || zstreq(name, "Kbuild.src") || zstreq(rel, "Makefile");
}

static void src_copy_sources(const char *share, const char *copy, const char *dir) {
    struct zlist dirs = { 0 }, files = { 0 };
    const char *from = *dir ? zpath(share, dir) : share, *to = *dir ? zpath(copy, dir) : copy;
    if (!zlist_dir(from, &dirs, &files)) zdie_path("open", from, -2);
    zmkdirs(to);
    for (int i = 0; i < files.n; i++) {
        const char *rel = *dir ? zpath(dir, files.v[i]) : files.v[i];
        if (src_wanted(rel, files.v[i])) zcopy_file(zpath(from, files.v[i]), zpath(to, files.v[i]), 0644);
    }
    for (int i = 0; i < dirs.n; i++) src_copy_sources(share, copy, *dir ? zpath(dir, dirs.v[i]) : dirs.v[i]);
}

/* Replaces every `from` by `to` in copy/file; a `from` that no longer occurs means the source
 * moved on and the edit needs a look, so that stops the build. */
static void src_patch_apply(const char *copy, const struct src_patch *table) {
    for (int i = 0; table[i].file; i++) {
        const struct src_patch *p = &table[i];
        const char *path = zpath(copy, p->file);
        char *text = zmust_read(path, NULL);
        struct zlist parts = { 0 };
        size_t from_len = zstrlen(p->from);
        int hits = 0;
        char *start = text;
        for (char *q = text; *q;) {
            if (!zprefix(q, p->from)) { q++; continue; }
            zpush(&parts, zstrndup(start, q - start));
            zpush(&parts, p->to);
            q += from_len; start = q; hits++;
        }
        zpush(&parts, start);
        if (!hits) zdie_path("patch: text not found in", p->file, 0);
        char *patched = zjoin(&parts);
        zwrite_file(path, patched, zstrlen(patched), 0644);
    }
}
