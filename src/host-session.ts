// The Session of a CLI invocation on this host: paths from the environment, kernels/seeds/sources
// from provision.ts, and a runner per stage from --runner/--backend. Backend modules are loaded
// only when a stage has to be built.
import os from "node:os";
import path from "node:path";
import type { GuestArch } from "./arch.js";
import type { StageCache } from "./cache/stage-cache.js";
import { cacheDir, recipesDir, workDir } from "./paths.js";
import { guestDir, hostProvisioner } from "./provision.js";
import type { StageRecipe } from "./stages/recipe.js";
import type { ShareFsRequest } from "./stages/share-fs-mode.js";
import type { StoreRequest } from "./store/store-mode.js";
import type { Provisioner, Reproduction, Session, StageRunner, VmSettings } from "./stages/session.js";
import type { BackendRequest } from "./vm/select.js";
import type { TransportRequest } from "./vm/share-transport.js";

export interface HostSessionOptions {
  /** Defaults: ZILCHBOOT_HOME, ZILCHBOOT_RECIPES, <recipes>/lock.json, vm/guest. */
  home?: string;
  recipesRoot?: string;
  lockFile?: string;
  guestDir?: string;
  seedFile?: string;
  kernelFile?: string;
  runner?: "qemu" | "native";
  backend?: BackendRequest;
  accel?: string;
  qemu?: string;
  /** --transport: how QEMU guests get their shares (default auto). */
  transport?: TransportRequest;
  vm?: Partial<VmSettings>;
  mirrors?: string[];
  progress?: boolean;
  verbose?: boolean;
  log?: (line: string) => void;
  onConsoleLine?: (line: string) => void;
  signal?: AbortSignal;
  reproduce?: Reproduction;
  cache?: StageCache | null;
  /** --share-fs (share-fs-mode.ts). */
  shareFs?: ShareFsRequest;
  /** ZILCHBOOT_STORE (store-mode.ts). */
  store?: StoreRequest;
}

export function createHostSession(opts: HostSessionOptions = {}): Session {
  const log = opts.log ?? (() => {});
  const recipesRoot = opts.recipesRoot ?? recipesDir();
  const provision = hostProvisioner({
    mirrors: opts.mirrors ?? [],
    progress: opts.progress ?? false,
    log,
    verbose: opts.verbose ?? false,
    jobs: os.availableParallelism(),
    seedFile: opts.seedFile,
    kernelFile: opts.kernelFile,
  });
  return {
    recipesRoot,
    home: opts.home ?? workDir(),
    guestDir: opts.guestDir ?? guestDir(),
    lockFile: opts.lockFile ?? path.join(recipesRoot, "lock.json"),
    provision,
    runnerFor: hostRunners(opts, log, provision),
    vm: { cpus: opts.vm?.cpus ?? os.availableParallelism(), memoryMiB: opts.vm?.memoryMiB, timeoutMs: opts.vm?.timeoutMs },
    log,
    onConsoleLine: opts.onConsoleLine,
    signal: opts.signal,
    reproduce: opts.reproduce ?? { env: {}, flags: [], native: opts.runner === "native" },
    cache: opts.cache ?? null,
    shareFs: opts.shareFs,
    store: opts.store,
  };
}

/** --runner native: namespaces + chroot, no kernel. Otherwise per stage: v86 (vm/select.ts decides
 *  under --backend v86|auto) or the arch's QEMU, one backend object per arch. */
function hostRunners(opts: HostSessionOptions, log: (line: string) => void, provision: Provisioner): (stage: StageRecipe) => Promise<StageRunner> {
  let choose: ((stage: StageRecipe) => Promise<import("./vm/backend.js").VmBackend | undefined>) | undefined;
  const qemus = new Map<GuestArch, import("./vm/backend.js").VmBackend>();
  return async (stage) => {
    // Shares in memory need our own 9p server (v86's, or QEMU's over virtio-serial): the native
    // runner has none, refused here before anything is built.
    const treeShares = opts.shareFs === "memory" || opts.shareFs === "foreign" ? opts.shareFs : null;
    if (opts.runner === "native") {
      if (treeShares) throw (await import("./stages/share-fs-mode.js")).shareFsUnsupported(treeShares, "the native runner");
      // The stage's programs run on the host kernel: an i386 stage needs a kernel that executes
      // i386 programs, which a probe (cached per kernel and boot) proves or refutes.
      const { hostExecutes, nativeArchRefusal } = await import("./vm/host-exec.js");
      const verdict = await hostExecutes(stage.arch, cacheDir());
      if (!verdict.runs) throw nativeArchRefusal(stage.name, verdict);
      const { NativeBackend } = await import("./vm/native.js");
      return { bootsKernel: false, backend: () => new NativeBackend() };
    }
    if (!choose) {
      const [{ backendChooser }, { qemuBinaryFor }, { V86Backend }] = await Promise.all([import("./vm/select.js"), import("./vm/qemu-args.js"), import("./vm/v86.js")]);
      choose = backendChooser(opts.backend ?? "auto", {
        v86: () => new V86Backend(),
        qemuBinary: (arch) => qemuBinaryFor(arch, arch === "x86_64" ? opts.qemu : undefined),
        log,
      });
    }
    const v86 = await choose(stage);
    if (v86) return { bootsKernel: true, backend: () => v86 };
    const { QemuBackend } = await import("./vm/qemu.js");
    return {
      bootsKernel: true,
      backend: (kernel) => {
        let qemu = qemus.get(stage.arch);
        if (!qemu) {
          qemu = new QemuBackend({
            arch: stage.arch,
            binary: stage.arch === "x86_64" ? opts.qemu : undefined,
            accel: opts.accel,
            probeKernel: kernel!.path,
            cacheDir: cacheDir(),
            log,
            transport: opts.transport,
            // The serial transport's pre-init runs on the arch's seed, whatever runner the stage has.
            serialSeed: async () => (await provision.seed(stage.arch)).path,
          });
          qemus.set(stage.arch, qemu);
        }
        return qemu;
      },
    };
  };
}
