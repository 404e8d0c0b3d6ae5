/* Replaces musl's arch/x86_64/syscall_arch.h for tcc (this directory comes first on the include
 * path). tcc cannot bind inline-asm operands to r10, r8 and r9 ("asm constraint 6 ('r') could not
 * be satisfied"), so every __syscallN calls __zsyscall (zsyscall.s), an ordinary function that
 * moves its C arguments into the syscall registers. The rest keeps musl's x86_64 values. */
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

hidden long __zsyscall(long, long, long, long, long, long, long);

static __inline long __syscall0(long n)
{ return __zsyscall(n, 0, 0, 0, 0, 0, 0); }
static __inline long __syscall1(long n, long a1)
{ return __zsyscall(n, a1, 0, 0, 0, 0, 0); }
static __inline long __syscall2(long n, long a1, long a2)
{ return __zsyscall(n, a1, a2, 0, 0, 0, 0); }
static __inline long __syscall3(long n, long a1, long a2, long a3)
{ return __zsyscall(n, a1, a2, a3, 0, 0, 0); }
static __inline long __syscall4(long n, long a1, long a2, long a3, long a4)
{ return __zsyscall(n, a1, a2, a3, a4, 0, 0); }
static __inline long __syscall5(long n, long a1, long a2, long a3, long a4, long a5)
{ return __zsyscall(n, a1, a2, a3, a4, a5, 0); }
static __inline long __syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{ return __zsyscall(n, a1, a2, a3, a4, a5, a6); }

#define VDSO_USEFUL
#define VDSO_CGT_SYM "__vdso_clock_gettime"
#define VDSO_CGT_VER "LINUX_2.6"
#define VDSO_GETCPU_SYM "__vdso_getcpu"
#define VDSO_GETCPU_VER "LINUX_2.6"

#define IPC_64 0
