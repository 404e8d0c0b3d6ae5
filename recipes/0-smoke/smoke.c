/* Smoke stage: proves the VM runs the seed tcc as PID 1 and shows what the stage can see.
 * As PID 1 it mounts the stage directories and runs itself again (through the seed) with an
 * empty environment, because the kernel always hands PID 1 HOME=/ and TERM=linux.
 * Arguments: exit=N (status to return), sleep=N (seconds to sleep first, for timeout tests). */
#include "zsys.h"

struct dirent64 { unsigned long long ino; long long off; unsigned short reclen; unsigned char type; char name[]; };

static void list_tree(const char *dir) {
    char buf[4096];
    long fd = Z3(SYS_open, dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) { zputs("list: cannot open "); zputs(dir); zputs("\n"); return; }
    for (;;) {
        long n = Z3(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0) break;
        for (long at = 0; at < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + at);
            at += d->reclen;
            if (zstreq(d->name, ".") || zstreq(d->name, "..")) continue;
            char path[512]; size_t len = zstrlen(dir);
            int i = 0;
            for (size_t k = 0; k < len && !(len == 1 && dir[0] == '/'); k++) path[i++] = dir[k];
            path[i++] = '/';
            for (const char *s = d->name; *s && i < 510; s++) path[i++] = *s;
            path[i] = 0;
            /* Mount points: their contents are the guest's own, not the share's. */
            int mount_point = zstreq(path, "/proc") || zstreq(path, "/dev") || zstreq(path, "/tmp");
            zputs("share: "); zputs(path); zputs(d->type == 4 ? "/\n" : "\n");
            if (d->type == 4 && !mount_point) list_tree(path);
        }
    }
    Z1(SYS_close, fd);
}

static void show_interfaces(void) {
    char buf[2048];
    long fd = Z3(SYS_open, "/proc/net/dev", O_RDONLY, 0);
    if (fd < 0) { zputs("net: no /proc/net/dev\n"); return; }
    long n = Z3(SYS_read, fd, buf, sizeof buf - 1);
    Z1(SYS_close, fd);
    if (n < 0) n = 0;
    buf[n] = 0;
    /* Two header lines, then "  name: counters…" per interface. */
    int line = 0; char *p = buf;
    while (*p) {
        char *start = p;
        while (*p && *p != '\n') p++;
        if (*p) *p++ = 0;
        if (line++ < 2) continue;
        while (*start == ' ') start++;
        char *colon = start;
        while (*colon && *colon != ':') colon++;
        *colon = 0;
        zputs("net: "); zputs(start); zputs("\n");
    }
}

/* Counts "processor" lines: proves the guest brought up every vCPU it was given. */
static void show_cpus(void) {
    static char buf[16384];
    long fd = Z3(SYS_open, "/proc/cpuinfo", O_RDONLY, 0);
    long n = 0, got, cpus = 0;
    if (fd < 0) { zputs("cpus: unknown\n"); return; }
    while (n < (long)sizeof buf - 1 && (got = Z3(SYS_read, fd, buf + n, sizeof buf - 1 - n)) > 0) n += got;
    Z1(SYS_close, fd);
    buf[n] = 0;
    for (long i = 0; i < n; i++) if ((i == 0 || buf[i - 1] == '\n') && zprefix(buf + i, "processor")) cpus++;
    zputs("cpus: "); zputnum(cpus); zputs("\n");
}

static void try_write(const char *path) {
    long fd = Z3(SYS_open, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    zputs("write "); zputs(path); zputs(": ");
    if (fd >= 0) { zputs("ALLOWED\n"); Z1(SYS_close, fd); return; }
    zputnum(fd); zputs("\n");
}

static int stage(int argc, char **argv, char **envp) {
    int status = 0;
    for (int i = 2; i < argc; i++) {
        zputs("argv: "); zputs(argv[i]); zputs("\n");
        if (zprefix(argv[i], "exit=")) status = zatol(argv[i] + 5);
        if (zprefix(argv[i], "sleep=")) zsleep(zatol(argv[i] + 6));
    }
    int envc = 0;
    for (char **e = envp; *e; e++, envc++) { zputs("env: "); zputs(*e); zputs("\n"); }
    zputs("env count: "); zputnum(envc); zputs("\n");
    list_tree("/");
    show_interfaces();
    show_cpus();
    /* Which compiler target ran this program: 64 on x86_64, 32 on i386. */
    zputs("word bits: "); zputnum(sizeof(long) * 8); zputs("\n");
    try_write("/recipe/smoke.c");
    try_write("/store/0-tcc-seed");
    try_write("/undeclared");
    const char msg[] = "hello from the seed tcc\n";
    long fd = Z3(SYS_open, "/out/hello.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) zdie("open /out/hello.txt", fd);
    Z3(SYS_write, fd, msg, sizeof msg - 1);
    Z1(SYS_close, fd);
    zputs("smoke: done\n");
    return status;
}

int _start(int argc, char **argv, char **envp) {
    if (argc > 1 && zstreq(argv[1], "--stage")) return stage(argc, argv, envp);
    if (Z0(SYS_getpid) != 1) { zputs("smoke: run me as PID 1 or with --stage\n"); return 2; }
    zpid1_rerun_as_stage(argc, argv);
    return 0;
}
