// Needs the network (apt-get source of every pin with alternatives: hundreds of MB), so `npm run
// test:slow`: every alternative's treeSha256 is the tree of its pin's own file. The own files come
// the way a build gets them (the download cache, else apt), never from the alternatives being
// checked. Deliberately not skipped when a file cannot be had: where it runs, it must prove this
// for every pin (test/recipes/sources-static.test.ts checks the check on a fixture).
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { cacheDir, repoRoot } from "../src/paths.js";
import { ensureSource } from "../src/sources/fetch.js";
import { loadPins } from "../src/sources/pins.js";
import { alternativeTreeProblems } from "../test/helpers/recipe-checks.js";

test("every alternative's treeSha256 is the tree of its pin's own file", async (t) => {
  const pins = (await loadPins(path.join(repoRoot, "recipes", "sources.json"))).filter((pin) => pin.alternatives?.length);
  assert.ok(pins.length > 0, "sources.json has pins with alternatives");
  const cache = cacheDir();
  for (const pin of pins) {
    // Without its alternatives, only the pin's own providers can satisfy it: its own bytes.
    await ensureSource({ ...pin, alternatives: [] }, { cacheDir: cache, log: (line) => t.diagnostic(line) });
  }
  const { problems, checked, unchecked } = await alternativeTreeProblems(pins, cache);
  assert.deepEqual(unchecked, [], "own files missing from the download cache after fetching them");
  assert.deepEqual(checked.sort(), pins.map((pin) => pin.name).sort());
  assert.deepEqual(problems, []);
});
