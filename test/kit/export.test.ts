// kit export: packs exactly the locked bytes, the same archive every time, and refuses a host
// whose builds differ from the lock (saying how its tools differ).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import * as tar from "tar";
import type { GuestArch } from "../../src/arch.js";
import { isZilchError } from "../../src/errors.js";
import { exportKit } from "../../src/kit/export.js";
import type { ArtefactKind } from "../../src/kit/kit-lock.js";
import { tempDir } from "../helpers/home.js";
import { ALL_ARTEFACTS, writeFixtureImages } from "../helpers/kit-fixtures.js";

let root: string;

before(async () => {
  root = await tempDir("kit-export");
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test("two exports of the same lock from different directories are the same bytes", async () => {
  const lockA = await writeFixtureImages(path.join(root, "images-a"), ALL_ARTEFACTS);
  await writeFixtureImages(path.join(root, "a-longer-name-for-images-b"), ALL_ARTEFACTS);
  // Other modes and times on disk must not reach the archive.
  await fs.chmod(path.join(root, "a-longer-name-for-images-b", "vmlinux"), 0o600);
  await fs.utimes(path.join(root, "a-longer-name-for-images-b", "bzImage"), new Date(2001, 1, 1), new Date(2001, 1, 1));
  const keys = Object.keys(lockA.artefacts);
  const a = await exportKit({ file: path.join(root, "a.tar.gz"), lock: lockA, keys, imagesRoot: path.join(root, "images-a"), provide: async () => {} });
  const b = await exportKit({ file: path.join(root, "b.tar.gz"), lock: lockA, keys: [...keys].reverse(), imagesRoot: path.join(root, "a-longer-name-for-images-b"), provide: async () => {} });
  assert.equal(a.sha256, b.sha256);
  assert.equal(a.size, b.size);

  const names: string[] = [];
  await tar.t({ file: path.join(root, "a.tar.gz"), onReadEntry: (entry) => names.push(`${entry.path} ${(entry.mode ?? 0).toString(8)} ${entry.mtime?.getTime()}`) });
  assert.deepEqual(names, [
    "kit.json 644 0",
    "i386/bzImage 644 0", "i386/kernel.config 644 0", "i386/tcc-seed 755 0", "i386/vmlinux 644 0",
    "x86_64/bzImage 644 0", "x86_64/kernel.config 644 0", "x86_64/tcc-seed 755 0", "x86_64/vmlinux 644 0",
  ]);
});

test("export provides each artefact first and packs only the ones asked for", async () => {
  const images = path.join(root, "images-some");
  const lock = await writeFixtureImages(images, ALL_ARTEFACTS);
  const provided: string[] = [];
  const kit = await exportKit({
    file: path.join(root, "some.tar.gz"),
    lock,
    keys: ["seed-i386", "kernel-i386"],
    imagesRoot: images,
    provide: async (kind: ArtefactKind, arch: GuestArch) => void provided.push(`${kind}-${arch}`),
  });
  assert.deepEqual(kit.keys, ["kernel-i386", "seed-i386"]);
  assert.deepEqual(provided, ["kernel-i386", "seed-i386"]);
});

test("export refuses bytes that differ from the lock and names the host tool that differs", async () => {
  const images = path.join(root, "images-other-host");
  const lock = await writeFixtureImages(images, ALL_ARTEFACTS);
  await fs.writeFile(path.join(images, "tcc-seed"), "built by another compiler\n");
  const error: unknown = await exportKit({
    file: path.join(root, "never.tar.gz"),
    lock,
    keys: Object.keys(lock.artefacts),
    imagesRoot: images,
    provide: async () => {},
    describeHost: async () => ({ os: "Fixture Linux x64", compiler: "fixture-cc 2.0" }),
  }).then(() => assert.fail("exported"), (e: unknown) => e);
  assert.ok(isZilchError(error));
  assert.match(error.line, /tcc-seed has sha256 [0-9a-f]{64}, test kit-lock\.json expects [0-9a-f]{64}; this host's compiler is "fixture-cc 2\.0", the lock's was "fixture-cc 1\.0"/);
  await assert.rejects(fs.access(path.join(root, "never.tar.gz")), "no kit written");
});

test("export of a lock without entries says to record them first", async () => {
  await assert.rejects(
    exportKit({ file: path.join(root, "empty.tar.gz"), lock: { artefacts: {}, origin: "empty kit-lock.json" }, keys: [], imagesRoot: root, provide: async () => {} }),
    (error: unknown) => isZilchError(error) && /lists no kernel or seed to export; record them first with `zilchboot kit lock`/.test(error.line),
  );
});
