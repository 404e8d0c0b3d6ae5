import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { ensureSource, ensureSources, sha256File } from "../../src/sources/fetch.js";
import { filesUnder, payload, serve, tempDir, writeMirror } from "../fixtures/sources/helpers.js";

// Fake pins never name a Debian package, but keep apt out explicitly so no test hits the network.
const offline = { allowApt: false } as const;

test("a mirror with wrong bytes gives HASH_MISMATCH naming both hashes, and leaves nothing in the cache", async (t) => {
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  const { pin } = payload("musl-9.9.tar.gz");
  const wrong = payload("musl-9.9.tar.gz").bytes;
  await writeMirror(mirror, pin.file, wrong);
  const wrongSha = await sha256File(path.join(mirror, pin.file));

  const error = await ensureSource(pin, { cacheDir, mirrors: [mirror], ...offline }).then(
    () => assert.fail("fetch of wrong bytes succeeded"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ZilchError, String(error));
  assert.equal(error.code, "HASH_MISMATCH");
  assert.ok(!error.message.includes("\n"), "message must be one line");
  assert.ok(error.message.includes(pin.file), error.message);
  assert.ok(error.message.includes(pin.sha256), `expected hash missing: ${error.message}`);
  assert.ok(error.message.includes(wrongSha), `actual hash missing: ${error.message}`);
  assert.ok(error.message.includes(mirror), error.message);
  assert.deepEqual(await filesUnder(cacheDir), []);
  // The mirror's own copy is not ours to delete.
  assert.deepEqual(await readFile(path.join(mirror, pin.file)), wrong);
});

test("a verified file in the cache is used without contacting the mirror", async (t) => {
  const cacheDir = await tempDir(t, "cache");
  const { bytes, pin } = payload("busybox-1.tar.bz2");
  await mkdir(path.join(cacheDir, "sources"), { recursive: true });
  await writeFile(path.join(cacheDir, "sources", pin.file), bytes);
  const server = await serve({ [`/${pin.file}`]: bytes });
  t.after(() => server.close());

  const got = await ensureSource(pin, { cacheDir, mirrors: [server.url], ...offline });
  assert.equal(got, path.join(cacheDir, "sources", pin.file));
  assert.equal(server.requests.length, 0);
});

test("a corrupt cached file is deleted with a warning and refetched", async (t) => {
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  const { bytes, pin } = payload("make-1.tar.xz");
  await mkdir(path.join(cacheDir, "sources"), { recursive: true });
  const cached = path.join(cacheDir, "sources", pin.file);
  await writeFile(cached, Buffer.alloc(pin.size, 7));
  await writeMirror(mirror, pin.file, bytes);
  const lines: string[] = [];

  await ensureSource(pin, { cacheDir, mirrors: [mirror], ...offline, log: (l) => lines.push(l) });
  assert.equal(await sha256File(cached), pin.sha256);
  assert.ok(lines.some((l) => /warning/.test(l) && l.includes(pin.file)), lines.join("\n"));
});

test("a mirror directory is preferred over upstream", async (t) => {
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  const { bytes, pin } = payload("tinycc-1.tar.bz2");
  const upstream = await serve({ [`/${pin.file}`]: bytes });
  t.after(() => upstream.close());
  await writeMirror(mirror, pin.file, bytes);

  const got = await ensureSource({ ...pin, urls: [`${upstream.url}/${pin.file}`] }, { cacheDir, mirrors: [mirror], ...offline });
  assert.equal(await sha256File(got), pin.sha256);
  assert.equal(upstream.requests.length, 0, "upstream was contacted");
});

test("upstream is used when the mirror lacks the file", async (t) => {
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  const { bytes, pin } = payload("binutils-1.tar.xz");
  const upstream = await serve({ [`/dl/${pin.file}`]: bytes });
  t.after(() => upstream.close());

  const got = await ensureSource({ ...pin, urls: [`${upstream.url}/dl/${pin.file}`] }, { cacheDir, mirrors: [mirror], ...offline });
  assert.equal(await sha256File(got), pin.sha256);
  assert.equal(upstream.requests.length, 1);
  assert.deepEqual(await filesUnder(cacheDir), [path.join("sources", pin.file)]);
});

test("an unresolvable upstream host falls through to the next mirror at once", async (t) => {
  const cacheDir = await tempDir(t, "cache");
  const { bytes, pin } = payload("linux-1.tar.xz");
  const mirror = await serve({ [`/${pin.file}`]: bytes });
  t.after(() => mirror.close());
  const lines: string[] = [];

  // The URL mirror comes first in provider order, so put the dead host there too.
  const got = await ensureSource(
    { ...pin, urls: [] },
    { cacheDir, mirrors: ["http://nonexistent.invalid/m/", mirror.url], ...offline, log: (l) => lines.push(l) },
  );
  assert.equal(await sha256File(got), pin.sha256);
  // "At once": one attempt at the dead host, reported as such, then the next provider (no retries).
  const dead = lines.filter((l) => l.includes("nonexistent.invalid"));
  assert.equal(dead.length, 1, lines.join("\n"));
  assert.match(dead[0], /host not found/);
});

test("when every provider fails, one FETCH error names the file and each provider", async (t) => {
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  const { pin } = payload("musl-2.tar.gz");
  const upstream = await serve({});
  t.after(() => upstream.close());
  const urls = [`${upstream.url}/gone/${pin.file}`, "http://nonexistent.invalid/x.tar.gz"];

  const error = await ensureSource({ ...pin, urls }, { cacheDir, mirrors: [mirror], allowApt: true }).then(
    () => assert.fail("succeeded with no source"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ZilchError, String(error));
  assert.equal(error.code, "FETCH");
  assert.ok(!error.message.includes("\n"), "message must be one line");
  assert.ok(error.message.includes(pin.file), error.message);
  for (const needle of ["cache: absent", `mirror ${mirror}: no ${pin.file}`, `${urls[0]}: HTTP 404`, `${urls[1]}: host not found`, "apt: the pin names no Debian package"]) {
    assert.ok(error.message.includes(needle), `missing "${needle}" in: ${error.message}`);
  }
  assert.match(error.hint ?? "", /--mirror/);
  assert.deepEqual(await filesUnder(cacheDir), []);
});

test("ensureSources returns paths in pin order", async (t) => {
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  const a = payload("a-1.tar.gz");
  const b = payload("b-1.tar.gz");
  await writeMirror(mirror, a.pin.file, a.bytes);
  await writeMirror(mirror, b.pin.file, b.bytes);
  const got = await ensureSources([b.pin, a.pin], { cacheDir, mirrors: [mirror], ...offline });
  assert.deepEqual(got.map((p) => path.basename(p)), [b.pin.file, a.pin.file]);
});
