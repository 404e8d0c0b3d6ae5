// Store fixtures without a VM: records and finished staging directories as a build leaves them.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { BuildRecord } from "../../src/store/store.js";

export const INPUT_HASH = "1".repeat(64);

export function fakeRecord(outputSha256: string, extra: Partial<BuildRecord> = {}): BuildRecord {
  return {
    stage: "1-x",
    inputHash: INPUT_HASH,
    inputs: {},
    outputSha256,
    outputBytes: 3,
    outputFiles: 1,
    engine: "test",
    kernel: null,
    seedSha256: null,
    wallMs: 1,
    initOutputMs: null,
    builtAt: new Date(0).toISOString(),
    ...extra,
  };
}

/** `<dir>/entry/out/file` holding `text`; returns `<dir>/entry` (what commitEntry takes). */
export async function stagedOutput(dir: string, text: string): Promise<string> {
  const staging = path.join(dir, "entry");
  await fs.mkdir(path.join(staging, "out"), { recursive: true });
  await fs.writeFile(path.join(staging, "out", "file"), text);
  return staging;
}

export async function tempHome(t: { after(fn: () => Promise<void>): void }, tag: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `zilch-${tag}-`));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}
