// buildKernel's lock and logs without building a kernel: the "Linux tarball" is a text file, so a
// real build attempt fails at its first step (tar) within milliseconds.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { isZilchError } from "../../src/errors.js";
import { buildKernel, kernelCacheEntry, type BuildKernelOptions, type KernelIdentity } from "../../src/kernel/build-kernel.js";
import { acquireLock } from "../../src/store/file-lock.js";
import { tempHome } from "../helpers/store-entries.js";
import { recordLog } from "../helpers/wait-for-output.js";

const WAITING = "waiting for another zilchboot process that holds the x86_64 guest kernel build";
// The build runs the host's tar and refuses other hosts before it starts.
const BUILD_HOST = process.platform === "linux" && process.arch === "x64";

async function fakeInputs(dir: string, log: (line: string) => void): Promise<BuildKernelOptions> {
  const fragment = path.join(dir, "test.config");
  await fs.writeFile(fragment, "CONFIG_PRINTK=y\n");
  const linuxTarball = path.join(dir, "linux.tar.xz");
  await fs.writeFile(linuxTarball, "not a kernel tarball\n");
  return {
    linuxTarball,
    linuxSha256: "0".repeat(64),
    arch: "x86_64",
    fragmentFiles: [fragment],
    cacheDir: path.join(dir, "cache"),
    imagesDir: path.join(dir, "images"),
    jobs: 1,
    log,
  };
}

test("a kernel build waits for another process building the same kernel, then reuses its entry", { timeout: 60_000 }, async (t) => {
  const dir = await tempHome(t, "kernel-lock");
  const recorder = recordLog(WAITING);
  const options = await fakeInputs(dir, recorder.log);
  const entry = await kernelCacheEntry(options);
  const release = await acquireLock(entry.lockTarget, { what: "the test's kernel build" });
  const identity: KernelIdentity = { sourceSha256: options.linuxSha256, fragmentSha256: "f".repeat(64), configSha256: "c".repeat(64), version: "6.1.0-other" };
  let building: ReturnType<typeof buildKernel> | undefined;
  try {
    building = buildKernel(options);
    await recorder.logged(building);
    // What the other process publishes before it lets go.
    await fs.mkdir(entry.dir, { recursive: true });
    for (const name of ["vmlinux", "bzImage", "kernel.config"]) await fs.writeFile(path.join(entry.dir, name), `${name} from the other process\n`);
    await fs.writeFile(path.join(entry.dir, "kernel.json"), JSON.stringify(identity));
  } finally {
    await release();
  }

  const image = await building;
  assert.deepEqual(image.identity, identity);
  assert.equal(await fs.readFile(image.bzImage, "utf8"), "bzImage from the other process\n");
  assert.ok(!recorder.lines.some((line) => line.startsWith("kernel: building")), recorder.lines.join("\n"));
  await assert.rejects(fs.access(path.join(options.cacheDir, "kernel", "logs")), { code: "ENOENT" });
});

test("each failed kernel build keeps its own log, and its error names that log", { timeout: 60_000, skip: !BUILD_HOST && "builds the kernel on x86_64 Linux only" }, async (t) => {
  const dir = await tempHome(t, "kernel-logs");
  const runs: { command: string; logFile: string; lines: string[] }[] = [];
  for (let i = 0; i < 2; i++) {
    const lines: string[] = [];
    const error: unknown = await buildKernel(await fakeInputs(dir, (line) => lines.push(line))).then(
      () => assert.fail("a build from a text file as the Linux tarball succeeded"),
      (e: unknown) => e,
    );
    assert.ok(isZilchError(error) && error.code === "KERNEL", String(error));
    // The step names its own scratch tree (`tar -xJf … -C <cache>/kernel/build-XXXX`): it tells the runs apart.
    const command = /step `([^`]+)` failed/.exec(error.message)?.[1];
    const logFile = /^full log: (\S+);/.exec(error.hint ?? "")?.[1];
    assert.ok(command !== undefined && command.startsWith("tar -xJf "), error.message);
    assert.ok(logFile !== undefined, error.hint);
    runs.push({ command, logFile, lines });
  }

  const [a, b] = runs as [(typeof runs)[0], (typeof runs)[0]];
  assert.notEqual(a.logFile, b.logFile);
  assert.notEqual(a.command, b.command);
  for (const [run, other] of [[a, b], [b, a]] as const) {
    assert.equal(path.dirname(run.logFile), path.join(dir, "cache", "kernel", "logs"));
    assert.match(path.basename(run.logFile), /^\d{8}T\d{6}Z-[0-9a-f]{8}-x86_64\.log$/);
    const text = await fs.readFile(run.logFile, "utf8");
    assert.ok(text.startsWith(`$ ${run.command}\n`), text);
    assert.ok(!text.includes(other.command), text);
    assert.ok(run.lines.includes(`kernel: building x86_64; log: ${run.logFile}`), run.lines.join("\n"));
  }
  // The latest run is one name away, as for stage logs.
  assert.equal(await fs.readlink(path.join(dir, "cache", "kernel", "logs", "x86_64.log")), path.basename(b.logFile));
});
