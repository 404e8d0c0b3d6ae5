// The host↔guest protocol as a table: every exit status 0–255 must arrive exactly, whichever way
// it travels (QEMU's isa-debug-exit exit code cut to 8 bits, v86's port byte, the native process).
// The real-VM half of this check is test/vm/exit-status.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { GuestReport, directCommand, exitPortByte, interpretQemuExit, kernelCommandLine, statusFromExitByte } from "../../src/vm/guest-protocol.js";

/** What the host OS hands us when QEMU's isa-debug-exit exits with (v << 1) | 1. */
const qemuExitCode = (byte: number) => ((byte << 1) | 1) & 0xff;

/** The console as the guest leaves it: some stage output, then PID 1's own status line. */
function consoleOf(status: number): number | null {
  const report = new GuestReport(performance.now());
  for (const line of ["zilchboot-guest: init running", "make: *** [all] Error 2", `zilchboot-guest: exit status ${status}`]) report.observe(line);
  return report.reportedStatus;
}

test("every exit status 0–255 arrives exactly through QEMU's exit code and the console line", () => {
  for (let status = 0; status <= 255; status++) {
    const outcome = interpretQemuExit(qemuExitCode(exitPortByte(status)), false, "", consoleOf(status));
    assert.deepEqual(outcome, { kind: "status", status }, `status ${status}`);
  }
});

test("every exit status 0–255 arrives exactly through v86's exit-port byte and the console line", () => {
  for (let status = 0; status <= 255; status++) {
    assert.deepEqual(statusFromExitByte(exitPortByte(status), consoleOf(status)), { kind: "status", status }, `status ${status}`);
  }
});

test("statuses below 126 need no console line; 126 and above do", () => {
  for (let status = 0; status < 126; status++) {
    assert.deepEqual(interpretQemuExit(qemuExitCode(exitPortByte(status)), false, "", null), { kind: "status", status });
  }
  // Without the line the host knows only "126 or more": a failure, reported as the least it can be.
  assert.deepEqual(interpretQemuExit(qemuExitCode(exitPortByte(139)), false, "", null), { kind: "status", status: 126 });
});

test("the port byte never collides with QEMU's own failure code 1 or with a guest that reports nothing", () => {
  const codes = new Set<number>();
  for (let status = 0; status <= 255; status++) codes.add(qemuExitCode(exitPortByte(status)));
  assert.ok(!codes.has(1) && !codes.has(0));
  assert.equal(interpretQemuExit(0, false, "").kind, "no-status");
});

test("a console line that contradicts the port byte is not believed", () => {
  // A stage printed a fake "exit status 0" after PID 1's line cannot turn a failure into success.
  assert.deepEqual(interpretQemuExit(qemuExitCode(exitPortByte(200)), false, "", 0), { kind: "status", status: 126 });
  // …and a small status comes from the port alone, whatever the console says.
  assert.deepEqual(interpretQemuExit(qemuExitCode(exitPortByte(3)), false, "", 200), { kind: "status", status: 3 });
});

test("bytes our guest never writes are no status", () => {
  assert.equal(statusFromExitByte(0, null).kind, "no-status");
  assert.equal(statusFromExitByte(200, null).kind, "no-status");
});

test("a QEMU failure keeps all of its stderr, warnings first", () => {
  const failed = interpretQemuExit(1, false, "qemu-system-x86_64: warning: host lacks X\nqemu-system-x86_64: -fsdev: bad path\n");
  assert.deepEqual(failed, { kind: "backend-error", detail: "qemu exited 1: qemu-system-x86_64: warning: host lacks X | qemu-system-x86_64: -fsdev: bad path" });
  assert.equal(interpretQemuExit(undefined, true, "").kind, "timeout");
});

test("the report notes PID 1's first line and the last status line", () => {
  const report = new GuestReport(performance.now() - 5);
  report.observe("[    0.1] kernel line");
  assert.equal(report.initOutputMs, null);
  report.observe("zilchboot-guest: init running");
  assert.ok(report.initOutputMs !== null && report.initOutputMs >= 0);
  report.observe("zilchboot-guest: exit status 7");
  report.observe("zilchboot-guest: exit status 130");
  assert.equal(report.reportedStatus, 130);
});

test("init arguments travel after -- on the kernel command line", () => {
  const line = kernelCommandLine({ init: "/store/0-tcc-seed", initArgs: ["-run", "/recipe/x.c", "exit=0"] });
  assert.match(line, / ro init=\/store\/0-tcc-seed panic=-1 -- -run \/recipe\/x.c exit=0$/);
});

test("over virtio-serial the kernel mounts no root: the pre-init reads which shares come, the words after -- are the same", () => {
  const spec = { init: "/store/0-tcc-seed", initArgs: ["-run", "/recipe/x.c", "exit=0"] };
  const line = kernelCommandLine(spec, { serialShares: "root,out" });
  assert.doesNotMatch(line, /root=|rootfstype|rootflags| ro /);
  assert.match(line, / zilchboot\.shares=root,out init=\/store\/0-tcc-seed panic=-1 -- -run \/recipe\/x.c exit=0$/);
  assert.equal(line.split(" -- ")[1], kernelCommandLine(spec).split(" -- ")[1]);
  // Benchmark switch (ZILCHBOOT_SERIAL_DIRECT=1): one more dotted word, nothing else changes.
  const direct = kernelCommandLine(spec, { serialShares: "root,out", direct: true });
  assert.equal(direct, line.replace(" zilchboot.shares=root,out ", " zilchboot.shares=root,out zilchboot.serial=direct "));
});

test("arguments the kernel cannot carry are refused with a reason", () => {
  const spec = { init: "/init", initArgs: [] as string[] };
  assert.throws(() => kernelCommandLine({ ...spec, initArgs: ["a b"] }), (e: unknown) => e instanceof ZilchError && /cannot travel/.test(e.message));
  assert.throws(() => kernelCommandLine({ ...spec, initArgs: Array(40).fill("x") }), /at most 31/);
  assert.throws(() => kernelCommandLine({ ...spec, initArgs: ["x".repeat(2100)] }), /limit 2048/);
});

test("without a VM, PID 1's words become the command to run directly", () => {
  assert.deepEqual(directCommand({ init: "/store/0-tcc-seed", initArgs: ["-nostdinc", "-run", "/recipe/x.c", "a=1"] }), {
    env: [],
    argv: ["/store/0-tcc-seed", "-nostdinc", "-run", "/recipe/x.c", "--stage", "a=1"],
  });
  assert.deepEqual(directCommand({ init: "/store/1-stage1/init", initArgs: ["PATH=/x", "JOBS=2", "/x/ash", "/recipe/b.sh"] }), {
    env: ["PATH=/x", "JOBS=2"],
    argv: ["/x/ash", "/recipe/b.sh"],
  });
});
