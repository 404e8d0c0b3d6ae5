// What a host needs to build kernels and seeds, told before anything is fetched.
import assert from "node:assert/strict";
import { test } from "node:test";
import { missingBuildTools, type HostTools } from "../../src/kit/host-tools.js";

function host(commands: string[], platform: NodeJS.Platform = "linux", cpu = "x64"): HostTools {
  return { platform, cpu, has: async (command) => commands.includes(command) };
}

test("the x86_64 seed needs musl-gcc or cc, and make; the i386 seed needs Debian's i386 musl wrapper", async () => {
  assert.deepEqual(await missingBuildTools("seed", "x86_64", host(["musl-gcc", "make"])), []);
  assert.deepEqual(await missingBuildTools("seed", "x86_64", host(["cc", "make"])), []);
  assert.deepEqual(await missingBuildTools("seed", "x86_64", host([])), ["musl-gcc or cc", "make"]);
  assert.deepEqual(await missingBuildTools("seed", "i386", host(["musl-gcc", "make"])), ["i386-linux-musl-gcc"]);
});

test("the kernel needs gcc, make, flex, bison, bc, tar and xz on x86_64 Linux", async () => {
  const all = ["gcc", "make", "flex", "bison", "bc", "tar", "xz"];
  assert.deepEqual(await missingBuildTools("kernel", "x86_64", host(all)), []);
  assert.deepEqual(await missingBuildTools("kernel", "i386", host(all.filter((c) => c !== "flex" && c !== "bc"))), ["flex", "bc"]);
  assert.deepEqual(await missingBuildTools("kernel", "x86_64", host(all, "darwin", "arm64")), ["x86_64 Linux (this host is darwin/arm64)"]);
  assert.deepEqual(await missingBuildTools("seed", "x86_64", host(all, "win32")), ["x86_64 Linux (this host is win32/x64)"]);
});
