// The initramfs of the serial transport: the seed tcc (static, the guest's arch) runs our pre-init
// (vm/preinit/preinit.c) as a C script, which mounts the shares from the virtio-serial ports and
// hands over to the stage's PID 1. Written by our own cpio writer, so no host compiler or cpio tool
// is needed (a Windows host has neither). Not part of any input hash: it decides how the shares
// reach the guest, not what is in them.
import fs from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "../../paths.js";
import { newcArchive, type CpioEntry } from "./newc-cpio.js";

/** virtio-serial port names (`name=` of QEMU's virtserialport), as vm/preinit/preinit.c looks for them. */
export const ROOT_PORT = "zb.root";
export const OUT_PORT = "zb.out";

/** Where the initramfs keeps the seed and the header the pre-init includes. */
const TOOLS = "zb";

/** The pre-init's sources: the C file and vm/guest/zsys.h, which it includes. */
export function preinitSources(root = repoRoot): { preinit: string; zsys: string } {
  return { preinit: path.join(root, "vm", "preinit", "preinit.c"), zsys: path.join(root, "vm", "guest", "zsys.h") };
}

/** The archive's entries. /init is the C file behind a `#!` line: the kernel runs the seed with
 *  `-run -nostdinc -nostdlib -I/zb` (one word, which tcc splits) and /init, the stage's arguments
 *  after it; tcc skips the `#!` line. /dev/console is there for the kernel to open as PID 1's
 *  stdin/stdout/stderr before /init runs. */
export function preinitEntries(seed: Uint8Array, preinitC: string, zsysH: string): CpioEntry[] {
  const utf8 = (text: string) => new TextEncoder().encode(text);
  return [
    { type: "dir", path: "dev", mode: 0o755 },
    { type: "chardev", path: "dev/console", mode: 0o600, major: 5, minor: 1 },
    { type: "dir", path: "proc", mode: 0o755 },
    { type: "dir", path: "sys", mode: 0o755 },
    { type: "dir", path: "newroot", mode: 0o755 },
    { type: "dir", path: TOOLS, mode: 0o755 },
    { type: "file", path: `${TOOLS}/tcc`, mode: 0o755, data: seed },
    { type: "file", path: `${TOOLS}/zsys.h`, mode: 0o644, data: utf8(zsysH) },
    { type: "file", path: "init", mode: 0o755, data: utf8(`#!/${TOOLS}/tcc -run -nostdinc -nostdlib -I/${TOOLS}\n${preinitC}`) },
  ];
}

/** Writes the initramfs for `seed` (the guest arch's static tcc) to `file`. */
export async function writePreinitInitramfs(seed: string, file: string): Promise<void> {
  const sources = preinitSources();
  const [seedBytes, preinitC, zsysH] = await Promise.all([fs.readFile(seed), fs.readFile(sources.preinit, "utf8"), fs.readFile(sources.zsys, "utf8")]);
  await fs.writeFile(file, newcArchive(preinitEntries(seedBytes, preinitC, zsysH)), { mode: 0o600 });
}
