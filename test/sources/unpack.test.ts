import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import * as tar from "tar";
import { ZilchError } from "../../src/errors.js";
import { unpackTarball, unpackedTree } from "../../src/sources/unpack.js";

async function fixtureTree(root: string): Promise<string> {
  const top = path.join(root, "pkg-1.0");
  await fs.mkdir(path.join(top, "src"), { recursive: true });
  await fs.writeFile(path.join(top, "src", "a.c"), "int a;\n");
  await fs.writeFile(path.join(top, "configure"), "#!/bin/sh\n", { mode: 0o755 });
  return top;
}

test("a .tar.gz unpacks with its top directory stripped and exec bits kept", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-unpack-"));
  await fixtureTree(dir);
  const tarball = path.join(dir, "pkg-1.0.tar.gz");
  await tar.c({ gzip: true, cwd: dir, file: tarball, portable: true }, ["pkg-1.0"]);
  const out = path.join(dir, "out");
  await fs.mkdir(out);
  await unpackTarball(tarball, out, 1);
  assert.equal(await fs.readFile(path.join(out, "src", "a.c"), "utf8"), "int a;\n");
  assert.ok(((await fs.stat(path.join(out, "configure"))).mode & 0o111) !== 0);
  await fs.rm(dir, { recursive: true, force: true });
});

test("a .tar.bz2 unpacks through the JS decoder and is cached under its hash", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-unpack-"));
  await fixtureTree(dir);
  const plain = path.join(dir, "pkg-1.0.tar");
  await tar.c({ cwd: dir, file: plain, portable: true }, ["pkg-1.0"]);
  await execa("bzip2", ["-k", plain]); // test fixture only: the code under test decodes in JS
  const cache = path.join(dir, "cache");
  const tree = await unpackedTree(cache, `${plain}.bz2`, "ab".repeat(32), 0);
  assert.equal(tree, path.join(cache, "unpacked", `${"ab".repeat(32)}-s0`));
  assert.equal(await fs.readFile(path.join(tree, "pkg-1.0", "src", "a.c"), "utf8"), "int a;\n");
  // Second call: the cached tree, no unpacking (the tarball may even be gone).
  await fs.rm(`${plain}.bz2`);
  assert.equal(await unpackedTree(cache, `${plain}.bz2`, "ab".repeat(32), 0), tree);
  assert.deepEqual((await fs.readdir(path.join(cache, "unpacked"))).length, 1, "no staging leftovers");
  await fs.rm(dir, { recursive: true, force: true });
});

test("a corrupt tarball is one clear error and leaves no tree behind", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-unpack-"));
  const bad = path.join(dir, "bad.tar.bz2");
  await fs.writeFile(bad, "BZh9 this is not bzip2 data at all");
  const cache = path.join(dir, "cache");
  await assert.rejects(unpackedTree(cache, bad, "cd".repeat(32), 0), (e: unknown) => e instanceof ZilchError && /cannot unpack bad\.tar\.bz2/.test(e.message));
  assert.deepEqual(await fs.readdir(path.join(cache, "unpacked")), []);
  await fs.rm(dir, { recursive: true, force: true });
});
