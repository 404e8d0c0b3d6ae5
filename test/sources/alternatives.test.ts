// Alternative files of a pin (src/sources/alternative.ts, providers/alternative.ts): tried after the
// pin's own urls and before apt, accepted only when their unpacked tree matches treeSha256, and
// served as a repack in the pin's layout. Local archives and a local http server only.
import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { obtainSource } from "../../src/sources/fetch.js";
import { archiveTreeSha256 } from "../../src/sources/source-tree.js";
import { unpackTarball } from "../../src/sources/unpack.js";
import { hashTree } from "../../src/store/tree-hash.js";
import { alternative, alternativeFixture, writeTree } from "../fixtures/sources/alternatives.js";
import { filesUnder, serve, tempDir } from "../fixtures/sources/helpers.js";

const offline = { allowApt: false } as const;

async function unpackedHash(tarball: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await unpackTarball(tarball, dir);
  return (await hashTree(dir)).sha256;
}

test("an alternative with other compression and extra docs is accepted by its tree and served in the pin's layout", async (t) => {
  const fx = await alternativeFixture(t);
  const gnu = await fx.other("pkg-1.0.tar.gz", "pkg-1.0", { extraDoc: true });
  const server = await serve({ "/pkg-1.0.tar.gz": gnu.bytes });
  t.after(() => server.close());
  const pin = {
    ...fx.pin,
    alternatives: [alternative({ file: "pkg-1.0.tar.gz", sha256: gnu.sha256, size: gnu.bytes.length, urls: [`${server.url}/pkg-1.0.tar.gz`], treeSha256: fx.treeSha256, drop: ["doc"] })],
  };
  const cacheDir = await tempDir(t, "cache");
  const got = await obtainSource(pin, { cacheDir, ...offline });

  assert.deepEqual(got.used, { file: "pkg-1.0.tar.gz", sha256: gnu.sha256, alternative: 0, treeSha256: fx.treeSha256 });
  assert.match(got.path, /alternatives\/[0-9a-f]{32}\.tar$/);
  // The repack unpacks to the pin's own tree: same paths, bytes, exec bits and symlink, no doc/.
  const ownDir = path.join(fx.work, "own-unpacked");
  await mkdir(ownDir);
  await writeFile(path.join(fx.work, "own.tar.xz"), fx.own);
  const { execa } = await import("execa");
  await execa("tar", ["-xJf", path.join(fx.work, "own.tar.xz"), "-C", ownDir]);
  assert.equal(await unpackedHash(got.path, path.join(fx.work, "served")), (await hashTree(ownDir)).sha256);
  // Its verified bytes stay in the cache under its own name (a mirror for the next machine).
  assert.deepEqual((await filesUnder(cacheDir)).filter((f) => !f.startsWith(".") && !f.includes(".locks")), [
    path.join("alternatives", path.basename(got.path, ".tar") + ".json"),
    path.join("alternatives", path.basename(got.path)),
    path.join("sources", "pkg-1.0.tar.gz"),
  ]);

  // Next time the repack is used as it is: no request, no unpacking.
  await server.close();
  const lines: string[] = [];
  const again = await obtainSource(pin, { cacheDir, ...offline, log: (l) => lines.push(l) });
  assert.deepEqual(again, got);
  assert.deepEqual(lines, []);
});

