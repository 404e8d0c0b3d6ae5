// The one "publish a directory or lose the race" helper behind the store, kernel, seed and unpack caches.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { publishDir } from "../../src/store/publish.js";
import { tempHome } from "../helpers/store-entries.js";

async function dirWith(dir: string, text: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, "file"), text);
  return dir;
}

test("publishing onto an existing directory loses the race: the winner stays whole and the loser is deleted", async (t) => {
  const home = await tempHome(t, "publish");
  const target = path.join(home, "cache", "key");
  assert.equal(await publishDir(await dirWith(path.join(home, "a"), "first"), target), "published");
  const loser = await dirWith(path.join(home, "b"), "second");
  assert.equal(await publishDir(loser, target), "lost");
  assert.equal(await fs.readFile(path.join(target, "file"), "utf8"), "first");
  assert.equal(await fs.stat(loser).catch(() => null), null);
  const kept = await dirWith(path.join(home, "c"), "third");
  assert.equal(await publishDir(kept, target, { keepLoser: true }), "lost");
  assert.equal(await fs.readFile(path.join(kept, "file"), "utf8"), "third", "kept for a caller that still needs it");
});
