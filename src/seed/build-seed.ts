// Builds the seed: a static tcc from the pinned tinycc tarball, with the host's musl-gcc (x86_64) or
// Debian's i386 musl toolchain (i386-linux-musl-gcc: the i686 cross gcc + musl-dev:i386).
// The seed is the one binary the chain trusts without building it in a VM, so it is keyed by every
// input that shapes it (tarball, compiler, commands) and checked before use. One process builds a
// key at a time: another waits, then reuses it.
import fs from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import type { GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";
import { sha256File, sha256Hex } from "../sha256.js";
import { unpackTarball } from "../sources/unpack.js";
import { indexedSha256, verifiedIndexFile } from "../sources/verified-index.js";
import { copyAtomic, writeAtomic } from "../store/atomic-file.js";
import { entryLockTarget } from "../store/entry-lock.js";
import { withLock } from "../store/file-lock.js";
import { publishDir } from "../store/publish.js";
import { seedProblem, validateSeed } from "./elf.js";

export interface BuildSeedOptions {
  /** tinycc .tar.bz2 with its files at the archive root (Debian's repack of git 62c30a4a). */
  tinyccTarball: string;
  /** The seed's architecture (default x86_64). */
  arch?: GuestArch;
  cacheDir: string;
  outFile: string;
  log?: (line: string) => void;
}

export interface SeedBuild {
  path: string;
  sha256: string;
  size: number;
  /** Which host compiler built it, e.g. "musl-gcc (x86_64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0)". */
  compiler: string;
  /** True when the seed came from the cache without building. */
  cached: boolean;
}

export interface HostCompiler {
  description: string;
  /** Everything about the compiler that can change the output, for the cache key. */
  identity: string;
  commands: string[][];
}

// Only PATH comes from the caller: tinycc's configure reads CFLAGS/LDFLAGS from the environment and
// make reads MAKEFLAGS, none of which are in the cache key. Two builds in different directories
// give the same bytes (checked: tinycc compiles relative paths and has no __DATE__ of its own);
// SOURCE_DATE_EPOCH pins any timestamp a future compiler might embed.
const BUILD_ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", SOURCE_DATE_EPOCH: "0" };

/** Where the cache keeps the seed built from some inputs, and the lock its builder holds. */
export interface SeedCacheEntry {
  key: string;
  /** <cacheDir>/seed/<key>/tcc-seed once published. */
  file: string;
  /** <cacheDir>/seed/.locks/<key>, held from the second cache check to the publish. */
  lockTarget: string;
  compiler: HostCompiler;
  tinyccSha256: string;
}

/** The cache entry and lock for these inputs (asks the host which compiler it would use). */
export async function seedCacheEntry(options: Pick<BuildSeedOptions, "tinyccTarball" | "arch" | "cacheDir">): Promise<SeedCacheEntry> {
  const { cacheDir, arch = "x86_64" } = options;
  // Through the verified-source index: a cache hit must not read the tarball again.
  const tinyccSha256 = await indexedSha256(verifiedIndexFile(cacheDir), options.tinyccTarball).catch((error: unknown) => {
    throw new ZilchError({
      code: "SEED",
      message: `cannot read the tinycc tarball ${options.tinyccTarball}: ${(error as Error).message}`,
      hint: `fetch it again (pinned as \`tinycc\` in recipes/sources.json) or pass a static ${arch} tcc with --seed`,
      cause: error,
    });
  });
  const compiler = arch === "i386" ? await i386Compiler() : await hostCompiler();
  const key = sha256Hex(
    [tinyccSha256, compiler.identity, ...compiler.commands.map((command) => command.join(" "))].join("\n"),
  );
  const dir = path.join(cacheDir, "seed", key);
  return { key, file: path.join(dir, "tcc-seed"), lockTarget: entryLockTarget(dir), compiler, tinyccSha256 };
}

/** Builds (or takes from the cache) the seed tcc and installs it at outFile (+ outFile.json). */
export async function buildSeed(options: BuildSeedOptions): Promise<SeedBuild> {
  const { cacheDir, outFile, log = () => {}, arch = "x86_64" } = options;
  const { key, file: cached, lockTarget, compiler, tinyccSha256 } = await seedCacheEntry(options);
  const usable = async () => (await seedProblem(cached, arch)) === undefined;

  // One builder per key: two both built it, and the second's clean-up of a corrupt entry could
  // delete the entry the first had just published while the first was still copying it out.
  const hit =
    (await usable()) ||
    (await withLock(lockTarget, { what: `the ${arch} seed build ${key.slice(0, 12)}`, log }, async () => {
      if (await usable()) return true; // the holder we waited for built it
      log(`seed: building ${arch} tcc with ${compiler.description}`);
      await buildIntoCache(options.tinyccTarball, compiler, path.join(cacheDir, "seed"), path.dirname(cached), arch);
      return false;
    }));
  if (hit) log(`seed: cache hit ${cached}`);

  const digest = await sha256File(cached);
  const { size } = await fs.stat(cached);
  await fs.mkdir(path.dirname(path.resolve(outFile)), { recursive: true });
  await copyAtomic(cached, outFile, { mode: 0o755 });
  const record = { arch, sha256: digest, size, compiler: compiler.description, tinyccSha256, key };
  await writeAtomic(`${outFile}.json`, JSON.stringify(record, null, 2) + "\n", { mode: 0o644 });
  return { path: outFile, sha256: digest, size, compiler: compiler.description, cached: hit };
}

/** The compiler buildSeed would use for `arch` here, as its records describe it; undefined when
 *  there is none (kit lock and export name it beside the seed's hash). */
export async function seedCompilerDescription(arch: GuestArch): Promise<string | undefined> {
  return (arch === "i386" ? i386Compiler() : hostCompiler()).then((compiler) => compiler.description, () => undefined);
}

/** musl-gcc when present (a static musl tcc is what the chain expects), else the host's cc. */
async function hostCompiler(): Promise<HostCompiler> {
  const musl = await firstLine("musl-gcc", ["--version"]);
  if (musl !== undefined) {
    const specs = await muslSpecsPath();
    return {
      description: `musl-gcc (${musl})`,
      identity: `musl-gcc: ${musl}; specs: ${specs ?? "none"}`,
      commands: [["./configure", "--cc=musl-gcc", "--extra-ldflags=-static", "--config-musl"], ["make", "tcc"]],
    };
  }
  const cc = await firstLine("cc", ["--version"]);
  if (cc !== undefined) {
    return {
      description: `cc (${cc}), static; musl-gcc not found`,
      identity: `cc: ${cc}`,
      commands: [["./configure", "--cc=cc", "--extra-ldflags=-static"], ["make", "tcc"]],
    };
  }
  throw new ZilchError({
    code: "HOST",
    message: "building the seed needs a C compiler: found neither musl-gcc nor cc",
    hint: "install musl-tools (scripts/setup-host.sh), import a kit (`zilchboot kit import FILE`) or pass a static x86_64 tcc with --seed",
  });
}

/** The i386 seed: Debian's musl-dev:i386 wrapper around the i686 cross gcc. A different compiler
 *  binary and libc build than the x86_64 seed's, which is the point of the diverse double-compile.
 *  The x86_64 commands above stay as they were: they are part of the x86_64 seed's cache key. */
async function i386Compiler(): Promise<HostCompiler> {
  const wrapper = "i386-linux-musl-gcc";
  const version = await firstLine(wrapper, ["--version"]);
  if (version === undefined) {
    throw new ZilchError({
      code: "HOST",
      message: `building the i386 seed needs ${wrapper}, which is not installed`,
      hint: "install musl-dev:i386 (`scripts/setup-host.sh --i386` adds the i386 architecture and installs it) or import a kit (`zilchboot kit import FILE`)",
    });
  }
  const specs = await muslSpecsPath(wrapper);
  return {
    description: `${wrapper} (${version})`,
    identity: `${wrapper}: ${version}; specs: ${specs ?? "none"}`,
    commands: [["./configure", `--cc=${wrapper}`, "--cpu=i386", "--extra-ldflags=-static", "--config-musl"], ["make", "tcc"]],
  };
}

async function firstLine(file: string, args: string[]): Promise<string | undefined> {
  const result = await execa(file, args, { reject: false, env: BUILD_ENV, extendEnv: false, stdin: "ignore" });
  return result.exitCode === 0 ? String(result.stdout).split("\n")[0]!.trim() : undefined;
}

/** Debian's musl-gcc is a shell wrapper passing `-specs <file>`; that file picks libc and crt. */
async function muslSpecsPath(wrapper = "musl-gcc"): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const text = await fs.readFile(path.join(dir, wrapper), "utf8").catch(() => undefined);
    if (text === undefined) continue;
    return /-specs\s+"?([^"\s]+)"?/.exec(text)?.[1];
  }
  return undefined;
}

