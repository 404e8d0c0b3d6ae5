// The checkout's source pins against what they claim, without building or downloading anything
// (and without stage 1, unlike static.test.ts): which pins still need apt, and whether every
// alternative's treeSha256 is the tree of the pin's own file where the download cache holds it.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { cacheDir, repoRoot } from "../../src/paths.js";
import { loadPins } from "../../src/sources/pins.js";
import { aptOnlyPins, alternativeTreeProblems } from "../helpers/recipe-checks.js";

const PINS = path.join(repoRoot, "recipes", "sources.json");

// Each with the reason it has no upstream url nor alternative yet; shrink this list, never grow it
// without one.
const APT_ONLY: Record<string, string> = {
  linux: "Debian's patched tree is another kernel than kernel.org's; hosts without apt take the kernel from a kit (kit import) or pass --kernel",
  gmp: "Debian's +dfsg repack was autoreconf'ed: GNU's tree differs in configure and every Makefile.in, which the build runs",
};

test("every pin but the listed ones can be had without apt (its own urls or an alternative's)", async () => {
  const pins = await loadPins(PINS);
  assert.deepEqual(aptOnlyPins(pins).sort(), Object.keys(APT_ONLY).sort());
  for (const name of ["make", "binutils", "tinycc", "gcc3", "gcc10", "llvm", "bison"]) {
    assert.ok(pins.find((p) => p.name === name)?.alternatives?.length, `${name} lists no alternative`);
  }
});

test("every alternative's treeSha256 is the tree of the pin's own file, where the download cache holds it", async (t) => {
  const { problems, checked, unchecked } = await alternativeTreeProblems(await loadPins(PINS), cacheDir());
  assert.deepEqual(problems, []);
  if (checked.length === 0) t.skip(`the download cache ${cacheDir()} holds none of ${unchecked.join(", ")}`);
  else if (unchecked.length > 0) t.diagnostic(`not in the cache, not checked: ${unchecked.join(", ")}`);
});
