/* Raw Linux syscalls (x86_64 or i386) and the few helpers a libc-less guest program needs.
 * Compiled by the seed tcc with -nostdinc -nostdlib: no headers, no libc exist yet.
 * The 6-argument syscall is written as a top-level asm function because tcc cannot satisfy
 * register constraints for r10/r8/r9 (x86_64) or ebx/esi/edi/ebp (i386) in inline asm. */
#ifndef ZSYS_H
#define ZSYS_H

typedef unsigned long size_t;
typedef long ssize_t;
#define NULL ((void *)0)

long zsys(long nr, long a, long b, long c, long d, long e, long f);
#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".global zsys\n"
    "zsys:\n"
    "  mov %rdi, %rax\n"
    "  mov %rsi, %rdi\n"
    "  mov %rdx, %rsi\n"
    "  mov %rcx, %rdx\n"
    "  mov %r8, %r10\n"
    "  mov %r9, %r8\n"
    "  mov 8(%rsp), %r9\n"
    "  syscall\n"
    "  ret\n");

enum {
    SYS_read = 0, SYS_write = 1, SYS_open = 2, SYS_close = 3, SYS_nanosleep = 35,
    SYS_getpid = 39, SYS_fork = 57, SYS_execve = 59, SYS_exit = 60, SYS_wait4 = 61,
    SYS_mkdir = 83, SYS_sync = 162, SYS_mount = 165, SYS_reboot = 169, SYS_ioperm = 173,
    SYS_getdents64 = 217, SYS_exit_group = 231,
    SYS_lseek = 8, SYS_mmap = 9, SYS_munmap = 11, SYS_kill = 62, SYS_chdir = 80, SYS_rename = 82,
    SYS_unlink = 87, SYS_clock_gettime = 228, SYS_ioctl = 16
};
typedef long ztime_t; /* timespec fields */
#elif defined(__i386__)
/* cdecl: nr and the six arguments are on the stack; int $0x80 takes them in eax, ebx, ecx, edx,
 * esi, edi, ebp, of which ebx, esi, edi and ebp are the caller's to keep. */
__asm__(
    ".text\n"
    ".global zsys\n"
    "zsys:\n"
    "  push %ebp\n"
    "  push %edi\n"
    "  push %esi\n"
    "  push %ebx\n"
    "  mov 20(%esp), %eax\n"
    "  mov 24(%esp), %ebx\n"
    "  mov 28(%esp), %ecx\n"
    "  mov 32(%esp), %edx\n"
    "  mov 36(%esp), %esi\n"
    "  mov 40(%esp), %edi\n"
    "  mov 44(%esp), %ebp\n"
    "  int $0x80\n"
    "  pop %ebx\n"
    "  pop %esi\n"
    "  pop %edi\n"
    "  pop %ebp\n"
    "  ret\n");

/* i386 numbers. SYS_mmap is mmap2 (offset in pages; every caller maps at offset 0): the old
 * i386 mmap takes a pointer to its arguments. Time calls are the time64 ones (clock_gettime64,
 * clock_nanosleep_time64), as musl uses: the guest kernel has no 32-bit time_t calls
 * (COMPAT_32BIT_TIME is off in tinyconfig). */
enum {
    SYS_read = 3, SYS_write = 4, SYS_open = 5, SYS_close = 6, SYS_clock_nanosleep = 407,
    SYS_getpid = 20, SYS_fork = 2, SYS_execve = 11, SYS_exit = 1, SYS_wait4 = 114,
    SYS_mkdir = 39, SYS_sync = 36, SYS_mount = 21, SYS_reboot = 88, SYS_ioperm = 101,
    SYS_getdents64 = 220, SYS_exit_group = 252,
    SYS_lseek = 19, SYS_mmap = 192, SYS_munmap = 91, SYS_kill = 37, SYS_chdir = 12, SYS_rename = 38,
    SYS_unlink = 10, SYS_clock_gettime = 403, SYS_ioctl = 54
};
typedef long long ztime_t; /* timespec fields */
#else
#error "zsys.h knows x86_64 and i386 only"
#endif
enum { O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0100, O_TRUNC = 01000, O_DIRECTORY = 0200000 };
enum { EACCES = 13, EROFS = 30 };

#define Z0(n) zsys((n), 0, 0, 0, 0, 0, 0)
#define Z1(n, a) zsys((n), (long)(a), 0, 0, 0, 0, 0)
#define Z2(n, a, b) zsys((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define Z3(n, a, b, c) zsys((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define Z4(n, a, b, c, d) zsys((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define Z5(n, a, b, c, d, e) zsys((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static size_t zstrlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
static int zstreq(const char *a, const char *b) { while (*a && *a == *b) a++, b++; return *a == *b; }
static int zprefix(const char *s, const char *p) { while (*p) if (*s++ != *p++) return 0; return 1; }
static void zputs(const char *s) { Z3(SYS_write, 1, s, zstrlen(s)); }

static void zputnum(long v) {
    char buf[24]; int i = 23; int neg = v < 0; unsigned long u = neg ? -v : v;
    buf[i] = 0;
    do { buf[--i] = '0' + u % 10; u /= 10; } while (u);
    if (neg) buf[--i] = '-';
    zputs(buf + i);
}

