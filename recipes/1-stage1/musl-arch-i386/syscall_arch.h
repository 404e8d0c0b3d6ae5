/* Replaces musl's arch/i386/syscall_arch.h for tcc (this directory comes before musl-arch/ on the
 * include path of the i386 build). musl's version binds the arguments to ebx, ecx, edx, esi, edi
 * and ebp with inline-asm constraints and enters the kernel through the vsyscall pointer at
 * %gs:16; tcc cannot bind ebp, so every __syscallN calls __zsyscall (zsyscall.s), an ordinary
 * cdecl function that loads the registers and executes int $0x80. */
/* A 64-bit argument takes two registers, low word first (i386 is little-endian). */
#define __SYSCALL_LL_E(x) (long)(unsigned long long)(x), (long)((unsigned long long)(x) >> 32)
#define __SYSCALL_LL_O(x) __SYSCALL_LL_E((x))

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
#define VDSO_CGT32_SYM "__vdso_clock_gettime"
#define VDSO_CGT32_VER "LINUX_2.6"
#define VDSO_CGT_SYM "__vdso_clock_gettime64"
#define VDSO_CGT_VER "LINUX_2.6"
