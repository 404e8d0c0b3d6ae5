/* PID 1 of the initramfs for 9p over virtio-serial ports (QEMU without virtfs, e.g. on Windows;
 * host side: src/vm/serial/). The seed tcc runs it (`#!/zb/tcc -run …`, written by
 * src/vm/serial/initramfs.ts), so no host compiler is needed. It mounts the stage's read-only root
 * share at /newroot and the writable out share at /newroot/out, moves /newroot onto / and chroots
 * there (switch_root), then execs the stage's PID 1 (`init=` on the kernel command line) with this
 * process's arguments and environment, so the stage's PID 1 is still PID 1 and sees what it sees
 * under virtio-9p, with /out already mounted (vm/guest/zsys.h and init.c leave it alone then).
 *
 * Why a relay: the kernel's 9p fd transport reads and writes its fds with kernel_read/kernel_write,
 * which refuse files without read_iter/write_iter since 5.10, and a virtio-console port has neither.
 * So each share gets a socketpair: the kernel mounts one end (trans=fd), and a forked relay copies
 * bytes between the other end and the port. The relays become children of the stage's PID 1, which
 * only ever waits for its own child. Benchmark only: with `zilchboot.serial=direct` on the kernel
 * command line (ZILCHBOOT_SERIAL_DIRECT=1 on the host) the port's own fd is mounted, no relay; that
 * needs a kernel whose ports have read_iter/write_iter (scripts/bench/virtio-console-iter.patch). On failure a "zilchboot-preinit:" line names what failed (the
 * host reports it as a transport failure) and the VM powers off. */
#include "zsys.h"

#if defined(__x86_64__)
enum { SYS_poll = 7, SYS_socketpair = 53, SYS_mknod = 133, SYS_chroot = 161, SYS_umount2 = 166 };
#else
enum { SYS_poll = 168, SYS_socketpair = 360, SYS_mknod = 14, SYS_chroot = 61, SYS_umount2 = 52 };
#endif
enum { O_RDWR = 2, O_CLOEXEC = 02000000, AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 02000000 };
enum { MS_RDONLY = 1, MS_MOVE = 8192, S_IFCHR = 0020000, EINTR = 4, EAGAIN = 11 };
enum { POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 16 };
struct pollfd { int fd; short events; short revents; };
struct dirent64 { unsigned long long ino; long long off; unsigned short reclen; unsigned char type; char name[]; };

/* Port names: src/vm/serial/initramfs.ts. Mount options: as the virtio-9p transport's (guest-protocol.ts). */
#define ROOT_PORT "zb.root"
#define OUT_PORT "zb.out"
#define ROOT_OPTIONS "version=9p2000.L,msize=512000,cache=loose"
#define OUT_OPTIONS "version=9p2000.L,msize=512000"
#define PORTS_DIR "/sys/class/virtio-ports"
/* Ports appear once the host's control messages are handled: wait this long (10 ms steps). */
#define PORT_WAIT_STEPS 3000

static void fail(const char *what, long err) {
    zputs("zilchboot-preinit: 9p over virtio-serial: "); zputs(what);
    if (err) { zputs(" failed: "); zputnum(err); }
    zputs("\n");
    zpoweroff(111);
}

static void sleep_ms(int ms) { Z3(SYS_poll, 0, 0, ms); }

/* The first line of a small file, without its newline; "" if unreadable. */
static void read_line(const char *path, char *buf, long size) {
    long fd = Z2(SYS_open, path, O_RDONLY), n = 0;
    buf[0] = 0;
    if (fd < 0) return;
    n = Z3(SYS_read, fd, buf, size - 1);
    Z1(SYS_close, fd);
    if (n < 0) n = 0;
    buf[n] = 0;
    for (long i = 0; i < n; i++) if (buf[i] == '\n') { buf[i] = 0; break; }
}

static char *append(char *at, const char *s) { while (*s) *at++ = *s++; *at = 0; return at; }

