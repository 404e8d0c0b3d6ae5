// Builds the guest kernel on the host: tinyconfig + our fragments (shared + per-arch), checked, then
// vmlinux + bzImage. The result is cached under the user cache dir keyed by its inputs, so clones
// share one build, and one process builds a key at a time: another waits, then reuses it.
import { randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { ZilchError } from "../errors.js";
import { copyAtomic, writeAtomic } from "../store/atomic-file.js";
import { entryLockTarget } from "../store/entry-lock.js";
import { withLock } from "../store/file-lock.js";
import { publishDir } from "../store/publish.js";
import { sha256Hex } from "../sha256.js";
import { openRunLog } from "../stages/run-log.js";
import type { GuestArch } from "../arch.js";
import { ARCH } from "../arch.js";
import { KERNEL_BUILDER_VERSION } from "./builder-version.js";
import { describeMissing, mergeFragments, missingOptions, type FragmentFile } from "./config-fragment.js";

export { KERNEL_BUILDER_VERSION };

export interface KernelIdentity {
  sourceSha256: string;
  /** sha256 of the fragments as merged, in order (common, then the arch's). */
  fragmentSha256: string;
  /** sha256 of the final .config: what the kernel really is. */
  configSha256: string;
  /** Kernel release, e.g. "6.1.192". */
  version: string;
}

export interface KernelImage {
  vmlinux: string;
  bzImage: string;
  identity: KernelIdentity;
}

export interface BuildKernelOptions {
  linuxTarball: string;
  /** The pinned sha256 of linuxTarball (verified by the fetcher). */
  linuxSha256: string;
  arch: GuestArch;
  /** Kconfig fragments merged over tinyconfig in this order (a later line wins). */
  fragmentFiles: string[];
  cacheDir: string;
  imagesDir: string;
  jobs?: number;
  log?: (line: string) => void;
  /** Stream make's output to log; it always goes to this run's own
   *  <cacheDir>/kernel/logs/<time>-<id>-<arch>.log (kernel/logs/<arch>.log links the latest). */
  verbose?: boolean;
}

// Only PATH comes from the caller's environment: ARCH, CROSS_COMPILE, KCONFIG_CONFIG, MAKEFLAGS…
// would silently change what gets built. The KBUILD_BUILD_* values are fixed so two builds of the
// same inputs produce the same banner (and the same bytes; checked: two builds in different
// directories are byte-identical, see docs/kits.md). TZ matters once an initramfs is built in:
// usr/gen_initramfs.sh turns KBUILD_BUILD_TIMESTAMP into cpio mtimes with `date -d`, which would
// otherwise read the host's /etc/localtime. SOURCE_DATE_EPOCH covers any other tool that asks.
const BUILD_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  KBUILD_BUILD_TIMESTAMP: "1970-01-01",
  KBUILD_BUILD_USER: "zilchboot",
  KBUILD_BUILD_HOST: "zilchboot",
  KBUILD_BUILD_VERSION: "1",
  SOURCE_DATE_EPOCH: "0",
  TZ: "UTC",
  LC_ALL: "C",
};

const ENTRY_FILES = ["vmlinux", "bzImage", "kernel.config", "kernel.json"] as const;

/** Where the cache keeps the kernel built from some inputs, and the lock its builder holds. */
export interface KernelCacheEntry {
  key: string;
  /** <cacheDir>/kernel/<key>: vmlinux, bzImage, kernel.config, kernel.json once published. */
  dir: string;
  /** <cacheDir>/kernel/.locks/<key>, held from the second cache check to the publish. */
  lockTarget: string;
  fragments: FragmentFile[];
}