static long zatol(const char *s) { long v = 0; while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0'); return v; }

#if defined(__i386__)
static void zsleep(long seconds) { ztime_t ts[2] = { seconds, 0 }; Z4(SYS_clock_nanosleep, 1 /* CLOCK_MONOTONIC */, 0, ts, 0); }
#else
static void zsleep(long seconds) { long ts[2] = { seconds, 0 }; Z2(SYS_nanosleep, ts, 0); }
#endif

static void zdie(const char *what, long err) {
    zputs("zilchboot-guest: "); zputs(what); zputs(" failed: "); zputnum(err); zputs("\n");
    Z1(SYS_exit_group, 111);
}

/* Reports the stage's status to the host and stops the VM (the protocol lives, host side, in
 * src/vm/guest-protocol.ts). isa-debug-exit turns a byte v into QEMU exit code (v << 1) | 1, which
 * the host OS cuts to 8 bits, so only v = 1..127 arrive intact: we send min(status, 126) + 1 (never
 * 0, so QEMU's own failure code 1 is never read as a guest result) and print the exact status first;
 * the host reads that line whenever the byte says "126 or more". TCSBRK with a non-zero argument
 * (tcdrain) waits until the serial port has sent the line, so it is on the host before the VM ends. */
static void zpoweroff(int status) {
    unsigned char v = (unsigned char)((status < 0 || status > 126 ? 126 : status) + 1);
    Z0(SYS_sync);
    zputs("zilchboot-guest: exit status "); zputnum(status); zputs("\n");
    Z3(SYS_ioctl, 1, 0x5409 /* TCSBRK */, 1);
    if (Z3(SYS_ioperm, 0xf4, 4, 1) == 0) {
        __asm__ volatile("outb %%al, %%dx" : : "a"(v), "d"((unsigned short)0xf4));
    }
    /* No debug-exit device (another backend): reboot ends the VM; -no-reboot makes that an exit. */
    Z4(SYS_reboot, 0xfee1dead, 672274793, 0x01234567, 0);
    for (;;) zsleep(1);
}

/* Whether /out is already a mount point: a transport without a virtio-9p device (9p over a serial
 * port, for QEMU on Windows) mounts it before our PID 1 starts. /proc must be mounted. */
static int zout_is_mounted(void) {
    static char buf[8192];
    long fd = Z2(SYS_open, "/proc/self/mounts", O_RDONLY), n = 0, r;
    if (fd < 0) return 0;
    while (n < (long)sizeof buf - 1 && (r = Z3(SYS_read, fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
    Z1(SYS_close, fd);
    buf[n] = 0;
    /* A line is "SOURCE MOUNTPOINT TYPE OPTIONS 0 0"; spaces inside fields are escaped as \040. */
    for (char *p = buf; *p; p++) if (zprefix(p, " /out ")) return 1;
    return 0;
}

/* Mounts what every stage gets: /proc, /dev, a tmpfs /tmp, and the writable output share at /out
 * (unless the transport already mounted it). */
static void zmount_stage_dirs(void) {
    long r;
    if ((r = Z5(SYS_mount, "proc", "/proc", "proc", 0, 0)) < 0) zdie("mount /proc", r);
    if ((r = Z5(SYS_mount, "dev", "/dev", "devtmpfs", 0, 0)) < 0) zdie("mount /dev", r);
    if ((r = Z5(SYS_mount, "tmp", "/tmp", "tmpfs", 0, "mode=1777")) < 0) zdie("mount /tmp", r);
    if (zout_is_mounted()) return;
    if ((r = Z5(SYS_mount, "out", "/out", "9p", 0, "trans=virtio,version=9p2000.L,msize=512000")) < 0)
        zdie("mount /out", r);
}

/* Runs argv with an empty environment and returns its exit status (128 + signal if killed). */
static int zrun(char **argv) {
    char *empty_env[1] = { NULL };
    int wstatus = 0;
    long pid = Z0(SYS_fork);
    if (pid < 0) zdie("fork", pid);
    if (pid == 0) {
        long r = Z3(SYS_execve, argv[0], argv, empty_env);
        zdie("execve", r);
    }
    if (Z4(SYS_wait4, pid, &wstatus, 0, 0) < 0) return 127;
    if ((wstatus & 0x7f) == 0) return (wstatus >> 8) & 0xff;
    return 128 + (wstatus & 0x7f);
}

/* Guest path of the seed compiler; stage programs run through it with -run. */
#define ZSEED "/store/0-tcc-seed"

/* The PID 1 half of a seed-tcc stage program: mount the stage directories, run this same program
 * again through the seed as `PROGRAM --stage ARGS...` with an empty environment (the kernel gives
 * PID 1 HOME and TERM), report its status to the host. Never returns. */
static void zpid1_rerun_as_stage(int argc, char **argv) {
    char *child[40];
    int n = 0;
    zputs("zilchboot-guest: init running\n");
    zmount_stage_dirs();
    child[n++] = ZSEED; child[n++] = "-nostdinc"; child[n++] = "-nostdlib"; child[n++] = "-I/guest";
    child[n++] = "-run"; child[n++] = argv[0]; child[n++] = "--stage";
    for (int i = 1; i < argc && n < 39; i++) child[n++] = argv[i];
    child[n] = NULL;
    zpoweroff(zrun(child));
}

#endif
