// 9p over virtio-serial ports, forced on this Linux host as QEMU without virtfs would choose it:
// the smoke stage over a unix-socket chardev (through the API) and over a TCP-loopback one (the
// Windows shape, through the CLI's --transport), each with the output recipes/lock.json expects,
// the same hermetic view as under virtio-9p, and a server that dies mid-stage failing cleanly.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { ZilchError } from "../../../src/errors.js";
import { cacheDir, recipesDir } from "../../../src/paths.js";
import { guestDir } from "../../../src/provision.js";
import { loadStage } from "../../../src/stages/recipe.js";
import { buildStage, type BuildStageOptions } from "../../../src/stages/run.js";
import { readLock } from "../../../src/store/lock.js";
import { listEntries } from "../../../src/store/store.js";
import { QemuBackend, type QemuOptions } from "../../../src/vm/qemu.js";
import { zilchboot } from "../../helpers/child-env.js";
import { copyLock, testHome } from "../../helpers/home.js";
import { provisioned, tempDir } from "../../helpers/provisioned.js";

let base: Omit<BuildStageOptions, "stage" | "workDir" | "backend">;
let backendOptions: QemuOptions;
let scratch: string;
let lockedSmoke: string;

before(async () => {
  const { kernel, seed } = await provisioned();
  scratch = await tempDir("serial-smoke");
  base = { guestDir: guestDir(), seed, kernel: { path: kernel.path, identity: kernel.identity }, sources: {}, dependencies: {}, cpus: 2 };
  backendOptions = { probeKernel: kernel.path, cacheDir: cacheDir(), transport: "serial", serialSeed: async () => seed };
  lockedSmoke = (await readLock(path.join(recipesDir(), "lock.json"))).stages["0-smoke"]!.output;
});

after(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

function lines(log: string, prefix: string): string[] {
  return log.split("\n").filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}

test("0-smoke over a unix-socket chardev gives the locked output and the same hermetic view", async () => {
  const workDir = path.join(scratch, "unix");
  await fs.mkdir(workDir, { recursive: true });
  const stage = await loadStage(recipesDir(), "0-smoke");
  const built = await buildStage({ ...base, stage, workDir, backend: new QemuBackend(backendOptions), lockFile: await copyLock(workDir) });
  assert.equal(built.cached, false);
  assert.deepEqual(built.run?.outcome, { kind: "status", status: 0 });
  assert.equal(built.entry.record.outputSha256, lockedSmoke, "the output recipes/lock.json expects");
  assert.match(built.entry.record.engine, /^qemu .*9p over virtio-serial \(unix socket\)$/);

  const log = await fs.readFile(built.logFile!, "utf8");
  assert.deepEqual(lines(log, "env count: "), ["0"], "empty environment");
  assert.deepEqual(lines(log, "argv: "), ["exit=0"], "PID 1's arguments arrived unchanged through the pre-init");
  assert.deepEqual(lines(log, "net: "), ["lo"], "no network device");
  assert.deepEqual(lines(log, "cpus: "), ["2"]);
  assert.deepEqual(lines(log, "write "), ["/recipe/smoke.c: -30", "/store/0-tcc-seed: -30", "/undeclared: -30"], "the root is read-only");
  // The stage's root is the share: nothing of the initramfs (/init, /zb, /newroot) is visible.
  const recipeFiles = (await fs.readdir(stage.dir)).filter((f) => f !== "stage.json").map((f) => `/recipe/${f}`);
  const guestFiles = (await fs.readdir(guestDir())).map((f) => `/guest/${f}`);
  const expected = ["/dev/", "/guest/", ...guestFiles, "/out/", "/proc/", "/recipe/", ...recipeFiles, "/sources/", "/store/", "/store/0-tcc-seed", "/tmp/"];
  assert.deepEqual(lines(log, "share: ").map((l) => `/${l.replace(/^\//, "")}`).sort(), expected.sort());
  assert.doesNotMatch(log, /zilchboot-preinit/);
});

test("0-smoke over a TCP-loopback chardev (--transport serial-tcp) gives the locked output", async () => {
  const { kernel, seed } = await provisioned();
  const home = await testHome("serial-tcp");
  try {
    const report = path.join(home.home, "report.json");
    const run = await zilchboot(["build", "0-smoke", "--transport", "serial-tcp", "--kernel", kernel.path, "--seed", seed, "--cpus", "1", "--json", report], home.env);
    assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
    const [entry] = await listEntries(home.home);
    assert.equal(entry?.record.outputSha256, lockedSmoke);
    assert.match(entry!.record.engine, /9p over virtio-serial \(TCP 127\.0\.0\.1\)$/);
    assert.equal((await readLock(home.lockFile)).stages["0-smoke"]?.output, lockedSmoke, "the lock was checked, not changed");
  } finally {
    await home.remove();
  }
});

test("a share server that dies mid-stage fails the build with a message naming the transport, and stores nothing", async () => {
  const workDir = path.join(scratch, "fault");
  const stage = await loadStage(recipesDir(), "0-smoke");
  // The root share serves the seed, smoke.c and zsys.h, then the stage's listing of it: a whole
  // smoke run reads 81 messages from it (measured), so the 45th is past the stage's start (the log
  // check below) and before its end.
  const backend = new QemuBackend({ ...backendOptions, serialFault: { share: "root", afterMessages: 45 } });
  // Other QEMUs with serial shares may be running on this host (another build): only new ones count.
  const before = await serialQemuPids();
  let logFile = "";
  await assert.rejects(buildStage({ ...base, stage, workDir, backend }), (error: unknown) => {
    assert.ok(error instanceof ZilchError, String(error));
    assert.equal(error.code, "STAGE");
    assert.match(error.message, /stage 0-smoke failed: 9p over virtio-serial \(unix socket\): root share: the server stopped after 45 messages \(injected fault\)/);
    logFile = /log: (\S+)/.exec(error.message)?.[1] ?? "";
    return true;
  });
  assert.match(await fs.readFile(logFile, "utf8"), /zilchboot-guest: init running/, "the stage had started");
  assert.deepEqual(await listEntries(workDir), [], "nothing stored");
  assert.deepEqual(await fs.readdir(path.join(workDir, "runs")), [], "run directory removed");
  const left = (await serialQemuPids()).filter((pid) => !before.includes(pid));
  assert.deepEqual(left, [], "no QEMU of this build left running");
});

/** Pids of the processes whose command line has a virtio-serial share bus (`zbserial`). */
async function serialQemuPids(): Promise<string[]> {
  const { stdout } = await execa("ps", ["-eo", "pid=,args="]);
  return stdout.split("\n").filter((line) => line.includes("zbserial")).map((line) => line.trim().split(/\s+/)[0]!);
}
