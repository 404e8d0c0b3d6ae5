// WHPX (Windows) and HVF (macOS) accelerator choice. FAKES ONLY: these tests run on Linux and
// nothing here was run on real Windows or macOS. The platform, CPU arch and codesign are injected
// (test/fixtures/fake-accel-qemu.ts), and `qemu` is a shell script printing `-accel help` lists,
// QEMU's WHPX/HVF error lines or "Kernel panic", with canned exit codes. They prove the decisions
// (what is probed, in which order, what is cached, what the user is told), not that WHPX or HVF
// boot our kernel; the error lines are the ones QEMU is known to print.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { acceleratorCandidates, chooseAccelerator, TCG, VERDICT_TTL_MS, type ChooseOptions } from "../../src/vm/accel.js";
import type { BootSpec } from "../../src/vm/backend.js";
import { qemuArgs } from "../../src/vm/qemu-args.js";
import { QemuBackend } from "../../src/vm/qemu.js";
import { ENTITLED, fakeAccelQemu, fakeHost, PANIC, UNSIGNED, type FakeQemu } from "../fixtures/fake-accel-qemu.js";

const WINDOWS = fakeHost("win32", "x64");
const NO_WHPX = { lines: ["WHPX: No accelerator found, hr=80070032"], exit: 1 };
const TOO_OLD = { lines: ["qemu-system-x86_64: Property 'whpx-accel.kernel-irqchip' not found"], exit: 1 };

function options(fake: FakeQemu, extra: Partial<ChooseOptions> & Pick<ChooseOptions, "candidates" | "host">, log: string[] = []): ChooseOptions {
  return { qemu: fake.qemu, kernel: "/nonexistent/vmlinux", cacheDir: fake.dir, probeTimeoutMs: 10_000, log: (l) => log.push(l), ...extra };
}

async function cacheFile(fake: FakeQemu): Promise<Record<string, { accel: string; ok: boolean }>> {
  return JSON.parse(await fs.readFile(path.join(fake.dir, "accel-verdicts.json"), "utf8").catch(() => "{}")) as Record<string, { accel: string; ok: boolean }>;
}

const spec: BootSpec = { kernel: "/k/vmlinux", rootDir: "/r/root", init: "/init", initArgs: [], memoryMiB: 256, cpus: 2, timeoutMs: 1000, consoleLog: "/dev/null" };

test("Windows: a QEMU whose -accel help lacks whpx is not probed; TCG, with the reason and what to install", async (t) => {
  const fake = await fakeAccelQemu(t, { listed: ["tcg"], boots: { "whpx,kernel-irqchip=off": PANIC, whpx: PANIC } });
  const log: string[] = [];
  const result = await chooseAccelerator(options(fake, { candidates: await acceleratorCandidates("win32"), host: WINDOWS }, log));
  assert.equal(result.accel, TCG);
  assert.equal(result.verdicts.length, 1);
  assert.equal(result.verdicts[0].probed, false);
  assert.match(result.verdicts[0].detail, /^whpx: not probed: .* was built without it \(`-accel help` lists only tcg\)/);
  assert.match(result.verdicts[0].hint ?? "", /QEMU for Windows build .*lists whpx/);
  assert.deepEqual(await fake.probes(), [], "no probe boot");
  assert.deepEqual(await fake.calls(), ["-M none -accel help"]);
  assert.ok(log.some((l) => /whpx: not probed.*; using TCG$/.test(l)), log.join("\n"));
  assert.deepEqual(Object.keys(await cacheFile(fake)), [], "nothing cached");
});

test("Windows: whpx,kernel-irqchip=off boots and is chosen, with QEMU's default CPU model", async (t) => {
  const fake = await fakeAccelQemu(t, { listed: ["tcg", "whpx"], boots: { "whpx,kernel-irqchip=off": PANIC, whpx: PANIC } });
  const result = await chooseAccelerator(options(fake, { candidates: ["whpx"], host: WINDOWS }));
  assert.equal(result.accel, "whpx,kernel-irqchip=off");
  assert.deepEqual(await fake.probes(), ["whpx,kernel-irqchip=off"], "the first variant booted: plain whpx is not tried");
  const boot = (await fake.calls()).find((c) => c.startsWith("-accel "));
  assert.doesNotMatch(boot ?? "", /-cpu/, "never -cpu host or max with whpx");
  assert.deepEqual(qemuArgs(spec, result.accel).slice(0, 3), ["-accel", "whpx,kernel-irqchip=off", "-M"], "the boot argv has no -cpu either");
});