/* Makes /dev/<port> for the port named `name` and returns its path in `dev`; 0 if not there yet. */
static int find_port(const char *name, char *dev) {
    char buf[2048], path[256], line[64];
    int found = 0;
    long fd = Z3(SYS_open, PORTS_DIR, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) return 0;
    for (long n; !found && (n = Z3(SYS_getdents64, fd, buf, sizeof buf)) > 0;) {
        for (long at = 0; !found && at < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + at);
            at += d->reclen;
            if (d->name[0] == '.') continue;
            append(append(append(append(path, PORTS_DIR), "/"), d->name), "/name");
            read_line(path, line, sizeof line);
            if (!zstreq(line, name)) continue;
            append(append(append(append(path, PORTS_DIR), "/"), d->name), "/dev");
            read_line(path, line, sizeof line);
            char *minor = line;
            while (*minor && *minor != ':') minor++;
            if (!*minor) continue;
            long major = zatol(line), min = zatol(minor + 1);
            append(append(dev, "/dev/"), d->name);
            /* new_encode_dev */
            long r = Z3(SYS_mknod, dev, S_IFCHR | 0600, (min & 0xff) | (major << 8) | ((min & ~0xffL) << 12));
            if (r < 0) fail("mknod of a port", r);
            found = 1;
        }
    }
    Z1(SYS_close, fd);
    return found;
}

static int write_all(int fd, const char *p, long n) {
    while (n > 0) {
        long w = Z3(SYS_write, fd, p, n);
        if (w == -EINTR) continue;
        if (w == -EAGAIN) { struct pollfd q = { fd, POLLOUT, 0 }; Z3(SYS_poll, &q, 1, -1); continue; }
        if (w <= 0) return -1;
        p += w; n -= w;
    }
    return 0;
}

/* Copies bytes both ways until either side is gone; never returns. */
static void relay(int port, int sock) {
    static char buf[65536];
    struct pollfd fds[2] = { { port, POLLIN, 0 }, { sock, POLLIN, 0 } };
    for (;;) {
        long r = Z3(SYS_poll, fds, 2, -1);
        if (r == -EINTR) continue;
        if (r < 0) Z1(SYS_exit, 1);
        for (int i = 0; i < 2; i++) {
            if (fds[i].revents & POLLIN) {
                long n = Z3(SYS_read, fds[i].fd, buf, sizeof buf);
                if (n == -EINTR || n == -EAGAIN) continue;
                /* 0: the host's end (or the kernel's) is gone. */
                if (n <= 0) Z1(SYS_exit, n == 0 ? 0 : 1);
                if (write_all(fds[1 - i].fd, buf, n) < 0) Z1(SYS_exit, 1);
            } else if (fds[i].revents & (POLLHUP | POLLERR)) {
                Z1(SYS_exit, 0);
            }
        }
    }
}

/* `zilchboot.serial=direct` on the kernel command line: mount the ports themselves. */
static int direct;

