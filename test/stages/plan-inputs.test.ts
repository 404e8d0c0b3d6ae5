// The planner's input hash against real recipe folders: it follows what a stage sees (recipe bytes,
// source pins, its inputs' outputs) and nothing about the host (where the checkout lives, file
// times; the job count is covered by test/stages/plan-executor.test.ts).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { guestDir } from "../../src/provision.js";
import { planStages } from "../../src/stages/plan.js";
import { gatherFacts } from "../../src/stages/plan-facts.js";
import { recipesDir } from "../../src/paths.js";
import { tempDir } from "../helpers/provisioned.js";

interface GatherOptions {
  recipesRoot: string;
  workDir: string;
  guestDir: string;
  seedSha256: string;
  lockFile: string;
  pins: Record<string, string>;
}

const PINS = Object.fromEntries(["musl", "tinycc", "busybox", "make", "binutils", "gcc3", "gcc10", "gmp", "mpfr", "mpc"].map((pin, i) => [pin, i.toString(16).repeat(64)]));

/** The chain to the GCC 10 fixpoint: stage 1 (seed-tcc), then the shell stages. */
const CHAIN = ["1-stage1", "2a0-make", "2a1-binutils", "2a2-gcc3-c", "2a3-musl", "2a4-gcc3", "2a5a-gcc10-o0", "2a5b-gcc10-o0-rebuilt", "2a5c-gcc10", "2a5d-gcc10-fixpoint"];
const TARGET = CHAIN.at(-1)!;

/** A copy of the chain's real recipes and the recipe library, plus a lock naming every stage's
 *  output (so each stage's hash is known without building, and one stage's edit stays its own). */
async function checkout(name: string, stage1Output = "o".repeat(64)): Promise<GatherOptions> {
  const root = await tempDir(`plan-${name}`);
  for (const stage of [...CHAIN, "lib"]) await fs.cp(path.join(recipesDir(), stage), path.join(root, "recipes", stage), { recursive: true });
  await fs.cp(guestDir(), path.join(root, "guest"), { recursive: true });
  const lockFile = path.join(root, "lock.json");
  const outputs = Object.fromEntries(CHAIN.map((stage) => [stage, { output: stage === "1-stage1" ? stage1Output : "o".repeat(64) }]));
  await fs.writeFile(lockFile, JSON.stringify({ version: 1, stages: outputs }));
  return { recipesRoot: path.join(root, "recipes"), workDir: path.join(root, "work"), guestDir: path.join(root, "guest"), seedSha256: "s".repeat(64), lockFile, pins: PINS };
}

async function hashes(opts: GatherOptions): Promise<Record<string, string | null>> {
  const facts = await gatherFacts({
    recipesRoot: opts.recipesRoot,
    home: opts.workDir,
    guestDir: opts.guestDir,
    lockFile: opts.lockFile,
    provision: { pins: async () => opts.pins, knownSeedSha256: async () => opts.seedSha256 },
  }, TARGET);
  return Object.fromEntries(planStages(facts).map((step) => [step.stage.name, step.inputHash]));
}

async function touchAll(dir: string, when: Date): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) await fs.utimes(path.join(entry.parentPath, entry.name), when, when);
}

test("the same recipes in another directory, with other file times, plan the same input hashes", async () => {
  const a = await checkout("a");
  const b = await checkout("b");
  await touchAll(b.recipesRoot, new Date("2001-02-03T04:05:06Z"));
  await touchAll(b.guestDir, new Date("2011-02-03T04:05:06Z"));
  const planned = await hashes(a);
  assert.ok(planned["1-stage1"] && planned["2a0-make"]);
  assert.deepEqual(await hashes(b), planned);
});

test("one recipe byte, one source pin or one input's output moves the input hash of exactly the stages that see it", async () => {
  const base = await checkout("base");
  const before = await hashes(base);

  const edited = await checkout("edit");
  await fs.appendFile(path.join(edited.recipesRoot, "2a0-make", "build.sh"), "\n");
  const afterEdit = await hashes(edited);
  assert.equal(afterEdit["1-stage1"], before["1-stage1"]);
  assert.notEqual(afterEdit["2a0-make"], before["2a0-make"]);

  const repinned = await hashes({ ...base, pins: { ...PINS, musl: "n".repeat(64) } });
  assert.notEqual(repinned["1-stage1"], before["1-stage1"], "stage 1 unpacks musl");
  assert.equal(repinned["2a0-make"], before["2a0-make"], "2a0 depends on stage 1's output, which the lock fixes");

  const otherOutput = await hashes(await checkout("dep", "p".repeat(64)));
  assert.equal(otherOutput["1-stage1"], before["1-stage1"]);
  assert.notEqual(otherOutput["2a0-make"], before["2a0-make"]);
});

test("a new seed or edited guest headers move seed-tcc stages only: shell stages see neither", async () => {
  const base = await checkout("seed");
  const before = await hashes(base);
  const reseeded = await hashes({ ...base, seedSha256: "z".repeat(64) });
  assert.notEqual(reseeded["1-stage1"], before["1-stage1"]);
  assert.equal(reseeded["2a0-make"], before["2a0-make"]);
  await fs.appendFile(path.join(base.guestDir, "zsys.h"), "\n");
  const reguested = await hashes(base);
  assert.notEqual(reguested["1-stage1"], before["1-stage1"]);
  assert.equal(reguested["2a0-make"], before["2a0-make"]);
});

