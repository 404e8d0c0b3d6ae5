/* Guest half of `zilchboot shell`: makes the serial console a real controlling terminal for the
 * shell and keeps its window size in step with the user's.
 * Run by stage 1's init through the seed tcc (-nostdinc -nostdlib -run: no libc needed):
 *   console.c ROWS COLS PROGRAM [ARGS...]
 * - the shell runs in a new session with /dev/ttyS0 as its controlling tty, so Ctrl-C, Ctrl-Z
 *   and job control reach its foreground job (init's /dev/console is never a controlling tty);
 * - ROWS x COLS is the initial window size;
 * - /dev/ttyS1 is the control channel from the host: each line "ROWS COLS" sets ttyS0's size,
 *   and the kernel sends SIGWINCH to the foreground job;
 * - exits with the shell's status, which init then reports to the host. */
#include "zsys.h"

enum {
    SYS_dup2 = 33, SYS_setsid = 112, /* SYS_ioctl comes from zsys.h */
    TCGETS = 0x5401, TCSETS = 0x5402, TIOCSCTTY = 0x540E, TIOCSWINSZ = 0x5414,
    O_RDWR = 2, O_NOCTTY = 0400, SIGKILL = 9,
    ECHO_FLAGS = 0000010 | 0000020 | 0000040 | 0000100 /* ECHO ECHOE ECHOK ECHONL */
};

struct termios_raw { unsigned int iflag, oflag, cflag, lflag; unsigned char line, cc[19]; unsigned int ispeed, ospeed; };

static void set_size(long tty, long rows, long cols) {
    unsigned short ws[4] = { (unsigned short)rows, (unsigned short)cols, 0, 0 };
    if (rows > 0 && cols > 0) Z3(SYS_ioctl, tty, TIOCSWINSZ, ws);
}

/* Reads "ROWS COLS\n" lines from the control port until the shell ends. */
static void follow_resizes(long tty) {
    long ctl = Z2(SYS_open, "/dev/ttyS1", O_RDWR | O_NOCTTY);
    struct termios_raw t;
    char line[64];
    int n = 0;
    if (ctl < 0) Z1(SYS_exit, 0);
    /* The port would echo what the host sends back to it. */
    if (Z3(SYS_ioctl, ctl, TCGETS, &t) == 0) { t.lflag &= ~ECHO_FLAGS; Z3(SYS_ioctl, ctl, TCSETS, &t); }
    for (;;) {
        char c;
        if (Z3(SYS_read, ctl, &c, 1) != 1) continue;
        if (c == '\r') continue;
        if (c != '\n') { if (n < 63) line[n++] = c; continue; }
        line[n] = 0;
        int i = 0;
        long rows = zatol(line);
        while (line[i] && line[i] != ' ') i++;
        while (line[i] == ' ') i++;
        set_size(tty, rows, zatol(line + i));
        n = 0;
    }
}

int _start(int argc, char **argv, char **envp) {
    int wstatus = 0;
    if (argc < 4) { zputs("usage: console.c ROWS COLS PROGRAM [ARGS...]\n"); return 2; }
    long shell = Z0(SYS_fork);
    if (shell < 0) zdie("fork", shell);
    if (shell == 0) {
        Z0(SYS_setsid);
        long tty = Z2(SYS_open, "/dev/ttyS0", O_RDWR);
        if (tty < 0) zdie("open /dev/ttyS0", tty);
        long r = Z3(SYS_ioctl, tty, TIOCSCTTY, 0);
        if (r < 0) zdie("TIOCSCTTY", r);
        set_size(tty, zatol(argv[1]), zatol(argv[2]));
        for (int fd = 0; fd < 3; fd++) Z2(SYS_dup2, tty, fd);
        if (tty > 2) Z1(SYS_close, tty);
        /* The host shows the console from this line on (boot messages stay in the log). */
        zputs("zilchboot-shell: ready\n");
        r = Z3(SYS_execve, argv[3], argv + 3, envp);
        zdie("execve", r);
    }
    long watcher = Z0(SYS_fork);
    if (watcher == 0) {
        long tty = Z2(SYS_open, "/dev/ttyS0", O_RDWR | O_NOCTTY);
        if (tty >= 0) follow_resizes(tty);
        Z1(SYS_exit, 0);
    }
    while (Z4(SYS_wait4, shell, &wstatus, 0, 0) == -4 /* EINTR */) {}
    if (watcher > 0) Z2(SYS_kill, watcher, SIGKILL);
    if ((wstatus & 0x7f) == 0) return (wstatus >> 8) & 0xff;
    return 128 + (wstatus & 0x7f);
}
