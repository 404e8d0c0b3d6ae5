// scripts/setup-host.sh installs the main job's packages by default and the tests' extras only when
// asked (.ci/run asks). The claims are checked against this host's dpkg database: each program a
// test or the main job runs must come from a package in the group that promises it.
import assert from "node:assert/strict";
import { realpathSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { repoRoot } from "../../src/paths.js";
import { childEnv } from "../helpers/child-env.js";

const SCRIPT = path.join(repoRoot, "scripts", "setup-host.sh");

async function packages(...flags: string[]): Promise<string[]> {
  const { stdout } = await execa("bash", [SCRIPT, "--print-packages", ...flags], { env: childEnv(), extendEnv: false });
  return stdout.split("\n").filter(Boolean);
}

/** The Debian package that installed `program` on this host, without an architecture qualifier. */
async function providerOf(program: string): Promise<string> {
  const { stdout: found } = await execa("bash", ["-c", `command -v ${program}`], { env: childEnv(), extendEnv: false });
  const real = realpathSync(found.trim());
  // usrmerge: dpkg may have recorded /bin/x for what is now /usr/bin/x.
  const candidates = [real, real.replace(/^\/usr\//, "/")];
  for (const candidate of candidates) {
    const result = await execa("dpkg", ["-S", candidate], { reject: false });
    if (result.exitCode === 0) return result.stdout.split(":")[0]!;
  }
  throw new Error(`no package owns ${program} (${real})`);
}

/** What the main job runs (fetch, kernel, seed, QEMU) and what only the tests drive. */
const MAIN_PROGRAMS = ["qemu-system-x86_64", "make", "flex", "bison", "bc", "xz", "dpkg-source"];
const TEST_PROGRAMS = ["chromium", "nginx", "xorriso", "grub-mkrescue", "mformat", "Xvfb", "xwininfo", "qemu-i386"];

test("setup-host: the main job's programs come from the default packages, the tests' from --test-extras only", async () => {
  const main = await packages();
  const all = await packages("--test-extras");
  for (const program of MAIN_PROGRAMS) {
    const pkg = await providerOf(program);
    assert.ok(main.includes(pkg), `${program} comes from ${pkg}, which a plain setup-host.sh does not install`);
  }
  for (const program of TEST_PROGRAMS) {
    const pkg = await providerOf(program);
    assert.ok(all.includes(pkg), `${program} comes from ${pkg}, which --test-extras does not install`);
    assert.ok(!main.includes(pkg), `${pkg} (for ${program}, a test's tool) is in the main job's packages`);
  }
  assert.ok(main.every((pkg) => all.includes(pkg)), "--test-extras installs the main job's packages too");
});

test("setup-host: --i386 adds the i386 seed's toolchain and --display QEMU's window UI, nothing else", async () => {
  const main = await packages();
  const i386 = await packages("--i386");
  const display = await packages("--display");
  assert.deepEqual(i386.filter((pkg) => !main.includes(pkg)), ["musl-dev:i386"]);
  assert.equal(await providerOf("i386-linux-musl-gcc"), "musl-dev");
  assert.deepEqual(display.filter((pkg) => !main.includes(pkg)), ["qemu-system-gui"]);
});

test("setup-host: an unknown option is one line naming it and the options, exit 2, before anything is installed", async () => {
  const result = await execa("bash", [SCRIPT, "--test-extra"], { env: childEnv(), extendEnv: false, reject: false });
  assert.equal(result.exitCode, 2);
  assert.equal(result.stdout, "");
  const lines = result.stderr.split("\n").filter(Boolean);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /unknown option '--test-extra'.*--test-extras/);
});
