// Committing and finding store entries in one process: damaged records, lost races, forced rebuilds.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { withEntriesPinned } from "../../src/store/entry-lock.js";
import { commitEntry, entryName, findEntry, storeRoot } from "../../src/store/store.js";
import { fakeRecord, INPUT_HASH, stagedOutput, tempHome } from "../helpers/store-entries.js";

const A = "a".repeat(64);
const B = "b".repeat(64);

test("a torn record.json is moved aside to store/.corrupt with a warning, and the entry counts as missing", async (t) => {
  const home = await tempHome(t, "store");
  const dir = path.join(storeRoot(home), entryName("1-x", INPUT_HASH));
  await fs.mkdir(path.join(dir, "out"), { recursive: true });
  await fs.writeFile(path.join(dir, "record.json"), JSON.stringify(fakeRecord(A)).slice(0, 40));
  const lines: string[] = [];
  assert.equal(await findEntry(home, "1-x", INPUT_HASH, (line) => lines.push(line)), null);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^warning: store entry 1-x-1111111111111111 has a torn record\.json .*moved it to .*\.corrupt/);
  assert.equal(await fs.stat(dir).catch(() => null), null, "the damaged entry left its store name");
  assert.equal((await fs.readdir(path.join(storeRoot(home), ".corrupt"))).length, 1);

  // The next build commits into the freed name.
  const entry = await commitEntry(home, await stagedOutput(path.join(home, "run"), "new"), fakeRecord(B));
  assert.equal(entry.record.outputSha256, B);
  assert.equal(await fs.readFile(path.join(entry.outDir, "file"), "utf8"), "new");
});

test("a commit that finds the entry holding a different output fails naming both hashes and keeps the stored one", async (t) => {
  const home = await tempHome(t, "store");
  const stored = await commitEntry(home, await stagedOutput(path.join(home, "run1"), "old"), fakeRecord(A));
  const staging = await stagedOutput(path.join(home, "run2"), "new");
  const error = await commitEntry(home, staging, fakeRecord(B)).then(() => assert.fail("commit succeeded"), (e: unknown) => e);
  assert.ok(error instanceof ZilchError, String(error));
  assert.equal(error.code, "STORE");
  assert.ok(error.message.includes(A) && error.message.includes(B), error.message);
  assert.equal(await fs.readFile(path.join(stored.outDir, "file"), "utf8"), "old");
  assert.equal((await findEntry(home, "1-x", INPUT_HASH))?.record.outputSha256, A);
  assert.equal(await fs.stat(staging).catch(() => null), null, "our staging dir is dropped");
});

test("a commit that finds the same output already stored returns the stored entry and its record", async (t) => {
  const home = await tempHome(t, "store");
  await commitEntry(home, await stagedOutput(path.join(home, "run1"), "same"), fakeRecord(A, { engine: "first" }));
  const entry = await commitEntry(home, await stagedOutput(path.join(home, "run2"), "same"), fakeRecord(A, { engine: "second" }));
  assert.equal(entry.record.engine, "first");
  assert.equal(JSON.parse(await fs.readFile(path.join(entry.dir, "record.json"), "utf8")).engine, "first");
});

test("a forced rebuild with the same output keeps the stored files and renews only the record", async (t) => {
  const home = await tempHome(t, "store");
  const first = await commitEntry(home, await stagedOutput(path.join(home, "run1"), "same"), fakeRecord(A, { engine: "first" }));
  const inode = (await fs.stat(path.join(first.outDir, "file"))).ino;
  const forced = await commitEntry(home, await stagedOutput(path.join(home, "run2"), "same"), fakeRecord(A, { engine: "forced" }), true);
  assert.equal((await fs.stat(path.join(forced.outDir, "file"))).ino, inode, "the files a reader may hold are the same files");
  assert.equal((await findEntry(home, "1-x", INPUT_HASH))?.record.engine, "forced");
});

test("a forced rebuild with a different output replaces the entry, and a reader holding the old entry then fails loudly", async (t) => {
  const home = await tempHome(t, "store");
  const old = await commitEntry(home, await stagedOutput(path.join(home, "run1"), "old"), fakeRecord(A));
  const replaced = await commitEntry(home, await stagedOutput(path.join(home, "run2"), "new"), fakeRecord(B), true);
  assert.equal(await fs.readFile(path.join(replaced.outDir, "file"), "utf8"), "new");
  assert.deepEqual(await fs.readdir(path.join(storeRoot(home), ".replaced")), [], "the old entry is gone, not left aside");
  let ran = false;
  await assert.rejects(
    withEntriesPinned([old], async () => {
      ran = true;
    }),
    (e: unknown) => e instanceof ZilchError && e.message.includes(`held output ${A} and now holds output ${B}`),
  );
  assert.equal(ran, false, "nothing read from the replaced entry");
});