test("a snapshot with other compression and another top directory is accepted by its tree alone", async (t) => {
  const fx = await alternativeFixture(t);
  const pin = { ...fx.pin, unpacksTo: ".", file: "pkg-flat.tar.bz2" };
  // The pin's own tree sits at the archive root, as Debian's tinycc repack does.
  const flat = await fx.other("pkg-flat.tar.bz2", ".");
  pin.sha256 = flat.sha256;
  pin.size = flat.bytes.length;
  const flatTree = await archiveTreeSha256(path.join(fx.work, "pkg-flat.tar.bz2"), { unpacksTo: ".", scratchDir: path.join(fx.work, "scratch") });
  assert.equal(flatTree, fx.treeSha256, "the tree hash does not depend on the top directory or compression");
  const snapshot = await fx.other("pkg-abc123.tar.gz", "pkg-abc1234567");
  const server = await serve({ "/snapshot/abc123.tar.gz": snapshot.bytes });
  t.after(() => server.close());
  const withSnapshot = { ...pin, alternatives: [alternative({ file: "pkg-abc123.tar.gz", urls: [`${server.url}/snapshot/abc123.tar.gz`], unpacksTo: "*", treeSha256: flatTree })] };

  const cacheDir = await tempDir(t, "cache");
  const got = await obtainSource(withSnapshot, { cacheDir, ...offline });
  assert.deepEqual(got.used, { file: "pkg-abc123.tar.gz", sha256: null, alternative: 0, treeSha256: flatTree });
  // Files at the repack's root, as in the pin's own file; the snapshot itself is not kept.
  const served = path.join(fx.work, "served");
  await unpackedHash(got.path, served);
  assert.deepEqual((await readdir(served)).sort(), ["README", "configure", "main.c", "src"]);
  assert.ok(!(await filesUnder(cacheDir)).some((f) => f.includes("pkg-abc123")), "the unverified snapshot was kept");
});

test("a snapshot one byte off is rejected in one line naming the pin, the file and both tree hashes, and nothing is kept", async (t) => {
  const fx = await alternativeFixture(t);
  const bad = await fx.other("pkg-abc123.tar.gz", "pkg-abc123", { flip: true });
  const server = await serve({ "/a.tar.gz": bad.bytes, "/b.tar.gz": bad.bytes });
  t.after(() => server.close());
  const pin = { ...fx.pin, alternatives: [alternative({ file: "pkg-abc123.tar.gz", urls: [`${server.url}/a.tar.gz`, `${server.url}/b.tar.gz`], unpacksTo: "*", treeSha256: fx.treeSha256 })] };
  const cacheDir = await tempDir(t, "cache");

  const error = await obtainSource(pin, { cacheDir, ...offline }).then(() => assert.fail("a wrong tree was accepted"), (e: unknown) => e);
  assert.ok(error instanceof ZilchError, String(error));
  assert.equal(error.code, "HASH_MISMATCH");
  assert.ok(!error.message.includes("\n"), "one line");
  assert.match(error.message, new RegExp(`^pin "pkg": alternative pkg-abc123\\.tar\\.gz unpacks to a tree with sha256 (?!${fx.treeSha256})[0-9a-f]{64}, test-pins\\.json expects treeSha256 ${fx.treeSha256}`));
  assert.match(error.hint ?? "", /alternatives\[0\] of "pkg"/);
  // Both servers were asked (another server's snapshot might have been right); nothing stayed.
  assert.deepEqual(server.requests.map((r) => r.path), ["/a.tar.gz", "/b.tar.gz"]);
  assert.deepEqual((await filesUnder(cacheDir)).filter((f) => !f.includes(".locks")), []);
});

test("an alternative whose bytes were pinned but whose tree differs is refused, keeping only its verified bytes", async (t) => {
  const fx = await alternativeFixture(t);
  // Undeclared: the extra doc/ (no drop) makes the tree differ.
  const gnu = await fx.other("pkg-1.0.tar.gz", "pkg-1.0", { extraDoc: true });
  const mirror = await tempDir(t, "mirror");
  await writeFile(path.join(mirror, "pkg-1.0.tar.gz"), gnu.bytes);
  const pin = { ...fx.pin, alternatives: [alternative({ file: "pkg-1.0.tar.gz", sha256: gnu.sha256, treeSha256: fx.treeSha256 })] };
  const cacheDir = await tempDir(t, "cache");
  await assert.rejects(obtainSource(pin, { cacheDir, mirrors: [mirror], allowUpstream: false, ...offline }), (e: unknown) => {
    assert.ok(e instanceof ZilchError && e.code === "HASH_MISMATCH", String(e));
    assert.match(e.message, /alternative pkg-1\.0\.tar\.gz unpacks to a tree with sha256/);
    return true;
  });
  assert.deepEqual((await filesUnder(cacheDir)).filter((f) => !f.includes(".locks")), [path.join("sources", "pkg-1.0.tar.gz")]);
});

