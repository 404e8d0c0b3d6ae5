// kit import: a kit goes into images/ only when its kit.json, the repository's lock, the
// checkout's inputs and every file's bytes agree; otherwise one line, and images/ is untouched.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import * as tar from "tar";
import { isZilchError } from "../../src/errors.js";
import { exportKit } from "../../src/kit/export.js";
import { importKit } from "../../src/kit/import.js";
import { packKit } from "../../src/kit/kit-archive.js";
import { KIT_FORMAT, kitLockDocument, type KitLock } from "../../src/kit/kit-lock.js";
import { sha256File, sha256Hex } from "../../src/sha256.js";
import { tempDir } from "../helpers/home.js";
import { ALL_ARTEFACTS, fixtureCurrentInputs, fixtureFiles, fixtureInputs, writeFixtureImages } from "../helpers/kit-fixtures.js";

let root: string;
let source: string;
let lock: KitLock;
let kit: string;

before(async () => {
  root = await tempDir("kit-import");
  source = path.join(root, "source-images");
  lock = await writeFixtureImages(source, ALL_ARTEFACTS);
  kit = path.join(root, "kit.tar.gz");
  await exportKit({ file: kit, lock, keys: Object.keys(lock.artefacts), imagesRoot: source, provide: async () => {} });
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function freshImages(name: string): Promise<string> {
  const dir = path.join(root, name);
  await fs.mkdir(dir);
  return dir;
}

/** Runs an import expected to fail; returns its one line, after checking images/ is still empty. */
async function refusal(file: string, images: string, opts: { lock?: KitLock; inputs?: typeof fixtureCurrentInputs } = {}): Promise<string> {
  const error: unknown = await importKit({ file, lock: opts.lock ?? lock, imagesRoot: images, currentInputs: opts.inputs ?? fixtureCurrentInputs }).then(
    () => assert.fail("the import succeeded"),
    (e: unknown) => e,
  );
  assert.ok(isZilchError(error), String(error));
  assert.equal(error.code, "HASH_MISMATCH");
  assert.doesNotMatch(error.line, /\n/, "one line");
  assert.match(error.line, /nothing was installed/);
  assert.deepEqual(await fs.readdir(images), [], "nothing installed, no staging left behind");
  return error.line;
}

/** A kit with the real manifest and members, one member's bytes replaced. */
async function tamperedKit(name: string, member: string, bytes: Buffer): Promise<string> {
  const unpacked = path.join(root, `${name}-unpacked`);
  await fs.mkdir(unpacked);
  await tar.x({ file: kit, cwd: unpacked });
  await fs.writeFile(path.join(unpacked, member), bytes);
  const manifest = JSON.parse(await fs.readFile(path.join(unpacked, "kit.json"), "utf8")) as unknown;
  const members = ALL_ARTEFACTS.flatMap(({ kind, arch }) => Object.keys(fixtureFiles(kind, arch)).map((file) => ({ name: `${arch}/${file}`, from: path.join(unpacked, arch, file), executable: file === "tcc-seed" })));
  const file = path.join(root, `${name}.tar.gz`);
  await packKit(file, manifest, members);
  return file;
}

test("export then import installs every kernel and seed, byte for byte, where provisioning looks", async () => {
  const images = await freshImages("roundtrip");
  const installed = await importKit({ file: kit, lock, imagesRoot: images, currentInputs: fixtureCurrentInputs });
  assert.deepEqual(installed.map((item) => item.key).sort(), ["kernel-i386", "kernel-x86_64", "seed-i386", "seed-x86_64"]);
  for (const [dir, arch] of [[images, "x86_64"], [path.join(images, "i386"), "i386"]] as const) {
    for (const name of ["vmlinux", "bzImage", "kernel.config", "tcc-seed"]) {
      assert.equal(await sha256File(path.join(dir, name)), lock.artefacts[`${name === "tcc-seed" ? "seed" : "kernel"}-${arch}`]!.files[name]!.sha256, `${arch}/${name}`);
    }
    assert.equal((await fs.stat(path.join(dir, "tcc-seed"))).mode & 0o777, 0o755);
    // The records builders write, so the rest of the tool reads an import as it reads a build.
    const seedRecord = JSON.parse(await fs.readFile(path.join(dir, "tcc-seed.json"), "utf8")) as Record<string, unknown>;
    assert.equal(seedRecord.arch, arch);
    assert.equal(seedRecord.tinyccSha256, fixtureInputs("seed", arch).tinyccSha256);
    const kernelRecord = JSON.parse(await fs.readFile(path.join(dir, "kernel.json"), "utf8")) as Record<string, unknown>;
    assert.equal(kernelRecord.fragmentSha256, fixtureInputs("kernel", arch).fragmentSha256);
  }
  assert.deepEqual((await fs.readdir(images)).filter((name) => name.startsWith(".")), [], "no staging directory left");
});

test("a kit with one altered file is refused with one line naming the file and both sha256s", async () => {
  const altered = Buffer.from("an altered vmlinux\n");
  const file = await tamperedKit("tampered", "x86_64/vmlinux", altered);
  const line = await refusal(file, await freshImages("tampered-images"));
  const want = lock.artefacts["kernel-x86_64"]!.files.vmlinux!.sha256;
  assert.match(line, new RegExp(`x86_64/vmlinux has sha256 ${sha256Hex(altered)}, test kit-lock\\.json expects ${want}`));
});

test("a kit whose kit.json disagrees with the repository's lock is refused, even if its files match its kit.json", async () => {
  const otherLock: KitLock = structuredClone(lock);
  otherLock.artefacts["seed-i386"]!.files["tcc-seed"]!.sha256 = sha256Hex("the seed this checkout locked");
  const line = await refusal(kit, await freshImages("disagree-images"), { lock: otherLock });
  assert.match(line, /disagrees with test kit-lock\.json on seed-i386: tcc-seed is [0-9a-f]{64} \(\d+ bytes\) in the kit, [0-9a-f]{64} \(\d+ bytes\) in the lock/);
});

test("a kit carrying an artefact the lock does not list is refused", async () => {
  const smaller: KitLock = structuredClone(lock);
  delete smaller.artefacts["kernel-i386"];
  assert.match(await refusal(kit, await freshImages("unlisted-images"), { lock: smaller }), /carries kernel-i386, which test kit-lock\.json does not list/);
});

test("a lock entry made from other inputs than the checkout's (a changed kernel fragment) refuses the import and says what changed", async () => {
  const changed: typeof fixtureCurrentInputs = async (kind, arch) => ({ ...fixtureInputs(kind, arch), ...(kind === "kernel" ? { fragmentSha256: sha256Hex("CONFIG_BLK_DEV_INITRD=y") } : {}) });
  const line = await refusal(kit, await freshImages("stale-images"), { inputs: changed });
  assert.match(line, /kernel-(i386|x86_64) is stale: the kernel config fragments \(vm\/kernel\/\*\.config\): now [0-9a-f]{12}…, locked from [0-9a-f]{12}…/);
  assert.match(line, /zilchboot kit lock --arch (i386|x86_64) --only kernel/);
});

test("a kit holding a file its kit.json does not list, or a symlink, is refused", async () => {
  const unpacked = path.join(root, "extra-unpacked");
  await fs.mkdir(unpacked);
  await tar.x({ file: kit, cwd: unpacked });
  await fs.writeFile(path.join(unpacked, "x86_64", "extra"), "surprise\n");
  const extra = path.join(root, "extra.tar.gz");
  await tar.c({ file: extra, cwd: unpacked, gzip: true }, ["kit.json", "x86_64", "i386"]);
  assert.match(await refusal(extra, await freshImages("extra-images")), /holds x86_64\/extra, which its kit\.json does not list/);

  await fs.rm(path.join(unpacked, "x86_64", "extra"));
  await fs.symlink("/etc/passwd", path.join(unpacked, "x86_64", "link"));
  const linked = path.join(root, "link.tar.gz");
  await tar.c({ file: linked, cwd: unpacked, gzip: true }, ["kit.json", "x86_64", "i386"]);
  assert.match(await refusal(linked, await freshImages("link-images")), /holds what no kit may: x86_64\/link \(SymbolicLink\)/);
});

test("a file that is not a kit, or a kit without kit.json, is refused", async () => {
  const junk = path.join(root, "junk.tar.gz");
  await fs.writeFile(junk, "not a tar at all\n".repeat(40));
  assert.match(await refusal(junk, await freshImages("junk-images")), /cannot read kit .*junk\.tar\.gz/);
  const bare = path.join(root, "bare.tar.gz");
  await tar.c({ file: bare, cwd: source, gzip: true }, ["tcc-seed"]);
  assert.match(await refusal(bare, await freshImages("bare-images")), /holds what no kit may: tcc-seed|has no kit\.json/);
  const wrongFormat = path.join(root, "wrong-format.tar.gz");
  await packKit(wrongFormat, { ...kitLockDocument(lock.artefacts), format: "zilchboot-kit/99" }, []);
  assert.match(await refusal(wrongFormat, await freshImages("format-images")), /kit\.json says format "zilchboot-kit\/99", this zilchboot reads zilchboot-kit\/1/);
  assert.equal(KIT_FORMAT, "zilchboot-kit/1");
});
