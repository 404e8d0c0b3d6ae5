// `zilchboot shell` end to end in a real pseudo-terminal, on the real stage 1 in QEMU: commands,
// read-only inputs, window size, the escape key, and the terminal restored however the VM ends.
// Stage 1 comes from test/helpers/stage1.ts, copied into this file's own temporary home.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { alive, findQemu } from "../helpers/processes.js";
import { startPty } from "../helpers/pty-session.js";
import { testHomeWithStage1, type Stage1Home } from "../helpers/stage1.js";

const PROMPT = /1-stage1:before# /;
// After the CLI ends, the same terminal reports its mode: raw mode would show -icanon -echo.
const THEN_STTY = `; echo "cli-exit=$?"; stty -a`;

let home: Stage1Home;

before(async () => {
  home = await testHomeWithStage1("shell-pty");
});

after(async () => {
  await home?.remove();
});

function shell() {
  return startPty(`$ZB shell 1-stage1 $ZB_VM${THEN_STTY}`, { env: home.env });
}

function assertCooked(output: string): void {
  const stty = output.slice(output.lastIndexOf("cli-exit="));
  assert.match(stty, /(^|\s)icanon(\s|$)/m, `terminal left raw:\n${stty}`);
  assert.match(stty, /(^|\s)echo(\s|$)/m, `terminal left without echo:\n${stty}`);
}

test("shell 1-stage1 runs commands on read-only inputs, follows the window size, exits and leaves no QEMU", async (t) => {
  const started = performance.now();
  const term = await shell();
  await term.waitFor(PROMPT);
  t.diagnostic(`zilchboot shell → prompt: ${Math.round(performance.now() - started)} ms`);
  const qemu = await findQemu(term.pid);

  let mark = term.output().length;
  term.write("ls /store\r");
  // Only 0-tcc-seed; kernel console lines ("tsc: Refined TSC clocksource calibration…" on a loaded
  // host) may come before the prompt, here and below.
  await term.waitFor(/ls \/store\r?\r\n0-tcc-seed\r?\r\n(?:[^\r\n]*: [^\r\n]*\r*\n)*1-stage1:before# /, mark);

  mark = term.output().length;
  term.write("echo hi > /x\r");
  await term.waitFor(/can't create \/x: Read-only file system[\s\S]*1-stage1:before# /, mark);
  mark = term.output().length;
  term.write("echo scratch > /out/x && cat /out/x\r");
  await term.waitFor(/\nscratch\r?\r\n[\s\S]*1-stage1:before# /, mark);

  // Keystroke echo: the guest's tty echoes every byte the terminal sends.
  const echoes: number[] = [];
  for (const key of "abcdef") {
    const before = term.output().length;
    const sent = performance.now();
    term.write(key);
    await term.waitFor(new RegExp(`${key}$`), before, 10_000);
    echoes.push(performance.now() - sent);
  }
  t.diagnostic(`keystroke echo: median ${echoes.sort((a, b) => a - b)[3].toFixed(1)} ms, max ${echoes.at(-1)!.toFixed(1)} ms`);
  term.write("\x15"); // Ctrl-U: drop the typed line

  // busybox ls fills the terminal's width: at 200 columns more names share a line than 100 allow.
  // The new size reaches the guest asynchronously (control port → TIOCSWINSZ): ask until ls sees it.
  term.resize(200, 30);
  let widest = 0;
  for (const deadline = Date.now() + 60_000; widest <= 12 && Date.now() < deadline;) {
    mark = term.output().length;
    term.write("ls /zilchboot/shell/bin\r");
    await term.waitFor(/\r\n1-stage1:before# /, mark);
    widest = Math.max(...term.output().slice(mark).split("\n").map((line) => line.trim().split(/\s+/).length));
  }
  assert.ok(widest > 12, `ls put at most ${widest} names on a line at 200 columns`);

  // Ctrl-C reaches the foreground job: the shell owns the console as its controlling terminal.
  // The job says when its INT trap is set (ready-21), and the trap proves the signal arrived; the
  // markers are computed so the echo of the typed command cannot match them.
  mark = term.output().length;
  term.write(`ash -c 'trap "echo trapped-$((40+2)); exit 9" INT; echo ready-$((20+1)); while :; do sleep 1; done'\r`);
  await term.waitFor(/\nready-21\r?\r\n/, mark, 30_000);
  term.write("\x03");
  await term.waitFor(/trapped-42[\s\S]*1-stage1:before# /, mark, 30_000);
  mark = term.output().length;
  term.write("echo status=$?\r");
  await term.waitFor(/\nstatus=9\r?\r\n[\s\S]*1-stage1:before# /, mark);

  term.write("exit 7\r");
  assert.equal(await term.exited, 0);
  assert.match(term.output(), /the shell exited 7; VM stopped/);
  assert.match(term.output(), /cli-exit=0/);
  assertCooked(term.output());
  assert.equal(alive(qemu), false, "QEMU still runs after the shell exited");
});

test("Ctrl-] q kills the VM and gives the terminal back", async () => {
  const term = await shell();
  await term.waitFor(PROMPT);
  const qemu = await findQemu(term.pid);
  // Ctrl-] followed by another key is passed through; only Ctrl-] q quits.
  term.write("\x1dx");
  term.write("\x1dq");
  await term.exited;
  assert.match(term.output(), /left with the escape key; VM killed/);
  assert.match(term.output(), /cli-exit=0/);
  assertCooked(term.output());
  assert.equal(alive(qemu), false);
});

test("the terminal is restored when the VM dies under the shell", async () => {
  const term = await shell();
  await term.waitFor(PROMPT);
  const qemu = await findQemu(term.pid);
  process.kill(qemu, "SIGKILL");
  await term.exited;
  assert.match(term.output(), /zilchboot: shell VM failed: VM ended: qemu exited by signal/);
  assert.match(term.output(), /cli-exit=1/);
  assertCooked(term.output());
});
