// zilchboot as an npm package: `npm pack` of this checkout, installed offline into a temporary
// prefix, then `zilchboot build 0-smoke` from an empty directory with a temporary home. Proves the
// `files` list, the bin, and that nothing is written inside the installed package.
//
// Offline: npm needs registry metadata to resolve `^` ranges, which `npm ci` never caches. So the
// prefix gets a package-lock.json made from this checkout's (its non-dev entries: exact versions and
// integrity hashes) plus the tarball, and `npm ci --offline` takes every package from the npm cache
// that the checkout's own `npm ci` filled.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { repoRoot } from "../src/paths.js";
import { readLock } from "../src/store/lock.js";
import { listEntries } from "../src/store/store.js";
import { childEnv } from "./helpers/child-env.js";
import { tempDir } from "./helpers/home.js";
import { provisioned } from "./helpers/provisioned.js";

interface LockEntry {
  dev?: boolean;
  link?: boolean;
  [key: string]: unknown;
}

let root: string;
let tarball: string;

/** npm runs our tests with npm_config_* set for the checkout (local_prefix among them): a nested
 *  npm must not see those, or it would act on the checkout. Only the cache location is kept. Nor
 *  may the installed CLI see the developer's ZILCHBOOT_* (a remote cache would turn the build
 *  into a pull); it gets the download cache the tests use, as childEnv gives it. */
function npmEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^ZILCHBOOT_/.test(key)) continue;
    if (!/^npm_/i.test(key) || key.toLowerCase() === "npm_config_cache") env[key] = value;
  }
  env.ZILCHBOOT_DOWNLOADS = childEnv().ZILCHBOOT_DOWNLOADS;
  return env;
}

/** A lock for a prefix that depends on the tarball alone, from the checkout's lock. */
async function prefixLock(tarballSpec: string): Promise<{ manifest: object; lock: object }> {
  const pkg = JSON.parse(await fs.readFile(path.join(repoRoot, "package.json"), "utf8")) as Record<string, unknown>;
  const lock = JSON.parse(await fs.readFile(path.join(repoRoot, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const manifest = { name: "zilchboot-install-test", private: true, dependencies: { zilchboot: tarballSpec } };
  const packages: Record<string, unknown> = {
    "": manifest,
    "node_modules/zilchboot": { version: pkg.version, resolved: tarballSpec, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key !== "" && !entry.dev && !entry.link) packages[key] = entry;
  }
  return { manifest, lock: { name: manifest.name, lockfileVersion: 3, requires: true, packages } };
}

before(async () => {
  root = await tempDir("package");
  // `npm test` has just built dist/; --ignore-scripts skips prepack's second build.
  const packed = await execa("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", root], { cwd: repoRoot, env: npmEnv(), extendEnv: false });
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(root, info.filename);
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test("the tarball holds the built CLI, recipes, guest files and the web page, and no tests or TypeScript", async () => {
  const { stdout } = await execa("tar", ["-tzf", tarball]);
  const files = stdout.split("\n").filter(Boolean);
  for (const wanted of ["package/dist/src/cli.js", "package/recipes/lock.json", "package/recipes/1-stage1/stage.json", "package/vm/kernel/common.config", "package/vm/guest/zsys.h", "package/vm/shell/console.c", "package/src/web/static/index.html", "package/README.md"]) {
    assert.ok(files.includes(wanted), `${wanted} is missing from the tarball`);
  }
  assert.deepEqual(files.filter((f) => /^package\/(dist\/)?test|\.ts$|\.map$|^package\/\.zilch|^package\/images\//.test(f)), []);
  assert.match((await fs.readFile(path.join(repoRoot, "dist", "src", "cli.js"), "utf8")).split("\n")[0], /^#!\/usr\/bin\/env node$/);
});

test("installed offline into a prefix, `zilchboot build 0-smoke` works from an empty directory and writes only to its home", async () => {
  await provisioned(); // the kernel and seed the installed CLI finds in the shared cache
  const prefix = path.join(root, "prefix");
  await fs.mkdir(prefix);
  const { manifest, lock } = await prefixLock(`file:${path.relative(prefix, tarball)}`);
  await fs.writeFile(path.join(prefix, "package.json"), JSON.stringify(manifest, null, 2));
  await fs.writeFile(path.join(prefix, "package-lock.json"), JSON.stringify(lock, null, 2));
  const install = await execa("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", prefix], { cwd: prefix, env: npmEnv(), extendEnv: false, reject: false, all: true });
  assert.equal(install.exitCode, 0, install.all);
  const installed = path.join(prefix, "node_modules", "zilchboot");
  const before = await execa("find", [installed], { cwd: installed });

  const empty = path.join(root, "empty");
  const home = path.join(root, "home");
  await fs.mkdir(empty);
  const build = await execa(path.join(prefix, "node_modules", ".bin", "zilchboot"), ["build", "0-smoke"], {
    cwd: empty, env: { ...npmEnv(), ZILCHBOOT_HOME: home }, extendEnv: false, reject: false, all: true,
  });
  assert.equal(build.exitCode, 0, build.all);
  const locked = (await readLock(path.join(installed, "recipes", "lock.json"))).stages["0-smoke"].output;
  assert.match(build.stdout, new RegExp(`^0-smoke {2}out ${locked} `));
  const entries = await listEntries(home);
  assert.deepEqual(entries.map((e) => [e.record.stage, e.record.outputSha256]), [["0-smoke", locked]]);
  assert.deepEqual(await fs.readdir(empty), [], "nothing written to the working directory");
  assert.equal((await execa("find", [installed], { cwd: installed })).stdout, before.stdout, "nothing written inside the installed package");
});