/** The cache entry and lock for these inputs (reads the fragment files: their text is in the key). */
export async function kernelCacheEntry(
  options: Pick<BuildKernelOptions, "linuxSha256" | "arch" | "fragmentFiles" | "cacheDir">,
): Promise<KernelCacheEntry> {
  const fragments: FragmentFile[] = [];
  for (const file of options.fragmentFiles) fragments.push({ source: file, text: await fs.readFile(file, "utf8") });
  const fragment = fragments.map((f) => f.text).join("");
  const key = sha256Hex(options.linuxSha256, "\n", ARCH[options.arch].linuxArch, "\n", fragment, "\n", KERNEL_BUILDER_VERSION);
  const dir = path.join(options.cacheDir, "kernel", key);
  return { key, dir, lockTarget: entryLockTarget(dir), fragments };
}

/** Builds (or takes from the cache) the guest kernel and copies it into imagesDir. */
export async function buildKernel(options: BuildKernelOptions): Promise<KernelImage> {
  const { cacheDir, imagesDir, log = () => {} } = options;
  const { key, dir: entry, lockTarget, fragments } = await kernelCacheEntry(options);
  const kernelCache = path.join(cacheDir, "kernel");
  const built = () => exists(path.join(entry, "kernel.json"));

  if (await built()) {
    log(`kernel: cache hit ${entry}`);
  } else {
    // Two builds of one key would each take minutes and a GB for the same bytes: the second waits.
    await withLock(lockTarget, { what: `the ${options.arch} guest kernel build ${key.slice(0, 12)}`, log }, async () => {
      // The holder we waited for has usually published it.
      if (await built()) log(`kernel: cache hit ${entry} (built by another process while this one waited)`);
      else await buildIntoCache(options, fragments, kernelCache, entry);
    });
  }

  await fs.mkdir(imagesDir, { recursive: true });
  for (const name of ENTRY_FILES) await copyAtomic(path.join(entry, name), path.join(imagesDir, name));
  const identity = JSON.parse(await fs.readFile(path.join(entry, "kernel.json"), "utf8")) as KernelIdentity;
  return {
    vmlinux: path.join(imagesDir, "vmlinux"),
    bzImage: path.join(imagesDir, "bzImage"),
    identity: {
      sourceSha256: identity.sourceSha256,
      fragmentSha256: identity.fragmentSha256,
      configSha256: identity.configSha256,
      version: identity.version,
    },
  };
}

