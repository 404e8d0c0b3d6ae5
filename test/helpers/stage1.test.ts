// The stage-1 helper adopts a store entry only for its bytes: a record.json naming the locked
// output proves nothing about the files beside it.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { captureOutput } from "../../src/store/manifest.js";
import { commitEntry, findEntry } from "../../src/store/store.js";
import { verifiedCopy } from "./stage1.js";
import { fakeRecord, INPUT_HASH, stagedOutput, tempHome } from "./store-entries.js";

test("verifiedCopy keeps a copy whose bytes hash to the output, and drops one whose files were changed or whose record lies", async (t) => {
  const home = await tempHome(t, "stage1-adopt");
  const staging = await stagedOutput(path.join(home, "run"), "stage 1's bytes");
  const output = (await captureOutput(path.join(staging, "out"))).sha256;
  await commitEntry(home, staging, fakeRecord(output));
  const entry = (await findEntry(home, "1-x", INPUT_HASH))!;

  const good = path.join(home, "good");
  assert.equal(await verifiedCopy(entry, good, output), true);
  assert.equal(await fs.readFile(path.join(good, "out", "file"), "utf8"), "stage 1's bytes");

  assert.equal(await verifiedCopy(entry, path.join(home, "other"), "a".repeat(64)), false, "a lock naming other bytes");
  await fs.chmod(path.join(entry.outDir, "file"), 0o644);
  await fs.writeFile(path.join(entry.outDir, "file"), "tampered");
  const bad = path.join(home, "bad");
  assert.equal(await verifiedCopy(entry, bad, output), false, "changed files under a record naming the locked output");
  await assert.rejects(fs.access(bad), { code: "ENOENT" }, "the rejected copy is removed");
  assert.equal(await fs.readFile(path.join(entry.outDir, "file"), "utf8"), "tampered", "the original entry is left as it was");
});
