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
  linux: "Debian's patched tree is another kernel than kernel.org's; hosts without apt pass --kernel (or the planned kit)",
  gcc3: "Debian's gcc-h8300-hms repack is a subset of GNU's gcc-3.4.6 whose drop list is not worked out yet",
  gcc10: "inside Debian's gcc-10 orig; GNU's gcc-10.2.0.tar.xz differs by the FDL manuals, not worked out yet",
  gmp: "Debian's +dfsg repack of gmp-6.2.1; GNU's tarball not worked out yet",
  llvm: "Debian's git checkout of llvmorg-17.0.6 less */www plus integration-test-suite; the treeSha256 is in its $note, which */www upstream's file holds is not checked yet",
};

test("every pin but the listed ones can be had without apt (its own urls or an alternative's)", async () => {
  const pins = await loadPins(PINS);
  assert.deepEqual(aptOnlyPins(pins).sort(), Object.keys(APT_ONLY).sort());
  for (const name of ["make", "binutils", "tinycc"]) {
    assert.ok(pins.find((p) => p.name === name)?.alternatives?.length, `${name} lists no alternative`);
  }
});

test("every alternative's treeSha256 is the tree of the pin's own file, where the download cache holds it", async (t) => {
  const { problems, checked, unchecked } = await alternativeTreeProblems(await loadPins(PINS), cacheDir());
  assert.deepEqual(problems, []);
  if (checked.length === 0) t.skip(`the download cache ${cacheDir()} holds none of ${unchecked.join(", ")}`);
  else if (unchecked.length > 0) t.diagnostic(`not in the cache, not checked: ${unchecked.join(", ")}`);
});
