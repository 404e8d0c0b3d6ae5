// The shared cache against a real server (Debian's nginx with WebDAV PUT and a write credential):
// what one client builds and pushes, another pulls into an empty home without booting anything;
// `plan` says local / remote / build; pushing needs the credential; two clients may push at once.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { acPath } from "../../src/cache/cache-record.js";
import { buildTarget, planTarget, verifyTarget } from "../../src/stages/chain.js";
import { verdictWord } from "../../src/stages/plan.js";
import { listEntries } from "../../src/store/store.js";
import { tempRoot } from "../fixtures/fake-vm.js";
import { client, twoStages, warnings } from "../helpers/cache-clients.js";
import { startNginx } from "../helpers/nginx.js";

test("a stage pushed by one client is pulled into an empty home by another: no VM boots, nothing is provided; verify rebuilds its own stage", async (t) => {
  const nginx = await startNginx();
  const root = await tempRoot("cache-pull");
  t.after(async () => {
    await nginx.stop();
    await fs.rm(root, { recursive: true, force: true });
  });
  const recipes = path.join(root, "recipes");
  const runs = await twoStages(recipes, "pull");
  const pusher = await client(path.join(root, "a"), { url: nginx.url, recipes, push: true, env: nginx.pushEnv, runs });
  const built = await buildTarget(pusher, "1-top");
  assert.deepEqual(pusher.backend.booted(), ["0-base", "1-top"]);
  assert.deepEqual(warnings(pusher.lines), []);
  assert.equal(pusher.lines.filter((l) => / pushed to /.test(l)).length, 2, pusher.lines.join("\n"));

  const fresh = await client(path.join(root, "b"), { url: nginx.url, recipes });
  // The top comes from the cache, so nothing needs the base here: it is neither pulled nor built.
  assert.deepEqual((await planTarget(fresh, "1-top")).map((s) => verdictWord(s.verdict)), ["skip", "remote"]);
  const pulled = await buildTarget(fresh, "1-top");
  assert.deepEqual(fresh.backend.boots, [], "no VM booted");
  assert.deepEqual(fresh.provision.counts, { seed: 0, kernel: 0, sources: 0 }, "no seed, kernel or source was provided");
  assert.deepEqual(warnings(fresh.lines), []);
  assert.ok(fresh.lines.includes("0-base: skipped (not needed: 1-top comes from the store or the shared cache)"), fresh.lines.join("\n"));
  assert.equal(pulled.record.outputSha256, built.record.outputSha256);
  assert.equal(pulled.record.inputHash, built.record.inputHash);
  assert.deepEqual((await listEntries(fresh.home)).map((e) => [e.record.stage, e.record.engine, e.record.pulled?.from]), [["1-top", "cache", nginx.url]]);
  // Asked for, the base is pulled.
  await buildTarget(fresh, "0-base");
  const entries = await listEntries(fresh.home);
  assert.deepEqual(entries.map((e) => [e.record.stage, e.record.engine, e.record.pulled?.from]), [["0-base", "cache", nginx.url], ["1-top", "cache", nginx.url]]);
  assert.equal(await fs.readFile(path.join(entries[0].outDir, "bin", "tool"), "utf8"), "#!tool pull\n");
  assert.deepEqual(fresh.backend.boots, [], "still no VM booted");
  assert.deepEqual(await fs.readdir(path.join(fresh.home, "runs")), [], "no temp files left");
  assert.deepEqual((await planTarget(fresh, "1-top")).map((s) => verdictWord(s.verdict)), ["local", "local"]);

  // verify pulls inputs but always rebuilds the stage it verifies.
  const verifier = await client(path.join(root, "v"), { url: nginx.url, recipes, runs });
  const verified = await verifyTarget(verifier, "1-top");
  assert.equal(verified.output, built.record.outputSha256);
  assert.deepEqual(verifier.backend.booted(), ["1-top"]);
  assert.deepEqual((await listEntries(verifier.home)).map((e) => [e.record.stage, e.record.engine]), [["0-base", "cache"]]);

  // A new recipe for the top stage: the cache has the base, and nothing for the new top.
  await fs.writeFile(path.join(recipes, "1-top", "main.c"), "/* changed */\n");
  const third = await client(path.join(root, "c"), { url: nginx.url, recipes });
  assert.deepEqual((await planTarget(third, "1-top")).map((s) => verdictWord(s.verdict)), ["remote", "build"]);
});

