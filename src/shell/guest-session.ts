// What runs in the guest for `zilchboot shell`, as pure data: PID 1's words and the session
// script. The shell's own tools are served under SHELL_DIR, apart from the stage's inputs.
import type { StageRecipe } from "../stages/recipe.js";
import { guestCommand, shellToolchain } from "../stages/runners.js";
import { directCommand } from "../vm/guest-protocol.js";

/** Guest directory of the shell's tools: stage 1's init and busybox, the seed, the console helper. */
export const SHELL_DIR = "/zilchboot/shell";

/** The guest prints this line once the console is the shell's terminal (vm/shell/console.c). */
export const READY_MARKER = "zilchboot-shell: ready";

export type ShellMode = "before" | "after";

export interface ShellRequest {
  stage: StageRecipe;
  mode: ShellMode;
  /** Re-run the stage's program first (same environment as a build), then give the shell. */
  rerun: boolean;
  /** The guest's vCPUs: the stage's JOBS. */
  cpus: number;
  rows: number;
  cols: number;
}

/** Words for `zilchboot shell` that reopen the same session (printed when a build fails). */
export function shellCommandLine(stage: string, flags: { rerun?: boolean; cpus?: number; memoryMiB?: number } = {}): string {
  const words = ["zilchboot", "shell", stage];
  if (flags.rerun) words.push("--rerun");
  if (flags.cpus !== undefined) words.push("--cpus", String(flags.cpus));
  if (flags.memoryMiB !== undefined) words.push("--memory", String(flags.memoryMiB));
  return words.join(" ");
}

/** PATH inside the shell: the stage's own tools first when it has them, then the shell's. */
export function shellPath(stage: StageRecipe): string {
  return stage.runner === "shell" ? `${shellToolchain(stage).path.join(":")}:${SHELL_DIR}/bin` : `${SHELL_DIR}/bin`;
}

/** PID 1 (stage 1's init) runs the console helper through the seed tcc, which runs ash. */
export function shellInit(request: ShellRequest): { init: string; initArgs: string[] } {
  return {
    init: `${SHELL_DIR}/init`,
    initArgs: [
      `PATH=${shellPath(request.stage)}`, "HOME=/", "TERM=xterm",
      `${SHELL_DIR}/tcc-seed`, "-nostdinc", "-nostdlib", `-I${SHELL_DIR}`, "-run", `${SHELL_DIR}/console.c`,
      String(clampSize(request.rows)), String(clampSize(request.cols)),
      `${SHELL_DIR}/bin/ash`, `${SHELL_DIR}/session.sh`,
    ],
  };
}

function clampSize(n: number): number {
  return Number.isInteger(n) && n > 0 && n < 10000 ? n : 24;
}

function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The stage's build command with its exact environment, as a shell command line. */
export function rerunCommand(stage: StageRecipe, cpus: number): string {
  const { env, argv } = directCommand(guestCommand(stage, cpus));
  return ["env", "-i", ...env, ...argv].map(quote).join(" ");
}

/** session.sh: optionally re-runs the stage up to its failure, then an interactive ash. */
export function sessionScript(request: Pick<ShellRequest, "stage" | "mode" | "rerun" | "cpus">): string {
  const { stage } = request;
  const lines = [
    `# zilchboot shell session for ${stage.name} (generated)`,
    `PS1=${quote(`${stage.name}:${request.mode}# `)}`,
    "export PS1",
    "cd /",
  ];
  if (request.rerun) {
    lines.push(
      `echo ${quote(`zilchboot shell: re-running ${stage.name} as a build does (Ctrl-C stops it)...`)}`,
      // A trapped INT is reset to the default in children: Ctrl-C stops the build, not this script.
      "trap 'echo' INT",
      rerunCommand(stage, request.cpus),
      "status=$?",
      "trap - INT",
      `echo "zilchboot shell: ${stage.name} exited $status; its build tree is in /tmp, its partial output in /out"`,
    );
  }
  lines.push(`exec ${SHELL_DIR}/bin/ash -i`);
  return lines.join("\n") + "\n";
}
