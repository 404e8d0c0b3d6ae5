// A cache that is down never fails a build: it is skipped with one warning line, and a download
// cut short leaves nothing in the store but what the local build then makes.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { buildTarget, planTarget } from "../../src/stages/chain.js";
import { verdictWord } from "../../src/stages/plan.js";
import { listEntries } from "../../src/store/store.js";
import { tempRoot } from "../fixtures/fake-vm.js";
import { client, twoStages, warnings } from "../helpers/cache-clients.js";
import { dyingCache } from "../helpers/dying-cache.js";
import { freePort, startNginx } from "../helpers/nginx.js";

test("a server that dies mid-download: one warning line, every stage is built, nothing half-written stays", async (t) => {
  const nginx = await startNginx();
  const root = await tempRoot("cache-dying");
  const dying = await dyingCache(nginx.dataDir);
  t.after(async () => {
    await dying.close();
    await nginx.stop();
    await fs.rm(root, { recursive: true, force: true });
  });
  const recipes = path.join(root, "recipes");
  const runs = await twoStages(recipes, "dying");
  const pusher = await client(path.join(root, "pusher"), { url: nginx.url, recipes, push: true, env: nginx.pushEnv, runs });
  const top = await buildTarget(pusher, "1-top");

  const reader = await client(path.join(root, "reader"), { url: dying.url, recipes, runs, attempts: 2 });
  const built = await buildTarget(reader, "1-top");
  assert.equal(built.record.outputSha256, top.record.outputSha256);
  assert.deepEqual(reader.backend.booted(), ["0-base", "1-top"]);
  assert.equal(dying.cut, 2, "both attempts at the first blob were cut; the cache was then skipped");
  const lines = warnings(reader.lines);
  assert.equal(lines.length, 1, reader.lines.join("\n"));
  assert.match(lines[0], /^warning: cache http:\/\/127\.0\.0\.1:\d+\/ is unreachable \(GET cas\/[0-9a-f]{64}: .* after \d+ bytes \(2 attempts\)\); going on without it for the rest of this run$/);
  const entries = await listEntries(reader.home);
  assert.deepEqual(entries.map((e) => e.record.engine), ["fake fake", "fake fake"], "both built here");
  assert.deepEqual((await fs.readdir(path.join(reader.home, "store"))).sort(), [".locks", ...entries.map((e) => path.basename(e.dir))].sort(), "nothing else in the store");
  assert.deepEqual(await fs.readdir(path.join(reader.home, "runs")), []);
});

test("a server that is not there: one warning line for the whole run, plan says build, the build succeeds", async (t) => {
  const root = await tempRoot("cache-gone");
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const recipes = path.join(root, "recipes");
  const runs = await twoStages(recipes, "gone");
  const url = `http://127.0.0.1:${await freePort()}/`;
  const planner = await client(path.join(root, "planner"), { url, recipes, runs });
  // Nothing is locked here, so the top's input hash waits for the base's output.
  assert.deepEqual((await planTarget(planner, "1-top")).map((s) => verdictWord(s.verdict)), ["build", "unknown-until-inputs-built"]);
  assert.equal(warnings(planner.lines).length, 1);
  const builder = await client(path.join(root, "builder"), { url, recipes, runs, push: true, env: { ZILCHBOOT_CACHE_TOKEN: "t" } });
  await buildTarget(builder, "1-top");
  assert.deepEqual(builder.backend.booted(), ["0-base", "1-top"]);
  const lines = warnings(builder.lines);
  assert.equal(lines.length, 1, builder.lines.join("\n"));
  assert.match(lines[0], /is unreachable \(GET ac\/[0-9a-f]{64}: connection refused \(2 attempts\)\); going on without it/);
});