test("pushing needs the write credential: without it the build succeeds with one warning line and the cache stays empty", async (t) => {
  const nginx = await startNginx();
  const root = await tempRoot("cache-anon");
  t.after(async () => {
    await nginx.stop();
    await fs.rm(root, { recursive: true, force: true });
  });
  const recipes = path.join(root, "recipes");
  const runs = await twoStages(recipes, "anon");
  const anonymous = await client(path.join(root, "a"), { url: nginx.url, recipes, push: true, runs });
  await buildTarget(anonymous, "0-base");
  const lines = warnings(anonymous.lines);
  assert.equal(lines.length, 1, anonymous.lines.join("\n"));
  assert.match(lines[0], /0-base: cache http:\/\/127\.0\.0\.1:\d+\/ refused to push it: PUT cas\/[0-9a-f]{64}: HTTP 401 Unauthorized \(check ZILCHBOOT_CACHE_USER/);
  assert.deepEqual(await fs.readdir(nginx.dataDir), []);
});

test("a machine whose build does not reproduce the locked output pushes nothing: the honest record and blob stay", async (t) => {
  const nginx = await startNginx();
  const root = await tempRoot("cache-nonrepro");
  t.after(async () => {
    await nginx.stop();
    await fs.rm(root, { recursive: true, force: true });
  });
  const recipes = path.join(root, "recipes");
  const runs = await twoStages(recipes, "honest");
  const honest = await client(path.join(root, "honest"), { url: nginx.url, recipes, push: true, env: nginx.pushEnv, runs });
  const locked = await buildTarget(honest, "0-base");
  const recordFile = path.join(nginx.dataDir, acPath("0-base", locked.record.inputHash));
  const before = await fs.readFile(recordFile);
  const blobsBefore = await fs.readdir(path.join(nginx.dataDir, "cas"));

  // The same recipes on a machine that builds other bytes (its own lock, so the build itself
  // succeeds), with the write credential: offered under the shared lock's output, it is not pushed.
  const drifting = await client(path.join(root, "drifting"), {
    url: nginx.url, recipes, push: true, env: nginx.pushEnv, lockFile: path.join(root, "drifting.lock.json"),
    runs: { ...runs, "0-base": { files: { "bin/tool": "#!tool drifted\n" } } },
  });
  const drifted = await buildTarget({ ...drifting, cache: null }, "0-base");
  assert.equal(drifted.record.inputHash, locked.record.inputHash, "same inputs");
  assert.notEqual(drifted.record.outputSha256, locked.record.outputSha256, "other output");
  await drifting.cache.push(drifted, locked.record.outputSha256);
  assert.deepEqual(await fs.readFile(recordFile), before, "the honest record is unchanged");
  assert.deepEqual(await fs.readdir(path.join(nginx.dataDir, "cas")), blobsBefore, "no blob was uploaded");
  assert.deepEqual(drifting.lines.filter((l) => / pushed to /.test(l)), []);
  assert.deepEqual(warnings(drifting.lines), []);
});

test("two clients pushing the same stage at once both succeed, and the server holds one valid entry", async (t) => {
  const nginx = await startNginx();
  const root = await tempRoot("cache-race");
  t.after(async () => {
    await nginx.stop();
    await fs.rm(root, { recursive: true, force: true });
  });
  const recipes = path.join(root, "recipes");
  const runs = await twoStages(recipes, "race");
  const [one, two] = await Promise.all(["a", "b"].map((name) => client(path.join(root, name), { url: nginx.url, recipes, push: true, env: nginx.pushEnv, runs })));
  // Built first without the cache, so the two pushes start together.
  const entries = await Promise.all([one, two].map((c) => buildTarget({ ...c, cache: null }, "0-base")));
  assert.equal(entries[0].record.outputSha256, entries[1].record.outputSha256);
  const locked = entries[0].record.outputSha256;
  await Promise.all([one.cache.push(entries[0], locked), two.cache.push(entries[1], locked)]);
  for (const c of [one, two]) {
    assert.deepEqual(warnings(c.lines), []);
    assert.equal(c.lines.filter((l) => /^0-base: pushed to /.test(l)).length, 1, c.lines.join("\n"));
  }
  assert.equal((await fs.readdir(path.join(nginx.dataDir, "cas"))).length, 1, "both uploaded the same archive bytes under one key");
  assert.ok(await fs.stat(path.join(nginx.dataDir, acPath("0-base", entries[0].record.inputHash))));

  const reader = await client(path.join(root, "c"), { url: nginx.url, recipes });
  const pulled = await buildTarget(reader, "0-base");
  assert.deepEqual(reader.backend.boots, []);
  assert.equal(pulled.record.outputSha256, locked);
});

test("an archive store pushes its out.tar as the blob and pulls the checked blob as out.tar; a tree store pulls the same entry as a directory", async (t) => {
  const nginx = await startNginx();
  const root = await tempRoot("cache-archive");
  t.after(async () => {
    await nginx.stop();
    await fs.rm(root, { recursive: true, force: true });
  });
  const recipes = path.join(root, "recipes");
  const runs = await twoStages(recipes, "archive");
  const pusher = { ...(await client(path.join(root, "a"), { url: nginx.url, recipes, push: true, env: nginx.pushEnv, runs })), store: "archive" as const };
  const built = await buildTarget(pusher, "0-base");
  assert.ok(built.archive, "stored as an archive");
  assert.deepEqual(warnings(pusher.lines), []);
  assert.ok(pusher.lines.some((l) => /0-base: pushed to /.test(l)), pusher.lines.join("\n"));

  const archived = { ...(await client(path.join(root, "b"), { url: nginx.url, recipes })), store: "archive" as const };
  const pulled = await buildTarget(archived, "0-base");
  assert.deepEqual(archived.backend.boots, [], "no VM booted");
  assert.deepEqual(warnings(archived.lines), []);
  assert.equal(pulled.record.engine, "cache");
  assert.deepEqual((await fs.readdir(pulled.dir)).sort(), ["out.tar", "record.json"]);
  assert.ok((await fs.readFile(pulled.archive!)).equals(await fs.readFile(built.archive!)), "the blob, byte for byte");
  assert.deepEqual(pulled.record.manifest, built.record.manifest);

  const tree = await client(path.join(root, "c"), { url: nginx.url, recipes });
  const unpacked = await buildTarget(tree, "0-base");
  assert.equal(unpacked.archive, null);
  assert.equal(unpacked.record.outputSha256, built.record.outputSha256);
  assert.equal(await fs.readFile(path.join(unpacked.outDir, "bin", "tool"), "utf8"), "#!tool archive\n");
});
