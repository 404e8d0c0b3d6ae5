// Gets a stage run what it needs from the host: verified sources, a validated seed, a guest kernel.
// Each step reuses what the user passed (--seed/--kernel) or what the cache already holds.
import path from "node:path";
import { ARCH, type GuestArch } from "./arch.js";
import { buildKernel } from "./kernel/build-kernel.js";
import { cacheDir, imagesDir, recipesDir, repoRoot } from "./paths.js";
import { buildSeed } from "./seed/build-seed.js";
import { validateSeed } from "./seed/elf.js";
import { ensureSource, type FetchOptions } from "./sources/fetch.js";
import { findPin, loadPins, type SourcePin } from "./sources/pins.js";
import { unpackedTree } from "./sources/unpack.js";
import type { StageRecipe } from "./stages/recipe.js";
import type { ServedSource } from "./stages/run.js";
import { sha256File } from "./sha256.js";

export interface ProvisionOptions {
  mirrors: string[];
  progress: boolean;
  log: (line: string) => void;
  verbose: boolean;
  jobs: number;
}

export interface KernelChoice {
  path: string;
  identity: Record<string, string>;
}

export function pinsFile(): string {
  return path.join(recipesDir(), "sources.json");
}

/** The kernel fragments for an arch, in merge order: the shared one, then the arch's delta. */
export function kernelFragments(arch: GuestArch): string[] {
  return [path.join(repoRoot, "vm", "kernel", "common.config"), path.join(repoRoot, "vm", "kernel", `${arch}.config`)];
}

/** images/ for x86_64 (where it always was), images/<arch>/ for the others. */
export function archImagesDir(arch: GuestArch): string {
  return path.join(imagesDir(), ARCH[arch].imagesSubdir);
}

export function guestDir(): string {
  return path.join(repoRoot, "vm", "guest");
}

export function fetchOptions(opts: ProvisionOptions): FetchOptions {
  return { cacheDir: cacheDir(), mirrors: opts.mirrors, progress: opts.progress, log: opts.log };
}

export async function fetchPinned(names: string[], opts: ProvisionOptions): Promise<Array<{ pin: SourcePin; path: string }>> {
  const pins = await loadPins(pinsFile());
  const chosen = names.length > 0 ? names.map((name) => findPin(pins, name)) : pins;
  const results: Array<{ pin: SourcePin; path: string }> = [];
  for (const pin of chosen) results.push({ pin, path: await ensureSource(pin, fetchOptions(opts)) });
  return results;
}

export async function provideSeed(seedFile: string | undefined, opts: ProvisionOptions, arch: GuestArch = "x86_64"): Promise<{ path: string; sha256: string; built: boolean }> {
  if (seedFile) {
    await validateSeed(seedFile, arch);
    return { path: path.resolve(seedFile), sha256: await sha256File(seedFile), built: false };
  }
  const [tinycc] = await fetchPinned(["tinycc"], opts);
  const seed = await buildSeed({
    tinyccTarball: tinycc.path,
    arch,
    cacheDir: cacheDir(),
    outFile: path.join(archImagesDir(arch), "tcc-seed"),
    log: opts.log,
  });
  await validateSeed(seed.path, arch);
  return { path: seed.path, sha256: seed.sha256, built: true };
}

export async function provideKernel(kernelFile: string | undefined, opts: ProvisionOptions, arch: GuestArch = "x86_64"): Promise<KernelChoice> {
  if (kernelFile) {
    return { path: path.resolve(kernelFile), identity: { custom: path.resolve(kernelFile), sha256: await sha256File(kernelFile) } };
  }
  const [linux] = await fetchPinned(["linux"], opts);
  const image = await buildKernel({
    linuxTarball: linux.path,
    linuxSha256: linux.pin.sha256,
    arch,
    fragmentFiles: kernelFragments(arch),
    cacheDir: cacheDir(),
    imagesDir: archImagesDir(arch),
    jobs: opts.jobs,
    log: opts.log,
    verbose: opts.verbose,
  });
  return { path: ARCH[arch].bootImage === "vmlinux" ? image.vmlinux : image.bzImage, identity: { ...image.identity, arch, linuxVersion: linux.pin.version } };
}

/** Fetches a stage's declared sources and unpacks those it wants as trees. */
export async function provideStageSources(stage: StageRecipe, opts: ProvisionOptions): Promise<Record<string, ServedSource>> {
  if (stage.sources.length === 0) return {};
  const fetched = await fetchPinned(stage.sources.map((s) => s.pin), opts);
  const served: Record<string, ServedSource> = {};
  for (const [i, wanted] of stage.sources.entries()) {
    const { pin, path: file } = fetched[i];
    served[pin.name] = wanted.unpackAs
      ? { servedAs: wanted.unpackAs, path: await unpackedTree(cacheDir(), file, pin.sha256, wanted.strip), sha256: pin.sha256 }
      : { servedAs: pin.file, path: file, sha256: pin.sha256 };
  }
  return served;
}
