// What the v86 backend refuses, up front and in one line, with the real emulator, kernel and CLI:
// missing SeaBIOS (v86 would hang silently), x86_64 kernels and stages (no long mode).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import type { BootSpec } from "../../src/vm/backend.js";
import { V86 } from "v86";
import { V86Backend } from "../../src/vm/v86.js";
import { zilchboot } from "../helpers/child-env.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";

async function spec(kernel: string): Promise<BootSpec> {
  const dir = await tempDir("v86-refuse");
  await fs.mkdir(path.join(dir, "root"));
  await fs.mkdir(path.join(dir, "out"));
  return { kernel, rootDir: path.join(dir, "root"), outDir: path.join(dir, "out"), init: "/init", initArgs: [], memoryMiB: 64, cpus: 1, timeoutMs: 5000, consoleLog: path.join(dir, "console.log") };
}

test("without SeaBIOS, probe says so and boot fails before starting the emulator", async (t) => {
  const { kernel } = await provisioned();
  const nowhere = [{ bios: "/nonexistent/bios.bin", vgaBios: "/nonexistent/vgabios-stdvga.bin" }];
  const backend = new V86Backend({ firmware: nowhere });
  const probe = await backend.probe();
  assert.equal(probe.usable, false);
  assert.match(probe.detail, /v86 needs SeaBIOS .* none was found in \/nonexistent/);
  // v86 without firmware would run silently until the timeout: the emulator must never start.
  const run = t.mock.method(V86.prototype, "run");
  await assert.rejects(backend.boot(await spec(kernel.path)), (err: ZilchError) => err.code === "HOST" && /seabios/.test(err.hint ?? ""));
  assert.equal(run.mock.callCount(), 0, "no emulator was started");
});

test("this host's SeaBIOS is found (scripts/setup-host.sh installs it)", async () => {
  const probe = await new V86Backend().probe();
  assert.equal(probe.usable, true, probe.detail);
});

test("the project's x86_64 kernel is refused: v86 has no long mode", async () => {
  const { kernel } = await provisioned();
  await assert.rejects(new V86Backend().boot(await spec(kernel.path)), (err: ZilchError) => {
    assert.match(err.message, /is an x86_64 kernel; v86 emulates a 32-bit x86 only \(no long mode\)$/);
    return true;
  });
});

test("zilchboot build --backend v86 of an x86_64 stage fails with one line, before any boot", async () => {
  const home = await tempDir("v86-cli");
  const result = await zilchboot(["build", "0-smoke", "--backend", "v86"], { ZILCHBOOT_HOME: home });
  assert.equal(result.exitCode, 1, result.stderr);
  const lines = result.stderr.trim().split("\n").filter((line) => line.startsWith("zilchboot:"));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /stage 0-smoke cannot run under v86: it is an x86_64 stage and v86 emulates a 32-bit x86 only/);
  await fs.rm(home, { recursive: true, force: true });
});
