// The root a shell session's guest sees: exactly a build's share of the stage (read-only inputs,
// writable /out), its own output under /store/<stage> with --after, and the shell's tools under
// SHELL_DIR, a path no stage input uses.
import fs from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "../paths.js";
import { assembleShare, linkOrCopy, linkTree, type ShareContents } from "../stages/share.js";
import { SHELL_DIR } from "./guest-session.js";

export interface ShellShareContents {
  stage: ShareContents;
  /** With --after: the stage's output, served read-only at /store/<stageName>. */
  output?: { stageName: string; outDir: string };
  /** Stage 1's output directory: its init and busybox are the shell's tools. */
  stage1OutDir: string;
  /** The seed tcc: it compiles the console helper in the guest (stage 1's tcc has its paths fixed). */
  seed: string;
  /** The generated session.sh. */
  sessionScript: string;
}

/** Guest helper sources: vm/shell/console.c and the raw-syscall header it includes. */
export function consoleHelperFiles(): { console: string; zsys: string } {
  return { console: path.join(repoRoot, "vm", "shell", "console.c"), zsys: path.join(repoRoot, "vm", "guest", "zsys.h") };
}

export async function assembleShellShare(runDir: string, contents: ShellShareContents): Promise<{ rootDir: string; outDir: string }> {
  const { rootDir, outDir } = await assembleShare(runDir, contents.stage);
  if (contents.output) await linkTree(contents.output.outDir, path.join(rootDir, "store", contents.output.stageName));
  const tools = path.join(rootDir, SHELL_DIR);
  await fs.mkdir(tools, { recursive: true });
  await linkOrCopy(path.join(contents.stage1OutDir, "init"), path.join(tools, "init"));
  await linkTree(path.join(contents.stage1OutDir, "protobusybox", "bin"), path.join(tools, "bin"));
  await fs.copyFile(contents.seed, path.join(tools, "tcc-seed"));
  await fs.chmod(path.join(tools, "tcc-seed"), 0o555);
  const helper = consoleHelperFiles();
  await fs.copyFile(helper.console, path.join(tools, "console.c"));
  await fs.copyFile(helper.zsys, path.join(tools, "zsys.h"));
  await fs.writeFile(path.join(tools, "session.sh"), contents.sessionScript);
  return { rootDir, outDir };
}
