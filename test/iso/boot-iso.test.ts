// boot-iso against a real ISO in real QEMU: the test builds a GRUB + Debian kernel + initramfs
// image (test/helpers/test-iso.ts) whose init prints a line on the serial console and powers off.
// Tests that stop the VM themselves (timeout, SIGINT, Ctrl-] q, the window check) boot the holding
// variant, whose init stays up: they wait for events, never race the guest's own power-off.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { PassThrough } from "node:stream";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { bootIso } from "../../src/iso/boot-iso.js";
import { isoQemuArgs } from "../../src/iso/iso-args.js";
import { repoRoot } from "../../src/paths.js";
import { childOptions, zilchboot as runCli } from "../helpers/child-env.js";
import { tempDir } from "../helpers/provisioned.js";
import { buildTestIso, TEST_ISO_HOLDING, TEST_ISO_MARKER, type TestIso } from "../helpers/test-iso.js";
import { waitForOutput, waitUntil } from "../helpers/wait-for-output.js";

const cli = path.join(repoRoot, "dist", "src", "cli.js");
let dir: string;
let testIso: TestIso;
let holdingIso: TestIso;

function zilchboot(args: string[], env: Record<string, string> = {}) {
  // stdin "ignore": like a script or CI job, not a terminal (the TTY path has its own test).
  return runCli(["boot-iso", ...args], { ZILCHBOOT_HOME: path.join(dir, "home"), ...env }, { stdin: "ignore" });
}

async function sha256(file: string): Promise<string> {
  return crypto.createHash("sha256").update(await fs.readFile(file)).digest("hex");
}

before(async () => {
  dir = await tempDir("boot-iso");
  testIso = await buildTestIso(dir);
  holdingIso = await buildTestIso(dir, { hold: true });
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test("--until exits 0 as soon as the ISO's init prints its line, and the image is left unchanged", async (t) => {
  t.diagnostic(`test ISO: ${testIso.bytes} bytes, built in ${testIso.buildMs} ms (kernel ${path.basename(testIso.kernel)})`);
  const before = await sha256(testIso.iso);
  const log = path.join(dir, "until.log");
  const run = await zilchboot([testIso.iso, "--memory", "256", "--until", TEST_ISO_MARKER, "--timeout", "240", "--log", log]);
  assert.equal(run.exitCode, 0, run.stderr);
  const seen = /"zilchboot-test-iso: init running as pid 1" appeared after ([\d.]+) s \(QEMU start → text; first console output after ([\d.]+) s\)/.exec(run.stderr);
  assert.ok(seen, run.stderr);
  t.diagnostic(`QEMU start → marker ${seen[1]} s, first console output ${seen[2]} s (${/ with (\S+),/.exec(run.stderr)?.[1]})`);
  assert.match(run.stderr, /with (tcg|kvm|hvf|whpx)\S*, 256 MiB, \d+ vCPUs?, no network;/);
  // The console passes through to stdout untouched (GRUB's screen codes included) …
  assert.ok(run.stdout.includes(TEST_ISO_MARKER), run.stdout);
  assert.ok(run.stdout.includes("Booting `zilchboot test ISO'"), run.stdout);
  // … and the log holds it as clean lines.
  const lines = (await fs.readFile(log, "utf8")).split("\n");
  assert.ok(lines.includes(TEST_ISO_MARKER), lines.join("\n"));
  assert.ok(lines.includes("zilchboot-test-iso: pci network controllers: 0"), "without --net the guest has no NIC at all");
  assert.ok(!lines.some((line) => line.includes("\x1b")), "log lines carry no escape sequences");
  assert.equal(await sha256(testIso.iso), before, "the ISO is attached read-only");
});

test("without --until the guest's power-off ends the run with exit 0", async () => {
  const run = await zilchboot([testIso.iso, "--memory", "256", "--timeout", "240", "--cpus", "1"]);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.match(run.stderr, /256 MiB, 1 vCPU, no network/);
  assert.match(run.stderr, /boot-iso: the guest powered off or rebooted after [\d.]+ s; log: .*boot-iso-test\.log/);
  assert.ok(run.stdout.includes(TEST_ISO_MARKER));
  assert.ok(run.stdout.includes("reboot: Power down"), "the kernel's own power-off line arrives before QEMU exits");
});

test("--until a text the guest never prints fails once the guest powers off, naming its last line", async () => {
  const run = await zilchboot([testIso.iso, "--memory", "256", "--until", "login:", "--timeout", "240"]);
  assert.equal(run.exitCode, 1);
  assert.match(run.stderr, /^zilchboot: the guest powered off or rebooted after [\d.]+ s without printing "login:" \(last console line: ".*Power down"\); log: /m);
});

test("--timeout stops a VM that has not finished and fails with one line", async () => {
  const never = "zilchboot-test-iso: never printed";
  const run = await zilchboot([holdingIso.iso, "--memory", "256", "--until", never, "--timeout", "1"]);
  assert.equal(run.exitCode, 1);
  assert.match(run.stderr, /^zilchboot: "zilchboot-test-iso: never printed" did not appear within 1 s \(.*\); log: .*; pass a longer --timeout/m);
});

test("SIGINT stops the VM: exit 130, one line, and no QEMU left running", async () => {
  const run = zilchboot([holdingIso.iso, "--memory", "256", "--timeout", "240"]);
  await waitForOutput(run.stdout, "Booting `zilchboot test ISO'", { ended: run });
  run.kill("SIGINT");
  const result = await run;
  assert.equal(result.exitCode, 130, result.stderr);
  assert.match(result.stderr, /^zilchboot: interrupted after [\d.]+ s; log: /m);
  const left = await execa("pgrep", ["-f", `qemu-system-x86_64 .*${holdingIso.iso}`], { reject: false });
  assert.equal(left.stdout, "", "QEMU was killed with the CLI");
});

test("--net gives the guest one network controller on its PCI bus (user-mode NAT)", async () => {
  const run = await zilchboot([testIso.iso, "--memory", "256", "--net", "--verbose", "--until", TEST_ISO_MARKER, "--timeout", "240"]);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.match(run.stderr, /-nic user,model=e1000/);
  assert.match(run.stderr, /user-mode network/);
  assert.ok(run.stdout.includes("zilchboot-test-iso: pci network controllers: 1"), run.stdout);
});

test("on a terminal, keys go to the guest raw; Ctrl-] ? answers with help, Ctrl-] q quits and the terminal is restored", async () => {
  // util-linux `script` gives the CLI a real pty; our keys reach it through script's stdin.
  const command = `node ${cli} boot-iso ${holdingIso.iso} --memory 256 --timeout 240; echo "rc=$?"; stty -a`;
  const session = execa("script", ["-qec", command, "/dev/null"], { reject: false, timeout: 120_000, ...childOptions({ ZILCHBOOT_HOME: path.join(dir, "home") }) });
  let output = "";
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  session.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters.filter((w) => output.includes(w.text))) waiter.resolve();
  });
  const seen = (text: string) => new Promise<void>((resolve) => (output.includes(text) ? resolve() : waiters.push({ text, resolve })));
  // If the session ends early, stop waiting: the assertions below then say what was missing.
  void session.finally(() => waiters.forEach((waiter) => waiter.resolve()));
  // GRUB's line proves the guest console is live, so the terminal is already raw.
  await seen("Booting `zilchboot test ISO'");
  session.stdin.write("\x1d?");
  await seen("[zilchboot] Ctrl-] q: quit");
  session.stdin.write("\x1dq");
  await seen("rc=");
  session.stdin.end();
  await session;
  assert.match(output, /boot-iso: quit after [\d.]+ s/);
  assert.match(output, /rc=0/);
  const stty = output.slice(output.indexOf("rc=0"));
  assert.match(stty, /(^|\s)icanon(\s|$)/m, "canonical mode is back");
  assert.match(stty, /(^|\s)echo(\s|$)/m, "echo is back");
});

