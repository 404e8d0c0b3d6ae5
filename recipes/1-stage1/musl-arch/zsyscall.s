/* long __zsyscall(long n, long a1, ..., long a6): the syscall entry behind musl-arch/syscall_arch.h.
 * C passes n, a1..a5 in rdi rsi rdx rcx r8 r9 and a6 on the stack; the kernel wants n in rax and
 * a1..a6 in rdi rsi rdx r10 r8 r9. */
.text
.global __zsyscall
.hidden __zsyscall
.type __zsyscall,@function
__zsyscall:
	mov %rdi,%rax
	mov %rsi,%rdi
	mov %rdx,%rsi
	mov %rcx,%rdx
	mov %r8,%r10
	mov %r9,%r8
	mov 8(%rsp),%r9
	syscall
	ret
