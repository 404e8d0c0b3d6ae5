// Issue 27 §4 as users meet it: every flag value and stage or pin name is checked before any work
// (one line, exit 2, nothing written), with a "did you mean" for typos; --version; gc --dry-run.
// The runs get an existing but useless --kernel and --seed and a time limit: without the checks they
// would fail on those files in seconds (exit 1), never start a kernel or seed build.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { repoRoot } from "../../src/paths.js";
import { CLI, testHome, type TestHome } from "../helpers/home.js";

let place: TestHome;
let home: string;
let fakes: string[];

async function zilchboot(args: string[]) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("ZILCHBOOT_")));
  const root = path.dirname(place.home);
  const env = { ...clean, ...place.env, ZILCHBOOT_HOME: home, ZILCHBOOT_IMAGES: path.join(root, "images"), ZILCHBOOT_DOWNLOADS: path.join(root, "cache") };
  return execa("node", [CLI, ...args], { reject: false, env, extendEnv: false, timeout: 60_000 });
}

/** Exit 2, exactly one stderr line matching `pattern`, and no home, images or cache written. */
async function refused(args: string[], pattern: RegExp): Promise<void> {
  const result = await zilchboot(args);
  assert.equal(result.exitCode, 2, `${args.join(" ")}: ${result.stderr}`);
  assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
  assert.match(result.stderr, pattern);
  const root = path.dirname(place.home);
  assert.deepEqual((await fs.readdir(root)).sort(), ["fake-kernel", "fake-seed", "home", "recipes"], `${args.join(" ")} wrote nothing`);
  assert.deepEqual(await fs.readdir(place.home), []);
}

before(async () => {
  place = await testHome("errors-cli");
  home = path.join(place.home, "zilch");
  const root = path.dirname(place.home);
  fakes = ["--kernel", path.join(root, "fake-kernel"), "--seed", path.join(root, "fake-seed")];
  await fs.writeFile(fakes[1]!, "not a kernel\n");
  await fs.writeFile(fakes[3]!, "not a seed\n");
});

after(async () => {
  await place.remove();
});

test("VM flag values are refused before anything is provisioned or built", async () => {
  await refused(["build", "0-smoke", "--accel", "kvmm", ...fakes], /^zilchboot: --accel must be one of kvm, hvf, whpx, tcg, got "kvmm"; did you mean kvm\?$/);
  await refused(["build", "0-smoke", "--memory", "10", ...fakes], /^zilchboot: --memory 10 is too little: the guest kernel needs at least 64 MiB; pass --memory 64 or more/);
  await refused(["verify", "0-smoke", "--memory", "99999999", ...fakes], /^zilchboot: --memory 99999999 is more than this host's \d+ MiB/);
  await refused(["build", "0-smoke", "--timeout", "-1", ...fakes], /^zilchboot: --timeout expects a positive integer, got "-1"; e.g. --timeout 600$/);
  await refused(["ddc", "--cpus", "0", ...fakes], /^zilchboot: --cpus expects a positive integer, got "0"/);
  await refused(["build", "0-smoke", "--kernel", "/no/such/vmlinux"], /^zilchboot: --kernel \/no\/such\/vmlinux: no such file; pass a guest kernel/);
  await refused(["probe", "--accel", "tcgg", ...fakes.slice(0, 2)], /did you mean tcg\?$/);
});

test("every stage named is checked before the first is built, and none is dropped", async () => {
  await refused(["verify", "0-smoke", "typo", ...fakes], /^zilchboot: no stage named typo; known stages: 0-smoke, 0-smoke-i386, /);
  await refused(["plan", "0-smoke", "1-stage1"], /^zilchboot: plan takes at most one stage, got 0-smoke 1-stage1; run 'zilchboot plan --help'$/);
  await refused(["build", "0-smoke", "1-stage1", ...fakes], /^zilchboot: build takes at most one stage, got 0-smoke 1-stage1/);
  await refused(["plan", "2a1"], /^zilchboot: no stage named 2a1; did you mean 2a1-binutils\?$/);
  await refused(["build", "1-stag1", ...fakes], /^zilchboot: no stage named 1-stag1; did you mean 1-stage1\?$/);
  await refused(["shell", "2a1", "--web", ...fakes], /^zilchboot: no stage named 2a1; did you mean 2a1-binutils\?$/);
});

test("unknown commands, flags and pins get a suggestion and exit 2; missing values are our own words", async () => {
  await refused(["biuld"], /^zilchboot: unknown command "biuld" \(did you mean build\?\); run 'zilchboot --help' for the list$/);
  await refused(["build", "--acel", "kvm"], /^zilchboot: build does not take --acel \(did you mean --accel\?\); run 'zilchboot build --help'$/);
  await refused(["build", "--cpus"], /^zilchboot: build: --cpus needs a value; run 'zilchboot build --help'$/);
  await refused(["build", "--cache", "--cache-push"], /^zilchboot: build: --cache needs a value, got the flag --cache-push; put the value after --cache/);
  await refused(["build", "--keep=yes"], /^zilchboot: build: --keep takes no value, got "yes"/);
  await refused(["fetch", "binutil"], /^zilchboot: no source pin named "binutil"; did you mean binutils\?$/);
  await refused(["fetch", "tinycc", "nosuchpin"], /^zilchboot: no source pin named "nosuchpin"; known pins: .*tinycc/);
});

test("--version prints the package's version", async () => {
  const { version } = JSON.parse(await fs.readFile(path.join(repoRoot, "package.json"), "utf8")) as { version: string };
  const result = await zilchboot(["--version"]);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout, `zilchboot ${version}`);
});

