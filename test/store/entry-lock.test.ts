// Store entries shared by several processes (real child processes, no VM): one build per entry,
// and forced rebuilds that wait for readers. A holder keeps its lock until the test creates its
// gate file, which the test does only once the other process has said it is waiting: the order is
// settled by the processes' own lines, not by how long a loaded host takes to start one.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { commitEntry, findEntry } from "../../src/store/store.js";
import { moduleUrl, nodeChild } from "../helpers/node-child.js";
import { fakeRecord, INPUT_HASH, stagedOutput, tempHome } from "../helpers/store-entries.js";

const modules = [
  moduleUrl("../../src/store/entry-lock.js", import.meta.url),
  moduleUrl("../../src/store/store.js", import.meta.url),
  moduleUrl("../helpers/store-entries.js", import.meta.url),
];

// Waits until file GATE exists (at once for ""): how a child holds a lock until the test says so.
const GATE = `
const gate = async (file) => {
  const fs = await import("node:fs/promises");
  while (file && !(await fs.access(file).then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 10));
};
`;

// Claims entry 1-x; if it is ours, "builds" (writes out/file, holds the claim until GATE exists)
// and commits output OUTPUT with engine TAG. Prints what it did.
const BUILDER = GATE + `
const [lockUrl, storeUrl, fixturesUrl, home, tag, output, force, gateFile] = process.argv.slice(1);
const { claimEntry } = await import(lockUrl);
const { commitEntry } = await import(storeUrl);
const { fakeRecord, INPUT_HASH, stagedOutput } = await import(fixturesUrl);
const claim = await claimEntry(home, "1-x", INPUT_HASH, { force: force === "force", log: (line) => console.log(line) });
if (claim.cached) {
  console.log("reused " + claim.cached.record.engine);
} else {
  console.log("building");
  const staging = await stagedOutput(claim.runDir, tag);
  await gate(gateFile);
  const entry = await commitEntry(home, staging, fakeRecord(output, { engine: tag }), force === "force");
  await claim.release();
  console.log("built " + entry.record.engine);
}
`;

test("two processes building the same entry: one builds, the other waits for it and reuses its output", async (t) => {
  const home = await tempHome(t, "entry");
  const gateFile = path.join(home, "gate");
  const first = nodeChild(BUILDER, [...modules, home, "first", "a".repeat(64), "", gateFile]);
  await first.line(/^building$/);
  const second = nodeChild(BUILDER, [...modules, home, "second", "b".repeat(64), "", ""]);
  // The first finishes its build only once the second waits for it.
  await second.line(/^waiting for another zilchboot process that holds store entry 1-x-/);
  await fs.writeFile(gateFile, "");
  const [a, b] = await Promise.all([first.done, second.done]);
  assert.match(a.stdout, /^built first$/m);
  assert.match(b.stdout, /^waiting for another zilchboot process that holds store entry 1-x-/m);
  assert.match(b.stdout, /^reused first$/m);
  assert.doesNotMatch(b.stdout, /building/);
  assert.equal((await findEntry(home, "1-x", INPUT_HASH))?.record.engine, "first");
});

// Pins the entry, then reads its file until GATE exists, failing on any change; appends to EVENTS.
const READER = GATE + `
const fs = await import("node:fs/promises");
const path = await import("node:path");
const [lockUrl, storeUrl, home, events, gateFile] = process.argv.slice(1);
const { withEntriesPinned } = await import(lockUrl);
const { findEntry } = await import(storeUrl);
const entry = await findEntry(home, "1-x", "1".repeat(64));
await withEntriesPinned([entry], async () => {
  console.log("pinned");
  let reading = true;
  const reads = (async () => {
    while (reading) {
      const text = await fs.readFile(path.join(entry.outDir, "file"), "utf8");
      if (text !== "old") throw new Error("read " + JSON.stringify(text) + " from a pinned entry");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  await gate(gateFile);
  reading = false;
  await reads;
  await fs.appendFile(events, "reader done\\n");
});
`;

test("a forced rebuild waits for a process reading the entry, which sees the old bytes throughout", async (t) => {
  const home = await tempHome(t, "entry");
  const events = path.join(home, "events");
  await commitEntry(home, await stagedOutput(path.join(home, "run0"), "old"), fakeRecord("a".repeat(64), { engine: "old" }));
  const gateFile = path.join(home, "gate");
  const reader = nodeChild(READER, [modules[0], modules[1], home, events, gateFile]);
  await reader.line(/^pinned$/);
  const forced = nodeChild(BUILDER + `\nawait (await import("node:fs/promises")).appendFile(${JSON.stringify(events)}, "replaced\\n");`, [...modules, home, "new", "b".repeat(64), "force", ""]);
  // The reader lets go only once the forced rebuild waits for it: until then it keeps reading.
  await forced.line(/^waiting for another zilchboot process that holds store entry 1-x-/);
  await fs.writeFile(gateFile, "");
  await Promise.all([reader.done, forced.done]);
  assert.deepEqual((await fs.readFile(events, "utf8")).trim().split("\n"), ["reader done", "replaced"]);
  const entry = await findEntry(home, "1-x", INPUT_HASH);
  assert.equal(entry?.record.engine, "new");
  assert.equal(await fs.readFile(path.join(entry.outDir, "file"), "utf8"), "new");
});
