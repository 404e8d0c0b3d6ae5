// `gc` under concurrency (no VM): what another process holds is kept, leftovers go.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { entryLockTarget } from "../../src/store/entry-lock.js";
import { acquireLock } from "../../src/store/file-lock.js";
import { collectGarbage } from "../../src/store/gc.js";
import { recordInLock } from "../../src/store/lock.js";
import { runsRoot } from "../../src/store/run-dir.js";
import { commitEntry, findEntry } from "../../src/store/store.js";
import { moduleUrl, nodeChild } from "../helpers/node-child.js";
import { fakeRecord, INPUT_HASH, stagedOutput, tempHome } from "../helpers/store-entries.js";

// Holds a run directory (as a running build does) until STOP exists, then exits without removing
// it, as a killed or --keep run leaves it.
const RUNNER = `
import fs from "node:fs/promises";
import path from "node:path";
const [runDirUrl, home, stop] = process.argv.slice(1);
const { createRunDir } = await import(runDirUrl);
const run = await createRunDir(home, "1-x-1111111111111111");
await fs.writeFile(path.join(run.dir, "share-file"), "in use");
console.log("holding " + run.dir);
while (!(await fs.stat(stop).catch(() => null))) await new Promise((resolve) => setTimeout(resolve, 50));
await run.release();
`;

test("gc leaves a run directory alone while a live process holds it, and removes it once released", async (t) => {
  const home = await tempHome(t, "gc");
  const lockFile = path.join(home, "lock.json");
  const stop = path.join(home, "stop");
  const leftover = path.join(runsRoot(home), "1-x-2222222222222222-dead");
  await fs.mkdir(leftover, { recursive: true });
  const runner = nodeChild(RUNNER, [moduleUrl("../../src/store/run-dir.js", import.meta.url), home, stop]);
  const held = (await runner.line(/^holding /)).slice("holding ".length);

  const first = await collectGarbage({ workDir: home, lockFile });
  assert.deepEqual(first.busyRuns, [held]);
  assert.deepEqual(first.removedRuns, [leftover]);
  assert.equal(await fs.readFile(path.join(held, "share-file"), "utf8"), "in use");

  await fs.writeFile(stop, "");
  await runner.done;
  const second = await collectGarbage({ workDir: home, lockFile });
  assert.deepEqual(second.removedRuns, [held]);
  assert.deepEqual(await fs.readdir(runsRoot(home)), [], "no run directories or locks left");
});

test("gc --dry-run reports what gc would remove and leaves the store and runs as they are", async (t) => {
  const home = await tempHome(t, "gc");
  const lockFile = path.join(home, "lock.json");
  const unnamed = await commitEntry(home, await stagedOutput(path.join(home, "r1"), "y"), fakeRecord("b".repeat(64), { stage: "2-y" }));
  const leftover = path.join(runsRoot(home), "1-x-2222222222222222-dead");
  await fs.mkdir(leftover, { recursive: true });
  const report = await collectGarbage({ workDir: home, lockFile, dryRun: true });
  assert.deepEqual([report.removedEntries, report.removedRuns, report.keptEntries], [[unnamed.dir], [leftover], 0]);
  assert.ok(await findEntry(home, "2-y", INPUT_HASH), "the entry stays");
  await fs.access(leftover);
});

test("gc removes entries the lock file does not name, keeps named ones, and skips one another process holds", async (t) => {
  const home = await tempHome(t, "gc");
  const lockFile = path.join(home, "lock.json");
  const named = await commitEntry(home, await stagedOutput(path.join(home, "r1"), "x"), fakeRecord("a".repeat(64)));
  await recordInLock(lockFile, "1-x", "a".repeat(64));
  const unnamed = await commitEntry(home, await stagedOutput(path.join(home, "r2"), "y"), fakeRecord("b".repeat(64), { stage: "2-y" }));
  const held = await commitEntry(home, await stagedOutput(path.join(home, "r3"), "z"), fakeRecord("c".repeat(64), { stage: "3-z" }));
  const release = await acquireLock(entryLockTarget(held.dir), { what: "test" });
  try {
    const report = await collectGarbage({ workDir: home, lockFile });
    assert.deepEqual(report.removedEntries, [unnamed.dir]);
    assert.deepEqual(report.busyEntries, [held.dir]);
  } finally {
    await release();
  }
  assert.ok(await findEntry(home, "1-x", INPUT_HASH), "the locked output stays");
  assert.ok(await findEntry(home, "3-z", INPUT_HASH), "the held entry stays");
  assert.equal(await findEntry(home, "2-y", INPUT_HASH), null);
  assert.equal(named.record.outputSha256, "a".repeat(64));
});
