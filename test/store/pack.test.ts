import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { checkLock, readLock, recordInLock } from "../../src/store/lock.js";
import { normaliseModes, packedSha256 } from "../../src/store/pack.js";

async function tree(files: Record<string, { text: string; mode: number }>, mtime: Date): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-pack-"));
  for (const [name, { text, mode }] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), text, { mode });
    await fs.chmod(path.join(dir, name), mode);
    await fs.utimes(path.join(dir, name), mtime, mtime);
  }
  return dir;
}

test("the packed hash ignores mtimes, creation order and permission noise, but not bytes or exec bits", async () => {
  const a = await tree({ "bin/tcc": { text: "ELF", mode: 0o700 }, "lib/x.a": { text: "ar", mode: 0o600 } }, new Date(1e12));
  const b = await tree({ "lib/x.a": { text: "ar", mode: 0o664 }, "bin/tcc": { text: "ELF", mode: 0o775 } }, new Date(2e12));
  for (const dir of [a, b]) await normaliseModes(dir);
  const hashA = await packedSha256(a);
  assert.equal(hashA.sha256, (await packedSha256(b)).sha256);
  assert.ok(hashA.bytes >= 512 * 4, "a real tar: headers and data blocks");
  const mode = ((await fs.stat(path.join(a, "lib/x.a"))).mode & 0o777).toString(8);
  assert.equal(mode, "644");

  await fs.writeFile(path.join(b, "lib/x.a"), "ar!");
  assert.notEqual((await packedSha256(b)).sha256, hashA.sha256);
  await fs.writeFile(path.join(b, "lib/x.a"), "ar");
  await fs.chmod(path.join(b, "bin/tcc"), 0o644);
  assert.notEqual((await packedSha256(b)).sha256, hashA.sha256);
});

test("the lock records new stages, matches equal outputs and reports mismatches", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-lock-"));
  const file = path.join(dir, "lock.json");
  assert.deepEqual(checkLock(await readLock(file), "1-x", "aa"), { kind: "new" });
  await recordInLock(file, "1-x", "aa");
  await recordInLock(file, "0-y", "bb");
  const lock = await readLock(file);
  assert.deepEqual(Object.keys(lock.stages), ["0-y", "1-x"]);
  assert.deepEqual(checkLock(lock, "1-x", "aa"), { kind: "match" });
  assert.deepEqual(checkLock(lock, "1-x", "cc"), { kind: "mismatch", expected: "aa" });
  await fs.writeFile(file, "{");
  await assert.rejects(readLock(file), /not a valid lock file/);
});
