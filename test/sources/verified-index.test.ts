// The verified-source index: an unchanged file is trusted without reading it; a changed one is
// hashed again. "Not read" is shown by swapping the bytes behind the index's back.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ensureSource } from "../../src/sources/fetch.js";
import { indexedSha256, knownSha256, verifiedIndexFile } from "../../src/sources/verified-index.js";
import { payload, tempDir, writeMirror } from "../fixtures/sources/helpers.js";

const sha = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");
const MTIME = new Date(1_700_000_000_000);

/** Rewrites `file` in place (same inode, same size) with `bytes` and puts its mtime back to MTIME. */
async function swapBytesKeepingIdentity(file: string, bytes: Buffer): Promise<void> {
  const handle = await fs.open(file, "r+");
  await handle.write(bytes, 0, bytes.length, 0);
  await handle.close();
  await fs.utimes(file, MTIME, MTIME);
}

test("an unchanged file's sha256 comes from the index without reading it, and a new mtime makes it hashed again", async (t) => {
  const dir = await tempDir(t, "index");
  const index = verifiedIndexFile(dir);
  const file = path.join(dir, "sources", "x.tar.gz");
  const original = randomBytes(4096);
  const swapped = randomBytes(4096);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, original);
  await fs.utimes(file, MTIME, MTIME);
  const inode = (await fs.stat(file)).ino;

  assert.equal(await knownSha256(index, file), undefined, "nothing known before the first hash");
  assert.equal(await indexedSha256(index, file), sha(original));
  await swapBytesKeepingIdentity(file, swapped);
  assert.equal((await fs.stat(file)).ino, inode);
  // Same device, inode, size and mtime: the index answers, so the new bytes were not read.
  assert.equal(await indexedSha256(index, file), sha(original));

  await fs.utimes(file, MTIME, new Date(MTIME.getTime() + 1000));
  assert.equal(await knownSha256(index, file), undefined, "a new mtime is not trusted");
  assert.equal(await indexedSha256(index, file), sha(swapped));
});

test("a file replaced by another of the same size and mtime (a new inode) is hashed again", async (t) => {
  const dir = await tempDir(t, "index");
  const index = verifiedIndexFile(dir);
  const file = path.join(dir, "x.tar.gz");
  const other = path.join(dir, "other");
  await fs.writeFile(file, randomBytes(512));
  await fs.utimes(file, MTIME, MTIME);
  await indexedSha256(index, file);
  const replacement = randomBytes(512);
  await fs.writeFile(other, replacement);
  await fs.utimes(other, MTIME, MTIME);
  await fs.rename(other, file);
  assert.equal(await indexedSha256(index, file), sha(replacement));
});

test("ensureSource trusts a verified cached file through the index and re-verifies it once its mtime changes", async (t) => {
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  const { bytes, pin } = payload("linux-9.9.tar.gz");
  await writeMirror(mirror, pin.file, bytes);
  const lines: string[] = [];
  const options = { cacheDir, mirrors: [mirror], allowApt: false, allowUpstream: false, log: (line: string) => lines.push(line) };
  const cached = await ensureSource(pin, options);
  await fs.utimes(cached, MTIME, MTIME);
  // Re-verified (and re-indexed) once with its new mtime; from here on it is trusted.
  await ensureSource(pin, options);

  const rotten = Buffer.from(bytes);
  rotten[0] ^= 0xff;
  await swapBytesKeepingIdentity(cached, rotten);
  lines.length = 0;
  assert.equal(await ensureSource(pin, options), cached);
  assert.deepEqual(lines, [], "trusted without a read, no mirror contacted");

  await fs.utimes(cached, MTIME, new Date(MTIME.getTime() + 1000));
  assert.equal(await ensureSource(pin, options), cached);
  assert.ok(lines.some((line) => /warning: cached linux-9\.9\.tar\.gz does not match its pin .*deleting and refetching/.test(line)), lines.join("\n"));
  assert.deepEqual(await fs.readFile(cached), bytes, "the bad copy was replaced from the mirror");
});
