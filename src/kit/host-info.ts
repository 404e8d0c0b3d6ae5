// What produced a kernel or seed on this host, as kit-lock.json's `host` records it: the OS, the
// compiler (and for the seed the musl build it links), with versions. Not identity (the sha256 is),
// but the first suspect when two hosts' bytes differ.
import fs from "node:fs/promises";
import { execa } from "execa";
import type { GuestArch } from "../arch.js";
import type { ArtefactKind } from "./kit-lock.js";

const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" };

export async function describeHost(kind: ArtefactKind, arch: GuestArch): Promise<Record<string, string>> {
  const info: Record<string, string> = {};
  const os = await osName();
  if (os) info.os = os;
  if (kind === "seed") {
    const { seedCompilerDescription } = await import("../seed/build-seed.js");
    const compiler = await seedCompilerDescription(arch);
    if (compiler) info.compiler = compiler;
    const musl = arch === "i386" ? "musl-dev:i386" : "musl-tools";
    const version = await firstLine("dpkg-query", ["-W", "-f=${Version}", musl]);
    if (version) info.musl = `${musl} ${version}`;
  } else {
    const gcc = await firstLine("gcc", ["--version"]);
    if (gcc) info.gcc = gcc;
    const ld = await firstLine("ld", ["--version"]);
    if (ld) info.ld = ld;
  }
  return info;
}

async function osName(): Promise<string | undefined> {
  const text = await fs.readFile("/etc/os-release", "utf8").catch(() => "");
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1];
  return pretty ? `${pretty} ${process.arch}` : `${process.platform} ${process.arch}`;
}

async function firstLine(file: string, args: string[]): Promise<string | undefined> {
  const result = await execa(file, args, { reject: false, env: ENV, extendEnv: false, stdin: "ignore" });
  const line = result.exitCode === 0 ? String(result.stdout).split("\n")[0]!.trim() : "";
  return line || undefined;
}
