// `zilchboot boot-iso` refuses bad input before anything boots: one line, non-zero exit.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { zilchboot as runCli } from "../helpers/child-env.js";
import { tempDir } from "../helpers/provisioned.js";

let dir: string;
let iso: string;

function zilchboot(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(["boot-iso", ...args], { ZILCHBOOT_HOME: path.join(dir, "home"), ...env }, { stdin: "ignore" });
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, stderr);
  return lines[0];
}

before(async () => {
  dir = await tempDir("boot-iso-cli");
  // A real BIOS-bootable image (never booted here), so flag checks get past the file check.
  const tree = path.join(dir, "tree");
  await fs.mkdir(tree);
  await fs.writeFile(path.join(tree, "boot.img"), Buffer.alloc(2048));
  iso = path.join(dir, "ok.iso");
  await execa("xorriso", ["-as", "mkisofs", "-quiet", "-o", iso, "-b", "boot.img", "-no-emul-boot", "-boot-load-size", "4", tree]);
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test("boot-iso is listed in --help and documents its options", async () => {
  const help = await runCli(["--help"]);
  assert.match(help.stdout, /\n {2}boot-iso +boot an ISO image/);
  const own = await zilchboot(["--help"]);
  assert.equal(own.exitCode, 0);
  for (const flag of ["--memory MIB", "--cpus N", "--accel NAME", "--qemu BIN", "--display", "--net", "--until TEXT", "--timeout SEC", "--log FILE", "Ctrl-] q"]) assert.ok(own.stdout.includes(flag), flag);
});

test("no file, two files, a missing file and a non-ISO file are refused with one line each", async () => {
  const none = await zilchboot([]);
  assert.equal(none.exitCode, 2);
  assert.match(oneLine(none.stderr), /^zilchboot: boot-iso takes one ISO file, got 0/);
  assert.equal((await zilchboot([iso, iso])).exitCode, 2);
  const missing = await zilchboot([path.join(dir, "gone.iso")]);
  assert.equal(missing.exitCode, 2);
  assert.match(oneLine(missing.stderr), /^zilchboot: \S+gone\.iso does not exist; pass the path of a bootable \.iso image$/);
  const text = path.join(dir, "readme.iso");
  await fs.writeFile(text, "text\n".repeat(10_000));
  const notIso = await zilchboot([text]);
  assert.equal(notIso.exitCode, 2);
  assert.match(oneLine(notIso.stderr), /readme\.iso is not an ISO 9660 image \(no "CD001" signature at byte 0x8001\)/);
});

test("bad flag values are refused before anything boots", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["--memory", "lots"], /--memory expects a positive integer, got "lots"/],
    [["--memory", "99999999"], /--memory 99999999 is more than this host's \d+ MiB/],
    [["--cpus", "0"], /--cpus expects a positive integer, got "0"/],
    [["--timeout=-3"], /--timeout expects a positive integer, got "-3"/],
    [["--accel", "warp"], /--accel must be one of kvm, hvf, whpx, tcg, got "warp"/],
    [["--until", ""], /--until expects a non-empty text/],
  ];
  for (const [flags, expected] of cases) {
    const run = await zilchboot([iso, ...flags]);
    assert.equal(run.exitCode, 2, `${flags.join(" ")}: ${run.stderr}`);
    assert.match(oneLine(run.stderr), expected);
  }
});

test("--display without a graphical session fails with one line saying how to do without", async () => {
  const run = await zilchboot([iso, "--display", "--accel", "tcg"], { DISPLAY: undefined, WAYLAND_DISPLAY: undefined });
  assert.equal(run.exitCode, 1);
  assert.match(oneLine(run.stderr), /^zilchboot: --display needs a graphical session, but neither DISPLAY nor WAYLAND_DISPLAY is set; run without --display/);
});

test("a QEMU binary that does not exist is named, with and without --accel", async () => {
  for (const accel of [["--accel", "tcg"], []]) {
    const run = await zilchboot([iso, ...accel, "--qemu", path.join(dir, "no-qemu"), "--timeout", "30"]);
    assert.equal(run.exitCode, 1);
    assert.match(oneLine(run.stderr), /^zilchboot: QEMU binary \S+no-qemu: not found; install QEMU \(scripts\/setup-host\.sh\) or pass --qemu BIN$/);
  }
});
