import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ensureSource, sha256File } from "../../src/sources/fetch.js";
import { filesUnder, payload, serve, tempDir } from "../fixtures/sources/helpers.js";

async function withHalfPart(cacheDir: string, file: string, bytes: Buffer): Promise<number> {
  const half = Math.floor(bytes.length / 2);
  const partial = path.join(cacheDir, "sources", ".partial");
  await mkdir(partial, { recursive: true });
  await writeFile(path.join(partial, `${file}.part`), bytes.subarray(0, half));
  return half;
}

for (const [title, file, ranges] of [
  ["an interrupted download resumes with Range from the .part", "resume-1.tar.gz", true],
  ["a server that ignores Range (200) still yields a correct file", "norange-1.tar.gz", false],
] as const) {
  test(title, async (t) => {
    const cacheDir = await tempDir(t, "cache");
    const { bytes, pin } = payload(file, 200_001);
    const server = await serve({ [`/${pin.file}`]: bytes }, { ranges });
    t.after(() => server.close());
    const half = await withHalfPart(cacheDir, pin.file, bytes);

    const got = await ensureSource({ ...pin, urls: [`${server.url}/${pin.file}`] }, { cacheDir, allowApt: false });
    assert.deepEqual(server.requests.map((r) => r.range), [`bytes=${half}-`]);
    assert.equal(await sha256File(got), pin.sha256);
    assert.deepEqual(await filesUnder(cacheDir), [path.join("sources", pin.file)]);
  });
}

test("a .part from different bytes fails verification and is deleted", async (t) => {
  const cacheDir = await tempDir(t, "cache");
  const { bytes, pin } = payload("stale-1.tar.gz", 100_000);
  const server = await serve({ [`/${pin.file}`]: bytes });
  t.after(() => server.close());
  await withHalfPart(cacheDir, pin.file, Buffer.alloc(bytes.length, 1));

  await assert.rejects(
    ensureSource({ ...pin, urls: [`${server.url}/${pin.file}`] }, { cacheDir, allowApt: false }),
    (e: Error & { code?: string }) => e.code === "HASH_MISMATCH",
  );
  assert.deepEqual(await filesUnder(cacheDir), []);
  // The next run starts clean and succeeds.
  const got = await ensureSource({ ...pin, urls: [`${server.url}/${pin.file}`] }, { cacheDir, allowApt: false });
  assert.equal(await sha256File(got), pin.sha256);
});
