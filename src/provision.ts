// Gets a stage run what it needs from the host: verified sources, a validated seed, a guest kernel.
// Each step reuses what the user passed (--seed/--kernel), else what images/ holds when it is
// exactly what recipes/kit-lock.json records (imported from a kit, or built here), else builds it,
// if this host can (otherwise one line points at `zilchboot kit import`). The builders and
// fetchers are loaded on first use: a cached chain needs none of them.
import fs from "node:fs/promises";
import path from "node:path";
import { ARCH, type GuestArch } from "./arch.js";
import { SYSTEM_TOOLS, requireBuildTools, type HostTools } from "./kit/host-tools.js";
import { kernelInputs, seedInputs } from "./kit/inputs.js";
import { kitLockFile, loadKitLock, type ArtefactKind } from "./kit/kit-lock.js";
import { findLockedArtefact, type LockedLookup } from "./kit/locked-images.js";
import { cacheDir, imagesDir, recipesDir, repoRoot } from "./paths.js";
import type { FetchOptions } from "./sources/fetch.js";
import { findPin, loadPins, unknownPin, type SourcePin, type SourceUse } from "./sources/pins.js";
import type { StageRecipe } from "./stages/recipe.js";
import type { KernelChoice, Provisioner, ServedSource } from "./stages/session.js";
import { sha256File } from "./sha256.js";

export type { KernelChoice } from "./stages/session.js";

export interface ProvisionOptions {
  mirrors: string[];
  progress: boolean;
  log: (line: string) => void;
  verbose: boolean;
  jobs: number;
  /** The images root (default: ZILCHBOOT_IMAGES, else <cache>/images). */
  imagesRoot?: string;
  /** Default: recipes/kit-lock.json. */
  kitLockFile?: string;
  /** Build even when images/ holds the locked artefact (`kit lock` records what this host builds). */
  ignoreKit?: boolean;
  /** What this host can build with (default: PATH and process.platform). */
  hostTools?: HostTools;
}

export function pinsFile(): string {
  return path.join(recipesDir(), "sources.json");
}

/** The kernel fragments for an arch, in merge order: the shared one, then the arch's delta. */
export function kernelFragments(arch: GuestArch): string[] {
  return [path.join(repoRoot, "vm", "kernel", "common.config"), path.join(repoRoot, "vm", "kernel", `${arch}.config`)];
}

/** images/ for x86_64 (where it always was), images/<arch>/ for the others. */
export function archImagesDir(arch: GuestArch, root: string = imagesDir()): string {
  return path.join(root, ARCH[arch].imagesSubdir);
}

/** What this checkout would feed the seed or kernel builder (pins, fragments, builder version), as
 *  kit-lock.json records it. Reads recipes and fragments only; fetches nothing. */
export async function kitInputs(kind: ArtefactKind, arch: GuestArch): Promise<Record<string, string>> {
  const pins = await loadPins(pinsFile());
  if (kind === "seed") return seedInputs(findPin(pins, "tinycc").sha256);
  const fragments = await Promise.all(kernelFragments(arch).map((file) => fs.readFile(file, "utf8")));
  return kernelInputs(findPin(pins, "linux"), fragments);
}

async function lockedArtefact(kind: ArtefactKind, arch: GuestArch, opts: ProvisionOptions): Promise<LockedLookup> {
  if (opts.ignoreKit) return { ok: false, problem: "the kit lock is being recomputed", lockLacks: false };
  const lock = await loadKitLock(opts.kitLockFile ?? kitLockFile());
  return findLockedArtefact(lock, kind, arch, archImagesDir(arch, opts.imagesRoot), await kitInputs(kind, arch));
}

export function guestDir(): string {
  return path.join(repoRoot, "vm", "guest");
}

export function fetchOptions(opts: ProvisionOptions): FetchOptions {
  return { cacheDir: cacheDir(), mirrors: opts.mirrors, progress: opts.progress, log: opts.log };
}

