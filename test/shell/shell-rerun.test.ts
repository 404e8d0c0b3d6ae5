// A failed build ends with the exact `zilchboot shell` command for the failed stage, and that
// shell re-runs the stage in its VM up to the failure and sees the failed build tree.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { zilchboot } from "../helpers/child-env.js";
import { startPty, type PtySession } from "../helpers/pty-session.js";
import { provisioned } from "../helpers/provisioned.js";
import { testHomeWithStage1 } from "../helpers/stage1.js";

// A shell stage on stage 1 that leaves a build tree in /tmp and some output, then fails.
const FAILING_SCRIPT = `mkdir -p /tmp/build/tree
echo "made before the failure" > /tmp/build/tree/made.txt
echo "partial output" > /out/partial.txt
echo "9-fails: failing on purpose"
exit 3
`;

async function addFailingStage(root: string): Promise<void> {
  // A copy of the real recipes keeps stage 1's input hash, so the home's stage-1 entry is reused.
  await fs.mkdir(path.join(root, "9-fails"));
  await fs.writeFile(path.join(root, "9-fails", "build.sh"), FAILING_SCRIPT);
  await fs.writeFile(path.join(root, "9-fails", "stage.json"), JSON.stringify({
    name: "9-fails", description: "fails on purpose (test)", runner: "shell", program: "build.sh", args: [], sources: [], inputs: ["1-stage1"], tools: ["1-stage1"], timeoutSeconds: 120, memoryMiB: 256,
  }));
}

test("a failed build names the shell command that reopens it, and that shell sees the failed tree", async () => {
  const { kernel, seed } = await provisioned();
  const home = await testHomeWithStage1("shell-rerun");
  await addFailingStage(home.recipes);
  let term: PtySession | undefined;
  try {
    const build = await zilchboot(["build", "9-fails", "--kernel", kernel.path, "--seed", seed, "--cpus", "1"], home.env);
    assert.equal(build.exitCode, 1, build.stderr);
    assert.match(build.stderr, /stage 9-fails failed: guest exited 3/);
    const last = build.stderr.trim().split("\n").at(-1)!;
    const command = last.slice(last.indexOf("build tree: ") + "build tree: ".length);
    // The exact environment and flags of the build, so the shell boots the same VM.
    assert.ok(command.includes(`ZILCHBOOT_RECIPES=${home.recipes} `), command);
    assert.ok(command.endsWith(` zilchboot shell 9-fails --rerun --cpus 1 --kernel ${kernel.path} --seed ${seed}`), command);

    term = await startPty(`${command.replace(" zilchboot ", " $ZB ")}; echo "cli-exit=$?"`, { env: home.env });
    // No `$` after the prompt: the kernel may still print to the console (e.g. "tsc: Refined TSC
    // clocksource calibration" on a loaded host) after ash has printed it.
    await term.waitFor(/9-fails exited 3; its build tree is in \/tmp[^\n]*\n[\s\S]*9-fails:before# /);
    assert.match(term.output(), /9-fails: failing on purpose/);
    const mark = term.output().length;
    term.write("cat /tmp/build/tree/made.txt /out/partial.txt\r");
    // Kernel lines may come between the output and the next prompt here too.
    await term.waitFor(/made before the failure\r?\r\npartial output\r?\r\n[\s\S]*9-fails:before# /, mark);
    term.write("exit\r");
    assert.equal(await term.exited, 0);
    assert.match(term.output(), /cli-exit=0/);
  } finally {
    term?.hangUp();
    await home.remove();
  }
});
