// Stage 1 for the tests that need its tools (shell, web shell, stage-1 checks), without relying on
// test order or on CI having built it: one store entry per machine, shared by all test files and
// all `npm test` runs, copied into each test's own temporary home.
//
// Where the entry comes from, first hit wins (all under one flock, so two test files never build it
// twice at once):
//   1. the shared test home (os.tmpdir()/zilchboot-test-stage1-UID, or $ZILCHBOOT_TEST_STAGE1_HOME);
//   2. the user's store (ZILCHBOOT_HOME or the data dir, where `zilchboot build` put it): entries
//      whose record names the lock's output are copied into the shared home first, so the CLI
//      finds them, if the copy's bytes hash to that output (a record.json is only a claim);
//   3. a build into the shared home: `--runner native` (~20 s) where namespaces work, else QEMU.
// The build goes through the CLI with a copy of the recipes, so it records into a temp lock. Entries
// already in the shared home are re-hashed once per test process too: earlier runs adopted
// without hashing, and a bad entry there would be reused by every build below.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { recipesDir, workDir } from "../../src/paths.js";
import { ARCHIVE_NAME, archiveIdentity } from "../../src/store/archive-entry.js";
import { readLock } from "../../src/store/lock.js";
import { captureOutput } from "../../src/store/manifest.js";
import { listEntries, type StoreEntry } from "../../src/store/store.js";
import { NativeBackend } from "../../src/vm/native.js";
import { zilchboot } from "./child-env.js";
import { withFileLock } from "./file-lock.js";
import { copyRecipes, testHome, type TestHome } from "./home.js";
import { provisioned } from "./provisioned.js";

export const STAGE1 = "1-stage1";

/** The shared home holding the tests' stage-1 entry. */
export function sharedStage1Home(env: NodeJS.ProcessEnv = process.env): string {
  return env.ZILCHBOOT_TEST_STAGE1_HOME ?? path.join(os.tmpdir(), `zilchboot-test-stage1-${os.userInfo().uid}`);
}

async function lockedOutput(): Promise<string> {
  const output = (await readLock(path.join(recipesDir({}), "lock.json"))).stages[STAGE1]?.output;
  if (!output) throw new Error(`recipes/lock.json has no ${STAGE1} entry: the tests need a locked stage 1`);
  return output;
}

async function lockedEntries(home: string, output: string): Promise<StoreEntry[]> {
  return (await listEntries(home)).filter((e) => e.record.stage === STAGE1 && e.record.outputSha256 === output);
}

/** Copies `entry` to `copy` and re-hashes the copy (captureOutput may fix modes: on the copy only);
 *  keeps it and returns true where its bytes are `output`, else removes it. */
export async function verifiedCopy(entry: StoreEntry, copy: string, output: string): Promise<boolean> {
  await fs.cp(entry.dir, copy, { recursive: true, verbatimSymlinks: true });
  const identity = await (entry.archive ? archiveIdentity(path.join(copy, ARCHIVE_NAME)) : captureOutput(path.join(copy, "out"))).catch(() => null);
  if (identity?.sha256 === output) return true;
  await fs.rm(copy, { recursive: true, force: true });
  return false;
}

/** Copies the user's locked stage-1 entries the shared home lacks, each only if its bytes are the
 *  lock's output (never moves or changes the user's). */
async function adoptUserEntries(shared: string, output: string): Promise<void> {
  const user = workDir();
  if (path.resolve(user) === path.resolve(shared)) return;
  for (const entry of await lockedEntries(user, output)) {
    const into = path.join(shared, "store", path.basename(entry.dir));
    if (await fs.access(into).then(() => true, () => false)) continue;
    const staging = path.join(shared, "runs", `adopt-${path.basename(entry.dir)}-${process.pid}`);
    if (!(await verifiedCopy(entry, staging, output))) continue;
    await fs.mkdir(path.dirname(into), { recursive: true });
    await fs.rename(staging, into);
  }
}

/** Removes the shared home's stage-1 entries whose bytes are not the lock's output, so the build
 *  below makes a good one instead of reusing them. The shared home is the tests' own. */
async function dropUnverified(shared: string, output: string): Promise<void> {
  for (const entry of await lockedEntries(shared, output)) {
    const scratch = path.join(shared, "runs", `check-${path.basename(entry.dir)}-${process.pid}`);
    if (await verifiedCopy(entry, scratch, output)) await fs.rm(scratch, { recursive: true, force: true });
    else await fs.rm(entry.dir, { recursive: true, force: true });
  }
}

let shared: Promise<StoreEntry> | undefined;

/** The locked stage-1 entry in the shared home, adopted or built on first use. */
export function sharedStage1(): Promise<StoreEntry> {
  shared ??= (async () => {
    const home = sharedStage1Home();
    const output = await lockedOutput();
    const { kernel, seed } = await provisioned();
    return withFileLock(`${home}.lock`, async () => {
      await dropUnverified(home, output);
      await adoptUserEntries(home, output);
      // The CLI decides whether the current input hash is stored; a cached build boots nothing.
      const recipes = await copyRecipes(await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-stage1-recipes-")));
      try {
        const native = (await new NativeBackend().probe()).usable ? ["--runner", "native"] : [];
        const build = await zilchboot(["build", STAGE1, "--kernel", kernel.path, "--seed", seed, ...native], { ZILCHBOOT_HOME: home, ZILCHBOOT_RECIPES: recipes });
        if (build.exitCode !== 0) throw new Error(`building ${STAGE1} for the tests failed (exit ${build.exitCode}):\n${build.stderr}`);
      } finally {
        await fs.rm(recipes, { recursive: true, force: true });
      }
      const [entry] = await lockedEntries(home, output);
      if (!entry) throw new Error(`${home} holds no ${STAGE1} entry with the locked output ${output} after a successful build`);
      return entry;
    });
  })();
  return shared;
}

export interface Stage1Home extends TestHome {
  /** The stage-1 entry inside this test home's store. */
  stage1: StoreEntry;
}

/** A temp home (and recipes copy) whose store holds a copy of the locked stage-1 entry. */
export async function testHomeWithStage1(prefix: string): Promise<Stage1Home> {
  const entry = await sharedStage1();
  const home = await testHome(prefix);
  const dir = path.join(home.home, "store", path.basename(entry.dir));
  await fs.cp(entry.dir, dir, { recursive: true, verbatimSymlinks: true });
  return { ...home, stage1: { dir, outDir: path.join(dir, "out"), archive: entry.archive && path.join(dir, "out.tar"), record: entry.record } };
}
