// The seed's sha256 is an input of seed-tcc stages: the planner learns it without building or
// fetching anything from the seed builder's last output (images/…/tcc-seed and its .json record).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { lastBuiltSeedSha256 } from "../../src/provision.js";
import { sha256Hex } from "../../src/sha256.js";
import { tempRoot } from "../fixtures/fake-vm.js";

const saved = process.env.ZILCHBOOT_IMAGES;
after(() => {
  if (saved === undefined) delete process.env.ZILCHBOOT_IMAGES;
  else process.env.ZILCHBOOT_IMAGES = saved;
});

test("the last built seed counts only if it was built from the pinned tinycc and its bytes match its record", async () => {
  const images = await tempRoot("seed-record");
  process.env.ZILCHBOOT_IMAGES = images;
  const tinycc = "t".repeat(64);
  assert.equal(await lastBuiltSeedSha256("x86_64", tinycc), null, "nothing built yet");
  const seed = path.join(images, "tcc-seed");
  await fs.writeFile(seed, "seed bytes");
  const record = { arch: "x86_64", sha256: sha256Hex("seed bytes"), tinyccSha256: tinycc };
  await fs.writeFile(`${seed}.json`, JSON.stringify(record));
  assert.equal(await lastBuiltSeedSha256("x86_64", tinycc), sha256Hex("seed bytes"));
  assert.equal(await lastBuiltSeedSha256("x86_64", "u".repeat(64)), null, "another tinycc pin");
  assert.equal(await lastBuiltSeedSha256("i386", tinycc), null, "the i386 seed lives in images/i386/");
  await fs.writeFile(seed, "other bytes");
  assert.equal(await lastBuiltSeedSha256("x86_64", tinycc), null, "the file no longer matches its record");
  await fs.rm(images, { recursive: true, force: true });
});
