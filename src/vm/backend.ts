// The one interface every VM backend implements (QEMU, v86, the native runner).
import type { ShareTree } from "./p9/share-tree.js";

/** Everything a backend needs to boot one hermetic guest. Paths are host paths. */
export interface BootSpec {
  /** vmlinux (booted via PVH) or bzImage. */
  kernel: string;
  /** Served read-only as the guest's root filesystem: the stage's declared inputs and nothing else. */
  rootDir: string;
  /** Served writable under the 9p tag `out`; the guest mounts it at /out. */
  outDir?: string;
  /** Served instead of rootDir / outDir when set (`--share-fs memory|foreign`): shares whose
   *  names, modes and symlinks our own 9p server keeps (src/vm/p9/meta-tree.ts). Only a backend
   *  with `servesShareTrees` is given them. */
  rootTree?: ShareTree;
  outTree?: ShareTree;
  /** A host directory to serve as the guest's /tmp instead of a tmpfs (`--keep` with the native
   *  runner: a failed build's tree stays for inspection). Backends that cannot share it ignore it. */
  scratchDir?: string;
  /** Guest path of PID 1. */
  init: string;
  /** argv[1..] of PID 1 (kernel command line words after `--`). */
  initArgs: string[];
  memoryMiB: number;
  cpus: number;
  /** The VM is killed after this long. */
  timeoutMs: number;
  /** Clean console text goes here, line by line. */
  consoleLog: string;
  /** Live console lines (e.g. `--verbose` on a TTY). */
  onConsoleLine?: (line: string) => void;
  /** An interactive user on the console (`zilchboot shell`); builds leave it unset. */
  console?: ConsoleAttachment;
}

/** What an interactive session hands the backend: where raw console bytes go, and a hook that
 *  receives the means to type into the guest once it runs. Backend-neutral: QEMU wires it to its
 *  serial ports, a v86 backend would wire it to `serial0_send` and its output-byte events. */
export interface ConsoleAttachment {
  /** Every byte the guest writes to its console, escape sequences intact (for a terminal). */
  onOutput(chunk: Uint8Array): void;
  /** Called once, when the guest's console accepts input. */
  onAttach(io: ConsoleIo): void;
}

export interface ConsoleIo {
  /** Bytes to the guest's console (ttyS0), as if typed. */
  input(data: string | Uint8Array): void;
  /** One line to the guest's control port (ttyS1), e.g. "ROWS COLS" for a window size change. */
  control(line: string): void;
}

export type VmOutcome =
  | { kind: "status"; status: number }
  | { kind: "timeout" }
  | { kind: "no-status"; detail: string }
  | { kind: "backend-error"; detail: string };

export interface VmRun {
  outcome: VmOutcome;
  /** Backend start → first console byte (kernel alive). */
  firstOutputMs: number | null;
  /** Backend start → first line printed by PID 1 (our marker), when seen. */
  initOutputMs: number | null;
  durationMs: number;
  /** The last console lines, for error messages. */
  consoleTail: string[];
  /** Accelerator or engine that ran the guest, e.g. "tcg,thread=multi". */
  engine: string;
}

export interface ProbeResult {
  usable: boolean;
  /** What was chosen or why nothing was: "tcg,thread=multi", "kvm: probe hung for 8000 ms", … */
  detail: string;
  /** When TCG was chosen without being asked for: why no hardware accelerator is used. */
  fellBack?: string;
}

export interface VmBackend {
  readonly name: string;
  /** Most vCPUs a guest can have (v86 emulates a uniprocessor); unlimited when absent. */
  readonly maxCpus?: number;
  /** Serves the shares with our own 9p server (src/vm/p9/host-share.ts), so BootSpec.rootTree and
   *  outTree may be used: v86; QEMU once it has a transport for that server. */
  readonly servesShareTrees?: boolean;
  /** Can this backend run here, and with what? Must finish within its own timeout. */
  probe(signal?: AbortSignal): Promise<ProbeResult>;
  boot(spec: BootSpec, signal?: AbortSignal): Promise<VmRun>;
}
