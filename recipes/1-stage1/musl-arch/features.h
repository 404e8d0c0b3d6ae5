/* Wraps musl's src/include/features.h (this directory comes first on the include path).
 * The tinycc snapshot treats __attribute__((alias("old"))) as a rename: uses of the new name
 * refer to old, but the new name is never defined, so every weak_alias (lseek, environ, malloc...)
 * would be missing from libc. Defining the alias in assembler gives the object a real weak symbol
 * at old's address, which is what musl's macro asks of gcc. */
#include_next <features.h>

#undef weak_alias
#define weak_alias(old, new) \
	extern __typeof(old) new; \
	__asm__(".weak " #new "\n.set " #new ", " #old)
