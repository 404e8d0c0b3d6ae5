// Accelerator verdict caching without a VM: a fake QEMU that "boots" by printing the panic line
// (or fails), counting its probes in a file.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { chooseAccelerator, noCandidateReason, TCG, VERDICT_TTL_MS } from "../../src/vm/accel.js";

async function fakeQemu(t: { after(fn: () => Promise<void>): void }): Promise<{ dir: string; qemu: string; probes: () => Promise<number>; setWorking: (ok: boolean) => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilch-accel-"));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const qemu = path.join(dir, "qemu-fake");
  const count = path.join(dir, "probes");
  const works = path.join(dir, "works");
  await fs.writeFile(qemu, `#!/bin/sh
if [ "$1" = --version ]; then echo "QEMU emulator version 0.0.0-fake"; exit 0; fi
echo probe >> "${count}"
if [ -e "${works}" ]; then echo "Kernel panic - not syncing: VFS"; exit 0; fi
echo "qemu-fake: failed to initialize kvm: Device or resource busy"; exit 1
`, { mode: 0o755 });
  return {
    dir,
    qemu,
    probes: async () => (await fs.readFile(count, "utf8").catch(() => "")).split("\n").filter(Boolean).length,
    setWorking: async (ok) => (ok ? fs.writeFile(works, "") : fs.rm(works, { force: true })),
  };
}

test("a failed accelerator probe is not cached: the next invocation probes again", async (t) => {
  const fake = await fakeQemu(t);
  const options = { qemu: fake.qemu, kernel: "/nonexistent", cacheDir: fake.dir, candidates: ["kvm"], probeTimeoutMs: 10_000 };
  assert.equal((await chooseAccelerator(options)).accel, TCG);
  await fake.setWorking(true);
  assert.equal((await chooseAccelerator(options)).accel, "kvm", "the accelerator works now and is used");
  assert.equal(await fake.probes(), 2);
});

test("a successful probe is cached for a week and probed again after it expires", async (t) => {
  const fake = await fakeQemu(t);
  await fake.setWorking(true);
  let now = Date.parse("2026-12-01T00:00:00Z");
  const options = { qemu: fake.qemu, kernel: "/nonexistent", cacheDir: fake.dir, candidates: ["kvm"], probeTimeoutMs: 10_000, now: () => now };
  assert.equal((await chooseAccelerator(options)).accel, "kvm");
  now += VERDICT_TTL_MS - 1000;
  assert.equal((await chooseAccelerator(options)).accel, "kvm");
  assert.equal(await fake.probes(), 1, "cached within the week");
  now += 2000;
  await fake.setWorking(false);
  assert.equal((await chooseAccelerator(options)).accel, TCG, "an expired success is re-probed, and now fails");
  assert.equal(await fake.probes(), 2);
  const file = JSON.parse(await fs.readFile(path.join(fake.dir, "accel-verdicts.json"), "utf8")) as Record<string, unknown>;
  assert.deepEqual(Object.keys(file), [], "the failure replaced the expired success and is not kept");
});

test("probe says why QEMU fell back to TCG: the failed candidate's verdict, or why there was none", async (t) => {
  const fake = await fakeQemu(t);
  const { QemuBackend } = await import("../../src/vm/qemu.js");
  const failing = new QemuBackend({ binary: fake.qemu, probeKernel: "/nonexistent", cacheDir: fake.dir, candidates: ["kvm"], probeTimeoutMs: 10_000 });
  const result = await failing.probe();
  assert.equal(result.detail, TCG);
  assert.match(result.fellBack ?? "", /^kvm: /);
  await fake.setWorking(true);
  const working = await new QemuBackend({ binary: fake.qemu, probeKernel: "/nonexistent", cacheDir: fake.dir, candidates: ["kvm"], probeTimeoutMs: 10_000 }).probe();
  assert.deepEqual(working, { usable: true, detail: "kvm" }, "no fallback, nothing to explain");
  const none = await new QemuBackend({ binary: fake.qemu, probeKernel: "/nonexistent", cacheDir: fake.dir, candidates: [] }).probe();
  assert.equal(none.fellBack, "no hardware accelerator to try");
  assert.equal(await noCandidateReason("darwin"), "no hardware accelerator is known for darwin");
  // Either way on Linux the line names /dev/kvm and what is wrong with it.
  assert.match(await noCandidateReason("linux"), /^\/dev\/kvm (does not exist|is not readable and writable by this user)/);
});
