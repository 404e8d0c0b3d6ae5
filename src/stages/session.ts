// What one CLI invocation decides once and every chain step reads: where the recipes, store, logs
// and lock live; how kernels, seeds and sources are provided (on demand, per arch); which backend
// runs a stage; VM sizes; and how to reopen a failed run. Tests build one with a fake provisioner
// and backend (test/fixtures/fake-vm.ts); the CLI builds one with src/host-session.ts.
import type { GuestArch } from "../arch.js";
import type { StageCache } from "../cache/stage-cache.js";
import type { SourceUse } from "../sources/pins.js";
import type { VmBackend } from "../vm/backend.js";
import type { StageRecipe } from "./recipe.js";
import type { ShareFsRequest } from "./share-fs-mode.js";
import type { StoreRequest } from "../store/store-mode.js";

/** A verified source as the guest sees it: /sources/<servedAs> (a file, or an unpacked tree). */
export interface ServedSource {
  servedAs: string;
  path: string;
  /** The pin's sha256 (what the input hash covers), whichever file was used. */
  sha256: string;
  /** Which file was fetched: the pin's own or one of its alternatives (kept in the build record). */
  used?: SourceUse;
}

export interface KernelChoice {
  path: string;
  identity: Record<string, string>;
}

/** Provides what a build step needs from the host. Called only for steps that will be built, and
 *  for kernels only when the step boots one: a cached chain provides nothing. */
export interface Provisioner {
  /** pin name → sha256, from recipes/sources.json; downloads nothing. */
  pins(): Promise<Record<string, string>>;
  /** The arch's seed sha256 when it is known without building or fetching anything (a --seed file,
   *  or the seed builder's last output for the pinned tinycc), else null. */
  knownSeedSha256(arch: GuestArch): Promise<string | null>;
  seed(arch: GuestArch): Promise<{ path: string; sha256: string }>;
  kernel(arch: GuestArch): Promise<KernelChoice>;
  sources(stage: StageRecipe): Promise<Record<string, ServedSource>>;
}

/** How one stage is run: a VM that boots the arch's kernel, or the native runner (no kernel). */
export interface StageRunner {
  bootsKernel: boolean;
  /** The backend, given the kernel it boots (null when bootsKernel is false). */
  backend(kernel: KernelChoice | null): VmBackend;
}

export interface VmSettings {
  cpus: number;
  /** Overrides the stage's memoryMiB / timeoutSeconds. */
  memoryMiB?: number;
  timeoutMs?: number;
}

/** The environment variables and flags of this invocation that shape a stage's run, so a failure
 *  message can print the command that reproduces it. */
export interface Reproduction {
  env: Record<string, string>;
  flags: string[];
  /** Set when the build ran without a VM (`--runner native`): `shell` needs one. */
  native?: boolean;
}

export interface Session {
  recipesRoot: string;
  /** Store, logs and runs (ZILCHBOOT_HOME). */
  home: string;
  guestDir: string;
  lockFile: string;
  provision: Provisioner;
  /** Throws one clear line when no backend can run the stage; called only for stages to build. */
  runnerFor(stage: StageRecipe): Promise<StageRunner>;
  vm: VmSettings;
  log: (line: string) => void;
  onConsoleLine?: (line: string) => void;
  /** Aborting kills the running VM; nothing half-done is stored. */
  signal?: AbortSignal;
  reproduce: Reproduction;
  /** The shared stage cache (--cache URL), if any: stages are pulled from it before being built,
   *  and pushed to it with --cache-push. */
  cache?: StageCache | null;
  /** How shares are stored on the host (`--share-fs`; default auto, see share-fs-mode.ts). */
  shareFs?: ShareFsRequest;
  /** How new store entries keep their output (ZILCHBOOT_STORE; default auto, see store-mode.ts). */
  store?: StoreRequest;
}

/** What the native runner passes as the kernel: nothing boots. */
export const NO_KERNEL: KernelChoice = { path: "(no kernel: native runner)", identity: { native: "true" } };
