// provideStageSources with a pin that only an alternative file can serve: the stage sees the pin's
// name and layout (a file under the pin's file name, or a tree with the stage's strip), the pin's
// sha256 (the input hash), and which file was used. A local http server; no network, no VM.
//
// Kernels and seeds on a host that cannot build them (no musl-gcc, no kernel tools, or not Linux at
// all; injected): an imported kit is used as is, and without one the host is told to import one,
// before anything is fetched or built.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { isZilchError } from "../src/errors.js";
import { exportKit } from "../src/kit/export.js";
import type { HostTools } from "../src/kit/host-tools.js";
import { importKit } from "../src/kit/import.js";
import { saveKitLock, type KitLock } from "../src/kit/kit-lock.js";
import { hostProvisioner, kitInputs, provideKernel, provideSeed, provideStageSources, type ProvisionOptions } from "../src/provision.js";
import type { StageRecipe } from "../src/stages/recipe.js";
import { hashTree } from "../src/store/tree-hash.js";
import { alternative, alternativeFixture } from "./fixtures/sources/alternatives.js";
import { serve, tempDir } from "./fixtures/sources/helpers.js";
import { tempDir as tempHome } from "./helpers/home.js";
import { ALL_ARTEFACTS, writeFixtureImages } from "./helpers/kit-fixtures.js";

