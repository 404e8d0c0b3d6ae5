// Turns QEMU's `security_model=mapped-file` out share into the plain tree the rest of zilchboot
// reads. With mapped-file, QEMU (hw/9pfs/9p-local.c) never applies the guest's modes, owners or
// file types on the host: every entry is a plain file (mode 0600) or directory (0700), and what the
// guest asked for is kept in text files: `<dir>/.virtfs_metadata/<name>` for each entry and
// `.virtfs_metadata_root` for the share's root, with lines `virtfs.mode=<decimal st_mode>` (also
// uid, gid, rdev). A guest symlink is a plain file holding its target; a FIFO, socket or device is
// an empty plain file. A hard link links the metadata file too, so both names share it.
//
// After the VM has stopped (nothing changes the tree any more), symlinks become real symlinks,
// files get 0755 when the guest gave them any exec bit and 0644 otherwise, directories 0755, and
// the metadata goes. Special files are not outputs: they are reported as an error.
import fs from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../../errors.js";

export const METADATA_DIR = ".virtfs_metadata";
export const METADATA_ROOT = ".virtfs_metadata_root";

const S_IFMT = 0o170000, S_IFLNK = 0o120000;
const SPECIAL: Record<number, string> = { 0o010000: "FIFO", 0o140000: "socket", 0o020000: "character device", 0o060000: "block device" };

/** The guest's st_mode in a metadata file's text, or null when it names none. */
export function mappedMode(metadata: string): number | null {
  const match = /^virtfs\.mode=(\d+)$/m.exec(metadata);
  return match ? Number(match[1]) : null;
}

interface Special { path: string; kind: string }

/** Realises the out share in place (see the header); throws a ZilchError naming the first special
 *  file when the guest made any, after realising everything else. */
export async function realiseMappedOutput(outDir: string): Promise<void> {
  const specials: Special[] = [];
  await realiseDir(outDir, "", specials);
  await fs.rm(path.join(outDir, METADATA_ROOT), { force: true });
  if (specials.length > 0) {
    const [first] = specials;
    const more = specials.length > 1 ? ` (and ${specials.length - 1} more special files)` : "";
    throw new ZilchError({
      code: "STAGE",
      message: `the guest made a ${first.kind} at /out/${first.path}${more}, which an output cannot hold`,
      hint: "outputs hold files, directories and symlinks only: remove it before the stage exits",
    });
  }
}

async function realiseDir(dir: string, rel: string, specials: Special[]): Promise<void> {
  const metadataDir = path.join(dir, METADATA_DIR);
  const names = (await fs.readdir(dir)).filter((name) => name !== METADATA_DIR && !(rel === "" && name === METADATA_ROOT)).sort();
  for (const name of names) {
    const file = path.join(dir, name);
    const relName = rel === "" ? name : `${rel}/${name}`;
    const st = await fs.lstat(file);
    // No metadata: not made by the guest through QEMU (the host put it there): its host mode counts.
    const mode = (await readMode(path.join(metadataDir, name))) ?? st.mode;
    const type = mode & S_IFMT;
    if (st.isDirectory()) {
      await realiseDir(file, relName, specials);
      await fs.chmod(file, 0o755);
    } else if (!st.isFile()) {
      // Only the host can have put a real symlink or special file here; it is left as it is.
      if (!st.isSymbolicLink()) specials.push({ path: relName, kind: "special file" });
    } else if (type === S_IFLNK) {
      const target = await fs.readFile(file);
      await fs.unlink(file);
      await fs.symlink(target, file);
    } else if (type in SPECIAL) {
      specials.push({ path: relName, kind: SPECIAL[type] });
    } else {
      await fs.chmod(file, mode & 0o111 ? 0o755 : 0o644);
    }
  }
  await fs.rm(metadataDir, { recursive: true, force: true });
}

/** The mode in a metadata file, or null when there is none. Never follows a symlink. */
async function readMode(metadataFile: string): Promise<number | null> {
  const st = await fs.lstat(metadataFile).catch(() => null);
  if (!st?.isFile()) return null;
  return mappedMode(await fs.readFile(metadataFile, "utf8"));
}
