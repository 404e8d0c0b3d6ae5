// Per-run console logs: every run writes its own file, logs/<time>-<id>-<stage>.log (sorted by
// time, kept after the run, so a failure message can name a log that still exists), and
// logs/<stage>.log points at the latest one.
import fs from "node:fs/promises";
import path from "node:path";

export function logsDir(home: string): string {
  return path.join(home, "logs");
}

/** Creates the logs folder and the latest-run link; returns the path this run logs to. */
export async function openRunLog(home: string, stage: string, id: string): Promise<string> {
  const dir = logsDir(home);
  await fs.mkdir(dir, { recursive: true });
  const time = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const name = `${time}-${id}-${stage}.log`;
  const file = path.join(dir, name);
  await fs.writeFile(file, "");
  await pointLatest(dir, stage, name);
  return file;
}

/** logs/<stage>.log → this run's file: a relative symlink swapped in by rename; where symlinks
 *  are not allowed (Windows without the privilege), a one-line file naming it. */
async function pointLatest(dir: string, stage: string, name: string): Promise<void> {
  const latest = path.join(dir, `${stage}.log`);
  const temp = `${latest}.tmp-${process.pid}`;
  await fs.rm(temp, { force: true });
  try {
    await fs.symlink(name, temp);
  } catch {
    await fs.writeFile(temp, `latest run: ${name}\n`);
  }
  await fs.rename(temp, latest);
}
