// The repository's recipes/lock.json, for tests that build a stage and check its output. A test's
// build records into its own temp copy of the lock, so for a stage the repository has not locked
// that copy holds whatever the build produced: comparing with it would pass on any bytes.
import assert from "node:assert/strict";
import path from "node:path";
import { recipesDir } from "../../src/paths.js";
import { readLock } from "../../src/store/lock.js";

/** The checkout's own lock file: an empty environment, so no ZILCHBOOT_RECIPES can redirect it. */
export const REPO_LOCK = path.join(recipesDir({}), "lock.json");

/** The output recipes/lock.json pins for `stage`; fails the test where the stage is not locked. */
export async function repoLockedOutput(stage: string): Promise<string> {
  const output = (await readLock(REPO_LOCK)).stages[stage]?.output;
  assert.ok(output, `${stage} is not locked in ${REPO_LOCK}: lock it there (build it and commit the lock) before testing that it reproduces`);
  return output;
}

/** Fails unless `output` is what recipes/lock.json pins for `stage`. */
export async function assertRepoLocked(stage: string, output: string): Promise<void> {
  assert.equal(output, await repoLockedOutput(stage), `${stage}'s output is not the one ${REPO_LOCK} pins`);
}
