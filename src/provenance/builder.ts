// Who built: zilchboot's version (package.json) and the git commit of the checkout that ran, so a
// statement names the code that produced it. An installed package (no checkout of its own) has
// a version only.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../paths.js";
import type { Builder } from "./statement.js";

const run = promisify(execFile);

async function git(args: string[]): Promise<string | null> {
  try {
    return (await run("git", ["-C", repoRoot, ...args], { encoding: "utf8" })).stdout.trim();
  } catch {
    return null;
  }
}

/** The commit, "-dirty" when tracked files differ from it; null when repoRoot is not the top of a
 *  git checkout (a package under node_modules of someone else's repository is not ours). */
export async function checkoutCommit(): Promise<string | null> {
  const top = await git(["rev-parse", "--show-toplevel"]);
  if (top === null || path.resolve(top) !== path.resolve(repoRoot)) return null;
  const commit = await git(["rev-parse", "HEAD"]);
  if (!commit) return null;
  const changes = await git(["status", "--porcelain", "--untracked-files=no"]);
  return changes ? `${commit}-dirty` : commit;
}

export async function currentBuilder(): Promise<Builder> {
  const manifest = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as { version: string };
  return { version: manifest.version, commit: await checkoutCommit() };
}
