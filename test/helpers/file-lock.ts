// An exclusive lock shared by the test processes of one machine, held by util-linux `flock`: the
// kernel drops it when the holder dies, so a killed test run never leaves a stale lock behind.
import fs from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";

const LOCKED = "locked\n";

/** Runs `fn` while holding `lockFile` (created if missing); waits up to `timeoutMs` for the lock. */
export async function withFileLock<T>(lockFile: string, fn: () => Promise<T>, timeoutMs = 30 * 60_000): Promise<T> {
  await fs.mkdir(path.dirname(lockFile), { recursive: true });
  // flock holds the lock while `cat` waits on our pipe; ending stdin (or our death) releases it.
  const holder = execa("flock", ["--exclusive", "--timeout", String(Math.ceil(timeoutMs / 1000)), lockFile, "sh", "-c", `printf '${LOCKED.trim()}\\n'; exec cat >/dev/null`], {
    stdin: "pipe", reject: false, stderr: "pipe",
  });
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    holder.stdout.on("data", (chunk: Buffer) => {
      seen += String(chunk);
      if (seen.includes(LOCKED)) resolve();
    });
    void holder.then((result) => reject(new Error(`flock ${lockFile} ended before taking the lock (exit ${result.exitCode}): ${String(result.stderr).trim()}`)));
  });
  try {
    return await fn();
  } finally {
    holder.stdin.end();
    await holder;
  }
}
