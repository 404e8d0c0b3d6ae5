// Where zilchboot keeps things: the package root found by its manifest, and per-OS user folders.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { cacheDir, dataDir, findPackageRoot, imagesDir, oldVariableWarnings, recipesDir, repoRoot, workDir } from "../src/paths.js";
import { tempDir } from "./helpers/provisioned.js";

test("the package root is the folder whose package.json is named zilchboot", async () => {
  assert.equal(JSON.parse(await fs.readFile(path.join(repoRoot, "package.json"), "utf8")).name, "zilchboot");
  await fs.access(path.join(repoRoot, "recipes", "lock.json"));
});

test("findPackageRoot works for a checkout under a folder named dist, from src/ and dist/src/", async (t) => {
  const root = await tempDir("paths");
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const checkout = path.join(root, "dist", "work", "zilchboot");
  await fs.mkdir(path.join(checkout, "dist", "src", "vm"), { recursive: true });
  await fs.mkdir(path.join(checkout, "src"), { recursive: true });
  await fs.writeFile(path.join(checkout, "package.json"), JSON.stringify({ name: "zilchboot" }));
  // A manifest of another package on the way up is not ours.
  await fs.writeFile(path.join(checkout, "dist", "package.json"), JSON.stringify({ name: "something-else" }));
  assert.equal(findPackageRoot(path.join(checkout, "src")), checkout);
  assert.equal(findPackageRoot(path.join(checkout, "dist", "src", "vm")), checkout);
  assert.throws(() => findPackageRoot(root), /no package\.json named "zilchboot" at or above/);
});

test("store, logs and runs live in the user's data directory unless ZILCHBOOT_HOME says otherwise", () => {
  const home = os.homedir();
  assert.equal(workDir({}, "linux"), path.join(home, ".local", "share", "zilchboot"));
  assert.equal(workDir({ XDG_DATA_HOME: "/data" }, "linux"), path.join("/data", "zilchboot"));
  assert.equal(workDir({}, "darwin"), path.join(home, "Library", "Application Support", "zilchboot"));
  assert.equal(dataDir({ LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, "win32"), path.join("C:\\Users\\u\\AppData\\Local", "zilchboot"));
  assert.equal(workDir({ ZILCHBOOT_HOME: "/tmp/zh" }, "linux"), "/tmp/zh");
  assert.ok(!workDir({}, "linux").startsWith(repoRoot + path.sep), "never inside the package");
});

test("images default to the cache directory, never the package; ZILCHBOOT_IMAGES overrides", () => {
  assert.equal(imagesDir({ XDG_CACHE_HOME: "/c" }, "linux"), path.join("/c", "zilchboot", "images"));
  assert.equal(imagesDir({ ZILCHBOOT_DOWNLOADS: "/cache" }, "linux"), path.join("/cache", "images"));
  assert.equal(imagesDir({ ZILCHBOOT_IMAGES: "/img" }, "linux"), "/img");
  assert.equal(cacheDir({}, "darwin"), path.join(os.homedir(), "Library", "Caches", "zilchboot"));
  assert.ok(!imagesDir({}, "linux").startsWith(repoRoot + path.sep));
});

test("ZILCHBOOT_DOWNLOADS moves the download cache; its old name ZILCHBOOT_CACHE still works, with one warning line", () => {
  assert.equal(cacheDir({ ZILCHBOOT_DOWNLOADS: "/d" }, "linux"), "/d");
  assert.equal(cacheDir({ ZILCHBOOT_CACHE: "/old" }, "linux"), "/old");
  assert.equal(cacheDir({ ZILCHBOOT_CACHE: "/old", ZILCHBOOT_DOWNLOADS: "/d" }, "linux"), "/d", "the new name wins");
  assert.deepEqual(oldVariableWarnings({ ZILCHBOOT_DOWNLOADS: "/d" }), []);
  const [line, ...rest] = oldVariableWarnings({ ZILCHBOOT_CACHE: "/old" });
  assert.deepEqual(rest, []);
  assert.match(line, /^warning: ZILCHBOOT_CACHE is now ZILCHBOOT_DOWNLOADS .*the old name still works; rename it$/);
  assert.match(oldVariableWarnings({ ZILCHBOOT_CACHE: "/old", ZILCHBOOT_DOWNLOADS: "/d" })[0], /ZILCHBOOT_DOWNLOADS, also set, wins/);
});

test("recipes come from the package unless ZILCHBOOT_RECIPES says otherwise", () => {
  assert.equal(recipesDir({}), path.join(repoRoot, "recipes"));
  assert.equal(recipesDir({ ZILCHBOOT_RECIPES: "/r" }), "/r");
});
