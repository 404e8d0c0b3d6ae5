// The chain walk on the fake backend: inputs first, their outputs served at /store/<name>, reuse by
// input hash, cycles refused, and a backend needed only for stages that are built.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { buildTarget } from "../../src/stages/chain.js";
import { listEntries } from "../../src/store/store.js";
import { FakeBackend, fakeSession, tempRoot, writeStage } from "../fixtures/fake-vm.js";

test("build runs a stage's inputs first and serves their outputs; the second run boots nothing", async () => {
  const root = await tempRoot("chain");
  const recipes = path.join(root, "recipes");
  await writeStage(recipes, "0-first");
  await writeStage(recipes, "1-second", { inputs: ["0-first"] });
  const session = await fakeSession(root);
  const built: string[] = [];
  const hooks = { onStageDone: (name: string, report: { cached: boolean }) => built.push(`${name}:${report.cached ? "cached" : "built"}`) };
  const entry = await buildTarget(session, "1-second", hooks);
  assert.deepEqual(built, ["0-first:built", "1-second:built"]);
  assert.ok(session.backend.shares[1].includes("store/0-first/0-first.txt"));
  assert.deepEqual((await listEntries(session.home)).map((e) => e.record.stage), ["0-first", "1-second"]);
  assert.deepEqual((entry.record.inputs as { dependencies: Record<string, string> }).dependencies, {
    "0-first": (await listEntries(session.home))[0].record.outputSha256,
  });

  built.length = 0;
  await buildTarget(session, "1-second", hooks);
  assert.deepEqual(built, ["0-first:cached", "1-second:cached"]);
  assert.equal(session.backend.boots.length, 2);

  await writeStage(recipes, "0-first", { inputs: ["1-second"] });
  await assert.rejects(buildTarget(session, "1-second"), (e: unknown) => e instanceof ZilchError && /cycle: 1-second → 0-first → 1-second/.test(e.message));
  await fs.rm(root, { recursive: true, force: true });
});

test("a backend that cannot run a stage matters only when the stage must be built: a stored one is reused", async () => {
  const root = await tempRoot("chain-backend");
  await writeStage(path.join(root, "recipes"), "0-stored");
  const session = await fakeSession(root);
  const refusing = { ...session, runnerFor: () => Promise.reject(new ZilchError({ code: "VM", message: "no backend for this stage", hint: "test" })) };
  await assert.rejects(buildTarget(refusing, "0-stored"), /no backend for this stage/);
  assert.deepEqual(await listEntries(session.home), [], "nothing was built");
  assert.equal(session.provision.counts.kernel, 0, "no kernel for a stage no backend can run");
  const built = await buildTarget(session, "0-stored");
  const reused = await buildTarget(refusing, "0-stored");
  assert.equal(reused.dir, built.dir);
  await assert.rejects(buildTarget(refusing, "0-stored", { force: true }), /no backend for this stage/, "a forced rebuild needs a backend");
  await fs.rm(root, { recursive: true, force: true });
});

test("a stage no runner can run fails the walk before any earlier stage is provided or built", async () => {
  const root = await tempRoot("chain-refuse-early");
  const recipes = path.join(root, "recipes");
  await writeStage(recipes, "0-runnable", { sources: [{ pin: "src" }] });
  await writeStage(recipes, "1-refused", { inputs: ["0-runnable"] });
  const session = await fakeSession(root, { pins: { src: "a".repeat(64) } });
  const asked: string[] = [];
  const picky = {
    ...session,
    runnerFor: async (stage: { name: string }) => {
      asked.push(stage.name);
      if (stage.name === "1-refused") throw new ZilchError({ code: "VM", message: "no runner here for 1-refused", hint: "test" });
      return session.runnerFor(stage as never);
    },
  };
  await assert.rejects(buildTarget(picky, "1-refused"), /no runner here for 1-refused/);
  assert.deepEqual(asked, ["0-runnable", "1-refused"], "every stage to build is asked first, inputs first");
  assert.deepEqual(session.provision.counts, { seed: 0, kernel: 0, sources: 0 }, "nothing provided");
  assert.equal(session.backend.boots.length, 0, "nothing booted");
  assert.deepEqual(await listEntries(session.home), []);
  await fs.rm(root, { recursive: true, force: true });
});

test("a backend with one vCPU gets one, whatever the session asks for", async () => {
  const root = await tempRoot("chain-cpus");
  await writeStage(path.join(root, "recipes"), "0-one");
  const session = await fakeSession(root, { cpus: 4 });
  const single = new FakeBackend({}, 1);
  await buildTarget({ ...session, runnerFor: async () => ({ bootsKernel: true, backend: () => single }) }, "0-one");
  assert.equal(single.boots[0].cpus, 1);
  await fs.rm(root, { recursive: true, force: true });
});
