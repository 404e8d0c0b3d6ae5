/* Build-path leak check (issue item 9): no output file may hold the stage's temporary build
 * directory or the source directory, or the output would depend on where it was built and
 * would point at paths later stages do not have. Scans every regular file (and every symlink's
 * target) under the output for each needle and stops the stage on any hit, naming the file and
 * the byte offset. Symlinks are not followed: busybox's ~100 applet links all point at one file. */

#if defined(__i386__)
/* lstat64: struct stat64's st_mode is the u32 at offset 16 */
enum { LEAK_SYS_lstat = 196, LEAK_SYS_readlink = 85, LEAK_MODE_WORD = 4 };
#else
/* struct stat on x86_64 is 144 bytes; st_mode is the u32 at offset 24 */
enum { LEAK_SYS_lstat = 6, LEAK_SYS_readlink = 89, LEAK_MODE_WORD = 6 };
#endif
enum { LEAK_MAX_REPORTS = 20 };

struct leak_scan {
    const char **needles;     /* NULL-terminated */
    long files, bytes, hits;
};

static void leak_report(struct leak_scan *l, const char *path, const char *what, long at, const char *needle) {
    if (++l->hits > LEAK_MAX_REPORTS) return;
    zputs("stage1: LEAK: "); zputs(path); zputs(what); zputnum(at);
    zputs(" holds \""); zputs(needle); zputs("\"\n");
}

static void leak_scan_bytes(struct leak_scan *l, const char *path, const char *what, const char *data, size_t len) {
    for (int k = 0; l->needles[k]; k++) {
        const char *needle = l->needles[k];
        size_t n = zstrlen(needle);
        if (!n || n > len) continue;
        char first = needle[0];
        for (size_t i = 0; i + n <= len; i++) {
            if (data[i] != first) continue;
            size_t j = 1;
            while (j < n && data[i + j] == needle[j]) j++;
            if (j == n) leak_report(l, path, what, i, needle);
        }
    }
}

/* st_mode's file type, from lstat: 4 directory, 8 regular file, 10 symlink (as d_type), 0 other. */
static int leak_type(const char *path) {
    unsigned long long st[18];  /* 144 bytes: x86_64's struct stat, more than i386's stat64 */
    long r = Z2(LEAK_SYS_lstat, path, st);
    if (r < 0) zdie_path("lstat", path, r);
    unsigned mode = ((unsigned *)st)[LEAK_MODE_WORD] & 0170000;
    return mode == 0040000 ? 4 : mode == 0100000 ? 8 : mode == 0120000 ? 10 : 0;
}

static void leak_scan_tree(struct leak_scan *l, const char *dir) {
    struct zlist dirs = { 0 }, files = { 0 };
    if (!zlist_dir(dir, &dirs, &files)) zdie_path("open", dir, -2);
    for (int i = 0; i < files.n; i++) {
        const char *path = zpath(dir, files.v[i]);
        int type = leak_type(path);
        if (type == 8) {
            size_t len;
            char *data = zmust_read(path, &len);
            leak_scan_bytes(l, path, " at byte offset ", data, len);
            l->files++; l->bytes += len;
        } else if (type == 10) {
            char target[4096];
            long n = Z3(LEAK_SYS_readlink, path, target, sizeof target);
            if (n < 0) zdie_path("readlink", path, n);
            leak_scan_bytes(l, path, " (symlink target) at offset ", target, n);
        } else {
            zdie_path("leak check: neither a file, a directory nor a symlink:", path, 0);
        }
    }
    for (int i = 0; i < dirs.n; i++) leak_scan_tree(l, zpath(dir, dirs.v[i]));
}

/* Returns only if no file under out holds any needle. */
static void check_leaks(const char *out, const char **needles) {
    struct leak_scan l = { needles, 0, 0, 0 };
    leak_scan_tree(&l, out);
    if (l.hits) {
        if (l.hits > LEAK_MAX_REPORTS) { zputs("stage1: LEAK: ... "); zputnum(l.hits - LEAK_MAX_REPORTS); zputs(" more\n"); }
        zputs("stage1: LEAK CHECK FAILED: "); zputnum(l.hits); zputs(" build-path occurrences in "); zputs(out); zputs("\n");
        Z1(SYS_exit_group, 1);
    }
    zputs("stage1: leak check: no build paths in "); zputnum(l.files); zputs(" files ("); zputnum(l.bytes / 1024);
    zputs(" KiB) under "); zputs(out); zputs(" (looked for");
    for (int k = 0; needles[k]; k++) { zputs(" \""); zputs(needles[k]); zputs("\""); }
    zputs(")\n");
}
