// Cache clients for the tests: fake-VM sessions (test/fixtures/fake-vm.ts) that share one recipes
// folder, each with its own temp home, and a StageCache built through the same settings code the
// CLI uses, so credentials arrive the way they do in CI: from the environment.
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { cacheSettings } from "../../src/cache/settings.js";
import { StageCache } from "../../src/cache/stage-cache.js";
import { buildTarget } from "../../src/stages/chain.js";
import type { StoreRequest } from "../../src/store/store-mode.js";
import { listEntries } from "../../src/store/store.js";
import { fakeSession, tempRoot, writeStage, type FakeRun, type FakeSession } from "../fixtures/fake-vm.js";
import { startNginx } from "./nginx.js";

export interface Client extends FakeSession {
  cache: StageCache;
}

export interface ClientOptions {
  url: string;
  /** The recipes every client shares (same input hashes). */
  recipes: string;
  /** Default: recipes/lock.json, shared. A separate lock makes the stages unlocked for this client. */
  lockFile?: string;
  push?: boolean;
  env?: Record<string, string>;
  runs?: Record<string, FakeRun>;
  attempts?: number;
  timeoutMs?: number;
  /** How new entries (builds and pulls) are kept: the poisoned-server cases run with both. */
  store?: StoreRequest;
}

/** A client with an empty home under `root`. */
export async function client(root: string, opts: ClientOptions): Promise<Client> {
  const session = await fakeSession(root, { runs: opts.runs });
  const settings = cacheSettings({ url: opts.url, push: opts.push, recipesRoot: opts.recipes, env: opts.env ?? {} })!;
  settings.attempts = opts.attempts ?? 2;
  settings.timeoutMs = opts.timeoutMs ?? 5_000;
  const cache = new StageCache(settings, session.log);
  return { ...session, recipesRoot: opts.recipes, lockFile: opts.lockFile ?? path.join(opts.recipes, "lock.json"), cache, ...(opts.store ? { store: opts.store } : {}) };
}

/** Two stages, 1-top on 0-base, whose fake builds write a small tree; `tag` keeps their input
 *  hashes apart from other tests' (each test also has its own server). */
export async function twoStages(recipes: string, tag: string): Promise<Record<string, FakeRun>> {
  await writeStage(recipes, "0-base");
  await writeStage(recipes, "1-top", { inputs: ["0-base"] });
  await fs.writeFile(path.join(recipes, "0-base", "tag.txt"), `${tag}\n`);
  return {
    "0-base": { files: { "bin/tool": `#!tool ${tag}\n`, "share/doc/README": "base\n" } },
    "1-top": { files: { "lib/libtop.a": `top ${tag}\n` } },
  };
}

export function warnings(lines: string[]): string[] {
  return lines.filter((line) => line.startsWith("warning:"));
}

/** nginx, a recipes folder with twoStages, and a client that built both and pushed them (its
 *  records signed with `signingKeyFile` if given); all removed after the test. */
export async function pushedPair(t: { after(fn: () => Promise<void>): void }, tag: string, pusherOptions: { signingKeyFile?: string } = {}) {
  const nginx = await startNginx();
  const root = await tempRoot(`cache-${tag}`);
  t.after(async () => {
    await nginx.stop();
    await fs.rm(root, { recursive: true, force: true });
  });
  const recipes = path.join(root, "recipes");
  const runs = await twoStages(recipes, tag);
  const env = { ...nginx.pushEnv, ...(pusherOptions.signingKeyFile ? { ZILCHBOOT_CACHE_SIGNING_KEY: pusherOptions.signingKeyFile } : {}) };
  const pusher = await client(path.join(root, "pusher"), { url: nginx.url, recipes, push: true, env, runs });
  const top = await buildTarget(pusher, "1-top");
  const [base] = await listEntries(pusher.home);
  return { nginx, root, recipes, runs, pusher, base, top };
}

/** A static x86_64 program in `dir` for --seed: the CLI checks the seed is one, and fake builds
 *  only hash it. */
export async function staticSeed(dir: string): Promise<string> {
  await fs.writeFile(path.join(dir, "seed.c"), "int main(void) { return 0; }\n");
  const seed = path.join(dir, "seed");
  execFileSync("cc", ["-static", "-o", seed, path.join(dir, "seed.c")]);
  return seed;
}
