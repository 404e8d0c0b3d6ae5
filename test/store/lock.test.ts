// recipes/lock.json under concurrency and read errors (no VM).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { readLock, recordInLock } from "../../src/store/lock.js";
import { moduleUrl, nodeChild } from "../helpers/node-child.js";

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilch-lock-"));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

// Each child records `count` stages named <prefix>-<i>, one read-modify-write at a time.
const RECORDER = `
const { recordInLock } = await import(process.argv[1]);
const [file, prefix, count] = process.argv.slice(2);
console.log("ready");
for (let i = 0; i < Number(count); i++) await recordInLock(file, prefix + "-" + i, prefix.repeat(64).slice(0, 64), null);
`;

test("two processes recording different stages in one lock file keep all of both", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, "lock.json");
  await fs.writeFile(file, JSON.stringify({ stages: { "0-old": { output: "0".repeat(64) } } }));
  const lockModule = moduleUrl("../../src/store/lock.js", import.meta.url);
  const children = ["a", "b"].map((prefix) => nodeChild(RECORDER, [lockModule, file, prefix, "25"]));
  await Promise.all(children.map((c) => c.done));
  const stages = Object.keys((await readLock(file)).stages);
  const expected = ["0-old", ...["a", "b"].flatMap((p) => Array.from({ length: 25 }, (_, i) => `${p}-${i}`))].sort();
  assert.deepEqual([...stages].sort(), expected);
  assert.deepEqual(stages, [...stages].sort(), "entries stay sorted");
  assert.deepEqual((await fs.readdir(dir)).sort(), ["lock.json"], "no temp or lock files left behind");
});

test("readLock treats a missing lock file as empty", async (t) => {
  const dir = await tempDir(t);
  assert.deepEqual(await readLock(path.join(dir, "lock.json")), { stages: {} });
});

test("readLock fails on a lock file it cannot read instead of taking it for empty", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, "lock.json");
  // Root reads any file, so EACCES cannot be produced there; a directory gives EISDIR.
  if (process.getuid?.() === 0) await fs.mkdir(file);
  else await fs.writeFile(file, "{}", { mode: 0o000 });
  const error = await readLock(file).then(() => assert.fail("readLock succeeded"), (e: unknown) => e);
  assert.ok(error instanceof ZilchError, String(error));
  assert.equal(error.code, "STORE");
  assert.match(error.message, /cannot read .*lock\.json \((EISDIR|EACCES)\)/);
});

test("recording a stage fails when another process recorded a different output for it first", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, "lock.json");
  await recordInLock(file, "1-x", "a".repeat(64), null);
  // Same output again: a no-op, not a conflict.
  await recordInLock(file, "1-x", "a".repeat(64), null);
  await assert.rejects(recordInLock(file, "1-x", "b".repeat(64), null), (e: unknown) => e instanceof ZilchError && e.message.includes("a".repeat(64)) && e.message.includes("b".repeat(64)));
  // --update-lock names the output it replaces.
  await recordInLock(file, "1-x", "b".repeat(64), "a".repeat(64));
  assert.equal((await readLock(file)).stages["1-x"].output, "b".repeat(64));
});