/* Mounts the share behind port `dev` on `target` through a relay process (or, direct, the port). */
static void mount_share(const char *dev, const char *target, long flags, const char *options) {
    int sv[2];
    char data[256], num[24], *at;
    long port = Z3(SYS_open, dev, O_RDWR | O_CLOEXEC, 0), r;
    if (port < 0) fail("open of a port", port);
    if (direct) {
        sv[0] = port;
    } else {
        if ((r = Z4(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) < 0) fail("socketpair", r);
        long pid = Z0(SYS_fork);
        if (pid < 0) fail("fork of a relay", pid);
        if (pid == 0) {
            Z1(SYS_close, sv[0]);
            relay(port, sv[1]);
        }
        Z1(SYS_close, port);
        Z1(SYS_close, sv[1]);
    }
    /* trans=fd,rfdno=N,wfdno=N,OPTIONS: the kernel takes its own reference to the fd. */
    int i = 23; long v = sv[0];
    num[i] = 0;
    do { num[--i] = '0' + v % 10; v /= 10; } while (v);
    at = append(data, "trans=fd,rfdno=");
    at = append(at, num + i);
    at = append(at, ",wfdno=");
    at = append(at, num + i);
    at = append(at, ",");
    append(at, options);
    if ((r = Z5(SYS_mount, "zb", target, "9p", flags, data)) < 0) {
        zputs("zilchboot-preinit: mount of "); zputs(target); zputs(" over "); zputs(dev); zputs("\n");
        fail("mount", r);
    }
    Z1(SYS_close, sv[0]);
}

/* From the kernel command line (before `--`): the stage's PID 1 (`init=`), whether an out share
 * comes (`zilchboot.shares=root,out`; a dotted word is neither argv nor environment of init), and
 * `zilchboot.serial=direct` (sets `direct`). */
static int read_cmdline(char *init, long size) {
    static char cmdline[4096];
    int out = 0;
    init[0] = 0;
    read_line("/proc/cmdline", cmdline, sizeof cmdline);
    for (char *p = cmdline; *p;) {
        while (*p == ' ') p++;
        char *word = p;
        while (*p && *p != ' ') p++;
        if (p - word == 2 && zprefix(word, "--")) break;
        if (zprefix(word, "zilchboot.shares=") && p - word == 25 && zprefix(word + 17, "root,out")) out = 1;
        if (p - word == 23 && zprefix(word, "zilchboot.serial=direct")) direct = 1;
        if (zprefix(word, "init=")) {
            long n = 0;
            for (char *s = word + 5; s < p && n < size - 1; s++) init[n++] = *s;
            init[n] = 0;
        }
    }
    if (!init[0]) fail("finding init= on the kernel command line", 0);
    return out;
}

int _start(int argc, char **argv, char **envp) {
    static char init[512], root_dev[128], out_dev[128];
    char *args[40];
    long r;
    if ((r = Z5(SYS_mount, "proc", "/proc", "proc", 0, 0)) < 0) fail("mount /proc", r);
    if ((r = Z5(SYS_mount, "sys", "/sys", "sysfs", 0, 0)) < 0) fail("mount /sys", r);
    int want_out = read_cmdline(init, sizeof init);
    int have_root = 0, have_out = 0;
    for (int step = 0; step < PORT_WAIT_STEPS; step++) {
        if (!have_root) have_root = find_port(ROOT_PORT, root_dev);
        if (want_out && !have_out) have_out = find_port(OUT_PORT, out_dev);
        if (have_root && have_out == want_out) break;
        sleep_ms(10);
    }
    if (!have_root) fail("finding the port " ROOT_PORT " in " PORTS_DIR, 0);
    if (have_out != want_out) fail("finding the port " OUT_PORT " in " PORTS_DIR, 0);
    mount_share(root_dev, "/newroot", MS_RDONLY, ROOT_OPTIONS);
    if (want_out) mount_share(out_dev, "/newroot/out", 0, OUT_OPTIONS);
    Z2(SYS_umount2, "/sys", 0);
    Z2(SYS_umount2, "/proc", 0);
    /* switch_root: the new root replaces the initramfs as / for us and everything we start. */
    if ((r = Z1(SYS_chdir, "/newroot")) < 0) fail("chdir /newroot", r);
    if ((r = Z5(SYS_mount, ".", "/", 0, MS_MOVE, 0)) < 0) fail("moving /newroot to /", r);
    if ((r = Z1(SYS_chroot, ".")) < 0) fail("chroot", r);
    Z1(SYS_chdir, "/");
    int n = 0;
    args[n++] = init;
    for (int i = 1; i < argc && n < 39; i++) args[n++] = argv[i];
    args[n] = NULL;
    r = Z3(SYS_execve, init, args, envp);
    zputs("zilchboot-preinit: cannot run "); zputs(init); zputs("\n");
    fail("execve", r);
    return 0;
}