/** A fetched pin: `path` is its file, or an alternative's repack in its layout (sha256 says which bytes). */
export interface FetchedPin {
  pin: SourcePin;
  path: string;
  sha256: string;
  used: SourceUse;
}

export async function fetchPinned(names: string[], opts: ProvisionOptions): Promise<FetchedPin[]> {
  const pins = await loadPins(pinsFile());
  // Every name checked before the first download.
  const unknown = names.find((name) => !pins.some((pin) => pin.name === name));
  if (unknown !== undefined) throw unknownPin(unknown, pins);
  const chosen = names.length > 0 ? names.map((name) => findPin(pins, name)) : pins;
  const { obtainSource } = await import("./sources/fetch.js");
  const results: FetchedPin[] = [];
  for (const pin of chosen) results.push({ pin, ...(await obtainSource(pin, fetchOptions(opts))) });
  return results;
}

export async function provideSeed(seedFile: string | undefined, opts: ProvisionOptions, arch: GuestArch = "x86_64"): Promise<{ path: string; sha256: string; built: boolean }> {
  const { validateSeed } = await import("./seed/elf.js");
  if (seedFile) {
    await validateSeed(seedFile, arch);
    return { path: path.resolve(seedFile), sha256: await sha256File(seedFile), built: false };
  }
  const outFile = path.join(archImagesDir(arch, opts.imagesRoot), "tcc-seed");
  const locked = await lockedArtefact("seed", arch, opts);
  if (locked.ok) {
    await validateSeed(outFile, arch);
    opts.log(`seed: ${arch} tcc as locked in the kit lock (${outFile})`);
    return { path: outFile, sha256: locked.entry.files["tcc-seed"]!.sha256, built: false };
  }
  await requireBuildTools("seed", arch, opts.hostTools ?? SYSTEM_TOOLS, locked);
  const [tinycc] = await fetchPinned(["tinycc"], opts);
  const { buildSeed } = await import("./seed/build-seed.js");
  const seed = await buildSeed({ tinyccTarball: tinycc.path, arch, cacheDir: cacheDir(), outFile, log: opts.log });
  await validateSeed(seed.path, arch);
  return { path: seed.path, sha256: seed.sha256, built: true };
}

export async function provideKernel(kernelFile: string | undefined, opts: ProvisionOptions, arch: GuestArch = "x86_64"): Promise<KernelChoice> {
  if (kernelFile) {
    return { path: path.resolve(kernelFile), identity: { custom: path.resolve(kernelFile), sha256: await sha256File(kernelFile) } };
  }
  const dir = archImagesDir(arch, opts.imagesRoot);
  const locked = await lockedArtefact("kernel", arch, opts);
  if (locked.ok) {
    const { inputs, built = {} } = locked.entry;
    opts.log(`kernel: ${arch} ${built.release} as locked in the kit lock (${dir})`);
    // The identity a build of the same inputs reports (build-kernel.ts's kernel.json, plus arch).
    const identity = { sourceSha256: inputs.linuxSha256, fragmentSha256: inputs.fragmentSha256, configSha256: built.configSha256, version: built.release, arch, linuxVersion: inputs.linuxVersion };
    return { path: path.join(dir, ARCH[arch].bootImage), identity };
  }
  await requireBuildTools("kernel", arch, opts.hostTools ?? SYSTEM_TOOLS, locked);
  const { obtainKernelSource } = await import("./kernel/linux-source.js");
  const linux = await obtainKernelSource(findPin(await loadPins(pinsFile()), "linux"), fetchOptions(opts));
  const { buildKernel } = await import("./kernel/build-kernel.js");
  const image = await buildKernel({
    linuxTarball: linux.path,
    linuxSha256: linux.sha256,
    arch,
    fragmentFiles: kernelFragments(arch),
    cacheDir: cacheDir(),
    imagesDir: dir,
    jobs: opts.jobs,
    log: opts.log,
    verbose: opts.verbose,
  });
  const fallback: Record<string, string> = linux.fallbackFor ? { linuxFallbackFor: linux.fallbackFor } : {};
  return { path: ARCH[arch].bootImage === "vmlinux" ? image.vmlinux : image.bzImage, identity: { ...image.identity, arch, linuxVersion: linux.version, ...fallback } };
}