test("differs leaves a changed file out of the comparison and serves the alternative's version", async (t) => {
  const fx = await alternativeFixture(t);
  const gnu = await fx.other("pkg-1.0.tar.bz2", "pkg-1.0", { changedReadme: "upstream's readme, with its invariant sections\n" });
  const ownDiffers = await archiveTreeSha256(path.join(fx.work, "pkg-dfsg-1.0.tar.xz"), { unpacksTo: "pkg-1.0", differs: ["README"], scratchDir: path.join(fx.work, "scratch") });
  const mirror = await tempDir(t, "mirror");
  await writeFile(path.join(mirror, "pkg-1.0.tar.bz2"), gnu.bytes);
  const pin = { ...fx.pin, alternatives: [alternative({ file: "pkg-1.0.tar.bz2", sha256: gnu.sha256, treeSha256: ownDiffers, differs: ["README"] })] };
  const got = await obtainSource(pin, { cacheDir: await tempDir(t, "cache"), mirrors: [mirror], ...offline });
  const served = path.join(fx.work, "served");
  await unpackedHash(got.path, served);
  const { readFile } = await import("node:fs/promises");
  assert.match(await readFile(path.join(served, "pkg-1.0", "README"), "utf8"), /upstream's readme/);
});

test("providers run in order: cache, mirror, the pin's urls, the alternatives' urls, then apt", async (t) => {
  const fx = await alternativeFixture(t);
  const gnu = await fx.other("pkg-1.0.tar.gz", "pkg-1.0");
  const server = await serve({});
  t.after(() => server.close());
  const mirror = await tempDir(t, "mirror");
  const pin = {
    ...fx.pin,
    urls: [`${server.url}/own/pkg-dfsg-1.0.tar.xz`],
    alternatives: [
      alternative({ file: "pkg-1.0.tar.gz", sha256: gnu.sha256, urls: [`${server.url}/alt0/pkg-1.0.tar.gz`], treeSha256: fx.treeSha256 }),
      alternative({ file: "pkg-snap.tar.gz", urls: [`${server.url}/alt1/pkg-snap.tar.gz`], unpacksTo: "*", treeSha256: fx.treeSha256 }),
    ],
  };
  const lines: string[] = [];
  const error = await obtainSource(pin, { cacheDir: await tempDir(t, "cache"), mirrors: [mirror], log: (l) => lines.push(l) }).then(() => assert.fail("nothing serves it"), (e: unknown) => e);
  assert.deepEqual(server.requests.map((r) => r.path), ["/own/pkg-dfsg-1.0.tar.xz", "/alt0/pkg-1.0.tar.gz", "/alt1/pkg-snap.tar.gz"]);
  const order = lines.filter((l) => l.startsWith("pkg-dfsg-1.0.tar.xz: ")).map((l) => l.split(": ")[1]);
  assert.deepEqual(order, [`mirror ${mirror}`, `upstream ${server.url}/own/pkg-dfsg-1.0.tar.xz`, "alternative pkg-1.0.tar.gz", "alternative pkg-snap.tar.gz", "apt"]);
  assert.ok(error instanceof ZilchError && error.code === "FETCH", String(error));
  assert.ok(!error.message.includes("\n"), error.message);
  assert.match(error.message, /^cannot fetch pkg-dfsg-1\.0\.tar\.xz: cache: absent; mirror .*; upstream .*: HTTP 404 Not Found; alternative pkg-1\.0\.tar\.gz: mirror .*: no pkg-1\.0\.tar\.gz there, upstream .*: HTTP 404 Not Found; alternative pkg-snap\.tar\.gz: mirror .*, upstream .*: HTTP 404 Not Found; apt: /);
  assert.match(error.hint ?? "", /--mirror DIR holding pkg-dfsg-1\.0\.tar\.xz, pkg-1\.0\.tar\.gz or pkg-snap\.tar\.gz/);
});

test("the pin's own file wins when it can be had: alternatives are not asked", async (t) => {
  const fx = await alternativeFixture(t);
  const server = await serve({ "/own/pkg-dfsg-1.0.tar.xz": fx.own });
  t.after(() => server.close());
  const pin = { ...fx.pin, urls: [`${server.url}/own/pkg-dfsg-1.0.tar.xz`], alternatives: [alternative({ file: "pkg-1.0.tar.gz", urls: [`${server.url}/alt.tar.gz`], unpacksTo: "*", treeSha256: fx.treeSha256 })] };
  const got = await obtainSource(pin, { cacheDir: await tempDir(t, "cache"), ...offline });
  assert.deepEqual(got.used, { file: "pkg-dfsg-1.0.tar.xz", sha256: fx.pin.sha256 });
  assert.deepEqual(server.requests.map((r) => r.path), ["/own/pkg-dfsg-1.0.tar.xz"]);
});

test("an alternative that does not unpack to its declared directory fails naming what it holds", async (t) => {
  const fx = await alternativeFixture(t);
  const flat = await fx.other("pkg-1.0.tar.gz", ".");
  const mirror = await tempDir(t, "mirror");
  await writeFile(path.join(mirror, "pkg-1.0.tar.gz"), flat.bytes);
  const pin = { ...fx.pin, alternatives: [alternative({ file: "pkg-1.0.tar.gz", sha256: flat.sha256, treeSha256: fx.treeSha256 })] };
  await assert.rejects(obtainSource(pin, { cacheDir: await tempDir(t, "cache"), mirrors: [mirror], allowUpstream: false, ...offline }), (e: unknown) => {
    assert.ok(e instanceof ZilchError && e.code === "FETCH", String(e));
    assert.match(e.message, /; alternative pkg-1\.0\.tar\.gz: pkg-1\.0\.tar\.gz does not unpack to one directory pkg-1\.0\/: it holds README, configure, main\.c, src;/);
    assert.match(e.hint ?? "", /^check the alternative's unpacksTo \(alternatives\[0\] of "pkg" in test-pins\.json\)/);
    return true;
  });
});

test("the tree hash ignores compression and the top directory's name, not content", async (t) => {
  const dir = await tempDir(t, "tree");
  await writeTree(path.join(dir, "a", "x-1"));
  await writeTree(path.join(dir, "b", "y-2"));
  await writeTree(path.join(dir, "c", "x-1"), { flip: true });
  const { pack } = await import("../fixtures/sources/alternatives.js");
  await pack(path.join(dir, "a"), path.join(dir, "a.tar.xz"), ["x-1"]);
  await pack(path.join(dir, "b"), path.join(dir, "b.tar.bz2"), ["y-2"]);
  await pack(path.join(dir, "c"), path.join(dir, "c.tar.gz"), ["x-1"]);
  const scratchDir = path.join(dir, "scratch");
  const a = await archiveTreeSha256(path.join(dir, "a.tar.xz"), { unpacksTo: "x-1", scratchDir });
  const b = await archiveTreeSha256(path.join(dir, "b.tar.bz2"), { unpacksTo: "*", scratchDir });
  const c = await archiveTreeSha256(path.join(dir, "c.tar.gz"), { unpacksTo: "x-1", scratchDir });
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.deepEqual(await readdir(scratchDir).catch(() => []), [], "no scratch tree is left (plain members are read from the stream)");
});
