// buildSeed's lock without building a seed: the "tinycc tarball" is a text file, so a real build
// attempt fails at once, and the entry "another process" publishes is a hand-made static ELF.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { buildSeed, seedCacheEntry } from "../../src/seed/build-seed.js";
import { acquireLock } from "../../src/store/file-lock.js";
import { tempHome } from "../helpers/store-entries.js";
import { recordLog } from "../helpers/wait-for-output.js";

/** The least validateSeed accepts for x86_64: an ELF64 ET_EXEC header and one PT_LOAD. */
function staticElf(): Buffer {
  const elf = Buffer.alloc(64 + 56);
  elf.write("\x7fELF", 0, "latin1");
  elf[4] = 2; // ELFCLASS64
  elf[5] = 1; // little-endian
  elf[6] = 1; // EV_CURRENT
  elf.writeUInt16LE(2, 16); // ET_EXEC
  elf.writeUInt16LE(62, 18); // EM_X86_64
  elf.writeBigUInt64LE(64n, 32); // e_phoff
  elf.writeUInt16LE(56, 54); // e_phentsize
  elf.writeUInt16LE(1, 56); // e_phnum
  elf.writeUInt32LE(1, 64); // PT_LOAD
  return elf;
}

test("a seed build waits for another process building the same seed, then reuses its entry", { timeout: 60_000 }, async (t) => {
  const dir = await tempHome(t, "seed-lock");
  const tinyccTarball = path.join(dir, "tinycc.tar.bz2");
  await fs.writeFile(tinyccTarball, "not a tinycc tarball\n");
  const recorder = recordLog("waiting for another zilchboot process that holds the x86_64 seed build");
  const options = { tinyccTarball, cacheDir: path.join(dir, "cache"), outFile: path.join(dir, "images", "tcc-seed"), log: recorder.log };
  const entry = await seedCacheEntry(options);
  const release = await acquireLock(entry.lockTarget, { what: "the test's seed build" });
  const seed = staticElf();
  let building: ReturnType<typeof buildSeed> | undefined;
  try {
    building = buildSeed(options);
    await recorder.logged(building);
    // What the other process publishes before it lets go.
    await fs.mkdir(path.dirname(entry.file), { recursive: true });
    await fs.writeFile(entry.file, seed, { mode: 0o755 });
  } finally {
    await release();
  }

  const built = await building;
  assert.equal(built.cached, true);
  assert.equal(built.sha256, createHash("sha256").update(seed).digest("hex"));
  assert.deepEqual(await fs.readFile(options.outFile), seed);
  assert.ok(!recorder.lines.some((line) => line.startsWith("seed: building")), recorder.lines.join("\n"));
});