test("Windows: when kernel-irqchip=off fails, plain whpx is probed and chosen, and cached as that variant", async (t) => {
  const fake = await fakeAccelQemu(t, { listed: ["tcg", "whpx"], boots: { "whpx,kernel-irqchip=off": TOO_OLD, whpx: PANIC } });
  const log: string[] = [];
  const result = await chooseAccelerator(options(fake, { candidates: ["whpx"], host: WINDOWS }, log));
  assert.equal(result.accel, "whpx");
  assert.deepEqual(result.verdicts.map((v) => [v.accel, v.ok]), [["whpx,kernel-irqchip=off", false], ["whpx", true]]);
  assert.match(result.verdicts[0].detail, /Property 'whpx-accel.kernel-irqchip' not found/);
  assert.ok(log.some((l) => /kernel-irqchip=off: .*not found \(exit 1\); using whpx$/.test(l)), log.join("\n"));
  const file = await cacheFile(fake);
  assert.deepEqual(Object.values(file).map((v) => v.accel), ["whpx"], "the success remembers the variant that worked");

  const again = await chooseAccelerator(options(fake, { candidates: ["whpx"], host: WINDOWS }));
  assert.equal(again.accel, "whpx", "the cached variant, not the first one");
  assert.deepEqual(await fake.probes(), ["whpx,kernel-irqchip=off", "whpx"], "no probe the second time");
});

test("Windows: 'WHPX: No accelerator found' says how to enable the Hypervisor Platform, skips the other variant and is not cached", async (t) => {
  const fake = await fakeAccelQemu(t, { listed: ["tcg", "whpx"], boots: { "whpx,kernel-irqchip=off": NO_WHPX, whpx: NO_WHPX } });
  const log: string[] = [];
  const first = await chooseAccelerator(options(fake, { candidates: ["whpx"], host: WINDOWS }, log));
  assert.equal(first.accel, TCG);
  assert.equal(first.verdicts.length, 1, "the feature is off: plain whpx would fail the same way");
  assert.equal(first.verdicts[0].detail, "whpx,kernel-irqchip=off: WHPX: No accelerator found, hr=80070032");
  const hint = first.verdicts[0].hint ?? "";
  assert.ok(hint.includes("DISM /online /Enable-Feature /FeatureName:HypervisorPlatform /All"), hint);
  assert.match(hint, /then reboot/);
  assert.ok(log.some((l) => l === `accelerator whpx: ${hint}`), log.join("\n"));
  assert.deepEqual(Object.keys(await cacheFile(fake)), [], "a failure is not cached");

  await fake.set({ listed: ["tcg", "whpx"], boots: { "whpx,kernel-irqchip=off": PANIC } });
  const second = await chooseAccelerator(options(fake, { candidates: ["whpx"], host: WINDOWS }));
  assert.equal(second.accel, "whpx,kernel-irqchip=off", "enabled and rebooted: probed again and used");
});

test("Windows: plain whpx failing with the irqchip injection error points at kernel-irqchip=off", async (t) => {
  const injection = { lines: ["whpx: injection failed, MSI (0, 0) delivery: 0, dest_mode: 0, trigger mode: 0, vector: 0, lost (c0350005)", "Unexpected VP exit code 4"], exit: 1 };
  const fake = await fakeAccelQemu(t, { listed: ["tcg", "whpx"], boots: { "whpx,kernel-irqchip=off": TOO_OLD, whpx: injection } });
  const result = await chooseAccelerator(options(fake, { candidates: ["whpx"], host: WINDOWS }));
  assert.equal(result.accel, TCG);
  assert.match(result.verdicts[1].detail, /^whpx: whpx: injection failed/);
  assert.match(result.verdicts[1].hint ?? "", /kernel-irqchip=off/);
  assert.equal(result.verdicts[0].hint, undefined, "an unknown option is not a recognised failure");
});

test("Windows: a QEMU that cannot list its accelerators is probed anyway", async (t) => {
  const fake = await fakeAccelQemu(t, { listed: null, boots: { "whpx,kernel-irqchip=off": PANIC } });
  const result = await chooseAccelerator(options(fake, { candidates: ["whpx"], host: WINDOWS }));
  assert.equal(result.accel, "whpx,kernel-irqchip=off");
});