test("gc --dry-run lists what gc would remove and removes nothing; gc then says what it removed", async () => {
  const store = path.join(home, "store");
  const entry = "0-smoke-2222222222222222";
  await fs.mkdir(path.join(store, entry, "out"), { recursive: true });
  await fs.writeFile(path.join(store, entry, "record.json"), JSON.stringify({ stage: "0-smoke", inputHash: "2".repeat(16), outputSha256: "b".repeat(64) }));
  await fs.mkdir(path.join(home, "runs", "0-smoke-x"), { recursive: true });
  try {
    const dry = await zilchboot(["gc", "--dry-run"]);
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.equal(dry.stdout, `would remove store entry ${entry}\nwould remove run 0-smoke-x`);
    assert.match(dry.stderr, /^gc: would remove 1 store entry, 0 leftovers, 1 run; kept 0 entries the lock names \(dry run: nothing was removed\)$/m);
    assert.deepEqual((await fs.readdir(store)).filter((name) => !name.startsWith(".")), [entry]);
    assert.deepEqual(await fs.readdir(path.join(home, "runs")), ["0-smoke-x"]);
    const gc = await zilchboot(["gc"]);
    assert.equal(gc.exitCode, 0, gc.stderr);
    assert.equal(gc.stdout, `removed store entry ${entry}\nremoved run 0-smoke-x`);
    assert.match(gc.stderr, /^gc: removed 1 store entry, 0 leftovers, 1 run; kept 0 entries the lock names$/m);
    assert.deepEqual((await fs.readdir(store)).filter((name) => !name.startsWith(".")), []);
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
});

test("help shows one VM options block, the environment apart from the flags, and one default per flag", async () => {
  for (const command of ["build", "verify", "shell", "ddc"]) {
    const help = (await zilchboot([command, "--help"])).stdout;
    const [flags, environment] = help.split(/^environment:$/m);
    assert.equal(help.match(/^VM options:$/gm)?.length, 1, command);
    assert.ok(environment?.includes("ZILCHBOOT_STORE"), `${command}: variables under environment:`);
    assert.ok(!/^ {2}ZILCHBOOT_/m.test(flags!.split(/^VM options:$/m)[1]!), `${command}: no variable among the VM flags`);
    const timeout = help.split("\n").filter((line) => line.startsWith("  --timeout SEC"));
    assert.equal(timeout.length, 1, command);
  }
  const shell = (await zilchboot(["shell", "--help"])).stdout;
  assert.doesNotMatch(shell, /--runner NAME/);
  assert.match(shell, /^ {2}--timeout SEC {4}kill the VM after SEC seconds \(default: a day\)$/m);
  assert.doesNotMatch(shell, /timeoutSeconds/, "the shell's --timeout has its own default only");
});
