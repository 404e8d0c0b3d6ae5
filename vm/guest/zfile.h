/* Files and directories for libc-less guest programs: whole-file reads and writes, mkdir -p,
 * sorted directory listings, copies and byte comparison. Failures that leave a build unusable
 * stop the program with the path in the message. */
#ifndef ZFILE_H
#define ZFILE_H
#include "zmem.h"

enum { ZEEXIST = 17 };

static void zdie_path(const char *what, const char *path, long err) {
    zputs("zilchboot-guest: "); zputs(what); zputs(" "); zputs(path);
    zputs(" failed: "); zputnum(err); zputs("\n");
    Z1(SYS_exit_group, 111);
}

/* Reads a whole file into fresh memory with a NUL after its bytes; NULL if it cannot be opened. */
static char *zread_file(const char *path, size_t *len) {
    long fd = Z3(SYS_open, path, O_RDONLY, 0);
    if (fd < 0) return NULL;
    long size = Z3(SYS_lseek, fd, 0, 2 /* SEEK_END */);
    if (size < 0) zdie_path("lseek", path, size);
    Z3(SYS_lseek, fd, 0, 0);
    char *buf = zalloc(size + 1);
    long got = 0;
    while (got < size) {
        long n = Z3(SYS_read, fd, buf + got, size - got);
        if (n < 0) zdie_path("read", path, n);
        if (n == 0) break;
        got += n;
    }
    Z1(SYS_close, fd);
    buf[got] = 0;
    if (len) *len = got;
    return buf;
}

static char *zmust_read(const char *path, size_t *len) {
    char *r = zread_file(path, len);
    if (!r) zdie_path("open", path, -2);
    return r;
}

static void zwrite_file(const char *path, const void *data, size_t len, int mode) {
    long fd = Z4(SYS_open, path, O_WRONLY | O_CREAT | O_TRUNC, mode, 0);
    if (fd < 0) zdie_path("create", path, fd);
    const char *p = data;
    while (len) {
        long n = Z3(SYS_write, fd, p, len);
        if (n <= 0) zdie_path("write", path, n);
        p += n; len -= n;
    }
    Z1(SYS_close, fd);
}

/* mkdir -p */
static void zmkdirs(const char *path) {
    char *p = zcat(path, "");
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == 0) {
            char c = *s;
            *s = 0;
            long r = Z2(SYS_mkdir, p, 0755);
            if (r < 0 && r != -ZEEXIST) zdie_path("mkdir", p, r);
            *s = c;
            if (!c) break;
        }
    }
}

static char *zdirname(const char *path) {
    size_t n = zstrlen(path);
    while (n > 0 && path[n - 1] != '/') n--;
    return n > 1 ? zstrndup(path, n - 1) : zcat(n ? "/" : ".", "");
}

static int zis_dir(const char *path) {
    long fd = Z3(SYS_open, path, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) return 0;
    Z1(SYS_close, fd);
    return 1;
}

struct zdirent64 { unsigned long long ino; long long off; unsigned short reclen; unsigned char type; char name[]; };

/* Names in dir (no "." or ".."), sorted; dirs and files go to separate lists (either may be NULL).
 * Returns 0 if dir cannot be opened. */
static int zlist_dir(const char *dir, struct zlist *dirs, struct zlist *files) {
    char buf[8192];
    long fd = Z3(SYS_open, dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) return 0;
    for (;;) {
        long n = Z3(SYS_getdents64, fd, buf, sizeof buf);
        if (n < 0) zdie_path("getdents64", dir, n);
        if (n == 0) break;
        for (long at = 0; at < n;) {
            struct zdirent64 *d = (struct zdirent64 *)(buf + at);
            at += d->reclen;
            if (zstreq(d->name, ".") || zstreq(d->name, "..")) continue;
            /* d_type 0 (unknown) happens on some file systems: ask the file itself. */
            int is_dir = d->type == 4 || (d->type == 0 && zis_dir(zpath(dir, d->name)));
            struct zlist *to = is_dir ? dirs : files;
            if (to) zpush(to, zcat(d->name, ""));
        }
    }
    Z1(SYS_close, fd);
    if (dirs) zsort(dirs);
    if (files) zsort(files);
    return 1;
}

static void zcopy_file(const char *from, const char *to, int mode) {
    size_t len;
    char *data = zmust_read(from, &len);
    zwrite_file(to, data, len, mode);
}

/* Copies the files under from/ to to/ (creating dirs), every file with the given mode. */
static void zcopy_tree(const char *from, const char *to, int mode) {
    struct zlist dirs = { 0 }, files = { 0 };
    if (!zlist_dir(from, &dirs, &files)) zdie_path("open", from, -2);
    zmkdirs(to);
    for (int i = 0; i < files.n; i++) zcopy_file(zpath(from, files.v[i]), zpath(to, files.v[i]), mode);
    for (int i = 0; i < dirs.n; i++) zcopy_tree(zpath(from, dirs.v[i]), zpath(to, dirs.v[i]), mode);
}

/* -1 if both files hold the same bytes, else the first differing offset (a length difference
 * counts as a difference at the shorter length). */
static long zfirst_difference(const char *a, const char *b) {
    size_t na, nb;
    char *da = zmust_read(a, &na), *db = zmust_read(b, &nb);
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) if (da[i] != db[i]) return i;
    return na == nb ? -1 : (long)n;
}

#endif
