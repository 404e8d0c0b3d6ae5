// Pins whose file exists only inside another archive (insideArchive): fetched through the
// archive, verified at both levels, delivered under the inner file's name, nothing half-written.
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { ensureSource } from "../../src/sources/fetch.js";
import { archiveFixture } from "../fixtures/sources/archive.js";
import { filesUnder, serve, tempDir, writeMirror } from "../fixtures/sources/helpers.js";
import { zilchboot } from "../helpers/child-env.js";

// Fixture pins name no Debian package; keep apt out explicitly so no test reaches a network.
const offline = { allowApt: false } as const;

async function rejection(promise: Promise<unknown>): Promise<ZilchError> {
  const error = await promise.then(
    () => assert.fail("the fetch succeeded"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ZilchError, String(error));
  assert.ok(!error.message.includes("\n"), `message must be one line: ${error.message}`);
  return error;
}

test("a file inside an archive on a mirror is extracted, verified and cached under its own name", async (t) => {
  const { pin, inner, outer } = await archiveFixture(t);
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  await writeMirror(mirror, pin.insideArchive.file, outer);
  const lines: string[] = [];

  const got = await ensureSource(pin, { cacheDir, mirrors: [mirror], ...offline, log: (l) => lines.push(l) });
  assert.equal(got, path.join(cacheDir, "sources", pin.file));
  assert.deepEqual(await readFile(got), inner);
  // The archive stays cached under its own name, verified, for the next pin or refetch that needs it.
  assert.deepEqual(await filesUnder(cacheDir), [path.join("sources", pin.file), path.join("sources", pin.insideArchive.file)].sort());
  const from = lines.find((l) => l.startsWith(`${pin.file}: verified, from`));
  assert.equal(from, `${pin.file}: verified, from member ${pin.insideArchive.member} of ${pin.insideArchive.file}`, lines.join("\n"));

  // A second fetch finds the inner file verified and touches nothing else.
  const again: string[] = [];
  assert.equal(await ensureSource(pin, { cacheDir, mirrors: [], ...offline, log: (l) => again.push(l) }), got);
  assert.deepEqual(again, []);
});

test("the archive comes from its own upstream urls when no mirror has either file", async (t) => {
  const { pin, inner, outer } = await archiveFixture(t, { outerFile: "pkg_1.0.orig.tar.gz" });
  const cacheDir = await tempDir(t, "cache");
  const server = await serve({ [`/pool/${pin.insideArchive.file}`]: outer });
  t.after(() => server.close());
  const withUrl = { ...pin, insideArchive: { ...pin.insideArchive, urls: [`${server.url}/pool/${pin.insideArchive.file}`] } };

  const got = await ensureSource(withUrl, { cacheDir, ...offline });
  assert.deepEqual(await readFile(got), inner);
  assert.deepEqual(server.requests.map((r) => r.path), [`/pool/${pin.insideArchive.file}`]);
});

test("a mirror serving the inner file by name is used without fetching the archive", async (t) => {
  const { pin, inner } = await archiveFixture(t);
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  await writeMirror(mirror, pin.file, inner);
  const server = await serve({});
  t.after(() => server.close());
  const withUrl = { ...pin, insideArchive: { ...pin.insideArchive, urls: [`${server.url}/${pin.insideArchive.file}`] } };

  const got = await ensureSource(withUrl, { cacheDir, mirrors: [mirror], ...offline });
  assert.deepEqual(await readFile(got), inner);
  assert.equal(server.requests.length, 0, "the archive was fetched");
  assert.deepEqual(await filesUnder(cacheDir), [path.join("sources", pin.file)]);
});

test("an archive with the wrong hash is an outer-level HASH_MISMATCH naming the pin, and leaves nothing behind", async (t) => {
  const { pin, outer } = await archiveFixture(t);
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  await writeMirror(mirror, pin.insideArchive.file, outer);
  const pinned = "0".repeat(64);

  const error = await rejection(ensureSource({ ...pin, insideArchive: { ...pin.insideArchive, sha256: pinned } }, { cacheDir, mirrors: [mirror], ...offline }));
  assert.equal(error.code, "HASH_MISMATCH");
  assert.match(error.message, new RegExp(`^pin "pkg": outer archive ${pin.insideArchive.file} from mirror `));
  assert.ok(error.message.includes(pin.insideArchive.sha256) && error.message.includes(pinned), error.message);
  assert.deepEqual(await filesUnder(cacheDir), []);
});

test("an inner file with the wrong hash is an inner-level HASH_MISMATCH; only the verified archive stays", async (t) => {
  const { pin, outer } = await archiveFixture(t);
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  await writeMirror(mirror, pin.insideArchive.file, outer);
  const pinned = "f".repeat(64);

  const error = await rejection(ensureSource({ ...pin, sha256: pinned }, { cacheDir, mirrors: [mirror], ...offline }));
  assert.equal(error.code, "HASH_MISMATCH");
  assert.match(error.message, new RegExp(`^pin "pkg": inner file ${pin.file} \\(${pin.insideArchive.member} in ${pin.insideArchive.file}, `));
  assert.ok(error.message.includes(pin.sha256) && error.message.includes(pinned), error.message);
  assert.deepEqual(await filesUnder(cacheDir), [path.join("sources", pin.insideArchive.file)]);
});

test("a member missing from the archive is a FETCH error naming member and archive", async (t) => {
  const { pin, outer } = await archiveFixture(t);
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  await writeMirror(mirror, pin.insideArchive.file, outer);
  const member = "pkg-1.0/elsewhere.tar.gz";

  const error = await rejection(ensureSource({ ...pin, insideArchive: { ...pin.insideArchive, member } }, { cacheDir, mirrors: [mirror], ...offline }));
  assert.equal(error.code, "FETCH");
  assert.ok(error.message.includes(`member ${member} of ${pin.insideArchive.file}: ${pin.insideArchive.file} has no ${member}`), error.message);
  assert.match(error.hint ?? "", /insideArchive\.member/);
  assert.deepEqual(await filesUnder(cacheDir), [path.join("sources", pin.insideArchive.file)]);
});

test("a directory at the member path is refused as not a regular file", async (t) => {
  const { pin, outer } = await archiveFixture(t);
  const cacheDir = await tempDir(t, "cache");
  const mirror = await tempDir(t, "mirror");
  await writeMirror(mirror, pin.insideArchive.file, outer);

  const error = await rejection(ensureSource({ ...pin, insideArchive: { ...pin.insideArchive, member: "pkg-1.0" } }, { cacheDir, mirrors: [mirror], ...offline }));
  assert.equal(error.code, "FETCH");
  assert.match(error.message, /pkg-1\.0 in pkg_1\.0\.orig\.tar\.xz is a Directory, not a regular file/);
});

test("zilchboot fetch exits non-zero with one line when the inner file's hash is wrong", async (t) => {
  const { pin, outer } = await archiveFixture(t);
  const root = await tempDir(t, "cli");
  const recipes = path.join(root, "recipes");
  await mkdir(recipes);
  const declared = { ...pin, sha256: "e".repeat(64) };
  delete declared.origin;
  await writeFile(path.join(recipes, "sources.json"), JSON.stringify({ sources: [declared] }));
  const mirror = path.join(root, "mirror");
  await mkdir(mirror);
  await writeMirror(mirror, pin.insideArchive.file, outer);

  const env = { ZILCHBOOT_RECIPES: recipes, ZILCHBOOT_DOWNLOADS: path.join(root, "cache"), ZILCHBOOT_HOME: path.join(root, "home") };
  const run = await zilchboot(["fetch", "pkg", "--mirror", mirror], env);
  assert.equal(run.exitCode, 1, run.stderr);
  const lines = run.stderr.split("\n").filter((l) => l.startsWith("zilchboot: "));
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /pin "pkg": inner file pkg-1\.0-dfsg\.tar\.gz/);
  assert.deepEqual(await filesUnder(path.join(root, "cache")), [path.join("sources", pin.insideArchive.file)]);
});
