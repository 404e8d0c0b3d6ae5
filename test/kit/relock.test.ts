// kit lock: records what the (here injected) builds produce, says per artefact what changed, and
// flags bytes that changed while inputs and host did not.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { loadKitLock } from "../../src/kit/kit-lock.js";
import { relockKit, type BuiltArtefact } from "../../src/kit/relock.js";
import { tempDir } from "../helpers/home.js";
import { fixtureInputs, writeFixtureImages } from "../helpers/kit-fixtures.js";

test("kit lock records new entries, reports unchanged ones, and flags a rebuild that differs from identical inputs", async () => {
  const root = await tempDir("kit-relock");
  const lockFile = path.join(root, "kit-lock.json");
  const images = path.join(root, "images");
  await writeFixtureImages(images, [{ kind: "seed", arch: "x86_64" }, { kind: "kernel", arch: "x86_64" }]);
  const built: string[] = [];
  const build = async (kind: "seed" | "kernel"): Promise<BuiltArtefact> => {
    built.push(kind);
    return { dir: images, inputs: fixtureInputs(kind, "x86_64"), ...(kind === "kernel" ? { built: { configSha256: "c".repeat(64), release: "6.1.0" } } : {}), host: { os: "Fixture Linux x64" } };
  };
  const targets = [{ kind: "seed", arch: "x86_64" }, { kind: "kernel", arch: "x86_64" }] as const;

  const first = await relockKit({ lockFile, targets: [...targets], build });
  assert.match(first[0]!, /^seed-x86_64: recorded tcc-seed [0-9a-f]{12}$/);
  assert.match(first[1]!, /^kernel-x86_64: recorded bzImage [0-9a-f]{12}, kernel\.config [0-9a-f]{12}, vmlinux [0-9a-f]{12}$/);
  const lock = await loadKitLock(lockFile);
  assert.deepEqual(Object.keys(lock.artefacts).sort(), ["kernel-x86_64", "seed-x86_64"]);
  assert.equal(lock.artefacts["kernel-x86_64"]!.built!.release, "6.1.0");

  assert.match((await relockKit({ lockFile, targets: [targets[0]], build }))[0]!, /^seed-x86_64: unchanged \(tcc-seed [0-9a-f]{12}\)$/);

  await fs.appendFile(path.join(images, "vmlinux"), "one more byte");
  const [changed] = await relockKit({ lockFile, targets: [targets[1]], build });
  assert.match(changed!, /^kernel-x86_64: vmlinux [0-9a-f]{12} \(was [0-9a-f]{12}\) \(same inputs and host as the lock's: the build is not reproducible/);
  assert.deepEqual(built, ["seed", "kernel", "seed", "kernel"]);
  await fs.rm(root, { recursive: true, force: true });
});
