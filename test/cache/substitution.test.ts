// Substitution (issue 27 §6): a stage that comes from the store or the shared cache needs none of
// its inputs, so a stage only such stages use is neither pulled nor built. When the cache then
// fails to provide what the plan expected, the inputs skipped for it are built after all. Real
// nginx, fake VM backend (test/fixtures/fake-vm.ts).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { acPath, casPath, type CacheRecord } from "../../src/cache/cache-record.js";
import { buildTarget, planTarget, verifyTarget } from "../../src/stages/chain.js";
import { verdictWord } from "../../src/stages/plan.js";
import { listEntries } from "../../src/store/store.js";
import { client, pushedPair, warnings } from "../helpers/cache-clients.js";

test("a stage only a pulled stage uses is skipped; the store's entries need no inputs either", async (t) => {
  const { nginx, root, recipes, runs, top } = await pushedPair(t, "skip");
  const reader = await client(path.join(root, "reader"), { url: nginx.url, recipes, runs });
  const plan = await planTarget(reader, "1-top");
  assert.deepEqual(plan.map((s) => [s.stage.name, verdictWord(s.verdict)]), [["0-base", "skip"], ["1-top", "remote"]]);
  assert.equal(plan[0].reason, "not needed: 1-top comes from the store or the shared cache");
  await buildTarget(reader, "1-top");
  assert.deepEqual(reader.backend.boots, []);
  assert.deepEqual((await listEntries(reader.home)).map((e) => e.record.stage), ["1-top"]);

  // Without the cache the store's top still needs no base: nothing to build, nothing asked for.
  const offline = { ...reader, cache: null };
  assert.deepEqual((await planTarget(offline, "1-top")).map((s) => verdictWord(s.verdict)), ["skip", "local"]);
  const again = await buildTarget(offline, "1-top");
  assert.equal(again.record.outputSha256, top.record.outputSha256);
  assert.deepEqual(reader.backend.boots, []);

  // A shell in the top, or a verify of it, needs its inputs: the base is pulled for them.
  assert.deepEqual((await planTarget(reader, "1-top", { allInputs: true })).map((s) => verdictWord(s.verdict)), ["remote", "local"]);
  const verified = await verifyTarget(reader, "1-top");
  assert.equal(verified.output, top.record.outputSha256);
  assert.deepEqual(reader.backend.booted(), ["1-top"], "verify rebuilt the top on the pulled base");
  assert.deepEqual((await listEntries(reader.home)).map((e) => [e.record.stage, e.record.engine]), [["0-base", "cache"], ["1-top", "cache"]]);
});

test("when the cache fails to provide a stage the plan counted on, the inputs skipped for it are built first", async (t) => {
  const { nginx, root, recipes, runs, top } = await pushedPair(t, "fallback");
  // The top's record is honest and its blob is there (so the plan counts on it), but the blob's
  // bytes are not what the record names: the pull refuses it.
  const record = JSON.parse(await fs.readFile(path.join(nginx.dataDir, acPath("1-top", top.record.inputHash)), "utf8")) as CacheRecord;
  await fs.writeFile(path.join(nginx.dataDir, casPath(record.archive.sha256)), "other bytes\n");

  const reader = await client(path.join(root, "reader"), { url: nginx.url, recipes, runs });
  assert.deepEqual((await planTarget(reader, "1-top")).map((s) => verdictWord(s.verdict)), ["skip", "remote"]);
  const built = await buildTarget(reader, "1-top");
  assert.equal(built.record.outputSha256, top.record.outputSha256);
  assert.deepEqual(reader.backend.booted(), ["1-top"], "the top is built, on the base pulled for it");
  const lines = warnings(reader.lines);
  assert.equal(lines.length, 1, reader.lines.join("\n"));
  assert.match(lines[0], /^warning: 1-top: ignoring the cache's entry \(the cache served other bytes for cas\/[0-9a-f]{16}… /);
  assert.ok(reader.lines.includes("1-top: the shared cache did not provide it; building the inputs skipped for it first: 0-base"), reader.lines.join("\n"));
  assert.deepEqual((await listEntries(reader.home)).map((e) => [e.record.stage, e.record.engine]), [["0-base", "cache"], ["1-top", "fake fake"]]);
  // What --json reports per stage.
  assert.deepEqual(reader.cache.outcomes.get("0-base"), ["pulled"]);
  assert.deepEqual(reader.cache.outcomes.get("1-top")?.map((o) => o.replace(/ \(they hash.*$/, "")), [`ignored: the cache served other bytes for cas/${record.archive.sha256.slice(0, 16)}…`]);
  assert.deepEqual(await fs.readdir(path.join(reader.home, "runs")), [], "nothing half-written is left");
});
