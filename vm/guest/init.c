/* PID 1 for every stage after stage 1 (built by stage 1 against protomusl).
 * Usage (words after `--` on the kernel command line):
 *   init [KEY=VALUE...] COMMAND [ARGS...]
 * Mounts /proc, /dev, a tmpfs /tmp and the writable 9p share `out` at /out (unless the transport
 * already mounted /out, as 9p over a serial port does), then runs COMMAND with
 * exactly the KEY=VALUE words as its environment (nothing from the kernel: it hands PID 1
 * HOME=/ and TERM=linux), waits for it, and reports its exit status to the host. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* Same protocol as zsys.h's zpoweroff (host side: src/vm/guest-protocol.ts): the exact status on
 * the console, drained to the host, then min(status, 126) + 1 to isa-debug-exit, whose QEMU exit
 * code 2v+1 then fits the host's 8 bits and is never QEMU's own failure code 1. */
static void report_and_power_off(int status) {
    unsigned char v = (unsigned char)((status < 0 || status > 126 ? 126 : status) + 1);
    sync();
    printf("zilchboot-guest: exit status %d\n", status);
    fflush(stdout);
    tcdrain(1);
    if (syscall(SYS_ioperm, 0xf4, 4, 1) == 0)
        __asm__ volatile("outb %%al, %%dx" : : "a"(v), "d"((unsigned short)0xf4));
    reboot(RB_AUTOBOOT); /* -no-reboot turns this into an exit of the VM */
    for (;;) pause();
}

/* Whether the transport already mounted /out (needs /proc). */
static int out_is_mounted(void) {
    char line[512];
    int found = 0;
    FILE *mounts = fopen("/proc/self/mounts", "r");
    if (!mounts) return 0;
    while (!found && fgets(line, sizeof line, mounts)) found = strstr(line, " /out ") != NULL;
    fclose(mounts);
    return found;
}

static void must_mount(const char *source, const char *target, const char *type, const char *data) {
    if (mount(source, target, type, 0, data) != 0) {
        printf("zilchboot-guest: mount %s on %s failed: %s\n", type, target, strerror(errno));
        report_and_power_off(111);
    }
}

int main(int argc, char **argv) {
    char *env[64];
    int n = 0, first = 1;
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("zilchboot-guest: init running\n");
    if (getpid() != 1) { printf("init: not PID 1\n"); return 2; }
    must_mount("proc", "/proc", "proc", NULL);
    must_mount("dev", "/dev", "devtmpfs", NULL);
    must_mount("tmp", "/tmp", "tmpfs", "mode=1777");
    if (!out_is_mounted()) must_mount("out", "/out", "9p", "trans=virtio,version=9p2000.L,msize=512000");
    for (; first < argc && strchr(argv[first], '=') && argv[first][0] != '/' && n < 63; first++) env[n++] = argv[first];
    env[n] = NULL;
    if (first >= argc) { printf("init: no command given\n"); report_and_power_off(2); }
    pid_t pid = fork();
    if (pid < 0) report_and_power_off(111);
    if (pid == 0) {
        execve(argv[first], argv + first, env);
        printf("init: cannot run %s: %s\n", argv[first], strerror(errno));
        _exit(127);
    }
    int wstatus = 0;
    /* PID 1 also reaps orphans: wait until our own child is the one that ended. */
    for (;;) {
        pid_t ended = wait(&wstatus);
        if (ended == pid || (ended < 0 && errno != EINTR)) break;
    }
    report_and_power_off(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus));
    return 0;
}
