// `zilchboot cache-check` through the CLI: against a real nginx (reads, writes with and without the
// credential, what it holds of the chain), a server that answers 404 to everything, and one that
// does not implement PUT (a local node:http server: nginx cannot be made to lie like that).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { test } from "node:test";
import { buildTarget } from "../../src/stages/chain.js";
import { tempRoot } from "../fixtures/fake-vm.js";
import { client, staticSeed, twoStages } from "../helpers/cache-clients.js";
import { zilchboot } from "../helpers/child-env.js";
import { startNginx } from "../helpers/nginx.js";

test("cache-check says what the server answered, that writes come back, and which stages it holds", async (t) => {
  const nginx = await startNginx();
  const root = await tempRoot("cache-check");
  t.after(async () => {
    await nginx.stop();
    await fs.rm(root, { recursive: true, force: true });
  });
  const seed = await staticSeed(root);
  const recipes = path.join(root, "recipes");
  const runs = await twoStages(recipes, "check");
  const pusher = await client(path.join(root, "pusher"), { url: nginx.url, recipes, push: true, env: nginx.pushEnv, runs });
  await fs.copyFile(seed, path.join(root, "pusher", "provided", "seed-x86_64"));
  await buildTarget(pusher, "0-base");
  const env = { ZILCHBOOT_HOME: path.join(root, "home"), ZILCHBOOT_RECIPES: recipes };

  const reads = await zilchboot(["cache-check", "1-top", "--seed", seed, "--cache", nginx.url], env);
  assert.equal(reads.exitCode, 0, reads.stderr);
  const lines = reads.stdout.split("\n");
  assert.match(lines[0], /^reads: http:\/\/127\.0\.0\.1:\d+\/ answers \(HEAD cas\/[0-9a-f]{64}: 404\)$/);
  assert.equal(lines[1], "holds: 1 of the 2 stages up to 1-top that this store lacks and whose input hash is known (0-base); 0 more are in the store");
  assert.equal(lines.length, 2, reads.stdout);

  const writes = await zilchboot(["cache-check", "1-top", "--seed", seed, "--cache", nginx.url, "--cache-push"], { ...env, ...nginx.pushEnv });
  assert.equal(writes.exitCode, 0, writes.stderr);
  assert.match(writes.stdout, /^writes: stored 30 bytes under cas\/[0-9a-f]{64} and read them back$/m);
  const again = await zilchboot(["cache-check", "1-top", "--seed", seed, "--cache", nginx.url], env);
  assert.match(again.stdout, /^reads: .* \(HEAD cas\/[0-9a-f]{64}: 200, an earlier check's probe\)$/m);

  const anonymous = await zilchboot(["cache-check", "1-top", "--seed", seed, "--cache", nginx.url, "--cache-push"], env);
  assert.equal(anonymous.exitCode, 1);
  assert.match(anonymous.stdout, /^writes: FAILED: the server answered PUT cas\/[0-9a-f]{64}: HTTP 401 Unauthorized \(the write credential: ZILCHBOOT_CACHE_USER\/ZILCHBOOT_CACHE_PASSWORD or ZILCHBOOT_CACHE_TOKEN\)$/m);
  assert.match(anonymous.stderr, /^zilchboot: cache http:\/\/127\.0\.0\.1:\d+\/ does not work for reads and writes \(see above\); /);
});

/** A server answering every GET and HEAD with 404 and every PUT with `putStatus`; counts requests. */
async function liar(t: { after(fn: () => Promise<void>): void }, putStatus: number) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.method ?? "?");
    req.resume();
    res.writeHead(req.method === "PUT" ? putStatus : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests };
}

test("a server that answers 404 to everything is named as a possible wrong URL; one without PUT fails the check at once", async (t) => {
  const root = await tempRoot("cache-check-liar");
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const recipes = path.join(root, "recipes");
  await twoStages(recipes, "liar");
  const env = { ZILCHBOOT_HOME: path.join(root, "home"), ZILCHBOOT_RECIPES: recipes };
  const seed = await staticSeed(root);

  const empty = await liar(t, 201);
  const check = await zilchboot(["cache-check", "1-top", "--seed", seed, "--cache", empty.url], env);
  assert.equal(check.exitCode, 0, check.stderr);
  assert.match(check.stdout, /^holds: 0 of the 1 stages up to 1-top .*\nnote: an empty cache looks like this, and so does a URL whose server answers 404 to everything \(http:\/\/127\.0\.0\.1:\d+\/ac\/[0-9a-f]{64} for 0-base\): check the URL if entries were pushed$/m);

  const noPut = await liar(t, 501);
  const writes = await zilchboot(["cache-check", "1-top", "--seed", seed, "--cache", noPut.url, "--cache-push"], { ...env, ZILCHBOOT_CACHE_TOKEN: "t" });
  assert.equal(writes.exitCode, 1);
  assert.match(writes.stdout, /^writes: FAILED: the server answered PUT cas\/[0-9a-f]{64}: HTTP 501 Not Implemented \(the server does not take PUT: WebDAV off\?\)$/m);
  assert.equal(noPut.requests.filter((m) => m === "PUT").length, 1, "501 is not retried");
});
