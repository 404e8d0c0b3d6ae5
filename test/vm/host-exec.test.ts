// The probe behind "can --runner native run this arch here": its program must be a real static ELF
// that exits 42 wherever its arch runs (checked under qemu-user, so on every host, whatever its
// kernel executes), its verdict is cached per host kernel and boot, and a "no" refuses an i386
// stage in one line before anything is fetched or built.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { execa } from "execa";
import { GUEST_ARCHES } from "../../src/arch.js";
import { validateSeed } from "../../src/seed/elf.js";
import { hostExecutes, hostKernelIdentity, PROBE_STATUS, probeHostExec, probeProgram, VERDICT_FILE } from "../../src/vm/host-exec.js";
import { zilchboot } from "../helpers/child-env.js";
import { tempDir, testHome, type TestHome } from "../helpers/home.js";
import { provisioned } from "../helpers/provisioned.js";
import { kernelRunsI386 } from "../helpers/run-i386.js";

const cleanup: string[] = [];
const homes: TestHome[] = [];

after(async () => {
  for (const dir of cleanup) await fs.rm(dir, { recursive: true, force: true });
  for (const home of homes) await home.remove();
});

async function scratch(prefix: string): Promise<string> {
  const dir = await tempDir(prefix);
  cleanup.push(dir);
  return dir;
}

test("each probe program is a static ELF executable for its arch that exits 42 where that arch runs (qemu-user)", async () => {
  const dir = await scratch("exec-probe");
  for (const arch of GUEST_ARCHES) {
    const file = path.join(dir, `probe-${arch}`);
    await fs.writeFile(file, probeProgram(arch), { mode: 0o755 });
    // The same checks the seed gets: ELF class and machine, ET_EXEC, no interpreter.
    await validateSeed(file, arch);
    await assert.rejects(validateSeed(file, arch === "i386" ? "x86_64" : "i386"), /need ELF/);
    const emulator = arch === "i386" ? "qemu-i386" : "qemu-x86_64";
    const run = await execa(emulator, [file], { reject: false, stdin: "ignore" });
    assert.notEqual(run.code, "ENOENT", `${emulator} missing: install qemu-user (scripts/setup-host.sh --test-extras)`);
    assert.equal(run.exitCode, PROBE_STATUS, `${arch} probe under ${emulator}: ${run.stderr}`);
  }
  assert.deepEqual(probeProgram("i386"), probeProgram("i386"), "the probe is the same bytes every time");
});

test("the host probe says yes for the host's own arch, and its i386 answer matches what the kernel does with an i386 ELF", async () => {
  // Every host of this kind is an x86_64 Linux, which runs x86_64 programs.
  const own = await probeHostExec("x86_64");
  assert.equal(own.runs, true, own.detail);
  // The i386 answer is checked against an independent attempt to run the same bytes.
  const i386 = await probeHostExec("i386");
  assert.equal(i386.runs, await kernelRunsI386(await scratch("exec-truth")), i386.detail);
  if (!i386.runs) assert.match(i386.detail, /does not execute i386 programs/);
});

test("verdicts are cached per host kernel and boot; one recorded for another kernel is not believed", async () => {
  const cache = await scratch("exec-verdicts");
  const file = path.join(cache, VERDICT_FILE);
  const kernel = await hostKernelIdentity();
  // A planted verdict for this kernel is what hostExecutes answers, without probing.
  const planted = { runs: false, detail: "planted for the test", checkedAt: new Date().toISOString() };
  await fs.writeFile(file, JSON.stringify({ [`${kernel}|x86_64`]: planted, [`another-kernel|#1|boot|i386`]: planted }));
  assert.deepEqual(await hostExecutes("x86_64", cache), { arch: "x86_64", runs: false, detail: "planted for the test", cached: true });
  // For i386 only the other kernel's verdict exists: a fresh probe, recorded under this kernel,
  // and the other kernel's entry is dropped.
  const fresh = await hostExecutes("i386", cache);
  assert.equal(fresh.cached, false);
  assert.deepEqual(fresh, { ...(await probeHostExec("i386")), cached: false });
  const written = JSON.parse(await fs.readFile(file, "utf8")) as Record<string, { runs: boolean }>;
  assert.deepEqual(Object.keys(written).sort(), [`${kernel}|i386`, `${kernel}|x86_64`]);
  assert.equal(written[`${kernel}|i386`]!.runs, fresh.runs);
  assert.deepEqual(await hostExecutes("i386", cache), { ...fresh, cached: true });
});

test("--runner native refuses an i386 stage in one line, before fetching, building or storing anything", async () => {
  const home = await testHome("native-i386-refusal");
  homes.push(home);
  const cache = await scratch("native-i386-cache");
  // A "no" recorded for this very kernel: the refusal is then the same on hosts that do run i386.
  await fs.writeFile(path.join(cache, VERDICT_FILE), JSON.stringify({
    [`${await hostKernelIdentity()}|i386`]: { runs: false, detail: "this host's kernel does not execute i386 programs (recorded by the test)", checkedAt: new Date().toISOString() },
  }));
  const lockBefore = await fs.readFile(home.lockFile, "utf8");
  // 1-ddc needs 1-stage1 (x86_64, runnable natively) first: it must not be built either.
  const result = await zilchboot(["build", "1-ddc", "--runner", "native"], { HOME: home.home, ...home.env, ZILCHBOOT_DOWNLOADS: cache }, { stdin: "ignore" });
  assert.equal(result.exitCode, 1, result.stderr);
  const errors = result.stderr.split("\n").filter((line) => line.startsWith("zilchboot:"));
  assert.equal(errors.length, 1, result.stderr);
  assert.match(errors[0]!, /^zilchboot: --runner native cannot build 1-stage1-i386, an i386 stage: this host's kernel does not execute i386 programs \(recorded by the test\); build it in the i386 VM instead: leave out --runner native \(qemu-system-i386[^)]*\), or `--backend v86`$/);
  assert.deepEqual(await fs.readdir(cache), [VERDICT_FILE], "nothing fetched, no seed or kernel built");
  assert.deepEqual(await fs.readdir(home.home), [], "no store entry, run or log");
  assert.equal(await fs.readFile(home.lockFile, "utf8"), lockBefore);
});

test("`zilchboot probe` reports which arches' programs the host kernel executes, as the probe finds them", async () => {
  const { kernel } = await provisioned();
  const cache = await scratch("probe-cli-cache");
  const run = await zilchboot(["probe", "--kernel", kernel.path], { ZILCHBOOT_DOWNLOADS: cache }, { stdin: "ignore" });
  assert.equal(run.exitCode, 0, run.stderr);
  assert.match(run.stdout, /^native x86_64: yes, a static x86_64 program ran \(exit 42\)$/m);
  const i386 = run.stdout.split("\n").find((line) => line.startsWith("native i386: "));
  assert.ok(i386, run.stdout);
  if (await kernelRunsI386(await scratch("probe-cli-truth"))) assert.equal(i386, "native i386: yes, a static i386 program ran (exit 42)");
  else assert.match(i386, /^native i386: no, this host's kernel does not execute i386 programs \(.*\); --runner native refuses i386 stages \(the i386 VM builds them\)$/);
  // The verdicts were cached: a second probe says so.
  const again = await zilchboot(["probe", "--kernel", kernel.path], { ZILCHBOOT_DOWNLOADS: cache }, { stdin: "ignore" });
  assert.match(again.stdout, /^native i386: .*\(verdict cached\)/m);
});