test("an expired success is probed again from the first variant; a failure then leaves nothing cached", async (t) => {
  const fake = await fakeAccelQemu(t, { listed: ["tcg", "whpx"], boots: { "whpx,kernel-irqchip=off": TOO_OLD, whpx: PANIC } });
  let now = Date.parse("2026-12-01T00:00:00Z");
  const opts = options(fake, { candidates: ["whpx"], host: WINDOWS, now: () => now });
  assert.equal((await chooseAccelerator(opts)).accel, "whpx");
  now += VERDICT_TTL_MS - 1000;
  assert.equal((await chooseAccelerator(opts)).accel, "whpx", "cached within the week");
  assert.equal((await fake.probes()).length, 2);

  now += 2000;
  await fake.set({ listed: ["tcg", "whpx"], boots: { "whpx,kernel-irqchip=off": PANIC, whpx: PANIC } });
  assert.equal((await chooseAccelerator(opts)).accel, "whpx,kernel-irqchip=off", "expired: re-probed, and the better variant works now");
  assert.deepEqual(await fake.probes(), ["whpx,kernel-irqchip=off", "whpx", "whpx,kernel-irqchip=off"]);

  now += VERDICT_TTL_MS;
  await fake.set({ listed: ["tcg", "whpx"], boots: { "whpx,kernel-irqchip=off": NO_WHPX } });
  assert.equal((await chooseAccelerator(opts)).accel, TCG);
  assert.deepEqual(Object.keys(await cacheFile(fake)), [], "the failure replaced the expired success and is not kept");
});

test("macOS on Apple Silicon: hvf is not probed for x86 guests; TCG, and the reason is said once", async (t) => {
  const fake = await fakeAccelQemu(t, { listed: ["tcg", "hvf"], boots: { hvf: PANIC } });
  const mac = fakeHost("darwin", "arm64", ENTITLED);
  const log: string[] = [];
  const result = await chooseAccelerator(options(fake, { candidates: await acceleratorCandidates("darwin"), host: mac }, log));
  assert.equal(result.accel, TCG);
  assert.equal(result.verdicts[0].probed, false);
  assert.match(result.verdicts[0].detail, /^hvf: not probed: this Mac has Apple Silicon \(arm64\).*not x86 ones/);
  assert.deepEqual(await fake.calls(), [], "neither -accel help nor a probe boot");
  assert.deepEqual(mac.codesignCalls, []);
  assert.equal(log.filter((l) => l.includes("Apple Silicon")).length, 1, log.join("\n"));
});

test("macOS on Intel: an unsigned QEMU's hv_vm_create failure comes with the exact ad-hoc codesign command", async (t) => {
  const hvError = { lines: ["qemu-system-x86_64: Error: hv_vm_create(HV_VM_DEFAULT) = HV_ERROR (0xfae94001, at ../accel/hvf/hvf-accel-ops.c:322)"], exit: 134 };
  const fake = await fakeAccelQemu(t, { listed: ["tcg", "hvf"], boots: { hvf: hvError } });
  const mac = fakeHost("darwin", "x64", UNSIGNED);
  const result = await chooseAccelerator(options(fake, { candidates: ["hvf"], host: mac }));
  assert.equal(result.accel, TCG);
  assert.deepEqual(mac.codesignCalls, [["--display", "--entitlements", "-", fake.qemu]]);
  const plist = path.join(fake.dir, "hvf-entitlements.plist");
  const hint = result.verdicts[0].hint ?? "";
  assert.ok(hint.includes(`\`codesign -s - --entitlements ${plist} --force ${fake.qemu}\``), hint);
  assert.match(hint, /lacks the com.apple.security.hypervisor entitlement/);
  assert.match(await fs.readFile(plist, "utf8"), /<key>com\.apple\.security\.hypervisor<\/key>\s*<true\/>/, "the plist the command names exists");
  assert.match(result.verdicts[0].detail, /HV_ERROR/);
  assert.deepEqual(Object.keys(await cacheFile(fake)), []);
});

test("macOS on Intel: HV_DENIED with codesign unavailable still gets the signing hint", async (t) => {
  const fake = await fakeAccelQemu(t, { listed: ["tcg", "hvf"], boots: { hvf: { lines: ["qemu-system-x86_64: Error: HV_DENIED"], exit: 134 } } });
  const result = await chooseAccelerator(options(fake, { candidates: ["hvf"], host: fakeHost("darwin", "x64", { exitCode: undefined, output: "" }) }));
  assert.equal(result.accel, TCG);
  assert.match(result.verdicts[0].hint ?? "", /probably lacks \(hv_vm_create failed\).*codesign -s - --entitlements/);
});

