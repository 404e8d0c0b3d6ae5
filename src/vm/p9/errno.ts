// Linux errno numbers for Rlerror. The guest is always Linux, whatever the host is (Node's
// `err.errno` is the host's own numbering, different on Windows), so we map by error code name.

export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EBADF: 9,
  EACCES: 13,
  EEXIST: 17,
  EXDEV: 18,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  EFBIG: 27,
  ENOSPC: 28,
  EROFS: 30,
  EMLINK: 31,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  EOPNOTSUPP: 95,
} as const;

/** An error the 9p server answers with Rlerror. */
export class P9Error extends Error {
  constructor(readonly errno: number, message?: string) {
    super(message ?? `errno ${errno}`);
  }
}

/** The Linux errno for a failed host file operation (EIO when we cannot tell). */
export function linuxErrno(err: unknown): number {
  if (err instanceof P9Error) return err.errno;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOTSUP") return ERRNO.EOPNOTSUPP;
  if (code && code in ERRNO) return ERRNO[code as keyof typeof ERRNO];
  return ERRNO.EIO;
}
