// Accelerator probing against real QEMU: a hanging accelerator is abandoned and TCG boots.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { chooseAccelerator, TCG } from "../../src/vm/accel.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";

/** A qemu wrapper whose "kvm" hangs forever, like nested KVM on these machines. */
async function hangingKvmQemu(dir: string): Promise<string> {
  const wrapper = path.join(dir, "qemu-hanging-kvm");
  await fs.writeFile(wrapper, `#!/bin/sh\ncase " $* " in *" -accel kvm "*) exec sleep 3600 ;; esac\nexec qemu-system-x86_64 "$@"\n`, { mode: 0o755 });
  return wrapper;
}

test("a probe that hangs is abandoned within its timeout and TCG is chosen; the failure is not cached", async () => {
  const { kernel } = await provisioned();
  const dir = await tempDir("accel");
  const qemu = await hangingKvmQemu(dir);
  const started = performance.now();
  const first = await chooseAccelerator({ qemu, kernel: kernel.path, cacheDir: dir, candidates: ["kvm"], probeTimeoutMs: 2000 });
  const elapsed = performance.now() - started;
  assert.equal(first.accel, TCG);
  assert.equal(first.verdicts[0].ok, false);
  assert.match(first.verdicts[0].detail, /kvm: probe boot hung for 2000 ms/);
  assert.ok(elapsed < 8000, `gave up after ${Math.round(elapsed)} ms`);

  // One hang on a loaded host must not disable the accelerator for good.
  const cached = JSON.parse(await fs.readFile(path.join(dir, "accel-verdicts.json"), "utf8")) as Record<string, unknown>;
  assert.deepEqual(Object.keys(cached), []);
  await fs.rm(dir, { recursive: true, force: true });
});

test("a probe boot with TCG succeeds: the kernel reaches its panic and QEMU exits", async () => {
  const { kernel } = await provisioned();
  const dir = await tempDir("accel-tcg");
  const result = await chooseAccelerator({ qemu: "qemu-system-x86_64", kernel: kernel.path, cacheDir: dir, candidates: [TCG], probeTimeoutMs: 20_000 });
  assert.equal(result.accel, TCG);
  assert.equal(result.verdicts[0].ok, true, result.verdicts[0].detail);
  await fs.rm(dir, { recursive: true, force: true });
});

test("this host's real accelerator candidates end in a usable choice within the probe timeout", async () => {
  // On these machines /dev/kvm exists and KVM guests hang: the probe must fall back to TCG.
  const { kernel } = await provisioned();
  const dir = await tempDir("accel-real");
  const { acceleratorCandidates } = await import("../../src/vm/accel.js");
  const candidates = await acceleratorCandidates();
  const started = performance.now();
  const result = await chooseAccelerator({ qemu: "qemu-system-x86_64", kernel: kernel.path, cacheDir: dir, candidates, probeTimeoutMs: 5000 });
  assert.ok(performance.now() - started < 5000 * candidates.length + 3000);
  const chosen = result.verdicts.find((v) => v.ok);
  assert.ok(result.accel === TCG || chosen?.accel === result.accel);
  await fs.rm(dir, { recursive: true, force: true });
});
