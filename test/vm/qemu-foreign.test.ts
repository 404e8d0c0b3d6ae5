// x86_64 `0-smoke` and `1-stage1` with foreign-mode shares (`--share-fs foreign`: MetaTree root
// and /out, spill files on a simulated NTFS-like file system) must give their locked outputs.
// QEMU serves MetaTrees only through our own 9p server, i.e. with the 9p-over-serial transport;
// until QemuBackend has it (servesShareTrees), these tests are skipped. When it lands, put its
// option in TRANSPORT below (if the default QemuBackend does not serve trees) and they run.
// The i386 side runs today under v86: test/vm/v86-foreign.test.ts.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { createHostSession } from "../../src/host-session.js";
import { cacheDir, recipesDir } from "../../src/paths.js";
import { buildTarget } from "../../src/stages/chain.js";
import type { Session } from "../../src/stages/session.js";
import { readLock } from "../../src/store/lock.js";
import type { VmBackend } from "../../src/vm/backend.js";
import { QemuBackend, type QemuOptions } from "../../src/vm/qemu.js";
import { copyRecipes, tempDir } from "../helpers/home.js";

/** The QemuBackend options that make it serve the shares with our 9p server (the serial transport). */
const TRANSPORT: Partial<QemuOptions> = {};

function qemu(probeKernel: string): VmBackend {
  return new QemuBackend({ probeKernel, cacheDir: cacheDir(), ...TRANSPORT });
}

const ready = qemu("(not probed)").servesShareTrees === true;
const skip = ready ? false : "QEMU serves host directories (-fsdev local) until the 9p-over-serial transport lands (QemuBackend.servesShareTrees)";
const scratch = ready ? await tempDir("qemu-foreign") : null;

after(async () => {
  if (scratch) await fs.rm(scratch, { recursive: true, force: true });
});

/** A CLI-like session whose x86_64 stages run in QEMU with foreign-mode shares. */
async function foreignSession(name: string): Promise<Session> {
  const recipes = await copyRecipes(path.join(scratch!, `recipes-${name}`));
  const session = createHostSession({ home: path.join(scratch!, `home-${name}`), recipesRoot: recipes, shareFs: "foreign" });
  return { ...session, runnerFor: async () => ({ bootsKernel: true, backend: (kernel) => qemu(kernel!.path) }) };
}

async function locked(stage: string): Promise<string> {
  return (await readLock(path.join(recipesDir(), "lock.json"))).stages[stage].output;
}

test("0-smoke in QEMU with foreign-mode shares gives the locked output", { skip }, async () => {
  const entry = await buildTarget(await foreignSession("smoke"), "0-smoke");
  assert.equal(entry.record.outputSha256, await locked("0-smoke"));
});

test("1-stage1 in QEMU with foreign-mode shares gives the locked output", { skip, timeout: 3 * 3600_000 }, async () => {
  const entry = await buildTarget(await foreignSession("stage1"), "1-stage1");
  assert.equal(entry.record.outputSha256, await locked("1-stage1"));
});
