// validateSeed against real compiler output and hand-made headers: the messages are what a user sees.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { isZilchError } from "../../src/errors.js";
import type { GuestArch } from "../../src/arch.js";
import { validateSeed } from "../../src/seed/elf.js";

let dir: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-elf-"));
  await fs.writeFile(path.join(dir, "hello.c"), "int main(void) { return 0; }\n");
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Compiles hello.c with `cc flags…` into dir/name. */
function compile(name: string, cc: string, ...flags: string[]): string {
  const out = path.join(dir, name);
  execFileSync(cc, [...flags, "-o", out, path.join(dir, "hello.c")], { stdio: "pipe" });
  return out;
}

function hasCommand(name: string): boolean {
  try {
    execFileSync(name, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** An ELF header with nothing after it: enough for the class/machine checks. */
function elfHeader(elfClass: 1 | 2, data: 1 | 2, machine: number): Buffer {
  const header = Buffer.alloc(elfClass === 2 ? 64 : 52);
  header.write("\x7fELF", 0, "latin1");
  header[4] = elfClass;
  header[5] = data;
  header[6] = 1; // EV_CURRENT
  const u16 = (value: number, at: number) =>
    data === 1 ? header.writeUInt16LE(value, at) : header.writeUInt16BE(value, at);
  u16(2, 16); // ET_EXEC
  u16(machine, 18);
  return header;
}

async function rejection(file: string, arch: GuestArch = "x86_64"): Promise<string> {
  try {
    await validateSeed(file, arch);
  } catch (error) {
    assert.ok(isZilchError(error), `expected a ZilchError, got ${String(error)}`);
    assert.equal(error.code, "SEED");
    assert.match(error.hint ?? "", /zilchboot seed/);
    assert.ok(error.message.startsWith(`${file} is not a usable seed: `), error.message);
    return error.message.slice(`${file} is not a usable seed: `.length);
  }
  assert.fail(`${file} was accepted as a seed`);
}

describe("validateSeed", () => {
  test("accepts a static x86_64 executable", async () => {
    const exe = hasCommand("musl-gcc") ? compile("static", "musl-gcc", "-static") : compile("static", "gcc", "-static");
    await validateSeed(exe);
  });

  test("rejects a dynamically linked executable and names its interpreter", async () => {
    const exe = compile("dynamic", "gcc");
    assert.match(await rejection(exe), /^dynamically linked \(PT_INTERP \/lib.*ld-linux-x86-64\.so\.2\)$/);
  });

  test("rejects a dynamically linked non-PIE executable too", async () => {
    const exe = compile("dynamic-nopie", "gcc", "-no-pie");
    assert.match(await rejection(exe), /^dynamically linked \(PT_INTERP /);
  });

  test("rejects static-pie, which is ET_DYN", async () => {
    const exe = compile("static-pie", "gcc", "-static-pie");
    assert.match(await rejection(exe), /^not a static executable \(ET_DYN: position-independent/);
  });

  test("rejects a text file as not an ELF file", async () => {
    const file = path.join(dir, "script.sh");
    await fs.writeFile(file, "#!/bin/sh\necho hi\n");
    assert.equal(await rejection(file), "not an ELF file");
  });

  test("rejects an i386 ELF32 and says what is needed", async () => {
    const file = path.join(dir, "i386");
    await fs.writeFile(file, elfHeader(1, 1, 3));
    assert.equal(await rejection(file), "ELF32 i386, need ELF64 x86_64");
  });

  test("rejects a big-endian ELF64", async () => {
    const file = path.join(dir, "ppc64");
    await fs.writeFile(file, elfHeader(2, 2, 21));
    assert.equal(await rejection(file), "ELF64 big-endian ppc64, need ELF64 x86_64");
  });

  test("rejects an x86_64 header whose program headers are missing", async () => {
    const file = path.join(dir, "headless");
    await fs.writeFile(file, elfHeader(2, 1, 62));
    assert.equal(await rejection(file), "no program headers: not an executable");
  });

  test("accepts a static i386 executable for --arch i386 (ELF32 program headers)", async () => {
    await validateSeed(compile("static-i386", "i386-linux-musl-gcc", "-static"), "i386");
  });

  test("rejects a dynamically linked i386 executable and names its interpreter", async () => {
    const exe = compile("dynamic-i386", "i386-linux-musl-gcc");
    assert.equal(await rejection(exe, "i386"), "dynamically linked (PT_INTERP /lib/ld-musl-i386.so.1)");
  });

  test("rejects an x86_64 seed for i386, naming the arch in the hint", async () => {
    const exe = hasCommand("musl-gcc") ? compile("static-for-i386", "musl-gcc", "-static") : compile("static-for-i386", "gcc", "-static");
    assert.equal(await rejection(exe, "i386"), "ELF64 x86_64, need ELF32 i386");
    await assert.rejects(validateSeed(exe, "i386"), (error: unknown) => isZilchError(error) && /zilchboot seed --arch i386/.test(error.hint ?? ""));
  });

  test("rejects an i386 header whose program headers are missing", async () => {
    const file = path.join(dir, "headless-i386");
    await fs.writeFile(file, elfHeader(1, 1, 3));
    assert.equal(await rejection(file, "i386"), "no program headers: not an executable");
  });

  test("rejects a missing file", async () => {
    assert.equal(await rejection(path.join(dir, "nope")), "no such file");
  });
});