async function buildIntoCache(tarball: string, compiler: HostCompiler, seedCache: string, entry: string, arch: GuestArch) {
  await fs.mkdir(seedCache, { recursive: true });
  const work = await fs.mkdtemp(path.join(seedCache, "build-"));
  try {
    const src = path.join(work, "tinycc");
    await fs.mkdir(src);
    // In-process unpacking: the seed should not depend on the host's tar.
    await unpackTarball(tarball, src);
    for (const [file, ...args] of compiler.commands) {
      const result = await execa(file!, args, {
        cwd: src,
        env: BUILD_ENV,
        extendEnv: false,
        all: true,
        reject: false,
        stdin: "ignore",
      });
      if (result.exitCode !== 0) {
        const tail = String(result.all ?? "").split("\n").slice(-20).join("\n");
        // No exit code means it never ran (ENOENT: make is missing) or was killed.
        const why =
          result.exitCode === undefined ? (result.shortMessage ?? "did not run").split("\n")[0] : `exit ${result.exitCode}`;
        throw new ZilchError({
          code: "SEED",
          message: `seed build step \`${[file, ...args].join(" ")}\` failed (${why}):\n${tail}`,
          hint: `install ${arch === "i386" ? "musl-dev:i386" : "musl-tools"} and make (scripts/setup-host.sh${arch === "i386" ? " --i386" : ""}) or pass a static ${arch} tcc with --seed`,
        });
      }
    }
    await validateSeed(path.join(src, "tcc"), arch);

    const staging = path.join(work, "entry");
    await fs.mkdir(staging);
    await fs.rename(path.join(src, "tcc"), path.join(staging, "tcc-seed"));
    await fs.rm(entry, { recursive: true, force: true }); // a corrupt entry failed validation above
    // Under the lock nobody else publishes this key, unless our lock went stale; then losing the
    // race is fine: same key, same bytes.
    await publishDir(staging, entry);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
