// A real seed build from the pinned tinycc tarball (~3 s with musl-gcc), then a cache hit.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { cacheDir } from "../../src/paths.js";
import { buildSeed } from "../../src/seed/build-seed.js";
import { validateSeed } from "../../src/seed/elf.js";
import { runI386 } from "../helpers/run-i386.js";

const tarball = process.env.ZILCHBOOT_TEST_TINYCC ?? path.join(cacheDir(), "sources", "tinycc-62c30a4a.tar.bz2");
let dir: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-seed-"));
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function requireTarball(): void {
  // Not a skip: without the tarball this test proves nothing, and CI must say so.
  if (!existsSync(tarball)) {
    assert.fail(
      `tinycc tarball not found at ${tarball}: fetch the sources first, or point ZILCHBOOT_TEST_TINYCC ` +
        "at tcc_0.9.27+git20200814.62c30a4a.orig.tar.bz2 (sha256 d63c113b…)",
    );
  }
}

test("buildSeed builds a static tcc that runs, then serves it from the cache", async () => {
  requireTarball();
  const cache = path.join(dir, "cache");
  const outFile = path.join(dir, "images", "tcc-seed");

  const first = await buildSeed({ tinyccTarball: tarball, cacheDir: cache, outFile });
  assert.equal(first.cached, false);
  assert.equal(first.path, outFile);
  await validateSeed(outFile);
  assert.equal((await fs.stat(outFile)).size, first.size);
  assert.match(first.sha256, /^[0-9a-f]{64}$/);

  const record = JSON.parse(await fs.readFile(`${outFile}.json`, "utf8")) as Record<string, unknown>;
  assert.equal(record.sha256, first.sha256);
  assert.equal(record.size, first.size);
  assert.equal(record.compiler, first.compiler);
  assert.equal(record.tinyccSha256, "d63c113bcdd657f51c8ee197a0b0a24203603313e19a52b5f678d40ab7f5df35");

  const version = execFileSync(outFile, ["-v"], { encoding: "utf8" });
  assert.match(version, /^tcc version 0\.9\.27/);

  // A cache hit is an event (cached: true), not a speed: speed goals live in `npm run bench`.
  const second = await buildSeed({ tinyccTarball: tarball, cacheDir: cache, outFile });
  assert.equal(second.cached, true);
  assert.equal(second.sha256, first.sha256);
});

test("two seed builds in different directories produce the same bytes", async () => {
  requireTarball();
  const a = await buildSeed({ tinyccTarball: tarball, cacheDir: path.join(dir, "a"), outFile: path.join(dir, "a.tcc") });
  const b = await buildSeed({ tinyccTarball: tarball, cacheDir: path.join(dir, "b"), outFile: path.join(dir, "b.tcc") });
  assert.equal(a.cached, false);
  assert.equal(b.cached, false);
  assert.equal(a.sha256, b.sha256);
});

test("an i386 seed (i386-linux-musl-gcc) is a static ELF32 tcc for i386, reproducible across directories", async () => {
  requireTarball();
  const a = await buildSeed({ tinyccTarball: tarball, arch: "i386", cacheDir: path.join(dir, "i386-a"), outFile: path.join(dir, "i386-a.tcc") });
  const b = await buildSeed({ tinyccTarball: tarball, arch: "i386", cacheDir: path.join(dir, "i386-b"), outFile: path.join(dir, "i386-b.tcc") });
  assert.equal(a.cached, false);
  assert.match(a.compiler, /^i386-linux-musl-gcc /);
  assert.equal(a.sha256, b.sha256);
  await validateSeed(a.path, "i386");
  await assert.rejects(validateSeed(a.path, "x86_64"), /ELF32 i386, need ELF64 x86_64/);
  // It runs as an i386 tcc: under qemu-i386, as many hosts' kernels do not execute i386 programs.
  const version = await runI386(a.path, ["-v"]);
  assert.equal(version.exitCode, 0, version.output);
  assert.match(version.output, /^tcc version 0\.9\.27 \(i386 Linux\)/);
  const record = JSON.parse(await fs.readFile(`${a.path}.json`, "utf8")) as Record<string, unknown>;
  assert.equal(record.arch, "i386");
});