/** Fetches a stage's declared sources and unpacks those it wants as trees. */
export async function provideStageSources(stage: StageRecipe, opts: ProvisionOptions): Promise<Record<string, ServedSource>> {
  if (stage.sources.length === 0) return {};
  const fetched = await fetchPinned(stage.sources.map((s) => s.pin), opts);
  const { unpackedTree } = await import("./sources/unpack.js");
  const served: Record<string, ServedSource> = {};
  for (const [i, wanted] of stage.sources.entries()) {
    const { pin, path: file, sha256, used } = fetched[i];
    // Always under the pin's name and sha256 (the input hash): an alternative's repack holds the
    // pin's tree in the pin's layout; its own bytes key the unpacked copy.
    served[pin.name] = wanted.unpackAs
      ? { servedAs: wanted.unpackAs, path: await unpackedTree(cacheDir(), file, sha256, wanted.strip), sha256: pin.sha256, used }
      : { servedAs: pin.file, path: file, sha256: pin.sha256, used };
  }
  return served;
}

/** The seed builder's last output for `arch` (images/…/tcc-seed + its .json record), if it was
 *  built from the pinned tinycc and its bytes still match the record: what the next build would
 *  serve, known without probing the host compiler or fetching anything. */
export async function lastBuiltSeedSha256(arch: GuestArch, tinyccSha256: string | undefined, root: string = imagesDir()): Promise<string | null> {
  const file = path.join(archImagesDir(arch, root), "tcc-seed");
  try {
    const record = JSON.parse(await fs.readFile(`${file}.json`, "utf8")) as { arch?: string; sha256?: string; tinyccSha256?: string };
    if (record.arch !== arch || record.tinyccSha256 !== tinyccSha256 || typeof record.sha256 !== "string") return null;
    return (await sha256File(file)) === record.sha256 ? record.sha256 : null;
  } catch {
    return null;
  }
}

export interface HostProvisionerOptions extends ProvisionOptions {
  /** --seed / --kernel: files for x86_64 stages instead of building them. */
  seedFile?: string;
  kernelFile?: string;
}

/** Kernels, seeds and sources from this host, each provided at most once per arch. */
export function hostProvisioner(opts: HostProvisionerOptions): Provisioner {
  const once = <T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> => {
    let value = cache.get(key);
    if (!value) cache.set(key, (value = make()));
    return value;
  };
  const seeds = new Map<string, Promise<{ path: string; sha256: string }>>();
  const kernels = new Map<string, Promise<KernelChoice>>();
  let pins: Promise<Record<string, string>> | undefined;
  const provider: Provisioner = {
    pins: () => (pins ??= loadPins(pinsFile()).then((list) => Object.fromEntries(list.map((pin) => [pin.name, pin.sha256])))),
    async knownSeedSha256(arch) {
      if (arch === "x86_64" && opts.seedFile) return (await provider.seed(arch)).sha256;
      // Without a readable pin there is no cheap answer; providing the seed reports the problem.
      return lastBuiltSeedSha256(arch, await provider.pins().then((pins) => pins.tinycc, () => undefined), opts.imagesRoot);
    },
    seed: (arch) => once(seeds, arch, () => provideSeed(arch === "x86_64" ? opts.seedFile : undefined, opts, arch)),
    kernel: (arch) => once(kernels, arch, () => provideKernel(arch === "x86_64" ? opts.kernelFile : undefined, opts, arch)),
    sources: (stage) => provideStageSources(stage, opts),
  };
  return provider;
}
