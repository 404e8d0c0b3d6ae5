// provideStageSources with a pin that only an alternative file can serve: the stage sees the pin's
// name and layout (a file under the pin's file name, or a tree with the stage's strip), the pin's
// sha256 (the input hash), and which file was used. A local http server; no network, no VM.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { provideStageSources } from "../src/provision.js";
import type { StageRecipe } from "../src/stages/recipe.js";
import { hashTree } from "../src/store/tree-hash.js";
import { alternative, alternativeFixture } from "./fixtures/sources/alternatives.js";
import { serve, tempDir } from "./fixtures/sources/helpers.js";

test("a stage is served an alternative in the pin's name and layout, with the pin's sha256 and the file it came from", async (t) => {
  const fx = await alternativeFixture(t);
  const gnu = await fx.other("pkg-1.0.tar.bz2", "pkg-1.0", { extraDoc: true });
  const server = await serve({ "/pkg-1.0.tar.bz2": gnu.bytes });
  t.after(() => server.close());
  const recipes = await tempDir(t, "recipes");
  const pin = { ...fx.pin, alternatives: [alternative({ file: "pkg-1.0.tar.bz2", sha256: gnu.sha256, urls: [`${server.url}/pkg-1.0.tar.bz2`], treeSha256: fx.treeSha256, drop: ["doc"] })] };
  delete (pin as { origin?: string }).origin;
  await fs.writeFile(path.join(recipes, "sources.json"), JSON.stringify({ sources: [pin] }));
  const cache = await tempDir(t, "cache");
  const saved = { recipes: process.env.ZILCHBOOT_RECIPES, cache: process.env.ZILCHBOOT_CACHE };
  process.env.ZILCHBOOT_RECIPES = recipes;
  process.env.ZILCHBOOT_CACHE = cache;
  t.after(() => {
    for (const [key, value] of [["ZILCHBOOT_RECIPES", saved.recipes], ["ZILCHBOOT_CACHE", saved.cache]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  const opts = { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: 1 };
  const used = { file: "pkg-1.0.tar.bz2", sha256: gnu.sha256, alternative: 0, treeSha256: fx.treeSha256 };

  const asFile = await provideStageSources({ sources: [{ pin: "pkg", strip: 0 }] } as unknown as StageRecipe, opts);
  assert.equal(asFile.pkg.servedAs, "pkg-dfsg-1.0.tar.xz");
  assert.equal(asFile.pkg.sha256, fx.pin.sha256);
  assert.deepEqual(asFile.pkg.used, used);

  const asTree = await provideStageSources({ sources: [{ pin: "pkg", unpackAs: "pkg", strip: 1 }] } as unknown as StageRecipe, opts);
  assert.equal(asTree.pkg.servedAs, "pkg");
  assert.deepEqual(asTree.pkg.used, used);
  assert.deepEqual((await fs.readdir(asTree.pkg.path)).sort(), ["README", "configure", "main.c", "src"]);
  // Byte for byte the pin's own tree (stripped the same way).
  const own = path.join(fx.work, "own", "pkg-1.0");
  assert.equal((await hashTree(asTree.pkg.path)).sha256, (await hashTree(own)).sha256);
});
