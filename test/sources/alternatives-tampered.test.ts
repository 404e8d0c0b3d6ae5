// Alternative files changed on disk after they were checked (issue 28 §1): neither the kept repack
// nor the alternative's own downloaded file is believed because it was right once. Local http
// server only.
import assert from "node:assert/strict";
import { appendFile, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { obtainSource } from "../../src/sources/fetch.js";
import { sha256File } from "../../src/sha256.js";
import { alternative, alternativeFixture } from "../fixtures/sources/alternatives.js";
import { serve, tempDir } from "../fixtures/sources/helpers.js";

const offline = { allowApt: false } as const;

async function servedAlternative(t: Parameters<typeof alternativeFixture>[0]) {
  const fx = await alternativeFixture(t);
  const gnu = await fx.other("pkg-1.0.tar.gz", "pkg-1.0", { extraDoc: true });
  const server = await serve({ "/pkg-1.0.tar.gz": gnu.bytes });
  t.after(() => server.close());
  const pin = {
    ...fx.pin,
    alternatives: [alternative({ file: "pkg-1.0.tar.gz", sha256: gnu.sha256, size: gnu.bytes.length, urls: [`${server.url}/pkg-1.0.tar.gz`], treeSha256: fx.treeSha256, drop: ["doc"] })],
  };
  const cacheDir = await tempDir(t, "cache");
  const first = await obtainSource(pin, { cacheDir, ...offline });
  return { fx, gnu, server, pin, cacheDir, first, firstBytes: await readFile(first.path) };
}

test("a kept repack changed on disk is deleted with a warning and made again from the verified file", async (t) => {
  const { server, pin, cacheDir, first, firstBytes } = await servedAlternative(t);
  await appendFile(first.path, "a member the alternative never had");

  const lines: string[] = [];
  const again = await obtainSource(pin, { cacheDir, ...offline, log: (l) => lines.push(l) });
  assert.ok(lines.some((l) => /^warning: cached repack .*\.tar of pkg-1\.0\.tar\.gz does not match its record; deleting it$/.test(l)), lines.join("\n"));
  assert.deepEqual(again, first);
  assert.ok((await readFile(again.path)).equals(firstBytes), "the repack has its first bytes again");
  assert.equal(await sha256File(again.path), first.sha256);
  // Made again from the alternative's file already verified in the cache: no new request.
  assert.deepEqual(server.requests.map((r) => r.path), ["/pkg-1.0.tar.gz"]);
});

test("an alternative's downloaded file changed on disk is fetched and verified again, never repacked as it is", async (t) => {
  const { gnu, server, pin, cacheDir, first, firstBytes } = await servedAlternative(t);
  const kept = path.join(cacheDir, "sources", "pkg-1.0.tar.gz");
  assert.ok((await readFile(kept)).equals(gnu.bytes), "the alternative's verified file is kept under its name");
  // Its bytes change (another size, so a quick identity check sees it too) and the repack goes,
  // so that the next request must start from the file.
  await writeFile(kept, Buffer.concat([gnu.bytes, Buffer.from("trailing garbage")]));
  await rm(path.dirname(first.path), { recursive: true });

  const again = await obtainSource(pin, { cacheDir, ...offline });
  assert.deepEqual(again, first);
  assert.ok((await readFile(again.path)).equals(firstBytes));
  assert.ok((await readFile(kept)).equals(gnu.bytes), "the changed file was replaced by the verified download");
  assert.deepEqual(server.requests.map((r) => r.path), ["/pkg-1.0.tar.gz", "/pkg-1.0.tar.gz"]);

  // With the file changed again and nowhere to fetch it from, nothing is served.
  await writeFile(kept, Buffer.concat([gnu.bytes, Buffer.from("more garbage")]));
  await rm(path.dirname(first.path), { recursive: true });
  await server.close();
  await assert.rejects(obtainSource(pin, { cacheDir, ...offline }));
});