test("the recipe library moves the shell stages that run it; descriptions and timeouts move nothing", async () => {
  const opts = await checkout("lib");
  const before = await hashes(opts);
  const declaration = path.join(opts.recipesRoot, "1-stage1", "stage.json");
  const stage1 = JSON.parse(await fs.readFile(declaration, "utf8")) as Record<string, unknown>;
  await fs.writeFile(declaration, JSON.stringify({ ...stage1, description: "reworded", timeoutSeconds: 1, memoryMiB: 64, small: true }));
  assert.deepEqual(await hashes(opts), before);
  await fs.appendFile(path.join(opts.recipesRoot, "lib", "build.sh"), "\n");
  const after = await hashes(opts);
  assert.equal(after["1-stage1"], before["1-stage1"], "seed-tcc stages do not see the library");
  assert.notEqual(after["2a0-make"], before["2a0-make"]);
});

test("what stage 1 provides is part of 2a0's hash (its PATH, init and shell), not of stage 1's", async () => {
  const opts = await checkout("provides");
  const before = await hashes(opts);
  const declaration = path.join(opts.recipesRoot, "1-stage1", "stage.json");
  const stage1 = JSON.parse(await fs.readFile(declaration, "utf8")) as { provides: { bin: string[] } };
  await fs.writeFile(declaration, JSON.stringify({ ...stage1, provides: { ...stage1.provides, bin: [...stage1.provides.bin].reverse() } }));
  const after = await hashes(opts);
  assert.equal(after["1-stage1"], before["1-stage1"]);
  assert.notEqual(after["2a0-make"], before["2a0-make"]);
});

/** The stages of the chain whose input hash differs between two plans. */
function moved(before: Record<string, string | null>, after: Record<string, string | null>): string[] {
  for (const stage of CHAIN) assert.ok(before[stage] && after[stage], `${stage} has a planned hash`);
  return CHAIN.filter((stage) => before[stage] !== after[stage]);
}

async function editDeclaration(opts: GatherOptions, stage: string, edit: (d: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const file = path.join(opts.recipesRoot, stage, "stage.json");
  await fs.writeFile(file, JSON.stringify(edit(JSON.parse(await fs.readFile(file, "utf8")) as Record<string, unknown>)));
}

test("a recipes/lib file moves exactly the stages whose \"lib\" lists it (or a folder holding it)", async () => {
  const opts = await checkout("lib-files");
  const lib = path.join(opts.recipesRoot, "lib");
  const before = await hashes(opts);
  await fs.appendFile(path.join(lib, "gcc10.sh"), "\n");
  const gcc10 = await hashes(opts);
  assert.deepEqual(moved(before, gcc10), ["2a5a-gcc10-o0", "2a5b-gcc10-o0-rebuilt", "2a5c-gcc10", "2a5d-gcc10-fixpoint"], "2a0, 2a1 and 2a4 never read gcc10.sh");
  await fs.appendFile(path.join(lib, "smoke", "cxx98.cpp"), "\n");
  const smoke = await hashes(opts);
  assert.deepEqual(moved(gcc10, smoke), ["2a4-gcc3", "2a5a-gcc10-o0", "2a5b-gcc10-o0-rebuilt", "2a5c-gcc10", "2a5d-gcc10-fixpoint"], "2a3 does not list smoke");
  await fs.appendFile(path.join(lib, "build.sh"), "\n");
  const build = await hashes(opts);
  assert.deepEqual(moved(smoke, build), CHAIN.slice(1), "every shell stage sources build.sh");
  await fs.writeFile(path.join(lib, "unlisted.sh"), "true\n");
  await fs.writeFile(path.join(lib, "smoke", "cxx20.cpp"), "int main() {}\n");
  assert.deepEqual(moved(build, await hashes(opts)), ["2a4-gcc3", "2a5a-gcc10-o0", "2a5b-gcc10-o0-rebuilt", "2a5c-gcc10", "2a5d-gcc10-fixpoint"], "a new file moves only the stages listing its folder");
});

test("the order of \"lib\" moves nothing, nor spelling out the default; the list itself does", async () => {
  const opts = await checkout("lib-order");
  const before = await hashes(opts);
  await editDeclaration(opts, "2a5a-gcc10-o0", (d) => ({ ...d, lib: [...(d.lib as string[])].reverse() }));
  await editDeclaration(opts, "2a0-make", (d) => ({ ...d, lib: ["build.sh"] }));
  assert.deepEqual(moved(before, await hashes(opts)), []);
  await editDeclaration(opts, "2a3-musl", (d) => ({ ...d, lib: ["build.sh", "smoke"] }));
  assert.deepEqual(moved(before, await hashes(opts)), ["2a3-musl"], "a stage that sees more has another hash");
});

test("a stage listing a file recipes/lib lacks fails in one line naming its stage.json, the field and the fix", async () => {
  const opts = await checkout("lib-missing");
  await editDeclaration(opts, "2a5a-gcc10-o0", (d) => ({ ...d, lib: ["build.sh", "gcc11.sh", "smoke"] }));
  await assert.rejects(hashes(opts), (error: unknown) => {
    assert.ok(error instanceof ZilchError, String(error));
    assert.ok(!error.line.includes("\n"), error.line);
    assert.match(error.line, /2a5a-gcc10-o0\/stage\.json: "lib" lists gcc11\.sh, which is not in .*lib; add .*lib\/gcc11\.sh, or drop "gcc11\.sh" from "lib" in .*2a5a-gcc10-o0\/stage\.json$/);
    return true;
  });
});
