// The checkout's source pins against what they claim, without building or downloading anything
// (and without stage 1, unlike static.test.ts): which pins still need apt, and that the tree check
// of alternatives catches a stale treeSha256. The check of the real pins needs their own files,
// which only apt brings (hundreds of MB): test-slow/sources-alternatives.test.ts fetches them and
// checks every pin, so that no host passes it by holding none of them.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../src/paths.js";
import { loadPins } from "../../src/sources/pins.js";
import { alternative, alternativeFixture } from "../fixtures/sources/alternatives.js";
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

test("the tree check passes an alternative with the own file's tree, names a stale one, and lists a pin whose file is absent", async (t) => {
  const fixture = await alternativeFixture(t);
  const cache = path.join(fixture.work, "cache");
  await fs.mkdir(path.join(cache, "sources"), { recursive: true });
  await fs.writeFile(path.join(cache, "sources", fixture.pin.file), fixture.own);
  const other = { file: "pkg-1.0.tar.gz" };
  const pins = [
    { ...fixture.pin, alternatives: [alternative({ ...other, treeSha256: fixture.treeSha256 })] },
    { ...fixture.pin, name: "stale", alternatives: [alternative({ ...other, treeSha256: "0".repeat(64) })] },
    { ...fixture.pin, name: "absent", file: "absent-1.0.tar.xz", alternatives: [alternative({ ...other, treeSha256: fixture.treeSha256 })] },
  ];
  const { problems, checked, unchecked } = await alternativeTreeProblems(pins, cache);
  assert.deepEqual(checked, ["pkg", "stale"]);
  assert.deepEqual(unchecked, ["absent"]);
  assert.deepEqual(problems, [`pin "stale": ${fixture.pin.file} unpacks to a tree with sha256 ${fixture.treeSha256} (less differs), alternatives[0] (pkg-1.0.tar.gz) says treeSha256 ${"0".repeat(64)}`]);
});