test("--display opens a QEMU window on the X server while the serial console still streams", async () => {
  // A real X server without a screen: Xvfb picks a free display number and writes it to stdout.
  const xvfb = execa("Xvfb", ["-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "1024x768x24"], { reject: false, stdin: "ignore", stderr: "ignore" });
  try {
    const display = await new Promise<string>((resolve, reject) => {
      xvfb.stdout.once("data", (chunk: Buffer) => resolve(`:${chunk.toString().trim()}`));
      void xvfb.then(() => reject(new Error("Xvfb exited before naming its display")));
    });
    const run = zilchboot([holdingIso.iso, "--display", "--memory", "256", "--timeout", "240"], { DISPLAY: display });
    // The guest stays up, so the window and the console line can both be awaited, then SIGINT.
    const marker = waitForOutput(run.stdout, TEST_ISO_HOLDING, { ended: run });
    let window = "";
    await waitUntil("a window titled QEMU on the X server", async () => {
      const tree = await execa("xwininfo", ["-root", "-tree"], { reject: false, ...childOptions({ DISPLAY: display }) });
      window = String(tree.stdout).split("\n").find((line) => line.includes('"QEMU"')) ?? "";
      return window !== "" || run.exitCode !== null;
    }, 120_000, 200);
    await marker;
    run.kill("SIGINT");
    const result = await run;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.match(result.stderr, /, window \((gtk|sdl)\);/);
    assert.ok(result.stdout.includes(TEST_ISO_MARKER), "the serial console still reaches stdout");
    assert.match(window, /"QEMU"/, "a window titled QEMU was on the X server during the run");
  } finally {
    xvfb.kill("SIGTERM");
    await xvfb;
  }
});

test("bootIso: an image that never writes to the serial port gets a notice pointing at --display, then times out", async () => {
  // BIOS-bootable by its catalog, but the boot image is `jmp $` (EB FE) and zeros: SeaBIOS jumps into
  // it, it spins forever, and nothing is ever printed on the serial port.
  const tree = path.join(dir, "silent-tree");
  await fs.mkdir(tree, { recursive: true });
  await fs.writeFile(path.join(tree, "boot.img"), Buffer.concat([Buffer.from([0xeb, 0xfe]), Buffer.alloc(2046)]));
  const iso = path.join(dir, "silent.iso");
  await execa("xorriso", ["-as", "mkisofs", "-quiet", "-o", iso, "-b", "boot.img", "-no-emul-boot", "-boot-load-size", "4", tree]);
  const notices: string[] = [];
  const result = await bootIso({
    qemu: "qemu-system-x86_64",
    args: isoQemuArgs({ iso, accel: "tcg", memoryMiB: 64, cpus: 1, display: null, net: false }),
    logFile: path.join(dir, "silent.log"),
    timeoutMs: 4000,
    // Not the runner's stdin: a developer's terminal must not be switched to raw mode by a test.
    input: new PassThrough() as unknown as NodeJS.ReadStream,
    output: new PassThrough(),
    log: (line) => notices.push(line),
    display: false,
    silenceNoticeMs: 1500,
  });
  assert.equal(result.end.kind, "timeout");
  assert.equal(result.firstOutputMs, null);
  assert.deepEqual(notices, ["boot-iso: no serial output after 1.5 s; the image may use only the screen: try --display, or boot its kernel with console=ttyS0"]);
});
