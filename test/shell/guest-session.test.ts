import assert from "node:assert/strict";
import { test } from "node:test";
import { READY_MARKER, SHELL_DIR, rerunCommand, sessionScript, shellCommandLine, shellInit, shellPath } from "../../src/shell/guest-session.js";
import { ReadyGate } from "../../src/shell/session.js";
import type { StageRecipe } from "../../src/stages/recipe.js";
import { kernelCommandLine } from "../../src/vm/guest-protocol.js";

const base = { description: "", sources: [], timeoutSeconds: 60, memoryMiB: 256, dir: "/r", arch: "x86_64" as const, small: false };
const stage1Tools = { bin: ["protobusybox/bin", "tinycc/bin"], init: "init", shell: "protobusybox/bin/ash" };
const make: StageRecipe = { ...base, name: "2a0-make", runner: "shell", program: "build.sh", args: ["a"], inputs: ["1-stage1"], tools: [{ stage: "1-stage1", provides: stage1Tools }] };
const stage1: StageRecipe = { ...base, name: "1-stage1", runner: "seed-tcc", program: "stage1.c", args: [], inputs: [] };

test("PID 1 is stage 1's init from the shell's directory, running the console helper through the seed", () => {
  const { init, initArgs } = shellInit({ stage: stage1, mode: "before", rerun: false, cpus: 2, rows: 40, cols: 132 });
  assert.equal(init, `${SHELL_DIR}/init`);
  assert.deepEqual(initArgs.slice(0, 3), [`PATH=${SHELL_DIR}/bin`, "HOME=/", "TERM=xterm"]);
  const run = initArgs.indexOf("-run");
  assert.deepEqual(initArgs.slice(run + 1), [`${SHELL_DIR}/console.c`, "40", "132", `${SHELL_DIR}/bin/ash`, `${SHELL_DIR}/session.sh`]);
  // It must fit the kernel command line's rules (no spaces, ≤ 31 words, < 2048 bytes).
  assert.doesNotThrow(() => kernelCommandLine({ init, initArgs }));
});

test("nonsense window sizes fall back to 24 rather than reaching the guest", () => {
  const { initArgs } = shellInit({ stage: stage1, mode: "before", rerun: false, cpus: 1, rows: 0, cols: Number.NaN });
  const run = initArgs.indexOf("-run");
  assert.deepEqual(initArgs.slice(run + 2, run + 4), ["24", "24"]);
});

test("shell stages keep their own PATH first; the shell's tools come after", () => {
  assert.equal(shellPath(make), `/store/1-stage1/protobusybox/bin:/store/1-stage1/tinycc/bin:${SHELL_DIR}/bin`);
  assert.equal(shellPath(stage1), `${SHELL_DIR}/bin`);
});

test("a re-run uses the build's exact command and environment", () => {
  assert.equal(rerunCommand(make, 3), "'env' '-i' 'PATH=/store/1-stage1/protobusybox/bin:/store/1-stage1/tinycc/bin' 'SOURCE_DATE_EPOCH=0' 'JOBS=3' '/store/1-stage1/protobusybox/bin/ash' '/recipe/build.sh' 'a'");
  // A seed-tcc program runs its stage half directly (the PID 1 half already ran: init mounted).
  assert.equal(rerunCommand(stage1, 1), "'env' '-i' '/store/0-tcc-seed' '-nostdinc' '-nostdlib' '-I/guest' '-run' '/recipe/stage1.c' '--stage'");
});

test("the session script re-runs only when asked, then always ends in an interactive ash", () => {
  const plain = sessionScript({ stage: make, mode: "after", rerun: false, cpus: 2 });
  assert.match(plain, /^PS1='2a0-make:after# '$/m);
  assert.doesNotMatch(plain, /env' '-i/);
  assert.match(plain, new RegExp(`exec ${SHELL_DIR}/bin/ash -i\\n$`));
  const rerun = sessionScript({ stage: make, mode: "before", rerun: true, cpus: 2 });
  assert.ok(rerun.includes(rerunCommand(make, 2)));
  assert.ok(rerun.indexOf("trap 'echo' INT") < rerun.indexOf(rerunCommand(make, 2)));
});

test("the shell command line printed after a failed build names the stage and the build's VM size", () => {
  assert.equal(shellCommandLine("2a0-make", { rerun: true, cpus: 2 }), "zilchboot shell 2a0-make --rerun --cpus 2");
  assert.equal(shellCommandLine("2a0-make", { rerun: true, cpus: 1, memoryMiB: 512 }), "zilchboot shell 2a0-make --rerun --cpus 1 --memory 512");
  assert.equal(shellCommandLine("1-stage1"), "zilchboot shell 1-stage1");
});

test("the ready gate holds boot output back and passes everything after the ready line", () => {
  const passed: string[] = [];
  let ready = 0;
  const gate = new ReadyGate(() => ready++, (chunk) => passed.push(Buffer.from(chunk).toString()));
  gate.feed(Buffer.from("SeaBIOS\r\n[    0.1] Linux\r\nzilchboot-shell: re"));
  assert.equal(ready, 0);
  assert.deepEqual(passed, []);
  gate.feed(Buffer.from(`ady\r\n# `));
  assert.equal(ready, 1);
  assert.ok(gate.isOpen);
  gate.feed(Buffer.from("ls\r\n"));
  assert.deepEqual(passed, ["# ", "ls\r\n"]);
  assert.equal(READY_MARKER, "zilchboot-shell: ready");
});
