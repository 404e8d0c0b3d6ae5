// The cache through the CLI: `plan --cache` says local / remote / build against a real nginx, bad
// settings are one usage line (exit 2) before anything runs, and `cache-keygen` writes a key and
// prints the line for recipes/cache-keys.json.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { buildTarget } from "../../src/stages/chain.js";
import { tempRoot } from "../fixtures/fake-vm.js";
import { client, staticSeed, twoStages } from "../helpers/cache-clients.js";
import { zilchboot } from "../helpers/child-env.js";
import { startNginx } from "../helpers/nginx.js";

test("plan --cache prints remote for what the cache holds, local once pulled, build for the rest", async (t) => {
  const nginx = await startNginx();
  const root = await tempRoot("cache-cli");
  t.after(async () => {
    await nginx.stop();
    await fs.rm(root, { recursive: true, force: true });
  });
  const seed = await staticSeed(root);
  const recipes = path.join(root, "recipes");
  const runs = await twoStages(recipes, "cli");
  const pusher = await client(path.join(root, "pusher"), { url: nginx.url, recipes, push: true, env: nginx.pushEnv, runs });
  await fs.copyFile(seed, path.join(root, "pusher", "provided", "seed-x86_64"));
  await buildTarget(pusher, "0-base");

  const env = { ZILCHBOOT_HOME: path.join(root, "home"), ZILCHBOOT_RECIPES: recipes };
  const plan = await zilchboot(["plan", "1-top", "--seed", seed, "--cache", nginx.url], env);
  assert.equal(plan.exitCode, 0, plan.stderr);
  const lines = plan.stdout.split("\n");
  assert.match(lines[0], new RegExp(`^0-base +remote +input [0-9a-f]{16} +out [0-9a-f]{16} +${nginx.url.replaceAll(".", "\\.")} has it \\(its output is the locked one\\)$`));
  assert.match(lines[1], /^1-top +build +input [0-9a-f]{16} +out \? +not in the store, not in the lock$/);
  assert.equal(plan.stderr, "");
  const viaEnv = await zilchboot(["plan", "1-top", "--seed", seed], { ...env, ZILCHBOOT_CACHE_URL: nginx.url });
  assert.equal(viaEnv.stdout, plan.stdout, "ZILCHBOOT_CACHE_URL stands in for --cache");
  const without = await zilchboot(["plan", "1-top", "--seed", seed], env);
  assert.match(without.stdout, /^0-base +build /);
});

test("bad cache settings are one usage line and exit 2, before anything is built", async (t) => {
  const root = await tempRoot("cache-cli-usage");
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const env = { ZILCHBOOT_HOME: path.join(root, "home") };
  const credentials = await zilchboot(["build", "0-smoke", "--cache", "http://ci:secret@127.0.0.1:9/"], env);
  assert.equal(credentials.exitCode, 2);
  assert.equal(credentials.stderr, "zilchboot: --cache must not carry credentials (a URL on the command line is visible to every user of this machine); drop the user:password@ part and set ZILCHBOOT_CACHE_USER and ZILCHBOOT_CACHE_PASSWORD (or ZILCHBOOT_CACHE_TOKEN)");
  const pushOnly = await zilchboot(["verify", "0-smoke", "--cache-push"], env);
  assert.equal(pushOnly.exitCode, 2);
  assert.match(pushOnly.stderr, /^zilchboot: --cache-push needs a cache: pass --cache URL or set ZILCHBOOT_CACHE_URL; e\.g\. /);
  const planPush = await zilchboot(["plan", "--cache-push"], env);
  assert.equal(planPush.exitCode, 2);
  assert.match(planPush.stderr, /^zilchboot: plan does not take --cache-push \(it takes: --cache, --help, --seed, --verbose\)/);
  const badKey = await zilchboot(["build", "0-smoke", "--cache", "http://127.0.0.1:9/", "--cache-push"], { ...env, ZILCHBOOT_CACHE_SIGNING_KEY: path.join(root, "none.pem") });
  assert.equal(badKey.exitCode, 2);
  assert.match(badKey.stderr, /^zilchboot: cannot read the cache signing key .*none\.pem \(ENOENT\); point ZILCHBOOT_CACHE_SIGNING_KEY at the file/);
  await assert.rejects(fs.access(path.join(root, "home")), "nothing was created");
});

test("cache-keygen writes a private key (0600) once and prints the keys-file entry", async (t) => {
  const root = await tempRoot("cache-keygen");
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const file = path.join(root, "ci.pem");
  const made = await zilchboot(["cache-keygen", file, "--name", "ci 2026"]);
  assert.equal(made.exitCode, 0, made.stderr);
  const entry = JSON.parse(made.stdout) as { name: string; publicKey: string };
  assert.equal(entry.name, "ci 2026");
  assert.match(entry.publicKey, /^ed25519:[A-Za-z0-9+/]{43}=$/);
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  assert.match(await fs.readFile(file, "utf8"), /^-----BEGIN PRIVATE KEY-----/);
  const again = await zilchboot(["cache-keygen", file]);
  assert.equal(again.exitCode, 2);
  assert.match(again.stderr, /^zilchboot: cannot write .*ci\.pem \(EEXIST\); it exists: keep it, or remove it first$/);
  const keys = path.join(root, "cache-keys.json");
  await fs.writeFile(keys, JSON.stringify({ keys: [entry] }));
  const { readTrustedKeys } = await import("../../src/cache/signing.js");
  assert.equal((await readTrustedKeys(keys))[0].name, "ci 2026");
});