test("a stage is served an alternative in the pin's name and layout, with the pin's sha256 and the file it came from", async (t) => {
  const fx = await alternativeFixture(t);
  const gnu = await fx.other("pkg-1.0.tar.bz2", "pkg-1.0", { extraDoc: true });
  const server = await serve({ "/pkg-1.0.tar.bz2": gnu.bytes });
  t.after(() => server.close());
  const recipes = await tempDir(t, "recipes");
  const pin = { ...fx.pin, alternatives: [alternative({ file: "pkg-1.0.tar.bz2", sha256: gnu.sha256, urls: [`${server.url}/pkg-1.0.tar.bz2`], treeSha256: fx.treeSha256, drop: ["doc"] })] };
  delete (pin as { origin?: string }).origin;
  await fs.writeFile(path.join(recipes, "sources.json"), JSON.stringify({ sources: [pin] }));
  const cache = await tempDir(t, "cache");
  const saved = { recipes: process.env.ZILCHBOOT_RECIPES, cache: process.env.ZILCHBOOT_DOWNLOADS };
  process.env.ZILCHBOOT_RECIPES = recipes;
  process.env.ZILCHBOOT_DOWNLOADS = cache;
  t.after(() => {
    for (const [key, value] of [["ZILCHBOOT_RECIPES", saved.recipes], ["ZILCHBOOT_DOWNLOADS", saved.cache]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  const opts = { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: 1 };
  const used = { file: "pkg-1.0.tar.bz2", sha256: gnu.sha256, alternative: 0, treeSha256: fx.treeSha256 };

  const asFile = await provideStageSources({ sources: [{ pin: "pkg", strip: 0 }] } as unknown as StageRecipe, opts);
  assert.equal(asFile.pkg.servedAs, "pkg-dfsg-1.0.tar.xz");
  assert.equal(asFile.pkg.sha256, fx.pin.sha256);
  assert.deepEqual(asFile.pkg.used, used);

  const asTree = await provideStageSources({ sources: [{ pin: "pkg", unpackAs: "pkg", strip: 1 }] } as unknown as StageRecipe, opts);
  assert.equal(asTree.pkg.servedAs, "pkg");
  assert.deepEqual(asTree.pkg.used, used);
  assert.deepEqual((await fs.readdir(asTree.pkg.path)).sort(), ["README", "configure", "main.c", "src"]);
  // Byte for byte the pin's own tree (stripped the same way).
  const own = path.join(fx.work, "own", "pkg-1.0");
  assert.equal((await hashTree(asTree.pkg.path)).sha256, (await hashTree(own)).sha256);
});

let root: string;
let lock: KitLock;
let lockFile: string;
let kit: string;

/** A Linux host whose PATH has none of the build tools; remembers what was looked up. */
function bareHost(platform: NodeJS.Platform = "linux", cpu = "x64"): HostTools & { asked: string[] } {
  const asked: string[] = [];
  return {
    platform,
    cpu,
    asked,
    has: async (command) => {
      asked.push(command);
      return false;
    },
  };
}

function options(imagesRoot: string, hostTools: HostTools, log: string[] = []): ProvisionOptions {
  return { mirrors: [], progress: false, log: (line) => log.push(line), verbose: false, jobs: 1, imagesRoot, kitLockFile: lockFile, hostTools };
}

before(async () => {
  root = await tempHome("provision-kit");
  // Fixture bytes, locked with this checkout's real inputs (pins, fragments): what a real lock has.
  lock = await writeFixtureImages(path.join(root, "made-on-linux"), ALL_ARTEFACTS, { inputs: kitInputs });
  lockFile = path.join(root, "kit-lock.json");
  await saveKitLock(lockFile, lock.artefacts);
  kit = path.join(root, "kit.tar.gz");
  await exportKit({ file: kit, lock, keys: Object.keys(lock.artefacts), imagesRoot: path.join(root, "made-on-linux"), provide: async () => {} });
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test("after kit import, a host without musl-gcc or kernel tools gets the kit's seeds and kernels without building", async () => {
  const images = path.join(root, "imported");
  await importKit({ file: kit, lock, imagesRoot: images, currentInputs: kitInputs });
  const host = bareHost();
  const log: string[] = [];
  const opts = options(images, host, log);

  const seed = await provideSeed(undefined, opts, "x86_64");
  assert.deepEqual(seed, { path: path.join(images, "tcc-seed"), sha256: lock.artefacts["seed-x86_64"]!.files["tcc-seed"]!.sha256, built: false });
  const seed32 = await provideSeed(undefined, opts, "i386");
  assert.equal(seed32.path, path.join(images, "i386", "tcc-seed"));

  const kernel = await provideKernel(undefined, opts, "x86_64");
  assert.equal(kernel.path, path.join(images, "vmlinux"));
  const inputs = await kitInputs("kernel", "x86_64");
  assert.deepEqual(kernel.identity, {
    sourceSha256: inputs.linuxSha256,
    fragmentSha256: inputs.fragmentSha256,
    configSha256: lock.artefacts["kernel-x86_64"]!.built!.configSha256,
    version: "6.1.0",
    arch: "x86_64",
    linuxVersion: inputs.linuxVersion,
  });
  assert.equal((await provideKernel(undefined, opts, "i386")).path, path.join(images, "i386", "bzImage"));

  assert.deepEqual(host.asked, [], "no build tool was even looked for");
  assert.ok(log.some((line) => /seed: x86_64 tcc as locked in the kit lock/.test(line)), log.join("\n"));
  // Planning knows the imported seed's hash without building (stage input hashes depend on it).
  const provisioner = hostProvisioner({ ...opts });
  assert.equal(await provisioner.knownSeedSha256("x86_64"), seed.sha256);
});

test("without a kit, a host lacking musl-gcc is told to import one before anything is fetched", async () => {
  const images = await tempHome("provision-nokit");
  const host = bareHost();
  const error: unknown = await provideSeed(undefined, options(images, host), "x86_64").then(() => assert.fail("provided"), (e: unknown) => e);
  assert.ok(isZilchError(error));
  assert.equal(error.code, "HOST");
  assert.doesNotMatch(error.line, /\n/);
  assert.match(error.line, /^building the x86_64 seed tcc needs musl-gcc or cc, make; no kit is installed for it \(.*tcc-seed is missing\); import a kit made on x86_64 Linux: `zilchboot kit import FILE`/);
  assert.deepEqual(host.asked, ["musl-gcc", "cc", "make"]);
  await fs.rm(images, { recursive: true, force: true });
});

test("on macOS the kernel is never built: without a kit the message says why and points at kit import", async () => {
  const images = await tempHome("provision-mac");
  const error: unknown = await provideKernel(undefined, options(images, bareHost("darwin", "arm64")), "i386").then(() => assert.fail("provided"), (e: unknown) => e);
  assert.ok(isZilchError(error));
  assert.match(error.line, /^building the i386 guest kernel needs x86_64 Linux \(this host is darwin\/arm64\); no kit is installed for it .*zilchboot kit import FILE/);
  await fs.rm(images, { recursive: true, force: true });
});

test("a seed in images/ that differs from the lock is not used: the host must build or import", async () => {
  const images = path.join(root, "altered");
  await importKit({ file: kit, lock, imagesRoot: images, currentInputs: kitInputs });
  await fs.appendFile(path.join(images, "tcc-seed"), "changed");
  const error: unknown = await provideSeed(undefined, options(images, bareHost()), "x86_64").then(() => assert.fail("provided"), (e: unknown) => e);
  assert.ok(isZilchError(error));
  assert.match(error.line, /no kit is installed for it \(.*tcc-seed has sha256 [0-9a-f]{64}, .*kit-lock\.json expects [0-9a-f]{64}\)/);
});

test("when the lock itself has no current entry, the host is told that a kit cannot help until someone relocks", async () => {
  const images = path.join(root, "unlocked");
  await importKit({ file: kit, lock, imagesRoot: images, currentInputs: kitInputs });
  const smaller = path.join(root, "kit-lock-without-i386-kernel.json");
  const { "kernel-i386": dropped, ...rest } = lock.artefacts;
  assert.ok(dropped);
  await saveKitLock(smaller, rest);
  const error: unknown = await provideKernel(undefined, { ...options(images, bareHost()), kitLockFile: smaller }, "i386").then(() => assert.fail("provided"), (e: unknown) => e);
  assert.ok(isZilchError(error));
  assert.match(error.line, /no kit is installed for it \(.*kit-lock-without-i386-kernel\.json has no kernel-i386 entry\); on x86_64 Linux, record it with `zilchboot kit lock --arch i386 --only kernel`/);
});