async function buildIntoCache(
  options: BuildKernelOptions,
  fragments: FragmentFile[],
  kernelCache: string,
  entry: string,
): Promise<void> {
  const { log = () => {}, verbose = false } = options;
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new ZilchError({
      code: "HOST",
      message: `the guest kernel is built with the host toolchain and needs an x86_64 Linux host, not ${process.platform}/${process.arch}`,
      hint: "import a kit made on x86_64 Linux (`zilchboot kit import FILE`), or pass --kernel",
    });
  }
  const jobs = options.jobs ?? os.availableParallelism();
  await fs.mkdir(kernelCache, { recursive: true });
  // A log per run, kept: one shared build.log was truncated by every build that started, so a
  // failed build's log could be overwritten before anyone read it.
  const logFile = await openRunLog(kernelCache, options.arch, randomBytes(4).toString("hex"));
  const work = await fs.mkdtemp(path.join(kernelCache, "build-"));
  const runner = new LoggedRunner(logFile, verbose ? log : undefined);
  const started = Date.now();
  try {
    log(`kernel: building ${options.arch}; log: ${logFile}`);
    log(`kernel: unpacking ${options.linuxTarball}`);
    // node-tar cannot read xz, and the kernel needs the host's gcc/make/flex/bison anyway, so the
    // host's tar is no extra requirement here (the seed, by contrast, is unpacked in-process).
    await runner.run("tar", ["-xJf", path.resolve(options.linuxTarball), "-C", work], work);
    const src = await singleSubdir(work);
    // ARCH is a make argument, not inherited: BUILD_ENV keeps the caller's ARCH out.
    const arch = `ARCH=${ARCH[options.arch].linuxArch}`;

    log(`kernel: configuring ${options.arch} (tinyconfig + ${fragments.map((f) => path.basename(f.source)).join(" + ")})`);
    await runner.run("make", [arch, "tinyconfig"], src);
    await runner.run("scripts/kconfig/merge_config.sh", ["-m", ".config", ...fragments.map((f) => path.resolve(f.source))], src);
    await runner.run("make", [arch, "olddefconfig"], src);
    const dotConfig = await fs.readFile(path.join(src, ".config"), "utf8");
    const missing = missingOptions(mergeFragments(fragments), dotConfig);
    if (missing.length > 0) {
      throw new ZilchError({
        code: "KERNEL",
        message: `kernel config lost ${missing.length} requested option(s): ${missing.map(describeMissing).join("; ")}`,
        hint: `Kconfig drops options whose dependencies are unmet: add the dependencies to ${options.fragmentFiles.join(" or ")}`,
      });
    }

    log(`kernel: make -j${jobs} vmlinux bzImage (a few minutes)`);
    await runner.run("make", [arch, `-j${jobs}`, "vmlinux", "bzImage"], src);

    const staging = `${entry}.tmp-${randomBytes(4).toString("hex")}`;
    await fs.mkdir(staging);
    // Durable before the publish: a cache entry that exists is used without checks.
    await copyAtomic(path.join(src, "vmlinux"), path.join(staging, "vmlinux"));
    await copyAtomic(path.join(src, "arch/x86/boot/bzImage"), path.join(staging, "bzImage"));
    await writeAtomic(path.join(staging, "kernel.config"), dotConfig);
    const identity: KernelIdentity = {
      sourceSha256: options.linuxSha256,
      fragmentSha256: sha256Hex(fragments.map((f) => f.text).join("")),
      configSha256: sha256Hex(dotConfig),
      version: (await fs.readFile(path.join(src, "include/config/kernel.release"), "utf8")).trim(),
    };
    await writeAtomic(path.join(staging, "kernel.json"), JSON.stringify(identity, null, 2) + "\n");
    // Under the lock nobody else publishes this key, unless our lock went stale; then losing the
    // race is fine: same key, same kernel.
    await publishDir(staging, entry);
    log(`kernel: built ${options.arch} ${identity.version} in ${Math.round((Date.now() - started) / 1000)} s → ${entry}`);
  } finally {
    await runner.close();
    // The tree is ~1 GB once built; the log above is what is worth keeping.
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** Runs commands with output appended to one log file, remembering the tail for error messages. */
class LoggedRunner {
  private readonly out: WriteStream;

  constructor(
    private readonly logFile: string,
    private readonly echo: ((line: string) => void) | undefined,
  ) {
    // Append: openRunLog created the file, and no run may truncate a log.
    this.out = createWriteStream(logFile, { flags: "a" });
  }

  async run(file: string, args: string[], cwd: string): Promise<void> {
    const command = [file, ...args].join(" ");
    this.out.write(`$ ${command}\n`);
    const tail: string[] = [];
    const child = execa(file, args, { cwd, env: BUILD_ENV, extendEnv: false, all: true, buffer: false, reject: false, stdin: "ignore" });
    for await (const line of child.iterable({ from: "all" })) {
      this.out.write(line + "\n");
      this.echo?.(line);
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
    const result = await child;
    if (result.exitCode === 0) return;
    // No exit code means it never ran (ENOENT: a host tool is missing) or was killed.
    const why =
      result.exitCode === undefined ? (result.shortMessage ?? "did not run").split("\n")[0] : `exit ${result.exitCode}`;
    throw new ZilchError({
      code: "KERNEL",
      message: `kernel build step \`${command}\` failed (${why}); last lines:\n${tail.join("\n")}`,
      hint: `full log: ${this.logFile}; the host needs gcc make flex bison bc libelf-dev xz (scripts/setup-host.sh)`,
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

async function singleSubdir(dir: string): Promise<string> {
  const dirs = (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory());
  if (dirs.length !== 1) {
    throw new ZilchError({
      code: "KERNEL",
      message: `expected one top-level directory in the kernel tarball, found ${dirs.length}`,
      hint: "check the linux pin in recipes/sources.json",
    });
  }
  return path.join(dir, dirs[0]!.name);
}
