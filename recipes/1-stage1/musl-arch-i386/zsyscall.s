/* long __zsyscall(long n, long a1, ..., long a6): the syscall entry behind musl-arch-i386/
 * syscall_arch.h. cdecl passes everything on the stack; the kernel wants n in eax and a1..a6 in
 * ebx ecx edx esi edi ebp, of which ebx esi edi ebp belong to the caller. */
.text
.global __zsyscall
.hidden __zsyscall
.type __zsyscall,@function
__zsyscall:
	push %ebp
	push %edi
	push %esi
	push %ebx
	mov 20(%esp),%eax
	mov 24(%esp),%ebx
	mov 28(%esp),%ecx
	mov 32(%esp),%edx
	mov 36(%esp),%esi
	mov 40(%esp),%edi
	mov 44(%esp),%ebp
	int $0x80
	pop %ebx
	pop %esi
	pop %edi
	pop %ebp
	ret
