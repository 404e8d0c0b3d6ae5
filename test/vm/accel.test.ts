// Accelerator probing against real QEMU: a hanging accelerator is abandoned and TCG boots; verdicts
// are cached, so a second choice probes nothing. Asserts verdicts and probe events, never wall time.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { acceleratorCandidates, chooseAccelerator, TCG, type AccelVerdict } from "../../src/vm/accel.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";

/** A qemu wrapper that records each probe's -accel, and whose "kvm" hangs forever (like nested
 *  KVM on these machines). `--version` calls are not probes and are not recorded. */
async function recordingQemu(dir: string, hangKvm: boolean): Promise<{ qemu: string; probes: () => Promise<string[]> }> {
  const qemu = path.join(dir, "qemu-recording");
  const calls = path.join(dir, "probes.txt");
  const hang = hangKvm ? `case " $* " in *" -accel kvm "*) exec sleep 3600 ;; esac\n` : "";
  await fs.writeFile(qemu, `#!/bin/sh
case "$1" in --version) exec qemu-system-x86_64 "$@" ;; esac
echo "$2" >> "${calls}"
${hang}exec qemu-system-x86_64 "$@"
`, { mode: 0o755 });
  return { qemu, probes: async () => (await fs.readFile(calls, "utf8").catch(() => "")).split("\n").filter(Boolean) };
}

function assertVerdictShape(verdict: AccelVerdict, accel: string): void {
  assert.equal(verdict.accel, accel);
  assert.equal(typeof verdict.ok, "boolean");
  assert.ok(Number.isInteger(verdict.ms) && verdict.ms >= 0, `ms: ${verdict.ms}`);
  assert.ok(verdict.detail.startsWith(`${accel}: `), verdict.detail);
}

test("a probe that hangs is killed at its timeout and TCG is chosen; the failure is not cached, so the next run probes again", async (t) => {
  const { kernel } = await provisioned();
  const dir = await tempDir("accel");
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const { qemu, probes } = await recordingQemu(dir, true);
  const lines: string[] = [];
  const first = await chooseAccelerator({ qemu, kernel: kernel.path, cacheDir: dir, candidates: ["kvm"], probeTimeoutMs: 2000, log: (l) => lines.push(l) });
  assert.equal(first.accel, TCG);
  assert.equal(first.verdicts.length, 1);
  assertVerdictShape(first.verdicts[0], "kvm");
  assert.equal(first.verdicts[0].ok, false);
  assert.match(first.verdicts[0].detail, /kvm: probe boot hung for 2000 ms, killed/);
  assert.deepEqual(await probes(), ["kvm"]);

  // One hang on a loaded host must not disable the accelerator for good: only successes are cached.
  const cached = JSON.parse(await fs.readFile(path.join(dir, "accel-verdicts.json"), "utf8").catch(() => "{}")) as Record<string, unknown>;
  assert.deepEqual(Object.keys(cached), []);
  const second = await chooseAccelerator({ qemu, kernel: kernel.path, cacheDir: dir, candidates: ["kvm"], probeTimeoutMs: 2000 });
  assert.equal(second.accel, TCG);
  assert.deepEqual(await probes(), ["kvm", "kvm"], "the failed verdict was not reused: a second probe boot");
  assert.ok(lines.some((l) => l.startsWith("probing")), lines.join("\n"));
});

test("a probe boot with TCG succeeds: the kernel reaches its panic and QEMU exits", async (t) => {
  const { kernel } = await provisioned();
  const dir = await tempDir("accel-tcg");
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const result = await chooseAccelerator({ qemu: "qemu-system-x86_64", kernel: kernel.path, cacheDir: dir, candidates: [TCG], probeTimeoutMs: 60_000 });
  assert.equal(result.accel, TCG);
  assertVerdictShape(result.verdicts[0], TCG);
  assert.equal(result.verdicts[0].ok, true, result.verdicts[0].detail);
  assert.match(result.verdicts[0].detail, /kernel booted in \d+ ms/);
});

test("this host's real candidates each get one verdict; the choice is the first that booted, else TCG; a success is cached", async (t) => {
  // On these machines /dev/kvm may exist while KVM guests hang: the probe must then fall back to TCG.
  const { kernel } = await provisioned();
  const dir = await tempDir("accel-real");
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const { qemu, probes } = await recordingQemu(dir, false);
  const candidates = await acceleratorCandidates();
  const result = await chooseAccelerator({ qemu, kernel: kernel.path, cacheDir: dir, candidates, probeTimeoutMs: 8000 });
  // Probing stops at the first candidate that works; every probed candidate has a verdict, in order.
  const firstOk = result.verdicts.findIndex((v) => v.ok);
  assert.equal(result.verdicts.length, firstOk === -1 ? candidates.length : firstOk + 1);
  result.verdicts.forEach((verdict, i) => assertVerdictShape(verdict, candidates[i]));
  assert.equal(result.accel, firstOk === -1 ? TCG : candidates[firstOk]);
  assert.deepEqual(await probes(), result.verdicts.map((v) => v.accel), "one probe boot per verdict");
  const again = await chooseAccelerator({ qemu, kernel: kernel.path, cacheDir: dir, candidates, probeTimeoutMs: 8000 });
  assert.equal(again.accel, result.accel);
  // A success is cached (no probe the second time); failures are probed again.
  const probedAgain = firstOk === -1 ? result.verdicts.map((v) => v.accel) : [];
  assert.deepEqual(await probes(), [...result.verdicts.map((v) => v.accel), ...probedAgain]);
});
