// The guest kernel's source when Debian has dropped the pinned version: a real apt (our own
// repository through APT_CONFIG) that serves only a newer one, a real http server standing in for
// the snapshot archive. The pinned file wins wherever it exists; otherwise the guest kernel (only)
// takes the current version, in one line that names both.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { obtainKernelSource } from "../../src/kernel/linux-source.js";
import { obtainSource } from "../../src/sources/fetch.js";
import type { SourcePin } from "../../src/sources/pins.js";
import { tempDir } from "../helpers/home.js";
import { localApt, type BuiltDeb, type LocalApt } from "../helpers/local-apt.js";

const PACKAGE = "zb-test-linux-source";
const MEMBER = "usr/src/zb-test-linux-source.tar.xz";
const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

let apt: LocalApt;
let pinned: BuiltDeb;
let current: BuiltDeb;
const savedConfig = process.env.APT_CONFIG;

before(async () => {
  apt = await localApt();
  pinned = await apt.build({ package: PACKAGE, version: "1.0-1", files: { [MEMBER]: "pinned tree" } });
  current = await apt.build({ package: PACKAGE, version: "1.0-2", files: { [MEMBER]: "current tree" } });
  process.env.APT_CONFIG = apt.config;
});

after(async () => {
  if (savedConfig === undefined) delete process.env.APT_CONFIG;
  else process.env.APT_CONFIG = savedConfig;
  await apt.remove();
});

function pin(urls: string[] = []): SourcePin {
  return {
    name: "linux",
    version: "1.0-1",
    file: "zb-test-linux-source-1.0-1.tar.xz",
    sha256: sha256("pinned tree"),
    size: "pinned tree".length,
    urls: [],
    debianBinary: { package: PACKAGE, version: "1.0-1", debSha256: pinned.sha256, debSize: pinned.size, urls, member: MEMBER },
  };
}

async function fetchInto(cacheDir: string, p: SourcePin, lines: string[] = []) {
  return obtainKernelSource(p, { cacheDir, log: (line) => lines.push(line), timeoutMs: 5000 });
}

test("a pinned version apt still serves is used as it is, with no fallback line", async () => {
  await apt.publish([pinned, current]);
  const cacheDir = await tempDir("kernel-src");
  const lines: string[] = [];
  const got = await fetchInto(cacheDir, pin(), lines);
  assert.deepEqual([got.version, got.sha256, got.fallbackFor], ["1.0-1", sha256("pinned tree"), undefined]);
  assert.equal(await fs.readFile(got.path, "utf8"), "pinned tree");
  assert.ok(!lines.some((line) => line.startsWith("kernel:")), lines.join("\n"));
});

test("a pin the archive no longer serves: the current version, in one line naming both, kept verified in the cache", async () => {
  await apt.publish([current]);
  const cacheDir = await tempDir("kernel-src");
  const lines: string[] = [];
  const got = await fetchInto(cacheDir, pin(), lines);
  assert.deepEqual([got.version, got.sha256, got.fallbackFor], ["1.0-2", sha256("current tree"), "1.0-1"]);
  assert.equal(await fs.readFile(got.path, "utf8"), "current tree");
  assert.equal(path.dirname(got.path), path.join(cacheDir, "sources"));
  const said = lines.filter((line) => line.startsWith("kernel:"));
  assert.equal(said.length, 1, lines.join("\n"));
  assert.match(said[0]!, /linux 1\.0-1 \(the pin\) cannot be fetched.*current zb-test-linux-source 1\.0-2 .*--mirror DIR holding zb-test-linux-source-1\.0-1\.tar\.xz/);
  // A second run takes the cached, verified copy: nothing is downloaded again.
  await apt.publish([]);
  const again = await fetchInto(cacheDir, pin());
  assert.deepEqual([again.path, again.sha256], [got.path, got.sha256]);
});

test("stages never fall back: obtainSource of the same pin fails, naming what it tried", async () => {
  await apt.publish([current]);
  const cacheDir = await tempDir("kernel-src");
  await assert.rejects(obtainSource(pin(), { cacheDir, timeoutMs: 5000 }), (error: unknown) => {
    assert.ok(error instanceof ZilchError && error.code === "FETCH", String(error));
    assert.match(error.message, /apt: zb-test-linux-source=1\.0-1 is no longer in apt/);
    return true;
  });
});

/** A one-file http server: `body` at /file/<sha1 of body>, 404 elsewhere. */
async function snapshotServer(body: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const at = `/file/${createHash("sha1").update(body).digest("hex")}`;
  const server = http.createServer((request, response) => {
    if (request.url === at) response.writeHead(200, { "content-length": body.length }).end(body);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${at}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test("a pin apt dropped still comes from the URL that keeps its .deb, checked against debSha256", async () => {
  await apt.publish([current]);
  const server = await snapshotServer(await fs.readFile(pinned.path));
  try {
    const cacheDir = await tempDir("kernel-src");
    const lines: string[] = [];
    const got = await fetchInto(cacheDir, pin([server.url]), lines);
    assert.deepEqual([got.version, got.sha256, got.fallbackFor], ["1.0-1", sha256("pinned tree"), undefined]);
    assert.ok(lines.some((line) => line.includes(`verified, from .deb ${server.url}`)), lines.join("\n"));
  } finally {
    await server.close();
  }
});

test("a URL serving another .deb is refused as wrong bytes, not fallen back from", async () => {
  await apt.publish([current]);
  const server = await snapshotServer(await fs.readFile(current.path));
  try {
    const cacheDir = await tempDir("kernel-src");
    const tampered = pin();
    tampered.debianBinary!.urls = [server.url];
    tampered.debianBinary!.debSize = current.size;
    await assert.rejects(fetchInto(cacheDir, tampered), (error: unknown) => {
      assert.ok(error instanceof ZilchError && error.code === "HASH_MISMATCH", String(error));
      assert.match(error.message, new RegExp(`has sha256 ${current.sha256}, .* expects debSha256 ${pinned.sha256}`));
      return true;
    });
    assert.deepEqual(await fs.readdir(path.join(cacheDir, "sources")).then((names) => names.filter((n) => !n.startsWith("."))), []);
  } finally {
    await server.close();
  }
});