test("macOS on Intel: a signed QEMU boots hvf with the host CPU; a build without hvf is not probed", async (t) => {
  const fake = await fakeAccelQemu(t, { listed: ["tcg", "hvf"], boots: { hvf: PANIC } });
  const mac = fakeHost("darwin", "x64", ENTITLED);
  const result = await chooseAccelerator(options(fake, { candidates: ["hvf"], host: mac }));
  assert.equal(result.accel, "hvf");
  assert.equal(result.verdicts[0].hint, undefined);
  assert.match((await fake.calls()).find((c) => c.startsWith("-accel hvf")) ?? "", /^-accel hvf -cpu host /);

  const plain = await fakeAccelQemu(t, { listed: ["tcg"], boots: { hvf: PANIC } });
  const without = await chooseAccelerator(options(plain, { candidates: ["hvf"], host: mac }));
  assert.equal(without.accel, TCG);
  assert.match(without.verdicts[0].detail, /hvf: not probed: .*built without it/);
  assert.deepEqual(await plain.probes(), []);
});

test("--accel whpx boots with the variant the probe found; if none boots it fails with the hint instead of using TCG", async (t) => {
  const fake = await fakeAccelQemu(t, { listed: ["tcg", "whpx"], boots: { "whpx,kernel-irqchip=off": TOO_OLD, whpx: PANIC } });
  const forced = new QemuBackend({ binary: fake.qemu, accel: "whpx", probeKernel: "/nonexistent/vmlinux", cacheDir: fake.dir, host: WINDOWS });
  const accel = await forced.accelerator();
  assert.equal(accel, "whpx");
  assert.deepEqual(qemuArgs(spec, accel).slice(0, 3), ["-accel", "whpx", "-M"]);

  const exact = new QemuBackend({ binary: fake.qemu, accel: "whpx,kernel-irqchip=on", probeKernel: "/nonexistent/vmlinux", cacheDir: fake.dir, host: WINDOWS });
  assert.equal(await exact.accelerator(), "whpx,kernel-irqchip=on", "a string with options is used as given, unprobed");
  assert.equal((await fake.probes()).length, 2);

  const off = await fakeAccelQemu(t, { listed: ["tcg", "whpx"], boots: { "whpx,kernel-irqchip=off": NO_WHPX } });
  const failing = new QemuBackend({ binary: off.qemu, accel: "whpx", probeKernel: "/nonexistent/vmlinux", cacheDir: off.dir, host: WINDOWS });
  await assert.rejects(failing.accelerator(), (err: unknown) => {
    assert.ok(err instanceof ZilchError);
    assert.match(err.message, /^--accel whpx cannot be used here \(whpx,kernel-irqchip=off: WHPX: No accelerator found/);
    assert.match(err.hint ?? "", /FeatureName:HypervisorPlatform/);
    return true;
  });
});

test("a forced --accel kvm is used unprobed by builds, but `zilchboot probe --accel kvm` boot-tests it and fails with QEMU's reason", async (t) => {
  const LINUX = fakeHost("linux", "x64");
  const broken = await fakeAccelQemu(t, { listed: ["tcg", "kvm"], boots: { kvm: { lines: ["qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69"], exit: 1 } } });
  const build = new QemuBackend({ binary: broken.qemu, accel: "kvm", probeKernel: "/nonexistent/vmlinux", cacheDir: broken.dir, host: LINUX });
  assert.equal(await build.accelerator(), "kvm");
  assert.deepEqual(await broken.probes(), []);
  const probe = new QemuBackend({ binary: broken.qemu, accel: "kvm", verifyAccel: true, probeKernel: "/nonexistent/vmlinux", cacheDir: broken.dir, host: LINUX });
  await assert.rejects(probe.accelerator(), /^ZilchError: --accel kvm cannot be used here \(kvm: qemu-system-x86_64: error: failed to set MSR 0x10a/);
  assert.equal((await broken.probes()).length, 1);
  const tcg = new QemuBackend({ binary: broken.qemu, accel: "tcg", verifyAccel: true, probeKernel: "/nonexistent/vmlinux", cacheDir: broken.dir, host: LINUX });
  assert.equal(await tcg.accelerator(), "tcg", "TCG needs no probe");
});
