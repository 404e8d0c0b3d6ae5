/* A small job pool: runs up to max commands at once (each in its own working directory, with an
 * empty environment), waits for any child to finish, and stops everything on the first failure.
 * Each command writes its own output file, so results never depend on the order jobs finish in. */
#ifndef ZJOBS_H
#define ZJOBS_H
#include "zmem.h"

#define ZJOBS_MAX 64

/* long zspawn(path, argv, envp, cwd): vfork, then in the child chdir(cwd) (unless cwd is NULL)
 * and execve; the child exits 127 if either fails. Returns the child's pid or -errno.
 * Why vfork: fork copies the parent's page tables and then both sides take copy-on-write faults,
 * which under TCG costs more than many small compiles do. After vfork the child shares the
 * parent's memory and stack, so it must not touch the stack at all: this path uses registers
 * only (syscall preserves everything but rax, rcx and r11; int $0x80 everything but eax). On
 * i386 the callee-saved registers are pushed before vfork: the child never pops them, so the
 * parent finds its stack as it left it. */
long zspawn(const char *path, char **argv, char **envp, const char *cwd);
#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".global zspawn\n"
    "zspawn:\n"
    "  mov %rdi, %r8\n"          /* path */
    "  mov %rsi, %r9\n"          /* argv */
    "  mov %rdx, %r10\n"         /* envp */
    "  mov %rcx, %rdi\n"         /* cwd, chdir's argument */
    "  mov $58, %eax\n"          /* SYS_vfork */
    "  syscall\n"
    "  test %rax, %rax\n"
    "  jnz 1f\n"                 /* parent (pid) or error (-errno) */
    "  test %rdi, %rdi\n"
    "  jz 2f\n"
    "  mov $80, %eax\n"          /* SYS_chdir */
    "  syscall\n"
    "  test %rax, %rax\n"
    "  jnz 3f\n"
    "2:\n"
    "  mov %r8, %rdi\n"
    "  mov %r9, %rsi\n"
    "  mov %r10, %rdx\n"
    "  mov $59, %eax\n"          /* SYS_execve */
    "  syscall\n"
    "3:\n"
    "  mov $127, %edi\n"
    "  mov $60, %eax\n"          /* SYS_exit */
    "  syscall\n"
    "1:\n"
    "  ret\n");
#elif defined(__i386__)
__asm__(
    ".text\n"
    ".global zspawn\n"
    "zspawn:\n"
    "  push %ebp\n"
    "  push %edi\n"
    "  push %esi\n"
    "  push %ebx\n"
    "  mov 20(%esp), %esi\n"     /* path */
    "  mov 24(%esp), %edi\n"     /* argv */
    "  mov 28(%esp), %ebp\n"     /* envp */
    "  mov 32(%esp), %ebx\n"     /* cwd, chdir's argument */
    "  mov $190, %eax\n"         /* SYS_vfork */
    "  int $0x80\n"
    "  test %eax, %eax\n"
    "  jnz 1f\n"                 /* parent (pid) or error (-errno) */
    "  test %ebx, %ebx\n"
    "  jz 2f\n"
    "  mov $12, %eax\n"          /* SYS_chdir */
    "  int $0x80\n"
    "  test %eax, %eax\n"
    "  jnz 3f\n"
    "2:\n"
    "  mov %esi, %ebx\n"
    "  mov %edi, %ecx\n"
    "  mov %ebp, %edx\n"
    "  mov $11, %eax\n"          /* SYS_execve */
    "  int $0x80\n"
    "3:\n"
    "  mov $127, %ebx\n"
    "  mov $1, %eax\n"           /* SYS_exit */
    "  int $0x80\n"
    "1:\n"
    "  pop %ebx\n"
    "  pop %esi\n"
    "  pop %edi\n"
    "  pop %ebp\n"
    "  ret\n");
#endif

struct zjob { long pid; char **argv; };
struct zpool { int max, running; long started; struct zjob jobs[ZJOBS_MAX]; };

static void zpool_init(struct zpool *p, int max) {
    p->max = max < 1 ? 1 : max > ZJOBS_MAX ? ZJOBS_MAX : max;
    p->running = 0;
    p->started = 0;
}

static void zput_command(char **argv) {
    for (int i = 0; argv[i]; i++) { if (i) zputs(" "); zputs(argv[i]); }
    zputs("\n");
}

/* The first failure ends the stage: kill the other compilers, reap them, say what failed. */
static void zpool_fail(struct zpool *p, struct zjob *bad, int status) {
    for (int i = 0; i < p->running; i++) Z2(SYS_kill, p->jobs[i].pid, 9);
    for (int i = 0; i < p->running; i++) Z4(SYS_wait4, p->jobs[i].pid, 0, 0, 0);
    zputs("zilchboot-guest: command failed with status "); zputnum(status);
    if (status == 127) zputs(" (could not chdir or execute)");
    zputs(": ");
    zput_command(bad->argv);
    Z1(SYS_exit_group, 1);
}

/* Waits for one child; returns 0 if none was running. */
static int zpool_wait_one(struct zpool *p) {
    if (!p->running) return 0;
    int wstatus = 0;
    long pid = Z4(SYS_wait4, -1, &wstatus, 0, 0);
    if (pid < 0) zdie("wait4", pid);
    for (int i = 0; i < p->running; i++) {
        if (p->jobs[i].pid != pid) continue;
        struct zjob done = p->jobs[i];
        p->jobs[i] = p->jobs[--p->running];
        int status = (wstatus & 0x7f) == 0 ? (wstatus >> 8) & 0xff : 128 + (wstatus & 0x7f);
        if (status) { p->jobs[p->running++] = done; zpool_fail(p, &p->jobs[p->running - 1], status); }
        return 1;
    }
    return 1; /* not one of ours (cannot happen: we start every child ourselves) */
}

/* Starts argv[0] (an absolute path) in cwd; blocks first while the pool is full. */
static void zpool_run(struct zpool *p, char **argv, const char *cwd) {
    static char *empty_env[1] = { NULL };
    while (p->running >= p->max) zpool_wait_one(p);
    long pid = zspawn(argv[0], argv, empty_env, cwd);
    if (pid < 0) zdie("vfork", pid);
    p->jobs[p->running].pid = pid;
    p->jobs[p->running].argv = argv;
    p->running++;
    p->started++;
}

static void zpool_drain(struct zpool *p) {
    while (zpool_wait_one(p)) {}
}

/* Runs one command to completion (a pool of one). */
static void zrun_in(char **argv, const char *cwd) {
    struct zpool p;
    zpool_init(&p, 1);
    zpool_run(&p, argv, cwd);
    zpool_drain(&p);
}

/* CPUs the kernel brought up, counted from /proc/cpuinfo; 1 if it cannot be read. */
static int zcpu_count(void) {
    char buf[4096];
    long fd = Z3(SYS_open, "/proc/cpuinfo", O_RDONLY, 0), n, count = 0;
    if (fd < 0) return 1;
    /* "processor\t: N" starts each CPU's block; match it at line starts across reads. */
    int at_line_start = 1, matched = 0;
    const char *key = "processor";
    while ((n = Z3(SYS_read, fd, buf, sizeof buf)) > 0) {
        for (long i = 0; i < n; i++) {
            char c = buf[i];
            if (at_line_start) matched = 0;
            if (matched >= 0 && matched < 9) matched = c == key[matched] ? matched + 1 : -1;
            else if (matched == 9) { if (c == '\t' || c == ' ' || c == ':') count++; matched = -1; }
            at_line_start = c == '\n';
        }
    }
    Z1(SYS_close, fd);
    return count > 0 ? count : 1;
}

#endif
