// Which file names the guest may use on the share. The guest is Linux and may use any byte but
// "/" and NUL; the host may hold far fewer. A name the host cannot hold is refused before anything
// is created, rather than silently mapped to another name (which would make two guest names one
// host file, or a Windows device such as NUL).
import { ERRNO, P9Error } from "./errno.js";

/** The host OS whose file-name rules apply (tests pass "win32" on Linux). */
export type SharePlatform = "linux" | "darwin" | "win32";

/** The platform rules for this host: Windows' on win32, POSIX's everywhere else. */
export function hostPlatform(platform: NodeJS.Platform = process.platform): SharePlatform {
  return platform === "win32" ? "win32" : platform === "darwin" ? "darwin" : "linux";
}

// Windows (Win32 namespace): characters NTFS/Win32 refuse or give a meaning (":" opens an
// alternate data stream, "\" is a separator), and control characters 0x01-0x1f.
// eslint-disable-next-line no-control-regex
const WIN32_BAD_CHAR = /[\\:*?"<>|\u0001-\u001f]/;
// Device names, also with any extension ("nul.txt" opens the NUL device too).
const WIN32_DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;
// Win32 strips a trailing dot or space, so "a." and "a" would be the same file.
const WIN32_TRAILING = /[. ]$/;

/** Why `name` cannot be one directory entry on this platform, or null when it can. */
export function nameProblem(name: string, platform: SharePlatform): string | null {
  if (name === "") return "empty name";
  if (name === "." || name === "..") return `"${name}" is not a name`;
  if (name.includes("/")) return "contains /";
  if (name.includes("\0")) return "contains NUL";
  if (platform !== "win32") return null;
  const bad = WIN32_BAD_CHAR.exec(name);
  if (bad) return `contains ${JSON.stringify(bad[0])}, which Windows file names cannot hold`;
  if (WIN32_DEVICE.test(name)) return "is a Windows device name";
  if (WIN32_TRAILING.test(name)) return "ends in a dot or space, which Windows drops";
  return null;
}

/** `name` if it can be a directory entry on the host, else EINVAL (nothing is created). */
export function checkName(name: string, platform: SharePlatform): string {
  const problem = nameProblem(name, platform);
  if (problem) throw new P9Error(ERRNO.EINVAL, `name ${JSON.stringify(name)} ${problem}`);
  return name;
}
